"""What every vault service shares: recording a change (its audit record and its ledger
entry, in the caller's transaction), recording many at once, and the owner check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model

from cairn.accounts.models import User
from cairn.audit import services as audit
from cairn.ledger import log as ledger
from cairn.vault.models import (
    Vault,
)


def record_change(
    *,
    actor: User,
    vault: Vault,
    action: str,
    obj: Model,
    content: Mapping[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Record one change: its audit record and its ledger entry, in the caller's transaction.

    The single place where both are written: every vault service, and other apps' services
    (imports, analysis answers, sharing), record their changes through it, so every write of
    every kind lands in the audit trail and the ledger.

    ``content`` is the canonical content of the object after the change; the ledger entry
    holds its SHA-256, never the content. ``detail`` is what the audit record may hold (never
    vault content); ``extra`` adds structural fields to the ledger entry (a revision number).
    """
    object_type = type(obj).__name__.lower()
    audit.record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=obj.pk,
        vault_id=vault.pk,
        detail=detail,
    )
    ledger.append(
        vault=vault,
        actor=actor,
        kind=action,
        object_type=object_type,
        object_id=obj.pk,
        content=content,
        extra=extra,
    )


class Changes:
    """Changes recorded in order and written together: the same audit records and ledger
    entries as ``record_change`` once for each, in one insert per 500 rows and one ledger
    update (for services that change many objects at once: accepting an import). Call
    ``write`` inside the transaction that made the changes."""

    def __init__(self, *, actor: User, vault: Vault) -> None:
        self.actor = actor
        self.vault = vault
        self._audits: list[tuple[Any, str, str, object, object, dict[str, Any]]] = []
        self._entries: list[ledger.Change] = []

    def add(
        self,
        *,
        action: str,
        obj: Model,
        content: Mapping[str, Any] | None = None,
        detail: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        object_type = type(obj).__name__.lower()
        self._audits.append((self.actor, action, object_type, obj.pk, self.vault.pk, detail or {}))
        self._entries.append(
            ledger.Change(
                actor_id=str(self.actor.pk),
                kind=action,
                object_type=object_type,
                object_id=obj.pk,
                content=content,
                extra=extra,
            )
        )

    def write(self) -> None:
        audit.record_many(self._audits)
        ledger.append_many(vault=self.vault, changes=self._entries)
        self._audits, self._entries = [], []


def require_owner(actor: User, vault: Vault) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or vault.owner_id != actor.pk:
        raise PermissionDenied("Only the vault's owner can change it")


def lock_vault(vault: Vault) -> Vault:
    """Re-read the vault under a row lock so per-vault counters never hand out a number twice."""
    return Vault.objects.select_for_update().get(pk=vault.pk)
