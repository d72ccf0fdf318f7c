"""The web app's own views: the health check, and "Exit this page" ending her session."""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """End the session as "Exit this page" leaves (cairn.js sends this as a keep-alive POST).

    A POST with the page's CSRF token, like any other change: another site cannot sign her out,
    and a GET (a prefetch, a link) changes nothing. Back, reload or a restored tab then meets
    the sign-in page, not her log. Nothing in the answer: the page is already gone.
    """
    logout(request)
    return HttpResponse(status=204)
