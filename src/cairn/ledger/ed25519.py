"""Ed25519 signing keys and signatures, with no Django: what a pack verifier needs.

What: an Ed25519 (RFC 8032) key pair kept as a PKCS#8 PEM file (mode 0600); ``fingerprint_of``
is the SHA-256 of the raw 32-byte public key in hex (what ``cairn key show`` prints and every
tree head names as ``key``); ``verify_signature`` checks a signature against a raw public key.

Why a separate module: ``cairn verify-pack`` checks a pack's tree head with nothing but the
pack, so this module must import without Django (an import-linter contract holds it to that).
``cairn.ledger.signing`` finds the instance's key file from the settings.

Failures: a key file that exists but cannot be parsed raises ``SigningKeyError``; it is never
silently replaced, because replacing it would orphan every earlier signature.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class SigningKeyError(RuntimeError):
    """The instance's signing key file cannot be read, written or used."""


@dataclass(frozen=True)
class InstanceKey:
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    def public_raw(self) -> bytes:
        return self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def public_pem(self) -> bytes:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def fingerprint(self) -> str:
        return fingerprint_of(self.public_raw())

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


def fingerprint_of(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()


def verify_signature(public_raw: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``message`` by ``public_raw``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def load_or_create(path: Path) -> InstanceKey:
    """Read the key at ``path``, creating it (atomically, mode 0600) if there is none."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            # Fails if another process created the key meanwhile: that key is then the one read.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"the signing key in {path} cannot be read: {exc}") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningKeyError(f"the signing key in {path} is not an Ed25519 key")
    return InstanceKey(private)
