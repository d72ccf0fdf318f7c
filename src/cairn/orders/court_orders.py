"""Orders a court made without a police application (docs/adr/0041): a Stalking Protection
Order made by a criminal court of its own motion on conviction or acquittal (the 2019 Act as
amended by the Crime and Policing Act 2026), a restraining order (Protection from Harassment
Act 1997 s.5, s.5A), bail conditions, a non-molestation order (Family Law Act 1996 s.42) and a
Domestic Abuse Protection Order (Domestic Abuse Act 2021, where in force).

``record_court_order`` records one on a case: its proceedings (an ``Application`` whose
``basis`` is the court's, starting at "granted", with no grounds) and the order as made, with
its terms. From then on it shares the lifecycle of every order (variation, renewal where the
kind allows it, discharge, appeal), its breaches (reported by the victim in the same plain
words, or recorded by an officer) and its place in the closure guard; ``rules.ORDER_TYPES``
holds what differs: what breaching it is, whether the defendant must notify the police (an
SPO: ss.9-11), the least fixed period, whether it is renewed, the two-year consent rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cairn.audit import services as audit
from cairn.cases.access import require_case_member
from cairn.cases.models import Case, CaseSuspect
from cairn.orders import rules
from cairn.orders.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Order,
    OrderKind,
    OrderType,
)
from cairn.orders.rules import TermSpec
from cairn.orders.services import _clean_duration, check_move, move
from cairn.orders.terms import clean_terms, create_terms

COURT_MAX = 200


def _period(
    kind: rules.OrderType,
    made_on: date,
    duration_months: int | None,
    until_further_order: bool,
    ends_on: date | None,
) -> tuple[int | None, bool, date | None]:
    """(months, until further order, last day) as the kind allows: an SPO for at least two
    years or until further order (s.3); the others for a stated period, to a stated last day,
    or until further order (or, for bail, until the case ends)."""
    if kind.min_months is not None:
        months = _clean_duration(duration_months, until_further_order)
        return months, until_further_order, rules.expires_on(made_on, months)
    given = [until_further_order, duration_months is not None, ends_on is not None]
    if sum(given) != 1:
        raise ValidationError(
            {
                "duration_months": [
                    "Give one of: the period in months, the last day, or 'until further order'"
                ]
            }
        )
    if ends_on is not None:
        if ends_on < made_on:
            raise ValidationError(
                {"ends_on": ["The last day comes on or after the day it was made"]}
            )
        return None, False, ends_on
    if duration_months is not None:
        if duration_months < 1:
            raise ValidationError({"duration_months": ["Give at least one month"]})
        return duration_months, False, rules.expires_on(made_on, duration_months)
    return None, True, None


def record_court_order(
    *,
    actor: Any,
    case: Case,
    order_type: str,
    basis: str,
    made_on: date,
    terms: Iterable[TermSpec],
    court: str = "",
    duration_months: int | None = None,
    until_further_order: bool = False,
    ends_on: date | None = None,
    defendant: CaseSuspect | None = None,
    note: str = "",
) -> Order:
    """An order a court made on ``case`` without a police application, with its terms as
    made. The investigators and supervisors of the case's unit record it."""
    require_case_member(actor, case)
    if order_type not in OrderType.values:
        raise ValidationError({"order_type": ["Choose the kind of order"]})
    kind = rules.ORDER_TYPES[order_type]
    bases = dict(kind.bases)
    if basis not in bases or basis == "application":
        raise ValidationError({"basis": [f"Choose how the court made the {kind.label.lower()}"]})
    if defendant is not None and defendant.case_id != case.pk:
        raise ValidationError({"defendant": ["Choose a suspect of this case"]})
    court = " ".join((court or "").split())
    if len(court) > COURT_MAX:
        raise ValidationError({"court": [f"At most {COURT_MAX} characters"]})
    months, open_ended, last_day = _period(
        kind, made_on, duration_months, until_further_order, ends_on
    )
    made = clean_terms(terms, need_necessity=False)
    if not made:
        raise ValidationError(
            {"terms": ["Give at least one of its prohibitions, requirements or conditions"]}
        )
    with transaction.atomic():
        application = Application.objects.create(
            case=case,
            order_type=order_type,
            basis=basis,
            court=court,
            defendant=defendant,
            status=ApplicationStatus.GRANTED,
            duration_months=months,
            until_further_order=open_ended,
            grounds={},
            created_by=actor,
        )
        order = Order.objects.create(
            application=application,
            kind=OrderKind.FULL,
            made_on=made_on,
            duration_months=months,
            until_further_order=open_ended,
            expires_on=last_day,
            notification_required=kind.notification,
            renewal_review_on=(
                rules.renewal_review_on(made_on, last_day)
                if kind.renewable and (months or open_ended)
                else None
            ),
            created_by=actor,
        )
        create_terms(made, order=order)
        ApplicationStatusChange.objects.create(
            application=application,
            status=ApplicationStatus.GRANTED,
            decided_on=made_on,
            order=order,
            note=(note or "").strip() or bases[basis],
            by=actor,
        )
        audit.record(
            actor=actor,
            action="spo_order.recorded",
            object_type="spo_order",
            object_id=order.pk,
            detail={
                "application": str(application.pk),
                "kind": OrderKind.FULL,
                "order_type": order_type,
                "basis": basis,
                "made_on": made_on.isoformat(),
                "terms": len(made),
                "as_asked": False,
            },
        )
    return order


def end_bail(*, actor: Any, order: Order, ended_on: date, note: str = "") -> Any:
    """Bail ends (the case is decided, or bail is replaced by custody or by other conditions):
    its conditions no longer have effect. Recorded as the order's expiry on that day."""
    require_case_member(actor, order.application.case)
    if order.application.order_type != OrderType.BAIL:
        raise ValidationError({"order": ["Only bail conditions end this way"]})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=order.application_id)
        check_move(locked, ApplicationStatus.EXPIRED)
        return move(
            actor,
            locked,
            ApplicationStatus.EXPIRED,
            decided_on=ended_on,
            note=note or "Bail ended",
            order=order,
        )
