"""The breach pack's PDF content, for the prosecutor (pure: no Django, no database).

The facts of the order, the term breached, the breach and its outcomes come in as plain
strings (``BreachFacts``, assembled by ``cairn.breaches.pack``); the victim's evidence
comes in as the disclosed snapshot, cut down to the breach's incident and its exhibits, and
is laid out with the evidence pack's own parts (``cairn.packs.document``: the chronology
entry, the exhibit schedule with each SHA-256, and the verification section), so the two
packs describe evidence in the same words and ``cairn verify-pack`` finds each exhibit's
reference and SHA-256 in the PDF.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cairn.packs import document as pack_document
from cairn.packs.head import HeadInfo
from cairn.packs.selection import Disclosed


@dataclass(frozen=True)
class OrderFacts:
    kind: str
    made_on: str
    ends: str
    served_on: str
    notification: str
    terms: tuple[str, ...]  # as made, in order


@dataclass(frozen=True)
class OutcomeFacts:
    outcome: str
    on: str
    reason: str
    recorded: str  # by whom and when


@dataclass(frozen=True)
class BreachFacts:
    breach_id: str
    case_reference: str
    unit: str
    force: str
    order: OrderFacts
    term: str  # the term breached, or a sentence saying none was named
    term_number: int | None  # its place among the order's terms (1-based)
    occurred: str
    source: str
    reported: str  # by whom and when
    crime_reference: str
    account: str  # the officer's account ("" for a victim's report)
    incident_number: int | None
    outcomes: tuple[OutcomeFacts, ...]
    latest_outcome: str
    # "breach" (s.8) or "notification_failure" (s.11), and the section the pack cites.
    kind: str = "breach"
    offence: str = "Stalking Protection Act 2019, s.8"
    offence_note: str = ""  # for orders other than an SPO: what breaching it is
    title: str = ""  # the pack's title when not a breach of an SPO


@dataclass(frozen=True)
class BreachDocument:
    pack_id: str
    title: str  # neutral: the only words in the PDF's metadata
    built_at: datetime
    built: str
    facts: BreachFacts
    chronology: tuple[pack_document.ChronologyEntry, ...]
    exhibits: tuple[pack_document.ExhibitEntry, ...]
    initials: str
    time_zone: str
    verification: pack_document.Verification | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready data (what ``breach.typ`` reads)."""
        return {**_plain(self), "has_evidence": self.verification is not None}


def build_breach_document(
    facts: BreachFacts,
    *,
    built_at: datetime,
    time_zone: str,
    disclosed: Disclosed | None = None,
    head: HeadInfo | None = None,
    omitted_entries: int = 0,
    continuity: dict[str, str] | None = None,
) -> BreachDocument:
    """The document for ``facts``; with ``disclosed`` and ``head``, the evidence from the
    victim's log and how to check it."""
    zone = pack_document.vault_zone(time_zone)
    chronology: tuple[pack_document.ChronologyEntry, ...] = ()
    exhibits: tuple[pack_document.ExhibitEntry, ...] = ()
    verification = None
    initials = ""
    if disclosed is not None and head is not None:
        snapshot = disclosed.snapshot
        initials = snapshot.initials
        references = {e.id: e.reference for e in snapshot.exhibits}
        numbers = {i.id: i.number for i in snapshot.incidents}
        chronology = tuple(
            pack_document.chronology_entry(i, snapshot, zone, references)
            for i in snapshot.incidents
        )
        exhibits = tuple(
            pack_document.exhibit_entry(e, disclosed, zone, numbers, continuity or {})
            for e in sorted(snapshot.exhibits, key=pack_document.exhibit_order)
        )
        verification = pack_document.verification_steps(head, omitted_entries)
    return BreachDocument(
        pack_id=facts.breach_id[:8],
        title=facts.title
        or (
            "Failure to comply with the notification requirements"
            if facts.kind == "notification_failure"
            else "Breach of a Stalking Protection Order"
        ),
        built_at=built_at,
        built=pack_document.instant(built_at, zone),
        facts=facts,
        chronology=chronology,
        exhibits=exhibits,
        initials=initials,
        time_zone=time_zone,
        verification=verification,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return pack_document.rfc3339(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value
