"""The officer's side of breaches (issue 15, point 9): every breach of a case's orders and
failures to notify, recording one in the officer's words, and outcomes. As in
``cairn.api.endpoints.orders``: the case first (404 outside its unit), then the breach
through ``cairn.breaches.access``, then the same services as the pages."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Status

from cairn.api.endpoints.common import READ, WRITE
from cairn.api.order_schemas import BreachIn, BreachOut, OutcomeIn
from cairn.breaches import access as breach_access
from cairn.breaches import services as breaches
from cairn.cases import access as case_access
from cairn.orders import access

router = Router(tags=["orders"])
# The operation ids these endpoints had in endpoints/orders.py, kept for API clients.
KEPT = "cairn_api_endpoints_orders_"


def breach_out(breach: Any) -> dict[str, Any]:
    return {
        "id": breach.pk,
        "order_id": breach.order_id,
        "term_id": breach.term_id,
        "kind": breach.kind,
        "source": breach.source,
        "occurred_at": breach.occurred_at,
        "account": breach.account,
        "crime_reference": breach.crime_reference,
        "outcome": breach.outcome,
        "outcomes": [
            {"outcome": o.outcome, "on": o.on, "reason": o.reason, "at": o.at}
            for o in breach.outcomes.all()
        ],
        "reported_at": breach.reported_at,
    }


# --- breaches ---------------------------------------------------------------------------------


@router.get(
    "/{case_id}/breaches",
    operation_id=KEPT + "list_breaches",
    response={200: list[BreachOut], **READ},
    summary="Every breach of the case's orders, and failures to notify, newest first",
)
def list_breaches(request: HttpRequest, case_id: UUID) -> Any:
    case = case_access.get_case_for_user(request.auth, case_id)
    return [
        breach_out(b)
        for b in breach_access.breaches_readable_by(request.auth, case).prefetch_related("outcomes")
    ]


@router.post(
    "/{case_id}/breaches",
    operation_id=KEPT + "record_breach",
    response={201: BreachOut, **WRITE},
    summary="Record a breach in the officer's words",
)
def record_breach(request: HttpRequest, case_id: UUID, payload: BreachIn) -> Any:
    case = case_access.get_case_for_user(request.auth, case_id)
    order = (
        access.orders_readable_by(request.auth)
        .filter(pk=payload.order_id, application__case=case)
        .select_related("application")
        .first()
    )
    if order is None:
        raise ValidationError({"order_id": ["Choose an order made on this case"]})
    term = order.terms.filter(pk=payload.term_id).first() if payload.term_id else None
    if payload.term_id and term is None:
        raise ValidationError({"term_id": ["Choose a term of this order"]})
    breach = breaches.record_breach(
        actor=request.auth,
        case=case,
        order=order,
        term=term,
        occurred_at=payload.occurred_at,
        account=payload.account,
        crime_reference=payload.crime_reference,
    )
    return Status(201, breach_out(breach))


@router.get(
    "/{case_id}/breaches/{breach_id}",
    operation_id=KEPT + "get_breach",
    response={200: BreachOut, **READ},
    summary="A breach with its outcomes",
)
def get_breach(request: HttpRequest, case_id: UUID, breach_id: UUID) -> Any:
    case = case_access.get_case_for_user(request.auth, case_id)
    return breach_out(breach_access.get_breach_for_user(request.auth, case, breach_id))


@router.post(
    "/{case_id}/breaches/{breach_id}/outcomes",
    operation_id=KEPT + "record_outcome",
    response={201: BreachOut, **WRITE},
    summary="What happened to a breach (appended; no further action needs a reason)",
)
def record_outcome(request: HttpRequest, case_id: UUID, breach_id: UUID, payload: OutcomeIn) -> Any:
    case = case_access.get_case_for_user(request.auth, case_id)
    breach = breach_access.get_breach_for_user(request.auth, case, breach_id)
    breaches.record_outcome(
        actor=request.auth,
        breach=breach,
        outcome=payload.outcome.value,
        on=payload.on,
        reason=payload.reason,
    )
    return Status(201, breach_out(breach_access.get_breach_for_user(request.auth, case, breach_id)))
