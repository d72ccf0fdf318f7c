"""What every part of ``cairn.store.crypto`` shares: its exceptions, in one place (the tree is in
the package docstring), the key and tag sizes, and the key-length check."""

from __future__ import annotations

from typing import Final

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


KEY_SIZE: Final = 32
"""Size in bytes of every key in ``cairn.store.crypto`` (AES-256, and Tink's derived key size)."""

TAG_SIZE: Final = 16
"""Size in bytes of an AES-GCM authentication tag (one per segment)."""

GCM_NONCE_SIZE: Final = 12
"""Size in bytes of the random nonce of a wrapped key, a field or a secret (AES-GCM's 96 bits)."""


def check_key(key: bytes) -> None:
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_SIZE:
        raise ValueError(f"key must be {KEY_SIZE} bytes")
