"""The victim's review of what an import proposes: accepting proposals (in bulk, ADR 0046)
or dismissing them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.importers import rules
from cairn.importers.models import (
    ImportBatch,
    ImportedItem,
    ProposalStatus,
    ProposedIncident,
)
from cairn.importers.records import proposal_record
from cairn.store.rows import set_each
from cairn.vault import services as vault_services
from cairn.vault.models import Exhibit, Incident, Vault


def proposal_content(
    proposal: ProposedIncident, item_ids: Iterable[Any] | None = None
) -> dict[str, Any]:
    """What a proposal's ledger entries hash; ``item_ids`` are its items' ids when the caller
    has read them already."""
    if item_ids is None:
        item_ids = proposal.items.values_list("pk", flat=True)
    return proposal_record(proposal, item_ids)


def accept_proposals(
    *, actor: User, batch: ImportBatch, ids: Iterable[Any] | None = None, all: bool = False
) -> list[Incident]:
    """Log incidents from proposals (all still proposed, or the ones named by id or number).

    Each becomes an incident through ``vault.services.log_incident``, with the sender linked
    as a person when known, and the files attached to its messages attached to it.
    """
    vault = batch.vault
    vault_services.require_owner(actor, vault)
    pending = ProposedIncident.objects.filter(batch=batch, status=ProposalStatus.PROPOSED)
    if not all:
        wanted = [str(value).strip() for value in (ids or []) if str(value).strip()]
        if not wanted:
            raise ValidationError({"proposals": ["Choose at least one proposal to accept"]})
        chosen = []
        every = {str(p.pk): p for p in ProposedIncident.objects.filter(batch=batch)}
        by_number = {str(p.number): p for p in every.values()}
        for ref in wanted:
            proposal = every.get(ref) or by_number.get(ref)
            if proposal is None:
                raise ValidationError(
                    {"proposals": [f"No proposal {ref} in import {batch.number}"]}
                )
            if proposal.status != ProposalStatus.PROPOSED:
                raise ValidationError(
                    {"proposals": [f"Proposal {proposal.number} was already {proposal.status}"]}
                )
            chosen.append(proposal.pk)
        pending = pending.filter(pk__in=chosen)
    incidents: list[Incident] = []
    with transaction.atomic():
        chosen_rows = list(
            pending.select_for_update(of=("self",)).order_by("number").select_related("person")
        )
        for begin in range(0, len(chosen_rows), ACCEPT_CHUNK):
            incidents += _accept_many(
                actor, vault, batch, chosen_rows[begin : begin + ACCEPT_CHUNK]
            )
    return incidents


# Proposals accepted per round of bulk writes: bounds the memory of one round.
ACCEPT_CHUNK = 2000


def _accept_many(
    actor: User, vault: Vault, batch: ImportBatch, proposals: list[ProposedIncident]
) -> list[Incident]:
    """Accept ``proposals`` with the writes made in bulk: the same incidents, attachments,
    audit records and ledger entries, in the same order, as accepting them one by one
    (each proposal's incident, then its files attached, then the proposal accepted)."""
    wanted = {p.pk for p in proposals}
    items_of: dict[Any, list[Any]] = {pk: [] for pk in wanted}
    link = ProposedIncident.items.through
    for proposal_id, item_id in (
        link.objects.filter(proposedincident__batch=batch)
        .values_list("proposedincident_id", "importeditem_id")
        .iterator(5000)
    ):
        if proposal_id in wanted:
            items_of[proposal_id].append(item_id)
    diary = {p.pk for p in proposals if p.rule == rules.DIARY_ROW}
    first_item: dict[Any, ImportedItem] = {}
    if diary:
        needed = {item for pk in diary for item in items_of[pk]}
        by_id: dict[Any, ImportedItem] = {}
        ordered = list(needed)
        for start in range(0, len(ordered), 500):
            for item in ImportedItem.objects.filter(pk__in=ordered[start : start + 500]):
                by_id[item.pk] = item
        for pk in diary:
            mine = [by_id[i] for i in items_of[pk]]
            if mine:
                first_item[pk] = min(mine, key=lambda item: (item.position, item.pk))
    files_of: dict[Any, list[Any]] = {}
    for item_id, exhibit_id in ImportedItem.attachments.through.objects.filter(
        importeditem__batch=batch
    ).values_list("importeditem_id", "exhibit_id"):
        files_of.setdefault(item_id, []).append(exhibit_id)
    exhibit_ids = {e for pk in wanted for i in items_of[pk] for e in files_of.get(i, ())}
    free: dict[Any, Exhibit] = {}
    ordered_ids = list(exhibit_ids)
    for start in range(0, len(ordered_ids), 500):
        for exhibit in Exhibit.objects.filter(
            vault=vault, incident__isnull=True, pk__in=ordered_ids[start : start + 500]
        ).select_related("derived_from"):
            free[exhibit.pk] = exhibit

    data = []
    for proposal in proposals:
        first = first_item.get(proposal.pk)
        words = ""
        # Read-only: sealed_value skips the copy attribute access makes.
        details = first.sealed_value("details") or {} if first is not None else {}
        if proposal.rule == rules.DIARY_ROW and first is not None:
            words = str(details.get("when_words") or "")
        one = vault_services.IncidentInput(
            start=proposal.start,
            end=proposal.end,
            precision=proposal.precision,
            channel=proposal.channel,
            acts=proposal.act_codes,
            description=proposal.description,
            when_words=words,
            persons=[proposal.person] if proposal.person is not None else [],
        )
        if proposal.rule == rules.DIARY_ROW and first is not None:
            one.location = str(details.get("location") or "")
            one.witnesses = str(details.get("witnesses") or "")
            one.impact = str(details.get("impact") or "")
            reference = str(details.get("police_reference") or "")
            one.police_reference = reference
            one.reported_to_police = bool(reference)
        data.append(one)

    changes = vault_services.Changes(actor=actor, vault=vault)
    attached: list[Exhibit] = []
    now = timezone.now()

    def then(index: int, incident: Incident) -> None:
        proposal = proposals[index]
        mine = {e for i in items_of[proposal.pk] for e in files_of.get(i, ())}
        for exhibit in sorted(
            (free.pop(e) for e in mine if e in free), key=lambda exhibit: exhibit.number
        ):
            exhibit.incident = incident
            attached.append(exhibit)
            changes.add(
                action="exhibit.attached",
                obj=exhibit,
                content=vault_services.exhibit_content(exhibit),
            )
        proposal.status = ProposalStatus.ACCEPTED
        proposal.incident = incident
        proposal.decided_at = now
        proposal.decided_by = actor
        changes.add(
            action="import.proposal.accepted",
            obj=proposal,
            content=proposal_content(proposal, items_of[proposal.pk]),
            detail={"proposal": proposal.number, "incident": incident.number},
        )

    incidents = vault_services.log_incidents(
        actor=actor, vault=vault, data=data, changes=changes, then=then
    )
    set_each(Exhibit, "incident", [(e.pk, e.incident_id) for e in attached])
    ProposedIncident.objects.filter(pk__in=[p.pk for p in proposals]).update(
        status=ProposalStatus.ACCEPTED, decided_at=now, decided_by=actor
    )
    set_each(ProposedIncident, "incident", [(p.pk, p.incident_id) for p in proposals])
    changes.write()
    return incidents


def dismiss_proposal(*, actor: User, proposal: ProposedIncident) -> ProposedIncident:
    vault = proposal.batch.vault
    vault_services.require_owner(actor, vault)
    with transaction.atomic():
        current = ProposedIncident.objects.select_for_update().get(pk=proposal.pk)
        if current.status != ProposalStatus.PROPOSED:
            raise ValidationError(
                {"proposals": [f"Proposal {current.number} was already {current.status}"]}
            )
        dismiss(actor, vault, current, reason="dismissed")
    return current


def dismiss(actor: User, vault: Vault, proposal: ProposedIncident, *, reason: str) -> None:
    proposal.status = ProposalStatus.DISMISSED
    proposal.decided_at = timezone.now()
    proposal.decided_by = actor
    proposal.save()
    vault_services.record_change(
        actor=actor,
        vault=vault,
        action="import.proposal.dismissed",
        obj=proposal,
        content=proposal_content(proposal),
        detail={"proposal": proposal.number, "reason": reason},
    )
