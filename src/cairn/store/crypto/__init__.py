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

from cairn.store.crypto._common import (
    KEY_SIZE,
    TAG_SIZE,
    CryptoError,
    DecryptionError,
    FieldDecryptionError,
    UnwrapError,
)
from cairn.store.crypto._fields import (
    FIELD_VERSION,
    decrypt_field,
    encrypt_field,
    forget_field_keys,
)
from cairn.store.crypto._keys import (
    MIN_SALT_SIZE,
    WRAP_VERSION,
    KekParams,
    generate_data_key,
    generate_salt,
    kek_from_passphrase,
    unwrap_key,
    wrap_key,
)
from cairn.store.crypto._secrets import (
    SECRET_VERSION,
    decrypt_secret,
    derive_subkey,
    encrypt_secret,
    keyed_digest,
)
from cairn.store.crypto._stream import (
    DEFAULT_SEGMENT_SIZE,
    HEADER_SIZE,
    MAX_SEGMENT_SIZE,
    MIN_SEGMENT_SIZE,
    NONCE_PREFIX_SIZE,
    DecryptResult,
    EncryptResult,
    ciphertext_size_for,
    decrypt_stream,
    encrypt_stream,
    iter_decrypt,
)

__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "FIELD_VERSION",
    "HEADER_SIZE",
    "KEY_SIZE",
    "MAX_SEGMENT_SIZE",
    "MIN_SALT_SIZE",
    "MIN_SEGMENT_SIZE",
    "NONCE_PREFIX_SIZE",
    "SECRET_VERSION",
    "TAG_SIZE",
    "WRAP_VERSION",
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
    "forget_field_keys",
    "generate_data_key",
    "generate_salt",
    "iter_decrypt",
    "kek_from_passphrase",
    "keyed_digest",
    "unwrap_key",
    "wrap_key",
]
