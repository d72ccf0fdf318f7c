"""Reads of ledger records for a vault the caller already obtained through an access
function of ``cairn.vault.access`` (so the vault itself is already scoped to the user)."""

from __future__ import annotations

from typing import Any

from cairn.ledger.models import Verification


def last_verification(vault: Any) -> Verification | None:
    return Verification.objects.filter(vault=vault).order_by("-at").first()
