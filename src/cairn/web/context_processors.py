from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def cairn(request: HttpRequest) -> dict[str, Any]:
    return {"exit_url": settings.CAIRN_EXIT_URL}
