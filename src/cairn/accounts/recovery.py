"""Getting back into her account (docs/adr/0030-victims-own-accounts.md).

What, three ways, none of which needs her e-mail, which he may read:
- **recovery codes**: ten one-time codes shown once when she joins (and whenever she makes
  new ones); a code and her username let her set a new password, and a code stands in for
  her second factor at sign-in. Only keyed hashes are kept.
- **a reset link from an advocate or officer** who has seen her in person, for a person whose
  log is shared with them: one use, for 24 hours, recorded in her account's activity. It sets
  a new password, turns off her second factor and gives her new recovery codes (she has lost
  what she had; the person who saw her is the check).
- **e-mail**, only if she added an address, confirmed it from the message, and the instance
  has a mail server: a link made by Django's password-reset token generator, which stops
  working once the password changes.

Every change here ends her other sessions and is audited. Failures raise ``ValidationError``
with one plain message that does not say which part was wrong.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cairn.accounts.hashing import CODE_ALPHABET, keyed_hash, recovery_code_hash
from cairn.accounts.models import (
    EndReason,
    Passkey,
    RecoveryAddress,
    RecoveryCode,
    RecoveryCodes,
    ResetLink,
    User,
)
from cairn.accounts.sessions import end_sessions
from cairn.accounts.two_factor import Check
from cairn.audit import services as audit
from cairn.audit.models import AuditRecord

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
RESET_LINK_LIFETIME = timedelta(hours=24)
ADDRESS_TOKEN_LIFETIME = timedelta(days=2)
NOT_RIGHT = "The username or the recovery code is not right"
LINK_NOT_VALID = "This link is not valid: it may have expired or been used"


def _set_password(user: User, password: str, field: str = "password1") -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])


# --- recovery codes ---------------------------------------------------------------------------


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_codes_of(user: Any) -> QuerySet[RecoveryCodes]:
    if user is None or not getattr(user, "is_authenticated", False):
        return RecoveryCodes.objects.none()
    return RecoveryCodes.objects.filter(user=user)


def codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(
        codes__in=recovery_codes_of(user), used_at__isnull=True
    ).count()


def make_recovery_codes(*, actor: Any, user: Any = None) -> list[str]:
    """Ten new codes for ``user`` (the actor, unless a recovery service makes them for her);
    any earlier codes stop working. Returns the codes, to be shown once."""
    user = user or actor
    if user.pk != actor.pk:
        raise PermissionDenied("Only the account's owner can make its recovery codes")
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        device, _ = RecoveryCodes.objects.get_or_create(
            user=user, defaults={"name": "Recovery codes"}
        )
        device.codes.all().delete()
        device.throttle_reset()
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(codes=device, code_hash=recovery_code_hash(code)) for code in codes]
        )
        audit.record(
            actor=actor,
            action="recovery_codes.made",
            object_type="user",
            object_id=user.pk,
            detail={"count": len(codes)},
        )
    return codes


def recover_with_code(*, username: str, code: str, password: str) -> User:
    """Set a new password with a recovery code (used up). Ends every session of hers."""
    user = User.objects.filter(username=username, is_active=True).first()
    # The check commits even when the code is wrong, so the set's throttling counts it; a
    # refused new password rolls back the code's use with the password change.
    with transaction.atomic():
        device = (
            RecoveryCodes.objects.select_for_update().filter(user=user).first()
            if user is not None
            else None
        )
        accepted = (
            device is not None and device.verify_is_allowed()[0] and device.verify_token(code)
        )
        if accepted and user is not None:
            _set_password(user, password)
            audit.record(
                actor=user,
                action="account.recovered",
                object_type="user",
                object_id=user.pk,
                detail={"by": "recovery_code"},
            )
            end_sessions(actor=user, user=user, reason=EndReason.RESET)
    if not accepted or user is None:
        raise ValidationError({"code": [NOT_RIGHT]})
    return user


def check_recovery_code(*, actor: Any, code: str) -> tuple[Check, RecoveryCodes | None]:
    """A recovery code in place of her second factor at sign-in: used up if right. Returns
    the outcome and, if accepted, the device to mark the session checked with."""
    with transaction.atomic():
        device = recovery_codes_of(actor).select_for_update().first()
        if device is None:
            return Check.WRONG, None
        if not device.verify_is_allowed()[0]:
            return Check.WAIT, None
        if not device.verify_token(code):
            return Check.WRONG, None
        audit.record(
            actor=actor,
            action="recovery_code.used",
            object_type="user",
            object_id=actor.pk,
            detail={"for": "second_factor"},
        )
    return Check.ACCEPTED, device


# --- reset links from an advocate or officer -------------------------------------------------


def open_reset_link(token: str) -> ResetLink | None:
    return (
        ResetLink.objects.select_related("user")
        .filter(
            token_hash=keyed_hash("reset-link", token or ""),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def reset_with_link(*, token: str, password: str) -> tuple[User, list[str]]:
    """Set her new password with an advocate's or officer's link (used up); her passkeys and
    authenticator app are removed and new recovery codes made. Returns her and the codes."""
    with transaction.atomic():
        link = (
            ResetLink.objects.select_for_update()
            .filter(
                token_hash=keyed_hash("reset-link", token or ""),
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
                user__is_active=True,
            )
            .first()
        )
        if link is None:
            raise ValidationError({"token": [LINK_NOT_VALID]})
        user = link.user
        _set_password(user, password)
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        removed = (
            Passkey.objects.filter(user=user).delete()[0]
            + TOTPDevice.objects.filter(user=user).delete()[0]
        )
        audit.record(
            actor=user,
            action="account.recovered",
            object_type="user",
            object_id=user.pk,
            detail={"by": "reset_link", "link": str(link.pk), "second_factors_removed": removed},
        )
        end_sessions(actor=user, user=user, reason=EndReason.RESET)
        codes = make_recovery_codes(actor=user)
    return user, codes


def reset_links_issued_by(user: Any) -> QuerySet[ResetLink]:
    if user is None or not getattr(user, "is_authenticated", False):
        return ResetLink.objects.none()
    return ResetLink.objects.filter(created_by=user).order_by("-created_at")


# --- her account's activity: what others did to it ---------------------------------------------


def account_activity(user: Any) -> QuerySet[AuditRecord]:
    """For her: what someone else did to her account (a reset link issued, a second factor
    removed by the operator), newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return AuditRecord.objects.none()
    return (
        AuditRecord.objects.filter(object_type="user", object_id=str(user.pk))
        .exclude(actor=user)
        .select_related("actor")
        .order_by("-at", "-id")
    )


# --- e-mail, only if she asks for it ----------------------------------------------------------


def mail_available() -> bool:
    return bool(settings.CAIRN_MAIL_CONFIGURED)


def recovery_address_of(user: Any) -> RecoveryAddress | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return RecoveryAddress.objects.filter(user=user).first()


def add_recovery_address(*, actor: Any, address: str) -> str:
    """Set the address to confirm (replacing any other); returns the confirmation secret
    for the link the caller e-mails to it."""
    if not mail_available():
        raise PermissionDenied("This instance sends no e-mail")
    address = (address or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            {"address": ["Enter an e-mail address like name@example.com"]}
        ) from None
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        RecoveryAddress.objects.update_or_create(
            user=actor,
            defaults={
                "address": address,
                "confirmed_at": None,
                "token_hash": keyed_hash("address", token),
                "created_at": timezone.now(),
            },
        )
        audit.record(
            actor=actor, action="recovery_address.added", object_type="user", object_id=actor.pk
        )
    return token


def confirm_recovery_address(*, actor: Any, token: str) -> bool:
    with transaction.atomic():
        found = (
            RecoveryAddress.objects.select_for_update()
            .filter(
                user=actor,
                confirmed_at__isnull=True,
                token_hash=keyed_hash("address", token or ""),
                created_at__gt=timezone.now() - ADDRESS_TOKEN_LIFETIME,
            )
            .first()
        )
        if found is None:
            return False
        found.confirmed_at, found.token_hash = timezone.now(), ""
        found.save(update_fields=["confirmed_at", "token_hash"])
        audit.record(
            actor=actor, action="recovery_address.confirmed", object_type="user", object_id=actor.pk
        )
    return True


def remove_recovery_address(*, actor: Any) -> None:
    with transaction.atomic():
        removed, _ = RecoveryAddress.objects.filter(user=actor).delete()
        if removed:
            audit.record(
                actor=actor,
                action="recovery_address.removed",
                object_type="user",
                object_id=actor.pk,
            )


def email_recovery_for(username: str) -> tuple[User, str, str] | None:
    """(her, her confirmed address, a reset token) for a username with a confirmed address,
    or None. The caller says the same thing either way."""
    if not mail_available():
        return None
    found = (
        RecoveryAddress.objects.select_related("user")
        .filter(user__username=username, user__is_active=True, confirmed_at__isnull=False)
        .first()
    )
    if found is None:
        return None
    return found.user, found.address, default_token_generator.make_token(found.user)


def user_for_email_token(user_id: str, token: str) -> User | None:
    user = User.objects.filter(pk=user_id, is_active=True).first() if _is_uuid(user_id) else None
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def reset_with_email_token(*, user_id: str, token: str, password: str) -> User:
    with transaction.atomic():
        user = user_for_email_token(user_id, token)
        if user is None:
            raise ValidationError({"token": [LINK_NOT_VALID]})
        _set_password(user, password)
        audit.record(
            actor=user,
            action="account.recovered",
            object_type="user",
            object_id=user.pk,
            detail={"by": "email"},
        )
        end_sessions(actor=user, user=user, reason=EndReason.RESET)
    return user


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
