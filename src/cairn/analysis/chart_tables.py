"""The charts' figures as tables, for anyone who cannot read the picture (and on a phone):
one table per chart of ``charts.all_charts``, by the same name."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from cairn.analysis.engine import Analysis
from cairn.analysis.labels import CHANNEL_LABELS, WEEKDAYS
from cairn.analysis.svg import date_words, zone_of
from cairn.law.pha1997 import ACTS


@dataclass(frozen=True)
class ChartTable:
    """A chart's figures as a table, for anyone who cannot read the picture (and on a phone)."""

    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _months(analysis: Analysis) -> list[tuple[date, list[int]]]:
    """(first of the month, severities of its incidents), oldest first, months with any."""
    zone = zone_of(analysis.time_zone)
    months: dict[date, list[int]] = {}
    for point in analysis.points:
        months.setdefault(point.start.astimezone(zone).date().replace(day=1), []).append(
            point.severity
        )
    return sorted(months.items())


def _levels(severities: list[int]) -> str:
    counts = Counter(severities)
    return ", ".join(f"{counts[level]} at level {level}" for level in sorted(counts))


def tables(analysis: Analysis) -> dict[str, ChartTable]:
    """Every chart's figures as a table, by the chart's name in ``all_charts``."""
    months = _months(analysis)
    month_rows = tuple(
        (f"{day:%B %Y}", str(len(levels)), _levels(levels)) for day, levels in months
    )
    weekly = analysis.escalation
    counts = {a.code: len(a.incident_ids) for a in analysis.acts}
    totals = analysis.escalation.channels
    grid = analysis.escalation.hour_by_weekday
    return {
        "timeline": ChartTable(
            "Incidents each month, and their levels on Cairn's own scale",
            ("Month", "Incidents", "Levels"),
            month_rows,
        ),
        "weekly": ChartTable(
            "The average each week, for each stretch between changes",
            ("From the week of", "Weeks", "Incidents", "A week"),
            tuple(
                (date_words(seg.start), str(seg.weeks), str(seg.count), f"{seg.rate_per_week:g}")
                for seg in weekly.segments
            ),
        ),
        "severity": ChartTable(
            "How serious incidents were, month by month",
            ("Month", "Incidents", "Levels"),
            month_rows,
        ),
        "acts": ChartTable(
            "Incidents that show each act",
            ("What they did", "Incidents"),
            tuple((f"{act.plain} ({act.code})", str(counts.get(act.code, 0))) for act in ACTS),
        ),
        "channels": ChartTable(
            "How they did it",
            ("How", "Incidents"),
            tuple(
                (CHANNEL_LABELS.get(channel, channel), str(len(ids)))
                for channel, ids in sorted(totals.items(), key=lambda kv: -len(kv[1]))
            ),
        ),
        "time_of_day": ChartTable(
            "Incidents with a known time, by day of the week",
            ("Day", "Incidents", "Busiest hours"),
            tuple((WEEKDAYS[day], str(sum(row)), _busiest(row)) for day, row in enumerate(grid)),
        ),
    }


def _busiest(row: tuple[int, ...]) -> str:
    ranked = sorted(
        ((count, hour) for hour, count in enumerate(row) if count),
        key=lambda pair: (-pair[0], pair[1]),
    )[:2]
    return "; ".join(f"{_hour(hour)} ({count})" for count, hour in ranked) or "No known time"


def _hour(hour: int) -> str:
    if hour in (0, 12):
        return "midnight" if hour == 0 else "midday"
    return f"{hour % 12}{'am' if hour < 12 else 'pm'}"
