"""A vault as plain, immutable data: what analysis and packs take (DESIGN.md "Shape").

``take_snapshot`` reads a vault once (decrypting its sealed fields) and returns frozen
dataclasses with no ORM objects inside, so pure code (analysis, pack building) can run on it
without Django or a database, and the same snapshot always gives the same result. Deleted
incidents are left out; their count is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class PersonSnapshot:
    id: str
    role: str  # "suspect" | "witness"
    name: str
    aliases: tuple[str, ...]
    relationship: str  # cairn.vault.choices.Relationship values
    identifiers: tuple[tuple[str, str, str], ...]  # (kind, normalised value, platform)
    # The victim said this person is the same person as, or acting together with (PHA 1997
    # s.7(3A)), another person of the vault: their conduct is analysed as one.
    combined_with: str | None = None
    combined_as: str = ""  # "same_person" | "acting_together"


@dataclass(frozen=True)
class ExhibitSnapshot:
    id: str
    reference: str  # "AB/3"
    incident_id: str | None
    original_name: str
    media_type: str
    size: int
    sha256: str
    source: str
    description: str
    captured_at: datetime | None
    received_at: datetime | None
    added_at: datetime
    added_by: str
    # A redacted copy names the exhibit it was made from, and how (e.g. "2 areas covered").
    derived_from: str | None = None
    derivation: str = ""


@dataclass(frozen=True)
class IncidentSnapshot:
    id: str
    number: int
    start: datetime  # aware, UTC
    end: datetime | None
    precision: str  # exact | hour | day | overnight | unknown
    when_words: str
    location: str
    latitude: str | None
    longitude: str | None
    channel: str  # cairn.vault.choices.Channel values
    acts: tuple[str, ...]  # s.2A(3) codes "a".."g", "other"
    other_act: str
    description: str
    impact: str
    feared_violence: bool
    witnesses: str
    reported_to_police: bool
    police_reference: str
    person_ids: tuple[str, ...]
    exhibit_ids: tuple[str, ...]
    recorded_at: datetime
    revision: int

    @property
    def end_or_start(self) -> datetime:
        return self.end or self.start


@dataclass(frozen=True)
class VaultSnapshot:
    id: str
    name: str
    initials: str
    jurisdiction: str
    time_zone: str
    taken_at: datetime
    incidents: tuple[IncidentSnapshot, ...]  # oldest first, deleted ones left out
    persons: tuple[PersonSnapshot, ...]
    exhibits: tuple[ExhibitSnapshot, ...]
    deleted_incidents: int = 0
    ledger_size: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def person(self, person_id: str) -> PersonSnapshot | None:
        return next((p for p in self.persons if p.id == person_id), None)

    def suspects(self) -> tuple[PersonSnapshot, ...]:
        return tuple(p for p in self.persons if p.role == "suspect")


def take_snapshot(vault: Any, *, now: datetime | None = None) -> VaultSnapshot:
    """Read the whole vault once, through the access functions of its owner."""
    from django.utils import timezone

    from cairn.ledger.models import LedgerState
    from cairn.vault import access

    owner = vault.owner
    exhibits = [
        ExhibitSnapshot(
            id=str(e.pk), reference=e.reference,
            incident_id=str(e.incident_id) if e.incident_id else None,
            original_name=e.original_name, media_type=e.media_type, size=e.size,
            sha256=e.sha256, source=e.source, description=e.description,
            captured_at=e.captured_at, received_at=e.received_at, added_at=e.added_at,
            added_by=str(e.added_by_id),
            derived_from=str(e.derived_from_id) if e.derived_from_id else None,
            derivation=e.derivation.get("summary", "") if e.derived_from_id else "")
        for e in access.exhibits_readable_by(owner, vault).order_by("number")
    ]
    by_incident: dict[str, list[str]] = {}
    for exhibit in exhibits:
        if exhibit.incident_id:
            by_incident.setdefault(exhibit.incident_id, []).append(exhibit.id)
    persons = [
        PersonSnapshot(
            id=str(p.pk), role=p.role, name=p.name, aliases=tuple(p.aliases),
            relationship=p.relationship,
            identifiers=tuple(sorted((i.kind, i.value, i.platform) for i in p.identifiers.all())),
            combined_with=str(p.combined_with_id) if p.combined_with_id else None,
            combined_as=p.combined_as)
        for p in access.persons_readable_by(owner, vault).prefetch_related("identifiers")
        .order_by("created_at", "id")
    ]
    all_incidents = access.incidents_readable_by(owner, vault)
    incidents = []
    for i in all_incidents.filter(deleted_at__isnull=True).prefetch_related("persons").order_by(
            "start", "number"):
        incidents.append(IncidentSnapshot(
            id=str(i.pk), number=i.number, start=i.start, end=i.end, precision=i.precision,
            when_words=i.when_words, location=i.location, latitude=i.latitude,
            longitude=i.longitude, channel=i.channel, acts=tuple(i.act_codes),
            other_act=i.other_act, description=i.description, impact=i.impact,
            feared_violence=i.feared_violence, witnesses=i.witnesses,
            reported_to_police=i.reported_to_police, police_reference=i.police_reference,
            person_ids=tuple(sorted(str(p.pk) for p in i.persons.all())),
            exhibit_ids=tuple(by_incident.get(str(i.pk), ())), recorded_at=i.recorded_at,
            revision=i.revision))
    state = LedgerState.objects.filter(vault=vault).first()
    return VaultSnapshot(
        id=str(vault.pk), name=vault.name, initials=vault.initials,
        jurisdiction=vault.jurisdiction, time_zone=vault.time_zone,
        taken_at=now or timezone.now(), incidents=tuple(incidents), persons=tuple(persons),
        exhibits=tuple(exhibits),
        deleted_incidents=all_incidents.filter(deleted_at__isnull=False).count(),
        ledger_size=state.size if state else 0)
