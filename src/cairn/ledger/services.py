"""The ledger's write path for people: sealing the log with a signed tree head.

Appending entries is done by the other apps' services, inside their own transactions
(``cairn.ledger.log.append``); signing a head on someone's request is done here, so that
who asked for it is in the audit trail (issue 20: no page signs on GET).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from cairn.audit import services as audit
from cairn.ledger import log
from cairn.ledger.models import TreeHead

if TYPE_CHECKING:
    # The user model as django-stubs names it (ledger is below accounts; see audit.services).
    from django.contrib.auth.models import _User as User


def seal(*, actor: User, vault: Any) -> TreeHead:  # a cairn.vault Vault, above the ledger
    """A signed tree head for the vault's log as it is now: a new one, audited, when the log
    grew since the last; otherwise the last (nothing is written)."""
    with transaction.atomic():
        head, signed = log.signed_head(vault)
        if signed:
            audit.record(
                actor=actor,
                action="ledger.head_signed",
                object_type="treehead",
                object_id=head.pk,
                vault_id=vault.pk,
                detail={"size": head.size},
            )
    return head
