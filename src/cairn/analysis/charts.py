"""Charts as SVG: one implementation for the pages now and the PDF pack later.

Pure and deterministic: each function takes an ``Analysis`` and returns the same SVG text for
the same analysis. Every chart is an accessible image (``role="img"``, a ``<title>`` and a
``<desc>`` that says in words what it shows) and uses presentation attributes only (no
``style``), so it renders under the site's Content Security Policy and in any SVG renderer.
Pages should still give the numbers in text next to each chart.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from cairn.analysis.chart_tables import ChartTable, tables
from cairn.analysis.engine import Analysis
from cairn.analysis.labels import CHANNEL_LABELS, WEEKDAYS, channel_label
from cairn.analysis.severity import LEVELS
from cairn.analysis.svg import (
    BLUE,
    GREY,
    HEAT,
    INK,
    LEVEL_COLOURS,
    LIGHT,
    ORANGE,
    RULE,
    WIDTH,
    TimeAxis,
    date_words,
    empty,
    frame,
    month_label,
    num,
    text,
    zone_of,
)
from cairn.law.pha1997 import ACTS

__all__ = [
    "ChartTable",
    "acts",
    "all_charts",
    "channels",
    "severity",
    "tables",
    "time_of_day",
    "timeline",
    "weekly_rate",
]


def timeline(analysis: Analysis, chart_id: str = "chart-timeline") -> str:
    """Every incident by time and severity, quiet periods shaded, change-points marked."""
    title = "Timeline of incidents"
    points = analysis.points
    if not points:
        return empty(chart_id, title)
    left, right, top, row = 190.0, WIDTH - 16.0, 30.0, 28.0
    bottom = top + row * len(LEVELS)
    axis = TimeAxis(
        points[0].start,
        max(analysis.now, points[-1].start),
        left,
        right,
        zone_of(analysis.time_zone),
    )
    body: list[str] = []
    for lull in analysis.lulls.lulls:
        x1, x2 = axis.x(lull.start), axis.x(lull.end)
        body.append(
            f'<rect x="{num(x1)}" y="{num(top - 22)}" width="{num(max(x2 - x1, 1))}" '
            f'height="{num(bottom - top + 22)}" fill="{LIGHT}"/>'
        )
        body.append(
            text(
                (x1 + x2) / 2,
                top - 8,
                f"Quiet {lull.days:.0f} days",
                size=11,
                anchor="middle",
                fill=INK,
            )
        )
    body.extend(axis.draw(top, bottom))
    for level, label in LEVELS.items():
        y = bottom - row * (level - 0.5)
        body.append(text(left - 8, y + 4, f"{level} {label}", size=11, anchor="end"))
        body.append(
            f'<line x1="{num(left)}" y1="{num(y)}" x2="{num(right)}" y2="{num(y)}" '
            f'stroke="{LIGHT}" stroke-width="1"/>'
        )
    for change in analysis.escalation.change_points:
        x = axis.x(
            datetime(
                change.monday.year,
                change.monday.month,
                change.monday.day,
                tzinfo=zone_of(analysis.time_zone),
            )
        )
        body.append(
            f'<line x1="{num(x)}" y1="{num(top)}" x2="{num(x)}" y2="{num(bottom)}" '
            f'stroke="{ORANGE}" stroke-width="2" stroke-dasharray="5 4"/>'
        )
    for point in points:
        y = bottom - row * (point.severity - 0.5)
        body.append(
            f'<circle cx="{num(axis.x(point.start))}" cy="{num(y)}" r="4" '
            f'fill="{LEVEL_COLOURS[point.severity]}" fill-opacity="0.85"/>'
        )
    lulls = analysis.lulls.lulls
    desc = (
        f"{len(points)} incidents from {date_words(points[0].start.astimezone(axis.zone))} to "
        f"{date_words(points[-1].start.astimezone(axis.zone))}, placed by their level on Cairn's "
        f"own severity scale (1 {LEVELS[1].lower()} to 6 {LEVELS[6].lower()}). "
        + (
            f"Shaded: {len(lulls)} quiet period(s): "
            + "; ".join(
                f"{lull.days:.0f} days from {date_words(lull.start.astimezone(axis.zone))}"
                for lull in lulls
            )
            + ". "
            if lulls
            else "No long quiet period. "
        )
        + (
            "Dashed lines: the rate changed in the weeks of "
            + ", ".join(date_words(p.monday) for p in analysis.escalation.change_points)
            + "."
            if analysis.escalation.change_points
            else ""
        )
    )
    return frame(chart_id, title, desc, bottom + 28, body)


def weekly_rate(analysis: Analysis, chart_id: str = "chart-weekly") -> str:
    """Incidents per week, with the rate of each stretch between change-points."""
    title = "Incidents per week"
    weekly = analysis.escalation.weekly
    if not weekly:
        return empty(chart_id, title)
    left, right, top, bottom = 40.0, WIDTH - 16.0, 16.0, 196.0
    zone = zone_of(analysis.time_zone)
    start = datetime(
        weekly[0].monday.year, weekly[0].monday.month, weekly[0].monday.day, tzinfo=zone
    )
    axis = TimeAxis(start, start + timedelta(weeks=len(weekly)), left, right, zone)
    peak = max(max(w.count for w in weekly), 1)
    scale = (bottom - top) / peak
    bar = (right - left) / len(weekly)
    body = axis.draw(top, bottom)
    for value in sorted({0, peak, peak // 2}):
        y = bottom - value * scale
        body.append(text(left - 6, y + 4, str(value), size=11, anchor="end", fill=GREY))
    for k, week in enumerate(weekly):
        if week.count:
            h = week.count * scale
            body.append(
                f'<rect x="{num(left + k * bar)}" y="{num(bottom - h)}" '
                f'width="{num(max(bar - 0.5, 0.5))}" height="{num(h)}" fill="{BLUE}"/>'
            )
    k = 0
    for segment in analysis.escalation.segments:
        y = bottom - segment.rate_per_week * scale
        body.append(
            f'<line x1="{num(left + k * bar)}" y1="{num(y)}" '
            f'x2="{num(left + (k + segment.weeks) * bar)}" y2="{num(y)}" '
            f'stroke="{ORANGE}" stroke-width="3"/>'
        )
        k += segment.weeks
    trend = analysis.escalation.trend
    desc = (
        f"{len(weekly)} weeks from {date_words(weekly[0].monday)} to "
        f"{date_words(weekly[-1].monday)}; "
        f"the busiest "
        f"week had {peak} incidents. Orange lines: the average rate of each stretch: "
        + "; ".join(
            f"{s.rate_per_week} a week from {date_words(s.start)}"
            for s in analysis.escalation.segments
        )
        + f". Trend test: {trend.direction.replace('_', ' ')}"
        + (f" (p = {trend.p_value})." if trend.p_value is not None else ".")
    )
    return frame(chart_id, title, desc, bottom + 28, body)


def severity(analysis: Analysis, chart_id: str = "chart-severity") -> str:
    """Incidents per month, stacked by severity level."""
    title = "How serious incidents were, month by month"
    points = analysis.points
    if not points:
        return empty(chart_id, title)
    zone = zone_of(analysis.time_zone)
    months: dict[date, Counter[int]] = {}
    for point in points:
        local = point.start.astimezone(zone).date().replace(day=1)
        months.setdefault(local, Counter())[point.severity] += 1
    first, last = min(months), max(analysis.now.astimezone(zone).date().replace(day=1), max(months))
    keys: list[date] = []
    day = first
    while day <= last:
        keys.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    left, right, top, bottom = 40.0, WIDTH - 16.0, 16.0, 196.0
    legend_y = bottom + 40
    peak = max(max(sum(c.values()) for c in months.values()), 1)
    scale = (bottom - top) / peak
    bar = (right - left) / len(keys)
    body = [
        f'<line x1="{num(left)}" y1="{num(bottom)}" x2="{num(right)}" y2="{num(bottom)}" '
        f'stroke="{GREY}" stroke-width="1"/>'
    ]
    for value in sorted({0, peak}):
        body.append(
            text(left - 6, bottom - value * scale + 4, str(value), size=11, anchor="end", fill=GREY)
        )
    every = max(1, len(keys) // 8)
    for k, month in enumerate(keys):
        y = bottom
        for level in sorted(LEVELS):
            count = months.get(month, Counter())[level]
            if count:
                h = count * scale
                y -= h
                body.append(
                    f'<rect x="{num(left + k * bar + 1)}" y="{num(y)}" '
                    f'width="{num(max(bar - 2, 1))}" height="{num(h)}" '
                    f'fill="{LEVEL_COLOURS[level]}"/>'
                )
        if k % every == 0:
            body.append(
                text(
                    left + (k + 0.5) * bar,
                    bottom + 16,
                    month_label(month),
                    size=11,
                    anchor="middle",
                    fill=GREY,
                )
            )
    for n, (level, label) in enumerate(LEVELS.items()):
        x = left + (n % 3) * 220
        y = legend_y + (n // 3) * 20
        body.append(
            f'<rect x="{num(x)}" y="{num(y - 10)}" width="12" height="12" '
            f'fill="{LEVEL_COLOURS[level]}"/>'
        )
        body.append(text(x + 18, y, f"{level} {label}", size=11))
    trend = analysis.escalation.severity_trend
    highest = max(p.severity for p in points)
    desc = (
        f"Incidents in each month from {month_label(first)} to {month_label(last)}, "
        f"coloured by level on Cairn's own severity scale (1 least to 6 most serious). The "
        f"highest level reached is {highest}, {LEVELS[highest].lower()}. Trend in "
        f"seriousness: {trend.direction.replace('_', ' ')}."
    )
    return frame(chart_id, title, desc, legend_y + 32, body)


def acts(analysis: Analysis, chart_id: str = "chart-acts") -> str:
    """How many incidents show each act of s.2A(3)."""
    title = "What they did (Protection from Harassment Act 1997, s.2A(3))"
    counts = {a.code: len(a.incident_ids) for a in analysis.acts}
    if not counts:
        return empty(chart_id, title)
    left, right, row = 8.0, WIDTH - 60.0, 44.0
    peak = max(counts.values())
    body = []
    for n, act in enumerate(ACTS):
        y = 8 + n * row
        count = counts.get(act.code, 0)
        letter = f"({act.code})" if act.code != "other" else "(other)"
        body.append(text(left, y + 12, f"{act.plain} {letter}", size=12))
        w = (right - left) * count / peak
        if count:
            body.append(
                f'<rect x="{num(left)}" y="{num(y + 18)}" width="{num(w)}" height="16" '
                f'fill="{BLUE}"/>'
            )
        body.append(text(left + w + 6, y + 31, str(count), size=12))
    desc = "; ".join(f"{act.plain}: {counts.get(act.code, 0)}" for act in ACTS) + "."
    return frame(chart_id, title, desc, 10 + len(ACTS) * row + 6, body)


def channels(analysis: Analysis, chart_id: str = "chart-channels") -> str:
    """Ways of contact over time: one row per way, one column per month, dot area by count."""
    title = "How they did it, month by month"
    by_month = analysis.escalation.channels_by_month
    if not by_month:
        return empty(chart_id, title)
    used = list(analysis.escalation.channels)
    zone = zone_of(analysis.time_zone)
    first = date.fromisoformat(by_month[0][0] + "-01")
    last = max(
        date.fromisoformat(by_month[-1][0] + "-01"),
        analysis.now.astimezone(zone).date().replace(day=1),
    )
    keys: list[str] = []
    day = first
    while day <= last:
        keys.append(f"{day.year:04d}-{day.month:02d}")
        day = (day + timedelta(days=32)).replace(day=1)
    table = dict(by_month)
    left, right, top, row = 190.0, WIDTH - 16.0, 12.0, 26.0
    column = (right - left) / len(keys)
    peak = max(max(c.values()) for c in table.values())
    body = []
    for n, channel in enumerate(used):
        y = top + n * row + row / 2
        body.append(text(left - 8, y + 4, channel_label(channel), size=11, anchor="end"))
        body.append(
            f'<line x1="{num(left)}" y1="{num(y)}" x2="{num(right)}" y2="{num(y)}" '
            f'stroke="{LIGHT}" stroke-width="1"/>'
        )
        for k, month in enumerate(keys):
            count = table.get(month, {}).get(channel, 0)
            if count:
                radius = 2 + min(column, row) * 0.45 * (count / peak) ** 0.5
                body.append(
                    f'<circle cx="{num(left + (k + 0.5) * column)}" cy="{num(y)}" '
                    f'r="{num(radius)}" fill="{BLUE}"/>'
                )
    bottom = top + len(used) * row
    every = max(1, len(keys) // 8)
    for k, month in enumerate(keys):
        if k % every == 0:
            body.append(
                text(
                    left + (k + 0.5) * column,
                    bottom + 16,
                    month_label(date.fromisoformat(month + "-01")),
                    size=11,
                    anchor="middle",
                    fill=GREY,
                )
            )
    totals = analysis.escalation.channels
    desc = (
        "Each row is a way of contact, each column a month; bigger dots mean more "
        "incidents. Totals: "
        + "; ".join(f"{CHANNEL_LABELS.get(c, c)}: {len(ids)}" for c, ids in totals.items())
        + "."
    )
    return frame(chart_id, title, desc, bottom + 28, body)


def time_of_day(analysis: Analysis, chart_id: str = "chart-time") -> str:
    """Heatmap of incidents with a known time, by day of the week and hour."""
    title = "Day of the week and time of day"
    grid = analysis.escalation.hour_by_weekday
    total = sum(sum(row) for row in grid)
    if not analysis.points:
        return empty(chart_id, title)
    left, top, cell_w, cell_h = 100.0, 24.0, (WIDTH - 116.0) / 24, 24.0
    peak = max(max(max(row) for row in grid), 1)
    body = []
    for hour in range(0, 24, 3):
        body.append(
            text(
                left + (hour + 0.5) * cell_w,
                top - 8,
                f"{hour:02d}:00",
                size=11,
                anchor="middle",
                fill=GREY,
            )
        )
    for day, row in enumerate(grid):
        y = top + day * cell_h
        body.append(text(left - 8, y + cell_h / 2 + 4, WEEKDAYS[day], size=11, anchor="end"))
        for hour, count in enumerate(row):
            shade = (
                HEAT[0]
                if count == 0
                else HEAT[min(len(HEAT) - 1, 1 + (count * (len(HEAT) - 2)) // peak)]
            )
            body.append(
                f'<rect x="{num(left + hour * cell_w)}" y="{num(y)}" '
                f'width="{num(cell_w)}" height="{num(cell_h)}" fill="{shade}" '
                f'stroke="{RULE}" stroke-width="0.5"/>'
            )
    busiest = sorted(
        (
            (count, day, hour)
            for day, row in enumerate(grid)
            for hour, count in enumerate(row)
            if count
        ),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    overnight = len(analysis.escalation.overnight_ids)
    untimed = len(analysis.escalation.untimed_ids)
    desc = (
        f"{total} incidents with a known time, by day and hour (darker is more). "
        + (
            "Busiest: "
            + "; ".join(f"{WEEKDAYS[d]} {h:02d}:00, {c}" for c, d, h in busiest[:3])
            + ". "
            if busiest
            else ""
        )
        + f"Not shown: {overnight} overnight and {untimed} with no time of day."
        + " By day of the week: "
        + "; ".join(f"{WEEKDAYS[d]} {n}" for d, n in enumerate(analysis.escalation.by_weekday))
        + "."
    )
    return frame(chart_id, title, desc, top + 7 * cell_h + 8, body)


def all_charts(analysis: Analysis) -> dict[str, str]:
    """Every chart, by name, in the order a page shows them."""
    return {
        "timeline": timeline(analysis),
        "weekly": weekly_rate(analysis),
        "severity": severity(analysis),
        "acts": acts(analysis),
        "channels": channels(analysis),
        "time_of_day": time_of_day(analysis),
    }
