"""Each part of the pack's PDF, worded from the disclosed snapshot and its analysis: the cover,
the summary, the chronology, the charts, the exhibit schedule, the analysis and the
verification steps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from cairn.analysis import sources
from cairn.analysis.base import Finding
from cairn.analysis.charts import all_charts
from cairn.analysis.engine import Analysis, PeopleAnalysis
from cairn.analysis.labels import channel_label
from cairn.analysis.threshold import STATUS_WORDS
from cairn.law import jurisdictions
from cairn.packs.document.model import (
    ActCount,
    AnalysisSection,
    AnnexItem,
    Chart,
    ChronologyEntry,
    Cited,
    Cover,
    ExhibitEntry,
    Limb,
    PersonPart,
    Summary,
    Verification,
)
from cairn.packs.document.words import (
    CHARTS,
    LIMBS,
    RELATIONSHIP_LABELS,
    SOURCE_LABELS,
    THRESHOLD_NOTE,
    act_label,
    file_size,
    groups,
    incident_when,
    incidents_text,
    instant,
    plural,
    reference_key,
    rfc3339,
)
from cairn.packs.head import HeadInfo
from cairn.packs.selection import Disclosed
from cairn.vault.snapshot import ExhibitSnapshot, IncidentSnapshot, VaultSnapshot
from cairn.web.timeframe import PRECISION_LABELS, Precision


class Citer:
    def __init__(self, numbers: Mapping[str, int], references: Mapping[str, str]) -> None:
        self.numbers = numbers
        self.references = references
        self.reference_order = {ref: n for n, ref in enumerate(references.values())}

    def incidents(self, ids: Iterable[str]) -> tuple[int, ...]:
        return tuple(sorted({self.numbers[i] for i in ids}))

    def finding(self, finding: Finding) -> Cited:
        numbers = self.incidents(finding.incident_ids)
        exhibits = sorted(
            {self.references[e] for e in finding.exhibit_ids if e in self.references},
            key=self.reference_order.__getitem__,
        )
        return Cited(
            finding.statement, numbers, incidents_text(numbers), tuple(exhibits), finding.source
        )

    def findings(self, findings: Iterable[Finding]) -> tuple[Cited, ...]:
        return tuple(self.finding(f) for f in findings)


def cover_part(
    snapshot: VaultSnapshot, zone: ZoneInfo, built_at: datetime, incidents: int, exhibits: int
) -> Cover:
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


def _limbs(analysis: Analysis, cite: Citer) -> tuple[Limb, ...]:
    limbs = []
    for limb in analysis.threshold.limbs():
        section, title, test = LIMBS.get(limb.key, (limb.key, limb.title, limb.test))
        numbers = cite.incidents(limb.evidence)
        limbs.append(
            Limb(
                key=limb.key,
                section=section,
                title=title,
                test=test,
                citation=limb.citation,
                status=limb.status,
                status_words=STATUS_WORDS.get(limb.status, limb.status),
                incidents=numbers,
                incidents_text=incidents_text(numbers),
                findings=cite.findings(limb.findings),
            )
        )
    return tuple(limbs)


def person_part(analysis: Analysis, cite: Citer) -> PersonPart:
    subject = analysis.subject
    named = subject is not None and bool(subject.person_ids)
    if named and subject is not None:
        name = subject.name
        note = subject.combined_words(victim=False)
    else:
        name = "Incidents with nobody named"
        note = (
            "The person who kept the log named nobody as doing these. They are analysed "
            "apart and are not counted against anyone."
        )
    numbers = cite.incidents(p.id for p in analysis.points)
    return PersonPart(
        name=name,
        note=note,
        incident_count=len(numbers),
        incidents_text=incidents_text(numbers),
        limbs=_limbs(analysis, cite),
        sections=_analysis_sections(analysis, cite),
    )


def chart_parts(people: PeopleAnalysis) -> list[Chart]:
    several = len(people.all()) > 1
    found = []
    for analysis in people.all():
        subject = analysis.subject
        who = (
            subject.name
            if subject is not None and subject.person_ids
            else "incidents with nobody named"
        )
        for key, svg in all_charts(analysis).items():
            title, caption = CHARTS.get(key, (key, ""))
            found.append(Chart(key, f"{title}: {who}" if several else title, caption, svg))
    return found


def _figures(analysis: Analysis) -> list[str]:
    lines = []
    for words, trend in (
        ("How often (incidents each week)", analysis.escalation.trend),
        ("How serious (Cairn's own severity scale)", analysis.escalation.severity_trend),
    ):
        if trend.statistic is not None:
            lines.append(
                f"{words}: Kendall's tau {trend.statistic}, p = {trend.p_value}; "
                f"reported as {trend.direction.replace('_', ' ')}. Method: "
                f"{trend.method}."
            )
        else:
            lines.append(f"{words}: not enough incidents to test.")
    quiet = analysis.lulls
    if quiet.threshold_days is not None:
        lines.append(
            f"Quiet periods: the median gap between incidents was "
            f"{quiet.median_gap_days} days, so a quiet period is a gap of more than "
            f"{quiet.threshold_days:.0f} days. Method: {quiet.method}."
        )
    if analysis.escalation.change_points:
        lines.append(f"Changes in the weekly rate: {analysis.escalation.change_point_method}.")
    return lines


def annex_items(people: PeopleAnalysis) -> tuple[AnnexItem, ...]:
    items = []
    for analysis in people.all():
        subject = analysis.subject
        who = (
            subject.name
            if subject is not None and subject.person_ids
            else "incidents with nobody named"
        )
        items.append(AnnexItem(f"Methods and figures: {who}", tuple(_figures(analysis))))
    items.append(AnnexItem("Cairn's severity scale", (sources.METHOD_SEVERITY + ".",)))
    items.append(
        AnnexItem(
            "General research",
            (sources.BACKGROUND_NOTE, *(sources.STUDIES[key].text for key in sources.BACKGROUND)),
        )
    )
    return tuple(items)


def summary_part(
    snapshot: VaultSnapshot,
    analysis: PeopleAnalysis,
    zone: ZoneInfo,
    incidents: tuple[IncidentSnapshot, ...],
    exhibits: tuple[ExhibitSnapshot, ...],
    cite: Citer,
) -> Summary:
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


def chronology_entry(
    incident: IncidentSnapshot,
    snapshot: VaultSnapshot,
    zone: ZoneInfo,
    references: Mapping[str, str],
) -> ChronologyEntry:
    where = incident.location.strip()
    if incident.latitude and incident.longitude:
        position = f"{incident.latitude}, {incident.longitude}"
        where = f"{where} ({position})" if where else position
    if incident.reported_to_police or incident.police_reference.strip():
        reference = incident.police_reference.strip()
        police = (
            f"Reported to the police, reference {reference}"
            if reference
            else "Reported to the police"
        )
    else:
        police = ""
    persons = tuple(
        p.name for pid in incident.person_ids if (p := snapshot.person(pid)) is not None
    )
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
        exhibits=tuple(
            sorted(
                (references[e] for e in incident.exhibit_ids if e in references), key=reference_key
            )
        ),
        recorded=f"Logged {instant(incident.recorded_at, zone)}{revised}",
    )


def exhibit_entry(
    exhibit: ExhibitSnapshot,
    disclosed: Disclosed,
    zone: ZoneInfo,
    numbers: Mapping[str, int],
    continuity: Mapping[str, str],
) -> ExhibitEntry:
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


def _analysis_sections(analysis: Analysis, cite: Citer) -> tuple[AnalysisSection, ...]:
    lulls = [*analysis.lulls.findings]
    if analysis.recurrence.warning:
        lulls.extend(analysis.recurrence.reasons)
    lulls.extend(analysis.lulls.context)
    # Only what the incidents show: the indicators are the log's, never the questionnaire's.
    course = [f for c in analysis.course_of_conduct.courses for f in (*c.findings, *c.warnings)]
    four = [f for element in analysis.four.elements() for f in element.facts]
    risk = [
        i.from_log
        for i in analysis.risk_indicators
        if i.status == "present" and i.from_log is not None
    ]
    sections = (
        AnalysisSection(
            "when",
            "When it happened, and quiet periods",
            "Long gaps between incidents, and whether it started again after them.",
            cite.findings(lulls),
            analysis.lulls.method,
        ),
        AnalysisSection(
            "frequency",
            "How often, and how serious",
            "Whether incidents became more frequent or more serious over time.",
            cite.findings(analysis.escalation.findings),
            analysis.escalation.severity_method,
        ),
        AnalysisSection(
            "acts",
            "Acts associated with stalking",
            "The acts listed in the Protection from Harassment Act 1997, s.2A(3), "
            "that the incidents show.",
            cite.findings(a.finding for a in analysis.acts),
        ),
        AnalysisSection(
            "how",
            "How and when",
            "The ways of contact, the times and the places.",
            cite.findings(analysis.escalation.pattern_findings),
        ),
        AnalysisSection(
            "course",
            "A course of conduct (for the criminal offences)",
            "The offences of harassment and stalking need conduct on at least two "
            "occasions by the same person, with enough linking them. A Stalking "
            "Protection Order needs neither an offence nor a course of conduct.",
            cite.findings(course),
        ),
        AnalysisSection(
            "four",
            "Fixated, obsessive, unwanted, repeated",
            "The College of Policing's FOUR prompt for recognising stalking.",
            cite.findings(four),
        ),
        AnalysisSection(
            "s4a",
            "Fear of violence, and changes to usual activities",
            "The elements of stalking involving fear of violence or serious alarm "
            "or distress (Protection from Harassment Act 1997, s.4A). Listed are the "
            "changes to her usual activities she recorded; whether an effect is "
            "substantial is for the court.",
            cite.findings(analysis.s4a.findings),
        ),
        AnalysisSection(
            "risk",
            "Risk indicators",
            "Indicators that studies link to a higher risk of harm, or that are "
            "Cairn's own and say so, where the incidents show them. This is not a "
            "prediction, and their absence does not show safety.",
            cite.findings(risk),
        ),
    )
    return sections


def paragraphs(text: str) -> tuple[str, ...]:
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


def verification_steps(head: HeadInfo, omitted: int) -> Verification:
    if omitted:
        omitted_text = (
            f"{plural(omitted, 'other entry', 'other entries')} of the vault's log "
            f"{'is' if omitted == 1 else 'are'} not included."
        )
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
            "attests. The token's SHA-256 is printed below."
        )
    steps.append(
        "Or run \u201ccairn verify-pack PACK\u201d: it makes all of these checks using nothing "
        "but the pack, and names anything that fails. The pack's VERIFY.txt explains each "
        "check step by step."
    )
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
