from __future__ import annotations

from typing import Any

from django import template

from cairn.accounts.access import membership_of
from cairn.accounts.models import Role

register = template.Library()


@register.simple_tag
def advocate_role(user: Any) -> bool:
    """True for a signed-in advocate (their menu shows the logs shared with them)."""
    membership = membership_of(user)
    return membership is not None and membership.role == Role.ADVOCATE
