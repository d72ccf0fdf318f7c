"""Reset links issued by someone she shares a log with (docs/adr/0030). The rest of
recovery is ``cairn.accounts.recovery``; issuing a link reads the shares, so it sits above
``cairn.cases`` (ADR 0055)."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cairn.accounts.hashing import keyed_hash
from cairn.accounts.models import ResetLink
from cairn.accounts.recovery import RESET_LINK_LIFETIME
from cairn.audit import services as audit
from cairn.cases.access import vaults_shared_with
from cairn.vault.models import Vault


def issue_reset_link(*, actor: Any, vault: Vault) -> str:
    """A one-time link for the owner of ``vault``, a log shared with ``actor`` (an advocate,
    or an officer of the case's unit). Returns its secret, to be shown once."""
    if not vaults_shared_with(actor).filter(pk=vault.pk).exists():
        raise PermissionDenied("Only someone the log is shared with can do this")
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        link = ResetLink.objects.create(
            user=vault.owner,
            token_hash=keyed_hash("reset-link", token),
            created_by=actor,
            expires_at=timezone.now() + RESET_LINK_LIFETIME,
        )
        audit.record(
            actor=actor,
            action="account.reset_link_issued",
            object_type="user",
            object_id=vault.owner_id,
            vault_id=vault.pk,
            detail={"link": str(link.pk)},
        )
    return token
