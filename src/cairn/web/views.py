"""The web app's own views: the health check, "Exit this page" ending her session, the error
pages (400, 403, 404, 405, 500; ``render_error`` for any other) in the service's layout, and
what a request too large to take gets (``handler400`` in ``cairn.urls``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET, require_POST

from cairn.web.oversize import field_label, kept_fields

ERRORS: dict[int, tuple[str, tuple[str, ...]]] = {
    400: (
        "Sorry, there is a problem with what was sent",
        ("Go back to the page you were on and try again.",),
    ),
    403: (
        "Sorry, you cannot do that from here",
        (
            "If you were filling in a form, it may have been open too long. Go back, reload "
            "the page, and try again.",
        ),
    ),
    404: (
        "Page not found",
        (
            "If you typed the web address, check it is correct.",
            "If you pasted the web address, check you copied the whole address.",
        ),
    ),
    405: (
        "This address is for a form",
        ("It cannot be opened on its own. Go back to the page with the form and use its button.",),
    ),
    413: ("The file is too big", ("Go back and choose a smaller file.",)),
    500: (
        "Sorry, there is a problem with the service",
        (
            "Try again later. If you were saving something, check whether it was saved before "
            "you try again.",
        ),
    ),
}


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers (a load balancer restarts it otherwise)."""
    return HttpResponse("ok", content_type="text/plain")


def megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"


def too_large(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not hasattr(request, "user"):
        request.user = AnonymousUser()
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    sent = int(request.META.get("CONTENT_LENGTH") or 0)
    kept: list[dict[str, object]] = []
    content_type = request.META.get("CONTENT_TYPE", "")
    if (
        isinstance(exception, RequestDataTooBig)
        and limit
        and content_type.startswith("application/x-www-form-urlencoded")
    ):
        try:
            start = request.read(limit)
        except Exception:
            start = b""
        kept = [
            {
                "label": field_label(name),
                "value": value,
                "cut": cut,
                "long": len(value) > 80 or "\n" in value,
            }
            for name, value, cut in kept_fields(start, complete=len(start) >= sent)
        ]
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(
        request,
        "web/too_large.html",
        {
            "limit": megabytes(limit) if limit else "",
            "sent": megabytes(sent) if sent else "",
            "too_many_parts": not isinstance(exception, RequestDataTooBig),
            "fields_limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            "file_limit": megabytes(settings.CAIRN_MAX_UPLOAD_BYTES),
            "kept": kept,
            "back": back,
        },
        status=413,
    )


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """End the session as "Exit this page" leaves (cairn.js sends this as a keep-alive POST).

    A POST with the page's CSRF token, like any other change: another site cannot sign her out,
    and a GET (a prefetch, a link) changes nothing. Back, reload or a restored tab then meets
    the sign-in page, not her log. Nothing in the answer: the page is already gone.
    """
    logout(request)
    return HttpResponse(status=204)


def render_error(
    request: HttpRequest, status: int, heading: str = "", lines: Sequence[str] = ()
) -> HttpResponse:
    """An error page in the service's layout, with "Exit this page" and a link home. The
    heading and lines default to the plain words for ``status`` (``ERRORS``)."""
    default_heading, default_lines = ERRORS.get(status, ERRORS[400])
    context = {
        "heading": heading or default_heading,
        "lines": list(lines) or default_lines,
        "home_url": reverse("vault:home"),
        "error_page": True,
    }
    response = render(request, "web/errors/page.html", context, status=status)
    # Set here too: a request refused before the safety headers' middleware (a bad Host) never
    # passes through it.
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refused to read: a form too large or with too many parts gets a page
    saying what the limit is, with the text that could be read shown back to copy (status
    413); anything else the plain 400 page."""
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return too_large(request, exception)
    return render_error(request, 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The exception's message ("No such incident") is never shown: a refusal and a missing
    # object read the same.
    return render_error(request, 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render_error(request, 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered without the request's context processors, the session or the
    database: whatever failed may fail again."""
    heading, lines = ERRORS[500]
    html = get_template("web/errors/page.html").render(
        {
            "heading": heading,
            "lines": lines,
            "home_url": "/",
            "user": None,
            "exit_url": settings.CAIRN_EXIT_URL,
            "page_title": settings.CAIRN_PAGE_TITLE,
            "org_role": "",
        }
    )
    response = HttpResponse(html, status=500)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database answers a query and the evidence store can be written to
    (a load balancer sends no traffic here otherwise). 503 names what failed, nothing more."""
    from django.db import connection

    from cairn.store.blobs import StoreError, default_backend

    failed = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        failed.append("database")
    try:
        default_backend().ready()
    except (StoreError, OSError):
        failed.append("evidence store")
    if failed:
        return HttpResponse(
            "not ready: " + ", ".join(failed), status=503, content_type="text/plain"
        )
    return HttpResponse("ready", content_type="text/plain")
