"""The only write path for statement drafts: the victim saves her corrected draft.

Each save is a new row (the latest is the current draft; earlier ones are its history), in one
transaction with its audit record and ledger entry (``cairn.vault.services.record_change``),
like every other change to a vault. The audit record holds the length, never the words.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cairn.accounts.models import User
from cairn.packs.models import StatementDraft
from cairn.vault.models import Vault
from cairn.vault.services import record_change, require_owner

MAX_CHARACTERS = 200_000


def statement_content(row: StatementDraft) -> dict[str, Any]:
    """The canonical content the ledger entry hashes (never stored in the ledger itself)."""
    return {"id": str(row.pk), "vault": str(row.vault_id), "text": row.text}


def save_statement_draft(*, actor: User, vault: Vault, text: str) -> StatementDraft:
    """Save ``text`` as the vault's current statement draft. Only the owner may; an empty or
    overlong text raises ValidationError (keyed ``text``) and changes nothing."""
    require_owner(actor, vault)
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ValidationError({"text": ["Write your statement, or start again from your log"]})
    if len(text) > MAX_CHARACTERS:
        raise ValidationError(
            {"text": [f"Your statement must be {MAX_CHARACTERS:,} characters or fewer"]}
        )
    with transaction.atomic():
        row = StatementDraft(vault=vault, created_by=actor)
        row.text = text
        row.save()
        record_change(
            actor=actor,
            vault=vault,
            action="statement.saved",
            obj=row,
            content=statement_content(row),
            detail={"characters": len(row.text)},
        )
    return row
