"""The officer's breach pages, under /cases/<case>/breaches/ (docs/adr/0020): record a breach,
the breach's page (the order and term, the victim's incident read through the audited shared
read, the outcomes), record an outcome, download the breach pack for the prosecutor, and
record a failure to notify (s.11) from the order page.

Who: the investigators and supervisors of the case's unit; anyone else gets 404, and so does
a breach looked up through another case's address. The victim's incident is read with the
purpose the officer chose for the case (``cases.purpose.purpose_for``); the pack reads her
evidence with the purpose "court". Titles and URLs carry ids only.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cairn.breaches import access as breach_access
from cairn.breaches import services as breaches
from cairn.breaches.forms import WHOLE_ORDER, FailureForm, OutcomeForm, RecordBreachForm
from cairn.breaches.models import Breach
from cairn.breaches.pack import BreachPackError, build_breach_pack
from cairn.cases import access as case_access
from cairn.cases.models import Case
from cairn.cases.purpose import purpose_context, purpose_for
from cairn.orders.access import get_case_order_for_user, get_notification, orders_readable_by
from cairn.orders.models import Order
from cairn.orders.words import order_words, term_label
from cairn.web.forms import add_service_errors, posted_data
from cairn.web.templatetags.govuk import govuk_error_summary


def _case_orders(request: HttpRequest, case: Case) -> list[Order]:
    return list(
        orders_readable_by(request.user)
        .filter(application__case=case)
        .prefetch_related("terms")
        .order_by("made_on", "created_at")
    )


def _term_choices(found: list[Order]) -> list[tuple[str, str]]:
    choices = []
    for order in found:
        for n, term in enumerate(order.terms.all(), start=1):
            choices.append(
                (f"{order.pk}:{term.pk}", f"{order_words(order)}: term {n}, {term_label(term)}")
            )
        choices.append(
            (
                f"{order.pk}:{WHOLE_ORDER}",
                f"{order_words(order)}: the order as a whole (no single term)",
            )
        )
    return choices


def _form_page(
    request: HttpRequest,
    case: Case,
    form: Any,
    *,
    title: str,
    button: str,
    back: str,
    intro: str = "",
) -> HttpResponse:
    return render(
        request,
        "cases/case_form.html",
        {
            "nav": "cases",
            "case": case,
            "form": form,
            "title": title,
            "button": button,
            "intro": intro,
            "back": back,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def breach_new(request: HttpRequest, case_id: str) -> HttpResponse:
    case = case_access.get_case_for_user(request.user, case_id)
    found = _case_orders(request, case)
    form = RecordBreachForm(posted_data(request), term_choices=_term_choices(found))
    if not found:
        return render(request, "breaches/no_order.html", {"nav": "cases", "case": case})
    if request.method == "POST" and form.is_valid():
        order_id, term_id = form.chosen()
        order = next(o for o in found if str(o.pk) == order_id)
        term = next((t for t in order.terms.all() if str(t.pk) == term_id), None)
        try:
            breach = breaches.record_breach(
                actor=request.user,
                case=case,
                order=order,
                term=term,
                occurred_at=form.occurred_at(),
                account=form.cleaned_data["account"],
                crime_reference=form.cleaned_data["crime_reference"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"occurred_at": "day", "order": "term"})
        else:
            messages.success(request, "Breach recorded")
            return redirect("breaches:breach", case.pk, breach.pk)
    return _form_page(
        request,
        case,
        form,
        title="Record a breach",
        button="Record the breach",
        back=reverse("cases:case", args=[case.pk]) + "#breaches",
        intro="Breaching an order without reasonable excuse is an offence "
        "(Stalking Protection Act 2019, s.8): record every breach.",
    )


def _incident_read(
    request: HttpRequest, case: Case, breach: Breach, purpose: str | None
) -> dict[str, Any]:
    """The victim's incident, through the audited shared read (nothing without a purpose,
    or once she no longer shares it)."""
    if breach.vault is None or breach.incident_id is None or purpose is None:
        return {"incident": None, "still_shared": True}
    try:
        vault = case_access.get_shared_vault(request.user, breach.vault_id, case)
        incident = case_access.get_shared_incident(
            request.user, vault, breach.incident_id, purpose=purpose, case=case
        )
    except Http404:
        return {"incident": None, "still_shared": False}
    return {
        "incident": incident,
        "still_shared": True,
        "shared_vault": vault,
        "incident_url": reverse("cases:incident", args=[case.pk, vault.pk, incident.pk]),
    }


@login_required
@require_GET
def breach_page(request: HttpRequest, case_id: str, breach_id: str) -> HttpResponse:
    case = case_access.get_case_for_user(request.user, case_id)
    breach = breach_access.get_breach_for_user(request.user, case, breach_id)
    purpose = purpose_for(request, case)
    terms = list(breach.order.terms.all())
    return render(
        request,
        "breaches/breach_page.html",
        {
            "nav": "cases",
            "case": case,
            "breach": breach,
            "order_words": order_words(breach.order),
            "terms": [(t.pk == breach.term_id, term_label(t)) for t in terms],
            "term": term_label(breach.term) if breach.term is not None else "",
            "outcomes": list(breach.outcomes.select_related("by")),
            "form": OutcomeForm(),
            "needs_purpose": breach.vault_id is not None,
            **purpose_context(request, case, purpose),
            **_incident_read(request, case, breach, purpose),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def breach_outcome(request: HttpRequest, case_id: str, breach_id: str) -> HttpResponse:
    case = case_access.get_case_for_user(request.user, case_id)
    breach = breach_access.get_breach_for_user(request.user, case, breach_id)
    form = OutcomeForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            breaches.record_outcome(actor=request.user, breach=breach, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Outcome recorded")
            return redirect("breaches:breach", case.pk, breach.pk)
    return _form_page(
        request,
        case,
        form,
        title="Record an outcome",
        button="Record the outcome",
        back=reverse("breaches:breach", args=[case.pk, breach.pk]),
        intro="Outcomes are added to the breach's history and cannot be changed. "
        "The victim who reported the breach sees each outcome and the "
        "reason for no further action.",
    )


@login_required
@require_GET
def breach_pack(request: HttpRequest, case_id: str, breach_id: str) -> HttpResponse:
    case = case_access.get_case_for_user(request.user, case_id)
    breach = breach_access.get_breach_for_user(request.user, case, breach_id)
    work = Path(tempfile.mkdtemp(prefix="cairn-breach-web-"))
    try:
        result = build_breach_pack(actor=request.user, breach=breach, out_dir=work)
        handle = result.path.open("rb")
    except BreachPackError as exc:
        shutil.rmtree(work, ignore_errors=True)
        return render(
            request,
            "breaches/pack_refused.html",
            {"nav": "cases", "case": case, "breach": breach, "reason": str(exc)},
            status=409,
        )
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    # The open handle keeps the bytes readable until the response is sent.
    shutil.rmtree(work, ignore_errors=True)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=result.path.name,
        content_type="application/zip" if result.zipped else "application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def notification_failure(
    request: HttpRequest, case_id: str, order_id: str, event_id: str
) -> HttpResponse:
    """A notification not given by its last day, or given late: an offence (s.11), recorded
    as a breach so it has outcomes and a pack. Reached from the order page."""
    case = case_access.get_case_for_user(request.user, case_id)
    order = get_case_order_for_user(request.user, case, order_id)
    event = get_notification(order, event_id)
    form = FailureForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            breach = breaches.record_failure(
                actor=request.user,
                event=event,
                account=form.cleaned_data["account"],
                crime_reference=form.cleaned_data["crime_reference"],
            )
        except PermissionDenied:
            raise Http404("No such page") from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Failure to notify recorded")
            return redirect("breaches:breach", case.pk, breach.pk)
    return render(
        request,
        "breaches/notification_failure.html",
        {
            "nav": "cases",
            "case": case,
            "order": order,
            "event": event,
            "form": form,
            "errors": govuk_error_summary(form)["errors"],
        },
        status=400 if form.errors else 200,
    )
