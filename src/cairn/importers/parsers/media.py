"""Photos and videos from a folder, a zip, or a single file: what their metadata says.

Input: a path (a folder, a zip, or one photo or video) or ``bytes`` (a zip, or one file).
Folders are walked without following symbolic links; zips are opened through ``SafeZip``
(zip bombs, path traversal and links refused before anything is read). Each file is sniffed
from its content (``cairn.web.media.sniff``: the HEIF family by its ``ftyp`` brands, JPEG
XL by its signature, the rest by magic numbers); anything that is not an image or a video is
skipped and counted in the notes. ``Origin.member`` is the file's path inside the folder or
zip. A picture whose metadata Cairn cannot read (``UNREAD_TYPES``: JPEG XL) is still an item,
kept like any other, with its capture time unknown and a note saying why.

Photos (``exifread``, which also reads HEIC and HEIF): the capture time is EXIF ``DateTimeOriginal``
(``DateTimeDigitized`` if that is missing; never ``DateTime``, which editors rewrite), with
``OffsetTimeOriginal`` when present: then it is exact (``captured_at_offset_known``). Without
an offset the wall-clock time is read in ``tz`` and ``captured_at_offset_known`` is False.
GPS latitude and longitude in decimal degrees; the camera from make and model.

Videos (``pymediainfo``, whose wheels bundle libmediainfo): the QuickTime
``com.apple.quicktime.creationdate`` (local time with its offset) when present, else the
container's encoded date (the ``mvhd`` creation time, which ISO/IEC 14496-12 defines in UTC;
some cameras write local time there anyway, which no file can reveal). Duration in
seconds; ISO 6709 location when the phone recorded one.

A file with no capture time keeps ``captured_at=None``: the file's modification time or the
upload time is never used instead (invariant 3). Metadata that cannot be read leaves the
item with unknowns and a note; it does not fail the import.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, BinaryIO, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import exifread
from pymediainfo import MediaInfo

from cairn.importers.base import ImportFailure, MediaItem, Origin, ParsedImport
from cairn.importers.safezip import DEFAULT_LIMITS, SafeZip, looks_like_zip
from cairn.web.media import sniff

__all__ = ["FORMAT", "parse"]

FORMAT = "media"
_IN_MEMORY = 64 * 1024 * 1024
MAX_FILES = DEFAULT_LIMITS.max_members
_HEAD = 8192
# Pictures Cairn recognises but whose metadata it does not read yet, with the name to give.
UNREAD_TYPES = {"image/jxl": "JPEG XL"}

_EXIF_TIME = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")
_VIDEO_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?"
    r"\s*(Z|UTC|[+-]\d{2}:?\d{2})?"
)
_ISO6709 = re.compile(r"^([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)")

# exifread reports damaged tags through logging; the note on the item says enough.
logging.getLogger("exifread").setLevel(logging.ERROR)


def parse(
    source: bytes | str | os.PathLike[str], *, name: str | None = None, tz: str = "Europe/London"
) -> ParsedImport:
    """Read capture time, place, camera and duration from every photo and video in ``source``.

    Raises ``ImportFailure`` when the input cannot be read, a zip is unsafe or damaged, the
    time zone is unknown, or there is no photo or video at all.
    """
    file_name = _name(source, name)
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFailure(
            file_name, "unknown time zone (give a zoneinfo name such as Europe/London)"
        ) from None
    state = _State(file_name, zone)
    for member, stream in _files(source, file_name):
        with stream:
            state.examine(member, stream)
    if not state.items:
        raise ImportFailure(file_name, "no photos or videos were found")
    notes = list(state.notes)
    if state.skipped:
        notes.insert(0, f"{state.skipped} files that are not photos or videos were skipped")
    if state.zone_used:
        notes.insert(0, f"capture times recorded without an offset were read in {tz}")
    return ParsedImport(
        format=FORMAT,
        source_name=file_name,
        assumed_time_zone=tz if state.zone_used else None,
        media=tuple(state.items),
        notes=tuple(notes),
    )


def _name(source: bytes | str | os.PathLike[str], name: str | None) -> str:
    if name:
        return Path(name).name or name
    if isinstance(source, bytes | bytearray | memoryview):
        return "the upload"
    return Path(source).name or str(source)


def _files(
    source: bytes | str | os.PathLike[str], name: str
) -> Iterator[tuple[str | None, BinaryIO]]:
    """Yield (member, an open binary stream) for each file in the input."""
    if isinstance(source, bytes | bytearray | memoryview):
        if looks_like_zip(bytes(source[:4])):
            yield from _zip_files(bytes(source), name)
        else:
            yield None, io.BytesIO(bytes(source))
        return
    path = Path(source)
    try:
        if path.is_dir():
            yield from _folder_files(path, name)
            return
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError:
        raise ImportFailure(name, "the file or folder could not be read") from None
    if looks_like_zip(head):
        yield from _zip_files(path, name)
    else:
        yield None, _open(path, name, None)


def _open(path: Path, name: str, member: str | None) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError:
        raise ImportFailure(_where(name, member), "the file could not be read") from None


def _folder_files(root: Path, name: str) -> Iterator[tuple[str | None, BinaryIO]]:
    count = 0
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for file in sorted(files):
            path = Path(folder, file)
            if path.is_symlink() or not path.is_file():
                continue
            count += 1
            if count > MAX_FILES:
                raise ImportFailure(name, f"the folder holds more than {MAX_FILES:,} files")
            member = path.relative_to(root).as_posix()
            yield member, _open(path, name, member)


def _zip_files(source: bytes | Path, name: str) -> Iterator[tuple[str | None, BinaryIO]]:
    """Members small enough are read into memory; larger ones (videos) are spooled to an
    anonymous temporary file, which the metadata readers can seek in."""
    with SafeZip(source, name=name) as archive:
        for member in archive.names:
            stream = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115
            for chunk in archive.iter_member(member):
                stream.write(chunk)
            stream.seek(0)
            yield member, cast(BinaryIO, stream)


@dataclass
class _Metadata:
    captured_at: datetime | None = None
    offset_known: bool = False
    latitude: float | None = None
    longitude: float | None = None
    duration_seconds: float | None = None
    camera: str | None = None


class _State:
    def __init__(self, name: str, zone: ZoneInfo) -> None:
        self.name = name
        self.zone = zone
        self.items: list[MediaItem] = []
        self.notes: list[str] = []
        self.skipped = 0
        self.zone_used = False

    def examine(self, member: str | None, stream: BinaryIO) -> None:
        label = member or self.name
        try:
            head = stream.read(_HEAD)
            stream.seek(0)
        except OSError:
            raise ImportFailure(_where(self.name, member), "the file could not be read") from None
        media_type = _sniff(head)
        if media_type is None:
            self.skipped += 1
            return
        if media_type in UNREAD_TYPES:
            meta = _Metadata()
            self.notes.append(
                f"{label}: Cairn does not read the metadata of "
                f"{UNREAD_TYPES[media_type]} pictures yet; the file is kept as "
                "it is, capture time unknown"
            )
        else:
            meta = self._metadata(label, media_type, stream)
        base = Path(member).name if member else self.name
        self.items.append(
            MediaItem(
                name=base,
                origin=Origin(member=member),
                media_type=media_type,
                captured_at=meta.captured_at,
                captured_at_offset_known=meta.offset_known,
                latitude=meta.latitude,
                longitude=meta.longitude,
                duration_seconds=meta.duration_seconds,
                camera=meta.camera,
            )
        )

    def _metadata(self, label: str, media_type: str, stream: BinaryIO) -> _Metadata:
        try:
            meta = self._photo(stream) if media_type.startswith("image/") else self._video(stream)
        except Exception:  # metadata libraries raise all sorts on damaged files
            self.notes.append(f"{label}: its metadata could not be read; capture time unknown")
            return _Metadata()
        if meta.captured_at is None:
            self.notes.append(f"{label}: no capture time in its metadata")
        return meta

    # -- photos --------------------------------------------------------------------------

    def _photo(self, stream: BinaryIO) -> _Metadata:
        tags = exifread.process_file(stream, details=False, extract_thumbnail=False)
        meta = _Metadata()
        for time_tag, offset_tag in (
            ("EXIF DateTimeOriginal", "EXIF OffsetTimeOriginal"),
            ("EXIF DateTimeDigitized", "EXIF OffsetTimeDigitized"),
        ):
            wall = _exif_time(_tag_text(tags, time_tag))
            if wall is None:
                continue
            offset = _exif_offset(_tag_text(tags, offset_tag))
            if offset is not None:
                meta.captured_at, meta.offset_known = wall.replace(tzinfo=offset), True
            else:
                meta.captured_at = self._local(wall)
            break
        meta.latitude = _gps(tags, "GPS GPSLatitude", "GPS GPSLatitudeRef", "S", 90)
        meta.longitude = _gps(tags, "GPS GPSLongitude", "GPS GPSLongitudeRef", "W", 180)
        if meta.latitude is None or meta.longitude is None:
            meta.latitude = meta.longitude = None
        meta.camera = _camera(_tag_text(tags, "Image Make"), _tag_text(tags, "Image Model"))
        return meta

    def _local(self, wall: datetime) -> datetime:
        self.zone_used = True
        return wall.replace(tzinfo=self.zone)

    # -- videos --------------------------------------------------------------------------

    def _video(self, stream: BinaryIO) -> _Metadata:
        info = MediaInfo.parse(stream)
        general: Any = next((t for t in info.tracks if t.track_type == "General"), None)
        meta = _Metadata()
        if general is None:
            return meta
        data: dict[str, Any] = general.to_data()
        for key in (
            "comapplequicktimecreationdate",
            "encoded_date",
            "tagged_date",
            "recorded_date",
        ):
            parsed = self._video_time(data.get(key), utc_default=key != "recorded_date")
            if parsed is not None:
                meta.captured_at, meta.offset_known = parsed
                break
        duration = data.get("duration")
        with contextlib.suppress(TypeError, ValueError):
            if duration is not None and float(duration) >= 0:
                meta.duration_seconds = float(duration) / 1000
        for key in ("comapplequicktimelocationiso6709", "xyz"):
            value = data.get(key)
            match = _ISO6709.match(value) if isinstance(value, str) else None
            if match:
                lat, lon = float(match.group(1)), float(match.group(2))
                if abs(lat) <= 90 and abs(lon) <= 180:
                    meta.latitude, meta.longitude = lat, lon
                    break
        make = data.get("comapplequicktimemake") or data.get("make")
        model = data.get("comapplequicktimemodel") or data.get("model")
        meta.camera = _camera(
            make if isinstance(make, str) else None, model if isinstance(model, str) else None
        )
        return meta

    def _video_time(self, value: object, *, utc_default: bool) -> tuple[datetime, bool] | None:
        if not isinstance(value, str):
            return None
        match = _VIDEO_TIME.search(value)
        if not match:
            return None
        try:
            wall = _naive(*(int(g) for g in match.groups()[:6]))
        except ValueError:
            return None
        if wall.year < 1971:  # a zero MP4 time (1904) or a camera never set: unknown
            return None
        zone_text = match.group(7) or ("UTC" if "UTC" in value else None)
        if zone_text in ("Z", "UTC"):
            return wall.replace(tzinfo=UTC), True
        if zone_text:
            offset = _exif_offset(zone_text)
            if offset is not None:
                return wall.replace(tzinfo=offset), True
        if utc_default and "UTC" in value:
            return wall.replace(tzinfo=UTC), True
        return self._local(wall), False


def _where(name: str, member: str | None) -> str:
    return f"{name}, member {member}" if member else name


def _sniff(head: bytes) -> str | None:
    media_type = sniff(head)
    return media_type if media_type.split("/")[0] in ("image", "video") else None


def _tag_text(tags: dict[str, Any], key: str) -> str | None:
    tag = tags.get(key)
    if tag is None:
        return None
    text = str(getattr(tag, "values", tag))
    text = text.replace("\x00", "").strip()
    return text or None


def _exif_time(text: str | None) -> datetime | None:
    match = _EXIF_TIME.match(text) if text else None
    if not match:
        return None
    try:
        return _naive(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _naive(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime:
    """A wall-clock time as the file gives it; the caller adds the zone or offset."""
    return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001


def _exif_offset(text: str | None) -> tzinfo | None:
    match = _EXIF_OFFSET.match(text) if text else None
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14) or int(minutes) >= 60:
        return None
    return timezone(-delta if sign == "-" else delta)


def _gps(tags: dict[str, Any], key: str, ref_key: str, negative: str, limit: float) -> float | None:
    tag = tags.get(key)
    values = getattr(tag, "values", None)
    if not isinstance(values, list) or not values or len(values) > 3:
        return None
    try:
        parts = [float(v) for v in values]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    degrees = sum(p / 60.0**i for i, p in enumerate(parts))
    if (_tag_text(tags, ref_key) or "").upper().startswith(negative):
        degrees = -degrees
    if not -limit <= degrees <= limit or degrees != degrees:  # NaN check
        return None
    return round(degrees, 7)


def _camera(make: str | None, model: str | None) -> str | None:
    make = " ".join((make or "").replace("\x00", "").split())
    model = " ".join((model or "").replace("\x00", "").split())
    if make and model.lower().startswith(make.lower()):
        return model
    return " ".join(p for p in (make, model) if p) or None
