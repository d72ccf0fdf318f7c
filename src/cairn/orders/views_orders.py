"""The officer's pages for an SPO as made (``orders:spo-order*``): recording the order the
court made (interim or full, terms as asked or as made), the order page (service, the s.9
notification, the renewal review), variation and renewal (s.4); and the deadlines: the
unit's page (``orders:deadlines``) and the case page's list. Who may see them, and how
refusals look, as in ``views_applications``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.cases.models import Case
from cairn.cases.officers import officer_membership
from cairn.orders import changes, rules, services
from cairn.orders.calendar import unit_deadlines
from cairn.orders.deadlines import deadline_rows
from cairn.orders.forms import (
    ChangeForm,
    DischargeForm,
    NotifiedForm,
    OrderForm,
    RegisterForm,
    RenewForm,
    RenewInterimForm,
    ReviewForm,
    ServedForm,
    VaryForm,
)
from cairn.orders.models import ApplicationStatus, Order, OrderKind
from cairn.orders.term_forms import term_initial, term_rows, term_specs
from cairn.orders.views_applications import (
    _act,
    _allowed_steps,
    _application,
    _errors,
    _order,
    with_zone_previews,
)
from cairn.orders.views_notification import notification_rows
from cairn.orders.words import notification_facts, order_title
from cairn.web.forms import posted_data

# --- the order as made ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest, case_id: str, application_id: str) -> HttpResponse:
    case, application = _application(request, case_id, application_id)
    data = posted_data(request)
    kind = request.GET.get("kind")
    form = OrderForm(
        data,
        initial={
            "kind": kind if kind in OrderKind.values else None,
            "as_asked": "yes",
            "duration_months": application.duration_months,
            "until_further_order": application.until_further_order,
        },
    )
    rows = term_rows(data, [term_initial(t) for t in application.terms.all()])
    status = 200
    if data is not None:
        if data.get("action") == "save" and data.get("remove") is None:
            specs = term_specs(rows)
            if form.is_valid() and specs is not None:
                d = form.cleaned_data
                full = d["kind"] == OrderKind.FULL
                order = _act(
                    lambda: services.record_order(
                        actor=request.user,
                        application=application,
                        kind=d["kind"],
                        made_on=d["made_on"],
                        terms=None if d["as_asked"] == "yes" else specs,
                        duration_months=d["duration_months"] if full else None,
                        until_further_order=d["until_further_order"] if full else False,
                        ends_on=d["ends_on"],
                        note=d["note"],
                    ),
                    form,
                    {"status": "kind"},
                )
                if order is not None:
                    messages.success(request, f"{order.get_kind_display()} recorded")
                    return redirect("orders:spo-order", case.pk, order.pk)
            status = 400
        else:
            form.is_valid()
    return render(
        request,
        "orders/order_new.html",
        {
            "nav": "cases",
            "case": case,
            "application": application,
            "form": form,
            "rows": rows,
            "errors": _errors(form, *[r for r in rows if r.is_bound]) if status == 400 else [],
        },
        status=status,
    )


def order_steps(order: Order) -> dict[str, bool]:
    """Which of vary, renew and discharge the order's page offers: the current order of a
    track where it stands (s.4 for a full order, s.5(7) for an interim one)."""
    application = order.application
    current = order in services.current_orders(application.orders.all())
    if order.kind == OrderKind.INTERIM:
        # Offered by the stored step, not today's: a renewal made before the order lapsed may
        # be recorded after; the service checks it against the day of the decision.
        stored = application.interim_status
        allowed = (
            [
                s
                for s in rules.INTERIM_TRANSITIONS.get(stored, ())
                if rules.can_move_interim(stored, s, main_status=application.status)
            ]
            if current
            else []
        )
        names = (
            ApplicationStatus.INTERIM_VARIED,
            ApplicationStatus.INTERIM_RENEWED,
            ApplicationStatus.INTERIM_DISCHARGED,
        )
    else:
        allowed = _allowed_steps(application) if current else []
        names = (ApplicationStatus.VARIED, ApplicationStatus.RENEWED, ApplicationStatus.DISCHARGED)
    return {
        "current": current,
        "can_vary": names[0] in allowed,
        "can_renew": names[1] in allowed,
        "can_discharge": names[2] in allowed,
    }


def _order_page(request: HttpRequest, case: Case, order: Order, **forms: Any) -> HttpResponse:
    application = order.application
    today = timezone.localdate()
    served = forms.get("served_form") or ServedForm(initial={"served_on": order.served_on})
    review = forms.get("review_form") or ReviewForm(
        initial={"renewal_review_on": order.renewal_review_on}
    )
    asked = with_zone_previews(application.terms.all(), "asked")
    made = with_zone_previews(order.terms.all(), "made")
    return render(
        request,
        "orders/order.html",
        {
            "nav": "cases",
            "case": case,
            "application": application,
            "order": order,
            "asked": asked,
            "made": made,
            "today": today,
            "served_form": served,
            "review_form": review,
            "errors": _errors(served, review),
            "notifications": [
                {
                    **row,
                    "form": NotifiedForm(auto_id=f"n{n}_%s")
                    if row["event"].notified_on is None
                    else None,
                }
                for n, row in enumerate(notification_rows(order))
            ],
            "change_form": ChangeForm(auto_id="change_%s"),
            "register_form": RegisterForm(
                auto_id="register_%s",
                initial={
                    "subject": application.sex_offender_notification,
                    "ended_on": application.sex_offender_notification_ended_on,
                },
            ),
            **order_steps(order),
            "last_day": services.last_day_of_effect(order),
            "kind": rules.order_type(application.order_type),
            "title": order_title(order),
            "notification": notification_facts(order),
            "notification_late": bool(
                order.notification_due and not order.notified_on and order.notification_due < today
            ),
        },
        status=400 if any(f.errors for f in (served, review) if f.is_bound) else 200,
    )


@login_required
@require_GET
def order_page(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    case, order = _order(request, case_id, order_id)
    return _order_page(request, case, order)


def _order_form_post(
    request: HttpRequest,
    case_id: str,
    order_id: str,
    form_class: Any,
    key: str,
    act: Any,
    done: str,
) -> HttpResponse:
    case, order = _order(request, case_id, order_id)
    form = form_class(request.POST)
    if form.is_valid() and _act(lambda: act(order, form.cleaned_data), form) is not None:
        messages.success(request, done)
        return redirect("orders:spo-order", case.pk, order.pk)
    return _order_page(request, case, order, **{key: form})


@login_required
@require_POST
def order_served(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    return _order_form_post(
        request,
        case_id,
        order_id,
        ServedForm,
        "served_form",
        lambda order, d: services.record_service(
            actor=request.user, order=order, served_on=d["served_on"]
        ),
        "Service recorded",
    )


@login_required
@require_POST
def order_review(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    return _order_form_post(
        request,
        case_id,
        order_id,
        ReviewForm,
        "review_form",
        lambda order, d: services.set_renewal_review(
            actor=request.user, order=order, review_on=d["renewal_review_on"]
        ),
        "Renewal review date saved",
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_vary(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    case, order = _order(request, case_id, order_id)
    data = posted_data(request)
    form = VaryForm(data)
    rows = term_rows(data, [term_initial(t) for t in order.terms.all()])
    status = 200
    if data is not None:
        if data.get("action") == "save" and data.get("remove") is None:
            specs = term_specs(rows)
            if form.is_valid() and specs is not None:
                d = form.cleaned_data
                varied = _act(
                    lambda: changes.vary_order(
                        actor=request.user,
                        order=order,
                        varied_on=d["varied_on"],
                        terms=specs,
                        applicant=d["applicant"],
                        note=d["note"],
                        victim_informed_on=d["victim_informed_on"],
                    ),
                    form,
                    {"order": "varied_on", "status": "varied_on"},
                )
                if varied is not None:
                    messages.success(request, "Variation recorded")
                    return redirect("orders:spo-order", case.pk, varied.pk)
            status = 400
        else:
            form.is_valid()
    return render(
        request,
        "orders/order_change.html",
        {
            "nav": "cases",
            "case": case,
            "order": order,
            "form": form,
            "rows": rows,
            "title": "Record a variation",
            "button": "Record the variation",
            "intro": "The court varied the order (s.4; an interim order under s.5(7)). Give "
            "the terms as varied: the varied order ends when the order it replaces "
            "would have ended. A variation is not a new order: no new notification.",
            "errors": _errors(form, *[r for r in rows if r.is_bound]) if status == 400 else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_renew(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    case, order = _order(request, case_id, order_id)
    interim = order.kind == OrderKind.INTERIM
    form: Any = (
        RenewInterimForm(posted_data(request), initial={"ends_on": order.expires_on})
        if interim
        else RenewForm(
            posted_data(request),
            initial={
                "duration_months": order.duration_months,
                "until_further_order": order.until_further_order,
            },
        )
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        renewed = _act(
            lambda: changes.renew_order(
                actor=request.user,
                order=order,
                renewed_on=d["renewed_on"],
                duration_months=d.get("duration_months"),
                until_further_order=d.get("until_further_order", False),
                ends_on=d.get("ends_on"),
                applicant=d["applicant"],
                note=d["note"],
                victim_informed_on=d["victim_informed_on"],
            ),
            form,
            {"order": "renewed_on", "status": "renewed_on"},
        )
        if renewed is not None:
            messages.success(request, "Renewal recorded")
            return redirect("orders:spo-order", case.pk, renewed.pk)
    intro = (
        "The court renewed (extended) the interim order (s.5(7)-(8)), usually because "
        "the hearing was adjourned. Give its new last day."
        if interim
        else "The court renewed the order (s.4) with the same terms, for a new period from "
        "the day of the renewal."
    )
    return render(
        request,
        "orders/order_change.html",
        {
            "nav": "cases",
            "case": case,
            "order": order,
            "form": form,
            "rows": None,
            "title": "Record a renewal",
            "button": "Record the renewal",
            "intro": intro,
            "errors": _errors(form),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_discharge(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    """The court discharged the order (s.4; an interim order under s.5(7)-(8)). Within two
    years of the day a full order was made, the defendant's and the chief officer's consent
    are recorded (the service refuses the discharge without them)."""
    case, order = _order(request, case_id, order_id)
    form = DischargeForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _act(
            lambda: changes.discharge_order(
                actor=request.user,
                order=order,
                discharged_on=d["discharged_on"],
                applicant=d["applicant"],
                consent_defendant=d["consent_defendant"],
                consent_chief_officer=d["consent_chief_officer"],
                note=d["note"],
                victim_informed_on=d["victim_informed_on"],
            ),
            form,
            {"order": "discharged_on", "status": "discharged_on"},
        )
        if done is not None:
            messages.success(request, "Discharge recorded")
            return redirect("orders:spo-order", case.pk, order.pk)
    full = order.kind == OrderKind.FULL
    two_years = rules.add_months(changes.first_made_on(order), rules.DISCHARGE_CONSENT_MONTHS)
    intro = (
        "The court discharged the order (s.4). Until "
        f"{two_years.day} {two_years:%B %Y} (two years from the day it was made) it can "
        "be discharged only with the consent of both the defendant and the chief "
        "officer: record them."
        if full
        else "The court discharged the interim order (s.5(7)-(8)). The main application "
        "stays alive."
    )
    return render(
        request,
        "orders/order_change.html",
        {
            "nav": "cases",
            "case": case,
            "order": order,
            "form": form,
            "rows": None,
            "title": "Record a discharge",
            "button": "Record the discharge",
            "intro": intro,
            "errors": _errors(form),
        },
        status=400 if form.errors else 200,
    )


# --- the unit's deadlines ---------------------------------------------------------------------


@login_required
@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    membership = officer_membership(request)
    today = timezone.localdate()
    # A notification done is no longer a deadline to chase.
    found = [d for d in unit_deadlines(request.user) if not d.summary.endswith("(notified)")]
    return render(
        request,
        "orders/deadlines.html",
        {
            "nav": "cases",
            "unit": membership.unit,
            "rows": deadline_rows(found, today),
            "today": today,
        },
    )
