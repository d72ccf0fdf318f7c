"""The one read the API needs that the apps' access modules do not offer: an officer of the
actor's own unit, named as a case's officer in charge."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from cairn.accounts.access import CASE_ROLES, membership_of
from cairn.accounts.models import Membership


def officer_of_own_unit(actor: Any, pk: Any) -> Any:
    """The user ``pk`` if they are an investigator or supervisor of the actor's unit."""
    membership = membership_of(actor)
    if membership is None or membership.role not in CASE_ROLES:
        raise PermissionDenied("Your role does not allow this")
    found = (
        Membership.objects.select_related("user")
        .filter(unit_id=membership.unit_id, user_id=pk, role__in=CASE_ROLES, ended_at__isnull=True)
        .first()
    )
    if found is None:
        raise ValidationError({"officer_id": ["Choose an officer of your unit"]})
    return found.user
