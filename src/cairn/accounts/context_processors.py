"""Whether the reader has an organisation role, for every page's layout: officers, analysts,
advocates and administrators see descriptive titles; a victim's pages never name what she
is doing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cairn.accounts.access import membership_of


def role(request: HttpRequest) -> dict[str, Any]:
    membership = membership_of(getattr(request, "user", None))
    return {"org_role": membership.role if membership is not None else ""}
