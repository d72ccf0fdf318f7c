"""Read a vault from the database into a ``cairn.vault.snapshot.VaultSnapshot``.

``take_snapshot`` reads a vault once (decrypting its sealed fields) through its owner's access
functions and returns the plain dataclasses of ``cairn.vault.snapshot``. Deleted incidents are
left out; their count is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from cairn.ledger.models import LedgerState
from cairn.vault import access
from cairn.vault.snapshot import ExhibitSnapshot, IncidentSnapshot, PersonSnapshot, VaultSnapshot


def take_snapshot(vault: Any, *, now: datetime | None = None) -> VaultSnapshot:
    """Read the whole vault once, through the access functions of its owner."""
    owner = vault.owner
    exhibits = [
        ExhibitSnapshot(
            id=str(e.pk),
            reference=e.reference,
            incident_id=str(e.incident_id) if e.incident_id else None,
            original_name=e.original_name,
            media_type=e.media_type,
            size=e.size,
            sha256=e.sha256,
            source=e.source,
            description=e.description,
            captured_at=e.captured_at,
            received_at=e.received_at,
            added_at=e.added_at,
            added_by=str(e.added_by_id),
            derived_from=str(e.derived_from_id) if e.derived_from_id else None,
            derivation=e.derivation.get("summary", "") if e.derived_from_id else "",
        )
        for e in access.exhibits_readable_by(owner, vault).order_by("number")
    ]
    by_incident: dict[str, list[str]] = {}
    for exhibit in exhibits:
        if exhibit.incident_id:
            by_incident.setdefault(exhibit.incident_id, []).append(exhibit.id)
    persons = [
        PersonSnapshot(
            id=str(p.pk),
            role=p.role,
            name=p.name,
            aliases=tuple(p.aliases),
            relationship=p.relationship,
            identifiers=tuple(sorted((i.kind, i.value, i.platform) for i in p.identifiers.all())),
            combined_with=str(p.combined_with_id) if p.combined_with_id else None,
            combined_as=p.combined_as,
        )
        for p in access.persons_readable_by(owner, vault)
        .prefetch_related("identifiers")
        .order_by("created_at", "id")
    ]
    all_incidents = access.incidents_readable_by(owner, vault)
    incidents = []
    for i in (
        all_incidents.filter(deleted_at__isnull=True)
        .prefetch_related("persons")
        .order_by("start", "number")
    ):
        incidents.append(
            IncidentSnapshot(
                id=str(i.pk),
                number=i.number,
                start=i.start,
                end=i.end,
                precision=i.precision,
                when_words=i.when_words,
                location=i.location,
                latitude=i.latitude,
                longitude=i.longitude,
                channel=i.channel,
                acts=tuple(i.act_codes),
                other_act=i.other_act,
                description=i.description,
                impact=i.impact,
                feared_violence=i.feared_violence,
                witnesses=i.witnesses,
                reported_to_police=i.reported_to_police,
                police_reference=i.police_reference,
                person_ids=tuple(sorted(str(p.pk) for p in i.persons.all())),
                exhibit_ids=tuple(by_incident.get(str(i.pk), ())),
                recorded_at=i.recorded_at,
                revision=i.revision,
            )
        )
    state = LedgerState.objects.filter(vault=vault).first()
    return VaultSnapshot(
        id=str(vault.pk),
        name=vault.name,
        initials=vault.initials,
        jurisdiction=vault.jurisdiction,
        time_zone=vault.time_zone,
        taken_at=now or timezone.now(),
        incidents=tuple(incidents),
        persons=tuple(persons),
        exhibits=tuple(exhibits),
        deleted_incidents=all_incidents.filter(deleted_at__isnull=False).count(),
        ledger_size=state.size if state else 0,
    )
