"""Creating and destroying a vault (destroying it shreds its data key)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cairn.accounts.models import User
from cairn.ledger import log as ledger
from cairn.store import keys
from cairn.store.sealed import forget_quotes
from cairn.vault.models import (
    Vault,
)
from cairn.vault.services.common import lock_vault, record_change, require_owner
from cairn.web import timeframe


def create_vault(
    *,
    actor: User,
    name: str,
    initials: str,
    time_zone: str = "Europe/London",
    owner: User | None = None,
) -> Vault:
    owner = owner or actor
    if owner.pk != actor.pk and not actor.is_superuser:
        raise PermissionDenied("A vault can only be created for yourself")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    initials = (initials or "").strip().upper()
    if not name:
        errors["name"] = ["Enter a name for the vault"]
    if not (1 <= len(initials) <= 4 and initials.isalpha()):
        errors["initials"] = ["Initials must be 1 to 4 letters, for example AB"]
    try:
        timeframe.zone(time_zone)
    except timeframe.TimeframeError as exc:
        errors["time_zone"] = [exc.message]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        vault = Vault.objects.create(owner=owner, name=name, initials=initials, time_zone=time_zone)
        keys.create_vault_key(vault)
        ledger.start(vault)
        record_change(
            actor=actor,
            vault=vault,
            action="vault.created",
            obj=vault,
            content={
                "id": str(vault.pk),
                "initials": initials,
                "time_zone": time_zone,
                "jurisdiction": vault.jurisdiction,
            },
        )
    return vault


def destroy_vault(*, actor: User, vault: Vault) -> None:
    """Crypto-shred a vault: record the destruction in its ledger, then destroy its data key.

    Every file and sealed field of the vault stays on disk and in backups as ciphertext that
    nobody can decrypt any more. The rows that carry no content (numbers, dates, act codes,
    digests) and the ledger remain, so the record of what existed, and that it was destroyed,
    stays verifiable. What a case quotes from the vault (an SPO application's grounds) was
    sealed under a key derived from the vault's too: it is re-sealed without the quotation
    first, and older copies of it become unreadable with the key (ADR 0044).
    """
    require_owner(actor, vault)
    with transaction.atomic():
        locked = lock_vault(vault)
        record_change(
            actor=actor, vault=locked, action="vault.destroyed", obj=locked, content=None, detail={}
        )
        forget_quotes(locked.pk)
        keys.destroy(locked)
