"""Frequency and escalation: incidents per ISO week in the vault's time zone, a trend test,
change-points, severity and its trend, channels over time, time of day and day of week, and
places that recur. Methods are named in ``sources`` so anyone can repeat them."""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from cairn.analysis import sources
from cairn.analysis.base import Finding, Index, plural
from cairn.analysis.labels import CHANNEL_LABELS, WEEKDAYS, channel_label
from cairn.analysis.offline import online_to_offline
from cairn.analysis.severity import LEVELS, Severity

SIGNIFICANCE = 0.05
MIN_SEGMENT_WEEKS = 3
TIMED = frozenset({"exact", "hour"})  # precisions that give a time of day
DATED = frozenset({"exact", "hour", "day", "overnight"})  # ...and a day of the week
BLOCKS = (
    (0, 6, "at night (00:00 to 06:00)"),
    (6, 12, "in the morning (06:00 to 12:00)"),
    (12, 18, "in the afternoon (12:00 to 18:00)"),
    (18, 24, "in the evening (18:00 to 24:00)"),
)


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
class PlaceCount:
    location: str  # as first typed
    incident_ids: tuple[str, ...]


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


def _kendall(x: np.ndarray, y: np.ndarray) -> tuple[float | None, float | None]:
    if len(x) < 4 or np.all(y == y[0]) or np.all(x == x[0]):
        return None, None
    # Imported here: scipy.stats takes about a second to import, and only this test uses it.
    from scipy import stats

    result = stats.kendalltau(x, y)
    tau, p = float(result.statistic), float(result.pvalue)
    if math.isnan(tau) or math.isnan(p):
        return None, None
    return round(tau, 4), float(f"{p:.4g}")


def _direction(tau: float | None, p: float | None) -> str:
    if tau is None or p is None:
        return "not_enough_data"
    if p < SIGNIFICANCE:
        return "rising" if tau > 0 else "falling"
    return "no_clear_trend"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _iso(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _poisson_cost(total: np.ndarray, weeks: np.ndarray) -> np.ndarray:
    """Minus the maximised Poisson log-likelihood of stretches (constant terms left out)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = -(total * np.log(total / weeks) - total)
    return np.where(total > 0, cost, 0.0)


def change_points(counts: list[int]) -> list[int]:
    """Week positions where the rate changes (sources.METHOD_CHANGE_POINTS).

    Optimal partitioning (Jackson et al. 2005) of the weekly counts under a Poisson model:
    the split that minimises the sum of each part's negative log-likelihood plus a penalty of
    log(number of weeks) per change (BIC: a new rate and a new position each time), with every
    part at least MIN_SEGMENT_WEEKS long. Exact, so a quiet stretch in the middle of two busy
    ones is found, which one-split-at-a-time methods miss. O(weeks squared), vectorised.
    """
    n = len(counts)
    if n < 2 * MIN_SEGMENT_WEEKS:
        return []
    cumulative = np.concatenate([[0.0], np.cumsum(np.asarray(counts, dtype=float))])
    penalty = math.log(n)
    best = np.full(n + 1, np.inf)
    best[0] = -penalty
    last = np.zeros(n + 1, dtype=int)
    for t in range(MIN_SEGMENT_WEEKS, n + 1):
        starts = np.arange(0, t - MIN_SEGMENT_WEEKS + 1)
        starts = starts[(starts == 0) | (starts >= MIN_SEGMENT_WEEKS)]
        costs = (
            best[starts]
            + _poisson_cost(cumulative[t] - cumulative[starts], (t - starts).astype(float))
            + penalty
        )
        k = int(np.argmin(costs))  # the earliest start on a tie: deterministic
        best[t], last[t] = costs[k], starts[k]
    found = []
    t = n
    while t > 0:
        t = int(last[t])
        if t > 0:
            found.append(t)
    return sorted(found)


def _rate(count: int, weeks: int) -> float:
    return round(count / weeks, 2) if weeks else 0.0


def escalation(index: Index) -> Escalation:  # noqa: C901, PLR0912, PLR0915 (one function per rule: issue 20 point 5)
    incidents = index.incidents
    local = [index.local(i.start) for i in incidents]
    findings: list[Finding] = []
    all_ids = index.ids(incidents)

    # Weekly counts, from the week of the first incident to the week of "now".
    weekly: list[WeekCount] = []
    week_of: list[int] = []
    if incidents:
        first = _monday(local[0].date())
        last = _monday(max(index.local(index.now).date(), local[-1].date()))
        n_weeks = (last - first).days // 7 + 1
        counts = [0] * n_weeks
        for moment in local:
            position = (moment.date() - first).days // 7
            counts[position] += 1
            week_of.append(position)
        weekly = [
            WeekCount(_iso(first + timedelta(weeks=k)), first + timedelta(weeks=k), c)
            for k, c in enumerate(counts)
        ]

    counts_array = np.array([w.count for w in weekly], dtype=float)
    tau, p = _kendall(np.arange(len(weekly), dtype=float), counts_array)
    direction = _direction(tau, p)
    trend_finding = None
    if incidents:
        # What the test means, in words; its figures (tau, p) stay in the Trend, for the
        # method note or a court document's annex.
        words = {
            "rising": "Incidents have become more frequent over time",
            "falling": "Incidents have become less frequent over time",
            "no_clear_trend": "There is no clear rise or fall in how often incidents happen",
            "not_enough_data": "There is not yet enough to test for a trend",
        }[direction]
        detail = (
            f" (trend test over {plural(len(weekly), 'week')}"
            + index.say(")", "; its figures are given with the method)")
            if tau is not None
            else ""
        )
        trend_finding = index.find(words + detail + ".", all_ids, sources.METHOD_TREND)
        findings.append(trend_finding)
    trend = Trend(sources.METHOD_TREND, tau, p, direction, trend_finding)

    # Change-points and the stretches between them.
    splits = change_points([w.count for w in weekly])
    bounds = [0, *splits, len(weekly)] if weekly else []
    segments = []
    for a, b in itertools.pairwise(bounds):
        total = int(counts_array[a:b].sum())
        segments.append(
            Segment(
                weekly[a].monday,
                weekly[a].monday + timedelta(weeks=b - a),
                b - a,
                total,
                _rate(total, b - a),
            )
        )
    points = []
    for k, split in enumerate(splits):
        before, after = segments[k], segments[k + 1]
        around = [
            i.id for i, w in zip(incidents, week_of, strict=True) if bounds[k] <= w < bounds[k + 2]
        ]
        up = after.rate_per_week > before.rate_per_week
        finding = index.find(
            f"From the week of {weekly[split].monday.day} {weekly[split].monday:%B %Y}, "
            f"incidents went from about "
            f"{before.rate_per_week} to {after.rate_per_week} a week.",
            around,
            sources.METHOD_CHANGE_POINTS,
        )
        points.append(
            ChangePoint(
                weekly[split].monday,
                before.rate_per_week,
                after.rate_per_week,
                "up" if up else "down",
                finding,
            )
        )
        findings.append(finding)

    # Severity and its trend.
    severities = tuple(index.severity[i.id] for i in incidents)
    times = np.array([i.start.timestamp() for i in incidents], dtype=float)
    levels = np.array([s.level for s in severities], dtype=float)
    s_tau, s_p = _kendall(times, levels)
    s_direction = _direction(s_tau, s_p)
    severity_finding = None
    if incidents:
        highest = max(s.level for s in severities)
        at_highest = [s.incident_id for s in severities if s.level == highest]
        findings.append(
            index.find(
                f"The most serious level reached on Cairn's own six-level scale is {highest}, "
                f"{LEVELS[highest].lower()}, in {plural(len(at_highest), 'incident')}.",
                at_highest,
                sources.METHOD_SEVERITY,
            )
        )
        words = {
            "rising": "Incidents have become more serious over time",
            "falling": "Incidents have become less serious over time",
            "no_clear_trend": "There is no clear change in how serious incidents are",
            "not_enough_data": "There is not yet enough to test how seriousness changes",
        }[s_direction]
        detail = (
            " (trend test on Cairn's own severity scale"
            + index.say(")", "; its figures are given with the method)")
            if s_tau is not None
            else ""
        )
        severity_finding = index.find(words + detail + ".", all_ids, sources.METHOD_SEVERITY_TREND)
        findings.append(severity_finding)
    severity_trend = Trend(sources.METHOD_SEVERITY_TREND, s_tau, s_p, s_direction, severity_finding)

    pattern: list[Finding] = []

    # Channels, overall and by month.
    by_channel: dict[str, list[str]] = defaultdict(list)
    months: dict[str, Counter[str]] = {}
    for incident, moment in zip(incidents, local, strict=True):
        by_channel[incident.channel].append(incident.id)
        months.setdefault(f"{moment.year:04d}-{moment.month:02d}", Counter())[incident.channel] += 1
    order = list(CHANNEL_LABELS)
    channels = {
        c: tuple(by_channel[c])
        for c in sorted(by_channel, key=lambda c: (order.index(c) if c in order else len(order), c))
    }
    channels_by_month = tuple(
        (month, dict(sorted(counter.items()))) for month, counter in sorted(months.items())
    )
    if len(channels) >= 2:
        pattern.append(
            index.find(
                f"Through {plural(len(channels), 'different way')}: "
                + ", ".join(
                    f"{channel_label(c).lower()} ({len(ids)})" for c, ids in channels.items()
                )
                + ".",
                all_ids,
                sources.PHA_S2A_3,
            )
        )

    # Time of day and day of the week, in the vault's zone.
    grid = [[0] * 24 for _ in range(7)]
    weekdays = [0] * 7
    overnight, untimed = [], []
    block_ids: dict[int, list[str]] = defaultdict(list)
    for incident, moment in zip(incidents, local, strict=True):
        if incident.precision in DATED:
            weekdays[moment.weekday()] += 1
        if incident.precision in TIMED:
            grid[moment.weekday()][moment.hour] += 1
            block_ids[moment.hour // 6].append(incident.id)
        elif incident.precision == "overnight":
            overnight.append(incident.id)
        else:
            untimed.append(incident.id)
    timed_total = sum(len(v) for v in block_ids.values())
    if timed_total >= 3:
        block, ids = max(sorted(block_ids.items()), key=lambda kv: len(kv[1]))
        if len(ids) * 2 > timed_total:
            pattern.append(
                index.find(
                    f"Most incidents with a known time happened {BLOCKS[block][2]}: {len(ids)} of "
                    f"{timed_total}.",
                    ids,
                    sources.R_V_PATEL,
                )
            )
    if sum(weekdays) >= 7:
        day = max(range(7), key=lambda d: (weekdays[d], -d))
        if weekdays[day] * 7 >= sum(weekdays) * 2:  # twice the share of an even spread
            ids = [
                i.id
                for i, m in zip(incidents, local, strict=True)
                if i.precision in DATED and m.weekday() == day
            ]
            pattern.append(
                index.find(
                    f"{WEEKDAYS[day]} stands out: {weekdays[day]} of {sum(weekdays)} "
                    "incidents with a "
                    "known day.",
                    ids,
                    sources.R_V_PATEL,
                )
            )

    # Places that recur.
    groups: dict[str, list[str]] = defaultdict(list)
    typed: dict[str, str] = {}
    for incident in incidents:
        key = index.place[incident.id]
        if key:
            groups[key].append(incident.id)
            typed.setdefault(key, incident.location)
    places = tuple(
        sorted(
            (PlaceCount(typed[k], tuple(ids)) for k, ids in groups.items() if len(ids) >= 2),
            key=lambda p: (-len(p.incident_ids), index.position[p.incident_ids[0]]),
        )
    )
    for place in places:
        pattern.append(
            index.find(
                f"{plural(len(place.incident_ids), 'incident')} at: {place.location}.",
                place.incident_ids,
                sources.R_V_PATEL,
            )
        )

    # From online to the physical world (knowledge of her whereabouts; the first in person).
    pattern.extend(online_to_offline(index).findings)

    return Escalation(
        weekly=tuple(weekly),
        trend=trend,
        change_point_method=sources.METHOD_CHANGE_POINTS,
        segments=tuple(segments),
        change_points=tuple(points),
        severity_scale=dict(LEVELS),
        severity_method=sources.METHOD_SEVERITY,
        severities=severities,
        severity_trend=severity_trend,
        channels_by_month=channels_by_month,
        channels=channels,
        hour_by_weekday=tuple(tuple(row) for row in grid),
        by_weekday=tuple(weekdays),
        overnight_ids=tuple(overnight),
        untimed_ids=tuple(untimed),
        places=places,
        findings=tuple(findings),
        pattern_findings=tuple(pattern),
    )
