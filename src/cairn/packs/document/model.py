"""The pack's PDF as plain frozen data: the dataclasses ``build_document`` fills and
``cairn.packs.pdf`` lays out."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cairn.packs.document.words import (
    rfc3339,
)


class DocumentError(ValueError):
    """The inputs do not describe one pack (an analysis of other incidents, another head)."""


@dataclass(frozen=True)
class Cover:
    initials: str
    built_at: str  # in words, in the vault's zone
    built_at_utc: str  # RFC 3339
    time_zone: str
    jurisdiction: str
    incident_count: int
    exhibit_count: int
    introduction: str


@dataclass(frozen=True)
class Cited:
    """One statement of the analysis with what it rests on, as numbers and references."""

    statement: str
    incidents: tuple[int, ...]
    incidents_text: str  # "Incidents 1\u20134, 7"
    exhibits: tuple[str, ...]  # references, in order
    source: str


@dataclass(frozen=True)
class Limb:
    key: str
    section: str  # "s.1(1)(a)"
    title: str
    test: str
    citation: str
    status: str  # met | partly | not_yet
    status_words: str
    incidents: tuple[int, ...]
    incidents_text: str
    findings: tuple[Cited, ...]


@dataclass(frozen=True)
class ActCount:
    code: str
    label: str  # "s.2A(3)(a) following a person"
    incidents: tuple[int, ...]
    incidents_text: str


@dataclass(frozen=True)
class Summary:
    suspects: tuple[str, ...]  # "Mark Ellis (ex-colleague; also known as Marky)"
    first_incident: str  # when the first incident in the pack happened, in words
    last_incident: str
    incident_count: int
    exhibit_count: int
    acts: tuple[ActCount, ...]
    threshold_note: str
    analysed_at: str


@dataclass(frozen=True)
class ChronologyEntry:
    number: int
    when: str  # in words, honest about its precision
    precision: str
    when_words: str  # the victim's own words about when, if any
    where: str
    channel: str
    what: str
    acts: tuple[str, ...]  # "s.2A(3)(b) contacting, or attempting to contact, ..."
    impact: str
    feared_violence: bool
    persons: tuple[str, ...]  # names of the people linked to it
    witnesses: str
    police: str
    exhibits: tuple[str, ...]  # references
    recorded: str  # when it was logged, and its revision


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    caption: str
    svg: str


@dataclass(frozen=True)
class ExhibitEntry:
    reference: str
    description: str
    file_name: str
    media_type: str
    size: str  # "1.2 MB (1,234,567 bytes)"
    incident: int | None
    source: str
    captured: str
    received: str
    sha256: str
    sha256_groups: tuple[str, ...]  # 4 groups of 16, so a printed hash never overflows
    added_by: str
    added_at: str
    came_from: str  # upload, import of which file...
    redaction: str  # for a redacted copy: what it replaces and how; else ""


@dataclass(frozen=True)
class AnalysisSection:
    key: str
    title: str
    introduction: str
    findings: tuple[Cited, ...]
    method: str = ""


@dataclass(frozen=True)
class PersonPart:
    """The analysis of one person (or of a group the victim combined, or of the incidents
    with nobody named): the SPO threshold view and the analysis sections."""

    name: str
    note: str
    incident_count: int
    incidents_text: str
    limbs: tuple[Limb, ...]
    sections: tuple[AnalysisSection, ...]


@dataclass(frozen=True)
class AnnexItem:
    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    note: str
    paragraphs: tuple[str, ...]  # empty: no statement in this pack


@dataclass(frozen=True)
class Verification:
    vault_id: str
    log_size: int
    included_entries: int
    omitted_entries: int
    omitted_text: str  # "N other entries of the vault's log are not included."
    root: str
    root_groups: tuple[str, ...]
    signed_at: str
    key_fingerprint: str
    key_fingerprint_groups: tuple[str, ...]
    token_sha256: str | None
    token_groups: tuple[str, ...]
    tsa_time: str | None
    tsa_name: str | None
    steps: tuple[str, ...]


@dataclass(frozen=True)
class PackDocument:
    pack_id: str
    title: str  # neutral: the only words of the PDF's metadata
    built_at: datetime
    cover: Cover
    summary: Summary
    chronology: tuple[ChronologyEntry, ...]
    charts: tuple[Chart, ...]
    exhibits: tuple[ExhibitEntry, ...]
    analysis_note: str
    people: tuple[PersonPart, ...]
    annex_note: str
    annex: tuple[AnnexItem, ...]
    statement: Statement
    verification: Verification

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready data (what the Typst template reads)."""
        return _plain(self)  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float)):
        return value  # most of a document, so looked at first
    if isinstance(value, datetime):
        return rfc3339(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
