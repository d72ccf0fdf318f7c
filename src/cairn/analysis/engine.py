"""The entry points. ``analyse_people(snapshot, now=...)`` works the pattern out once per person
(DESIGN.md invariant 8): each suspect alone, or the people the victim said are the same person
or acting together as one, and the incidents with nobody named apart. ``analyse`` runs every
rule over the snapshot it is given, as one subject. ``to_json`` turns the result into plain
JSON. Pure and deterministic: the same snapshot, time and answers give the same result, byte
for byte (ACPO principle 3)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cairn.analysis import sources
from cairn.analysis.acts import ActEvidence, acts_shown
from cairn.analysis.base import VICTIM, Finding, Index
from cairn.analysis.course import CourseOfConduct, course_of_conduct
from cairn.analysis.derived import Derived, derive
from cairn.analysis.escalation import Escalation, escalation
from cairn.analysis.four import Four, four
from cairn.analysis.lulls import Lulls, RecurrenceWarning, lulls, recurrence_warning
from cairn.analysis.people import Subject, narrowed, subjects
from cairn.analysis.questionnaire import FormDefinition, Score, score
from cairn.analysis.risk import Indicator, risk_indicators
from cairn.analysis.s4a import S4A, s4a_markers
from cairn.analysis.threshold import Threshold, threshold
from cairn.vault.snapshot import VaultSnapshot


@dataclass(frozen=True)
class IncidentPoint:
    """What the charts need of one incident."""

    id: str
    number: int
    start: datetime
    channel: str
    acts: tuple[str, ...]
    severity: int


@dataclass(frozen=True)
class Analysis:
    vault_id: str
    now: datetime
    time_zone: str
    incident_count: int
    course_of_conduct: CourseOfConduct
    acts: tuple[ActEvidence, ...]
    four: Four
    s4a: S4A
    escalation: Escalation
    lulls: Lulls
    recurrence: RecurrenceWarning
    risk_indicators: tuple[Indicator, ...]
    questionnaire: Score | None
    questionnaire_form: str | None
    threshold: Threshold
    points: tuple[IncidentPoint, ...]
    voice: str = VICTIM
    subject: Subject | None = None  # who this analysis is about; None: the snapshot as given

    @property
    def recurrence_warning(self) -> bool:
        return self.recurrence.warning

    def findings(self) -> Iterator[Finding]:
        """Every statement the analysis makes, each citing its incidents."""
        yield from _walk(self)


def analyse(
    snapshot: VaultSnapshot,
    *,
    now: datetime,
    form: FormDefinition | None = None,
    answers: Mapping[str, Any] | None = None,
    voice: str = VICTIM,
    subject: Subject | None = None,
    derived: Mapping[str, Derived] | None = None,
) -> Analysis:
    """Run every rule over ``snapshot`` as one subject. ``form`` and ``answers`` are the
    victim's latest questionnaire, if any; ``voice`` who the statements speak to; ``derived``
    what incidents' words show, kept from an earlier reading (``cairn.analysis.derived``)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    group = subject.person_ids if subject is not None and subject.person_ids else None
    index = Index(snapshot, now=now, voice=voice, subject=group, derived=derived)
    course = course_of_conduct(index)
    quiet = lulls(index)
    recurrence = recurrence_warning(index, quiet)
    rates = escalation(index)
    fixated_etc = four(index, course, quiet)
    markers = s4a_markers(index)
    indicators = risk_indicators(index, course, rates, quiet, form, answers)
    limbs = threshold(index, course, fixated_etc, markers, rates, quiet)
    return Analysis(
        vault_id=snapshot.id,
        now=now,
        time_zone=snapshot.time_zone,
        incident_count=len(index.incidents),
        course_of_conduct=course,
        acts=acts_shown(index),
        four=fixated_etc,
        s4a=markers,
        escalation=rates,
        lulls=quiet,
        recurrence=recurrence,
        risk_indicators=indicators,
        questionnaire=score(form, answers or {}) if form is not None and answers else None,
        questionnaire_form=f"{form.id}@{form.version}" if form is not None and answers else None,
        threshold=limbs,
        points=tuple(
            IncidentPoint(i.id, i.number, i.start, i.channel, i.acts, s.level)
            for i, s in zip(index.incidents, rates.severities, strict=True)
        ),
        voice=voice,
        subject=subject,
    )


@dataclass(frozen=True)
class PeopleAnalysis:
    """One analysis per person (or per group the victim combined), and the incidents with
    nobody named analysed apart; never one analysis of everyone together."""

    vault_id: str
    now: datetime
    time_zone: str
    incident_count: int
    people: tuple[Analysis, ...]  # most incidents first
    unattributed: Analysis | None  # the incidents with nobody named as doing this

    def all(self) -> tuple[Analysis, ...]:
        return (*self.people, *((self.unattributed,) if self.unattributed else ()))

    def for_person(self, person_id: str) -> Analysis | None:
        """The analysis that ``person_id`` is part of (alone or combined)."""
        return next(
            (a for a in self.people if a.subject is not None and person_id in a.subject.person_ids),
            None,
        )

    def findings(self) -> Iterator[Finding]:
        for analysis in self.all():
            yield from analysis.findings()


def analyse_people(
    snapshot: VaultSnapshot,
    *,
    now: datetime,
    form: FormDefinition | None = None,
    answers: Mapping[str, Any] | None = None,
    voice: str = VICTIM,
    derived: Mapping[str, Derived] | None = None,
) -> PeopleAnalysis:
    """The analysis of each person named as doing this (``cairn.analysis.people``), each over
    only the incidents linked to them, and of the incidents with nobody named, apart.
    ``derived`` as for ``analyse``: without it, incidents linked to two people are read
    once each time."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    derived = {**derived} if derived is not None else {}
    missing = [i for i in snapshot.incidents if i.id not in derived]
    derived.update((i.id, derive(i)) for i in missing)
    people: list[Analysis] = []
    unattributed = None
    for subject in subjects(snapshot):
        analysis = analyse(
            narrowed(snapshot, subject),
            now=now,
            form=form,
            answers=answers,
            voice=voice,
            subject=subject,
            derived=derived,
        )
        if subject.person_ids:
            people.append(analysis)
        else:
            unattributed = analysis
    return PeopleAnalysis(
        vault_id=snapshot.id,
        now=now,
        time_zone=snapshot.time_zone,
        incident_count=len(snapshot.incidents),
        people=tuple(people),
        unattributed=unattributed,
    )


def _walk(value: Any) -> Iterator[Finding]:
    if isinstance(value, Finding):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def to_json(analysis: Analysis) -> dict[str, Any]:
    """One analysis as plain JSON-ready data."""
    limbs = {limb.key: _plain(limb) for limb in analysis.threshold.limbs()}
    return {
        "subject": _plain(analysis.subject) if analysis.subject is not None else None,
        "vault": analysis.vault_id,
        "analysed_at": _plain(analysis.now),
        "time_zone": analysis.time_zone,
        "incident_count": analysis.incident_count,
        "course_of_conduct": _plain(analysis.course_of_conduct),
        "acts": _plain(analysis.acts),
        "four": {e.key: _plain(e) for e in analysis.four.elements()},
        "s4a": _plain(analysis.s4a),
        "escalation": _plain(analysis.escalation),
        "lulls": _plain(analysis.lulls),
        "recurrence_warning": analysis.recurrence.warning,
        "recurrence_reasons": _plain(analysis.recurrence.reasons),
        "risk_indicators": _plain(analysis.risk_indicators),
        "questionnaire": (
            {"form": analysis.questionnaire_form, **_plain(analysis.questionnaire)}
            if analysis.questionnaire is not None
            else None
        ),
        "threshold": {**limbs, "note": analysis.threshold.note},
        "incidents": _plain(analysis.points),
    }


def people_to_json(result: PeopleAnalysis) -> dict[str, Any]:
    """What ``cairn analyse --json`` prints: one analysis per person, each naming the person,
    and the incidents with nobody named apart."""
    return {
        "vault": result.vault_id,
        "analysed_at": _plain(result.now),
        "time_zone": result.time_zone,
        "incident_count": result.incident_count,
        "people": [to_json(a) for a in result.people],
        "unattributed": to_json(result.unattributed) if result.unattributed else None,
        "research_background": {
            "note": sources.BACKGROUND_NOTE,
            "studies": [sources.STUDIES[key].text for key in sources.BACKGROUND],
        },
    }


def to_json_text(analysis: Analysis | PeopleAnalysis) -> str:
    data = people_to_json(analysis) if isinstance(analysis, PeopleAnalysis) else to_json(analysis)
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
