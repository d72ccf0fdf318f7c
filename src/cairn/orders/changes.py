"""What happens to an order after it is made, and the interim track (docs/adr/0040).

- ``apply_for_interim``: an interim order applied for after the main application was made
  (s.5(2)(b)); one asked for in the draft is applied for on submission (s.5(2)(a)).
- ``interim_step``: the court refused an interim order, the police withdrew the interim
  application, an appeal (s.7(1)(b), s.7(2)(b)), or an application to vary, renew or
  discharge the interim order refused.
- ``vary_order`` and ``renew_order`` (s.4 for a full order, s.5(7)-(8) for an interim one):
  a new order takes the place of the one varied or renewed (``Order.replaces``), which is
  kept as it was. ``discharge_order`` ends one.
- ``record_victim_informed``: the day the victim was told of a step.

Each records who applied (s.4(2), s.5(7)) and the day the court decided. A full order is not
discharged within two years of the day it was made without the consent of both the defendant
and the chief officer (s.4): the discharge records both, and is refused without them. No new
s.9 notification follows a variation or renewal: it is not a new order, and the defendant's
duty continues. Every step is one transaction with an audit record of ids, kinds and dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.audit import services as audit
from cairn.cases.access import require_case_member
from cairn.orders import rules
from cairn.orders.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Order,
    OrderKind,
    VictimInformed,
)
from cairn.orders.rules import TermSpec
from cairn.orders.services import (
    _clean_duration,
    _clean_interim,
    check_move,
    clean_applicant,
    current_interim_order,
    move,
)
from cairn.orders.terms import clean_terms, create_terms, term_spec

# The interim steps recorded with ``interim_step`` (the others make or change an order).
INTERIM_STEPS = (
    ApplicationStatus.INTERIM_REFUSED,
    ApplicationStatus.INTERIM_WITHDRAWN,
    ApplicationStatus.INTERIM_APPEALED_BY_APPLICANT,
    ApplicationStatus.INTERIM_APPEALED_BY_RESPONDENT,
    ApplicationStatus.INTERIM_CHANGE_REFUSED,
)
# Steps the victim is told of (the order protecting her changed or ended).
TELL_VICTIM = frozenset(
    {
        ApplicationStatus.GRANTED,
        ApplicationStatus.REFUSED,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.VARIED,
        ApplicationStatus.RENEWED,
        ApplicationStatus.DISCHARGED,
        ApplicationStatus.EXPIRED,
        ApplicationStatus.CHANGE_REFUSED,
        ApplicationStatus.INTERIM_GRANTED,
        ApplicationStatus.INTERIM_REFUSED,
        ApplicationStatus.INTERIM_VARIED,
        ApplicationStatus.INTERIM_RENEWED,
        ApplicationStatus.INTERIM_DISCHARGED,
        ApplicationStatus.INTERIM_ENDED,
        ApplicationStatus.INTERIM_CHANGE_REFUSED,
    }
)


def _decided(decided_on: date | None, field: str, *, after: date | None = None) -> date:
    if decided_on is None:
        raise ValidationError({field: ["Enter the day the court decided"]})
    if after is not None and decided_on < after:
        raise ValidationError(
            {
                field: [
                    f"The day cannot be before {after.day} {after:%B %Y}, when the order was made"
                ]
            }
        )
    return decided_on


def _informed(actor: Any, change: ApplicationStatusChange, on: date | None) -> None:
    if on is not None:
        if on < (change.decided_on or on):
            raise ValidationError(
                {"victim_informed_on": ["The victim is told on or after the day of the decision"]}
            )
        VictimInformed.objects.create(change=change, on=on, by=actor)
        audit.record(
            actor=actor,
            action="spo_application.victim_informed",
            object_type="spo_application",
            object_id=change.application_id,
            detail={"status": change.status, "on": on.isoformat()},
        )


# --- the interim track ------------------------------------------------------------------------


def apply_for_interim(
    *, actor: Any, application: Application, reasoning: str, note: str = ""
) -> ApplicationStatusChange:
    """The police apply for an interim order on a main application already made and not yet
    decided (s.5(2)(b)), or again after one lapsed, was discharged or refused. The reasons
    are why one is "appropriate" (s.5(3))."""
    require_case_member(actor, application.case)
    if application.status == ApplicationStatus.DRAFT:
        raise ValidationError(
            {
                "interim_reasoning": [
                    "Ask for it in the draft: it is applied for with the application (s.5(2)(a))"
                ]
            }
        )
    reasoning = _clean_interim(True, reasoning)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        check_move(locked, ApplicationStatus.INTERIM_APPLIED)
        locked.interim_requested = True
        locked.interim_reasoning = reasoning
        locked.save(update_fields=["interim_requested", "interim_reasoning"])
        change = move(
            actor,
            locked,
            ApplicationStatus.INTERIM_APPLIED,
            note=note or "Applied for after the main application (s.5(2)(b))",
        )
    application.interim_requested, application.interim_reasoning = True, reasoning
    application.interim_status = locked.interim_status
    return change


def interim_step(
    *,
    actor: Any,
    application: Application,
    status: str,
    decided_on: date | None = None,
    applicant: str = "",
    note: str = "",
    victim_informed_on: date | None = None,
) -> ApplicationStatusChange:
    """A step of the interim track that makes no order: refused, withdrawn, appealed, or an
    application to vary, renew or discharge it refused (naming who applied, s.5(7))."""
    require_case_member(actor, application.case)
    if status not in INTERIM_STEPS:
        raise ValidationError({"status": ["Choose what happened"]})
    if status != ApplicationStatus.INTERIM_WITHDRAWN:
        decided_on = _decided(decided_on, "decided_on")
    if status == ApplicationStatus.INTERIM_CHANGE_REFUSED:
        applicant = clean_applicant(applicant)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        check_move(locked, status, decided_on)
        change = move(
            actor,
            locked,
            status,
            note=note,
            decided_on=decided_on,
            applicant=applicant,
            order=current_interim_order(locked),
        )
        _informed(actor, change, victim_informed_on)
    application.interim_status = locked.interim_status
    return change


# --- variation, renewal and discharge (s.4; s.5(7)-(8)) ---------------------------------------


def _tracks(order: Order) -> tuple[str, str, str]:
    """(varied, renewed, discharged) on the order's track."""
    if order.kind == OrderKind.INTERIM:
        return (
            ApplicationStatus.INTERIM_VARIED,
            ApplicationStatus.INTERIM_RENEWED,
            ApplicationStatus.INTERIM_DISCHARGED,
        )
    return (ApplicationStatus.VARIED, ApplicationStatus.RENEWED, ApplicationStatus.DISCHARGED)


def _current(order: Order) -> None:
    if Order.objects.filter(replaces=order).exists():
        raise ValidationError(
            {"order": ["A later order replaced this one: vary, renew or discharge that one"]}
        )
    if (
        order.kind == OrderKind.INTERIM
        and order.application.orders.filter(kind=OrderKind.FULL).exists()
    ):
        raise ValidationError({"order": ["A full order took the place of this interim order"]})


def _successor(
    actor: Any,
    order: Order,
    locked: Application,
    *,
    made_on: date,
    expires_on: date | None,
    duration_months: int | None,
    until_further_order: bool,
    terms: list[TermSpec],
) -> Order:
    full = order.kind == OrderKind.FULL
    successor = Order.objects.create(
        application=locked,
        kind=order.kind,
        replaces=order,
        made_on=made_on,
        duration_months=duration_months,
        until_further_order=until_further_order,
        expires_on=expires_on,
        served_on=None,
        notification_required=False,
        renewal_review_on=(rules.renewal_review_on(made_on, expires_on) if full else None),
        created_by=actor,
    )
    create_terms(terms, order=successor)
    return successor


def vary_order(
    *,
    actor: Any,
    order: Order,
    varied_on: date,
    terms: Iterable[TermSpec],
    applicant: str = "chief_officer",
    note: str = "",
    victim_informed_on: date | None = None,
) -> Order:
    """The court varied ``order`` (s.4; an interim one under s.5(7)-(8)): a new order of the
    same kind with the terms as varied, made on ``varied_on`` and ending when the varied
    order would have ended. The order it replaces is kept as it was. Each term must still be
    necessary (s.4: added terms only if necessary), so each keeps its reason. No new s.9
    notification: a variation is not a new order."""
    require_case_member(actor, order.application.case)
    applicant = clean_applicant(applicant)
    _decided(varied_on, "varied_on", after=order.made_on)
    made = clean_terms(terms, need_necessity=order.application.basis == "application")
    if not made:
        raise ValidationError({"terms": ["An order has at least one prohibition or requirement"]})
    varied_status = _tracks(order)[0]
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=order.application_id)
        _current(order)
        check_move(locked, varied_status, varied_on)
        varied = _successor(
            actor,
            order,
            locked,
            made_on=varied_on,
            expires_on=order.expires_on,
            duration_months=order.duration_months,
            until_further_order=order.until_further_order,
            terms=made,
        )
        varied.renewal_review_on = order.renewal_review_on
        varied.save(update_fields=["renewal_review_on"])
        audit.record(
            actor=actor,
            action="spo_order.varied",
            object_type="spo_order",
            object_id=varied.pk,
            detail={
                "application": str(locked.pk),
                "replaces": str(order.pk),
                "made_on": varied_on.isoformat(),
                "terms": len(made),
                "applicant": applicant,
            },
        )
        change = move(
            actor,
            locked,
            varied_status,
            note=note,
            decided_on=varied_on,
            applicant=applicant,
            order=varied,
        )
        _informed(actor, change, victim_informed_on)
    order.application.status = locked.status
    order.application.interim_status = locked.interim_status
    return varied


def renew_order(
    *,
    actor: Any,
    order: Order,
    renewed_on: date,
    duration_months: int | None = None,
    until_further_order: bool = False,
    ends_on: date | None = None,
    terms: Iterable[TermSpec] | None = None,
    applicant: str = "chief_officer",
    note: str = "",
    victim_informed_on: date | None = None,
) -> Order:
    """The court renewed ``order``. A full order (s.4) runs from ``renewed_on`` for the new
    duration (s.3: at least 24 months, or until further order); an interim order (s.5(7)) is
    extended to the end of ``ends_on``, the usual step when a hearing is adjourned. The same
    terms unless ``terms`` says otherwise. No new s.9 notification."""
    require_case_member(actor, order.application.case)
    applicant = clean_applicant(applicant)
    _decided(renewed_on, "renewed_on", after=order.made_on)
    kind = rules.order_type(order.application.order_type)
    if order.kind == OrderKind.INTERIM or (kind.min_months is None and ends_on is not None):
        if ends_on is None or ends_on < renewed_on:
            raise ValidationError(
                {
                    "ends_on": [
                        "Give the new last day of the order, on or after the day of the renewal"
                    ]
                }
            )
        duration_months, until_further_order, expiry = None, False, ends_on
    elif kind.min_months is None:
        if not until_further_order and not duration_months:
            raise ValidationError(
                {"duration_months": ["Give the new period, its last day, or 'until further order'"]}
            )
        duration_months = None if until_further_order else duration_months
        expiry = rules.expires_on(renewed_on, duration_months)
    else:
        duration_months = _clean_duration(duration_months, until_further_order)
        expiry = rules.expires_on(renewed_on, duration_months)
    renewed_status = _tracks(order)[1]
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=order.application_id)
        _current(order)
        check_move(locked, renewed_status, renewed_on)
        made = (
            clean_terms(terms, need_necessity=locked.basis == "application")
            if terms is not None
            else [term_spec(t) for t in order.terms.all()]
        )
        if not made:
            raise ValidationError(
                {"terms": ["An order has at least one prohibition or requirement"]}
            )
        renewed = _successor(
            actor,
            order,
            locked,
            made_on=renewed_on,
            expires_on=expiry,
            duration_months=duration_months,
            until_further_order=until_further_order,
            terms=made,
        )
        audit.record(
            actor=actor,
            action="spo_order.renewed",
            object_type="spo_order",
            object_id=renewed.pk,
            detail={
                "application": str(locked.pk),
                "replaces": str(order.pk),
                "made_on": renewed_on.isoformat(),
                "expires_on": expiry.isoformat() if expiry else None,
                "applicant": applicant,
            },
        )
        change = move(
            actor,
            locked,
            renewed_status,
            note=note,
            decided_on=renewed_on,
            applicant=applicant,
            order=renewed,
        )
        _informed(actor, change, victim_informed_on)
    order.application.status = locked.status
    order.application.interim_status = locked.interim_status
    return renewed


def first_made_on(order: Order) -> date:
    """The day the order was first made: a variation or renewal is not a new order (the two
    years of s.4 count from the first)."""
    while order.replaces_id is not None:
        order = Order.objects.get(pk=order.replaces_id)
    return order.made_on


def discharge_order(
    *,
    actor: Any,
    order: Order,
    discharged_on: date,
    applicant: str,
    consent_defendant: bool | None = None,
    consent_chief_officer: bool | None = None,
    note: str = "",
    victim_informed_on: date | None = None,
) -> ApplicationStatusChange:
    """The court discharged ``order`` on the application of ``applicant``. A full order
    within two years of the day it was first made needs the consent of both the defendant
    and the chief officer (s.4), recorded here; without both the discharge is refused, as the
    court could not make it. An interim order may be discharged at any time (s.5(7)-(8))."""
    require_case_member(actor, order.application.case)
    applicant = clean_applicant(applicant)
    _decided(discharged_on, "discharged_on", after=order.made_on)
    consent_months = rules.order_type(order.application.order_type).discharge_consent_months
    if (
        order.kind == OrderKind.FULL
        and consent_months is not None
        and rules.discharge_needs_consent(first_made_on(order), discharged_on)
    ):
        missing = [
            who
            for who, given in (
                ("the defendant", consent_defendant),
                ("the chief officer", consent_chief_officer),
            )
            if not given
        ]
        if missing:
            raise ValidationError(
                {
                    "consent": [
                        "Within two years of the day the order was made, it is discharged only "
                        "with "
                        f"the consent of the defendant and the chief officer (s.4): record the "
                        f"consent of {' and '.join(missing)}"
                    ]
                }
            )
    discharged_status = _tracks(order)[2]
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=order.application_id)
        _current(order)
        check_move(locked, discharged_status, discharged_on)
        change = move(
            actor,
            locked,
            discharged_status,
            note=note,
            decided_on=discharged_on,
            applicant=applicant,
            consent_defendant=consent_defendant,
            consent_chief_officer=consent_chief_officer,
            order=order,
        )
        _informed(actor, change, victim_informed_on)
    order.application.status = locked.status
    order.application.interim_status = locked.interim_status
    return change


def record_victim_informed(
    *, actor: Any, change: ApplicationStatusChange, on: date, today: date | None = None
) -> VictimInformed:
    """The day the victim was told of ``change`` (once; never changed)."""
    require_case_member(actor, change.application.case)
    if change.status not in TELL_VICTIM:
        raise ValidationError({"change": ["The victim is told of decisions about the order"]})
    if on is None or on > (today or timezone.localdate()):
        raise ValidationError({"victim_informed_on": ["Enter the day, not in the future"]})
    with transaction.atomic():
        ApplicationStatusChange.objects.select_for_update().get(pk=change.pk)
        if VictimInformed.objects.filter(change=change).exists():
            raise ValidationError({"victim_informed_on": ["Already recorded"]})
        _informed(actor, change, on)
    return VictimInformed.objects.get(change=change)
