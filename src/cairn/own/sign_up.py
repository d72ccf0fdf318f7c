"""Her account and her first log, made together (docs/adr/0030).

The rules of joining (the sign-up modes, invitation codes) are ``cairn.accounts.sign_up``;
this module makes the account with the log, so it sits above ``cairn.vault`` (ADR 0055).
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.accounts import sign_up
from cairn.accounts.hashing import normalised_code
from cairn.accounts.models import SignUpInvitation, User
from cairn.accounts.recovery import make_recovery_codes
from cairn.audit import services as audit
from cairn.vault import services as vault_services
from cairn.vault.models import Vault


def create_account(
    *, username: str, password: str, initials: str, code: str = ""
) -> tuple[User, Vault, list[str]]:
    """Her account, her first log and her recovery codes, all or nothing.

    Raises PermissionDenied when sign-up is closed, and ValidationError (keyed ``username``,
    ``password1``, ``initials`` or ``code``) for anything she can correct.
    """
    current = sign_up.mode()
    if current == sign_up.CLOSED:
        raise PermissionDenied("Sign-up is closed on this instance")
    with transaction.atomic():
        invitation = None
        if current == sign_up.INVITE:
            invitation = (
                SignUpInvitation.objects.select_for_update()
                .filter(
                    code_hash=sign_up.code_hash(code),
                    used_at__isnull=True,
                    expires_at__gt=timezone.now(),
                )
                .first()
                if normalised_code(code)
                else None
            )
            if invitation is None:
                raise ValidationError({"code": [sign_up.CODE_NOT_VALID]})
        if sign_up.username_taken(username):
            raise ValidationError({"username": ["This username is taken: choose another"]})
        user = User(username=username)
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password1": exc.messages}) from None
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        audit.record(
            actor=user,
            action="account.created",
            object_type="user",
            object_id=user.pk,
            detail={"by": "invitation" if invitation else "open"},
        )
        if invitation is not None:
            invitation.used_at, invitation.used_by = timezone.now(), user
            invitation.save(update_fields=["used_at", "used_by"])
            audit.record(
                actor=user,
                action="sign_up_invitation.used",
                object_type="sign_up_invitation",
                object_id=invitation.pk,
            )
        vault = vault_services.create_vault(
            actor=user, name=sign_up.FIRST_LOG_NAME, initials=initials
        )
        codes = make_recovery_codes(actor=user)
    return user, vault, codes
