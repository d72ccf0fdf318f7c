"""The timeline: incidents newest first, filtered in the database, a page at a time.

Pages are keyed by an incident (``?older=12`` shows the incidents just older than incident 12,
``?newer=12`` those just newer), so a deep page costs what the first does, and the address
carries a number, never a date or any of her words (ADR 0038). The filters stay in the query
string and in every "Newer" and "Older" link.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cairn.law.pha1997 import ACTS_BY_CODE
from cairn.vault import access
from cairn.vault.choices import Channel
from cairn.vault.forms import TimelineFilterForm
from cairn.vault.models import Incident, Vault
from cairn.vault.timeline import cached_count, filter_incidents, page_of
from cairn.vault.views.common import vault_zone


def _boundary(request: HttpRequest, vault: Vault, name: str) -> Incident | None:
    """The incident a page is keyed from (deleted ones too: they keep their place)."""
    value = request.GET.get(name, "")
    if not value.isdigit() or len(value) > 9:
        return None
    return access.incidents_readable_by(request.user, vault).filter(number=int(value)).first()


@login_required
@require_http_methods(["GET"])
def timeline(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    persons = access.persons_readable_by(request.user, vault)
    form = TimelineFilterForm(request.GET or None, persons=persons)
    chosen = form.to_filter()
    tz = vault_zone(vault)
    incidents = filter_incidents(access.incidents_readable_by(request.user, vault), chosen, tz=tz)
    page = page_of(
        incidents,
        older_than=_boundary(request, vault, "older"),
        newer_than=_boundary(request, vault, "newer"),
        tz=tz,
    )
    if not page.incidents and (request.GET.get("older") or request.GET.get("newer")):
        page = page_of(incidents, tz=tz)  # past either end (things changed): the newest page
    query = request.GET.copy()
    for key in ("older", "newer", "page"):
        query.pop(key, None)
    return render(
        request,
        "vault/timeline.html",
        {
            "vault": vault,
            "nav": "timeline",
            "form": form,
            "page": page,
            "query": query,
            "count": cached_count(incidents, vault, chosen, request.user.pk),
            "filtered": chosen.is_active,
            "channels": dict(Channel.choices),
            "act_labels": {code: act.plain for code, act in ACTS_BY_CODE.items()},
        },
    )
