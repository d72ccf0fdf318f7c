"""Asking for her password again before a change that matters (a second factor added or
removed, new recovery codes, a recovery address): someone who finds her account signed in
on a device left open cannot lock her out or take it over without the password.

The password counts for ``RECENT`` after she typed it (at sign-in, or on the confirm page).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

RECENT = timedelta(minutes=10)
CONFIRMED_AT = "cairn_password_confirmed_at"


def note_password_typed(request: HttpRequest) -> None:
    request.session[CONFIRMED_AT] = timezone.now().timestamp()


def password_is_recent(request: HttpRequest) -> bool:
    at = request.session.get(CONFIRMED_AT)
    if not isinstance(at, int | float):
        return False
    return timezone.now().timestamp() - at < RECENT.total_seconds()


def confirm_url(next_url: str) -> str:
    return f"{reverse('accounts:confirm-password')}?{urlencode({'next': next_url})}"


def needs_recent_password(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send her to type her password first (then back to this page) unless she did lately."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not password_is_recent(request):
            back = request.path if request.method != "GET" else request.get_full_path()
            return redirect(confirm_url(back))
        return view(request, *args, **kwargs)

    return wrapped
