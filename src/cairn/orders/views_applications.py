"""The officer's SPO pages, under a case (``cases:spo-*``): start an application, the draft
editor, the application page with its lifecycle, recording the order as made, the order page
(service, s.9 notification, renewal review), variation and renewal, and the download of the
application's PDF with the evidence pack. The unit's deadlines page is ``deadlines``.

Who: the investigators and supervisors of the case's unit (``cairn.orders.access``); anyone
else, and any application or order reached through another case's address, gets 404. The
services decide what is valid; their errors go back on the form with status 400 and nothing
saved. URLs and titles carry ids and case references only."""

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
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.cases import access as case_access
from cairn.cases.models import Case
from cairn.cases.views import officer_membership, posted_data
from cairn.orders import access, rules, services
from cairn.orders.calendar import unit_deadlines
from cairn.orders.forms import (
    RECORDED_BY_ORDER,
    ApplicationForm,
    NotifiedForm,
    OrderForm,
    RenewForm,
    ReviewForm,
    ServedForm,
    StatusForm,
    VaryForm,
    application_initial,
    term_initial,
    term_rows,
    term_specs,
)
from cairn.orders.models import Application, ApplicationStatus, Order, OrderKind
from cairn.vault.forms import add_service_errors
from cairn.web.templatetags.govuk import govuk_error_summary

SOON_DAYS = 7


# --- finding things ---------------------------------------------------------------------------

def _application(request: HttpRequest, case_id: str, application_id: str
                 ) -> tuple[Case, Application]:
    case = case_access.get_case_for_user(request.user, case_id)
    application = access.get_application_for_user(request.user, application_id)
    if application.case_id != case.pk:
        raise Http404("No such application")
    return case, application


def _order(request: HttpRequest, case_id: str, order_id: str) -> tuple[Case, Order]:
    case = case_access.get_case_for_user(request.user, case_id)
    order = access.get_order_for_user(request.user, order_id)
    if order.application.case_id != case.pk:
        raise Http404("No such order")
    return case, order


def _errors(*forms: Any) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for form in forms:
        found += govuk_error_summary(form)["errors"]
    return found


def _act(call: Any, form: Any, field_map: dict[str, str] | None = None) -> Any:
    """Run a service; its ValidationError goes on ``form`` (None returned), a refusal is 404."""
    try:
        return call()
    except PermissionDenied:
        raise Http404("No such page") from None
    except ValidationError as exc:
        add_service_errors(form, exc, field_map)
        return None


# --- starting and editing ---------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest, case_id: str) -> HttpResponse:
    """A confirmation, then a draft whose grounds are prefilled from the shared evidence: the
    page says the evidence is read for an SPO application (the purpose audited)."""
    case = case_access.get_case_for_user(request.user, case_id)
    if request.method == "POST":
        try:
            application = services.start_application(actor=request.user, case=case,
                                                     duration_months=rules.MIN_FIXED_MONTHS)
        except PermissionDenied:
            raise Http404("No such page") from None
        messages.success(request, "Draft application started. Check the grounds and add the "
                                  "terms.")
        return redirect("cases:spo-edit", case.pk, application.pk)
    shares = case_access.shares_visible_to(request.user).filter(case=case).count()
    return render(request, "orders/application_new.html", {
        "nav": "cases", "case": case, "shares": shares})


def _term_labels() -> dict[str, str]:
    from cairn.orders.models import TermKind
    return dict(TermKind.choices)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, case_id: str, application_id: str) -> HttpResponse:
    case, application = _application(request, case_id, application_id)
    if application.status != ApplicationStatus.DRAFT:
        messages.info(request, "Only a draft can be changed.")
        return redirect("cases:spo-application", case.pk, application.pk)
    data = posted_data(request)
    form = ApplicationForm(data, initial=application_initial(application))
    rows = term_rows(data, [term_initial(t) for t in application.terms.all()])
    status = 200
    if data is not None:
        action = data.get("action")
        if action == "save" and data.get("remove") is None:
            specs = term_specs(rows)
            if form.is_valid() and specs is not None:
                saved = _act(lambda: services.update_application(
                    actor=request.user, application=application, terms=specs,
                    duration_months=form.cleaned_data["duration_months"],
                    until_further_order=form.cleaned_data["until_further_order"],
                    interim_requested=form.cleaned_data["interim_requested"],
                    interim_reasoning=form.cleaned_data["interim_reasoning"],
                    grounds=form.grounds(application.grounds)), form,
                    {"grounds": "ground_s1_1_a"})
                if saved is not None:
                    messages.success(request, "Draft saved")
                    return redirect("cases:spo-application", case.pk, application.pk)
            status = 400
        else:
            form = ApplicationForm(data)  # re-shown with one row more or fewer
            form.is_valid()
    errors = _errors(form, *[row for row in rows if row.is_bound]) if status == 400 else []
    return render(request, "orders/application_edit.html", {
        "nav": "cases", "case": case, "application": application, "form": form,
        "rows": rows, "errors": errors, "limbs": _limbs(case, application)},
        status=status)


def _limbs(case: Case, application: Application) -> list[dict[str, Any]]:
    """Each ground with its evidence as links to the shared incident pages."""
    found = []
    for key, title in services.LIMBS.items():
        ground = application.grounds.get(key) or {}
        evidence = []
        for item in ground.get("evidence") or []:
            evidence.append({"vault": item["vault"], "incidents": item["incidents"]})
        found.append({"key": key, "title": title, "text": ground.get("text", ""),
                      "evidence": evidence})
    return found


def _evidence_links(request: HttpRequest, case: Case, limbs: list[dict[str, Any]]) -> None:
    """The incident numbers cited, as links to the shared incident pages (numbers to ids of
    the incidents this officer may read; a number no longer shared stays a plain number)."""
    from cairn.vault.models import Incident

    for limb in limbs:
        for item in limb["evidence"]:
            try:
                vault = case_access.get_shared_vault(request.user, item["vault"], case)
            except Http404:
                item["links"] = [{"number": n, "href": ""} for n in item["incidents"]]
                continue
            scope = case_access.scope_for(request.user, vault, case)
            live = Incident.objects.filter(vault=vault, number__in=item["incidents"],
                                           deleted_at__isnull=True)
            if not scope.everything:
                live = live.filter(pk__in=scope.incident_ids)
            ids = dict(live.values_list("number", "id"))
            item["links"] = [{"number": n, "href": reverse(
                "cases:incident", args=[case.pk, vault.pk, ids[n]]) if n in ids else ""}
                for n in item["incidents"]]


# --- the application page ---------------------------------------------------------------------

def _allowed_steps(application: Application) -> list[str]:
    return [s for s in rules.TRANSITIONS.get(application.status, ())
            if rules.can_move(application.status, s,
                              interim_requested=application.interim_requested)]


def _application_page(request: HttpRequest, case: Case, application: Application,
                      status_form: StatusForm | None = None) -> HttpResponse:
    allowed = _allowed_steps(application)
    recorded_here = [s for s in allowed if s not in RECORDED_BY_ORDER]
    if status_form is None and recorded_here:
        status_form = StatusForm(allowed=recorded_here)
    limbs = _limbs(case, application)
    _evidence_links(request, case, limbs)
    orders = list(application.orders.prefetch_related("terms"))
    return render(request, "orders/application.html", {
        "nav": "cases", "case": case, "application": application, "limbs": limbs,
        "terms": list(application.terms.all()), "labels": _term_labels(),
        "changes": list(application.status_changes.select_related("by")),
        "orders": orders, "current": services.current_orders(orders),
        "status_form": status_form if recorded_here else None,
        "errors": _errors(status_form) if status_form is not None else [],
        "can_record_interim": ApplicationStatus.INTERIM_GRANTED in allowed,
        "can_record_full": ApplicationStatus.GRANTED in allowed,
        "editable": application.status == ApplicationStatus.DRAFT},
        status=400 if status_form is not None and status_form.errors else 200)


@login_required
@require_GET
def application_page(request: HttpRequest, case_id: str, application_id: str) -> HttpResponse:
    case, application = _application(request, case_id, application_id)
    return _application_page(request, case, application)


@login_required
@require_POST
def application_status(request: HttpRequest, case_id: str, application_id: str
                       ) -> HttpResponse:
    case, application = _application(request, case_id, application_id)
    allowed = [s for s in _allowed_steps(application) if s not in RECORDED_BY_ORDER]
    form = StatusForm(request.POST, allowed=allowed)
    if form.is_valid():
        data = form.cleaned_data
        done = _act(lambda: services.change_status(
            actor=request.user, application=application, status=data["status"],
            note=data["note"], hearing_on=data["hearing_on"]), form)
        if done is not None:
            messages.success(request, f"Recorded: {ApplicationStatus(data['status']).label}")
            return redirect("cases:spo-application", case.pk, application.pk)
    return _application_page(request, case, application, form)


# --- the order as made ------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest, case_id: str, application_id: str) -> HttpResponse:
    case, application = _application(request, case_id, application_id)
    data = posted_data(request)
    kind = request.GET.get("kind")
    form = OrderForm(data, initial={
        "kind": kind if kind in OrderKind.values else None, "as_asked": "yes",
        "duration_months": application.duration_months,
        "until_further_order": application.until_further_order})
    rows = term_rows(data, [term_initial(t) for t in application.terms.all()])
    status = 200
    if data is not None:
        if data.get("action") == "save" and data.get("remove") is None:
            specs = term_specs(rows)
            if form.is_valid() and specs is not None:
                d = form.cleaned_data
                full = d["kind"] == OrderKind.FULL
                order = _act(lambda: services.record_order(
                    actor=request.user, application=application, kind=d["kind"],
                    made_on=d["made_on"], terms=None if d["as_asked"] == "yes" else specs,
                    duration_months=d["duration_months"] if full else None,
                    until_further_order=d["until_further_order"] if full else False,
                    ends_on=d["ends_on"], note=d["note"]), form, {"status": "kind"})
                if order is not None:
                    messages.success(request, f"{order.get_kind_display()} recorded")
                    return redirect("cases:spo-order", case.pk, order.pk)
            status = 400
        else:
            form.is_valid()
    return render(request, "orders/order_new.html", {
        "nav": "cases", "case": case, "application": application, "form": form,
        "rows": rows, "errors": _errors(form, *[r for r in rows if r.is_bound])
        if status == 400 else []}, status=status)


def _order_page(request: HttpRequest, case: Case, order: Order, **forms: Any) -> HttpResponse:
    application = order.application
    today = timezone.localdate()
    served = forms.get("served_form") or ServedForm(initial={"served_on": order.served_on})
    notified = forms.get("notified_form") or NotifiedForm(
        initial={"notified_on": order.notified_on})
    review = forms.get("review_form") or ReviewForm(
        initial={"renewal_review_on": order.renewal_review_on})
    siblings = list(application.orders.all())
    current = order in services.current_orders(siblings)
    asked = list(application.terms.all())
    made = list(order.terms.all())
    in_force_steps = _allowed_steps(application)
    return render(request, "orders/order.html", {
        "nav": "cases", "case": case, "application": application, "order": order,
        "asked": asked, "made": made, "labels": _term_labels(), "today": today,
        "served_form": served, "notified_form": notified, "review_form": review,
        "errors": _errors(served, notified, review),
        "current": current,
        "can_vary": current and order.kind == OrderKind.FULL
        and ApplicationStatus.VARIED in in_force_steps,
        "can_renew": current and order.kind == OrderKind.FULL
        and ApplicationStatus.RENEWED in in_force_steps,
        "notification_late": bool(order.notification_due and not order.notified_on
                                  and order.notification_due < today)},
        status=400 if any(f.errors for f in (served, notified, review) if f.is_bound)
        else 200)


@login_required
@require_GET
def order_page(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    case, order = _order(request, case_id, order_id)
    return _order_page(request, case, order)


def _order_form_post(request: HttpRequest, case_id: str, order_id: str, form_class: Any,
                     key: str, act: Any, done: str) -> HttpResponse:
    case, order = _order(request, case_id, order_id)
    form = form_class(request.POST)
    if form.is_valid() and _act(lambda: act(order, form.cleaned_data), form) is not None:
        messages.success(request, done)
        return redirect("cases:spo-order", case.pk, order.pk)
    return _order_page(request, case, order, **{key: form})


@login_required
@require_POST
def order_served(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    return _order_form_post(
        request, case_id, order_id, ServedForm, "served_form",
        lambda order, d: services.record_service(actor=request.user, order=order,
                                                 served_on=d["served_on"]),
        "Service recorded")


@login_required
@require_POST
def order_notified(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    return _order_form_post(
        request, case_id, order_id, NotifiedForm, "notified_form",
        lambda order, d: services.record_notification(actor=request.user, order=order,
                                                      notified_on=d["notified_on"]),
        "Notification recorded")


@login_required
@require_POST
def order_review(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    return _order_form_post(
        request, case_id, order_id, ReviewForm, "review_form",
        lambda order, d: services.set_renewal_review(actor=request.user, order=order,
                                                     review_on=d["renewal_review_on"]),
        "Renewal review date saved")


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
                varied = _act(lambda: services.vary_order(
                    actor=request.user, order=order, varied_on=form.cleaned_data["varied_on"],
                    terms=specs, note=form.cleaned_data["note"]), form,
                    {"order": "varied_on", "status": "varied_on"})
                if varied is not None:
                    messages.success(request, "Variation recorded")
                    return redirect("cases:spo-order", case.pk, varied.pk)
            status = 400
        else:
            form.is_valid()
    return render(request, "orders/order_change.html", {
        "nav": "cases", "case": case, "order": order, "form": form, "rows": rows,
        "title": "Record a variation", "button": "Record the variation",
        "intro": "The court varied the order (s.4). Give the terms as varied: the varied "
                 "order ends when the order it replaces would have ended.",
        "errors": _errors(form, *[r for r in rows if r.is_bound]) if status == 400 else []},
        status=status)


@login_required
@require_http_methods(["GET", "POST"])
def order_renew(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    case, order = _order(request, case_id, order_id)
    form = RenewForm(posted_data(request), initial={
        "duration_months": order.duration_months,
        "until_further_order": order.until_further_order})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        renewed = _act(lambda: services.renew_order(
            actor=request.user, order=order, renewed_on=d["renewed_on"],
            duration_months=d["duration_months"],
            until_further_order=d["until_further_order"], note=d["note"]), form,
            {"order": "renewed_on", "status": "renewed_on"})
        if renewed is not None:
            messages.success(request, "Renewal recorded")
            return redirect("cases:spo-order", case.pk, renewed.pk)
    return render(request, "orders/order_change.html", {
        "nav": "cases", "case": case, "order": order, "form": form, "rows": None,
        "title": "Record a renewal", "button": "Record the renewal",
        "intro": "The court renewed the order (s.4) with the same terms, for a new period "
                 "from the day of the renewal.",
        "errors": _errors(form)}, status=400 if form.errors else 200)


# --- the download -----------------------------------------------------------------------------

@login_required
@require_POST
def application_download(request: HttpRequest, case_id: str, application_id: str
                         ) -> HttpResponse:
    """The application's PDF with the evidence pack of each shared log, as one zip
    (docs/adr/0019). Reading the shared evidence is audited with the purpose "SPO
    application"."""
    from cairn.orders.bundle import build_bundle

    _case, application = _application(request, case_id, application_id)
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    name = f"spo-application-{stamp}.zip"
    work = Path(tempfile.mkdtemp(prefix="cairn-spo-"))
    try:
        out = work / name
        build_bundle(actor=request.user, application=application, out=out)
        handle = out.open("rb")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    shutil.rmtree(work, ignore_errors=True)  # the open handle keeps the bytes readable
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response


# --- the unit's deadlines ---------------------------------------------------------------------

# Deadlines someone must act on by the day; the others (a hearing, an expiry) just pass.
ACTIONABLE = frozenset({"notification_due", "renewal_review", "case_review"})
PASSED_SHOWN_DAYS = 30


def deadline_rows(deadlines: list[Any], today: Any) -> list[dict[str, Any]]:
    """Rows for a deadline table: overdue (an actionable deadline gone by), passed (a hearing
    or expiry in the last 30 days; older ones are left out), or due within 7 days."""
    rows = []
    for d in deadlines:
        past = d.on < today
        if past and d.kind not in ACTIONABLE and (today - d.on).days > PASSED_SHOWN_DAYS:
            continue
        rows.append({"deadline": d, "overdue": past and d.kind in ACTIONABLE,
                     "passed": past and d.kind not in ACTIONABLE,
                     "soon": not past and (d.on - today).days <= SOON_DAYS})
    return rows


@login_required
@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    membership = officer_membership(request)
    today = timezone.localdate()
    # A notification done is no longer a deadline to chase.
    found = [d for d in unit_deadlines(request.user) if not d.summary.endswith("(notified)")]
    return render(request, "orders/deadlines.html", {
        "nav": "cases", "unit": membership.unit, "rows": deadline_rows(found, today),
        "today": today})


def case_deadlines(user: Any, case: Case, today: Any) -> list[dict[str, Any]]:
    """The case's SPO deadlines, overdue first, for the case page: hearings, notification,
    expiry and renewal review of its current orders (not those a later order replaced)."""
    from cairn.orders.calendar import Deadline

    found: list[Deadline] = []
    for change in access.hearings_readable_by(user).filter(application__case=case,
                                                          hearing_on__gte=today):
        found.append(Deadline(f"h{change.pk}", change.hearing_on, "hearing", case.reference,
                              "SPO hearing"))
    orders = services.current_orders(access.orders_readable_by(user).filter(
        application__case=case).exclude(application__status__in=services.ENDED))
    for order in orders:
        name = "Interim order" if order.kind == OrderKind.INTERIM else "Order"
        if order.notification_due and not order.notified_on:
            found.append(Deadline(f"n{order.pk}", order.notification_due, "notification_due",
                                  case.reference, f"{name}: notification due (s.9)"))
        if order.expires_on:
            found.append(Deadline(f"e{order.pk}", order.expires_on, "expiry", case.reference,
                                  f"{name} expires"))
        if order.renewal_review_on:
            found.append(Deadline(f"r{order.pk}", order.renewal_review_on, "renewal_review",
                                  case.reference, f"{name}: renewal review"))
    found.sort(key=lambda d: (d.on, d.uid))
    return deadline_rows(found, today)

