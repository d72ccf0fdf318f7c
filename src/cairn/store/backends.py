"""Where the encrypted evidence files lie: a folder on local disk, or S3-compatible object
storage (``s3backend.py``). ``BlobStore`` (blobs.py) encrypts and hashes; a backend only
keeps opaque ciphertext under a name, ``<namespace>/<first two hex digits>/<sha256>``.

Every backend offers the same operations, so the store, ``cairn verify`` and the backups
work alike on both:

- ``incoming(namespace)``: a place to write a new file whose name is known only at the end
  (its plaintext's SHA-256); ``commit(sha256)`` gives it that name atomically, ``discard``
  removes it. Until it is committed it is a *partial* file, named ``.incoming-*``.
- ``open``, ``exists``, ``delete``, ``size``: one stored file.
- ``objects``: every committed file (for backups and orphan checks).
- ``partials`` and ``remove_partial``: files an interrupted write left behind (a process
  killed while writing); ``cairn verify`` reports them and the workers remove old ones.
- ``put_raw``: store ciphertext as it is (restoring a backup), atomically.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

PARTIAL_PREFIX = ".incoming-"
HEX = frozenset("0123456789abcdef")


class StoreError(Exception):
    """Base class for evidence-store failures (re-exported by blobs.py)."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or refused the request (object storage down, wrong
    credentials, a bad CAIRN_STORAGE_URL). The message names the store, never a file's
    content."""


class MissingBlob(Exception):
    """A stored file is not there (a subclass of StoreError is raised by BlobStore)."""


def check_name(namespace: str, sha256: str) -> None:
    if len(sha256) != 64 or not HEX.issuperset(sha256):
        raise ValueError("not a SHA-256 hex digest")
    if not namespace or "/" in namespace or namespace.startswith("."):
        raise ValueError("not a namespace")


@dataclass(frozen=True)
class StoredObject:
    namespace: str
    sha256: str
    size: int  # bytes of ciphertext


@dataclass(frozen=True)
class Partial:
    name: str  # backend-specific: a path under the root, or an object key / upload id
    size: int
    modified: datetime


class Incoming(Protocol):
    def write(self, data: bytes | memoryview) -> int | None: ...

    def commit(self, sha256: str) -> bool:
        """Name the file; return False when that name already held one (the new copy is
        dropped)."""
        ...

    def discard(self) -> None: ...


class Backend(Protocol):
    def describe(self) -> str: ...

    def incoming(self, namespace: str) -> Incoming: ...

    def open(self, namespace: str, sha256: str) -> BinaryIO: ...

    def exists(self, namespace: str, sha256: str) -> bool: ...

    def size(self, namespace: str, sha256: str) -> int: ...

    def delete(self, namespace: str, sha256: str) -> None: ...

    def objects(self, namespace: str | None = None) -> Iterator[StoredObject]: ...

    def partials(self) -> Iterator[Partial]: ...

    def remove_partial(self, partial: Partial) -> None: ...

    def put_raw(self, namespace: str, sha256: str, stream: BinaryIO) -> None: ...

    def ready(self) -> None:
        """Raise OSError (or the backend's own error) if the store cannot be used now."""
        ...


# --- local disk ------------------------------------------------------------------------------


class _DiskIncoming:
    """Ciphertext written to a temporary file in the namespace's folder, renamed at commit.

    Flushed and fsynced before the rename, and the folder fsynced after, so a crash leaves
    the whole file under its name or none (only the ``.incoming-*`` file, which is reported
    and cleaned up)."""

    def __init__(self, backend: DiskBackend, namespace: str) -> None:
        self.backend = backend
        self.namespace = namespace
        folder = backend.root / namespace
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=PARTIAL_PREFIX, dir=folder)
        self.path = Path(name)
        self.handle = os.fdopen(fd, "wb")

    def write(self, data: bytes | memoryview) -> int | None:
        return self.handle.write(data)

    def commit(self, sha256: str) -> bool:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        final = self.backend.path_for(self.namespace, sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            self.path.unlink()  # an identical file is already stored once for this namespace
            return False
        os.replace(self.path, final)
        _fsync_dir(final.parent)
        return True

    def discard(self) -> None:
        if not self.handle.closed:
            self.handle.close()
        self.path.unlink(missing_ok=True)


class DiskBackend:
    """Files under ``root``: ``<root>/<namespace>/<sha[:2]>/<sha>``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return f"the folder {self.root}"

    def path_for(self, namespace: str, sha256: str) -> Path:
        check_name(namespace, sha256)
        return self.root / namespace / sha256[:2] / sha256

    def incoming(self, namespace: str) -> Incoming:
        check_name(namespace, "0" * 64)
        return _DiskIncoming(self, namespace)

    def open(self, namespace: str, sha256: str) -> BinaryIO:
        try:
            return self.path_for(namespace, sha256).open("rb")
        except FileNotFoundError:
            raise MissingBlob(sha256) from None

    def exists(self, namespace: str, sha256: str) -> bool:
        return self.path_for(namespace, sha256).exists()

    def size(self, namespace: str, sha256: str) -> int:
        try:
            return self.path_for(namespace, sha256).stat().st_size
        except FileNotFoundError:
            raise MissingBlob(sha256) from None

    def delete(self, namespace: str, sha256: str) -> None:
        self.path_for(namespace, sha256).unlink(missing_ok=True)

    def objects(self, namespace: str | None = None) -> Iterator[StoredObject]:
        if not self.root.is_dir():
            return
        folders = (
            [self.root / namespace]
            if namespace
            else sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))
        )
        for folder in folders:
            if not folder.is_dir():
                continue
            for sub in sorted(folder.iterdir()):
                if not sub.is_dir() or len(sub.name) != 2:
                    continue
                for path in sorted(sub.iterdir()):
                    if len(path.name) == 64 and HEX.issuperset(path.name) and path.is_file():
                        yield StoredObject(folder.name, path.name, path.stat().st_size)

    def partials(self) -> Iterator[Partial]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob(f"*/{PARTIAL_PREFIX}*")):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # committed or discarded meanwhile
            yield Partial(
                str(path.relative_to(self.root)),
                stat.st_size,
                datetime.fromtimestamp(stat.st_mtime, tz=UTC),
            )

    def remove_partial(self, partial: Partial) -> None:
        path = (self.root / partial.name).resolve()
        if path.parent.parent != self.root.resolve() or not path.name.startswith(PARTIAL_PREFIX):
            raise ValueError("not a partial file of this store")
        path.unlink(missing_ok=True)

    def put_raw(self, namespace: str, sha256: str, stream: BinaryIO) -> None:
        incoming = self.incoming(namespace)
        try:
            while chunk := stream.read(1024 * 1024):
                incoming.write(chunk)
            incoming.commit(sha256)
        except BaseException:
            incoming.discard()
            raise

    def ready(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(prefix=".ready-", dir=self.root)  # noqa: SIM115
        probe.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
