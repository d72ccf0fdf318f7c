"""The write path for SPO applications and orders (services are the only writers).

Every change is one transaction with an audit record (ids, kinds and dates only: never the
victim's evidence). Refusals as in ``cairn.cases.services``: ``PermissionDenied`` for a role
that may not act (only the investigators and supervisors of the case's unit may), ``Http404``
from ``cairn.orders.access`` for what the caller cannot see, ``ValidationError`` naming the
field for bad input. The rules themselves (lifecycle, deadlines, incompatible terms) are the
pure functions of ``cairn.orders.rules``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.audit import services as audit
from cairn.cases.access import require_case_member
from cairn.cases.models import Case, CaseSuspect, Purpose
from cairn.orders import notification, rules
from cairn.orders.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    DefendantArea,
    NotificationKind,
    Order,
    OrderKind,
)
from cairn.orders.rules import TermSpec
from cairn.orders.standing import current_interim_order as current_interim_order
from cairn.orders.standing import current_orders as current_orders
from cairn.orders.standing import interim_state as interim_state
from cairn.orders.standing import last_day_of_effect as last_day_of_effect
from cairn.orders.standing import orders_in_force as orders_in_force
from cairn.orders.standing import orders_reportable as orders_reportable
from cairn.orders.standing import track_stands as track_stands
from cairn.orders.terms import check_compatible, clean_terms, create_terms, term_spec

# current_orders, orders_in_force and the other reads of ``standing`` are imported above as
# themselves: callers reach them here, beside the services that change what they read.

# django-stubs checks the names given to create() and to update_fields against a model's
# columns; a sealed field (cairn.store.sealed) is not one, though CaseSealedFields takes it in
# both. Those calls carry `type: ignore[misc]  # sealed fields`.

LIMBS = {
    "s1_1_a": "s.1(1)(a): the defendant has carried out acts associated with stalking",
    "s1_1_b": "s.1(1)(b): the defendant poses a risk associated with stalking to another "
              "person",
    "s1_1_c": "s.1(1)(c): there is reasonable cause to believe the proposed order is "
              "necessary to protect that person from that risk",
}


# --- grounds from the analysis ----------------------------------------------------------------

def prefill_grounds(*, actor: User, case: Case, now: datetime | None = None) -> dict[str, Any]:
    """The grounds under s.1(1)(a)-(c), prefilled from the threshold analysis of the
    defendant in each vault shared with the case (``cairn.cases.defendants``): only the
    incidents of the person the case is about, never of anyone else the log names. The
    statements are in the third person (a court reads them), with the incident numbers they
    rest on, per vault. A log that names several people and has no defendant chosen adds
    nothing. Each look at a vault is audited (purpose: SPO application)."""
    from cairn.analysis.base import THIRD_PERSON
    from cairn.analysis.engine import analyse_people
    from cairn.cases import access as case_access
    from cairn.cases.defendants import defendant_analysis

    require_case_member(actor, case)
    now = now or timezone.now()
    grounds: dict[str, Any] = {key: {"title": title, "text": "", "evidence": []}
                               for key, title in LIMBS.items()}
    shares = (case_access.shares_visible_to(actor).filter(case=case)
              .select_related("vault").order_by("created_at"))
    statements: dict[str, list[str]] = {key: [] for key in LIMBS}
    for share in shares:
        snapshot = case_access.shared_snapshot(actor, share.vault,
                                               purpose=Purpose.SPO_APPLICATION, case=case)
        analysis = defendant_analysis(
            analyse_people(snapshot, now=now, voice=THIRD_PERSON), share).analysis
        if analysis is None:
            continue
        numbers = {p.id: p.number for p in analysis.points}
        for limb in analysis.threshold.limbs():
            if limb.key not in LIMBS:
                continue
            for finding in limb.findings:
                if finding.statement not in statements[limb.key]:
                    statements[limb.key].append(finding.statement)
            cited = sorted({numbers[i] for i in limb.evidence if i in numbers})
            # A ground quoting her log names it as evidence, numbers or not: it is then
            # sealed under her vault key too, and emptied when the log is shredded.
            if cited or limb.findings:
                grounds[limb.key]["evidence"].append({"vault": str(share.vault_id),
                                                      "incidents": cited})
    for key, found in statements.items():
        grounds[key]["text"] = " ".join(found)
    return grounds


def _clean_grounds(grounds: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, title in LIMBS.items():
        ground = grounds.get(key) or {}
        if not isinstance(ground, Mapping):
            raise ValidationError({"grounds": [f"{title}: give the ground as text"]})
        evidence = []
        for item in ground.get("evidence") or []:
            try:
                evidence.append({"vault": str(item["vault"]),
                                 "incidents": sorted({int(n) for n in item["incidents"]})})
            except (KeyError, TypeError, ValueError):
                raise ValidationError({"grounds": [f"{title}: evidence is a vault and its "
                                                   "incident numbers"]}) from None
        cleaned[key] = {"title": title, "text": str(ground.get("text") or "").strip(),
                        "evidence": evidence}
    return cleaned


def _clean_duration(duration_months: int | None, until_further_order: bool) -> int | None:
    """s.3: a fixed period of at least 2 years, or until further order."""
    if until_further_order:
        if duration_months is not None:
            raise ValidationError({"duration_months": ["Give a fixed period or 'until further "
                                                       "order', not both"]})
        return None
    if duration_months is None:
        raise ValidationError({"duration_months": ["Give the period in months (at least 24), "
                                                   "or choose 'until further order'"]})
    if duration_months < rules.MIN_FIXED_MONTHS:
        raise ValidationError({"duration_months": ["A fixed period must be at least 2 years "
                                                   "(24 months) (s.3), or choose 'until "
                                                   "further order'"]})
    return duration_months


def _clean_interim(requested: bool, reasoning: str) -> str:
    reasoning = (reasoning or "").strip()
    if requested and not reasoning:
        raise ValidationError({"interim_reasoning": ["Say why an interim order is appropriate "
                                                     "until the application is decided "
                                                     "(s.5)"]})
    return reasoning if requested else ""


# --- applications -----------------------------------------------------------------------------

def _clean_details(case: Case, defendant: CaseSuspect | None, defendant_area: str,
                   defendant_area_reasons: str, conflicts_considered: str) -> dict[str, Any]:
    """The defendant (a suspect of this case), the s.1(3) answer and the s.2(3) answer. Each
    may stay empty in a draft; submission needs the two answers (``_check_complete``)."""
    if defendant is not None and defendant.case_id != case.pk:
        raise ValidationError({"defendant": ["Choose a suspect of this case"]})
    if defendant_area and defendant_area not in DefendantArea.values:
        raise ValidationError({"defendant_area": ["Choose how the defendant is linked to the "
                                                  "force's area (s.1(3))"]})
    return {"defendant": defendant, "defendant_area": defendant_area or "",
            "defendant_area_reasons": (defendant_area_reasons or "").strip(),
            "conflicts_considered": (conflicts_considered or "").strip()}


def start_application(*, actor: User, case: Case, terms: Iterable[TermSpec] = (),  # noqa: PLR0913 (keyword-only: one per field of the application form)
                      duration_months: int | None = None, until_further_order: bool = False,
                      interim_requested: bool = False, interim_reasoning: str = "",
                      grounds: Mapping[str, Any] | None = None,
                      defendant: CaseSuspect | None = None, defendant_area: str = "",
                      defendant_area_reasons: str = "", conflicts_considered: str = "",
                      now: datetime | None = None) -> Application:
    """A draft application for ``case``. Without ``grounds``, they are prefilled from the
    analysis of the evidence shared with the case. The defendant is the case's only suspect
    unless another is named."""
    require_case_member(actor, case)
    duration_months = _clean_duration(duration_months, until_further_order)
    interim_reasoning = _clean_interim(interim_requested, interim_reasoning)
    if defendant is None:
        suspects = list(case.suspects.all()[:2])
        defendant = suspects[0] if len(suspects) == 1 else None
    details = _clean_details(case, defendant, defendant_area, defendant_area_reasons,
                             conflicts_considered)
    cleaned = clean_terms(terms)
    check_compatible(case, cleaned, details["defendant"])
    prefilled = _clean_grounds(grounds if grounds is not None else
                               prefill_grounds(actor=actor, case=case, now=now))
    with transaction.atomic():
        application = Application.objects.create(  # type: ignore[misc]  # sealed fields
            case=case, duration_months=duration_months,
            until_further_order=until_further_order, interim_requested=interim_requested,
            interim_reasoning=interim_reasoning, grounds=prefilled, created_by=actor,
            **details)
        create_terms(cleaned, application=application)
        ApplicationStatusChange.objects.create(application=application,
                                               status=ApplicationStatus.DRAFT, by=actor)
        audit.record(actor=actor, action="spo_application.started",
                     object_type="spo_application", object_id=application.pk,
                     detail={"case": str(case.pk), "terms": len(cleaned)})
    return application


def _editable(actor: User, application: Application) -> None:
    require_case_member(actor, application.case)
    if application.status != ApplicationStatus.DRAFT:
        raise ValidationError({"status": ["Only a draft application can be changed"]})


def update_application(*, actor: User, application: Application, terms: Iterable[TermSpec],
                       duration_months: int | None, until_further_order: bool,
                       interim_requested: bool, interim_reasoning: str,
                       grounds: Mapping[str, Any], defendant: CaseSuspect | None = None,
                       defendant_area: str = "", defendant_area_reasons: str = "",
                       conflicts_considered: str = "") -> Application:
    """Change a draft: its terms are replaced as a whole (they are not yet before a court)."""
    _editable(actor, application)
    duration_months = _clean_duration(duration_months, until_further_order)
    interim_reasoning = _clean_interim(interim_requested, interim_reasoning)
    details = _clean_details(application.case, defendant, defendant_area,
                             defendant_area_reasons, conflicts_considered)
    cleaned = clean_terms(terms)
    check_compatible(application.case, cleaned, details["defendant"])
    with transaction.atomic():
        Application.objects.select_for_update().get(pk=application.pk)
        application.terms.all().delete()
        create_terms(cleaned, application=application)
        application.duration_months = duration_months
        application.until_further_order = until_further_order
        application.interim_requested = interim_requested
        application.interim_reasoning = interim_reasoning
        application.grounds = _clean_grounds(grounds)
        for name, value in details.items():
            setattr(application, name, value)
        application.save(  # type: ignore[misc]  # sealed fields
            update_fields=["duration_months", "until_further_order", "interim_requested",
                           "interim_reasoning", "grounds", *details])
        audit.record(actor=actor, action="spo_application.changed",
                     object_type="spo_application", object_id=application.pk,
                     detail={"terms": len(cleaned)})
    return application


def change_status(*, actor: User, application: Application, status: str, note: str = "",
                  hearing_on: date | None = None, decided_on: date | None = None,
                  applicant: str = "") -> ApplicationStatusChange:
    """The next step of the main track, if ``rules.TRANSITIONS`` allows it. An order granted
    is recorded with ``record_order``, a variation, renewal or discharge with the functions
    of ``cairn.orders.changes``, and interim steps there too. A hearing date given on
    submission is kept (it is the first hearing); "hearing listed" needs one. A refused
    application to vary, renew or discharge (``change_refused``) names who applied for it,
    since the appeals of s.7 depend on it."""
    require_case_member(actor, application.case)
    if status not in ApplicationStatus.values or rules.is_interim(status):
        raise ValidationError({"status": ["Choose a status"]})
    if status == ApplicationStatus.HEARING_LISTED and hearing_on is None:
        raise ValidationError({"hearing_on": ["Give the date of the hearing"]})
    if status == ApplicationStatus.CHANGE_REFUSED:
        applicant = clean_applicant(applicant)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        check_move(locked, status)
        if status == ApplicationStatus.SUBMITTED:
            _check_complete(locked)
        if status == ApplicationStatus.GRANTED and not locked.orders.filter(
                kind=OrderKind.FULL).exists():
            raise ValidationError({"status": ["Record the order as the court made it"]})
        change = move(actor, locked, status, note=note, hearing_on=hearing_on,
                      decided_on=decided_on, applicant=applicant)
        if status == ApplicationStatus.SUBMITTED and locked.interim_requested:
            # s.5(2)(a): the interim order asked for in the draft is applied for with it.
            move(actor, locked, ApplicationStatus.INTERIM_APPLIED,
                 note="Applied for with the main application (s.5(2)(a))")
    application.status, application.interim_status = locked.status, locked.interim_status
    return change


def clean_applicant(applicant: str) -> str:
    if applicant not in rules.APPLICANTS:
        raise ValidationError({"applicant": ["Say who applied: the police, the defendant or "
                                             "another force (s.4(2))"]})
    return applicant


def latest_applicant(application: Application) -> str:
    """Who applied for the decision now standing on the main track (for s.7's appeals)."""
    row = (application.status_changes.exclude(status__startswith="interim_")
           .order_by("-at", "-id").first())
    return row.applicant if row is not None else ""


def check_move(application: Application, status: str, on: date | None = None) -> None:
    """Refuse a step the tables do not allow, naming both statuses. An interim step is
    checked against the interim track's state on ``on``, the day of the decision (default
    today): an interim order renewed on its last day and recorded a week later was renewed
    in time."""
    if rules.is_interim(status):
        current = interim_state(application, on)
        allowed = rules.can_move_interim(current, status, main_status=application.status)
    else:
        current = application.status
        allowed = rules.can_move(current, status,
                                 interim_requested=application.interim_requested,
                                 applicant=latest_applicant(application),
                                 kind=application.order_type)
    if not allowed:
        label = ApplicationStatus(current).label if current else "No interim order"
        raise ValidationError({"status": [f"An application that is '{label}' cannot become "
                                          f"'{ApplicationStatus(status).label}'"]})


def submission_problems(application: Application) -> dict[str, list[str]]:
    """What stops ``application`` being submitted, by field: every ground of s.1(1), at least
    one term, the s.1(3) and s.2(3) answers, and no term that clashes with an order in force
    on the defendant (checked again: an order may have been made since the draft)."""
    problems: dict[str, list[str]] = {}
    missing = [title for key, title in LIMBS.items()
               if not (application.grounds.get(key) or {}).get("text", "").strip()]
    if missing:
        problems["grounds"] = [f"Give the ground {t.split(':')[0]}" for t in missing]
    terms = [term_spec(t) for t in application.terms.all()]
    if not terms:
        problems["terms"] = ["Propose at least one prohibition or requirement"]
    else:
        try:
            check_compatible(application.case, terms, application.defendant)
        except ValidationError as exc:
            problems["terms"] = exc.message_dict["terms"]
    if not application.defendant_area:
        problems["defendant_area"] = [
            "Say how the defendant is linked to the force's area: lives in it, or is believed "
            "to be in it or coming to it (s.1(3))"]
    if not application.conflicts_considered:
        problems["conflicts_considered"] = [
            "Say how the terms avoid conflict with the defendant's religious beliefs and the "
            "times he works or studies (s.2(3))"]
    return problems


def _check_complete(application: Application) -> None:
    problems = submission_problems(application)
    if problems:
        raise ValidationError(problems)


def move(actor: User, application: Application, status: str, *, note: str = "",
         hearing_on: date | None = None, decided_on: date | None = None,
         applicant: str = "", consent_defendant: bool | None = None,
         consent_chief_officer: bool | None = None,
         order: Order | None = None) -> ApplicationStatusChange:
    """Append the step (inside the caller's transaction, the application locked) and keep
    its track's latest status on the application. When the main application is decided, a
    live interim order or interim application ends with it (s.5(6)(b)); one that had lapsed
    by then had already ended."""
    keeps_hearing = status in (ApplicationStatus.HEARING_LISTED, ApplicationStatus.SUBMITTED)
    change = ApplicationStatusChange.objects.create(  # type: ignore[misc]  # sealed fields
        application=application, status=status, note=(note or "").strip(),
        hearing_on=hearing_on if keeps_hearing else None, decided_on=decided_on,
        applicant=applicant, consent_defendant=consent_defendant,
        consent_chief_officer=consent_chief_officer, order=order, by=actor)
    if rules.is_interim(status):
        application.interim_status = status
        application.save(update_fields=["interim_status"])
    else:
        application.status = status
        application.save(update_fields=["status"])
    audit.record(actor=actor, action="spo_application.status", object_type="spo_application",
                 object_id=application.pk,
                 detail={"status": status,
                         "hearing_on": hearing_on.isoformat() if hearing_on else None,
                         "decided_on": decided_on.isoformat() if decided_on else None,
                         "applicant": applicant or None})
    if not rules.is_interim(status) and status not in rules.UNDECIDED and \
            interim_state(application, decided_on) in rules.INTERIM_LIVE:
        move(actor, application, ApplicationStatus.INTERIM_ENDED, decided_on=decided_on,
             note="The main application was decided (s.5(6)(b))")
    return change


# --- orders -----------------------------------------------------------------------------------

def record_order(*, actor: User, application: Application, kind: str, made_on: date,
                 terms: Iterable[TermSpec] | None = None, duration_months: int | None = None,
                 until_further_order: bool = False, ends_on: date | None = None,
                 note: str = "") -> Order:
    """The order as the court made it, interim (s.5: until the end of ``ends_on``, the fixed
    period stated in it) or full (s.3: ``duration_months`` of at least 24, or until further
    order). Its terms are those asked for unless ``terms`` says what the court made instead;
    they are recorded as made (the court decided them, so they are not refused as
    incompatible). Moves the interim track to "interim granted", or the main track to
    "granted" (which ends a live interim order, s.5(6)(b))."""
    require_case_member(actor, application.case)
    if kind not in OrderKind.values:
        raise ValidationError({"kind": ["Choose an interim or a full order"]})
    expiry: date | None  # None: until further order
    if kind == OrderKind.INTERIM:
        if not application.interim_requested:
            raise ValidationError({"kind": ["No interim order was applied for: apply for one "
                                            "first (s.5)"]})
        if ends_on is None or ends_on < made_on:
            raise ValidationError({"ends_on": ["Give the last day the interim order has "
                                               "effect, on or after the day it was made"]})
        duration_months, until_further_order, expiry = None, False, ends_on
    else:
        duration_months = _clean_duration(duration_months, until_further_order)
        expiry = rules.expires_on(made_on, duration_months)
    status = ApplicationStatus.INTERIM_GRANTED if kind == OrderKind.INTERIM else \
        ApplicationStatus.GRANTED
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        check_move(locked, status, made_on)
        asked = list(locked.terms.all())
        made = clean_terms(terms) if terms is not None else [term_spec(t) for t in asked]
        if not made:
            raise ValidationError({"terms": ["An order has at least one prohibition or "
                                             "requirement"]})
        # s.9(1)(a): no new notification when a full order replaces an interim one.
        replaces_interim = kind == OrderKind.FULL and locked.orders.filter(
            kind=OrderKind.INTERIM).exists()
        order = Order.objects.create(
            application=locked, kind=kind, made_on=made_on, duration_months=duration_months,
            until_further_order=until_further_order, expires_on=expiry,
            notification_required=not replaces_interim,
            renewal_review_on=(rules.renewal_review_on(made_on, expiry)
                               if kind == OrderKind.FULL else None),
            created_by=actor)
        create_terms(made, order=order)
        audit.record(actor=actor, action="spo_order.recorded", object_type="spo_order",
                     object_id=order.pk,
                     detail={"application": str(locked.pk), "kind": kind,
                             "made_on": made_on.isoformat(), "terms": len(made),
                             "as_asked": terms is None})
        move(actor, locked, status, note=note, decided_on=made_on, order=order)
    application.status, application.interim_status = locked.status, locked.interim_status
    return order


def record_service(*, actor: User, order: Order, served_on: date) -> Order:
    """The day the order was served on the defendant, which starts the s.9(1) notification
    (a ``NotificationEvent`` due within 3 days, counting the day of service): not for a full
    order replacing an interim one (s.9(1)(a)), nor while he is subject to sex offender
    notification (s.9(5)). A corrected day of service moves a notification not yet given."""
    require_case_member(actor, order.application.case)
    if served_on < order.made_on:
        raise ValidationError({"served_on": ["An order is served on or after the day it was "
                                             "made"]})
    due = order.notification_required and not notification.exempt_on(order.application,
                                                                      served_on)
    with transaction.atomic():
        order.served_on = served_on
        order.notification_due = rules.notification_due(served_on) if due else None
        order.save(update_fields=["served_on", "notification_due"])
        audit.record(actor=actor, action="spo_order.served", object_type="spo_order",
                     object_id=order.pk, detail={"served_on": served_on.isoformat()})
        event = notification.initial_event(order)
        if event is not None and event.notified_on is None:
            event.delete()  # not yet given: it starts again from the day corrected
            event = None
        if due and event is None:
            notification.start_duty(actor, order, NotificationKind.INITIAL, served_on)
    return order


def record_notification(*, actor: User, order: Order, notified_on: date, station: str = "",
                        acknowledged_in_writing: bool = False,
                        fingerprints_taken: bool = False,
                        photographs_taken: bool = False) -> Order:
    """The day the defendant notified his names and home address after service (s.9(1)),
    and how (s.10: in person at ``station``, acknowledged in writing)."""
    require_case_member(actor, order.application.case)
    if order.served_on is None:
        raise ValidationError({"notified_on": ["Record when the order was served first"]})
    if notified_on < order.served_on:
        raise ValidationError({"notified_on": ["Notification comes on or after service"]})
    event = notification.initial_event(order)
    if event is None:
        raise ValidationError({"notified_on": ["No notification is due for this order "
                                               "(s.9(1)(a), s.9(5))"]})
    with transaction.atomic():
        notification.record_given(
            actor=actor, event=event, notified_on=notified_on, station=station,
            acknowledged_in_writing=acknowledged_in_writing,
            fingerprints_taken=fingerprints_taken, photographs_taken=photographs_taken)
        order.refresh_from_db()
        audit.record(actor=actor, action="spo_order.notified", object_type="spo_order",
                     object_id=order.pk,
                     detail={"notified_on": notified_on.isoformat(),
                             "late": bool(order.notification_due
                                          and notified_on > order.notification_due)})
    return order


def set_renewal_review(*, actor: User, order: Order, review_on: date | None) -> Order:
    require_case_member(actor, order.application.case)
    with transaction.atomic():
        order.renewal_review_on = review_on
        order.save(update_fields=["renewal_review_on"])
        audit.record(actor=actor, action="spo_order.review_date", object_type="spo_order",
                     object_id=order.pk)
    return order
