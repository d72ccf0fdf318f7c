"""Headers that keep a victim's pages out of caches and other sites' frames, and the page a
form's address shows when opened directly."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cairn.web.views import render_error


class SafetyHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            # A shared or seized device's browser cache must not hold vault pages.
            response["Cache-Control"] = "no-store"
            response["Content-Security-Policy"] = (
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                "form-action 'self'"
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
        if (response.status_code == 405 and not getattr(response, "streaming", False)
                and not response.content and not request.path.startswith("/api/")):
            page = render_error(request, 405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
