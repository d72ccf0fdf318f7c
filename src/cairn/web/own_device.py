"""Whether she told Cairn this browser is her own ("Let this browser remember me" at sign-in).

Only then do the pages ask the browser to fill in or remember her username and password
(``autocomplete="username"``, ``"current-password"``, ``"new-password"``); otherwise every such
field says ``autocomplete="off"``. Browsers do not all honour "off" for passwords (ADR 0037,
docs/adr/0037-her-device-tells-nothing.md), so the sign-in page also tells her in words what
to answer when her browser offers to save a password.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE = "cairn_own_device"
YEAR = 365 * 24 * 60 * 60


def is_own_device(request: HttpRequest) -> bool:
    return request.COOKIES.get(COOKIE) == "yes"


def remember_choice(request: HttpRequest, response: HttpResponse, own: bool) -> None:
    """Keep her answer in this browser (a cookie only the server reads), or forget it."""
    if own:
        response.set_cookie(
            COOKIE,
            "yes",
            max_age=YEAR,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    elif COOKIE in request.COOKIES:
        response.delete_cookie(COOKIE, samesite="Lax")
