"""Who may be officer in charge of a case: the investigators and supervisors of the user's own
unit (the read side of ``services.open_case``'s rule). An access function: views use it, never
the model's manager."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from cairn.accounts.access import CASE_ROLES, membership_of
from cairn.accounts.models import Membership, User


def unit_officers(user: Any) -> QuerySet[User]:
    """The people with a current case role in ``user``'s unit, by name; none for anyone
    without a case role."""
    membership = membership_of(user)
    if membership is None or membership.role not in CASE_ROLES:
        return User.objects.none()
    return (
        User.objects.filter(
            memberships__unit_id=membership.unit_id,
            memberships__ended_at__isnull=True,
            memberships__role__in=CASE_ROLES,
        )
        .distinct()
        .order_by("display_name", "username")
    )


def officer_membership(request: HttpRequest) -> Membership:
    """The signed-in officer's role; 404 for anyone without a case role (analysts,
    administrators, advocates, victims), as if the pages did not exist."""
    membership = membership_of(request.user)
    if membership is None or membership.role not in CASE_ROLES:
        raise Http404("No such page")
    return membership
