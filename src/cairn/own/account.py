"""Her own account's changes: a new password, and closing the account (docs/adr/0030).

Closing crypto-shreds every log she owns (``vault.services.destroy_vault``, ADR 0010) after
withdrawing every share of it (``cases.services.withdraw_share``: each a ledger entry), ends
every session, removes her passkeys, authenticator app, recovery codes and recovery address,
and leaves an account row with no name and no usable password: the audit trail still names
the account by its id, and nothing in it can be read or used.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cairn.accounts.access import membership_of
from cairn.accounts.models import (
    EndReason,
    KnownDevice,
    Passkey,
    RecoveryAddress,
    RecoveryCodes,
    ResetLink,
    SessionRecord,
)
from cairn.accounts.sessions import end_sessions
from cairn.audit import services as audit
from cairn.cases import services as case_services
from cairn.cases.access import shares_of_owner
from cairn.vault import services as vault_services
from cairn.vault.access import vaults_readable_by


def change_password(*, actor: Any, password: str, keep: SessionRecord | None) -> None:
    """Set her new password (the caller checked the old one) and end her other sessions
    (Django refuses them too, since the password's hash is part of each session)."""
    try:
        validate_password(password, user=actor)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from None
    with transaction.atomic():
        actor.set_password(password)
        actor.save(update_fields=["password"])
        audit.record(actor=actor, action="password.changed", object_type="user", object_id=actor.pk)
        end_sessions(actor=actor, user=actor, reason=EndReason.PASSWORD, keep=keep)


def may_close(user: Any) -> bool:
    """Victims close their own accounts; someone with an organisation role asks its
    administrator to end the role first."""
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and membership_of(user) is None
    )


@dataclass(frozen=True)
class Closing:
    """What closing the account will do, for the check-your-answers page."""

    logs: list[Any]
    live_shares: int
    sessions: int


def what_closing_does(user: Any) -> Closing:
    vaults = list(vaults_readable_by(user))
    shares = sum(shares_of_owner(user, v).filter(withdrawn_at__isnull=True).count() for v in vaults)
    sessions = SessionRecord.objects.filter(user=user, ended_at__isnull=True).count()
    return Closing(logs=vaults, live_shares=shares, sessions=sessions)


def close_account(*, actor: Any) -> int:
    """Destroy every log of hers, end every share and session, and close the account.
    Returns how many logs were destroyed."""
    if not may_close(actor):
        raise PermissionDenied("Only a victim closes her own account here")
    with transaction.atomic():
        vaults = list(vaults_readable_by(actor))
        shares = 0
        for vault in vaults:
            for share in shares_of_owner(actor, vault).filter(withdrawn_at__isnull=True):
                case_services.withdraw_share(actor=actor, share=share)
                shares += 1
            vault_services.destroy_vault(actor=actor, vault=vault)
        end_sessions(actor=actor, user=actor, reason=EndReason.CLOSED)
        SessionRecord.objects.filter(user=actor).update(browser="", platform="", place="")
        KnownDevice.objects.filter(user=actor).delete()
        for model in (Passkey, TOTPDevice, RecoveryCodes, RecoveryAddress):
            model.objects.filter(user=actor).delete()
        ResetLink.objects.filter(user=actor, used_at__isnull=True).update(expires_at=timezone.now())
        actor.username = f"closed-{uuid.uuid4().hex[:16]}"
        actor.display_name = actor.first_name = actor.last_name = actor.email = ""
        actor.set_unusable_password()
        actor.is_active = False
        actor.save()
        audit.record(
            actor=actor,
            action="account.closed",
            object_type="user",
            object_id=actor.pk,
            detail={"logs": len(vaults), "shares": shares},
        )
    return len(vaults)
