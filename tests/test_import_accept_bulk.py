"""Accepting proposals writes in bulk (issue 19) and still records exactly what accepting them
one by one through the vault's services records: the same incidents, files attached, audit
records and ledger entries in the same order, and a vault that verifies.

The reference below is the one-by-one path as it was before the bulk writes: each proposal
through ``log_incident``, ``attach_exhibit`` and ``record_change``."""

from __future__ import annotations

import io
import json
import zipfile

from django.db import transaction
from django.utils import timezone

from cairn.audit.models import AuditRecord
from cairn.importers import rules, services
from cairn.importers.models import ImportedItem, ProposalStatus, ProposedIncident
from cairn.integrity.verify import verify_vault
from cairn.ledger.models import LedgerEntry
from cairn.vault import services as vault_services
from cairn.vault.choices import PersonRole
from cairn.vault.models import Exhibit, Incident
from tests.factories import make_vault

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
CHAT = (
    "01/03/2025, 09:15 - Mark: IMG-20250301-WA0001.png (file attached)\n"
    "01/03/2025, 09:16 - Mark: look\n"
    "02/03/2025, 10:00 - Mark: IMG-20250302-WA0002.png (file attached)\n"
    "02/03/2025, 10:01 - Alex: stop\n"
    "13/03/2025, 09:15 - Mark: I know where you work\n"
    "14/03/2025, 22:40 - +44 7700 900123: who is this\n"
)
DIARY = (
    "Date,Time,Where,What happened,How it made me feel,Police reference\r\n"
    "13/03/2024,14:30,Outside work,He waited by my car,Scared,\r\n"
    "14/03/2024,evening,Home,Flowers left on the doorstep,Anxious,CAD 123\r\n"
    "16/03/2024,about 9am,Bus stop,He followed me onto the bus,Shaking,\r\n"
)


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("WhatsApp Chat with Mark.txt", CHAT)
        archive.writestr("IMG-20250301-WA0001.png", PNG)
        archive.writestr("IMG-20250302-WA0002.png", PNG + b"2")
    return out.getvalue()


def _imported(vault):
    vault_services.create_person(
        actor=vault.owner, vault=vault, name="Mark", role=PersonRole.SUSPECT
    )
    chat = services.commit_import(
        actor=vault.owner,
        vault=vault,
        source=_zip(),
        name="WhatsApp Chat with Mark.zip",
        format="whatsapp",
        owner="Alex",
    ).batch
    diary = services.commit_import(
        actor=vault.owner,
        vault=vault,
        source=DIARY.encode(),
        name="diary.csv",
        format="csv",
        mapping={
            "date": 0,
            "time": 1,
            "place": 2,
            "what_happened": 3,
            "impact": 4,
            "police_reference": 5,
        },
    ).batch
    return [chat, diary]


def _accept_one_by_one(actor, batch) -> None:
    vault = batch.vault
    with transaction.atomic():
        for proposal in ProposedIncident.objects.filter(
            batch=batch, status=ProposalStatus.PROPOSED
        ).order_by("number"):
            details = {}
            if proposal.rule == rules.DIARY_ROW:
                item = proposal.items.first()
                details = item.details if item is not None else {}
            reference = str(details.get("police_reference") or "")
            data = vault_services.IncidentInput(
                start=proposal.start,
                end=proposal.end,
                precision=proposal.precision,
                channel=proposal.channel,
                acts=proposal.act_codes,
                description=proposal.description,
                when_words=str(details.get("when_words") or ""),
                location=str(details.get("location") or ""),
                witnesses=str(details.get("witnesses") or ""),
                impact=str(details.get("impact") or ""),
                police_reference=reference,
                reported_to_police=bool(reference),
                persons=[proposal.person] if proposal.person is not None else [],
            )
            incident = vault_services.log_incident(actor=actor, vault=vault, data=data)
            for exhibit in Exhibit.objects.filter(
                vault=vault,
                incident__isnull=True,
                pk__in=ImportedItem.attachments.through.objects.filter(
                    importeditem__proposals=proposal
                ).values("exhibit_id"),
            ).order_by("number"):
                vault_services.attach_exhibit(actor=actor, exhibit=exhibit, incident=incident)
            proposal.status = ProposalStatus.ACCEPTED
            proposal.incident = incident
            proposal.decided_at = timezone.now()
            proposal.decided_by = actor
            proposal.save()
            vault_services.record_change(
                actor=actor,
                vault=vault,
                action="import.proposal.accepted",
                obj=proposal,
                content=services.proposal_content(proposal),
                detail={"proposal": proposal.number, "incident": incident.number},
            )


def _what_was_recorded(vault, since: int, since_audit: int) -> dict:
    entries = []
    for row in LedgerEntry.objects.filter(vault=vault, seq__gte=since).order_by("seq"):
        entry = json.loads(bytes(row.entry))
        entries.append(
            (
                entry["seq"],
                entry["kind"],
                entry["object"]["type"],
                entry.get("revision"),
                entry["content_sha256"] is not None,
            )
        )
    incidents = {}
    for incident in Incident.objects.filter(vault=vault).prefetch_related("persons"):
        content = vault_services.incident_content(incident)
        for key in ("id", "vault"):
            content.pop(key)
        content["persons"] = [p.name for p in incident.persons.all()]
        incidents[incident.number] = content
    return {
        "entries": entries,
        "audit": [
            (r.action, r.object_type, r.detail)
            for r in AuditRecord.objects.filter(vault_id=vault.pk, id__gt=since_audit).order_by(
                "id"
            )
        ],
        "incidents": incidents,
        "revisions": sorted(
            (i.number, i.revisions.count()) for i in Incident.objects.filter(vault=vault)
        ),
        "attached": sorted(
            (e.number, e.incident.number)
            for e in Exhibit.objects.filter(vault=vault, incident__isnull=False)
        ),
        "proposals": sorted(
            (
                p.batch.number,
                p.number,
                p.status,
                p.incident.number,
                p.decided_by_id is not None,
                p.decided_at is not None,
            )
            for p in ProposedIncident.objects.filter(vault=vault)
        ),
    }


def test_accepting_in_bulk_records_what_accepting_one_by_one_records(owner):
    one_by_one = make_vault(owner, name="One by one", initials="OB")
    in_bulk = make_vault(owner, name="In bulk", initials="IB")
    recorded = {}
    for vault, accept in ((one_by_one, _accept_one_by_one), (in_bulk, None)):
        batches = _imported(vault)
        since = LedgerEntry.objects.filter(vault=vault).count()
        since_audit = AuditRecord.objects.order_by("-id").values_list("id", flat=True)[0]
        for batch in batches:
            if accept is None:
                services.accept_proposals(actor=owner, batch=batch, all=True)
            else:
                accept(owner, batch)
        report = verify_vault(vault)
        assert report.ok, report.failures
        recorded[vault.initials] = _what_was_recorded(vault, since, since_audit)
    bulk, reference = recorded["IB"], recorded["OB"]
    assert len(bulk["incidents"]) == 7
    assert any(
        c["police_reference"] == "CAD 123" and c["reported_to_police"]
        for c in bulk["incidents"].values()
    )
    assert len(bulk["attached"]) == 2
    assert "exhibit.attached" in [kind for _, kind, *_ in bulk["entries"]]
    for part in reference:
        assert bulk[part] == reference[part], part


def test_accepting_some_in_bulk_leaves_the_rest_and_a_vault_that_verifies(owner):
    vault = make_vault(owner, initials="SB")
    chat, diary = _imported(vault)
    incidents = services.accept_proposals(actor=owner, batch=diary, ids=["3", "1"])
    assert [i.number for i in incidents] == [1, 2]
    assert [p.status for p in ProposedIncident.objects.filter(batch=diary).order_by("number")] == [
        ProposalStatus.ACCEPTED,
        ProposalStatus.PROPOSED,
        ProposalStatus.ACCEPTED,
    ]
    services.accept_proposals(actor=owner, batch=chat, all=True)
    services.accept_proposals(actor=owner, batch=diary, all=True)
    assert not ProposedIncident.objects.filter(vault=vault, status=ProposalStatus.PROPOSED).exists()
    report = verify_vault(vault)
    assert report.ok, report.failures
