"""Writing our BagIt 1.0 bags, streamed, into a folder or a zip, optionally sealed with a signed
list (see ``cairn.packs.bag``)."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

BAGIT_VERSION = "1.0"
ALGORITHMS = ("sha256", "sha512")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CHUNK = 1024 * 1024
SIGNED_LIST = "signed-sha256.txt"
SIGNATURE = "signed-sha256.txt.sig"
SEAL_FILES = frozenset({SIGNED_LIST, SIGNATURE})
MAX_TAG_FILE = 256 * 1024 * 1024  # a manifest of millions of files; anything larger is not one
# Only text-like files are deflated: photos, video, audio, PDFs and archives are compressed
# already, and deflating a gigabyte of them costs tens of seconds for nothing.
_DEFLATE_SUFFIXES = {
    ".json",
    ".txt",
    ".csv",
    ".tsv",
    ".xml",
    ".eml",
    ".mbox",
    ".html",
    ".htm",
    ".md",
    ".pem",
    ".svg",
    ".vcf",
    ".ics",
    ".log",
    ".rtf",
}


class BagError(ValueError):
    """Not a bag we can read at all (as opposed to a bag that fails its checks)."""


def encode_path(path: str) -> str:
    """A manifest's file path: RFC 8493 §2.1.3 percent-encodes CR, LF and %.

    Our own file names never hold these (``safe_file_name``): the ``bagit`` package decodes
    only CR and LF, so a name with ``%`` would fail its validator though the bag is right.
    """
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def decode_path(path: str) -> str:
    return (
        path.replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%25", "%")
    )


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
        """Each file was closed as it was written; a folder has nothing more to close."""


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
        self.sink: _Sink = (
            _ZipSink(target, zip_prefix or target.stem)
            if zip_prefix is not None
            else _FolderSink(target)
        )
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

    def finish(
        self, info: Iterable[tuple[str, str]], *, sign: Callable[[bytes], bytes] | None = None
    ) -> None:
        """Write bagit.txt, bag-info.txt (with Payload-Oxum), the manifests and tag manifests;
        with ``sign`` (bytes -> a 64-byte Ed25519 signature), also the signed list of every
        file written and its detached signature (``SIGNED_LIST``, ``SIGNATURE``)."""
        self.add_tag(
            "bagit.txt",
            (f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n").encode(),
        )
        octets = sum(w.size for w in self.payload)
        lines = [f"{label}: {_one_line(value)}" for label, value in info]
        lines.append(f"Payload-Oxum: {octets}.{len(self.payload)}")
        self.add_tag("bag-info.txt", ("\n".join(lines) + "\n").encode())
        tag_files = list(self.tags)
        for name in ALGORITHMS:
            self.add_tag(f"manifest-{name}.txt", _manifest(self.payload, name))
        manifests = self.tags[len(tag_files) :]
        tag_manifests = [
            self._write(f"tagmanifest-{name}.txt", (_manifest(tag_files + manifests, name),))
            for name in ALGORITHMS
        ]
        if sign is not None:
            listed = signed_list([*self.payload, *self.tags, *tag_manifests])
            self._write(SIGNED_LIST, (listed,))
            self._write(SIGNATURE, (sign(listed),))
        self.sink.close()
        self.closed = True

    def abort(self) -> None:
        if not self.closed:
            self.sink.close()
            self.closed = True


def signed_list(files: Iterable[Written]) -> bytes:
    """Every file with its SHA-256, one ``sha256sum`` line each, sorted by path."""
    lines = sorted(
        (w.path, f"{w.digests['sha256']}  {encode_path(w.path)}")
        for w in files
        if w.path not in SEAL_FILES
    )
    return ("\n".join(line for _, line in lines) + "\n").encode()


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
    cleaned = "".join(
        "_" if ch in '<>:"/\\|?*%' or ord(ch) < 32 or ch == "\x7f" else ch for ch in name
    ).strip(" .")
    if len(cleaned) > limit:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (
            (stem[: limit - len(suffix) - 1] + dot + suffix)
            if dot and len(suffix) < 12
            else cleaned[:limit]
        )
    return cleaned or "file"
