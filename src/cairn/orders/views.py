"""The orders pages (so far: the unit's deadline calendar)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from cairn.accounts.access import CASE_ROLES, membership_of
from cairn.orders.calendar import feed, unit_deadlines


@login_required
@require_GET
def calendar_feed(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request.user)
    if membership is None or membership.role not in CASE_ROLES:
        raise Http404("No such calendar")
    body = feed(unit_deadlines(request.user), name=f"{membership.unit.name}: deadlines")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="deadlines.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
