"""Two-factor before anything else, for everyone with an organisation role (ADR 0014)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from cairn.accounts import sessions, two_factor

# The pages an unchecked member may still reach: signing out and the two-factor pages
# (a code, a passkey, or a recovery code in place of either).
EXEMPT_VIEWS = frozenset(
    {
        "accounts:sign-out",
        "accounts:two-factor-set-up",
        "accounts:two-factor-verify",
        "accounts:two-factor-passkey-options",
        "accounts:two-factor-passkey",
        "accounts:two-factor-recovery-code",
    }
)


class TwoFactorRequiredMiddleware:
    """Sends a signed-in member whose session has not passed the two-factor check to set-up
    (no confirmed device yet) or to the check, from every page except sign-out, the
    two-factor pages and static files. Under ``/api/`` it answers 403 with JSON instead.

    Runs after django-otp's ``OTPMiddleware``, which gives ``request.user.is_verified()``.
    Victims (users with no current role) pass through untouched unless they turned a second
    factor on (an authenticator app or a passkey). A request authenticated by
    an API token carries no session user here and is the API's own business.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr]
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_VIEWS:
            return None
        if request.path.startswith(settings.STATIC_URL or "/static/"):
            return None
        if not two_factor.requires_two_factor(user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "Two-factor sign-in is needed: sign in on the web "
                    "pages first, or use an API token."
                },
                status=403,
            )
        target = (
            "accounts:two-factor-verify"
            if two_factor.has_second_factor(user)
            else "accounts:two-factor-set-up"
        )
        url = reverse(target)
        # Come back to the page asked for, unless it was just the home page.
        if request.method == "GET" and request.path != reverse("vault:home"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)


class SessionRecordMiddleware:
    """Keeps each signed-in session's record (``cairn.accounts.sessions``): signs out a
    session she ended from another browser, notes when each was last used, follows the
    session key when it changes, and, after she signs in, shows her first the sign-ins from
    new devices she has not yet seen. Runs after the two-factor middleware, so the notice
    comes after the second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sessions.follow_request(request)
        response = self.get_response(request)
        sessions.finish_response(request, response)
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not request.user.is_authenticated or request.method != "GET":
            return None
        if not request.session.get(sessions.NOTICE_PENDING):
            return None
        match = request.resolver_match
        if match is not None and (
            match.view_name in EXEMPT_VIEWS or match.view_name in NOTICE_EXEMPT_VIEWS
        ):
            return None
        if request.path.startswith((settings.STATIC_URL or "/static/", "/api/")):
            return None
        return redirect(
            f"{reverse('accounts:sign-in-notice')}?{urlencode({'next': request.get_full_path()})}"
        )


NOTICE_EXEMPT_VIEWS = frozenset({"accounts:sign-in-notice"})
