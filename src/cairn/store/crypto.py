"""Encryption at rest: streamed evidence files, the key hierarchy, and short text fields.

Everything here is pure Python over ``cryptography`` and ``argon2-cffi``: no Django, no
database, no files of its own. Callers hand in keys and streams and get bytes back.

Evidence files (``encrypt_stream`` / ``decrypt_stream`` / ``iter_decrypt``)
    Byte-compatible with Tink's "AES-GCM-HKDF Streaming" ciphertext format, with
    AES-256 (derived key size 32), HKDF-SHA256 and a configurable ciphertext segment size
    (default 1 MiB). A Tink ``AesGcmHkdfStreamingKey`` holding the same 32-byte key and the
    same parameters decrypts our files and we decrypt its files; ``docs/evidence-file-format.md``
    gives the byte layout. Encryption hashes the *plaintext* with SHA-256 in the same pass:
    that digest is the file's identity in the content-addressed store.

Key hierarchy (``generate_data_key``, ``wrap_key`` / ``unwrap_key``, ``kek_from_passphrase``)
    A key-encryption key (KEK) comes from the deployment, or from a passphrase stretched with
    Argon2id in local mode. Each vault has a random 32-byte data key that is stored only
    wrapped (AES-256-GCM) by the KEK, bound to the vault's id. Destroying the wrapped data key
    makes everything encrypted under it unrecoverable (crypto-shredding).

Free-text fields (``encrypt_field`` / ``decrypt_field``)
    AES-256-GCM under a subkey of the vault's data key, with a random nonce, bound by
    associated data to the row and column the value belongs to.

Account secrets (``derive_subkey``, ``keyed_digest``, ``encrypt_secret`` / ``decrypt_secret``)
    Purpose subkeys of the instance's credential key (HKDF-SHA256): an HMAC-SHA256 keyed hash
    for values looked up by equality (session keys, API tokens), and AES-256-GCM for short
    binary secrets that must be read back (an authenticator app's TOTP secret).

Exceptions (all defined in this module, in one place)::

    CryptoError                  base class: "this ciphertext or key blob is not acceptable"
    ├── DecryptionError          an encrypted stream failed to authenticate; ``.segment``
    │                            names the segment (0 for the header)
    ├── UnwrapError              a wrapped key failed to unwrap (wrong KEK, wrong context,
    │                            corrupted or unknown version)
    └── FieldDecryptionError     an encrypted field or secret failed to decrypt (wrong key,
                                 wrong context, corrupted, unknown version, or not UTF-8)

Programming errors (a key of the wrong length, an impossible segment size, a salt that is too
short) raise ``ValueError`` instead: they are bugs, not attacks or corruption, and must not be
caught and reported as "the file was tampered with".
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import struct
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any, BinaryIO, Final

from argon2.low_level import Type as _Argon2Type
from argon2.low_level import hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "HEADER_SIZE",
    "KEY_SIZE",
    "MIN_SEGMENT_SIZE",
    "TAG_SIZE",
    "CryptoError",
    "DecryptResult",
    "DecryptionError",
    "EncryptResult",
    "FieldDecryptionError",
    "KekParams",
    "UnwrapError",
    "ciphertext_size_for",
    "decrypt_field",
    "decrypt_secret",
    "decrypt_stream",
    "derive_subkey",
    "encrypt_field",
    "encrypt_secret",
    "encrypt_stream",
    "generate_data_key",
    "generate_salt",
    "iter_decrypt",
    "kek_from_passphrase",
    "keyed_digest",
    "unwrap_key",
    "wrap_key",
]


# --------------------------------------------------------------------------------------------
# Exceptions
# --------------------------------------------------------------------------------------------


class CryptoError(Exception):
    """Base class for every failure to accept a ciphertext or a wrapped key.

    The tree (see the module docstring) is::

        CryptoError
        ├── DecryptionError       streamed file: tampered, truncated, extended, reordered,
        │                         wrong key or wrong associated data
        ├── UnwrapError           wrapped data key: wrong KEK or context, corrupted
        └── FieldDecryptionError  encrypted text field: wrong key or context, corrupted

    None of these ever carries key material or plaintext in its message.
    """


class DecryptionError(CryptoError):
    """An encrypted stream did not authenticate.

    Raised for any modification of the ciphertext (a flipped bit, bytes removed or appended,
    truncation, including exactly at a segment boundary, segments dropped, duplicated or
    reordered), and equally for the wrong key or the wrong associated data: AES-GCM cannot tell
    these apart, and neither do we.

    Attributes:
        segment: index of the ciphertext segment that failed (0-based). Failures in the header
            are reported as segment 0, since the header belongs to the first segment.
        reason: a short, non-secret description ("authentication failed", "truncated", ...).

    Everything written or yielded *before* this exception belongs to segments that did
    authenticate, but the stream as a whole must be treated as invalid and discarded.
    """

    def __init__(self, segment: int, reason: str) -> None:
        self.segment = segment
        self.reason = reason
        super().__init__(f"encrypted stream rejected at segment {segment}: {reason}")


class UnwrapError(CryptoError):
    """A wrapped data key could not be unwrapped.

    Causes: the wrong key-encryption key (for a passphrase-derived KEK, the wrong passphrase),
    the wrong context (the key was wrapped for another vault), a corrupted blob, or a version
    byte this code does not know.
    """


class FieldDecryptionError(CryptoError):
    """An encrypted text field could not be decrypted.

    Causes: the wrong data key, the wrong context (the ciphertext was copied from another row
    or column), a corrupted value, an unknown version byte, or a plaintext that is not UTF-8.
    """


# --------------------------------------------------------------------------------------------
# Streaming AEAD (Tink AES-GCM-HKDF Streaming, AES-256, HKDF-SHA256)
# --------------------------------------------------------------------------------------------

KEY_SIZE: Final = 32
"""Size in bytes of every key in this module (AES-256, and Tink's derived key size)."""

TAG_SIZE: Final = 16
"""Size in bytes of an AES-GCM authentication tag (one per segment)."""

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
    _check_key(key)
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
    _check_key(key)
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
    _check_key(key)
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


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_SIZE:
        raise ValueError(f"key must be {KEY_SIZE} bytes")


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


# --------------------------------------------------------------------------------------------
# Key hierarchy
# --------------------------------------------------------------------------------------------

WRAP_VERSION: Final = 1
"""Version byte of a wrapped key: 1 = AES-256-GCM, 12-byte random nonce."""

_WRAP_LABEL: Final = b"cairn/wrap-key/v1\x00"
_GCM_NONCE_SIZE: Final = 12
_WRAPPED_SIZE: Final = 1 + _GCM_NONCE_SIZE + KEY_SIZE + TAG_SIZE
MIN_SALT_SIZE: Final = 16
"""Smallest Argon2 salt accepted by ``kek_from_passphrase`` (``generate_salt`` gives 16)."""


def generate_data_key() -> bytes:
    """Return a new random 32-byte data key (one per vault) from the OS CSPRNG.

    Returns:
        32 bytes from ``os.urandom``. Store it only wrapped (``wrap_key``).
    """
    return os.urandom(KEY_SIZE)


def generate_salt() -> bytes:
    """Return a new random 16-byte salt for ``kek_from_passphrase``.

    The salt is not secret: store it with the ``KekParams`` next to the wrapped keys.
    """
    return os.urandom(MIN_SALT_SIZE)


def wrap_key(kek: bytes, data_key: bytes, *, context: bytes) -> bytes:
    """Encrypt a data key under the key-encryption key, bound to a context.

    What: AES-256-GCM with a random 12-byte nonce. Layout (61 bytes)::

        version (1 byte, 0x01) || nonce (12) || encrypted data key (32) || tag (16)

    The associated data is ``version || "cairn/wrap-key/v1" || 0x00 || context``, so the
    blob cannot be replayed for another vault, nor read as some other kind of ciphertext.

    Why: each vault's data key is stored only in this form. Changing the KEK means unwrapping
    and re-wrapping the (small) data keys, not re-encrypting the evidence.

    Args:
        kek: 32-byte key-encryption key (from the deployment, or ``kek_from_passphrase``).
        data_key: the 32-byte data key to protect.
        context: what the key belongs to, for instance the vault's id as bytes. The same
            bytes are needed to unwrap.

    Returns:
        The 61-byte wrapped key.

    Raises:
        ValueError: ``kek`` or ``data_key`` is not 32 bytes.
    """
    _check_key(kek)
    _check_key(data_key)
    nonce = os.urandom(_GCM_NONCE_SIZE)
    version = bytes([WRAP_VERSION])
    sealed = AESGCM(kek).encrypt(nonce, bytes(data_key), version + _WRAP_LABEL + context)
    return version + nonce + sealed


def unwrap_key(kek: bytes, wrapped: bytes, *, context: bytes) -> bytes:
    """Recover a data key wrapped by ``wrap_key``.

    Args:
        kek: the 32-byte key-encryption key used to wrap.
        wrapped: the blob ``wrap_key`` returned.
        context: the same context bytes given to ``wrap_key``.

    Returns:
        The 32-byte data key.

    Raises:
        UnwrapError: wrong KEK (or passphrase), wrong context, wrong length, unknown version,
            or any modification of the blob.
        ValueError: ``kek`` is not 32 bytes.
    """
    _check_key(kek)
    if len(wrapped) != _WRAPPED_SIZE:
        raise UnwrapError("wrapped key has the wrong length")
    if wrapped[0] != WRAP_VERSION:
        raise UnwrapError(f"unknown wrapped-key version {wrapped[0]}")
    version = bytes(wrapped[:1])
    nonce = bytes(wrapped[1 : 1 + _GCM_NONCE_SIZE])
    try:
        return AESGCM(kek).decrypt(
            nonce, bytes(wrapped[1 + _GCM_NONCE_SIZE :]), version + _WRAP_LABEL + context
        )
    except InvalidTag:
        raise UnwrapError("wrong key-encryption key, wrong context, or corrupted") from None


@dataclass(frozen=True)
class KekParams:
    """Argon2id cost parameters for ``kek_from_passphrase``.

    The defaults follow RFC 9106's second recommended option ("if much less memory is
    available": Argon2id, t=3 passes, m=64 MiB) but with p=2 lanes instead of 4, as this
    deployment targets small two-core machines; about 0.3 s per derivation on the development
    machine. They are stored, with the salt, next to the wrapped keys (``as_dict`` /
    ``from_dict``), so they can be raised later: derive with the stored parameters, then re-wrap
    under a KEK derived with new ones.

    Attributes:
        time_cost: number of passes over memory (>= 1).
        memory_cost_kib: memory in KiB (>= 8 * parallelism); 65536 = 64 MiB.
        parallelism: number of lanes (>= 1).
        version: Argon2 version number; 19 (0x13) is Argon2 1.3, the only current one.

    Raises:
        ValueError: on construction, if Argon2 would reject the values (see ``check``).
    """

    time_cost: int = 3
    memory_cost_kib: int = 64 * 1024
    parallelism: int = 2
    version: int = 19

    def __post_init__(self) -> None:
        self.check()

    def as_dict(self) -> dict[str, int | str]:
        """Return a JSON-ready description, including the algorithm name, for storage."""
        return {"algorithm": "argon2id", **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KekParams:
        """Rebuild parameters stored by ``as_dict``.

        Raises:
            ValueError: the stored algorithm is not Argon2id, or a value is missing or invalid.
        """
        if data.get("algorithm", "argon2id") != "argon2id":
            raise ValueError("unsupported KEK derivation algorithm")
        try:
            params = cls(
                time_cost=int(data["time_cost"]),
                memory_cost_kib=int(data["memory_cost_kib"]),
                parallelism=int(data["parallelism"]),
                version=int(data.get("version", 19)),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError("incomplete KEK parameters") from exc
        params.check()
        return params

    def check(self) -> None:
        """Raise ``ValueError`` if Argon2 would reject these parameters."""
        if self.time_cost < 1 or self.parallelism < 1:
            raise ValueError("time_cost and parallelism must be >= 1")
        if self.memory_cost_kib < 8 * self.parallelism:
            raise ValueError("memory_cost_kib must be >= 8 * parallelism")
        if self.version != 19:
            raise ValueError("only Argon2 version 19 (1.3) is supported")


def kek_from_passphrase(passphrase: str, salt: bytes, *, params: KekParams) -> bytes:
    """Stretch a passphrase into a 32-byte key-encryption key with Argon2id.

    What: ``argon2.low_level.hash_secret_raw`` (Argon2id, 32-byte output) over the UTF-8 of
    the passphrase after Unicode NFC normalisation, so the same passphrase typed on different
    keyboards or systems gives the same key.

    Why: in local mode there is no deployment secret; the KEK must come from something the
    person remembers, and Argon2id makes guessing it expensive. Deterministic: the same
    passphrase, salt and parameters always give the same key.

    Args:
        passphrase: the secret, as typed.
        salt: at least 16 random bytes (``generate_salt``), stored in clear with the params.
        params: the Argon2id costs (``KekParams()`` for the defaults).

    Returns:
        The 32-byte KEK, for ``wrap_key`` / ``unwrap_key``. A wrong passphrase is only noticed
        when ``unwrap_key`` raises ``UnwrapError``.

    Raises:
        ValueError: the salt is shorter than 16 bytes, the passphrase is empty, or the
            parameters are invalid.
    """
    if len(salt) < MIN_SALT_SIZE:
        raise ValueError(f"salt must be at least {MIN_SALT_SIZE} bytes")
    if not passphrase:
        raise ValueError("passphrase must not be empty")
    params.check()
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return hash_secret_raw(
        secret=secret,
        salt=bytes(salt),
        time_cost=params.time_cost,
        memory_cost=params.memory_cost_kib,
        parallelism=params.parallelism,
        hash_len=KEY_SIZE,
        type=_Argon2Type.ID,
        version=params.version,
    )


# --------------------------------------------------------------------------------------------
# Short text fields
# --------------------------------------------------------------------------------------------

FIELD_VERSION: Final = 1
"""Version byte of an encrypted field: 1 = AES-256-GCM under the field subkey, 12-byte nonce."""

_FIELD_KEY_INFO: Final = b"cairn/field-key/v1"
_FIELD_LABEL: Final = b"cairn/field/v1\x00"


def _field_key(data_key: bytes) -> bytes:
    """Subkey for fields: HKDF-SHA256(ikm=data_key, no salt, info="cairn/field-key/v1").

    Keeps the data key's two uses apart: streams derive per-file keys from it with a random
    salt, fields use this fixed subkey.
    """
    _check_key(data_key)
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=_FIELD_KEY_INFO)
    return hkdf.derive(bytes(data_key))


@functools.lru_cache(maxsize=64)
def _field_cipher(data_key: bytes) -> AESGCM:
    """The AES-GCM cipher for a data key's field subkey, derived once per key and process.

    A vault holds thousands of fields; deriving the subkey with HKDF for each one cost more
    than decrypting it. ``forget_field_keys`` drops the cache (when a vault key is destroyed,
    nothing in the process may still be able to read its fields).
    """
    return AESGCM(_field_key(data_key))


def forget_field_keys() -> None:
    """Drop every cached field cipher (see ``_field_cipher``)."""
    _field_cipher.cache_clear()


def encrypt_field(data_key: bytes, plaintext: str, *, context: bytes) -> bytes:
    """Encrypt a short free-text value (a description, a note, a name).

    What: AES-256-GCM under a subkey of the vault's data key, random 12-byte nonce. Layout::

        version (1 byte, 0x01) || nonce (12) || ciphertext (len of UTF-8 plaintext) || tag (16)

    The associated data is ``version || "cairn/field/v1" || 0x00 || context``.

    Why: free text in a vault is as sensitive as the evidence. The context should name the
    row and the column (for instance ``b"item:<uuid>:description"``) so that a ciphertext
    copied into another row or column fails to decrypt instead of showing the wrong text.
    The length of the plaintext is not hidden.

    Args:
        data_key: the vault's 32-byte data key.
        plaintext: the text; stored as UTF-8.
        context: the binding (row and column); the same bytes are needed to decrypt.

    Returns:
        ``29 + len(plaintext.encode())`` bytes.

    Raises:
        ValueError: ``data_key`` is not 32 bytes.
    """
    nonce = os.urandom(_GCM_NONCE_SIZE)
    version = bytes([FIELD_VERSION])
    sealed = _field_cipher(bytes(data_key)).encrypt(
        nonce, plaintext.encode("utf-8"), version + _FIELD_LABEL + context
    )
    return version + nonce + sealed


def decrypt_field(data_key: bytes, ciphertext: bytes, *, context: bytes) -> str:
    """Decrypt a value made by ``encrypt_field``.

    Args:
        data_key: the vault's 32-byte data key.
        ciphertext: the bytes ``encrypt_field`` returned.
        context: the same context given to ``encrypt_field``.

    Returns:
        The original text.

    Raises:
        FieldDecryptionError: wrong key, wrong context (moved to another row or column), too
            short, unknown version, modified, or not valid UTF-8.
        ValueError: ``data_key`` is not 32 bytes.
    """
    cipher = _field_cipher(bytes(data_key))
    if len(ciphertext) < 1 + _GCM_NONCE_SIZE + TAG_SIZE:
        raise FieldDecryptionError("encrypted field is too short")
    if ciphertext[0] != FIELD_VERSION:
        raise FieldDecryptionError(f"unknown encrypted-field version {ciphertext[0]}")
    version = bytes(ciphertext[:1])
    nonce = bytes(ciphertext[1 : 1 + _GCM_NONCE_SIZE])
    try:
        raw = cipher.decrypt(
            nonce, bytes(ciphertext[1 + _GCM_NONCE_SIZE :]), version + _FIELD_LABEL + context
        )
    except InvalidTag:
        raise FieldDecryptionError("wrong key, wrong context, or corrupted") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FieldDecryptionError("decrypted field is not UTF-8") from None


# --------------------------------------------------------------------------------------------
# Account secrets: subkeys of the credential key
# --------------------------------------------------------------------------------------------

SECRET_VERSION: Final = 1
"""Version byte of a sealed secret: 1 = AES-256-GCM, 12-byte nonce."""

_SUBKEY_INFO: Final = b"cairn/subkey/v1/"
_SECRET_LABEL: Final = b"cairn/secret/v1\x00"


def derive_subkey(key: bytes, purpose: str) -> bytes:
    """A 32-byte subkey of ``key`` for one purpose: HKDF-SHA256(ikm=key, no salt,
    info="cairn/subkey/v1/" + purpose).

    Why: one stored key (the instance's credential key) serves several uses; deriving a
    subkey per use means no two uses ever share key material, so a value made for one (a
    session's keyed hash) can never be replayed as another (an API token's).

    Args:
        key: a 32-byte key.
        purpose: a short ASCII name, e.g. ``"session-key"``.

    Returns:
        32 bytes.

    Raises:
        ValueError: ``key`` is not 32 bytes, or ``purpose`` is empty or not ASCII.
    """
    _check_key(key)
    if not purpose or not purpose.isascii():
        raise ValueError("a subkey's purpose is a non-empty ASCII name")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None,
                info=_SUBKEY_INFO + purpose.encode("ascii"))
    return hkdf.derive(bytes(key))


def keyed_digest(subkey: bytes, value: str, *, length: int = 64) -> str:
    """HMAC-SHA256 of ``value`` (UTF-8) under ``subkey``, in lower-case hex, cut to ``length``
    characters (at least 32, i.e. 128 bits).

    Why: a database keeps this in place of a secret it only ever compares (a session key, an
    API token). Without the subkey nobody can compute the digest of a guess, and the digest
    presented as the secret itself matches nothing.

    Raises:
        ValueError: ``subkey`` is not 32 bytes, or ``length`` is outside 32..64.
    """
    _check_key(subkey)
    if not 32 <= length <= 64:
        raise ValueError("a keyed digest keeps 32 to 64 hex characters")
    digest = hmac.new(bytes(subkey), value.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return digest.hexdigest()[:length]


def encrypt_secret(subkey: bytes, secret: bytes, *, context: bytes) -> bytes:
    """Encrypt a short binary secret (a TOTP key) that must be read back.

    What: AES-256-GCM under ``subkey`` with a random 12-byte nonce. Layout::

        version (1 byte, 0x01) || nonce (12) || ciphertext (len of secret) || tag (16)

    The associated data is ``version || "cairn/secret/v1" || 0x00 || context``.

    Args:
        subkey: a 32-byte purpose subkey (``derive_subkey``).
        secret: the bytes to protect.
        context: what the secret belongs to (e.g. the account's id); needed to decrypt.

    Returns:
        ``29 + len(secret)`` bytes.

    Raises:
        ValueError: ``subkey`` is not 32 bytes.
    """
    _check_key(subkey)
    nonce = os.urandom(_GCM_NONCE_SIZE)
    version = bytes([SECRET_VERSION])
    sealed = AESGCM(bytes(subkey)).encrypt(nonce, bytes(secret),
                                           version + _SECRET_LABEL + context)
    return version + nonce + sealed


def decrypt_secret(subkey: bytes, ciphertext: bytes, *, context: bytes) -> bytes:
    """Decrypt a value made by ``encrypt_secret``.

    Raises:
        FieldDecryptionError: wrong key, wrong context, too short, unknown version, or
            modified.
        ValueError: ``subkey`` is not 32 bytes.
    """
    _check_key(subkey)
    if len(ciphertext) < 1 + _GCM_NONCE_SIZE + TAG_SIZE:
        raise FieldDecryptionError("sealed secret is too short")
    if ciphertext[0] != SECRET_VERSION:
        raise FieldDecryptionError(f"unknown sealed-secret version {ciphertext[0]}")
    version = bytes(ciphertext[:1])
    nonce = bytes(ciphertext[1 : 1 + _GCM_NONCE_SIZE])
    try:
        return AESGCM(bytes(subkey)).decrypt(
            nonce, bytes(ciphertext[1 + _GCM_NONCE_SIZE :]), version + _SECRET_LABEL + context)
    except InvalidTag:
        raise FieldDecryptionError("wrong key, wrong context, or corrupted") from None
