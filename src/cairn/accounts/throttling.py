"""Sign-in throttling with django-axes (settings ``AXES_*``; ADR 0014).

After ``AXES_FAILURE_LIMIT`` failed sign-ins for one username from one address, that pair
is refused for ``AXES_COOLOFF_TIME``, even with the right password. The page says so in
words that reveal nothing: the same message whether or not the username exists.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cairn.accounts.forms import SignInForm


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return f"Too many attempts. Wait {minutes} minutes, or ask your administrator."


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """The sign-in page again, with the lockout message and status 429 (Too Many Requests).

    The form is not bound: binding and validating it would try to sign in once more.
    """
    form = SignInForm(request, initial={"username": request.POST.get("username", "")})
    return render(request, "accounts/sign_in.html", {
        "form": form, "locked_out": True,
        "lockout_errors": [{"href": "", "message": lockout_message()}],
        "next": request.POST.get("next", ""),
    }, status=429)


def client_address(request: HttpRequest) -> str | None:
    """The client's address for the lockout: REMOTE_ADDR, or behind
    ``CAIRN_TRUSTED_PROXY_COUNT`` proxies that each append the address they saw to
    X-Forwarded-For, the entry that many from the right (entries further left are whatever
    the client sent, and cannot be trusted)."""
    count = getattr(settings, "CAIRN_TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")
