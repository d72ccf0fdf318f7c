"""Open a zip export without trusting it.

Victims bring zips made by apps (WhatsApp "with media", a Facebook, Instagram or X archive),
but a zip is also the easiest way to hand a server something hostile. ``SafeZip`` reads the
central directory, refuses the whole archive before a single member is decompressed if any
entry is dangerous, and then reads members as streams whose output is counted as it comes.

What is refused, and why:

- **zip bombs**: more than ``ZipLimits.max_members`` entries; a declared uncompressed total
  above ``max_total_size``; any member above ``max_member_size``; any member larger than
  ``ratio_floor`` whose compression ratio exceeds ``max_ratio`` (real exports compress text
  about 3-10:1 and media hardly at all; a bomb needs ratios in the hundreds or thousands);
  entries that share or overlap their compressed data (the "overlapping files" bomb, where many
  entries point at one small compressed block);
- **path traversal**: names with a ``..`` component, absolute names (``/etc``, ``\\x``), drive
  letters (``C:``), backslashes, and control characters. We never extract to disk by name, but
  a name that could escape a folder is a sign the archive was crafted, and later code (or a
  person unpacking a pack) should never meet it;
- **symlinks** (Unix mode bits in the external attributes): a link can make an innocent name
  point anywhere when unpacked;
- **encrypted members**: we cannot read them, and a partial import would silently lose them;
- **duplicate names**: two different files under one name make "the file the message points
  at" ambiguous.

Reading: ``iter_member`` yields chunks and stops with ``ImportFailure`` as soon as the output
passes the member's declared size or the caller's ``max_size``; ``read_member`` collects those
chunks. A damaged member (bad CRC, truncated data, unsupported compression) fails with an
``ImportFailure`` naming the zip and the member.

Inputs: ``bytes``, a path, or a seekable binary file object. Outputs: member names (always
``/``-separated, as stored) and bytes. Failures: ``ImportFailure`` only; its ``where`` is
``"<zip name>"`` for the archive or ``"<zip name>, member <member>"`` for one member.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from cairn.importers.base import ImportFailure

__all__ = ["DEFAULT_LIMITS", "SafeZip", "ZipLimits", "ZipMember", "looks_like_zip"]

MiB = 1024 * 1024
GiB = 1024 * MiB

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# Everything zipfile (and zlib beneath it) raises on a malformed archive. A hostile archive can
# trigger any of these; each becomes an ImportFailure at the boundary.
_ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    KeyError,
    IndexError,
    OverflowError,
)

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ZipLimits:
    """Caps on what an archive may declare. The defaults fit a large WhatsApp export with
    several GB of video, and refuse every known zip bomb."""

    max_members: int = 100_000
    max_total_size: int = 16 * GiB
    max_member_size: int = 8 * GiB
    max_ratio: float = 200.0
    ratio_floor: int = 1 * MiB  # smaller members may compress as well as they like
    chunk_size: int = 1 * MiB


DEFAULT_LIMITS = ZipLimits()


@dataclass(frozen=True)
class ZipMember:
    name: str  # as stored, "/"-separated
    size: int  # declared uncompressed size
    compressed_size: int


def looks_like_zip(head: bytes) -> bool:
    """True when ``head`` starts with a zip signature (local header or empty archive)."""
    return head[:4] in ZIP_MAGIC


def _unsafe_name_reason(name: str) -> str | None:
    if not name:
        return "a member has an empty name"
    if "\\" in name:
        return "a member name contains a backslash"
    if name.startswith("/") or _DRIVE.match(name):
        return "a member name is an absolute path"
    if ".." in name.split("/"):
        return "a member name climbs out of the archive (..)"
    if _CONTROL.search(name):
        return "a member name contains control characters"
    return None


class SafeZip:
    """A zip archive whose every entry passed the checks in the module docstring.

    Use as a context manager; ``members`` lists the files (directories left out) in archive
    order; ``read_member``/``iter_member`` read one by name.
    """

    def __init__(
        self,
        source: bytes | os.PathLike[str] | IO[bytes],
        *,
        name: str,
        limits: ZipLimits = DEFAULT_LIMITS,
    ) -> None:
        self.name = name
        self.limits = limits
        self._owned: IO[bytes] | None = None
        fileobj: IO[bytes]
        if isinstance(source, bytes | bytearray | memoryview):
            fileobj = io.BytesIO(bytes(source))
        elif isinstance(source, os.PathLike):
            try:
                fileobj = open(source, "rb")  # noqa: SIM115 - closed in close()
            except OSError:
                raise ImportFailure(name, "the file could not be opened") from None
            self._owned = fileobj
        else:
            fileobj = source
        try:
            self._zip = zipfile.ZipFile(fileobj)
            infos = self._zip.infolist()
        except _ZIP_ERRORS:
            self.close()
            raise ImportFailure(
                name, "not a zip archive, or the archive is damaged or truncated"
            ) from None
        try:
            self._infos = self._check(infos)
        except ImportFailure:
            self.close()
            raise
        self.members: tuple[ZipMember, ...] = tuple(
            ZipMember(i.filename, i.file_size, i.compress_size) for i in self._infos.values()
        )

    def _where(self, member: str) -> str:
        return f"{self.name}, member {member}"

    def _check(self, infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
        limits = self.limits
        if len(infos) > limits.max_members:
            raise ImportFailure(
                self.name,
                f"the archive holds more than {limits.max_members:,} "
                "entries; refused as a possible zip bomb",
            )
        total = 0
        files: dict[str, zipfile.ZipInfo] = {}
        spans: list[tuple[int, int, str]] = []
        for info in infos:
            member = info.filename
            reason = _unsafe_name_reason(member)
            if reason is not None:
                raise ImportFailure(self._where(member), f"refused: {reason}")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ImportFailure(self._where(member), "refused: the member is a symbolic link")
            if info.flag_bits & 0x1:
                raise ImportFailure(self._where(member), "refused: the member is encrypted")
            if info.is_dir():
                continue
            if member in files:
                raise ImportFailure(self._where(member), "refused: two members have this name")
            if info.file_size > limits.max_member_size:
                raise ImportFailure(
                    self._where(member),
                    "refused: the member would unpack to "
                    f"more than {limits.max_member_size // MiB:,} MiB",
                )
            if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                raise ImportFailure(
                    self._where(member),
                    "refused as a possible zip bomb: the "
                    f"member compresses more than {limits.max_ratio:g} to 1",
                )
            total += info.file_size
            if total > limits.max_total_size:
                raise ImportFailure(
                    self.name,
                    "refused as a possible zip bomb: the archive "
                    f"would unpack to more than {limits.max_total_size // MiB:,}"
                    " MiB",
                )
            files[member] = info
            spans.append((info.header_offset, info.header_offset + info.compress_size, member))
        spans.sort()
        for (start, end, _), (next_start, _, other) in itertools.pairwise(spans):
            # A local header sits before the data, so a real entry's data ends before the next
            # entry's header starts; overlapping or shared data is a crafted archive.
            if next_start < end or next_start == start:
                raise ImportFailure(
                    self._where(other),
                    "refused as a possible zip bomb: members share their compressed data",
                )
        return files

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        zf = getattr(self, "_zip", None)
        if zf is not None:
            zf.close()
        if self._owned is not None:
            self._owned.close()
            self._owned = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.members)

    def __contains__(self, member: object) -> bool:
        return member in self._infos

    def size(self, member: str) -> int:
        return self._info(member).file_size

    def _info(self, member: str) -> zipfile.ZipInfo:
        try:
            return self._infos[member]
        except KeyError:
            raise ImportFailure(self._where(member), "no such member in the archive") from None

    def iter_member(self, member: str, *, max_size: int | None = None) -> Iterator[bytes]:
        """Yield the member's bytes in chunks, never more than its declared size or
        ``max_size``; fail with ImportFailure on damage or when a cap is passed."""
        info = self._info(member)
        cap = info.file_size if max_size is None else min(max_size, info.file_size)
        if max_size is not None and info.file_size > max_size:
            raise ImportFailure(
                self._where(member),
                f"the member is too large to read (over {max_size // MiB:,} MiB)",
            )
        produced = 0
        try:
            with self._zip.open(info) as stream:
                while True:
                    chunk = stream.read(self.limits.chunk_size)
                    if not chunk:
                        break
                    produced += len(chunk)
                    if produced > cap:
                        raise ImportFailure(
                            self._where(member),
                            "the member unpacks to more than its declared size; refused",
                        )
                    yield chunk
        except _ZIP_ERRORS:
            raise ImportFailure(
                self._where(member),
                "the member is damaged, truncated or uses an unsupported compression method",
            ) from None
        if produced != info.file_size:
            raise ImportFailure(self._where(member), "the member is truncated")

    def read_member(self, member: str, *, max_size: int | None = None) -> bytes:
        """The member's bytes, read through ``iter_member``."""
        return b"".join(self.iter_member(member, max_size=max_size))
