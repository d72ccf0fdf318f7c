"""Who may read statement drafts: whoever may read the vault (today its owner only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cairn.packs.models import StatementDraft
from cairn.vault import access as vault_access
from cairn.vault.models import Vault


def statement_drafts_readable_by(user: Any, vault: Vault | None = None) -> QuerySet[StatementDraft]:
    qs = StatementDraft.objects.filter(vault__in=vault_access.vaults_readable_by(user))
    return qs.filter(vault=vault) if vault is not None else qs


def latest_statement_draft(user: Any, vault: Vault) -> StatementDraft | None:
    """The vault's current draft (its latest row), or None when none was saved."""
    return statement_drafts_readable_by(user, vault).order_by("-created_at", "-id").first()


def latest_statement(user: Any, vault: Vault) -> str | None:
    """The text of the vault's current draft, or None when none was saved."""
    row = latest_statement_draft(user, vault)
    return row.text if row is not None else None
