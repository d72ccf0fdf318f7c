"""Account secrets: purpose subkeys of the credential key, keyed digests and sealed secrets
(see ``cairn.store.crypto``)."""

from __future__ import annotations

import hashlib
import hmac
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
    check_key(key)
    if not purpose or not purpose.isascii():
        raise ValueError("a subkey's purpose is a non-empty ASCII name")
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_SIZE,
        salt=None,
        info=_SUBKEY_INFO + purpose.encode("ascii"),
    )
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
    check_key(subkey)
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
    check_key(subkey)
    nonce = os.urandom(GCM_NONCE_SIZE)
    version = bytes([SECRET_VERSION])
    sealed = AESGCM(bytes(subkey)).encrypt(nonce, bytes(secret), version + _SECRET_LABEL + context)
    return version + nonce + sealed


def decrypt_secret(subkey: bytes, ciphertext: bytes, *, context: bytes) -> bytes:
    """Decrypt a value made by ``encrypt_secret``.

    Raises:
        FieldDecryptionError: wrong key, wrong context, too short, unknown version, or
            modified.
        ValueError: ``subkey`` is not 32 bytes.
    """
    check_key(subkey)
    if len(ciphertext) < 1 + GCM_NONCE_SIZE + TAG_SIZE:
        raise FieldDecryptionError("sealed secret is too short")
    if ciphertext[0] != SECRET_VERSION:
        raise FieldDecryptionError(f"unknown sealed-secret version {ciphertext[0]}")
    version = bytes(ciphertext[:1])
    nonce = bytes(ciphertext[1 : 1 + GCM_NONCE_SIZE])
    try:
        return AESGCM(bytes(subkey)).decrypt(
            nonce, bytes(ciphertext[1 + GCM_NONCE_SIZE :]), version + _SECRET_LABEL + context
        )
    except InvalidTag:
        raise FieldDecryptionError("wrong key, wrong context, or corrupted") from None
