"""The victim's side: her vaults, her shares (link by code, change the scope, withdraw), and
who looked at what.

Her vault is looked up with ``cairn.vault.access.get_vault_for_user`` (404 for anyone else)
and her shares with ``cairn.cases.access``; changes go through ``cairn.cases.services``, which
record each one in her vault's ledger."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from cairn.api.endpoints.common import MAX_PAGE, READ, WRITE, page_of
from cairn.api.schemas import AccessPage, ScopeIn, ShareIn, ShareOut, VaultOut
from cairn.cases import access as case_access
from cairn.cases import services as cases
from cairn.cases.access import membership_of
from cairn.vault import access as vault_access

router = Router(tags=["sharing"])


def share_out(share: Any) -> dict[str, Any]:
    if share.case_id is not None:
        recipient = {"kind": "case", "organisation": share.case.organisation.name,
                     "unit": share.case.unit.name, "case_reference": share.case.reference,
                     "advocate": None}
    else:
        membership = membership_of(share.advocate)
        recipient = {"kind": "advocate",
                     "organisation": membership.organisation.name if membership else None,
                     "unit": membership.unit.name if membership else None,
                     "case_reference": None, "advocate": str(share.advocate)}
    return {"id": share.pk, "recipient": recipient, "scope": share.scope,
            "incident_ids": [i.pk for i in share.incidents.all()],
            "exhibit_ids": [e.pk for e in share.exhibits.all()],
            "created_at": share.created_at, "changed_at": share.changed_at,
            "withdrawn_at": share.withdrawn_at, "active": share.active}


@router.get("", response={200: list[VaultOut], **READ}, summary="Your own vaults")
def my_vaults(request: HttpRequest) -> Any:
    return [{"id": v.pk, "name": v.name, "initials": v.initials}
            for v in vault_access.vaults_readable_by(request.auth).order_by("created_at")]


@router.get("/{vault_id}/shares", response={200: list[ShareOut], **READ},
            summary="Who your vault is shared with, and what of it (withdrawn shares too)")
def list_shares(request: HttpRequest, vault_id: UUID) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    shares = (case_access.shares_of_owner(request.auth, vault)
              .prefetch_related("incidents", "exhibits").order_by("created_at"))
    return [share_out(s) for s in shares]


@router.post("/{vault_id}/shares", response={201: ShareOut, **WRITE},
             summary="Link your vault to a case or an advocate with the code you were given")
def link_by_code(request: HttpRequest, vault_id: UUID, payload: ShareIn) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    share = cases.link_by_code(actor=request.auth, vault=vault, code=payload.code,
                               scope=payload.scope.value, incident_ids=payload.incident_ids,
                               exhibit_ids=payload.exhibit_ids)
    share = case_access.get_share_of_owner(request.auth, vault, share.pk)
    return Status(201, share_out(share))


@router.put("/{vault_id}/shares/{share_id}", response={200: ShareOut, **WRITE},
            summary="Widen or narrow what a share covers; they see the new scope at once")
def change_share(request: HttpRequest, vault_id: UUID, share_id: UUID,
                 payload: ScopeIn) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    share = case_access.get_share_of_owner(request.auth, vault, share_id)
    share = cases.change_share(actor=request.auth, share=share, scope=payload.scope.value,
                               incident_ids=payload.incident_ids,
                               exhibit_ids=payload.exhibit_ids)
    return share_out(share)


@router.post("/{vault_id}/shares/{share_id}/withdraw", response={200: ShareOut, **WRITE},
             summary="Withdraw a share: they see nothing more of your vault through it")
def withdraw_share(request: HttpRequest, vault_id: UUID, share_id: UUID) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    share = case_access.get_share_of_owner(request.auth, vault, share_id)
    return share_out(cases.withdraw_share(actor=request.auth, share=share))


@router.get("/{vault_id}/access-log", response={200: AccessPage, **READ},
            summary="Every look at your vault by someone else, newest first")
def access_log(request: HttpRequest, vault_id: UUID,
               page: int = Query(1, ge=1, le=MAX_PAGE)) -> Any:
    vault = vault_access.get_vault_for_user(request.auth, vault_id)
    memberships: dict[Any, Any] = {}

    def entry(record: Any) -> dict[str, Any]:
        if record.actor_id not in memberships:
            memberships[record.actor_id] = membership_of(record.actor)
        membership = memberships[record.actor_id]
        return {"at": record.at, "who": str(record.actor),
                "organisation": membership.organisation.name if membership else None,
                "role": membership.get_role_display() if membership else None,
                "what": record.object_type, "count": record.detail.get("count", 0),
                # A read Cairn made on the reader's behalf, with no reason given: none shown.
                "purpose": record.detail.get("purpose")
                if record.detail.get("purpose_given", True) else None,
                "case_id": record.detail.get("case")}

    return page_of(case_access.access_log(request.auth, vault), page, entry)
