"""The officer's side of orders (issue 15, point 9): applications and their lifecycle, orders
and their terms, service, variation, renewal, discharge, the defendant's notifications and
orders made by a court. Breaches are ``endpoints.breaches``; right-to-know decisions and
referrals ``endpoints.multiagency``.

Every endpoint first looks the case up with ``get_case_for_user`` (404 for anyone outside its
unit, exactly as the pages), then the object through the orders' access functions (404 when
it belongs to another case), and acts through the same services as the pages, so a refusal
there is a refusal here (422 naming the field). Nothing of the victim's vault is read here
except where the pages read it too: prefilling an application's grounds (purpose "SPO
application", audited)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Status

from cairn.api.endpoints.breaches import breach_out
from cairn.api.endpoints.common import READ, WRITE, person
from cairn.api.order_schemas import (
    ApplicationDetail,
    ApplicationIn,
    ApplicationOut,
    ApplicationStatusIn,
    BreachOut,
    ChangeIn,
    CourtOrderIn,
    DischargeIn,
    FailureIn,
    GivenIn,
    InterimApplyIn,
    InterimStepIn,
    NotificationOut,
    OrderDetail,
    OrderMadeIn,
    OrderOut,
    RenewIn,
    ServiceIn,
    StepOut,
    TermIn,
    VaryIn,
    VictimInformedIn,
)
from cairn.breaches import services as breach_services
from cairn.cases import access as case_access
from cairn.cases.models import Case
from cairn.orders import access, changes, court_orders, notification, services
from cairn.orders.models import ApplicationStatus
from cairn.orders.rules import TermSpec
from cairn.orders.words import order_title, term_label

router = Router(tags=["orders"])


# --- finding things ---------------------------------------------------------------------------

def _case(request: HttpRequest, case_id: UUID) -> Case:
    return case_access.get_case_for_user(request.auth, case_id)


def _application(request: HttpRequest, case_id: UUID, application_id: UUID) -> Any:
    case = _case(request, case_id)
    application = access.get_application_for_user(request.auth, application_id)
    if application.case_id != case.pk:
        raise Http404("No such application")
    return application


def _order(request: HttpRequest, case_id: UUID, order_id: UUID) -> Any:
    return access.get_case_order_for_user(request.auth, _case(request, case_id), order_id)


def case_suspect(case: Case, suspect_id: UUID | None) -> Any:
    """The suspect of ``case`` an id names, or None for no id (422 for another case's)."""
    if suspect_id is None:
        return None
    found = case.suspects.filter(pk=suspect_id).first()
    if found is None:
        raise ValidationError({"defendant_id": ["Choose a suspect of this case"]})
    return found


def _specs(terms: list[TermIn]) -> list[TermSpec]:
    return [TermSpec(**t.dict()) for t in terms]


# --- what goes out ----------------------------------------------------------------------------

def term_out(term: Any) -> dict[str, Any]:
    return {"id": term.pk, "kind": term.kind, "label": term_label(term),
            "necessity": term.necessity, "details": term.details, "place": term.place,
            "exception": term.exception, "radius_m": term.radius_m, "area": term.area,
            "centre_lat": term.centre_lat, "centre_lon": term.centre_lon}


def application_out(application: Any) -> dict[str, Any]:
    return {"id": application.pk, "order_type": application.order_type,
            "basis": application.basis, "status": application.status,
            "interim_status": services.interim_state(application),
            "created_at": application.created_at}


def step_out(change: Any) -> dict[str, Any]:
    informed = getattr(change, "victim_informed", None)
    return {"id": change.pk, "status": change.status, "decided_on": change.decided_on,
            "hearing_on": change.hearing_on, "applicant": change.applicant,
            "consent_defendant": change.consent_defendant,
            "consent_chief_officer": change.consent_chief_officer,
            "order_id": change.order_id, "note": change.note,
            "victim_informed_on": informed.on if informed is not None else None,
            "at": change.at, "by": person(change.by)}


def application_detail(application: Any) -> dict[str, Any]:
    draft = application.status == ApplicationStatus.DRAFT
    return {**application_out(application),
            "duration_months": application.duration_months,
            "until_further_order": application.until_further_order,
            "interim_requested": application.interim_requested,
            "interim_reasoning": application.interim_reasoning,
            "grounds": application.grounds, "defendant_id": application.defendant_id,
            "defendant_area": application.defendant_area,
            "defendant_area_reasons": application.defendant_area_reasons,
            "conflicts_considered": application.conflicts_considered,
            "court": application.court,
            "terms": [term_out(t) for t in application.terms.all()],
            "history": [step_out(c) for c in application.status_changes.select_related(
                "by", "victim_informed")],
            "submission_problems": services.submission_problems(application) if draft
            else {}}


def order_out(order: Any, in_force: set[Any] | None = None) -> dict[str, Any]:
    standing = in_force if in_force is not None else {
        o.pk for o in services.orders_in_force(order.application.case)}
    return {"id": order.pk, "application_id": order.application_id,
            "order_type": order.application.order_type, "kind": order.kind,
            "title": order_title(order), "made_on": order.made_on,
            "expires_on": order.expires_on,
            "last_day_of_effect": services.last_day_of_effect(order),
            "in_force": order.pk in standing, "replaces": order.replaces_id,
            "served_on": order.served_on,
            "notification_required": order.notification_required,
            "notification_due": order.notification_due, "notified_on": order.notified_on}


def order_detail(order: Any) -> dict[str, Any]:
    return {**order_out(order), "terms": [term_out(t) for t in order.terms.all()]}


def notification_out(event: Any) -> dict[str, Any]:
    return {"id": event.pk, "order_id": event.order_id, "kind": event.kind,
            "started_on": event.started_on, "due_on": event.due_on,
            "notified_on": event.notified_on, "station": event.station,
            "acknowledged_in_writing": event.acknowledged_in_writing,
            "fingerprints_taken": event.fingerprints_taken,
            "photographs_taken": event.photographs_taken,
            "overdue": notification.overdue(event)}


# --- applications -----------------------------------------------------------------------------

@router.get("/{case_id}/applications", response={200: list[ApplicationOut], **READ},
            summary="The case's SPO applications and the orders courts made without one")
def list_applications(request: HttpRequest, case_id: UUID) -> Any:
    case = _case(request, case_id)
    return [application_out(a) for a in
            access.applications_readable_by(request.auth).filter(case=case)]


@router.post("/{case_id}/applications", response={201: ApplicationDetail, **WRITE},
             summary="Start a draft SPO application (s.1)")
def start_application(request: HttpRequest, case_id: UUID, payload: ApplicationIn) -> Any:
    case = _case(request, case_id)
    application = services.start_application(
        actor=request.auth, case=case, terms=_specs(payload.terms),
        duration_months=payload.duration_months,
        until_further_order=payload.until_further_order,
        interim_requested=payload.interim_requested,
        interim_reasoning=payload.interim_reasoning,
        grounds=payload.grounds.dict() if payload.grounds is not None else None,
        defendant=case_suspect(case, payload.defendant_id),
        defendant_area=payload.defendant_area,
        defendant_area_reasons=payload.defendant_area_reasons,
        conflicts_considered=payload.conflicts_considered)
    return Status(201, application_detail(application))


@router.get("/{case_id}/applications/{application_id}",
            response={200: ApplicationDetail, **READ},
            summary="An application: its answers, terms asked for and both tracks' history")
def get_application(request: HttpRequest, case_id: UUID, application_id: UUID) -> Any:
    return application_detail(_application(request, case_id, application_id))


@router.put("/{case_id}/applications/{application_id}",
            response={200: ApplicationDetail, **WRITE},
            summary="Change a draft (its terms are replaced as a whole)")
def update_application(request: HttpRequest, case_id: UUID, application_id: UUID,
                       payload: ApplicationIn) -> Any:
    application = _application(request, case_id, application_id)
    grounds = payload.grounds.dict() if payload.grounds is not None else {
        key: {"text": (application.grounds.get(key) or {}).get("text", "")}
        for key in services.LIMBS}
    for key, ground in grounds.items():  # each keeps the evidence it was prefilled with
        ground["evidence"] = (application.grounds.get(key) or {}).get("evidence", [])
    services.update_application(
        actor=request.auth, application=application, terms=_specs(payload.terms),
        duration_months=payload.duration_months,
        until_further_order=payload.until_further_order,
        interim_requested=payload.interim_requested,
        interim_reasoning=payload.interim_reasoning, grounds=grounds,
        defendant=case_suspect(application.case, payload.defendant_id),
        defendant_area=payload.defendant_area,
        defendant_area_reasons=payload.defendant_area_reasons,
        conflicts_considered=payload.conflicts_considered)
    return application_detail(application)


@router.post("/{case_id}/applications/{application_id}/status",
             response={201: StepOut, **WRITE},
             summary="A step of the main track: submitted, a hearing, refused, withdrawn, an "
                     "appeal (an order made is recorded with POST .../orders)")
def application_status(request: HttpRequest, case_id: UUID, application_id: UUID,
                       payload: ApplicationStatusIn) -> Any:
    application = _application(request, case_id, application_id)
    change = services.change_status(
        actor=request.auth, application=application, status=payload.status.value,
        note=payload.note, hearing_on=payload.hearing_on, decided_on=payload.decided_on,
        applicant=payload.applicant)
    return Status(201, step_out(change))


@router.post("/{case_id}/applications/{application_id}/interim",
             response={201: StepOut, **WRITE},
             summary="Apply for an interim order after the application was made (s.5(2)(b))")
def apply_for_interim(request: HttpRequest, case_id: UUID, application_id: UUID,
                      payload: InterimApplyIn) -> Any:
    application = _application(request, case_id, application_id)
    change = changes.apply_for_interim(actor=request.auth, application=application,
                                       reasoning=payload.reasoning, note=payload.note)
    return Status(201, step_out(change))


@router.post("/{case_id}/applications/{application_id}/interim/steps",
             response={201: StepOut, **WRITE},
             summary="An interim step that makes no order: refused, withdrawn, appealed, or "
                     "an application to vary, renew or discharge it refused")
def interim_step(request: HttpRequest, case_id: UUID, application_id: UUID,
                 payload: InterimStepIn) -> Any:
    application = _application(request, case_id, application_id)
    change = changes.interim_step(
        actor=request.auth, application=application, status=payload.status,
        decided_on=payload.decided_on, applicant=payload.applicant, note=payload.note,
        victim_informed_on=payload.victim_informed_on)
    return Status(201, step_out(change))


@router.post("/{case_id}/applications/{application_id}/steps/{step_id}/victim-informed",
             response={201: StepOut, **WRITE},
             summary="Record the day the victim was told of a decision (once)")
def victim_informed(request: HttpRequest, case_id: UUID, application_id: UUID, step_id: int,
                    payload: VictimInformedIn) -> Any:
    application = _application(request, case_id, application_id)
    change = access.get_status_change(application, step_id)
    changes.record_victim_informed(actor=request.auth, change=change, on=payload.on)
    return Status(201, step_out(access.get_status_change(application, step_id)))


@router.post("/{case_id}/applications/{application_id}/orders",
             response={201: OrderDetail, **WRITE},
             summary="Record the order the court made on the application: interim or full")
def record_order(request: HttpRequest, case_id: UUID, application_id: UUID,
                 payload: OrderMadeIn) -> Any:
    application = _application(request, case_id, application_id)
    order = services.record_order(
        actor=request.auth, application=application, kind=payload.kind.value,
        made_on=payload.made_on,
        terms=_specs(payload.terms) if payload.terms is not None else None,
        duration_months=payload.duration_months,
        until_further_order=payload.until_further_order, ends_on=payload.ends_on,
        note=payload.note)
    return Status(201, order_detail(order))


@router.post("/{case_id}/court-orders", response={201: OrderDetail, **WRITE},
             summary="Record an order a court made without a police application: an SPO on "
                     "conviction or acquittal, a restraining order, bail conditions, a "
                     "non-molestation order, a DAPO")
def record_court_order(request: HttpRequest, case_id: UUID, payload: CourtOrderIn) -> Any:
    case = _case(request, case_id)
    order = court_orders.record_court_order(
        actor=request.auth, case=case, order_type=payload.order_type.value,
        basis=payload.basis, made_on=payload.made_on, terms=_specs(payload.terms),
        court=payload.court, duration_months=payload.duration_months,
        until_further_order=payload.until_further_order, ends_on=payload.ends_on,
        defendant=case_suspect(case, payload.defendant_id), note=payload.note)
    return Status(201, order_detail(order))


# --- orders -----------------------------------------------------------------------------------

@router.get("/{case_id}/orders", response={200: list[OrderOut], **READ},
            summary="Every order of the case (those replaced too), oldest first")
def list_orders(request: HttpRequest, case_id: UUID) -> Any:
    case = _case(request, case_id)
    in_force = {o.pk for o in services.orders_in_force(case)}
    found = (access.orders_readable_by(request.auth).filter(application__case=case)
             .select_related("application"))
    return [order_out(o, in_force) for o in found]


@router.get("/{case_id}/orders/{order_id}", response={200: OrderDetail, **READ},
            summary="An order as made, with its terms")
def get_order(request: HttpRequest, case_id: UUID, order_id: UUID) -> Any:
    return order_detail(_order(request, case_id, order_id))


@router.post("/{case_id}/orders/{order_id}/service", response={200: OrderDetail, **WRITE},
             summary="The day it was served (starts the s.9 notification)")
def record_service(request: HttpRequest, case_id: UUID, order_id: UUID,
                   payload: ServiceIn) -> Any:
    order = _order(request, case_id, order_id)
    services.record_service(actor=request.auth, order=order, served_on=payload.served_on)
    return order_detail(order)


@router.post("/{case_id}/orders/{order_id}/variations", response={201: OrderDetail, **WRITE},
             summary="The court varied the order (s.4; s.5(7)): a new order replaces it")
def vary_order(request: HttpRequest, case_id: UUID, order_id: UUID, payload: VaryIn) -> Any:
    order = _order(request, case_id, order_id)
    varied = changes.vary_order(actor=request.auth, order=order, varied_on=payload.varied_on,
                                terms=_specs(payload.terms),
                                applicant=payload.applicant.value, note=payload.note,
                                victim_informed_on=payload.victim_informed_on)
    return Status(201, order_detail(varied))


@router.post("/{case_id}/orders/{order_id}/renewals", response={201: OrderDetail, **WRITE},
             summary="The court renewed the order (s.4), or extended an interim one (s.5(7))")
def renew_order(request: HttpRequest, case_id: UUID, order_id: UUID, payload: RenewIn) -> Any:
    order = _order(request, case_id, order_id)
    renewed = changes.renew_order(
        actor=request.auth, order=order, renewed_on=payload.renewed_on,
        duration_months=payload.duration_months,
        until_further_order=payload.until_further_order, ends_on=payload.ends_on,
        applicant=payload.applicant.value, note=payload.note,
        victim_informed_on=payload.victim_informed_on)
    return Status(201, order_detail(renewed))


@router.post("/{case_id}/orders/{order_id}/discharge", response={201: StepOut, **WRITE},
             summary="The court discharged the order (within two years of an SPO: with both "
                     "consents, s.4)")
def discharge_order(request: HttpRequest, case_id: UUID, order_id: UUID,
                    payload: DischargeIn) -> Any:
    order = _order(request, case_id, order_id)
    change = changes.discharge_order(
        actor=request.auth, order=order, discharged_on=payload.discharged_on,
        applicant=payload.applicant.value, consent_defendant=payload.consent_defendant,
        consent_chief_officer=payload.consent_chief_officer, note=payload.note,
        victim_informed_on=payload.victim_informed_on)
    return Status(201, step_out(change))


# --- notification (ss.9-11) -------------------------------------------------------------------

@router.get("/{case_id}/orders/{order_id}/notifications",
            response={200: list[NotificationOut], **READ},
            summary="Every notification the defendant owed under the order's proceedings")
def list_notifications(request: HttpRequest, case_id: UUID, order_id: UUID) -> Any:
    order = _order(request, case_id, order_id)
    return [notification_out(e) for e in access.notifications_readable_by(request.auth)
            .filter(application=order.application)]


@router.post("/{case_id}/orders/{order_id}/notifications",
             response={201: NotificationOut, **WRITE},
             summary="A new name or home address he must notify within 3 days (s.9(3)-(4))")
def record_change(request: HttpRequest, case_id: UUID, order_id: UUID,
                  payload: ChangeIn) -> Any:
    order = _order(request, case_id, order_id)
    event = notification.record_change(
        actor=request.auth, application=order.application, kind=payload.kind,
        started_on=payload.started_on, notified_on=payload.notified_on,
        station=payload.station, acknowledged_in_writing=payload.acknowledged_in_writing,
        fingerprints_taken=payload.fingerprints_taken,
        photographs_taken=payload.photographs_taken)
    return Status(201, notification_out(event))


@router.post("/{case_id}/orders/{order_id}/notifications/{notification_id}/given",
             response={200: NotificationOut, **WRITE},
             summary="How he notified: in person at a station, acknowledged in writing (s.10)")
def notification_given(request: HttpRequest, case_id: UUID, order_id: UUID,
                       notification_id: UUID, payload: GivenIn) -> Any:
    event = access.get_notification(_order(request, case_id, order_id), notification_id)
    given = notification.record_given(
        actor=request.auth, event=event, notified_on=payload.notified_on,
        station=payload.station, acknowledged_in_writing=payload.acknowledged_in_writing,
        fingerprints_taken=payload.fingerprints_taken,
        photographs_taken=payload.photographs_taken)
    return notification_out(given)


@router.post("/{case_id}/orders/{order_id}/notifications/{notification_id}/failure",
             response={201: BreachOut, **WRITE},
             summary="A failure to notify (s.11), recorded like a breach")
def notification_failure(request: HttpRequest, case_id: UUID, order_id: UUID,
                         notification_id: UUID, payload: FailureIn) -> Any:
    event = access.get_notification(_order(request, case_id, order_id), notification_id)
    breach = breach_services.record_failure(actor=request.auth, event=event,
                                            account=payload.account,
                                            crime_reference=payload.crime_reference)
    return Status(201, breach_out(breach))
