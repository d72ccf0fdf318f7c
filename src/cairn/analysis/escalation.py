"""Frequency and escalation: incidents per ISO week in the vault's time zone, a trend test,
change-points, severity and its trend, channels over time, time of day and day of week, and
places that recur. Methods are named in ``sources`` so anyone can repeat them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from cairn.analysis import sources
from cairn.analysis.base import Finding, Index, plural
from cairn.analysis.how_when import PlaceCount, recurring_places, times, ways_of_contact
from cairn.analysis.offline import online_to_offline
from cairn.analysis.severity import LEVELS, Severity
from cairn.analysis.trends import change_points, direction, kendall, rate

__all__ = [
    "ChangePoint",
    "Escalation",
    "PlaceCount",
    "Segment",
    "Trend",
    "WeekCount",
    "change_points",
    "escalation",
]


@dataclass(frozen=True)
class WeekCount:
    week: str  # ISO week, "2025-W07"
    monday: date
    count: int


@dataclass(frozen=True)
class Trend:
    method: str
    statistic: float | None  # Kendall's tau-b
    p_value: float | None
    direction: str  # "rising" | "falling" | "no_clear_trend" | "not_enough_data"
    finding: Finding | None


@dataclass(frozen=True)
class Segment:
    start: date  # Monday of its first week
    end: date  # Monday after its last week
    weeks: int
    count: int
    rate_per_week: float


@dataclass(frozen=True)
class ChangePoint:
    monday: date
    rate_before: float
    rate_after: float
    direction: str  # "up" | "down"
    finding: Finding


@dataclass(frozen=True)
class Escalation:
    weekly: tuple[WeekCount, ...]
    trend: Trend
    change_point_method: str
    segments: tuple[Segment, ...]
    change_points: tuple[ChangePoint, ...]
    severity_scale: dict[int, str]
    severity_method: str
    severities: tuple[Severity, ...]  # one per incident, in time order
    severity_trend: Trend
    channels_by_month: tuple[tuple[str, dict[str, int]], ...]  # ("2025-03", {channel: n})
    channels: dict[str, tuple[str, ...]]  # channel -> incident ids
    hour_by_weekday: tuple[tuple[int, ...], ...]  # 7 x 24 counts, incidents with a known time
    by_weekday: tuple[int, ...]  # 7 counts, incidents with a known day
    overnight_ids: tuple[str, ...]
    untimed_ids: tuple[str, ...]
    places: tuple[PlaceCount, ...]
    findings: tuple[Finding, ...]  # how often and how serious
    pattern_findings: tuple[Finding, ...]  # how and when: ways of contact, times, places


@dataclass(frozen=True)
class Weekly:
    """Incidents per ISO week from the week of the first incident to the week of "now", and
    the week (a position in ``weeks``) of each incident, in time order."""

    weeks: tuple[WeekCount, ...]
    week_of: tuple[int, ...]


@dataclass(frozen=True)
class RateChanges:
    segments: tuple[Segment, ...]
    change_points: tuple[ChangePoint, ...]  # each with its finding


FREQUENCY_WORDS = {
    "rising": "Incidents have become more frequent over time",
    "falling": "Incidents have become less frequent over time",
    "no_clear_trend": "There is no clear rise or fall in how often incidents happen",
    "not_enough_data": "There is not yet enough to test for a trend",
}
SEVERITY_WORDS = {
    "rising": "Incidents have become more serious over time",
    "falling": "Incidents have become less serious over time",
    "no_clear_trend": "There is no clear change in how serious incidents are",
    "not_enough_data": "There is not yet enough to test how seriousness changes",
}


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _iso(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_counts(index: Index) -> Weekly:
    """Counts per ISO week in the vault's time zone (no findings: the figures the rules read)."""
    if not index.incidents:
        return Weekly((), ())
    local = [index.local(i.start).date() for i in index.incidents]
    first = _monday(local[0])
    last = _monday(max(index.local(index.now).date(), local[-1]))
    counts = [0] * ((last - first).days // 7 + 1)
    week_of = []
    for day in local:
        position = (day - first).days // 7
        counts[position] += 1
        week_of.append(position)
    weeks = tuple(
        WeekCount(_iso(first + timedelta(weeks=k)), first + timedelta(weeks=k), c)
        for k, c in enumerate(counts)
    )
    return Weekly(weeks, tuple(week_of))


def frequency_trend(index: Index, weekly: Weekly) -> Trend:
    """Kendall's trend test of the weekly counts, and what it means in words (its figures stay
    in the Trend, for the method note or a court document's annex)."""
    counts = np.array([w.count for w in weekly.weeks], dtype=float)
    tau, p = kendall(np.arange(len(weekly.weeks), dtype=float), counts)
    way = direction(tau, p)
    finding = None
    if index.incidents:
        detail = (
            f" (trend test over {plural(len(weekly.weeks), 'week')}"
            + index.say(")", "; its figures are given with the method)")
            if tau is not None
            else ""
        )
        finding = index.find(
            FREQUENCY_WORDS[way] + detail + ".", index.ids(index.incidents), sources.METHOD_TREND
        )
    return Trend(sources.METHOD_TREND, tau, p, way, finding)


def rate_changes(index: Index, weekly: Weekly) -> RateChanges:
    """The change-points of the weekly rate, the stretches between them, and one finding per
    change citing the incidents of the stretches either side."""
    weeks = weekly.weeks
    splits = change_points([w.count for w in weeks])
    bounds = [0, *splits, len(weeks)] if weeks else []
    segments = []
    for a, b in itertools.pairwise(bounds):
        total = sum(w.count for w in weeks[a:b])
        segments.append(
            Segment(
                weeks[a].monday,
                weeks[a].monday + timedelta(weeks=b - a),
                b - a,
                total,
                rate(total, b - a),
            )
        )
    points = []
    for k, split in enumerate(splits):
        before, after = segments[k], segments[k + 1]
        around = [
            i.id
            for i, w in zip(index.incidents, weekly.week_of, strict=True)
            if bounds[k] <= w < bounds[k + 2]
        ]
        monday = weeks[split].monday
        finding = index.find(
            f"From the week of {monday.day} {monday:%B %Y}, incidents went from about "
            f"{before.rate_per_week} to {after.rate_per_week} a week.",
            around,
            sources.METHOD_CHANGE_POINTS,
        )
        up = after.rate_per_week > before.rate_per_week
        points.append(
            ChangePoint(
                monday, before.rate_per_week, after.rate_per_week, "up" if up else "down", finding
            )
        )
    return RateChanges(tuple(segments), tuple(points))


def most_serious(index: Index) -> Finding | None:
    """The highest level reached on Cairn's severity scale, citing the incidents at it."""
    if not index.incidents:
        return None
    severities = [index.severity[i.id] for i in index.incidents]
    highest = max(s.level for s in severities)
    at_highest = [s.incident_id for s in severities if s.level == highest]
    return index.find(
        f"The most serious level reached on Cairn's own six-level scale is {highest}, "
        f"{LEVELS[highest].lower()}, in {plural(len(at_highest), 'incident')}.",
        at_highest,
        sources.METHOD_SEVERITY,
    )


def severity_trend(index: Index) -> Trend:
    """Kendall's trend test of severity against time, and what it means in words."""
    times_ = np.array([i.start.timestamp() for i in index.incidents], dtype=float)
    levels = np.array([index.severity[i.id].level for i in index.incidents], dtype=float)
    tau, p = kendall(times_, levels)
    way = direction(tau, p)
    finding = None
    if index.incidents:
        detail = (
            " (trend test on Cairn's own severity scale"
            + index.say(")", "; its figures are given with the method)")
            if tau is not None
            else ""
        )
        finding = index.find(
            SEVERITY_WORDS[way] + detail + ".",
            index.ids(index.incidents),
            sources.METHOD_SEVERITY_TREND,
        )
    return Trend(sources.METHOD_SEVERITY_TREND, tau, p, way, finding)


def escalation(index: Index) -> Escalation:
    """How often and how serious (``findings``), and how and when (``pattern_findings``): each
    rule's findings in a fixed order."""
    weekly = weekly_counts(index)
    trend = frequency_trend(index, weekly)
    changes = rate_changes(index, weekly)
    highest = most_serious(index)
    by_severity = severity_trend(index)
    findings = [
        trend.finding,
        *(c.finding for c in changes.change_points),
        highest,
        by_severity.finding,
    ]
    channels = ways_of_contact(index)
    when = times(index)
    places = recurring_places(index)
    # From online to the physical world (knowledge of her whereabouts; the first in person).
    offline = online_to_offline(index)
    return Escalation(
        weekly=weekly.weeks,
        trend=trend,
        change_point_method=sources.METHOD_CHANGE_POINTS,
        segments=changes.segments,
        change_points=changes.change_points,
        severity_scale=dict(LEVELS),
        severity_method=sources.METHOD_SEVERITY,
        severities=tuple(index.severity[i.id] for i in index.incidents),
        severity_trend=by_severity,
        channels_by_month=channels.by_month,
        channels=channels.channels,
        hour_by_weekday=when.hour_by_weekday,
        by_weekday=when.by_weekday,
        overnight_ids=when.overnight_ids,
        untimed_ids=when.untimed_ids,
        places=places.places,
        findings=tuple(f for f in findings if f is not None),
        pattern_findings=(*channels.findings, *when.findings, *places.findings, *offline.findings),
    )
