"""The officer's side: the unit's cases, case work, share codes, and the shared vaults.

Each endpoint looks the case up with ``get_case_for_user`` (404 for anyone outside its unit)
and acts through ``cairn.cases.services``; vault content is read only through the audited
``shared_*`` functions, with the purpose the caller gives."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from cairn.api.access import officer_of_own_unit
from cairn.api.endpoints.common import MAX_PAGE, READ, WRITE, page_of, person
from cairn.api.schemas import (
    CaseDetail,
    CaseIn,
    CaseOut,
    CasePage,
    EntryIn,
    EntryOut,
    IncidentOut,
    LinkedVaultOut,
    RiskAssessmentOut,
    ShareCodeOut,
    StatusChangeOut,
    StatusIn,
    SuspectIn,
    SuspectOut,
)
from cairn.cases import access
from cairn.cases import services as cases
from cairn.cases.models import Purpose

router = Router(tags=["cases"])


def case_out(case: Any) -> dict[str, Any]:
    return {
        "id": case.pk,
        "reference": case.reference,
        "status": case.status,
        "officer": person(case.officer),
        "next_review": case.next_review,
        "created_at": case.created_at,
    }


def status_change_out(change: Any) -> dict[str, Any]:
    return {"status": change.status, "note": change.note, "at": change.at, "by": person(change.by)}


def entry_out(entry: Any) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "happened_at": entry.happened_at,
        "text": entry.text,
        "created_at": entry.created_at,
        "created_by": person(entry.created_by),
    }


def suspect_out(suspect: Any) -> dict[str, Any]:
    return {
        "id": suspect.pk,
        "name": suspect.name,
        "date_of_birth": suspect.date_of_birth,
        "identifiers": list(suspect.identifiers),
    }


def case_detail(case: Any) -> dict[str, Any]:
    return {
        **case_out(case),
        "unit": {"id": case.unit.pk, "name": case.unit.name},
        "status_history": [status_change_out(c) for c in case.status_changes.select_related("by")],
        "entries": [entry_out(e) for e in case.entries.select_related("created_by")],
        "suspects": [suspect_out(s) for s in case.suspects.all()],
    }


def incident_out(incident: Any) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "number": incident.number,
        "start": incident.start,
        "end": incident.end,
        "precision": incident.precision,
        "channel": incident.channel,
        "acts": incident.act_codes,
        "feared_violence": incident.feared_violence,
        "reported_to_police": incident.reported_to_police,
        "when_words": incident.when_words,
        "location": incident.location,
        "description": incident.description,
        "impact": incident.impact,
        "witnesses": incident.witnesses,
        "recorded_at": incident.recorded_at,
    }


@router.get("", response={200: CasePage, **READ}, summary="Your unit's cases, newest first")
def list_cases(request: HttpRequest, page: int = Query(1, ge=1, le=MAX_PAGE)) -> Any:
    readable = (
        access.cases_readable_by(request.auth)
        .select_related("officer")
        .order_by("-created_at", "id")
    )
    return page_of(readable, page, case_out)


@router.post("", response={201: CaseOut, **WRITE}, summary="Open a case in your unit")
def open_case(request: HttpRequest, payload: CaseIn) -> Any:
    officer = (
        officer_of_own_unit(request.auth, payload.officer_id)
        if payload.officer_id is not None
        else None
    )
    case = cases.open_case(
        actor=request.auth,
        reference=payload.reference,
        officer=officer,
        next_review=payload.next_review,
    )
    return Status(201, case_out(case))


@router.get(
    "/{case_id}",
    response={200: CaseDetail, **READ},
    summary="A case: status history, actions and notes, suspects",
)
def get_case(request: HttpRequest, case_id: UUID) -> Any:
    return case_detail(access.get_case_for_user(request.auth, case_id))


@router.post(
    "/{case_id}/status",
    response={201: StatusChangeOut, **WRITE},
    summary="Change a case's status (kept as a new row, with who and when)",
)
def change_status(request: HttpRequest, case_id: UUID, payload: StatusIn) -> Any:
    case = access.get_case_for_user(request.auth, case_id)
    change = cases.change_status(
        actor=request.auth, case=case, status=payload.status.value, note=payload.note
    )
    return Status(201, status_change_out(change))


@router.post(
    "/{case_id}/entries",
    response={201: EntryOut, **WRITE},
    summary="Add a police action or note to the case timeline",
)
def add_entry(request: HttpRequest, case_id: UUID, payload: EntryIn) -> Any:
    case = access.get_case_for_user(request.auth, case_id)
    entry = cases.add_entry(
        actor=request.auth,
        case=case,
        kind=payload.kind.value,
        text=payload.text,
        happened_at=payload.happened_at,
    )
    return Status(201, entry_out(entry))


@router.post(
    "/{case_id}/suspects",
    response={201: SuspectOut, **WRITE},
    summary="Add a suspect with their identifiers",
)
def add_suspect(request: HttpRequest, case_id: UUID, payload: SuspectIn) -> Any:
    case = access.get_case_for_user(request.auth, case_id)
    suspect = cases.add_suspect(
        actor=request.auth,
        case=case,
        name=payload.name,
        date_of_birth=payload.date_of_birth,
        identifiers=[(i.kind.value, i.value) for i in payload.identifiers],
    )
    return Status(201, suspect_out(suspect))


@router.post(
    "/{case_id}/share-codes",
    response={201: ShareCodeOut, **WRITE},
    summary="A one-use code the victim enters to link her vault to the case",
)
def issue_share_code(request: HttpRequest, case_id: UUID) -> Any:
    case = access.get_case_for_user(request.auth, case_id)
    code = cases.issue_share_code(actor=request.auth, case=case)
    return Status(201, {"code": code, "valid_for_days": cases.CODE_LIFETIME.days})


@router.get(
    "/{case_id}/vaults",
    response={200: list[LinkedVaultOut], **READ},
    summary="The vaults linked to the case, and how much of each is shared",
)
def linked_vaults(request: HttpRequest, case_id: UUID) -> Any:
    case = access.get_case_for_user(request.auth, case_id)
    shares = (
        access.shares_visible_to(request.auth)
        .filter(case=case)
        .select_related("vault")
        .order_by("created_at")
    )
    linked = []
    for share in shares:
        everything = share.scope == "all"
        linked.append(
            {
                "vault_id": share.vault_id,
                "initials": share.vault.initials,
                "scope": share.scope,
                "incidents": None
                if everything
                else share.incidents.filter(deleted_at__isnull=True).count(),
                "exhibits": None if everything else share.exhibits.count(),
                "shared_at": share.created_at,
                "changed_at": share.changed_at,
            }
        )
    return linked


@router.get(
    "/{case_id}/vaults/{vault_id}/incidents",
    response={200: list[IncidentOut], **READ},
    summary="The shared incidents of a linked vault, oldest first (each read is "
    "recorded, with its purpose, in the victim's access log)",
)
def shared_incidents(request: HttpRequest, case_id: UUID, vault_id: UUID, purpose: Purpose) -> Any:
    case = access.get_case_for_user(request.auth, case_id)
    vault = access.get_shared_vault(request.auth, vault_id, case)
    incidents = access.shared_incidents(request.auth, vault, purpose=purpose.value, case=case)
    return [incident_out(i) for i in incidents]


@router.get(
    "/{case_id}/risk-assessments",
    response={200: list[RiskAssessmentOut], **READ},
    summary="Every version of the case's risk assessment, with its reviews",
)
def risk_assessments(request: HttpRequest, case_id: UUID) -> Any:
    case = access.get_case_for_user(request.auth, case_id)
    assessments = (
        access.risk_assessments_readable_by(request.auth, case)
        .select_related("created_by")
        .prefetch_related("reviews__by")
        .order_by("version")
    )
    return [
        {
            "id": a.pk,
            "version": a.version,
            "form_id": a.form_id,
            "form_version": a.form_version,
            "level": a.level,
            "summary": a.summary,
            "answers": a.answers,
            "prefilled": a.prefilled,
            "created_at": a.created_at,
            "created_by": person(a.created_by),
            "reviews": [
                {"decision": r.decision, "note": r.note, "at": r.at, "by": person(r.by)}
                for r in a.reviews.all()
            ],
        }
        for a in assessments
    ]
