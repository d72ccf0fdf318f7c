"""The officer's SPO application pages, under a case (``orders:spo-*``): start an
application, the draft editor, the application page with its lifecycle, and the download of
the application's PDF with the evidence packs. The orders as made and the deadlines are in
``views_orders``.

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
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.cases import access as case_access
from cairn.cases.models import Case
from cairn.orders import access, changes, rules, services
from cairn.orders.forms import (
    ApplicationForm,
    InterimApplyForm,
    InterimStepForm,
    StatusForm,
    SubmitForm,
    VictimInformedForm,
    application_initial,
    suspect_label,
)
from cairn.orders.models import Application, ApplicationStatus, Order, OrderKind, TermKind
from cairn.orders.term_forms import term_initial, term_rows, term_specs
from cairn.orders.zone_svg import zone_svg
from cairn.web.forms import add_service_errors, posted_data
from cairn.web.templatetags.govuk import govuk_error_summary

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
    return case, access.get_case_order_for_user(request.user, case, order_id)


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
        return redirect("orders:spo-edit", case.pk, application.pk)
    visible = case_access.shares_visible_to(request.user).filter(case=case)
    # Logs naming several people with none chosen (counts of rows only, no content read).
    undecided = sum(
        1 for share in visible.filter(defendant__isnull=True).select_related("vault")
        if share.vault.persons.filter(role="suspect", incidents__deleted_at__isnull=True)
        .distinct().count() > 1)
    return render(request, "orders/application_new.html", {
        "nav": "cases", "case": case, "shares": visible.count(), "undecided": undecided})


def _defendant(application: Application, chosen: str) -> Any:
    """The suspect chosen in the editor (one of the case's), or None."""
    return next((s for s in application.case.suspects.all() if str(s.pk) == chosen), None)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, case_id: str, application_id: str) -> HttpResponse:
    case, application = _application(request, case_id, application_id)
    if application.status != ApplicationStatus.DRAFT:
        messages.info(request, "Only a draft can be changed.")
        return redirect("orders:spo-application", case.pk, application.pk)
    data = posted_data(request)
    suspects = list(case.suspects.all())
    form = ApplicationForm(data, initial=application_initial(application), suspects=suspects)
    rows = term_rows(data, [term_initial(t) for t in application.terms.all()])
    status = 200
    if data is not None:
        action = data.get("action")
        if action in ("save", "check") and data.get("remove") is None:
            specs = term_specs(rows)
            if form.is_valid() and specs is not None:
                d = form.cleaned_data
                saved = _act(lambda: services.update_application(
                    actor=request.user, application=application, terms=specs,
                    duration_months=d["duration_months"],
                    until_further_order=d["until_further_order"],
                    interim_requested=d["interim_requested"],
                    interim_reasoning=d["interim_reasoning"],
                    grounds=form.grounds(application.grounds),
                    defendant=_defendant(application, d["defendant"]),
                    defendant_area=d["defendant_area"],
                    defendant_area_reasons=d["defendant_area_reasons"],
                    conflicts_considered=d["conflicts_considered"]), form,
                    {"grounds": "ground_s1_1_a"})
                if saved is not None:
                    messages.success(request, "Draft saved")
                    target = "orders:spo-check" if action == "check" else \
                        "orders:spo-application"
                    return redirect(target, case.pk, application.pk)
            status = 400
        else:
            form = ApplicationForm(data, suspects=suspects)  # one row more or fewer
            form.is_valid()
    errors = _errors(form, *[row for row in rows if row.is_bound]) if status == 400 else []
    return render(request, "orders/application_edit.html", {
        "nav": "cases", "case": case, "application": application, "form": form,
        "rows": rows, "errors": errors, "limbs": _limbs(case, application),
        "has_suspects": bool(suspects)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def application_check(request: HttpRequest, case_id: str, application_id: str
                      ) -> HttpResponse:
    """Check your answers, then submit: every answer of the draft with a link to change it,
    what still stops submission (the service's own checks), and the submission itself with
    the first hearing's date if one is listed."""
    case, application = _application(request, case_id, application_id)
    if application.status != ApplicationStatus.DRAFT:
        messages.info(request, "The application was submitted already.")
        return redirect("orders:spo-application", case.pk, application.pk)
    form = SubmitForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        done = _act(lambda: services.change_status(
            actor=request.user, application=application, status=ApplicationStatus.SUBMITTED,
            hearing_on=form.cleaned_data["hearing_on"], note=form.cleaned_data["note"]), form)
        if done is not None:
            messages.success(request, f"Recorded: {ApplicationStatus.SUBMITTED.label}")
            return redirect("orders:spo-application", case.pk, application.pk)
    problems = services.submission_problems(application)
    limbs = _limbs(case, application)
    _evidence_links(request, case, limbs)
    edit = reverse("orders:spo-edit", args=[case.pk, application.pk])
    return render(request, "orders/application_check.html", {
        "nav": "cases", "case": case, "application": application, "form": form,
        "limbs": limbs, "terms": with_zone_previews(application.terms.all(), "asked"),
        "edit": edit, "defendant": suspect_label(application.defendant)
        if application.defendant else "",
        "problems": [{"text": message, "href": f"{edit}#{PROBLEM_ANCHORS.get(field, '')}"}
                     for field, messages_ in problems.items() for message in messages_],
        "errors": _errors(form)}, status=400 if form.errors else 200)


# Where, in the editor, each problem is put right.
PROBLEM_ANCHORS = {"grounds": "id_ground_s1_1_a", "terms": "term-0",
                   "defendant_area": "id_defendant_area",
                   "conflicts_considered": "id_conflicts_considered"}


def _limbs(case: Case, application: Application) -> list[dict[str, Any]]:
    """Each ground with its evidence as links to the shared incident pages."""
    found = []
    for key, title in services.LIMBS.items():
        ground = application.grounds.get(key) or {}
        # A log quoted without incident numbers is kept as evidence (it seals the ground
        # under her key) but has nothing to cite here.
        evidence = [{"vault": item["vault"], "incidents": item["incidents"]}
                    for item in ground.get("evidence") or [] if item.get("incidents")]
        found.append({"key": key, "title": title, "text": ground.get("text", ""),
                      "evidence": evidence})
    return found


def _evidence_links(request: HttpRequest, case: Case, limbs: list[dict[str, Any]]) -> None:
    """The incident numbers cited, as links to the shared incident pages (numbers to ids of
    the incidents this officer may read; a number no longer shared stays a plain number)."""
    for limb in limbs:
        for item in limb["evidence"]:
            try:
                vault = case_access.get_shared_vault(request.user, item["vault"], case)
            except Http404:
                item["links"] = [{"number": n, "href": ""} for n in item["incidents"]]
                continue
            ids = access.shared_incident_ids(request.user, vault, case, item["incidents"])
            item["links"] = [{"number": n, "href": reverse(
                "cases:incident", args=[case.pk, vault.pk, ids[n]]) if n in ids else ""}
                for n in item["incidents"]]


# --- the application page ---------------------------------------------------------------------

def with_zone_previews(terms: Any, prefix: str) -> list[Any]:
    """The terms, each exclusion zone with ``preview``: its shape as an SVG built from
    numbers only (``zone_svg``), shown beside the term."""
    listed = list(terms)
    for n, term in enumerate(listed, start=1):
        svg = zone_svg(f"zone-{prefix}-{n}", area=term.area, centre_lat=term.centre_lat,
                       centre_lon=term.centre_lon, radius_m=term.radius_m) \
            if term.kind == TermKind.EXCLUSION_ZONE else ""
        # Every text in the SVG is escaped by zone_svg; the rest are numbers.
        term.preview = mark_safe(svg)  # noqa: S308
    return listed


def _allowed_steps(application: Application) -> list[str]:
    applicant = services.latest_applicant(application)
    return [s for s in rules.TRANSITIONS.get(application.status, ())
            if rules.can_move(application.status, s,
                              interim_requested=application.interim_requested,
                              applicant=applicant)]


def allowed_interim_steps(application: Application) -> list[str]:
    state = services.interim_state(application)
    return [s for s in rules.INTERIM_TRANSITIONS.get(state, ())
            if rules.can_move_interim(state, s, main_status=application.status)]


def current_full_order(orders: list[Order]) -> Order | None:
    full = [o for o in services.current_orders(orders) if o.kind == OrderKind.FULL]
    return full[-1] if full else None


def status_form_steps(application: Application, orders: list[Order]) -> list[str]:
    """The main-track steps recorded with the status form. An order granted is recorded with
    the order (unless a full order is already recorded: an appeal dismissed); a variation, a
    renewal or a discharge from the order's page, since each records more."""
    has_full = any(o.kind == OrderKind.FULL for o in orders)
    # Submitting goes through the check-your-answers page.
    return [s for s in _allowed_steps(application)
            if s not in (ApplicationStatus.VARIED, ApplicationStatus.RENEWED,
                         ApplicationStatus.DISCHARGED, ApplicationStatus.SUBMITTED)
            and not (s == ApplicationStatus.GRANTED and not has_full)]


def interim_form_steps(application: Application) -> list[str]:
    return [s for s in allowed_interim_steps(application) if s in changes.INTERIM_STEPS]


def _history(application: Application) -> list[dict[str, Any]]:
    rows = []
    for change in application.status_changes.select_related("by", "victim_informed"):
        informed = getattr(change, "victim_informed", None)  # None: not recorded
        rows.append({"change": change, "informed": informed,
                     "can_inform": change.status in changes.TELL_VICTIM and informed is None})
    return rows


def _application_page(request: HttpRequest, case: Case, application: Application,
                      status_form: StatusForm | None = None,
                      interim_form: InterimStepForm | None = None) -> HttpResponse:
    allowed = _allowed_steps(application)
    interim_allowed = allowed_interim_steps(application)
    orders = list(application.orders.prefetch_related("terms"))
    recorded_here = status_form_steps(application, orders)
    if status_form is None and recorded_here:
        status_form = StatusForm(allowed=recorded_here)
    interim_here = interim_form_steps(application)
    if interim_form is None and interim_here:
        interim_form = InterimStepForm(allowed=interim_here)
    limbs = _limbs(case, application)
    _evidence_links(request, case, limbs)
    full = current_full_order(orders)
    current = services.current_orders(orders)
    interim = services.current_interim_order(application)
    bound = [f for f in (status_form, interim_form) if f is not None and f.is_bound]
    return render(request, "orders/application.html", {
        "nav": "cases", "case": case, "application": application, "limbs": limbs,
        "terms": with_zone_previews(application.terms.all(), "asked"),
        "history": _history(application), "inform_form": VictimInformedForm(),
        "orders": orders, "current": current,
        "status_form": status_form if recorded_here else None,
        "interim_form": interim_form if interim_here else None,
        "interim_state": services.interim_state(application),
        "interim_label": _interim_label(application),
        "interim_order": interim if interim is not None and interim in current else None,
        "errors": _errors(*bound),
        "can_apply_interim": ApplicationStatus.INTERIM_APPLIED in interim_allowed
        and application.status != ApplicationStatus.DRAFT,
        "can_record_interim": ApplicationStatus.INTERIM_GRANTED in interim_allowed,
        "can_record_full": ApplicationStatus.GRANTED in allowed and full is None,
        "full_order": full if full is not None and application.status in rules.ORDER_IN_FORCE
        else None,
        "editable": application.status == ApplicationStatus.DRAFT,
        "from_application": application.basis == "application",
        "kind": rules.order_type(application.order_type),
        "made_how": dict(rules.order_type(application.order_type).bases).get(
            application.basis, "")},
        status=400 if any(f.errors for f in bound) else 200)


def _interim_label(application: Application) -> str:
    state = services.interim_state(application)
    if not state:
        return ("Asked for in the draft (s.5(2)(a))" if application.interim_requested
                else "None applied for")
    label = str(ApplicationStatus(state).label)
    order = services.current_interim_order(application)
    if state in rules.INTERIM_IN_FORCE and order is not None and order.expires_on:
        label += f": has effect until the end of {order.expires_on.day} " \
                 f"{order.expires_on:%B %Y}"
    elif state == ApplicationStatus.INTERIM_LAPSED and order is not None and order.expires_on:
        label += f" ({order.expires_on.day} {order.expires_on:%B %Y})"
    return label


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
    form = StatusForm(request.POST,
                      allowed=status_form_steps(application, list(application.orders.all())))
    if form.is_valid():
        data = form.cleaned_data
        done = _act(lambda: services.change_status(
            actor=request.user, application=application, status=data["status"],
            note=data["note"], hearing_on=data["hearing_on"], decided_on=data["decided_on"],
            applicant=data["applicant"]), form)
        if done is not None:
            messages.success(request, f"Recorded: {ApplicationStatus(data['status']).label}")
            return redirect("orders:spo-application", case.pk, application.pk)
    return _application_page(request, case, application, status_form=form)


@login_required
@require_POST
def interim_step(request: HttpRequest, case_id: str, application_id: str) -> HttpResponse:
    case, application = _application(request, case_id, application_id)
    form = InterimStepForm(request.POST, allowed=interim_form_steps(application))
    if form.is_valid():
        data = form.cleaned_data
        done = _act(lambda: changes.interim_step(
            actor=request.user, application=application, status=data["status"],
            decided_on=data["decided_on"], applicant=data["applicant"], note=data["note"],
            victim_informed_on=data["victim_informed_on"]), form)
        if done is not None:
            messages.success(request, f"Recorded: {ApplicationStatus(data['status']).label}")
            return redirect("orders:spo-application", case.pk, application.pk)
    return _application_page(request, case, application, interim_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def interim_apply(request: HttpRequest, case_id: str, application_id: str) -> HttpResponse:
    """An interim order applied for after the main application was made (s.5(2)(b))."""
    case, application = _application(request, case_id, application_id)
    form = InterimApplyForm(posted_data(request),
                            initial={"interim_reasoning": application.interim_reasoning})
    if request.method == "POST" and form.is_valid():
        done = _act(lambda: changes.apply_for_interim(
            actor=request.user, application=application,
            reasoning=form.cleaned_data["interim_reasoning"], note=form.cleaned_data["note"]),
            form)
        if done is not None:
            messages.success(request, "Interim order applied for")
            return redirect("orders:spo-application", case.pk, application.pk)
    return render(request, "orders/interim_apply.html", {
        "nav": "cases", "case": case, "application": application, "form": form,
        "errors": _errors(form)}, status=400 if form.errors else 200)


@login_required
@require_POST
def victim_informed(request: HttpRequest, case_id: str, application_id: str,
                    change_id: int) -> HttpResponse:
    case, application = _application(request, case_id, application_id)
    change = access.get_status_change(application, change_id)
    form = VictimInformedForm(request.POST)
    if form.is_valid() and _act(lambda: changes.record_victim_informed(
            actor=request.user, change=change, on=form.cleaned_data["victim_informed_on"]),
            form) is not None:
        messages.success(request, "Recorded that the victim was told")
        return redirect(reverse("orders:spo-application", args=[case.pk, application.pk])
                        + "#history")
    for message in [m for errors in form.errors.values() for m in errors]:
        messages.error(request, message)
    return redirect(reverse("orders:spo-application", args=[case.pk, application.pk])
                    + "#history")


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
