"""Joining: a victim makes her own account and her first log (docs/adr/0030).

What: ``CAIRN_SIGN_UP`` chooses how. "open": anyone may create an account. "invite": with a
one-time code that an advocate or officer issued (``issue_invitation``; valid for 7 days,
only its keyed hash kept, like a share code). "closed": only the operator makes accounts
(``cairn vault create``), and the sign-up page does not exist. No e-mail address is asked
for. ``create_account`` makes the account, her first log (named "My log", with her
initials) and her recovery codes in one transaction, each write audited.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cairn.accounts.access import membership_of
from cairn.accounts.hashing import CODE_ALPHABET, keyed_hash, normalised_code
from cairn.accounts.models import Role, SignUpInvitation, User
from cairn.accounts.recovery import make_recovery_codes
from cairn.audit import services as audit
from cairn.vault import services as vault_services
from cairn.vault.models import Vault

OPEN, INVITE, CLOSED = "open", "invite", "closed"
INVITATION_LIFETIME = timedelta(days=7)
INVITATION_CODE_LENGTH = 12
FIRST_LOG_NAME = "My log"
# Who may give a victim a sign-up code: those who meet victims.
INVITING_ROLES = (Role.ADVOCATE, Role.INVESTIGATOR, Role.SUPERVISOR)
CODE_NOT_VALID = "This code is not valid: it may have expired or been used. Ask for a new one"


def mode() -> str:
    return str(settings.CAIRN_SIGN_UP)


def may_invite(user: Any) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.role in INVITING_ROLES


def _code_hash(code: str) -> str:
    return keyed_hash("sign-up-code", normalised_code(code))


def issue_invitation(*, actor: Any) -> str:
    """A one-time sign-up code, shown once (``XXXX-XXXX-XXXX``)."""
    if not may_invite(actor):
        raise PermissionDenied("Only an advocate or an officer can invite someone")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(INVITATION_CODE_LENGTH))
    with transaction.atomic():
        invitation = SignUpInvitation.objects.create(
            code_hash=_code_hash(raw), created_by=actor,
            expires_at=timezone.now() + INVITATION_LIFETIME)
        audit.record(actor=actor, action="sign_up_invitation.issued",
                     object_type="sign_up_invitation", object_id=invitation.pk)
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def invitations_issued_by(user: Any) -> QuerySet[SignUpInvitation]:
    if user is None or not getattr(user, "is_authenticated", False):
        return SignUpInvitation.objects.none()
    return SignUpInvitation.objects.filter(created_by=user).order_by("-created_at")


def open_invitation(code: str) -> SignUpInvitation | None:
    if not normalised_code(code):
        return None
    return SignUpInvitation.objects.filter(code_hash=_code_hash(code), used_at__isnull=True,
                                           expires_at__gt=timezone.now()).first()


def username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def create_account(*, username: str, password: str, initials: str,
                   code: str = "") -> tuple[User, Vault, list[str]]:
    """Her account, her first log and her recovery codes, all or nothing.

    Raises PermissionDenied when sign-up is closed, and ValidationError (keyed ``username``,
    ``password1``, ``initials`` or ``code``) for anything she can correct.
    """
    current = mode()
    if current == CLOSED:
        raise PermissionDenied("Sign-up is closed on this instance")
    with transaction.atomic():
        invitation = None
        if current == INVITE:
            invitation = (SignUpInvitation.objects.select_for_update()
                          .filter(code_hash=_code_hash(code), used_at__isnull=True,
                                  expires_at__gt=timezone.now()).first()
                          if normalised_code(code) else None)
            if invitation is None:
                raise ValidationError({"code": [CODE_NOT_VALID]})
        if username_taken(username):
            raise ValidationError({"username": ["This username is taken: choose another"]})
        user = User(username=username)
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password1": exc.messages}) from None
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        audit.record(actor=user, action="account.created", object_type="user",
                     object_id=user.pk, detail={"by": "invitation" if invitation else "open"})
        if invitation is not None:
            invitation.used_at, invitation.used_by = timezone.now(), user
            invitation.save(update_fields=["used_at", "used_by"])
            audit.record(actor=user, action="sign_up_invitation.used",
                         object_type="sign_up_invitation", object_id=invitation.pk)
        vault = vault_services.create_vault(actor=user, name=FIRST_LOG_NAME, initials=initials)
        codes = make_recovery_codes(actor=user)
    return user, vault, codes
