"""Shared pieces of the analysis: findings that cite their evidence, and an index of a
snapshot's incidents. Pure: no Django, no database."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cairn.analysis import words
from cairn.analysis.derived import FLAGS_READ as FLAGS_READ  # still importable from here
from cairn.analysis.derived import Derived, derive
from cairn.analysis.severity import Severity, severity_of
from cairn.vault.snapshot import IncidentSnapshot, VaultSnapshot

# Who the statements speak to (DESIGN.md invariant 10): the victim's own pages say "you";
# officers' pages and court documents speak of her in the third person.
VICTIM = "victim"
THIRD_PERSON = "third_person"
VOICES = (VICTIM, THIRD_PERSON)


class EvidenceMissing(ValueError):
    """A finding was made without citing any incident (DESIGN.md invariant 6)."""


@dataclass(frozen=True)
class Finding:
    """One statement the analysis makes, with the incidents (and their exhibits) it rests on
    and the law or study behind the rule."""

    statement: str
    incident_ids: tuple[str, ...]
    source: str
    exhibit_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.incident_ids:
            raise EvidenceMissing(f"no incident cited for: {self.statement}")


class Index:
    """The snapshot's live incidents in time order, with look-ups the rules share.

    ``subject`` is the person (or the people the victim said are one person or acting
    together) the analysis is about: their course of conduct is one. None: each suspect of
    the snapshot separately (the rules' tests use it so). ``derived``: what each incident's
    words show, kept from an earlier reading (``cairn.analysis.derived``); the words of an
    incident missing from it are read now."""

    def __init__(
        self,
        snapshot: VaultSnapshot,
        *,
        now: datetime,
        voice: str = VICTIM,
        subject: tuple[str, ...] | None = None,
        derived: Mapping[str, Derived] | None = None,
    ) -> None:
        if voice not in VOICES:
            raise ValueError(f"voice must be one of {VOICES}")
        self.snapshot = snapshot
        self.now = now
        self.voice = voice
        try:
            self.zone = ZoneInfo(snapshot.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = ZoneInfo("Europe/London")
        self.incidents: tuple[IncidentSnapshot, ...] = tuple(
            sorted(snapshot.incidents, key=lambda i: (i.start, i.number, i.id))
        )
        self.by_id = {i.id: i for i in self.incidents}
        self.position = {i.id: n for n, i in enumerate(self.incidents)}
        self.suspect_ids = tuple(p.id for p in snapshot.persons if p.role == "suspect")
        # The groups whose conduct is one course: the subject, or each suspect alone.
        self.groups: tuple[tuple[str, ...], ...] = (
            (subject,) if subject else tuple((p,) for p in self.suspect_ids)
        )
        # What each incident's words show, and the flags they raise of the kinds the rules
        # read (cairn.analysis.derived: the threat reading is the Flags page's), used by every
        # rule; kept from an earlier reading where the caller has it.
        known = derived or {}
        self.facts: dict[str, words.Facts] = {}
        self.flags: dict[str, frozenset[str]] = {}
        for i in self.incidents:
            found = known.get(i.id) or derive(i)
            self.facts[i.id] = found.facts
            self.flags[i.id] = found.flags
        self.severity: dict[str, Severity] = {
            i.id: severity_of(i, self.facts[i.id]) for i in self.incidents
        }
        self.place: dict[str, str] = {i.id: place_key(i.location) for i in self.incidents}
        self._exhibit_ids = {i.id: i.exhibit_ids for i in self.incidents}
        self._exhibits: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._ordered: dict[tuple[str, ...], tuple[str, ...]] = {}

    def say(self, you: str, third: str) -> str:
        """The statement in the reader's voice: ``you`` to the victim, ``third`` to anyone
        else (officers, a court)."""
        return you if self.voice == VICTIM else third

    def ids(self, incidents: Iterable[IncidentSnapshot]) -> tuple[str, ...]:
        return tuple(i.id for i in incidents)

    def ordered(self, ids: Iterable[str]) -> tuple[str, ...]:
        """Ids in time order, once each."""
        items = tuple(ids)
        known = self._ordered.get(items)
        if known is None:
            positions = list(map(self.position.__getitem__, items))
            if positions == sorted(positions) and len(set(positions)) == len(positions):
                known = items  # already in order, as most rules build them
            else:
                known = tuple(sorted(set(items), key=self.position.__getitem__))
            self._ordered[items] = known
        return known

    def exhibits_of(self, ids: tuple[str, ...]) -> tuple[str, ...]:
        known = self._exhibits.get(ids)
        if known is None:
            found = set(chain.from_iterable(map(self._exhibit_ids.__getitem__, ids)))
            known = self._exhibits[ids] = tuple(sorted(found))
        return known

    def find(self, statement: str, ids: Iterable[str], source: str) -> Finding:
        ordered = self.ordered(ids)
        return Finding(
            statement=statement,
            incident_ids=ordered,
            source=source,
            exhibit_ids=self.exhibits_of(ordered),
        )

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def local_date(self, moment: datetime) -> str:
        """The day, in words: "3 November 2025" (what a reader of a statement hears)."""
        day = self.local(moment).date()
        return f"{day.day} {day:%B %Y}"


def place_key(location: str) -> str:
    """A place as typed, folded so that the same place written two ways matches."""
    return _NOT_WORD.sub(" ", location.casefold()).strip()


_NOT_WORD = re.compile(r"[^a-z0-9]+")


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def days_between(earlier: datetime, later: datetime) -> float:
    return (later - earlier).total_seconds() / 86400
