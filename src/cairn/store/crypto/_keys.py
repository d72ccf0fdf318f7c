"""The key hierarchy: random data keys, wrapped by a key-encryption key (KEK) that comes from
the deployment or from a passphrase stretched with Argon2id (see ``cairn.store.crypto``)."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, Final

from argon2.low_level import Type as _Argon2Type
from argon2.low_level import hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cairn.store.crypto._common import (
    GCM_NONCE_SIZE,
    KEY_SIZE,
    TAG_SIZE,
    UnwrapError,
    check_key,
)

# --------------------------------------------------------------------------------------------
# Key hierarchy
# --------------------------------------------------------------------------------------------

WRAP_VERSION: Final = 1
"""Version byte of a wrapped key: 1 = AES-256-GCM, 12-byte random nonce."""

_WRAP_LABEL: Final = b"cairn/wrap-key/v1\x00"
_WRAPPED_SIZE: Final = 1 + GCM_NONCE_SIZE + KEY_SIZE + TAG_SIZE
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
    check_key(kek)
    check_key(data_key)
    nonce = os.urandom(GCM_NONCE_SIZE)
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
    check_key(kek)
    if len(wrapped) != _WRAPPED_SIZE:
        raise UnwrapError("wrapped key has the wrong length")
    if wrapped[0] != WRAP_VERSION:
        raise UnwrapError(f"unknown wrapped-key version {wrapped[0]}")
    version = bytes(wrapped[:1])
    nonce = bytes(wrapped[1 : 1 + GCM_NONCE_SIZE])
    try:
        return AESGCM(kek).decrypt(
            nonce, bytes(wrapped[1 + GCM_NONCE_SIZE :]), version + _WRAP_LABEL + context
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
