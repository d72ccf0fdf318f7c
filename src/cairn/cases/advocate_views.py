"""The advocate's pages: the logs victims shared with them, within the scope each chose.

An advocate (a stalking advocate, a charity caseworker) has no cases; a victim shares with
them directly by a code they give her. Content is shown only after the advocate says why they
are looking, and every look goes through ``cairn.cases.access.shared_*``, which audits it, so
the victim's "Who has looked at my log" page lists it. Anything not shared is 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cairn.accounts.models import Role
from cairn.cases import access
from cairn.cases.forms import PurposeForm
from cairn.cases.models import Purpose
from cairn.law.pha1997 import ACTS_BY_CODE


def _advocate(request: HttpRequest) -> None:
    membership = access.membership_of(request.user)
    if membership is None or membership.role != Role.ADVOCATE:
        raise Http404("No such page")


def _purpose_key(vault_pk: Any) -> str:
    return f"purpose:vault:{vault_pk}"


@login_required
@require_http_methods(["GET"])
def shared_logs(request: HttpRequest) -> HttpResponse:
    _advocate(request)
    shares = (
        access.shares_visible_to(request.user)
        .select_related("vault", "vault__owner")
        .order_by("-created_at")
    )
    return render(request, "cases/advocate_list.html", {"nav": "shared", "shares": shares})


@login_required
@require_http_methods(["GET", "POST"])
def shared_log(request: HttpRequest, vault_id: str) -> HttpResponse:
    _advocate(request)
    vault = access.get_shared_vault(request.user, vault_id)
    key = _purpose_key(vault.pk)
    if request.method == "POST":
        form = PurposeForm(request.POST)
        if form.is_valid():
            request.session[key] = form.cleaned_data["purpose"]
            return redirect("advocacy:log", vault.pk)
    else:
        form = PurposeForm(initial={"purpose": request.session.get(key)})
    purpose = request.session.get(key) if request.method == "GET" else None
    context: dict[str, Any] = {
        "nav": "shared",
        "shared_vault": vault,
        "owner": vault.owner,
        "purpose_form": form,
        "purpose": purpose,
        "purpose_label": Purpose(purpose).label if purpose else "",
    }
    if purpose in Purpose.values:
        incidents = access.shared_incidents(request.user, vault, purpose=purpose)
        exhibits = access.shared_exhibits(request.user, vault, purpose=purpose)
        by_incident: dict[Any, list[Any]] = {}
        for exhibit in exhibits:
            by_incident.setdefault(exhibit.incident_id, []).append(exhibit)
        context["incidents"] = [
            {
                "incident": i,
                "exhibits": by_incident.get(i.pk, []),
                "acts": [ACTS_BY_CODE[c].label if c in ACTS_BY_CODE else c for c in i.act_codes],
            }
            for i in incidents
        ]
        context["loose_exhibits"] = by_incident.get(None, [])
    status = 400 if form.errors else 200
    return render(request, "cases/advocate_log.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def give_code(request: HttpRequest) -> HttpResponse:
    """A one-use code for the person the advocate supports, shown once."""
    from cairn.cases import services

    _advocate(request)
    code = services.issue_share_code(actor=request.user)
    return render(
        request,
        "cases/advocate_code.html",
        {"nav": "shared", "code": code, "days": services.CODE_LIFETIME.days},
    )
