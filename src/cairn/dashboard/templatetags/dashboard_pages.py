"""Template tags for the force dashboard (the "Force dashboard" menu item)."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import Http404

from cairn.dashboard.queries import analyst_membership

register = template.Library()


@register.simple_tag
def analyst_role(user: Any) -> bool:
    """True for an analyst, who has the force dashboard."""
    try:
        analyst_membership(user)
    except Http404:
        return False
    return True
