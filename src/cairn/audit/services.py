"""The one way to write an audit record. Called by services, inside their transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from cairn.audit.models import AuditRecord
from cairn.store.rows import RowWriter

if TYPE_CHECKING:
    # The user model (AUTH_USER_MODEL) as django-stubs names it, a name only its stubs have:
    # audit is below accounts, so it does not import cairn.accounts.models.
    from django.contrib.auth.models import _User as User


class MissingActor(ValueError):
    """A change was attempted without saying who made it."""


def record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    vault_id: UUID | str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append an audit record. Refuses a change with no actor, and refuses to run outside a
    transaction, so the record commits or rolls back with the change it describes."""
    if actor is None or not getattr(actor, "pk", None):
        raise MissingActor(f"{action}: an audit record needs the acting user")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{action}: audit records are written inside the service's transaction")
    return AuditRecord.objects.create(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        vault_id=vault_id,
        detail=detail or {},
    )


def record_many(records: Sequence[tuple[User, str, str, object, object, dict[str, Any]]]) -> int:
    """Append many audit records at once, each (actor, action, object type, object id, vault
    id, detail), with ``record``'s checks and one prepared insert. Returns how many."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit records are written inside the service's transaction")
    rows = RowWriter(
        AuditRecord, ["at", "actor", "action", "object_type", "object_id", "vault_id", "detail"]
    )
    at = timezone.now()
    for actor, action, object_type, object_id, vault_id, detail in records:
        if actor is None or not getattr(actor, "pk", None):
            raise MissingActor(f"{action}: an audit record needs the acting user")
        rows.add((at, actor.pk, action, object_type, str(object_id), vault_id, detail))
    rows.flush()
    return len(records)
