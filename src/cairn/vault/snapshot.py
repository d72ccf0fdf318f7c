"""A vault as plain, immutable data: what analysis and packs take (DESIGN.md "Shape").

Frozen dataclasses with no ORM objects inside, so pure code (analysis, pack building) can run
on them without Django or a database, and the same snapshot always gives the same result.
This module imports no Django (an import-linter contract holds it to that);
``cairn.vault.snapshot_loader.take_snapshot`` reads a vault from the database into these.
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
