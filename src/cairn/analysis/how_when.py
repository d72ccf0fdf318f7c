"""How and when, one rule each: the ways of contact used, the time of day and day of the week
that stand out, and places that recur. Each rule reads the ``Index`` and returns its figures
with the findings it can show; ``escalation`` composes them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from cairn.analysis import sources
from cairn.analysis.base import Finding, Index, plural
from cairn.analysis.labels import CHANNEL_LABELS, WEEKDAYS, channel_label

TIMED = frozenset({"exact", "hour"})  # precisions that give a time of day
DATED = frozenset({"exact", "hour", "day", "overnight"})  # ...and a day of the week
BLOCKS = (
    (0, 6, "at night (00:00 to 06:00)"),
    (6, 12, "in the morning (06:00 to 12:00)"),
    (12, 18, "in the afternoon (12:00 to 18:00)"),
    (18, 24, "in the evening (18:00 to 24:00)"),
)


@dataclass(frozen=True)
class PlaceCount:
    location: str  # as first typed
    incident_ids: tuple[str, ...]


@dataclass(frozen=True)
class Channels:
    """The ways of contact: incident ids by channel, counts by month."""

    channels: dict[str, tuple[str, ...]]  # channel -> incident ids, in the labels' order
    by_month: tuple[tuple[str, dict[str, int]], ...]  # ("2025-03", {channel: n})
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Times:
    """When in the day and the week, in the vault's zone."""

    hour_by_weekday: tuple[tuple[int, ...], ...]  # 7 x 24 counts, incidents with a known time
    by_weekday: tuple[int, ...]  # 7 counts, incidents with a known day
    overnight_ids: tuple[str, ...]
    untimed_ids: tuple[str, ...]
    findings: tuple[Finding, ...]  # the time of day, then the day of the week, that stand out


@dataclass(frozen=True)
class Places:
    places: tuple[PlaceCount, ...]  # most incidents first
    findings: tuple[Finding, ...]


def ways_of_contact(index: Index) -> Channels:
    """Every channel used, and a finding when there are two or more (s.2A(3))."""
    by_channel: dict[str, list[str]] = defaultdict(list)
    months: dict[str, Counter[str]] = {}
    for incident in index.incidents:
        moment = index.local(incident.start)
        by_channel[incident.channel].append(incident.id)
        months.setdefault(f"{moment.year:04d}-{moment.month:02d}", Counter())[incident.channel] += 1
    order = list(CHANNEL_LABELS)
    channels = {
        c: tuple(by_channel[c])
        for c in sorted(by_channel, key=lambda c: (order.index(c) if c in order else len(order), c))
    }
    by_month = tuple((month, dict(sorted(n.items()))) for month, n in sorted(months.items()))
    findings = []
    if len(channels) >= 2:
        findings.append(
            index.find(
                f"Through {plural(len(channels), 'different way')}: "
                + ", ".join(
                    f"{channel_label(c).lower()} ({len(ids)})" for c, ids in channels.items()
                )
                + ".",
                index.ids(index.incidents),
                sources.PHA_S2A_3,
            )
        )
    return Channels(channels, by_month, tuple(findings))


def times(index: Index) -> Times:
    """The hour-by-weekday grid, and the time of day and day of the week that stand out."""
    grid = [[0] * 24 for _ in range(7)]
    weekdays = [0] * 7
    overnight, untimed = [], []
    block_ids: dict[int, list[str]] = defaultdict(list)
    for incident in index.incidents:
        moment = index.local(incident.start)
        if incident.precision in DATED:
            weekdays[moment.weekday()] += 1
        if incident.precision in TIMED:
            grid[moment.weekday()][moment.hour] += 1
            block_ids[moment.hour // 6].append(incident.id)
        elif incident.precision == "overnight":
            overnight.append(incident.id)
        else:
            untimed.append(incident.id)
    findings = [f for f in (busiest_time(index, block_ids), busiest_day(index, weekdays)) if f]
    return Times(
        tuple(tuple(row) for row in grid),
        tuple(weekdays),
        tuple(overnight),
        tuple(untimed),
        tuple(findings),
    )


def busiest_time(index: Index, block_ids: dict[int, list[str]]) -> Finding | None:
    """The quarter of the day with more than half the timed incidents, of three or more."""
    timed_total = sum(len(v) for v in block_ids.values())
    if timed_total < 3:
        return None
    block, ids = max(sorted(block_ids.items()), key=lambda kv: len(kv[1]))
    if len(ids) * 2 <= timed_total:
        return None
    return index.find(
        f"Most incidents with a known time happened {BLOCKS[block][2]}: {len(ids)} of "
        f"{timed_total}.",
        ids,
        sources.R_V_PATEL,
    )


def busiest_day(index: Index, weekdays: list[int]) -> Finding | None:
    """The day of the week with twice the share of an even spread, of seven or more."""
    if sum(weekdays) < 7:
        return None
    day = max(range(7), key=lambda d: (weekdays[d], -d))
    if weekdays[day] * 7 < sum(weekdays) * 2:
        return None
    ids = [
        i.id
        for i in index.incidents
        if i.precision in DATED and index.local(i.start).weekday() == day
    ]
    return index.find(
        f"{WEEKDAYS[day]} stands out: {weekdays[day]} of {sum(weekdays)} incidents with a "
        "known day.",
        ids,
        sources.R_V_PATEL,
    )


def recurring_places(index: Index) -> Places:
    """Places typed alike in two or more incidents, most first, one finding each."""
    groups: dict[str, list[str]] = defaultdict(list)
    typed: dict[str, str] = {}
    for incident in index.incidents:
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
    findings = tuple(
        index.find(
            f"{plural(len(p.incident_ids), 'incident')} at: {p.location}.",
            p.incident_ids,
            sources.R_V_PATEL,
        )
        for p in places
    )
    return Places(places, findings)
