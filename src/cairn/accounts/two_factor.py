"""Two-factor sign-in for everyone with an organisation role (ADR 0014).

What: after the password, a member of an organisation (police force, charity) gives a
6-digit time-based code (TOTP, RFC 6238) from an authenticator app. django-otp stores the
device (``TOTPDevice``, read as ``AuthenticatorApp``: the shared secret, sealed at rest, the
last time step used, throttling) and marks a checked session (``django_otp.login`` puts the
device's id in the session;
``request.user.is_verified()`` reads it back). ``TwoFactorRequiredMiddleware`` sends an
unchecked member to set-up or to the check before any other page.

Why: a member's account opens victims' shared logs; a guessed or reused password must not be
enough. A victim with no role is asked only if she turned a second factor on herself (an
authenticator app here, or a passkey: ``cairn.accounts.passkeys``; docs/adr/0030).

Failures: a wrong code returns ``Check.WRONG``. Five wrong codes in a row are allowed (a
mistyped code, a code that changed as it was typed, must not lock out the next right one);
after that the device waits a minute, then two, four, ... up to fifteen, and ``Check.WAIT``
says until when (``wait_until``). django-otp counts the wrong codes on the device
(``throttling_failure_count``, reset by a right one); its own delay from the first wrong code
is off (``OTP_TOTP_THROTTLE_FACTOR = 0``). A code is accepted once: the device remembers the
last time step used, so a code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import base64
import enum
from datetime import datetime, timedelta
from typing import Any

import segno
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cairn.accounts import access
from cairn.accounts.access import CASE_ROLES, membership_of
from cairn.accounts.models import AuthenticatorApp, Role
from cairn.audit import services as audit

DEVICE_NAME = "Authenticator app"


class Check(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    WAIT = "wait"


def requires_two_factor(user: Any) -> bool:
    """Whether this user must pass a second check after the password: anyone with a current
    organisation role, and a victim who turned one on (an authenticator app or a passkey)."""
    return membership_of(user) is not None or has_second_factor(user)


def has_confirmed_device(user: Any) -> bool:
    """Whether the user has a confirmed authenticator app (TOTP)."""
    return access.confirmed_totp_device(user) is not None


def has_second_factor(user: Any) -> bool:
    """An authenticator app or a passkey (recovery codes alone are not a second factor).

    Read once per request with the session's record when the session middleware ran
    (``cairn.accounts.sessions.follow_request``)."""
    known = getattr(user, "_cairn_second_factor", None)
    if known is not None:
        return bool(known)
    return has_confirmed_device(user) or access.passkeys_of(user).exists()


def is_member(user: Any) -> bool:
    return membership_of(user) is not None


def remove_app(*, actor: Any) -> int:
    """A victim turns off her authenticator app. Members keep theirs (required for roles)."""
    if is_member(actor):
        raise PermissionDenied("An organisation role needs its authenticator app")
    with transaction.atomic():
        removed, _ = access.totp_devices_of(actor).delete()
        audit.record(
            actor=actor,
            action="two_factor.removed",
            object_type="user",
            object_id=actor.pk,
            detail={"devices": removed},
        )
    return removed


def device_for_set_up(*, actor: Any) -> AuthenticatorApp:
    """The unconfirmed device ``actor`` is setting up, made (with a new secret) if none.

    The same device is returned until it is confirmed, so reloading the page shows the same
    QR code the person may already have scanned.
    """
    existing = access.totp_devices_of(actor).filter(confirmed=False).order_by("id").first()
    if existing is not None:
        return existing
    return AuthenticatorApp.objects.create(user=actor, name=DEVICE_NAME, confirmed=False)


FREE_WRONG_CODES = 5
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(minutes=15)


def wait_until(device: TOTPDevice, now: datetime | None = None) -> datetime | None:
    """When the next code may be tried, or None if it may be now: free for the first five
    wrong codes in a row, then one minute after the last, doubling up to fifteen."""
    failures = device.throttling_failure_count
    last = device.throttling_failure_timestamp
    if failures < FREE_WRONG_CODES or last is None:
        return None
    wait = min(FIRST_WAIT * 2 ** (failures - FREE_WRONG_CODES), LONGEST_WAIT)
    until: datetime = last + wait
    return until if (now or timezone.now()) < until else None


def _check(device: AuthenticatorApp, code: str) -> Check:
    allowed, _ = device.verify_is_allowed()
    if not allowed or wait_until(device) is not None:
        return Check.WAIT
    return Check.ACCEPTED if device.verify_token(code) else Check.WRONG


def confirm_device(
    *, actor: Any, device: AuthenticatorApp, code: str
) -> tuple[Check, AuthenticatorApp | None]:
    """Confirm the device being set up with a code it generated; audited when it succeeds.
    Returns the outcome and, if accepted, the confirmed device (for ``django_otp.login``)."""
    with transaction.atomic():
        locked = (
            access.totp_devices_of(actor)
            .select_for_update()
            .filter(pk=device.pk, confirmed=False)
            .first()
        )
        if locked is None:
            return Check.WRONG, None
        outcome = _check(locked, code)
        if outcome is not Check.ACCEPTED:
            return outcome, None
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        audit.record(
            actor=actor, action="two_factor.set_up", object_type="user", object_id=actor.pk
        )
    return outcome, locked


def check_code(*, actor: Any, code: str) -> tuple[Check, AuthenticatorApp | None]:
    """Check a code against the user's confirmed device; the device if it was accepted."""
    with transaction.atomic():
        device = (
            access.totp_devices_of(actor)
            .select_for_update()
            .filter(confirmed=True)
            .order_by("id")
            .first()
        )
        if device is None:
            return Check.WRONG, None
        outcome = _check(device, code)
    return outcome, device if outcome is Check.ACCEPTED else None


def reset(*, actor: Any, user: Any) -> int:
    """Remove a user's devices (a lost phone); they set up a new one at their next sign-in.

    Only the operator does this (``cairn org reset-two-factor``). Returns how many devices
    were removed.
    """
    if not getattr(actor, "is_superuser", False):
        raise PermissionDenied("Only the instance's operator can do this")
    with transaction.atomic():
        removed, _ = access.totp_devices_of(user).delete()
        audit.record(
            actor=actor,
            action="two_factor.reset",
            object_type="user",
            object_id=user.pk,
            detail={"devices": removed},
        )
    return removed


def secret_text(device: AuthenticatorApp) -> str:
    """The shared secret in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: AuthenticatorApp) -> str:
    """The device's otpauth:// URI as a QR code: an SVG data URI for an ``<img>``.

    A data URI, not inline markup or script, so the page keeps its strict Content Security
    Policy (``img-src 'self' data:``).
    """
    code = segno.make(device.config_url, error="m")
    return str(code.svg_data_uri(scale=5, border=4, dark="#0b0c0c", light="#ffffff"))


def work_page_url(user: Any) -> str:
    """Where a member lands after the two-factor check: an administrator on their
    organisation's page, an investigator or supervisor on the unit's case list, an
    advocate on the logs shared with them, an analyst on the force dashboard; everyone else
    on the home page."""
    membership = membership_of(user)
    if membership is not None and membership.role == Role.ADMINISTRATOR:
        return reverse("org:home")
    if membership is not None and membership.role in CASE_ROLES:
        return reverse("cases:list")
    if membership is not None and membership.role == Role.ADVOCATE:
        return reverse("advocacy:logs")
    if membership is not None and membership.role == Role.ANALYST:
        return reverse("dashboard:home")
    return reverse("vault:home")
