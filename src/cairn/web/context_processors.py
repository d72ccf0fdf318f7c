"""What every page's layout needs: where "Exit this page" goes, the instance's neutral page
title, and whether the page is on her own device. Whether the reader has an organisation
role comes from ``cairn.accounts.context_processors`` (``web`` sits below ``accounts``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cairn.web.own_device import is_own_device


def cairn(request: HttpRequest) -> dict[str, Any]:
    return {
        "exit_url": settings.CAIRN_EXIT_URL,
        "page_title": settings.CAIRN_PAGE_TITLE,
        "own_device": is_own_device(request),
    }
