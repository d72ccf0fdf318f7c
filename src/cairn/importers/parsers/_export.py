"""What the chat parsers share: reading their input, time zones, JSON, and ``where`` labels.

Every parser's ``parse`` takes either ``bytes`` (the content of one file) or an
``os.PathLike`` (a file, a zip, or an unpacked export folder on disk). An ``ExportTree`` gives
one view over a zip (through ``SafeZip``) or a folder: relative ``/``-separated member names,
and bounded reads. Nothing here touches Django.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cairn.importers.base import ImportFailure
from cairn.importers.safezip import DEFAULT_LIMITS, SafeZip, looks_like_zip

Input = bytes | os.PathLike[str]

# A JSON or text file inside an export is read into memory whole; nothing real comes close.
MAX_DOCUMENT_SIZE = 1024 * 1024 * 1024
# Folders are walked without following links, and only this far.
MAX_FOLDER_FILES = DEFAULT_LIMITS.max_members


def where(
    name: str, member: str | None = None, *, line: int | None = None, entry: str | None = None
) -> str:
    """``"export.zip, member a/b.json, messages[3]"``: names the file and the place in it."""
    parts = [name]
    if member is not None:
        parts.append(f"member {member}")
    if line is not None:
        parts.append(f"line {line}")
    if entry is not None:
        parts.append(entry)
    return ", ".join(parts)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a parser builds its (acyclic) results.

    A long chat makes a few hundred thousand small objects; the collector would otherwise walk
    all of them again and again as they accumulate (about a third of the parse time). Reference
    counting still frees everything; the collector resumes, in its previous state, afterwards.

    The results live as long as the import does, so on the way out they are moved straight to
    the oldest generation (``gc.freeze()`` then ``gc.unfreeze()``, which relinks the lists
    without visiting the objects) instead of being walked once per younger generation on their
    way there: that walk alone took a sixth of a 100,000-message parse. Skipped if someone else
    has frozen objects, whose freeze this must not undo.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


@lru_cache(maxsize=64)
def _zone(key: str) -> ZoneInfo:
    return ZoneInfo(key)


def zone(key: str, *, name: str) -> ZoneInfo:
    """The zoneinfo zone ``key``, or ImportFailure naming the file being imported."""
    try:
        return _zone(key)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise ImportFailure(
            name, "unknown time zone (give a zoneinfo name such as Europe/London)"
        ) from None


def local_to_utc(naive: datetime, tz: ZoneInfo) -> datetime:
    """A wall-clock time read in ``tz``, as aware UTC.

    The rule for clock changes is PEP 495's ``fold=0``, as in ``cairn.web.timeframe``: in the
    repeated autumn hour the first occurrence (summer time) is taken; a time in the skipped
    spring hour is read with the offset in force before the change (01:30 on the spring-forward
    day in London becomes 01:30 UTC, which the clocks then showed as 02:30).
    """
    return naive.replace(tzinfo=tz).astimezone(UTC)


def from_unix(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def load_json(raw: bytes, *, where_: str) -> Any:
    """Parse JSON from bytes (UTF-8, with or without BOM; UTF-16/32 by BOM as json allows).

    Fails with ImportFailure on broken encodings, syntax errors, nesting bombs (Python's
    decoder raises RecursionError well before the C stack is at risk) and over-long numbers.
    """
    if not raw.strip():
        raise ImportFailure(where_, "the file is empty")
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise ImportFailure(where_, "not valid UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ImportFailure(
            where_, f"not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise ImportFailure(where_, "the JSON is nested too deeply; refused") from None
    except ValueError:
        raise ImportFailure(where_, "not valid JSON") from None


class ExportTree:
    """A zip or a folder holding an export: member names relative to its root, bounded reads."""

    def __init__(self, path_or_bytes: Input, *, name: str) -> None:
        self.name = name
        self._zip: SafeZip | None = None
        self._root: Path | None = None
        if isinstance(path_or_bytes, bytes | bytearray | memoryview):
            self._zip = SafeZip(bytes(path_or_bytes), name=name)
        else:
            path = Path(path_or_bytes)
            if path.is_dir():
                self._root = path
            else:
                self._zip = SafeZip(path, name=name)
        self.is_zip = self._zip is not None
        self.members: tuple[str, ...] = (
            self._zip.names if self._zip is not None else tuple(self._walk())
        )
        self._set = frozenset(self.members)

    def _walk(self) -> Iterator[str]:
        assert self._root is not None
        count = 0
        for folder, dirs, files in os.walk(self._root, followlinks=False):
            dirs.sort()
            for file in sorted(files):
                full = Path(folder, file)
                if full.is_symlink() or not full.is_file():
                    continue
                count += 1
                if count > MAX_FOLDER_FILES:
                    raise ImportFailure(
                        self.name, f"the folder holds more than {MAX_FOLDER_FILES:,} files"
                    )
                yield full.relative_to(self._root).as_posix()

    def __enter__(self) -> ExportTree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __contains__(self, member: object) -> bool:
        return member in self._set

    def read(self, member: str, *, max_size: int = MAX_DOCUMENT_SIZE) -> bytes:
        if self._zip is not None:
            return self._zip.read_member(member, max_size=max_size)
        assert self._root is not None
        if member not in self._set:
            raise ImportFailure(where(self.name, member), "no such file in the folder")
        path = self._root / member
        try:
            if path.stat().st_size > max_size:
                raise ImportFailure(where(self.name, member), "the file is too large to read")
            return path.read_bytes()
        except OSError:
            raise ImportFailure(where(self.name, member), "the file could not be read") from None


def read_input(data: Input, *, name: str) -> bytes:
    """The bytes of a single-file input (``bytes`` as given, or the file at a path)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    try:
        path = Path(data)
        if path.is_dir():
            raise ImportFailure(name, "expected a file, got a folder")
        return path.read_bytes()
    except OSError:
        raise ImportFailure(name, "the file could not be read") from None


def is_container(data: Input, *, name: str) -> bool:
    """True when the input is a folder or a zip (by its first bytes)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return looks_like_zip(bytes(data[:4]))
    path = Path(data)
    if path.is_dir():
        return True
    try:
        with open(path, "rb") as handle:
            return looks_like_zip(handle.read(4))
    except OSError:
        raise ImportFailure(name, "the file could not be read") from None


# Media types by file extension, for attachments named in an export (the files themselves are
# sniffed from their content when they become exhibits; this is only the export's claim).
MEDIA_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "heic": "image/heic",
    "bmp": "image/bmp",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "3gp": "video/3gpp",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "avi": "video/x-msvideo",
    "opus": "audio/ogg",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "aac": "audio/aac",
    "wav": "audio/wav",
    "amr": "audio/amr",
    "pdf": "application/pdf",
    "vcf": "text/vcard",
    "txt": "text/plain",
    "doc": "application/msword",
    "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def media_type_for(file_name: str) -> str | None:
    _, dot, ext = file_name.rpartition(".")
    return MEDIA_TYPES.get(ext.lower()) if dot else None
