"""Template tags for organisation administration (the "Organisation" menu item)."""

from __future__ import annotations

from typing import Any

from django import template

from cairn.accounts.access import administrator_membership

register = template.Library()


@register.simple_tag
def org_administrator(user: Any) -> bool:
    """True for an administrator of an organisation, who has the ``/org/`` pages."""
    return administrator_membership(user) is not None
