"""The bytes a tree head's signature covers (pure: the offline pack verifier needs them too)."""

from __future__ import annotations

from typing import Any

from cairn.ledger.canonical import canonical_json

HEAD_VERSION = 1

__all__ = ["HEAD_VERSION", "head_bytes"]


def head_bytes(
    *,
    vault_id: str,
    size: int,
    root: bytes,
    timestamp: str,
    key: str,
    token_sha256: str | None = None,
) -> bytes:
    """The exact bytes a tree head's signature covers.

    Without ``token`` these are also the bytes the time-stamping authority stamps. With one,
    the SHA-256 of the stored token is added, so that the instance's signature binds the
    token to the head: RFC 3161 tokens have a few header bytes their own signature does not
    cover, and any change to the stored bytes must still be detected.
    """
    body: dict[str, Any] = {
        "v": HEAD_VERSION,
        "vault": vault_id,
        "size": size,
        "root": root.hex(),
        "timestamp": timestamp,
        "key": key,
    }
    if token_sha256 is not None:
        body["token_sha256"] = token_sha256
    return canonical_json(body)
