"""Pages every part of Cairn shares: the health check, and what a request too large to take
gets (``handler400`` in ``cairn.urls``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from django.views.defaults import bad_request as plain_bad_request

from cairn.web.oversize import field_label, kept_fields


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refused to read: a form too large or with too many parts gets a page
    saying what the limit is, with the text that could be read shown back to copy (status
    413); anything else Django's own 400 page."""
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return too_large(request, exception)
    return plain_bad_request(request, exception)


def too_large(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not hasattr(request, "user"):
        request.user = AnonymousUser()
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    sent = int(request.META.get("CONTENT_LENGTH") or 0)
    kept: list[dict[str, object]] = []
    content_type = request.META.get("CONTENT_TYPE", "")
    if (isinstance(exception, RequestDataTooBig) and limit
            and content_type.startswith("application/x-www-form-urlencoded")):
        try:
            start = request.read(limit)
        except Exception:
            start = b""
        kept = [{"label": field_label(name), "value": value, "cut": cut,
                 "long": len(value) > 80 or "\n" in value}
                for name, value, cut in kept_fields(start, complete=len(start) >= sent)]
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(request, "web/too_large.html", {
        "limit": megabytes(limit) if limit else "", "sent": megabytes(sent) if sent else "",
        "too_many_parts": not isinstance(exception, RequestDataTooBig),
        "fields_limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        "file_limit": megabytes(settings.CAIRN_MAX_UPLOAD_BYTES), "kept": kept, "back": back,
    }, status=413)
