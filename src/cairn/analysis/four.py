"""FOUR (College of Policing): think stalking when behaviour is fixated, obsessive, unwanted
and repeated. Each element lists the facts in the log that show it."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import timedelta

from cairn.analysis import sources
from cairn.analysis.base import Finding, Index, days_between, plural
from cairn.analysis.course import CourseOfConduct
from cairn.analysis.labels import channel_label
from cairn.analysis.lulls import Lulls

BURST_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class FourElement:
    key: str
    label: str
    shown: bool
    facts: tuple[Finding, ...]


@dataclass(frozen=True)
class Four:
    fixated: FourElement
    obsessive: FourElement
    unwanted: FourElement
    repeated: FourElement

    def elements(self) -> tuple[FourElement, ...]:
        return (self.fixated, self.obsessive, self.unwanted, self.repeated)


def _element(key: str, label: str, facts: list[Finding]) -> FourElement:
    return FourElement(key, label, bool(facts), tuple(facts))


def busiest_window(index: Index) -> tuple[str, ...]:
    """The incidents of the busiest seven days (the earliest such window on a tie)."""
    starts = [i.start for i in index.incidents]
    best = (0, 0)
    for a, start in enumerate(starts):
        b = bisect_right(starts, start + BURST_WINDOW - timedelta(microseconds=1))
        if b - a > best[1] - best[0]:
            best = (a, b)
    return index.ids(index.incidents[best[0] : best[1]])


def fixated(index: Index, course: CourseOfConduct, quiet: Lulls) -> FourElement:
    """The same person kept at it, it came back after a lull, or following and watching."""
    facts: list[Finding] = []
    for c in course.courses:
        if c.person_id is not None and c.span_days >= 14 and len(c.incident_ids) >= 2:
            facts.append(
                index.find(
                    f"The same person kept at it for {c.span_days / 7:.0f} weeks.",
                    c.incident_ids,
                    sources.FOUR,
                )
            )
    for lull in quiet.lulls:
        facts.append(
            index.find(
                f"It came back after {lull.days:.0f} quiet days.",
                (lull.last_before_id, lull.first_after_id),
                sources.FOUR,
            )
        )
    targeted = [i.id for i in index.incidents if {"a", "e", "g"} & set(i.acts)]
    if len(targeted) >= 2:
        facts.append(
            index.find(
                index.say(
                    "Following, loitering or watching you",
                    "Following, loitering or watching the victim",
                )
                + f": {plural(len(targeted), 'incident')}.",
                targeted,
                sources.FOUR,
            )
        )
    return _element("fixated", "Fixated", facts)


def obsessive(index: Index) -> FourElement:
    """Many ways of contact, a burst within seven days, or monitoring."""
    facts: list[Finding] = []
    channels = sorted({i.channel for i in index.incidents})
    if len(channels) >= 3:
        facts.append(
            index.find(
                f"Contact through {len(channels)} different ways: "
                + ", ".join(channel_label(c).lower() for c in channels)
                + ".",
                index.ids(index.incidents),
                sources.FOUR,
            )
        )
    burst = busiest_window(index)
    if len(burst) >= 3:
        first = index.by_id[burst[0]]
        facts.append(
            index.find(
                f"{plural(len(burst), 'incident')} within seven days, from "
                f"{index.local_date(first.start)}.",
                burst,
                sources.FOUR,
            )
        )
    monitoring = [i.id for i in index.incidents if "d" in i.acts]
    if monitoring:
        facts.append(
            index.find(
                index.say(
                    "Monitoring your phone, internet or accounts",
                    "Monitoring the victim's phone, internet or accounts",
                )
                + f": {plural(len(monitoring), 'incident')}.",
                monitoring,
                sources.FOUR,
            )
        )
    return _element("obsessive", "Obsessive", facts)


def unwanted(index: Index) -> FourElement:
    """She made clear it was not wanted, or reported it, and whether it went on after."""
    incidents = index.incidents
    facts: list[Finding] = []
    refused = [i for i in incidents if index.facts[i.id].unwanted]
    if refused:
        facts.append(
            index.find(
                index.say(
                    "You made clear you did not want contact (for example you blocked them, "
                    "did not reply or said no)",
                    "The victim made clear that contact was not wanted (for example by "
                    "blocking, not replying or saying no)",
                )
                + f": {plural(len(refused), 'incident')}.",
                index.ids(refused),
                sources.FOUR,
            )
        )
        after = [i.id for i in incidents if i.start > refused[0].start]
        if after:
            facts.append(
                index.find(
                    f"It went on after that: {plural(len(after), 'more incident')}.",
                    after,
                    sources.FOUR,
                )
            )
    reported = [i.id for i in incidents if i.reported_to_police or i.police_reference.strip()]
    if reported:
        facts.append(
            index.find(
                index.say("You reported", "The victim reported")
                + f" {plural(len(reported), 'incident')} to the police.",
                reported,
                sources.FOUR,
            )
        )
        first_report = index.by_id[reported[0]].start
        later = [i.id for i in incidents if i.start > first_report]
        if later:
            facts.append(
                index.find(
                    "It went on after the first report to the police: "
                    f"{plural(len(later), 'more incident')}.",
                    later,
                    sources.FOUR,
                )
            )
    return _element("unwanted", "Unwanted", facts)


def repeated(index: Index) -> FourElement:
    """Two or more incidents, and whether they reach one study's threshold."""
    incidents = index.incidents
    facts: list[Finding] = []
    if len(incidents) >= 2:
        all_ids = index.ids(incidents)
        span = days_between(incidents[0].start, incidents[-1].start)
        facts.append(
            index.find(
                f"{plural(len(incidents), 'incident')} over {span:.0f} days.", all_ids, sources.FOUR
            )
        )
        if len(incidents) >= 5 and span >= 14:
            facts.append(
                index.find(
                    "That is at least 5 incidents over at least 2 weeks: one study's "
                    "threshold for stalking, which also asks for fear or distress. It is not "
                    "a legal test.",
                    all_ids,
                    sources.MCEWAN_2020,
                )
            )
    return _element("repeated", "Repeated", facts)


def four(index: Index, course: CourseOfConduct, quiet: Lulls) -> Four:
    """Each element from its own rule."""
    return Four(fixated(index, course, quiet), obsessive(index), unwanted(index), repeated(index))
