"""Keyed hashes of the secrets a victim's account uses (codes, links, session keys, device
cookies, addresses).

What: ``keyed_hash(purpose, value)`` is HMAC-SHA-256 under the instance's ``SECRET_KEY`` of
``cairn-<purpose>:`` and the value, in hex. Why: the database keeps only these, so a copy of
it (or of a backup) gives nobody a working code, link or session; and, being keyed, a short
code cannot be found by hashing every possible code without the secret key, which is not in
the database. Lookups are equality on the hash, so no secret is compared character by
character. Failures: none; changing ``SECRET_KEY`` makes every stored hash unmatchable
(outstanding codes and links stop working, sessions end, devices count as new).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

# Codes read aloud or typed from paper: no 0/O or 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def keyed_hash(purpose: str, value: str) -> str:
    message = f"cairn-{purpose}:{value}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def normalised_code(code: str) -> str:
    """A typed code as stored: letters and digits only, in capitals."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def recovery_code_hash(code: str) -> str:
    return keyed_hash("recovery-code", normalised_code(code))
