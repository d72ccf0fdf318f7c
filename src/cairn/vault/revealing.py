"""What a photo's hidden details say about where and who (issue 16, point 8).

A photo from a phone or camera usually carries EXIF metadata the picture does not show: the
position it was taken at (GPS), the camera's serial number, sometimes its owner's name. A
victim who has moved must not hand her new address to the defence inside a photo, so before
a pack or a share leaves her hands Cairn says which exhibits carry these, and offers a copy
without them (``cairn.vault.redaction_services.clean_copy``).

Pure: ``read`` takes the first bytes of a file (EXIF sits near the start of JPEG, HEIC, TIFF
and WebP files) and returns what it found; it needs neither Django nor a database. A file
whose metadata cannot be read reveals nothing it can see, and says so (``readable``).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

import exifread

# Enough of the start of a file to hold its EXIF (JPEG's APP1 is at most 64 KiB; HEIC's meta
# box comes before the picture's data).
PREFIX_BYTES = 1024 * 1024
SERIAL_TAGS = ("EXIF BodySerialNumber", "EXIF LensSerialNumber", "Image CameraSerialNumber")
OWNER_TAGS = ("EXIF CameraOwnerName", "Image Artist", "Image Copyright")
PHOTO_TYPES = frozenset(
    {
        "image/jpeg",
        "image/heic",
        "image/heif",
        "image/tiff",
        "image/webp",
        "image/png",
        "image/avif",
    }
)

logging.getLogger("exifread").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float

    @property
    def words(self) -> str:
        """ "43.4670, 11.8846": the position to four decimal places (about 10 metres)."""
        return f"{self.latitude:.4f}, {self.longitude:.4f}"


@dataclass(frozen=True)
class Revealing:
    """What a file's hidden details say: a position, serial numbers, owners' names."""

    position: Position | None = None
    serials: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    readable: bool = True

    @property
    def any(self) -> bool:
        return self.position is not None or bool(self.serials) or bool(self.owners)

    @property
    def kinds(self) -> tuple[str, ...]:
        """What it carries, in words: "where it was taken", "the camera's serial number"..."""
        found = []
        if self.position is not None:
            found.append("where it was taken")
        if self.serials:
            found.append("the camera's serial number")
        if self.owners:
            found.append("an owner's name")
        return tuple(found)


def _number(value: Any) -> float:
    if hasattr(value, "num") and hasattr(value, "den"):
        return float(value.num) / float(value.den)
    return float(value)


def _coordinate(
    tags: dict[str, Any], key: str, ref_key: str, negative: str, limit: float
) -> float | None:
    tag = tags.get(key)
    if tag is None or len(getattr(tag, "values", ())) != 3:
        return None
    try:
        degrees, minutes, seconds = (_number(v) for v in tag.values)
    except (ZeroDivisionError, TypeError, ValueError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if str(tags.get(ref_key, "")).strip().upper() == negative:
        value = -value
    return value if abs(value) <= limit else None


def _texts(tags: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, ...]:
    found = []
    for key in keys:
        text = " ".join(str(tags.get(key, "")).replace("\x00", " ").split())
        if text and text not in found:
            found.append(text)
    return tuple(found)


def _pillow_tags(data: bytes) -> dict[str, Any]:
    """The same tags read by Pillow, for what exifread does not open (WebP keeps its EXIF
    in a chunk at the end of the file)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as picture:
        exif = picture.getexif()
        gps, more = exif.get_ifd(0x8825), exif.get_ifd(0x8769)

    class _Tag:
        def __init__(self, values: Any) -> None:
            self.values = values if isinstance(values, tuple) else ()
            self.text = "" if isinstance(values, tuple) else str(values)

        def __str__(self) -> str:
            return self.text

    named = {
        "GPS GPSLatitudeRef": gps.get(1),
        "GPS GPSLatitude": gps.get(2),
        "GPS GPSLongitudeRef": gps.get(3),
        "GPS GPSLongitude": gps.get(4),
        "EXIF BodySerialNumber": more.get(0xA431),
        "EXIF LensSerialNumber": more.get(0xA435),
        "EXIF CameraOwnerName": more.get(0xA430),
        "Image Artist": exif.get(0x013B),
        "Image Copyright": exif.get(0x8298),
    }
    return {key: _Tag(value) for key, value in named.items() if value is not None}


def read(data: bytes, *, whole: bool = False) -> Revealing:
    """What the EXIF of ``data`` (a file, or its first ``PREFIX_BYTES``) reveals. With
    ``whole`` (the caller passes the entire file), formats exifread cannot open are read with
    Pillow too."""
    try:
        tags = exifread.process_file(
            io.BytesIO(data[:PREFIX_BYTES]), details=False, extract_thumbnail=False
        )
    except Exception:  # exifread raises many kinds of error on damaged files
        tags = {}
    if not tags and whole:
        try:
            tags = _pillow_tags(data)
        except Exception:  # Pillow's errors on a damaged file are as varied
            return Revealing(readable=False)
    latitude = _coordinate(tags, "GPS GPSLatitude", "GPS GPSLatitudeRef", "S", 90)
    longitude = _coordinate(tags, "GPS GPSLongitude", "GPS GPSLongitudeRef", "W", 180)
    position = (
        Position(latitude, longitude)
        if latitude is not None and longitude is not None and (latitude, longitude) != (0.0, 0.0)
        else None
    )
    return Revealing(
        position=position, serials=_texts(tags, SERIAL_TAGS), owners=_texts(tags, OWNER_TAGS)
    )
