"""Streamed evidence files: Tink's AES-GCM-HKDF Streaming format with AES-256 and HKDF-SHA256.

See ``cairn.store.crypto`` and ``docs/evidence-file-format.md`` for the format."""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from cairn.store.crypto._common import (
    KEY_SIZE,
    TAG_SIZE,
    DecryptionError,
    check_key,
)

# --------------------------------------------------------------------------------------------
# Streaming AEAD (Tink AES-GCM-HKDF Streaming, AES-256, HKDF-SHA256)
# --------------------------------------------------------------------------------------------

NONCE_PREFIX_SIZE: Final = 7
"""Size in bytes of the random per-file nonce prefix stored in the header."""

HEADER_SIZE: Final = 1 + KEY_SIZE + NONCE_PREFIX_SIZE
"""Header: 1 length byte (its value is 40), a 32-byte HKDF salt, a 7-byte nonce prefix."""

MIN_SEGMENT_SIZE: Final = HEADER_SIZE + TAG_SIZE + 1
"""Smallest ciphertext segment size Tink accepts (it must exceed header + tag, i.e. 56)."""

MAX_SEGMENT_SIZE: Final = 2**31 - 1
"""Largest ciphertext segment size Tink accepts."""

DEFAULT_SEGMENT_SIZE: Final = 1024 * 1024
"""Default ciphertext segment size (1 MiB), the same as Tink's ``AES256_GCM_HKDF_1MB``."""

_MAX_SEGMENTS: Final = 2**32
"""Segment numbers are 4 bytes in the nonce, so a stream has at most 2**32 segments."""

_PARALLEL_MIN: Final = 64 * 1024
"""Segments at least this large are encrypted/decrypted on a helper thread (see below)."""


@dataclass(frozen=True, slots=True)
class EncryptResult:
    """What ``encrypt_stream`` learned while encrypting.

    Attributes:
        sha256_of_plaintext: lowercase hex SHA-256 of the plaintext; the file's identity.
        plaintext_size: number of plaintext bytes read from the source.
        ciphertext_size: number of bytes written to the destination (header included).
    """

    sha256_of_plaintext: str
    plaintext_size: int
    ciphertext_size: int


@dataclass(frozen=True, slots=True)
class DecryptResult:
    """What ``decrypt_stream`` learned while decrypting.

    Attributes:
        sha256: lowercase hex SHA-256 of the plaintext written; compare it with the identity
            the file is stored under to detect a file swapped for another one of the same vault.
        size: number of plaintext bytes written.
    """

    sha256: str
    size: int


def ciphertext_size_for(plaintext_size: int, *, segment_size: int = DEFAULT_SEGMENT_SIZE) -> int:
    """Return the exact ciphertext size ``encrypt_stream`` produces for a plaintext size.

    Why: lets callers check a stored file's length, or pre-allocate, without decrypting.

    Args:
        plaintext_size: number of plaintext bytes (>= 0).
        segment_size: the ciphertext segment size the file is (to be) written with.

    Returns:
        ``HEADER_SIZE`` plus the plaintext size plus 16 bytes of tag per segment.

    Raises:
        ValueError: a negative size or an invalid segment size.
    """
    _check_segment_size(segment_size)
    if plaintext_size < 0:
        raise ValueError("plaintext_size must be >= 0")
    first = segment_size - HEADER_SIZE - TAG_SIZE
    rest = segment_size - TAG_SIZE
    segments = 1
    if plaintext_size > first:
        segments += -(-(plaintext_size - first) // rest)
    return HEADER_SIZE + plaintext_size + TAG_SIZE * segments


def encrypt_stream(
    key: bytes,
    src: BinaryIO,
    dst: BinaryIO,
    associated_data: bytes,
    *,
    segment_size: int = DEFAULT_SEGMENT_SIZE,
) -> EncryptResult:
    """Encrypt everything ``src`` yields into ``dst`` and hash the plaintext on the way.

    What: writes a Tink AES-GCM-HKDF Streaming ciphertext (AES-256, HKDF-SHA256, the given
    ciphertext segment size). A fresh random 32-byte salt and 7-byte nonce prefix are drawn
    for every call, so encrypting the same file twice gives different ciphertexts; the segment
    key is HKDF-SHA256(ikm=key, salt=salt, info=associated_data).

    Why this shape: the SHA-256 of the plaintext is the evidence file's identity, and the
    files can be large videos, so encryption and hashing happen in a single pass over the data
    in constant memory: one plaintext segment buffer and one ciphertext segment buffer
    (about 2 x ``segment_size``), filled with ``readinto`` and never copied in Python. For
    segments of 64 KiB or more, AES-GCM runs on one helper thread while this thread hashes the
    same (read-only) buffer: ``hashlib`` releases the GIL for large updates, so the two
    overlap. The helper thread lives only for the duration of the call.

    Args:
        key: the 32-byte data key (the vault key), used as HKDF input keying material.
        src: binary stream to read the plaintext from, until EOF. ``readinto`` is used when the
            stream has it, ``read`` otherwise; short reads are handled.
        dst: binary stream to write the ciphertext to. It is written segment by segment and is
            neither flushed, fsynced nor closed here (atomic placement is the store's job). As
            the ``io`` contract allows, the buffer passed to ``dst.write`` is reused afterwards.
        associated_data: authenticated, not encrypted, not stored (for instance the vault id).
            The same bytes must be given to decrypt.
        segment_size: ciphertext segment size in bytes (57 .. 2**31-1); the reader must use
            the same value. The first segment carries ``segment_size - 56`` plaintext bytes,
            the following ones ``segment_size - 16``.

    Returns:
        ``EncryptResult`` with the plaintext's SHA-256 (hex), plaintext and ciphertext sizes.

    Raises:
        ValueError: the key is not 32 bytes, the segment size is out of range, or the plaintext
            needs more than 2**32 segments.
        OSError: (and anything else) raised by ``src`` or ``dst`` is propagated unchanged; ``dst``
            then holds a partial ciphertext, which will fail to decrypt.
    """
    check_key(key)
    _check_segment_size(segment_size)
    salt = os.urandom(KEY_SIZE)
    nonce_prefix = os.urandom(NONCE_PREFIX_SIZE)
    aead = AESGCM(_derive_segment_key(key, salt, associated_data))
    hasher = hashlib.sha256()

    header = bytes([HEADER_SIZE]) + salt + nonce_prefix
    _write_all(dst, memoryview(header))
    ciphertext_size = HEADER_SIZE
    plaintext_size = 0

    out = memoryview(bytearray(segment_size))
    first = segment_size - HEADER_SIZE - TAG_SIZE
    with _Helper() as helper:
        for index, last, plaintext in _segments(src, first, segment_size - TAG_SIZE):
            ciphertext = out[: len(plaintext) + TAG_SIZE]
            nonce = _nonce(nonce_prefix, index, last)
            if len(plaintext) >= _PARALLEL_MIN:
                job = helper.submit(aead.encrypt_into, nonce, plaintext, None, ciphertext)
                hasher.update(plaintext)
                job.result()
            else:
                hasher.update(plaintext)
                aead.encrypt_into(nonce, plaintext, None, ciphertext)
            _write_all(dst, ciphertext)
            plaintext_size += len(plaintext)
            ciphertext_size += len(ciphertext)
    return EncryptResult(hasher.hexdigest(), plaintext_size, ciphertext_size)


def decrypt_stream(
    key: bytes,
    src: BinaryIO,
    dst: BinaryIO,
    associated_data: bytes,
    *,
    segment_size: int = DEFAULT_SEGMENT_SIZE,
) -> DecryptResult:
    """Decrypt a stream written by ``encrypt_stream`` (or by Tink) into ``dst``.

    What: reads the header, derives the segment key, then authenticates and decrypts each
    segment before writing its plaintext; the end of the stream must coincide with a segment
    that was sealed as the last one, so truncation and appended bytes are detected.

    Why: the counterpart of ``encrypt_stream`` for writing plaintext to a file or a response,
    in constant memory (one ciphertext and two plaintext segment buffers) and hashing the
    plaintext on the way. Segment i+1 is decrypted on a helper thread while segment i is
    hashed and written here.

    Args:
        key: the 32-byte data key the file was encrypted with.
        src: binary stream positioned at the start of the ciphertext; read to EOF.
        dst: binary stream receiving the plaintext (not flushed or closed here).
        associated_data: exactly the bytes given at encryption.
        segment_size: the ciphertext segment size the file was written with.

    Returns:
        ``DecryptResult`` with the plaintext's SHA-256 (hex) and size.

    Raises:
        DecryptionError: tampering of any kind, truncation, appended data, wrong key or wrong
            associated data; ``.segment`` names the failing segment. ``dst`` may already hold
            the plaintext of the segments before it, which did authenticate: discard it.
        ValueError: the key is not 32 bytes or the segment size is out of range.
    """
    check_key(key)
    _check_segment_size(segment_size)
    aead, nonce_prefix = _read_header(key, src, associated_data)
    hasher = hashlib.sha256()
    size = 0
    buffers = (
        memoryview(bytearray(segment_size - TAG_SIZE)),
        memoryview(bytearray(segment_size - TAG_SIZE)),
    )
    pending: memoryview | None = None  # plaintext of the previous segment, not yet written

    def flush(plaintext: memoryview) -> None:
        nonlocal size
        hasher.update(plaintext)
        _write_all(dst, plaintext)
        size += len(plaintext)

    with _Helper() as helper:
        for index, last, ciphertext in _ciphertext_segments(src, segment_size):
            plaintext = buffers[index & 1][: len(ciphertext) - TAG_SIZE]
            nonce = _nonce(nonce_prefix, index, last)
            if len(ciphertext) >= _PARALLEL_MIN:
                job = helper.submit(_open_into, aead, index, nonce, ciphertext, plaintext)
                if pending is not None:
                    flush(pending)
                job.result()
            else:
                if pending is not None:
                    flush(pending)
                _open_into(aead, index, nonce, ciphertext, plaintext)
            pending = plaintext
    if pending is not None:
        flush(pending)
    return DecryptResult(hasher.hexdigest(), size)


def iter_decrypt(
    key: bytes,
    src: BinaryIO,
    associated_data: bytes,
    *,
    segment_size: int = DEFAULT_SEGMENT_SIZE,
) -> Iterator[bytes]:
    """Yield the plaintext of a stream written by ``encrypt_stream``, one segment at a time.

    What: a generator form of ``decrypt_stream``. Each yielded ``bytes`` object is the
    plaintext of one segment that has been authenticated; it is a fresh object the caller may
    keep. An empty plaintext yields nothing.

    Why: for streaming a decrypted file into an HTTP response or a bundle without holding it
    in memory (at most one ciphertext segment plus the chunk being yielded).

    Args:
        key: the 32-byte data key the file was encrypted with.
        src: binary stream positioned at the start of the ciphertext; read lazily, as the
            generator is advanced, until EOF.
        associated_data: exactly the bytes given at encryption.
        segment_size: the ciphertext segment size the file was written with.

    Yields:
        Plaintext chunks of at most ``segment_size - 16`` bytes.

    Raises:
        DecryptionError: when the generator reaches a segment that does not authenticate, or
            finds the stream truncated or extended. Chunks already yielded were authentic, but
            the consumer must treat the whole stream as invalid (for an HTTP response: abort
            it rather than end it cleanly).
        ValueError: the key is not 32 bytes or the segment size is out of range (raised at
            the first ``next()``, as for any generator).
    """
    check_key(key)
    _check_segment_size(segment_size)
    aead, nonce_prefix = _read_header(key, src, associated_data)
    for index, last, ciphertext in _ciphertext_segments(src, segment_size):
        try:
            plaintext = aead.decrypt(_nonce(nonce_prefix, index, last), ciphertext, None)
        except InvalidTag:
            raise DecryptionError(index, "authentication failed") from None
        if plaintext:
            yield plaintext


# --- stream internals -----------------------------------------------------------------------


class _Helper:
    """A lazily started single worker thread, shut down when the ``with`` block ends.

    AES-GCM in ``cryptography`` holds the GIL while ``hashlib`` (for large buffers) and file
    I/O release it, so running AES on this worker lets it overlap with the hashing and I/O the
    calling thread does meanwhile. Small inputs never start the thread.
    """

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Any:
        """Run ``fn(*args)`` on the worker; returns a ``Future``."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cairn-crypto")
        return self._pool.submit(fn, *args)

    def __enter__(self) -> _Helper:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def _check_segment_size(segment_size: int) -> None:
    if not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
        raise ValueError(
            f"segment_size must be between {MIN_SEGMENT_SIZE} and {MAX_SEGMENT_SIZE} bytes"
        )


def _derive_segment_key(key: bytes, salt: bytes, associated_data: bytes) -> bytes:
    """HKDF-SHA256(ikm=key, salt=salt, info=associated_data), 32 bytes (Tink's derivation)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=salt, info=associated_data)
    return hkdf.derive(key)


def _nonce(nonce_prefix: bytes, index: int, last: bool) -> bytes:
    """12-byte GCM nonce: prefix (7) || segment number (4, big-endian) || last flag (1)."""
    if index >= _MAX_SEGMENTS:
        raise ValueError("stream too long: more than 2**32 segments")
    return nonce_prefix + struct.pack(">IB", index, 1 if last else 0)


def _read_header(key: bytes, src: BinaryIO, associated_data: bytes) -> tuple[AESGCM, bytes]:
    """Read and check the header; return the segment cipher and the nonce prefix."""
    header = memoryview(bytearray(HEADER_SIZE))
    if _fill(src, header) != HEADER_SIZE:
        raise DecryptionError(0, "truncated header")
    if header[0] != HEADER_SIZE:
        raise DecryptionError(0, "bad header length byte")
    salt = bytes(header[1 : 1 + KEY_SIZE])
    nonce_prefix = bytes(header[1 + KEY_SIZE :])
    return AESGCM(_derive_segment_key(key, salt, associated_data)), nonce_prefix


def _open_into(
    aead: AESGCM, index: int, nonce: bytes, ciphertext: memoryview, out: memoryview
) -> None:
    """Authenticate and decrypt one segment into ``out``; ``DecryptionError`` on failure."""
    try:
        aead.decrypt_into(nonce, ciphertext, None, out)
    except InvalidTag:
        raise DecryptionError(index, "authentication failed") from None


def _ciphertext_segments(
    src: BinaryIO, segment_size: int
) -> Iterator[tuple[int, bool, memoryview]]:
    """Split the ciphertext after the header into segments, checking their lengths.

    A final segment shorter than a tag cannot be genuine. A final segment of exactly one tag
    (empty plaintext) after full segments is not produced by us or by Tink, but it is accepted
    if it authenticates: GCM with the "last" flag vouches for it.
    """
    first = segment_size - HEADER_SIZE
    for index, last, ciphertext in _segments(src, first, segment_size):
        if len(ciphertext) < TAG_SIZE:
            raise DecryptionError(index, "truncated segment")
        yield index, last, ciphertext


def _segments(src: BinaryIO, first: int, size: int) -> Iterator[tuple[int, bool, memoryview]]:
    """Yield ``(index, is_last, view)`` for consecutive chunks of ``src``.

    The first chunk holds ``first`` bytes, the following ones ``size`` bytes, the last one
    possibly fewer. A chunk is known to be the last when it is short, or when a one-byte
    look-ahead read after it finds EOF; that byte becomes the first byte of the next chunk.
    So exactly one buffer of ``max(first, size)`` bytes is used. The yielded view points into
    that buffer and is overwritten when the generator resumes: consume it before ``next()``.
    An empty stream yields one empty, last chunk.
    """
    buffer = memoryview(bytearray(max(first, size)))
    peek = memoryview(bytearray(1))
    want = first
    carried = 0  # bytes already in the buffer (the look-ahead byte)
    index = 0
    while True:
        filled = carried + _fill(src, buffer[carried:want])
        last = filled < want or _fill(src, peek) == 0
        yield index, last, buffer[:filled]
        if last:
            return
        buffer[0] = peek[0]
        carried = 1
        want = size
        index += 1


def _fill(src: BinaryIO, view: memoryview) -> int:
    """Fill ``view`` from ``src`` until it is full or EOF; return the number of bytes read."""
    total = 0
    end = len(view)
    readinto = getattr(src, "readinto", None)
    while total < end:
        if readinto is not None:
            got = readinto(view[total:])
            if got is None:
                raise BlockingIOError("non-blocking source returned no data")
            count = int(got)
        else:
            chunk = src.read(end - total)
            count = len(chunk)
            view[total : total + count] = chunk
        if count == 0:
            break
        total += count
    return total


def _write_all(dst: BinaryIO, view: memoryview) -> None:
    """Write all of ``view``; cope with raw streams that write only part of it."""
    while len(view):
        written = dst.write(view)
        # ``None`` is what many file-like sinks return; they consume everything.
        if written is None or written >= len(view):
            return
        view = view[written:]
