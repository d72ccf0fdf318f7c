"""Short text fields: AES-256-GCM under a subkey of the vault's data key, bound to their row
and column (see ``cairn.store.crypto``)."""

from __future__ import annotations

import functools
import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from cairn.store.crypto._common import (
    GCM_NONCE_SIZE,
    KEY_SIZE,
    TAG_SIZE,
    FieldDecryptionError,
    check_key,
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
    check_key(data_key)
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
    nonce = os.urandom(GCM_NONCE_SIZE)
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
    if len(ciphertext) < 1 + GCM_NONCE_SIZE + TAG_SIZE:
        raise FieldDecryptionError("encrypted field is too short")
    if ciphertext[0] != FIELD_VERSION:
        raise FieldDecryptionError(f"unknown encrypted-field version {ciphertext[0]}")
    version = bytes(ciphertext[:1])
    nonce = bytes(ciphertext[1 : 1 + GCM_NONCE_SIZE])
    try:
        raw = cipher.decrypt(
            nonce, bytes(ciphertext[1 + GCM_NONCE_SIZE :]), version + _FIELD_LABEL + context
        )
    except InvalidTag:
        raise FieldDecryptionError("wrong key, wrong context, or corrupted") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FieldDecryptionError("decrypted field is not UTF-8") from None
