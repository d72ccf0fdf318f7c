"""Sign-in throttling with django-axes (settings ``AXES_*``; ADR 0014).

After ``AXES_FAILURE_LIMIT`` failed sign-ins for one username from one address, that pair
is refused for ``AXES_COOLOFF_TIME``, even with the right password. The page says so in
words that reveal nothing: the same message whether or not the username exists.

The pages of a victim's own account add limits per address (``Limit``, kept in
``AddressThrottle`` as keyed hashes of the address): sign-ups, wrong codes and links, and
wrong passwords typed to confirm a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cairn.accounts.forms import SignInForm
from cairn.accounts.hashing import keyed_hash
from cairn.accounts.models import AddressThrottle


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return f"Too many attempts. Wait {minutes} minutes, or ask your administrator."


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The sign-in page again, with the lockout message and status 429 (Too Many Requests).

    The form is not bound: binding and validating it would try to sign in once more.
    """
    form = SignInForm(request, initial={"username": request.POST.get("username", "")})
    return render(
        request,
        "accounts/sign_in.html",
        {
            "form": form,
            "locked_out": True,
            "lockout_errors": [{"href": "", "message": lockout_message()}],
            "next": request.POST.get("next", ""),
        },
        status=429,
    )


def client_address(request: HttpRequest) -> str | None:
    """The client's address for the lockout and the limits below: ``REMOTE_ADDR``, which
    ``TrustedProxyMiddleware`` has already set to the client's address when a trusted proxy
    reported it (``CAIRN_TRUSTED_PROXIES``, ``cairn.web.proxies``)."""
    return request.META.get("REMOTE_ADDR")


# --- limits per address, for the pages of a victim's own account ---------------------------


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events of ``kind`` from one address (and, where given, for one
    username) within ``window``."""

    kind: str
    count: int
    window: timedelta


WRONG_CODES = Limit("wrong-code", 10, timedelta(minutes=15))
WRONG_PASSWORDS = Limit("wrong-password", 5, timedelta(minutes=15))


def sign_up_limit() -> Limit:
    return Limit("sign-up", settings.CAIRN_SIGN_UP_PER_HOUR, timedelta(hours=1))


def _throttle_key(request: HttpRequest, extra: str) -> str:
    return keyed_hash("throttle", f"{client_address(request) or ''}|{extra}")


def is_throttled(request: HttpRequest, limit: Limit, extra: str = "") -> bool:
    since = timezone.now() - limit.window
    return (
        AddressThrottle.objects.filter(
            kind=limit.kind, key_hash=_throttle_key(request, extra), at__gt=since
        ).count()
        >= limit.count
    )


def count_against(request: HttpRequest, limit: Limit, extra: str = "") -> None:
    """Count one event; rows older than the window are removed as they stop mattering."""
    now = timezone.now()
    key = _throttle_key(request, extra)
    AddressThrottle.objects.filter(kind=limit.kind, at__lte=now - limit.window).delete()
    AddressThrottle.objects.create(kind=limit.kind, key_hash=key, at=now)


def too_many_response(request: HttpRequest, limit: Limit) -> HttpResponse:
    minutes = max(1, int(limit.window.total_seconds() // 60))
    return render(request, "accounts/too_many.html", {"minutes": minutes}, status=429)
