"""Which proxy to believe (first on every request), the headers that keep a victim's pages
out of caches and other sites' frames, and the page a form's address shows when opened
directly."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from cairn.web.proxies import apply_forwarded
from cairn.web.views import render_error


class TrustedProxyMiddleware:
    """Before anything reads the request: the client's address and scheme as the trusted
    proxies report them (``CAIRN_TRUSTED_PROXIES``), and every forwarded header removed from
    a request no trusted proxy sent (``cairn.web.proxies``). First in ``MIDDLEWARE``, so the
    HTTPS redirect, CSRF's origin check and the sign-in lockout all see the result, under
    whichever WSGI server runs Cairn."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        apply_forwarded(request.META, settings.CAIRN_TRUSTED_PROXIES)
        return self.get_response(request)


class SafetyHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            # A shared or seized device's browser cache must not hold vault pages.
            response["Cache-Control"] = "no-store"
            # A response with its own (stricter) policy keeps it: an exhibit's is sandboxed.
            response.setdefault(
                "Content-Security-Policy",
                (
                    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                    "script-src 'self'; object-src 'none'; base-uri 'none'; "
                    "frame-ancestors 'none'; "
                    "form-action 'self'"
                ),
            )
            response["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()"
        return response


class NotAllowedPageMiddleware:
    """A form's address opened directly answers 405 with an empty body (Django's
    ``require_POST``); show the service's page saying so instead, keeping the Allow header.
    The API's own answers are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not getattr(response, "streaming", False)
            and not response.content
            and not request.path.startswith("/api/")
        ):
            page = render_error(request, 405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
