"""BagIt 1.0 (RFC 8493) bags: writing ours, and checking any bag's manifests (pure, no Django).

A bag is a folder (or a zip of one) holding ``bagit.txt``, ``bag-info.txt``, payload files
under ``data/``, and manifests that give every payload file's SHA-256 and SHA-512; the tag
manifests do the same for the tag files, so an edited manifest is caught too.

We write bags ourselves rather than with the ``bagit`` package, which declares version 0.97;
the tests check every bag we write with that package's validator. ``BagWriter`` streams each
file once: the digests are taken as the bytes go out, so a 1 GiB exhibit is never held in
memory. Output goes to a folder or straight into a zip; zip members get a fixed date, so two
bags of the same content are the same bytes apart from ``bag-info.txt``'s date.

``check_bag`` is the reader's side: it names each file that was changed, removed or added,
and each manifest that was edited, and is what ``cairn verify-pack`` runs first.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from cairn.ledger.checks import Failure as Problem  # one failed check: where, and what

__all__ = ["BagError", "BagWriter", "Problem", "check_bag", "file_digest", "safe_file_name",
           "walk_files"]

BAGIT_VERSION = "1.0"
ALGORITHMS = ("sha256", "sha512")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CHUNK = 1024 * 1024
# Only text-like files are deflated: photos, video, audio, PDFs and archives are compressed
# already, and deflating a gigabyte of them costs tens of seconds for nothing.
_DEFLATE_SUFFIXES = {".json", ".txt", ".csv", ".tsv", ".xml", ".eml", ".mbox", ".html", ".htm",
                     ".md", ".pem", ".svg", ".vcf", ".ics", ".log", ".rtf"}


class BagError(ValueError):
    """Not a bag we can read at all (as opposed to a bag that fails its checks)."""


def encode_path(path: str) -> str:
    """A manifest's file path: RFC 8493 §2.1.3 percent-encodes CR, LF and %.

    Our own file names never hold these (``safe_file_name``): the ``bagit`` package decodes
    only CR and LF, so a name with ``%`` would fail its validator though the bag is right.
    """
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def decode_path(path: str) -> str:
    return path.replace("%0D", "\r").replace("%0d", "\r").replace("%0A", "\n").replace(
        "%0a", "\n").replace("%25", "%")


class _Sink(Protocol):
    def open(self, path: str) -> _Out: ...
    def close(self) -> None: ...


class _Out(Protocol):
    def write(self, data: bytes) -> int: ...
    def close(self) -> None: ...


class _FolderSink:
    def __init__(self, root: Path) -> None:
        if root.exists() and any(root.iterdir()):
            raise BagError(f"{root} is not empty")
        root.mkdir(parents=True, exist_ok=True)
        self.root = root

    def open(self, path: str) -> _Out:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.open("xb")

    def close(self) -> None:
        pass


class _ZipSink:
    def __init__(self, file: Path, prefix: str) -> None:
        self.zip = zipfile.ZipFile(file, "x", allowZip64=True)
        self.prefix = prefix

    def open(self, path: str) -> _Out:
        info = zipfile.ZipInfo(f"{self.prefix}/{path}", date_time=ZIP_DATE)
        text = PurePosixPath(path).suffix.lower() in _DEFLATE_SUFFIXES
        info.compress_type = zipfile.ZIP_DEFLATED if text else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return self.zip.open(info, "w", force_zip64=True)

    def close(self) -> None:
        self.zip.close()


@dataclass(frozen=True)
class Written:
    path: str  # relative to the bag's root, "/"-separated
    size: int
    digests: dict[str, str]  # algorithm -> hex


class BagWriter:
    """Write a bag file by file, then ``finish`` with its info; a folder or a ``.zip``.

    Payload paths are relative to ``data/``. In a zip everything sits under one top folder
    (``prefix``), as a bag unpacked from it must be a folder.
    """

    def __init__(self, target: Path, *, zip_prefix: str | None = None) -> None:
        self.sink: _Sink = (_ZipSink(target, zip_prefix or target.stem)
                            if zip_prefix is not None else _FolderSink(target))
        self.payload: list[Written] = []
        self.tags: list[Written] = []
        self.closed = False

    def add(self, payload_path: str, chunks: Iterable[bytes]) -> Written:
        written = self._write(f"data/{_safe(payload_path)}", chunks)
        self.payload.append(written)
        return written

    def add_bytes(self, payload_path: str, data: bytes) -> Written:
        return self.add(payload_path, (data,))

    def add_tag(self, name: str, data: bytes) -> Written:
        written = self._write(_safe(name), (data,))
        self.tags.append(written)
        return written

    def _write(self, path: str, chunks: Iterable[bytes]) -> Written:
        hashers = {name: hashlib.new(name) for name in ALGORITHMS}
        size = 0
        out = self.sink.open(path)
        try:
            for chunk in chunks:
                out.write(chunk)
                size += len(chunk)
                for hasher in hashers.values():
                    hasher.update(chunk)
        finally:
            out.close()
        return Written(path, size, {name: h.hexdigest() for name, h in hashers.items()})

    def finish(self, info: Iterable[tuple[str, str]]) -> None:
        """Write bagit.txt, bag-info.txt (with Payload-Oxum), the manifests and tag manifests."""
        self.add_tag("bagit.txt", (f"BagIt-Version: {BAGIT_VERSION}\n"
                                   "Tag-File-Character-Encoding: UTF-8\n").encode())
        octets = sum(w.size for w in self.payload)
        lines = [f"{label}: {_one_line(value)}" for label, value in info]
        lines.append(f"Payload-Oxum: {octets}.{len(self.payload)}")
        self.add_tag("bag-info.txt", ("\n".join(lines) + "\n").encode())
        tag_files = list(self.tags)
        for name in ALGORITHMS:
            self.add_tag(f"manifest-{name}.txt", _manifest(self.payload, name))
        manifests = self.tags[len(tag_files):]
        for name in ALGORITHMS:
            self._write(f"tagmanifest-{name}.txt", (_manifest(tag_files + manifests, name),))
        self.sink.close()
        self.closed = True

    def abort(self) -> None:
        if not self.closed:
            self.sink.close()
            self.closed = True


def _manifest(files: list[Written], algorithm: str) -> bytes:
    lines = sorted(f"{w.digests[algorithm]}  {encode_path(w.path)}" for w in files)
    return ("\n".join(lines) + "\n").encode()


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _safe(path: str) -> str:
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise BagError(f"unsafe path in a bag: {path!r}")
    return path


def safe_file_name(name: str, *, limit: int = 120) -> str:
    """A file name that is safe on every common file system and in a zip."""
    cleaned = "".join("_" if ch in '<>:"/\\|?*%' or ord(ch) < 32 or ch == "\x7f" else ch
                      for ch in name).strip(" .")
    if len(cleaned) > limit:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (stem[: limit - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 12 \
            else cleaned[:limit]
    return cleaned or "file"


# --- reading and checking --------------------------------------------------------------------

def file_digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _read_manifest(root: Path, name: str, problems: list[Problem]) -> dict[str, str] | None:
    path = root / name
    if not path.is_file():
        return None
    entries: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        digest, _, file_path = line.strip().partition(" ")
        file_path = decode_path(file_path.lstrip(" *"))
        if not digest or not file_path:
            problems.append(Problem(f"{name}, line {number}", "is not `checksum path`"))
            continue
        entries[file_path] = digest.lower()
    return entries


def walk_files(root: Path) -> Iterator[str]:
    """Every regular file under ``root``, as a "/"-separated relative path, sorted."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            found.append(Path(folder, name).relative_to(root).as_posix())
    yield from sorted(found)


def check_bag(root: Path) -> list[Problem]:
    """Check a bag folder's declaration, manifests, tag manifests and Payload-Oxum."""
    problems: list[Problem] = []
    declaration = root / "bagit.txt"
    if not declaration.is_file():
        raise BagError("not a BagIt bag: bagit.txt is missing")
    text = declaration.read_text(encoding="utf-8", errors="replace")
    if "BagIt-Version:" not in text:
        problems.append(Problem("bagit.txt", "does not declare a BagIt-Version"))

    present = set(walk_files(root))
    payload_present = {p for p in present if p.startswith("data/")}
    manifests = {name: _read_manifest(root, f"manifest-{name}.txt", problems)
                 for name in ALGORITHMS}
    if not any(m is not None for m in manifests.values()):
        raise BagError("not a BagIt bag: it has no payload manifest")
    reported: set[str] = set()  # one problem per file, from the first manifest that sees it
    for name, listed in manifests.items():
        if listed is None:
            continue
        manifest_name = f"manifest-{name}.txt"
        for path in sorted(listed):
            if path in reported:
                continue
            if path not in present:
                problems.append(Problem(path, f"is listed in {manifest_name} but missing "
                                              "(removed)"))
                reported.add(path)
            elif file_digest(root / path, name) != listed[path]:
                problems.append(Problem(path, f"was changed: its {name.upper()} differs from "
                                              f"{manifest_name}"))
                reported.add(path)
        for path in sorted(payload_present - listed.keys() - reported):
            problems.append(Problem(path, f"is not listed in {manifest_name} (added)"))
            reported.add(path)

    for name in ALGORITHMS:
        tag_name = f"tagmanifest-{name}.txt"
        tags = _read_manifest(root, tag_name, problems)
        if tags is None:
            continue
        for path in sorted(tags):
            if path not in present:
                problems.append(Problem(path, f"is listed in {tag_name} but missing"))
            elif file_digest(root / path, name) != tags[path]:
                problems.append(Problem(path, f"was edited: its {name.upper()} differs from "
                                              f"{tag_name}"))
        tag_files = {p for p in present if not p.startswith("data/")
                     and not p.startswith("tagmanifest-")}
        for path in sorted(tag_files - tags.keys()):
            problems.append(Problem(path, f"is not listed in {tag_name} (added)"))

    info = (root / "bag-info.txt")
    if info.is_file():
        for line in info.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Payload-Oxum:"):
                expected = line.split(":", 1)[1].strip()
                octets = sum((root / p).stat().st_size for p in payload_present)
                actual = f"{octets}.{len(payload_present)}"
                if expected != actual:
                    problems.append(Problem("bag-info.txt", f"Payload-Oxum says {expected}, the "
                                                            f"payload is {actual}"))
    return _unique(problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    result = []
    for problem in problems:
        key = (problem.where, problem.what)
        if key not in seen:
            seen.add(key)
            result.append(problem)
    return result
