"""The officer's side of multi-agency work on a case (issue 15, point 9): right-to-know
decisions and referrals (to the stalking advocate, MARAC, MASIPs). The case first (404
outside its unit), then the same services as the pages (``cairn.cases.multiagency``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status

from cairn.api.endpoints.common import READ, WRITE, person
from cairn.api.endpoints.orders import case_suspect
from cairn.api.order_schemas import (
    ReferralIn,
    ReferralOut,
    ReferralOutcomeIn,
    RightToKnowIn,
    RightToKnowOut,
)
from cairn.cases import access as case_access
from cairn.cases import multiagency

router = Router(tags=["orders"])
# The operation ids these endpoints had in endpoints/orders.py, kept for API clients.
KEPT = "cairn_api_endpoints_orders_"


# --- the right to know and referrals ----------------------------------------------------------


def right_to_know_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "suspect_id": row.suspect_id,
        "identified_on": row.identified_on,
        "how_identified": row.how_identified,
        "decision": row.decision,
        "reasons": row.reasons,
        "decided_on": row.decided_on,
        "told_on": row.told_on,
        "at": row.at,
        "by": person(row.by),
    }


def referral_out(referral: Any) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "kind": referral.kind,
        "referred_on": referral.referred_on,
        "agency": referral.agency,
        "meeting_on": referral.meeting_on,
        "outcome": referral.outcome,
        "outcome_on": referral.outcome_on,
        "note": referral.note,
        "at": referral.at,
        "by": person(referral.by),
    }


@router.get(
    "/{case_id}/right-to-know",
    operation_id=KEPT + "list_right_to_know",
    response={200: list[RightToKnowOut], **READ},
    summary="Right-to-know decisions, oldest first (the latest stands)",
)
def list_right_to_know(request: HttpRequest, case_id: UUID) -> Any:
    case = case_access.get_case_for_user(request.auth, case_id)
    return [right_to_know_out(r) for r in case_access.right_to_know_readable_by(request.auth, case)]


@router.post(
    "/{case_id}/right-to-know",
    operation_id=KEPT + "decide_right_to_know",
    response={201: RightToKnowOut, **WRITE},
    summary="A decision on telling the victim who the stalker is, with its reasons",
)
def decide_right_to_know(request: HttpRequest, case_id: UUID, payload: RightToKnowIn) -> Any:
    case = case_access.get_case_for_user(request.auth, case_id)
    row = multiagency.decide_right_to_know(
        actor=request.auth,
        case=case,
        identified_on=payload.identified_on,
        how_identified=payload.how_identified,
        decision=payload.decision.value,
        reasons=payload.reasons,
        decided_on=payload.decided_on,
        told_on=payload.told_on,
        suspect=case_suspect(case, payload.suspect_id),
    )
    return Status(201, right_to_know_out(row))


@router.get(
    "/{case_id}/referrals",
    operation_id=KEPT + "list_referrals",
    response={200: list[ReferralOut], **READ},
    summary="Referrals to the stalking advocate, MARAC and MASIPs",
)
def list_referrals(request: HttpRequest, case_id: UUID) -> Any:
    case = case_access.get_case_for_user(request.auth, case_id)
    return [
        referral_out(r)
        for r in case_access.referrals_readable_by(request.auth, case).select_related("by")
    ]


@router.post(
    "/{case_id}/referrals",
    operation_id=KEPT + "refer",
    response={201: ReferralOut, **WRITE},
    summary="Record a referral",
)
def refer(request: HttpRequest, case_id: UUID, payload: ReferralIn) -> Any:
    case = case_access.get_case_for_user(request.auth, case_id)
    referral = multiagency.refer(
        actor=request.auth,
        case=case,
        kind=payload.kind.value,
        referred_on=payload.referred_on,
        agency=payload.agency,
        meeting_on=payload.meeting_on,
        note=payload.note,
    )
    return Status(201, referral_out(referral))


@router.post(
    "/{case_id}/referrals/{referral_id}/outcome",
    operation_id=KEPT + "referral_outcome",
    response={200: ReferralOut, **WRITE},
    summary="What came of a referral (once)",
)
def referral_outcome(
    request: HttpRequest, case_id: UUID, referral_id: int, payload: ReferralOutcomeIn
) -> Any:
    case = case_access.get_case_for_user(request.auth, case_id)
    referral = case_access.get_referral_for_user(request.auth, case, referral_id)
    return referral_out(
        multiagency.record_referral_outcome(
            actor=request.auth, referral=referral, outcome=payload.outcome.value, on=payload.on
        )
    )
