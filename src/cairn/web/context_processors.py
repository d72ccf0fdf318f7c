"""What every page's layout needs: where "Exit this page" goes, the instance's neutral page
title, and whether the reader has an organisation role (officers, analysts, advocates and
administrators see descriptive titles; a victim's pages never name what she is doing)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cairn.accounts.access import membership_of
from cairn.web.own_device import is_own_device


def cairn(request: HttpRequest) -> dict[str, Any]:
    membership = membership_of(getattr(request, "user", None))
    return {
        "exit_url": settings.CAIRN_EXIT_URL,
        "page_title": settings.CAIRN_PAGE_TITLE,
        "org_role": membership.role if membership is not None else "",
        "own_device": is_own_device(request),
    }
