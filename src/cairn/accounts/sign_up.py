"""Joining: a victim makes her own account and her first log (docs/adr/0030).

What: ``CAIRN_SIGN_UP`` chooses how. "open": anyone may create an account. "invite": with a
one-time code that an advocate or officer issued (``issue_invitation``; valid for 7 days,
only its keyed hash kept, like a share code). "closed": only the operator makes accounts
(``cairn vault create``), and the sign-up page does not exist. No e-mail address is asked
for. ``create_account`` makes the account, her first log (named "My log", with her
initials) and her recovery codes in one transaction, each write audited: it lives in
``cairn.own.sign_up``, above the vault it creates (ADR 0055).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cairn.accounts.access import membership_of
from cairn.accounts.hashing import CODE_ALPHABET, keyed_hash, normalised_code
from cairn.accounts.models import Role, SignUpInvitation, User
from cairn.audit import services as audit

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


def code_hash(code: str) -> str:
    return keyed_hash("sign-up-code", normalised_code(code))


def issue_invitation(*, actor: Any) -> str:
    """A one-time sign-up code, shown once (``XXXX-XXXX-XXXX``)."""
    if not may_invite(actor):
        raise PermissionDenied("Only an advocate or an officer can invite someone")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(INVITATION_CODE_LENGTH))
    with transaction.atomic():
        invitation = SignUpInvitation.objects.create(
            code_hash=code_hash(raw),
            created_by=actor,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit.record(
            actor=actor,
            action="sign_up_invitation.issued",
            object_type="sign_up_invitation",
            object_id=invitation.pk,
        )
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def invitations_issued_by(user: Any) -> QuerySet[SignUpInvitation]:
    if user is None or not getattr(user, "is_authenticated", False):
        return SignUpInvitation.objects.none()
    return SignUpInvitation.objects.filter(created_by=user).order_by("-created_at")


def open_invitation(code: str) -> SignUpInvitation | None:
    if not normalised_code(code):
        return None
    return SignUpInvitation.objects.filter(
        code_hash=code_hash(code), used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()
