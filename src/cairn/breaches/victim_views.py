"""The victim's breach pages, under /share/ (docs/adr/0020): "Report a breach of the order"
and "What happened to my reports".

Only the vault's owner reaches them (404 for anyone else). She sees each order in force on a
case she shares her log with, its terms in plain words, and reports an incident from her log
as a breach of one; she sees every breach she reported with what the police recorded about
it, in plain words, including the reason for no further action. The service writes; these
views validate, call it and render.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cairn.breaches import access as breach_access
from cairn.breaches import services as breaches
from cairn.breaches.forms import WHOLE_ORDER, ReportBreachForm
from cairn.breaches.models import Breach
from cairn.breaches.words import NOTHING_YET, outcome_words
from cairn.cases import access as case_access
from cairn.cases.models import Share
from cairn.orders.models import Order
from cairn.orders.words import order_title, order_words, term_words
from cairn.vault import access as vault_access
from cairn.vault.models import Vault
from cairn.web.forms import add_service_errors

SNIPPET = 70


@dataclass(frozen=True)
class OrderInForce:
    share: Share
    order: Order
    recipient: str
    terms: list[str]
    title: str  # "Restraining order", "Interim Stalking Protection Order"...


def _orders(user: Any, vault: Vault) -> list[OrderInForce]:
    return [
        OrderInForce(
            share,
            order,
            str(case_access.recipient_of_share(share)),
            [term_words(t) for t in order.terms.all()],
            order_title(order),
        )
        for share, order in breach_access.orders_for_victim(user, vault)
    ]


def _term_choices(found: list[OrderInForce]) -> list[tuple[str, str]]:
    several = len(found) > 1
    choices = []
    for item in found:
        prefix = f"{order_words(item.order)} ({item.recipient}): " if several else ""
        for term in item.order.terms.all():
            choices.append(
                (f"{item.share.pk}:{item.order.pk}:{term.pk}", prefix + term_words(term))
            )
        choices.append(
            (
                f"{item.share.pk}:{item.order.pk}:{WHOLE_ORDER}",
                prefix + "Something else in the order, or I am not sure which part",
            )
        )
    return choices


def _incident_choices(user: Any, vault: Vault, found: list[OrderInForce]) -> list[tuple[str, str]]:
    """Her incidents since the earliest order in force was made, newest first (a breach can
    only happen while an order has effect)."""
    from cairn.web.templatetags.govuk import when

    if not found:
        return []
    since = min(item.order.made_on for item in found)
    incidents = (
        vault_access.incidents_readable_by(user, vault)
        .filter(deleted_at__isnull=True, start__date__gte=since)
        .order_by("-start", "-number")
    )
    choices = []
    for incident in incidents:
        text = " ".join(incident.description.split())
        if len(text) > SNIPPET:
            text = text[: SNIPPET - 1].rstrip() + "…"
        choices.append(
            (
                str(incident.pk),
                f"Incident {incident.number}, {when(incident, vault.time_zone)}: {text}",
            )
        )
    return choices


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    found = _orders(request.user, vault)
    form = ReportBreachForm(
        request.POST if request.method == "POST" else None,
        initial={"incident": request.GET.get("incident", "")},
        term_choices=_term_choices(found),
        incident_choices=_incident_choices(request.user, vault, found),
    )
    if request.method == "POST" and found and form.is_valid():
        share_id, order_id, term_id = form.chosen()
        item = next(i for i in found if str(i.share.pk) == share_id and str(i.order.pk) == order_id)
        term = next((t for t in item.order.terms.all() if str(t.pk) == term_id), None)
        incident = vault_access.get_incident_for_user(request.user, form.cleaned_data["incident"])
        try:
            breach = breaches.report_breach(
                actor=request.user,
                vault=vault,
                incident=incident,
                share=item.share,
                order=item.order,
                term=term,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"order": "term", "share": "term"})
        else:
            messages.success(request, f"Your report is sent to {item.recipient}.")
            return redirect("breaches:victim-breach", vault.pk, breach.pk)
    return render(
        request,
        "breaches/victim_report.html",
        {
            "vault": vault,
            "nav": "sharing",
            "form": form,
            "orders": found,
        },
        status=400 if form.errors else 200,
    )


@dataclass(frozen=True)
class ReportRow:
    breach: Breach
    recipient: str
    order: str
    term: str
    outcomes: list[tuple[Any, str, str]]  # (date, in words, reason)
    latest: str


def _row(breach: Breach) -> ReportRow:
    outcomes = [(o.on, outcome_words(o.outcome), o.reason) for o in breach.outcomes.all()]
    case = breach.case
    return ReportRow(
        breach=breach,
        recipient=f"{case.unit.name}, {case.organisation.name}",
        order=order_words(breach.order),
        term=term_words(breach.term)
        if breach.term is not None
        else "You did not say which part of the order.",
        outcomes=outcomes,
        latest=outcomes[-1][1] if outcomes else NOTHING_YET,
    )


@login_required
@require_GET
def reports(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    rows = [_row(b) for b in breach_access.breaches_reported_by(request.user, vault)]
    return render(
        request,
        "breaches/victim_reports.html",
        {
            "vault": vault,
            "nav": "sharing",
            "rows": rows,
            "can_report": bool(breach_access.orders_for_victim(request.user, vault)),
        },
    )


@login_required
@require_GET
def report_page(request: HttpRequest, vault_id: str, breach_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    breach = breach_access.get_reported_breach(request.user, vault, breach_id)
    return render(
        request,
        "breaches/victim_report_page.html",
        {
            "vault": vault,
            "nav": "sharing",
            "row": _row(breach),
            "terms": [term_words(t) for t in breach.order.terms.all()],
        },
    )
