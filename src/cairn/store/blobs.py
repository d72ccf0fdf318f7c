"""Content-addressed, encrypted evidence files.

A file is stored once per vault under the SHA-256 of its plaintext, which is also its
identity (DESIGN.md invariant 1). On disk it is encrypted with the vault's data key in the
Tink-compatible streaming format of ``cairn.store.crypto`` (docs/evidence-file-format.md),
with ``cairn/evidence/v1:<vault id>`` as associated data, in one pass that also hashes the
plaintext, in constant memory.

Writes are atomic: ciphertext goes to a partial file (``.incoming-*``) that is named only
once it is whole (on disk: flushed, fsynced, renamed, the folder fsynced; in object storage:
a multipart upload completed, then copied to its name). A crash leaves either no file or
the whole file under its final name, never a partial one; partial files an interrupted
write leaves behind are reported by ``cairn verify`` and removed by the workers
(``cairn.store.housekeeping``). Reads authenticate every segment and then check the
plaintext's SHA-256 against the name, so a file swapped for another of the same vault is
caught too.

Layout (on disk and as object keys): ``<vault id>/<first two hex digits>/<sha256>``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cairn.store import backends, crypto

CHUNK = 1024 * 1024
HEAD_BYTES = 8192
KeyLookup = Callable[[str], bytes]


StoreError = backends.StoreError  # the base class of evidence-store failures
StoreUnavailable = backends.StoreUnavailable


class Readable(Protocol):
    """What ``put`` reads a file from: an open file, an upload, or anything else with ``read``
    (``readinto`` is used when it is there)."""

    def read(self, n: int = -1, /) -> bytes: ...


class EmptyFile(StoreError):
    pass


class TooLarge(StoreError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The file is larger than the limit of {limit // (1024 * 1024)} MB")
        self.limit = limit


class MissingBlob(StoreError):
    pass


class CorruptBlob(StoreError):
    """A stored file does not decrypt, or decrypts to bytes with another SHA-256."""


def associated_data(namespace: str) -> bytes:
    return f"cairn/evidence/v1:{namespace}".encode()


class _Metered:
    """A reader that keeps the first bytes (for sniffing) and enforces a size limit."""

    def __init__(self, stream: Readable, max_bytes: int | None) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.size = 0
        self.head = b""

    def read(self, n: int = -1) -> bytes:
        chunk = self.stream.read(n)
        self._seen(chunk)
        return chunk

    def readinto(self, buffer: bytearray | memoryview) -> int:
        view = memoryview(buffer).cast("B")
        reader = getattr(self.stream, "readinto", None)
        if reader is None:
            chunk = self.stream.read(len(view))
            view[: len(chunk)] = chunk
            count = len(chunk)
        else:
            count = reader(view) or 0
        self._seen(view[:count])
        return count

    def _seen(self, chunk: bytes | memoryview) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += bytes(chunk[: HEAD_BYTES - len(self.head)])
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise TooLarge(self.max_bytes)


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    head: bytes  # the first bytes, for content sniffing without a second read
    created: bool  # False when an identical file was already stored for this namespace


class BlobStore:
    """Encrypted, content-addressed files over a backend (``backends.py``): local disk, or
    S3-compatible object storage. The bytes a backend holds are the same either way."""

    def __init__(
        self, root: Path | None, key_for: KeyLookup, *, backend: backends.Backend | None = None
    ) -> None:
        if backend is None:
            if root is None:
                raise ValueError("give a root folder or a backend")
            backend = backends.DiskBackend(root)
        self.backend = backend
        self.key_for = key_for

    @property
    def root(self) -> Path:
        if not isinstance(self.backend, backends.DiskBackend):
            raise AttributeError("this store is not a folder on disk")
        return self.backend.root

    def path_for(self, namespace: str, sha256: str) -> Path:
        """Where a file lies on disk (disk stores only: tests and tools that look at files)."""
        if not isinstance(self.backend, backends.DiskBackend):
            raise AttributeError("this store is not a folder on disk")
        return self.backend.path_for(namespace, sha256)

    def put(self, namespace: str, stream: Readable, *, max_bytes: int | None = None) -> StoredBlob:
        """Encrypt and store the bytes read from ``stream``; return their SHA-256 and size.

        Raises EmptyFile for zero bytes and TooLarge past ``max_bytes``; in both cases
        nothing is left in the store.
        """
        key = self.key_for(namespace)
        metered = _Metered(stream, max_bytes)
        incoming = self.backend.incoming(namespace)
        try:
            result = crypto.encrypt_stream(
                key,
                metered,
                incoming,  # type: ignore[arg-type]
                associated_data(namespace),
            )
            if result.plaintext_size == 0:
                raise EmptyFile("The file is empty")
            sha = result.sha256_of_plaintext
            created = incoming.commit(sha)
            return StoredBlob(
                sha256=sha, size=result.plaintext_size, head=metered.head, created=created
            )
        except BaseException:
            incoming.discard()
            raise

    def iter_bytes(self, namespace: str, sha256: str) -> Iterator[bytes]:
        """Yield the decrypted bytes. Raises CorruptBlob (after the last chunk at the latest)
        if the file was altered; callers that must not pass on bad bytes use ``check``
        first or read everything before acting on it."""
        backends.check_name(namespace, sha256)
        try:
            handle = self.backend.open(namespace, sha256)
        except backends.MissingBlob:
            raise MissingBlob(f"evidence file {sha256} is missing from the store") from None
        digest = hashlib.sha256()
        with handle:
            try:
                for chunk in crypto.iter_decrypt(
                    self.key_for(namespace), handle, associated_data(namespace)
                ):
                    digest.update(chunk)
                    yield chunk
            except crypto.DecryptionError as exc:
                raise CorruptBlob(f"evidence file {sha256} does not decrypt: {exc}") from None
        if digest.hexdigest() != sha256:
            raise CorruptBlob(
                f"evidence file {sha256} decrypts to bytes with SHA-256 {digest.hexdigest()}"
            )

    def read(self, namespace: str, sha256: str) -> bytes:
        return b"".join(self.iter_bytes(namespace, sha256))

    def check(self, namespace: str, sha256: str) -> int:
        """Decrypt the whole file, check its SHA-256, and return its size; raise otherwise."""
        size = 0
        for chunk in self.iter_bytes(namespace, sha256):
            size += len(chunk)
        return size

    def exists(self, namespace: str, sha256: str) -> bool:
        backends.check_name(namespace, sha256)
        return self.backend.exists(namespace, sha256)

    def delete(self, namespace: str, sha256: str) -> None:
        """Remove one stored file (used only to undo a write whose transaction failed, and
        to drop a staged upload once its job has ended)."""
        backends.check_name(namespace, sha256)
        self.backend.delete(namespace, sha256)


_object_stores: dict[tuple[str, str], backends.Backend] = {}


def default_backend() -> backends.Backend:
    """The configured backend: the evidence folder, or the object store that
    ``CAIRN_STORAGE_URL`` names (one boto3 client per process, shared by its threads)."""
    from django.conf import settings

    url = getattr(settings, "CAIRN_STORAGE_URL", "")
    if not url:
        return backends.DiskBackend(settings.CAIRN_EVIDENCE_DIR)
    access = getattr(settings, "CAIRN_STORAGE_ACCESS_KEY", "")
    cached = _object_stores.get((url, access))
    if cached is None:
        from cairn.store.s3backend import S3Backend

        cached = S3Backend.from_url(
            url, access_key=access, secret_key=getattr(settings, "CAIRN_STORAGE_SECRET_KEY", "")
        )
        _object_stores[(url, access)] = cached
    return cached


def default_store() -> BlobStore:
    from cairn.store import keys

    return BlobStore(None, key_for=keys.data_key, backend=default_backend())
