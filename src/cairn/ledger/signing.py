"""The instance's Ed25519 signing key, which signs every vault's tree heads.

What: one Ed25519 (RFC 8032) key pair per Cairn instance, created on first use and kept as a
PKCS#8 PEM file in the data directory's ``keys/`` folder (mode 0600), outside the database,
so a copy of the database alone cannot forge a tree head.

Why a file and not the database: a tree head is only evidence if whoever can rewrite the
database cannot also re-sign it. Operators should keep the key on separate storage or
inject it with ``CAIRN_SIGNING_KEY_FILE``.

Outputs: ``sign(message) -> signature``; ``fingerprint()`` is the SHA-256 of the raw 32-byte
public key in hex (what ``cairn key show`` prints and every tree head names as ``key``).

Failures: a key file that exists but cannot be parsed raises ``SigningKeyError``; it is
never silently replaced, because replacing it would orphan every earlier signature.

The key itself (loading, signing, checking signatures) is in ``cairn.ledger.ed25519``, which
needs no Django; this module only finds the instance's key file from the settings.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings

from cairn.ledger.ed25519 import (
    InstanceKey,
    SigningKeyError,
    fingerprint_of,
    load_or_create,
    verify_signature,
)

__all__ = [
    "InstanceKey",
    "SigningKeyError",
    "fingerprint_of",
    "instance_key",
    "key_path",
    "load_or_create",
    "verify_signature",
]


def key_path() -> Path:
    return Path(settings.CAIRN_SIGNING_KEY_FILE)


@lru_cache(maxsize=4)
def _cached(path: str, mtime_ns: int) -> InstanceKey:
    return load_or_create(Path(path))


def instance_key() -> InstanceKey:
    path = key_path()
    if not path.exists():
        load_or_create(path)
    return _cached(str(path), path.stat().st_mtime_ns)
