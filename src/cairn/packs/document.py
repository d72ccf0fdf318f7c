"""Everything the pack's PDF shows, as plain frozen data (pure: no Django, no database).

``build_document`` takes what was disclosed (``selection.resolve``), the analysis of that
disclosed snapshot (one per person, in the third person: ``analyse_people(...,
voice=THIRD_PERSON)``), and the signed tree head the pack's proofs lead to, and words every
part of the PDF: the cover, the summary, the SPO threshold view per person, the chronology,
the charts, the exhibit schedule with continuity, the analysis with its citations, the annex
(methods with their figures, and general research labelled as such), the statement draft and
how to verify the pack. ``cairn.packs.pdf`` only lays it out.

The PDF is a court document: it speaks of the person who kept the log in the third person
and never says "you" outside her own quoted words (DESIGN.md invariant 10).

Rules it keeps:
- Only the disclosed snapshot is read. The analysis must be of that snapshot: a finding that
  cites an incident outside it is refused, so nothing left out can leak through a chart or a
  citation. What is left out is described by one number, ``omitted_entries``.
- Deterministic: the same input gives the same document, field for field (no clock reads,
  every list in a stated order), so the same pack built twice gives the same PDF.
- Times are shown in the vault's time zone, worded by their precision (DESIGN.md invariant 3).
- The vault's private name is never shown; the cover carries the owner's initials, which her
  exhibit references carry anyway.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cairn.analysis import sources
from cairn.analysis.base import THIRD_PERSON, Finding
from cairn.analysis.charts import all_charts
from cairn.analysis.engine import Analysis, PeopleAnalysis
from cairn.analysis.labels import channel_label
from cairn.analysis.threshold import STATUS_WORDS
from cairn.law import jurisdictions
from cairn.law.pha1997 import ACTS_BY_CODE
from cairn.packs.head import HeadInfo
from cairn.packs.selection import Disclosed
from cairn.vault.snapshot import ExhibitSnapshot, IncidentSnapshot, VaultSnapshot
from cairn.web import timeframe
from cairn.web.timeframe import PRECISION_LABELS, Precision

TITLE = "Evidence pack"

# The words of cairn.vault.choices, kept here so this module needs no Django (a test checks
# that they match).
SOURCE_LABELS: dict[str, str] = {
    "upload": "Uploaded on the website",
    "cli": "Added from the command line",
    "import": "Imported from an export file",
    "demo": "Demo data",
    "redacted": "Redacted copy made in Cairn",
}
RELATIONSHIP_LABELS: dict[str, str] = {
    "ex_partner": "Ex-partner",
    "ex_colleague": "Ex-colleague",
    "colleague": "Colleague",
    "acquaintance": "Acquaintance",
    "neighbour": "Neighbour",
    "stranger": "Stranger",
    "unknown": "Not known",
}

# The SPO test in the third person: the pattern page words it for the victim ("protect
# you"); the pack is read by the police, a court and the defence.
LIMBS: dict[str, tuple[str, str, str]] = {
    "s1_1_a": (
        "s.1(1)(a)",
        "Acts associated with stalking",
        "The person has carried out acts associated with stalking (following, contacting, "
        "watching, loitering, interfering with property and similar).",
    ),
    "s1_1_b": (
        "s.1(1)(b)",
        "A risk associated with stalking",
        "The person poses a risk associated with stalking: a risk of physical or "
        "psychological harm to another person, including from acts that look harmless but "
        "the person knows are unwelcome.",
    ),
    "s1_1_c": (
        "s.1(1)(c)",
        "An order is necessary to protect",
        "There is reasonable cause to believe that an order is necessary to protect another "
        "person from that risk: for example, it went on after they were told no, blocked or "
        "reported.",
    ),
    "s2_1": (
        "s.2(1)",
        "The court's test",
        "The court is satisfied of (a) and (b) and that the order is necessary to protect "
        "another person from that risk; each prohibition or requirement must itself be "
        "necessary (s.2(2)).",
    ),
}
THRESHOLD_NOTE = (
    "This sets the evidence in this pack against each part of the test for a Stalking "
    "Protection Order. It is not legal advice: the police decide whether to apply, and a "
    "court decides."
)
ANALYSIS_NOTE = (
    "Cairn ran its analysis on the incidents in this pack only, once for each person named "
    "as doing this, over only the incidents linked to that person; people are analysed "
    "together only where the person who kept the log said they are the same person or "
    "acting together. Incidents with nobody named are analysed apart and are not counted "
    "against anyone. Each statement names the incidents (and their exhibits) it rests on "
    "and the law or study behind the rule. The figures behind the statistical statements "
    "are in the annex."
)
ANNEX_NOTE = (
    "How the statements of the analysis were worked out, with the figures behind them, so "
    "anyone can repeat them; and general research, which is about groups of people and is "
    "not evidence about anyone in this pack."
)
STATEMENT_NOTE = (
    "DRAFT. Cairn drafted this narrative from the log for the person who kept it to correct "
    "in their own words. It is not signed and is not a witness statement: the police take "
    "the statement and supply the form and its declaration."
)
CHARTS: dict[str, tuple[str, str]] = {
    "timeline": ("Timeline of incidents",
                 "Each dot is an incident, placed by date and by its level on Cairn's own "
                 "severity scale. Shaded: a "
                 "long quiet period. Dashed lines: the weeks the rate changed."),
    "weekly": ("Incidents each week",
               "Bars: incidents each week. Orange lines: the average rate between the weeks "
               "the rate changed."),
    "severity": ("How serious, month by month",
                 "Incidents each month, coloured by their level on Cairn's own severity scale."),
    "acts": ("Acts listed in s.2A(3)",
             "How many incidents show each act listed in the Protection from Harassment Act "
             "1997, s.2A(3)."),
    "channels": ("How they got in touch",
                 "Each row is a way of contact; bigger dots mean more incidents that month."),
    "time_of_day": ("Day of the week and hour",
                    "Incidents with a known time, by day of the week and hour (the log's time "
                    "zone). Darker means more."),
}


class DocumentError(ValueError):
    """The inputs do not describe one pack (an analysis of other incidents, another head)."""


# --- the document -----------------------------------------------------------------------------

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


def build_document(
    disclosed: Disclosed,
    analysis: PeopleAnalysis,
    head: HeadInfo,
    *,
    statement: str,
    built_at: datetime,
    omitted_entries: int,
    continuity: Mapping[str, str],
    pack_id: str | None = None,
) -> PackDocument:
    """Word the whole PDF for one pack.

    ``analysis`` must be ``analyse_people(disclosed.snapshot, ..., voice=THIRD_PERSON)``;
    ``head`` the signed tree head of
    this vault that the pack's inclusion proofs lead to; ``statement`` the narrative to print
    (a saved or fresh draft; "" for none); ``continuity`` maps user ids to the names to print
    for who added each exhibit. ``pack_id`` defaults to a digest of everything else, so the
    same pack gets the same id. Raises DocumentError when the inputs do not belong together.
    """
    if built_at.tzinfo is None or built_at.utcoffset() is None:
        raise DocumentError("built_at must be an aware datetime")
    if omitted_entries < 0:
        raise DocumentError("omitted_entries cannot be negative")
    snapshot = disclosed.snapshot
    _check_belongs(snapshot, analysis, head)
    zone = _zone(snapshot.time_zone)
    incidents = tuple(sorted(snapshot.incidents, key=lambda i: (i.start, i.number, i.id)))
    exhibits = tuple(sorted(snapshot.exhibits, key=_exhibit_order))
    numbers = {i.id: i.number for i in incidents}
    references = {e.id: e.reference for e in exhibits}
    cite = _Citer(numbers, references)

    document = PackDocument(
        pack_id=pack_id or "",
        title=TITLE,
        built_at=built_at,
        cover=_cover(snapshot, zone, built_at, len(incidents), len(exhibits)),
        summary=_summary(snapshot, analysis, zone, incidents, exhibits, cite),
        chronology=tuple(_entry(i, snapshot, zone, references) for i in incidents),
        charts=tuple(_charts(analysis)),
        exhibits=tuple(_exhibit(e, disclosed, zone, numbers, continuity) for e in exhibits),
        analysis_note=ANALYSIS_NOTE,
        people=tuple(_person_part(a, cite) for a in analysis.all()),
        annex_note=ANNEX_NOTE,
        annex=_annex(analysis),
        statement=Statement(STATEMENT_NOTE, _paragraphs(statement)),
        verification=_verification(head, omitted_entries),
    )
    if pack_id is None:
        digest = hashlib.sha256(
            json.dumps(document.to_json(), sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        document = dataclasses.replace(document, pack_id=digest[:12])
    return document


# --- checks -----------------------------------------------------------------------------------

def _check_belongs(snapshot: VaultSnapshot, analysis: PeopleAnalysis, head: HeadInfo) -> None:
    if analysis.vault_id != snapshot.id or head.vault_id != snapshot.id:
        raise DocumentError("the analysis and the tree head must be of the pack's vault")
    if any(a.voice != THIRD_PERSON for a in analysis.all()):
        raise DocumentError("a pack's analysis speaks in the third person")
    disclosed_ids = {i.id for i in snapshot.incidents}
    analysed_ids = {p.id for a in analysis.all() for p in a.points}
    cited_ids = {i for f in analysis.findings() for i in f.incident_ids}
    if analysed_ids != disclosed_ids or not cited_ids <= disclosed_ids:
        # Charts and findings of a wider analysis would tell of incidents left out.
        raise DocumentError("the analysis must be of the disclosed snapshot only")


# --- times and words --------------------------------------------------------------------------

def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/London")


def instant(value: datetime | None, zone: ZoneInfo) -> str:
    """A stored instant in the vault's zone, e.g. "Tuesday 3 June 2025 at 14:05" (the 24-hour
    clock of statements and court documents)."""
    if value is None:
        return "Not known"
    return timeframe.instant_words(value, zone, timeframe.clock_24h)


def incident_when(incident: IncidentSnapshot, zone: ZoneInfo) -> str:
    """An incident's time in the words of her timeline, with the 24-hour clock of court
    documents (``timeframe.describe_when``)."""
    return timeframe.describe_when(incident.start, incident.end, incident.precision, zone,
                                   timeframe.clock_24h)


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def number_ranges(numbers: Iterable[int]) -> str:
    """``[1, 2, 3, 4, 7]`` -> "1\u20134, 7": long citations stay readable."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = []
    for run in runs:
        if len(run) > 2:
            parts.append(f"{run[0]}\u2013{run[-1]}")
        else:
            parts.extend(str(n) for n in run)
    return ", ".join(parts)


def incidents_text(numbers: tuple[int, ...]) -> str:
    if not numbers:
        return ""
    return f"Incident{'s' if len(numbers) > 1 else ''} {number_ranges(numbers)}"


def groups(hex_digest: str, size: int = 16) -> tuple[str, ...]:
    """A long hex string cut in groups, so it wraps only between groups when printed."""
    return tuple(hex_digest[n:n + size] for n in range(0, len(hex_digest), size))


def plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def file_size(size: int) -> str:
    if size < 1000:
        return plural(size, "byte", "bytes")
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit} ({size:,} bytes)"
    return plural(size, "byte", "bytes")  # pragma: no cover


def act_label(code: str, other_act: str = "") -> str:
    if code == "other":
        return f"Other: {other_act}" if other_act.strip() else "Another act linked to the stalking"
    act = ACTS_BY_CODE.get(code)
    return f"s.2A(3)({code}) {act.label}" if act is not None else code


def reference_key(reference: str) -> tuple[str, int, str]:
    """Exhibit references in number order: AB/2 before AB/10."""
    prefix, _, number = reference.rpartition("/")
    return (prefix, int(number) if number.isdigit() else 0, reference)


def _exhibit_order(exhibit: ExhibitSnapshot) -> tuple[tuple[str, int, str], str]:
    return (reference_key(exhibit.reference), exhibit.id)


# --- the parts ----------------------------------------------------------------------------

class _Citer:
    def __init__(self, numbers: Mapping[str, int], references: Mapping[str, str]) -> None:
        self.numbers = numbers
        self.references = references
        self.reference_order = {ref: n for n, ref in enumerate(references.values())}

    def incidents(self, ids: Iterable[str]) -> tuple[int, ...]:
        return tuple(sorted({self.numbers[i] for i in ids}))

    def finding(self, finding: Finding) -> Cited:
        numbers = self.incidents(finding.incident_ids)
        exhibits = sorted({self.references[e] for e in finding.exhibit_ids
                           if e in self.references}, key=self.reference_order.__getitem__)
        return Cited(finding.statement, numbers, incidents_text(numbers), tuple(exhibits),
                     finding.source)

    def findings(self, findings: Iterable[Finding]) -> tuple[Cited, ...]:
        return tuple(self.finding(f) for f in findings)


def _cover(snapshot: VaultSnapshot, zone: ZoneInfo, built_at: datetime, incidents: int,
           exhibits: int) -> Cover:
    jurisdiction = dict(jurisdictions.CHOICES).get(snapshot.jurisdiction, snapshot.jurisdiction)
    return Cover(
        initials=snapshot.initials,
        built_at=instant(built_at, zone),
        built_at_utc=rfc3339(built_at),
        time_zone=str(zone.key),
        jurisdiction=jurisdiction,
        incident_count=incidents,
        exhibit_count=exhibits,
        introduction=(
            f"An evidence log kept with Cairn by {snapshot.initials}. It holds "
            f"{plural(incidents, 'incident', 'incidents')} and "
            f"{plural(exhibits, 'exhibit', 'exhibits')} chosen from the log by the person who "
            "kept it, with the evidence that they are unchanged since they were recorded."
        ),
    )


def _suspect(snapshot: VaultSnapshot, person_id: str) -> str:
    person = snapshot.person(person_id)
    if person is None:  # pragma: no cover - resolve keeps linked persons
        return ""
    notes = [RELATIONSHIP_LABELS.get(person.relationship, person.relationship).lower()]
    if person.aliases:
        notes.append("also known as " + ", ".join(person.aliases))
    return f"{person.name} ({'; '.join(notes)})"


def _limbs(analysis: Analysis, cite: _Citer) -> tuple[Limb, ...]:
    limbs = []
    for limb in analysis.threshold.limbs():
        section, title, test = LIMBS.get(limb.key, (limb.key, limb.title, limb.test))
        numbers = cite.incidents(limb.evidence)
        limbs.append(Limb(
            key=limb.key, section=section, title=title, test=test, citation=limb.citation,
            status=limb.status, status_words=STATUS_WORDS.get(limb.status, limb.status),
            incidents=numbers, incidents_text=incidents_text(numbers),
            findings=cite.findings(limb.findings)))
    return tuple(limbs)


def _person_part(analysis: Analysis, cite: _Citer) -> PersonPart:
    subject = analysis.subject
    named = subject is not None and bool(subject.person_ids)
    if named and subject is not None:
        name = subject.name
        note = subject.combined_words(victim=False)
    else:
        name = "Incidents with nobody named"
        note = ("The person who kept the log named nobody as doing these. They are analysed "
                "apart and are not counted against anyone.")
    numbers = cite.incidents(p.id for p in analysis.points)
    return PersonPart(name=name, note=note, incident_count=len(numbers),
                      incidents_text=incidents_text(numbers), limbs=_limbs(analysis, cite),
                      sections=_analysis_sections(analysis, cite))


def _charts(people: PeopleAnalysis) -> list[Chart]:
    several = len(people.all()) > 1
    found = []
    for analysis in people.all():
        subject = analysis.subject
        who = (subject.name if subject is not None and subject.person_ids
               else "incidents with nobody named")
        for key, svg in all_charts(analysis).items():
            title, caption = CHARTS.get(key, (key, ""))
            found.append(Chart(key, f"{title}: {who}" if several else title, caption, svg))
    return found


def _figures(analysis: Analysis) -> list[str]:
    lines = []
    for words, trend in (("How often (incidents each week)", analysis.escalation.trend),
                         ("How serious (Cairn's own severity scale)",
                          analysis.escalation.severity_trend)):
        if trend.statistic is not None:
            lines.append(f"{words}: Kendall's tau {trend.statistic}, p = {trend.p_value}; "
                         f"reported as {trend.direction.replace('_', ' ')}. Method: "
                         f"{trend.method}.")
        else:
            lines.append(f"{words}: not enough incidents to test.")
    quiet = analysis.lulls
    if quiet.threshold_days is not None:
        lines.append(f"Quiet periods: the median gap between incidents was "
                     f"{quiet.median_gap_days} days, so a quiet period is a gap of more than "
                     f"{quiet.threshold_days:.0f} days. Method: {quiet.method}.")
    if analysis.escalation.change_points:
        lines.append(f"Changes in the weekly rate: {analysis.escalation.change_point_method}.")
    return lines


def _annex(people: PeopleAnalysis) -> tuple[AnnexItem, ...]:
    items = []
    for analysis in people.all():
        subject = analysis.subject
        who = (subject.name if subject is not None and subject.person_ids
               else "incidents with nobody named")
        items.append(AnnexItem(f"Methods and figures: {who}", tuple(_figures(analysis))))
    items.append(AnnexItem("Cairn's severity scale", (sources.METHOD_SEVERITY + ".",)))
    items.append(AnnexItem(
        "General research",
        (sources.BACKGROUND_NOTE,
         *(sources.STUDIES[key].text for key in sources.BACKGROUND))))
    return tuple(items)


def _summary(snapshot: VaultSnapshot, analysis: PeopleAnalysis, zone: ZoneInfo,
             incidents: tuple[IncidentSnapshot, ...], exhibits: tuple[ExhibitSnapshot, ...],
             cite: _Citer) -> Summary:
    by_code: dict[str, set[str]] = {}
    for one in analysis.all():
        for act in one.acts:
            by_code.setdefault(act.code, set()).update(act.incident_ids)
    acts = []
    for code in sorted(by_code, key=lambda c: (c == "other", c)):
        numbers = cite.incidents(by_code[code])
        acts.append(ActCount(code, act_label(code), numbers, incidents_text(numbers)))
    first, last = (incidents[0], incidents[-1]) if incidents else (None, None)
    return Summary(
        suspects=tuple(_suspect(snapshot, p.id) for p in snapshot.suspects()),
        first_incident=incident_when(first, zone) if first else "",
        last_incident=incident_when(last, zone) if last else "",
        incident_count=len(incidents),
        exhibit_count=len(exhibits),
        acts=tuple(acts),
        threshold_note=THRESHOLD_NOTE,
        analysed_at=instant(analysis.now, zone),
    )


def _entry(incident: IncidentSnapshot, snapshot: VaultSnapshot, zone: ZoneInfo,
           references: Mapping[str, str]) -> ChronologyEntry:
    where = incident.location.strip()
    if incident.latitude and incident.longitude:
        position = f"{incident.latitude}, {incident.longitude}"
        where = f"{where} ({position})" if where else position
    if incident.reported_to_police or incident.police_reference.strip():
        reference = incident.police_reference.strip()
        police = f"Reported to the police, reference {reference}" if reference else \
            "Reported to the police"
    else:
        police = ""
    persons = tuple(p.name for pid in incident.person_ids
                    if (p := snapshot.person(pid)) is not None)
    revised = f", revision {incident.revision}" if incident.revision > 1 else ""
    try:
        precision = PRECISION_LABELS[Precision(incident.precision)]
    except ValueError:
        precision = incident.precision
    return ChronologyEntry(
        number=incident.number,
        when=incident_when(incident, zone),
        precision=precision,
        when_words=incident.when_words.strip(),
        where=where,
        channel=channel_label(incident.channel),
        what=incident.description.strip(),
        acts=tuple(act_label(code, incident.other_act) for code in incident.acts),
        impact=incident.impact.strip(),
        feared_violence=incident.feared_violence,
        persons=persons,
        witnesses=incident.witnesses.strip(),
        police=police,
        exhibits=tuple(sorted((references[e] for e in incident.exhibit_ids if e in references),
                              key=reference_key)),
        recorded=f"Logged {instant(incident.recorded_at, zone)}{revised}",
    )


def _exhibit(exhibit: ExhibitSnapshot, disclosed: Disclosed, zone: ZoneInfo,
             numbers: Mapping[str, int], continuity: Mapping[str, str]) -> ExhibitEntry:
    source = SOURCE_LABELS.get(exhibit.source, exhibit.source)
    redaction = ""
    if exhibit.derived_from is not None:
        # Of the original, the reference only: its name, hash and description stay out
        # unless it is itself in the pack.
        how = exhibit.derivation.strip()
        how = f": {how}" if how else ""
        carried = {e.id: e.reference for e in disclosed.snapshot.exhibits}
        replaced = {s.copy.id: s.original.reference for s in disclosed.substitutions}
        if exhibit.derived_from in carried:
            redaction = f"Redacted copy of {carried[exhibit.derived_from]}{how}"
        elif exhibit.id in replaced:
            redaction = f"Redacted copy of {replaced[exhibit.id]} (original withheld){how}"
        else:
            redaction = f"Redacted copy of an exhibit that is withheld{how}"
    came_from = f"{source}, as the file \u201c{exhibit.original_name}\u201d"
    return ExhibitEntry(
        reference=exhibit.reference,
        description=exhibit.description.strip(),
        file_name=exhibit.original_name,
        media_type=exhibit.media_type,
        size=file_size(exhibit.size),
        incident=numbers.get(exhibit.incident_id) if exhibit.incident_id else None,
        source=source,
        captured=instant(exhibit.captured_at, zone),
        received=instant(exhibit.received_at, zone),
        sha256=exhibit.sha256,
        sha256_groups=groups(exhibit.sha256),
        added_by=continuity.get(exhibit.added_by, "Not recorded"),
        added_at=instant(exhibit.added_at, zone),
        came_from=came_from,
        redaction=redaction,
    )


def _analysis_sections(analysis: Analysis, cite: _Citer) -> tuple[AnalysisSection, ...]:
    lulls = [*analysis.lulls.findings]
    if analysis.recurrence.warning:
        lulls.extend(analysis.recurrence.reasons)
    lulls.extend(analysis.lulls.context)
    # Only what the incidents show: the indicators are the log's, never the questionnaire's.
    course = [f for c in analysis.course_of_conduct.courses for f in (*c.findings, *c.warnings)]
    four = [f for element in analysis.four.elements() for f in element.facts]
    risk = [i.from_log for i in analysis.risk_indicators
            if i.status == "present" and i.from_log is not None]
    sections = (
        AnalysisSection("when", "When it happened, and quiet periods",
                        "Long gaps between incidents, and whether it started again after them.",
                        cite.findings(lulls), analysis.lulls.method),
        AnalysisSection("frequency", "How often, and how serious",
                        "Whether incidents became more frequent or more serious over time.",
                        cite.findings(analysis.escalation.findings),
                        analysis.escalation.severity_method),
        AnalysisSection("acts", "Acts associated with stalking",
                        "The acts listed in the Protection from Harassment Act 1997, s.2A(3), "
                        "that the incidents show.",
                        cite.findings(a.finding for a in analysis.acts)),
        AnalysisSection("how", "How and when",
                        "The ways of contact, the times and the places.",
                        cite.findings(analysis.escalation.pattern_findings)),
        AnalysisSection("course", "A course of conduct (for the criminal offences)",
                        "The offences of harassment and stalking need conduct on at least two "
                        "occasions by the same person, with enough linking them. A Stalking "
                        "Protection Order needs neither an offence nor a course of conduct.",
                        cite.findings(course)),
        AnalysisSection("four", "Fixated, obsessive, unwanted, repeated",
                        "The College of Policing's FOUR prompt for recognising stalking.",
                        cite.findings(four)),
        AnalysisSection("s4a", "Fear of violence, and changes to usual activities",
                        "The elements of stalking involving fear of violence or serious alarm "
                        "or distress (Protection from Harassment Act 1997, s.4A). Listed are the "
                        "changes to her usual activities she recorded; whether an effect is "
                        "substantial is for the court.",
                        cite.findings(analysis.s4a.findings)),
        AnalysisSection("risk", "Risk indicators",
                        "Indicators that studies link to a higher risk of harm, or that are "
                        "Cairn's own and say so, where the incidents show them. This is not a "
                        "prediction, and their absence does not show safety.",
                        cite.findings(risk)),
    )
    return sections


def _paragraphs(text: str) -> tuple[str, ...]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    return tuple(paragraphs)


def _verification(head: HeadInfo, omitted: int) -> Verification:
    if omitted:
        omitted_text = (f"{plural(omitted, 'other entry', 'other entries')} of the vault's log "
                        f"{'is' if omitted == 1 else 'are'} not included.")
    else:
        omitted_text = "Every entry of the vault's log is included."
    steps = [
        "Check each exhibit file. Its SHA-256 must equal the value printed in the exhibit "
        "schedule. Any SHA-256 tool will do: for example \u201csha256sum FILE\u201d on Linux, "
        "\u201cshasum -a 256 FILE\u201d on a Mac, or \u201cGet-FileHash FILE\u201d in Windows "
        "PowerShell.",
        "Check each entry. The pack carries every entry of the vault's log that it includes, "
        "each with an inclusion proof (RFC 9162) that leads from the entry to the tree root "
        "below. An entry that was changed, or a proof for another entry, does not lead there.",
        "Check the signature. The tree head (the size, the root and the time below) is signed "
        "with the Cairn instance's Ed25519 key. The pack carries the public key; its SHA-256 "
        "fingerprint is printed below.",
    ]
    if head.token_sha256:
        steps.append(
            "Check the timestamp. An independent time-stamping authority countersigned the tree "
            "head (RFC 3161), which shows the log existed in this state at the time it "
            "attests. The token's SHA-256 is printed below.")
    steps.append(
        "Or run \u201ccairn verify-pack PACK\u201d: it makes all of these checks using nothing "
        "but the pack, and names anything that fails. The pack's VERIFY.txt explains each "
        "check step by step.")
    return Verification(
        vault_id=head.vault_id,
        log_size=head.size,
        included_entries=head.included_entries,
        omitted_entries=omitted,
        omitted_text=omitted_text,
        root=head.root,
        root_groups=groups(head.root),
        signed_at=head.timestamp,
        key_fingerprint=head.key_fingerprint,
        key_fingerprint_groups=groups(head.key_fingerprint),
        token_sha256=head.token_sha256,
        token_groups=groups(head.token_sha256) if head.token_sha256 else (),
        tsa_time=head.tsa_time,
        tsa_name=head.tsa_name,
        steps=tuple(steps),
    )


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
