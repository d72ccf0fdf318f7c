"""Course of conduct (Protection from Harassment Act 1997, s.7): conduct on at least two
occasions by the same person. Per suspect (or per group the victim said is one person or
acting together, s.7(3A)): the incidents, the gaps between them, what links them, and a
warning when a course rests on few, far-apart or unlinked incidents (Lau v DPP [2000];
R v Patel [2004]: two incidents do not automatically make a course of conduct).

A course of conduct is what the criminal offences (s.2, s.2A, s.4, s.4A) need; a Stalking
Protection Order needs neither an offence nor a course of conduct, so these warnings belong
to the offences only (``cairn.analysis.threshold`` does not use them)."""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from dataclasses import dataclass

from cairn.analysis import sources
from cairn.analysis.base import Finding, Index, days_between, plural
from cairn.vault.snapshot import IncidentSnapshot

# Fewer than this many incidents is "few" (Cairn's own cut, in line with one research
# threshold of at least 5 intrusions, McEwan et al. 2020; not a legal test).
FEW = 5
# A longest gap past this is "far apart" for a course with few incidents (Lau v DPP: four
# months apart was too far on its facts; we warn well before that).
FAR_APART_DAYS = 28


@dataclass(frozen=True)
class Gap:
    after_id: str
    before_id: str
    days: float


@dataclass(frozen=True)
class Link:
    kind: str  # "channel" | "place" | "act"
    value: str
    incident_ids: tuple[str, ...]


@dataclass(frozen=True)
class Course:
    person_id: str | None  # None: incidents with no suspect linked
    person_name: str  # "Mark" or, for a group the victim combined, "Mark and Dave"
    relationship: str
    incident_ids: tuple[str, ...]
    span_days: float
    gaps: tuple[Gap, ...]
    median_gap_days: float | None
    longest_gap_days: float | None
    links: tuple[Link, ...]
    unlinked_ids: tuple[str, ...]
    two_or_more_occasions: bool
    findings: tuple[Finding, ...]
    warnings: tuple[Finding, ...]  # for the criminal offences only
    person_ids: tuple[str, ...] = ()  # everyone whose conduct this course is


@dataclass(frozen=True)
class CourseOfConduct:
    courses: tuple[Course, ...]  # one per suspect with incidents, then "no suspect identified"
    findings: tuple[Finding, ...]


def _links(
    index: Index, incidents: list[IncidentSnapshot]
) -> tuple[tuple[Link, ...], tuple[str, ...]]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for incident in incidents:
        groups[("channel", incident.channel)].append(incident.id)
        if index.place[incident.id]:
            groups[("place", index.place[incident.id])].append(incident.id)
        for code in incident.acts:
            groups[("act", code)].append(incident.id)
    links = tuple(
        Link(kind, value, tuple(ids))
        for (kind, value), ids in sorted(groups.items())
        if len(ids) >= 2
    )
    linked = {incident_id for link in links for incident_id in link.incident_ids}
    unlinked = tuple(i.id for i in incidents if i.id not in linked)
    return links, unlinked


def occasions(index: Index, who: str, named: bool, incidents: list[IncidentSnapshot]) -> Finding:
    """How many incidents, over how long, or that nobody is linked (s.7)."""
    ids = index.ids(incidents)
    if not named:
        return index.find(
            f"{plural(len(ids), 'incident has', 'incidents have')} nobody linked as the person "
            "doing this. A course of conduct must be by the same person: "
            + index.say(
                "link the person to each incident if you know who it was.",
                "these incidents are shown apart and are not counted against anyone.",
            ),
            ids,
            sources.PHA_S7,
        )
    if len(ids) >= 2:
        span = round(days_between(incidents[0].start, incidents[-1].start), 2)
        return index.find(
            f"{plural(len(ids), 'incident')} linked to {who}, over {span:.0f} days "
            f"({index.local_date(incidents[0].start)} to "
            f"{index.local_date(incidents[-1].start)}).",
            ids,
            sources.PHA_S7,
        )
    return index.find(
        f"One incident linked to {who}. A course of conduct needs at least two occasions.",
        ids,
        sources.PHA_S7,
    )


def same_places(index: Index, links: tuple[Link, ...]) -> list[Finding]:
    """One finding per place two or more of the incidents share (R v Patel)."""
    return [
        index.find(
            f"{plural(len(link.incident_ids), 'incident')} at the same place: "
            f"{index.by_id[link.incident_ids[0]].location}.",
            link.incident_ids,
            sources.R_V_PATEL,
        )
        for link in links
        if link.kind == "place"
    ]


def combined(index: Index, who: str, people: int, ids: tuple[str, ...]) -> Finding | None:
    """The victim said these people are one person or acting together (s.7(3A))."""
    if people <= 1:
        return None
    return index.find(
        index.say(
            f"You said {who} are the same person or acting together, so their "
            "incidents are taken as one course of conduct.",
            f"The victim said {who} are the same person or acting together, so their "
            "incidents are taken as one course of conduct.",
        ),
        ids,
        sources.PHA_S7_3A,
    )


def few_or_far_apart(index: Index, ids: tuple[str, ...], gaps: tuple[Gap, ...]) -> Finding | None:
    """A warning for the offences: only two incidents, or few and far apart (Lau v DPP)."""
    if len(ids) == 2:
        return index.find(
            f"This rests on only two incidents, {gaps[0].days:.0f} days apart. "
            "Two incidents do not automatically make a course of conduct: a court looks at how "
            "far apart and how linked they are.",
            ids,
            sources.LAU_V_DPP,
        )
    longest = max((gap.days for gap in gaps), default=None)
    if 2 < len(ids) < FEW and longest is not None and longest > FAR_APART_DAYS:
        return index.find(
            f"This rests on few incidents ({len(ids)}) with up to {longest:.0f} days between "
            "them. A court may not see incidents this far apart as one course of conduct; more "
            "incidents, or what links them, would help.",
            ids,
            sources.LAU_V_DPP,
        )
    return None


def nothing_links(index: Index, ids: tuple[str, ...], unlinked: tuple[str, ...]) -> Finding | None:
    """A warning for the offences: incidents sharing no channel, place or act (R v Patel)."""
    if len(ids) < 2 or not unlinked:
        return None
    return index.find(
        f"{plural(len(unlinked), 'incident shares', 'incidents share')} no way of contact, "
        "place or kind of act with the others. "
        + index.say(
            "Say in the log what links them (the same number, account, car or words).",
            "What links them (the same number, account, car or words) is not recorded.",
        ),
        unlinked,
        sources.R_V_PATEL,
    )


def _course(index: Index, group: tuple[str, ...], incidents: list[IncidentSnapshot]) -> Course:
    people = [p for p in map(index.snapshot.person, group) if p is not None]
    person = people[0] if people else None
    who = " and ".join(p.name for p in people) if people else "no person linked"
    ids = index.ids(incidents)
    gaps = tuple(
        Gap(a.id, b.id, round(days_between(a.start, b.start), 2))
        for a, b in itertools.pairwise(incidents)
    )
    gap_days = [gap.days for gap in gaps]
    links, unlinked = _links(index, incidents)
    findings = [
        occasions(index, who, person is not None, incidents),
        *same_places(index, links),
        combined(index, who, len(people), ids),
    ]
    warnings = [few_or_far_apart(index, ids, gaps), nothing_links(index, ids, unlinked)]
    return Course(
        person_id=person.id if person else None,
        person_name=who if people else "",
        relationship=person.relationship if person else "",
        incident_ids=ids,
        span_days=round(days_between(incidents[0].start, incidents[-1].start), 2),
        gaps=gaps,
        median_gap_days=round(statistics.median(gap_days), 2) if gap_days else None,
        longest_gap_days=max(gap_days) if gap_days else None,
        links=links,
        unlinked_ids=unlinked,
        two_or_more_occasions=len(ids) >= 2 and person is not None,
        findings=tuple(f for f in findings if f is not None),
        warnings=tuple(f for f in warnings if f is not None),
        person_ids=tuple(p.id for p in people),
    )


def course_of_conduct(index: Index) -> CourseOfConduct:
    by_group: dict[tuple[str, ...], list[IncidentSnapshot]] = defaultdict(list)
    unattributed: list[IncidentSnapshot] = []
    for incident in index.incidents:
        linked = set(incident.person_ids)
        named = [group for group in index.groups if linked & set(group)]
        for group in named:
            by_group[group].append(incident)
        if not named:
            unattributed.append(incident)
    courses = [
        _course(index, group, by_group[group]) for group in index.groups if by_group.get(group)
    ]
    if unattributed:
        courses.append(_course(index, (), unattributed))
    findings = tuple(f for course in courses for f in course.findings)
    return CourseOfConduct(courses=tuple(courses), findings=findings)
