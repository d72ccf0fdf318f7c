"""Who may read what of organisations, their members and two-factor devices.

- An organisation's **administrator** reads its units, its current members and its open
  invitations; nobody else does, and a refusal is "not found" (404), as everywhere.
- The instance's **operator** (a superuser: the CLI) reads every organisation and unit.
- A user's **TOTP devices** and **passkeys** are read only for that user (two-factor set-up
  and checks).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from cairn.accounts.models import (
    AuthenticatorApp,
    Membership,
    Organisation,
    Passkey,
    Role,
    Unit,
    User,
)

# The roles that work cases (the case pages, orders and breaches read them from here).
CASE_ROLES = (Role.INVESTIGATOR, Role.SUPERVISOR)


def membership_of(user: Any) -> Membership | None:
    """The user's current role, or None (a victim, or someone whose role ended)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_cairn_membership", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    membership = (
        Membership.objects.select_related("unit", "organisation")
        .filter(user=user, ended_at__isnull=True)
        .first()
    )
    user._cairn_membership = membership
    return membership


def administrator_membership(user: Any) -> Membership | None:
    """The user's current administrator role, or None."""
    membership = membership_of(user)
    if membership is None or membership.role != Role.ADMINISTRATOR:
        return None
    return membership


def require_administrator(user: Any) -> Membership:
    membership = administrator_membership(user)
    if membership is None:
        raise Http404("No such page")
    return membership


def units_of(organisation: Organisation) -> QuerySet[Unit]:
    return Unit.objects.filter(organisation=organisation).order_by("name")


def get_unit_of(organisation: Organisation, pk: Any) -> Unit:
    try:
        return units_of(organisation).get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("No such unit") from None


def current_members_of(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation, ended_at__isnull=True)
        .select_related("user", "unit")
        .order_by("unit__name", "user__display_name", "user__username")
    )


def get_current_member_of(organisation: Organisation, pk: Any) -> Membership:
    try:
        return current_members_of(organisation).get(pk=pk)
    except (Membership.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("No such member") from None


def organisations_for_operator(actor: Any) -> QuerySet[Organisation]:
    if not getattr(actor, "is_superuser", False):
        return Organisation.objects.none()
    return Organisation.objects.order_by("name")


def units_for_operator(actor: Any) -> QuerySet[Unit]:
    if not getattr(actor, "is_superuser", False):
        return Unit.objects.none()
    return Unit.objects.select_related("organisation").order_by("organisation__name", "name")


def user_named(username: str) -> User | None:
    """The account with this username, for the operator and for invitation checks."""
    return User.objects.filter(username=username).first()


def totp_devices_of(user: Any) -> QuerySet[AuthenticatorApp]:
    """A user's authenticator apps, read through their sealed secrets."""
    if user is None or not getattr(user, "is_authenticated", False):
        return AuthenticatorApp.objects.none()
    return AuthenticatorApp.objects.filter(user=user)


def confirmed_totp_device(user: Any) -> AuthenticatorApp | None:
    return totp_devices_of(user).filter(confirmed=True).order_by("id").first()


def passkeys_of(user: Any) -> QuerySet[Passkey]:
    """A user's own passkeys (only theirs)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Passkey.objects.none()
    return Passkey.objects.filter(user=user, confirmed=True).order_by("created_at")
