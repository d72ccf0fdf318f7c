"""Content-addressed evidence files.

A file is stored once per vault under the SHA-256 of its bytes, which is also its identity
(DESIGN.md invariant 1). Writes are atomic: bytes go to a temporary file in the same folder,
are flushed and fsynced, then renamed into place, and the folder is fsynced; a crash leaves
either no file or the whole file, never a partial one under its final name.

Layout: ``<root>/<vault id>/<first two hex digits>/<sha256>``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


class StoreError(Exception):
    """Base class for evidence-store failures."""


class EmptyFile(StoreError):
    pass


class TooLarge(StoreError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The file is larger than the limit of {limit // (1024 * 1024)} MB")
        self.limit = limit


class MissingBlob(StoreError):
    pass


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    head: bytes  # the first bytes, for content sniffing without a second read
    created: bool  # False when an identical file was already stored for this namespace


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, namespace: str, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / namespace / sha256[:2] / sha256

    def put(self, namespace: str, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredBlob:
        """Store the bytes read from ``stream``; return their SHA-256 and size.

        Raises EmptyFile for zero bytes and TooLarge past ``max_bytes``; in both cases
        nothing is left on disk.
        """
        folder = self.root / namespace
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        head = b""
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooLarge(max_bytes)
                    if len(head) < 8192:
                        head += chunk[: 8192 - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise EmptyFile("The file is empty")
            sha = digest.hexdigest()
            final = self.path_for(namespace, sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            created = not final.exists()
            if created:
                os.replace(tmp_name, final)
                _fsync_dir(final.parent)
            else:
                os.unlink(tmp_name)  # identical file already stored once for this vault
            return StoredBlob(sha256=sha, size=size, head=head, created=created)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def open(self, namespace: str, sha256: str) -> BinaryIO:
        path = self.path_for(namespace, sha256)
        try:
            return path.open("rb")
        except FileNotFoundError:
            raise MissingBlob(f"evidence file {sha256} is missing from the store") from None

    def iter_bytes(self, namespace: str, sha256: str) -> Iterator[bytes]:
        with self.open(namespace, sha256) as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def exists(self, namespace: str, sha256: str) -> bool:
        return self.path_for(namespace, sha256).exists()

    def delete(self, namespace: str, sha256: str) -> None:
        """Remove one stored file (used only to undo a write whose transaction failed)."""
        path = self.path_for(namespace, sha256)
        if path.exists():
            path.unlink()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def default_store() -> BlobStore:
    from django.conf import settings

    return BlobStore(settings.CAIRN_EVIDENCE_DIR)
