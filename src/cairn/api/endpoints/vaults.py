"""The victim's side: her vaults, her shares (link by code, change the scope, withdraw), and
who looked at what.

Her vault is looked up with ``cairn.vault.access.get_vault_for_user`` (404 for anyone else)
and her shares with ``cairn.cases.access``; changes go through ``cairn.cases.services``, which
record each one in her vault's ledger."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status

from cairn.accounts.access import membership_of
from cairn.api.endpoints.common import MAX_PAGE, READ, WRITE, page_of
from cairn.api.order_schemas import ReportIn, ReportOut, VictimOrderOut
from cairn.api.schemas import AccessPage, ScopeIn, ShareIn, ShareOut, VaultOut
from cairn.breaches import access as breach_access
from cairn.breaches import services as breaches
from cairn.breaches.words import outcome_words
from cairn.cases import access as case_access
from cairn.cases import services as cases
from cairn.orders.standing import last_day_of_effect
from cairn.orders.words import order_title, order_words, term_words
from cairn.vault import access as vault_access

router = Router(tags=["sharing"])


def share_out(share: Any) -> dict[str, Any]:
    if share.case_id is not None:
        recipient = {
            "kind": "case",
            "organisation": share.case.organisation.name,
            "unit": share.case.unit.name,
            "case_reference": share.case.reference,
            "advocate": None,
        }
    else:
        membership = membership_of(share.advocate)
        recipient = {
            "kind": "advocate",
            "organisation": membership.organisation.name if membership else None,
            "unit": membership.unit.name if membership else None,
            "case_reference": None,
            "advocate": str(share.advocate),
        }
    return {
        "id": share.pk,
        "recipient": recipient,
        "scope": share.scope,
        "incident_ids": [i.pk for i in share.incidents.all()],
        "exhibit_ids": [e.pk for e in share.exhibits.all()],
        "created_at": share.created_at,
        "changed_at": share.changed_at,
        "withdrawn_at": share.withdrawn_at,
        "active": share.active,
    }


@router.get("", response={200: list[VaultOut], **READ}, summary="Your own vaults")
def my_vaults(request: HttpRequest) -> Any:
    return [
        {"id": v.pk, "name": v.name, "initials": v.initials}
        for v in vault_access.vaults_readable_by(request.auth).order_by("created_at")
    ]


@router.get(
    "/{vault_id}/shares",
    response={200: list[ShareOut], **READ},
    summary="Who your vault is shared with, and what of it (withdrawn shares too)",
)
def list_shares(request: HttpRequest, vault_id: UUID) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    shares = (
        case_access.shares_of_owner(request.auth, vault)
        .prefetch_related("incidents", "exhibits")
        .order_by("created_at")
    )
    return [share_out(s) for s in shares]


@router.post(
    "/{vault_id}/shares",
    response={201: ShareOut, **WRITE},
    summary="Link your vault to a case or an advocate with the code you were given",
)
def link_by_code(request: HttpRequest, vault_id: UUID, payload: ShareIn) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    share = cases.link_by_code(
        actor=request.auth,
        vault=vault,
        code=payload.code,
        scope=payload.scope.value,
        incident_ids=payload.incident_ids,
        exhibit_ids=payload.exhibit_ids,
    )
    share = case_access.get_share_of_owner(request.auth, vault, share.pk)
    return Status(201, share_out(share))


@router.put(
    "/{vault_id}/shares/{share_id}",
    response={200: ShareOut, **WRITE},
    summary="Widen or narrow what a share covers; they see the new scope at once",
)
def change_share(request: HttpRequest, vault_id: UUID, share_id: UUID, payload: ScopeIn) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    share = case_access.get_share_of_owner(request.auth, vault, share_id)
    share = cases.change_share(
        actor=request.auth,
        share=share,
        scope=payload.scope.value,
        incident_ids=payload.incident_ids,
        exhibit_ids=payload.exhibit_ids,
    )
    return share_out(share)


@router.post(
    "/{vault_id}/shares/{share_id}/withdraw",
    response={200: ShareOut, **WRITE},
    summary="Withdraw a share: they see nothing more of your vault through it",
)
def withdraw_share(request: HttpRequest, vault_id: UUID, share_id: UUID) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    share = case_access.get_share_of_owner(request.auth, vault, share_id)
    return share_out(cases.withdraw_share(actor=request.auth, share=share))


@router.get(
    "/{vault_id}/access-log",
    response={200: AccessPage, **READ},
    summary="Every look at your vault by someone else, newest first",
)
def access_log(
    request: HttpRequest, vault_id: UUID, page: int = Query(1, ge=1, le=MAX_PAGE)
) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    memberships: dict[Any, Any] = {}

    def entry(record: Any) -> dict[str, Any]:
        if record.actor_id not in memberships:
            memberships[record.actor_id] = membership_of(record.actor)
        membership = memberships[record.actor_id]
        return {
            "at": record.at,
            "who": str(record.actor),
            "organisation": membership.organisation.name if membership else None,
            "role": membership.get_role_display() if membership else None,
            "what": record.object_type,
            "count": record.detail.get("count", 0),
            # A read Cairn made on the reader's behalf, with no reason given: none shown.
            "purpose": record.detail.get("purpose")
            if record.detail.get("purpose_given", True)
            else None,
            "case_id": record.detail.get("case"),
        }

    return page_of(case_access.access_log(request.auth, vault), page, entry)


# --- breaches of the orders protecting her (issue 15, point 9) ------------------------------


@router.get(
    "/{vault_id}/orders",
    response={200: list[VictimOrderOut], **READ},
    summary="The orders you can report a breach of, in plain words",
)
def my_orders(request: HttpRequest, vault_id: UUID) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    return [
        {
            "share_id": share.pk,
            "order_id": order.pk,
            "title": order_title(order),
            "made_on": order.made_on,
            "last_day": last_day_of_effect(order),
            "recipient": str(case_access.recipient_of_share(share)),
            "terms": [{"id": t.pk, "words": term_words(t)} for t in order.terms.all()],
        }
        for share, order in breach_access.orders_for_victim(request.auth, vault)
    ]


def report_out(breach: Any) -> dict[str, Any]:
    return {
        "id": breach.pk,
        "order": order_words(breach.order),
        "term": term_words(breach.term) if breach.term else "The order as a whole",
        "incident_id": breach.incident_id,
        "occurred_at": breach.occurred_at,
        "reported_at": breach.reported_at,
        "what_happened": [
            f"{outcome_words(o.outcome)} ({o.on.day} {o.on:%B %Y})"
            + (f": {o.reason}" if o.reason else "")
            for o in breach.outcomes.all()
        ],
    }


@router.get(
    "/{vault_id}/breaches",
    response={200: list[ReportOut], **READ},
    summary="The breaches you reported, and what the police did about each",
)
def my_reports(request: HttpRequest, vault_id: UUID) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    return [report_out(b) for b in breach_access.breaches_reported_by(request.auth, vault)]


@router.post(
    "/{vault_id}/breaches",
    response={201: ReportOut, **WRITE},
    summary="Report an incident from your log as a breach of an order (it is shared "
    "with the case if it is not already)",
)
def report_breach(request: HttpRequest, vault_id: UUID, payload: ReportIn) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    share = case_access.shares_of_owner(request.auth, vault).filter(pk=payload.share_id).first()
    if share is None:
        raise ValidationError({"share_id": ["Choose a case you share your log with"]})
    incident = (
        vault_access.incidents_readable_by(request.auth, vault)
        .filter(pk=payload.incident_id)
        .first()
    )
    if incident is None:
        raise ValidationError({"incident_id": ["Choose an incident from your log"]})
    orders = {
        o.pk: o for s, o in breach_access.orders_for_victim(request.auth, vault) if s.pk == share.pk
    }
    order = orders.get(payload.order_id) if payload.order_id else None
    if payload.order_id and order is None:
        raise ValidationError({"order_id": ["Choose an order you can report a breach of"]})
    term = None
    if payload.term_id:
        term = next(
            (t for o in orders.values() for t in o.terms.all() if t.pk == payload.term_id), None
        )
        if term is None:
            raise ValidationError({"term_id": ["Choose a term of an order in force"]})
    breach = breaches.report_breach(
        actor=request.auth, vault=vault, incident=incident, share=share, order=order, term=term
    )
    return Status(201, report_out(breach))
