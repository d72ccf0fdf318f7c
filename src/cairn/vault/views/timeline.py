"""The timeline: incidents newest first, filtered in the database, 50 to a page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cairn.law.pha1997 import ACTS_BY_CODE
from cairn.vault import access
from cairn.vault.choices import Channel
from cairn.vault.forms import TimelineFilterForm
from cairn.vault.timeline import PAGE_SIZE, filter_incidents
from cairn.vault.views.common import vault_zone


@login_required
@require_http_methods(["GET"])
def timeline(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    persons = access.persons_readable_by(request.user, vault)
    form = TimelineFilterForm(request.GET or None, persons=persons)
    chosen = form.to_filter()
    incidents = filter_incidents(access.incidents_readable_by(request.user, vault), chosen,
                                 tz=vault_zone(vault))
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "vault/timeline.html", {
        "vault": vault, "nav": "timeline", "form": form, "page": page, "query": query,
        "filtered": chosen.is_active, "channels": dict(Channel.choices),
        "act_labels": {code: act.plain for code, act in ACTS_BY_CODE.items()},
    })
