"""Joining by invitation: a person with no account makes one with the invitation's link.

There is no open sign-up for organisation roles: an account made here exists only because
an administrator's invitation was accepted in the same transaction, so a used or expired
link leaves nothing behind.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from cairn.accounts import services
from cairn.accounts.models import Membership, User
from cairn.audit import services as audit


def create_account_and_accept(
    *, token: str, username: str, display_name: str, password: str
) -> tuple[User, Membership]:
    """Make an account and accept the invitation as it, all or nothing.

    Raises ValidationError for a taken username, a password the validators refuse, or an
    invitation that is no longer open (the caller shows the neutral "not valid" page).
    """
    if services.find_invitation(token) is None:
        raise ValidationError(
            {"token": ["This invitation is not valid: it may have expired or been used"]}
        )
    with transaction.atomic():
        user = User(username=username, display_name=" ".join(display_name.split()))
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
        user.full_clean()
        user.save()
        audit.record(
            actor=user,
            action="account.created",
            object_type="user",
            object_id=user.pk,
            detail={"by": "invitation"},
        )
        membership = services.accept_invitation(actor=user, token=token)
    return user, membership
