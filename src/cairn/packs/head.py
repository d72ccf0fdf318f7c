"""The signed tree head a pack is checked against, as plain data (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HeadInfo:
    """What the pack's PDF and VERIFY.txt quote about the head its proofs lead to."""

    vault_id: str
    size: int  # entries in the vault's ledger when the head was signed
    root: str  # hex
    timestamp: str  # RFC 3339, as signed
    key_fingerprint: str  # SHA-256 (hex) of the instance's raw Ed25519 public key
    token_sha256: str | None  # SHA-256 of the RFC 3161 token, when a TSA countersigned
    tsa_time: str | None = None  # the time the token attests, when there is one
    tsa_name: str | None = None
    included_entries: int = 0  # how many of the ``size`` entries the pack carries
