"""Charts as SVG: one implementation for the pages now and the PDF pack later.

Pure and deterministic: each function takes an ``Analysis`` and returns the same SVG text for
the same analysis. Every chart is an accessible image (``role="img"``, a ``<title>`` and a
``<desc>`` that says in words what it shows) and uses presentation attributes only (no
``style``), so it renders under the site's Content Security Policy and in any SVG renderer.
Pages should still give the numbers in text next to each chart.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cairn.analysis.engine import Analysis
from cairn.analysis.labels import CHANNEL_LABELS, WEEKDAYS, channel_label
from cairn.analysis.severity import LEVELS
from cairn.law.pha1997 import ACTS

FONT = "Arial, Helvetica, sans-serif"
INK = "#0b0c0c"
GREY = "#505a5f"
LIGHT = "#f3f2f1"
RULE = "#b1b4b6"
BLUE = "#1d70b8"
ORANGE = "#b35a00"
LEVEL_COLOURS = {1: "#5694ca", 2: BLUE, 3: "#003078", 4: "#912b88", 5: "#d4351c", 6: INK}
HEAT = ("#ffffff", "#d2e2f1", "#9dc1e3", "#5694ca", "#1d70b8", "#003078")
WIDTH = 720
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">{escape(content)}</text>'
    )


def _svg(chart_id: str, title: str, desc: str, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="100%" role="img" focusable="false" class="cairn-chart" '
        f"aria-labelledby={quoteattr(chart_id + '-title')} "
        f"aria-describedby={quoteattr(chart_id + '-desc')}>"
        f"<title id={quoteattr(chart_id + '-title')}>{escape(title)}</title>"
        f"<desc id={quoteattr(chart_id + '-desc')}>{escape(desc)}</desc>" + "".join(body) + "</svg>"
    )


def _empty(chart_id: str, title: str) -> str:
    return _svg(
        chart_id,
        title,
        "Nothing logged yet.",
        60,
        [_text(WIDTH / 2, 35, "Nothing logged yet", anchor="middle", fill=GREY)],
    )


def _zone(analysis: Analysis) -> ZoneInfo:
    try:
        return ZoneInfo(analysis.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/London")


def _month_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def _date(day: date | datetime) -> str:
    """"3 June 2025": a date in words, never an ISO date, in what a reader hears."""
    return f"{day.day} {day:%B %Y}"


class _TimeAxis:
    """Maps instants to x between ``left`` and ``right``; ticks on month or quarter starts."""

    def __init__(
        self, start: datetime, end: datetime, left: float, right: float, zone: ZoneInfo
    ) -> None:
        self.start, self.end = start, max(end, start + timedelta(days=1))
        self.left, self.right, self.zone = left, right, zone

    def x(self, moment: datetime) -> float:
        span = (self.end - self.start).total_seconds()
        return self.left + (self.right - self.left) * (moment - self.start).total_seconds() / span

    def ticks(self) -> list[tuple[float, str]]:
        first = self.start.astimezone(self.zone).date().replace(day=1)
        months = (self.end - self.start).days / 30.4
        step = 1 if months <= 8 else 3 if months <= 30 else 6 if months <= 60 else 12
        ticks = []
        year, month = first.year, first.month
        while True:
            month += 1
            if month > 12:
                year, month = year + 1, 1
            if (month - 1) % step:
                continue
            moment = datetime(year, month, 1, tzinfo=self.zone)
            if moment > self.end:
                break
            ticks.append((self.x(moment), _month_label(moment.date())))
        return ticks

    def draw(self, top: float, bottom: float) -> list[str]:
        out = [
            f'<line x1="{_n(self.left)}" y1="{_n(bottom)}" x2="{_n(self.right)}" '
            f'y2="{_n(bottom)}" stroke="{GREY}" stroke-width="1"/>'
        ]
        for x, label in self.ticks():
            out.append(
                f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" '
                f'stroke="{LIGHT}" stroke-width="1"/>'
            )
            out.append(_text(x, bottom + 16, label, size=11, anchor="middle", fill=GREY))
        return out


def timeline(analysis: Analysis, chart_id: str = "chart-timeline") -> str:
    """Every incident by time and severity, quiet periods shaded, change-points marked."""
    title = "Timeline of incidents"
    points = analysis.points
    if not points:
        return _empty(chart_id, title)
    left, right, top, row = 190.0, WIDTH - 16.0, 30.0, 28.0
    bottom = top + row * len(LEVELS)
    axis = _TimeAxis(
        points[0].start, max(analysis.now, points[-1].start), left, right, _zone(analysis)
    )
    body: list[str] = []
    for lull in analysis.lulls.lulls:
        x1, x2 = axis.x(lull.start), axis.x(lull.end)
        body.append(
            f'<rect x="{_n(x1)}" y="{_n(top - 22)}" width="{_n(max(x2 - x1, 1))}" '
            f'height="{_n(bottom - top + 22)}" fill="{LIGHT}"/>'
        )
        body.append(
            _text(
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
        body.append(_text(left - 8, y + 4, f"{level} {label}", size=11, anchor="end"))
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" '
            f'stroke="{LIGHT}" stroke-width="1"/>'
        )
    for change in analysis.escalation.change_points:
        x = axis.x(
            datetime(
                change.monday.year, change.monday.month, change.monday.day, tzinfo=_zone(analysis)
            )
        )
        body.append(
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" '
            f'stroke="{ORANGE}" stroke-width="2" stroke-dasharray="5 4"/>'
        )
    for point in points:
        y = bottom - row * (point.severity - 0.5)
        body.append(
            f'<circle cx="{_n(axis.x(point.start))}" cy="{_n(y)}" r="4" '
            f'fill="{LEVEL_COLOURS[point.severity]}" fill-opacity="0.85"/>'
        )
    lulls = analysis.lulls.lulls
    desc = (
        f"{len(points)} incidents from {_date(points[0].start.astimezone(axis.zone))} to "
        f"{_date(points[-1].start.astimezone(axis.zone))}, placed by their level on Cairn's "
        f"own severity scale (1 {LEVELS[1].lower()} to 6 {LEVELS[6].lower()}). "
        + (
            f"Shaded: {len(lulls)} quiet period(s): "
            + "; ".join(
                f"{lull.days:.0f} days from {_date(lull.start.astimezone(axis.zone))}"
                for lull in lulls
            )
            + ". "
            if lulls
            else "No long quiet period. "
        )
        + (
            "Dashed lines: the rate changed in the weeks of "
            + ", ".join(_date(p.monday) for p in analysis.escalation.change_points)
            + "."
            if analysis.escalation.change_points
            else ""
        )
    )
    return _svg(chart_id, title, desc, bottom + 28, body)


def weekly_rate(analysis: Analysis, chart_id: str = "chart-weekly") -> str:
    """Incidents per week, with the rate of each stretch between change-points."""
    title = "Incidents per week"
    weekly = analysis.escalation.weekly
    if not weekly:
        return _empty(chart_id, title)
    left, right, top, bottom = 40.0, WIDTH - 16.0, 16.0, 196.0
    zone = _zone(analysis)
    start = datetime(
        weekly[0].monday.year, weekly[0].monday.month, weekly[0].monday.day, tzinfo=zone
    )
    axis = _TimeAxis(start, start + timedelta(weeks=len(weekly)), left, right, zone)
    peak = max(max(w.count for w in weekly), 1)
    scale = (bottom - top) / peak
    bar = (right - left) / len(weekly)
    body = axis.draw(top, bottom)
    for value in sorted({0, peak, peak // 2}):
        y = bottom - value * scale
        body.append(_text(left - 6, y + 4, str(value), size=11, anchor="end", fill=GREY))
    for k, week in enumerate(weekly):
        if week.count:
            h = week.count * scale
            body.append(
                f'<rect x="{_n(left + k * bar)}" y="{_n(bottom - h)}" '
                f'width="{_n(max(bar - 0.5, 0.5))}" height="{_n(h)}" fill="{BLUE}"/>'
            )
    k = 0
    for segment in analysis.escalation.segments:
        y = bottom - segment.rate_per_week * scale
        body.append(
            f'<line x1="{_n(left + k * bar)}" y1="{_n(y)}" '
            f'x2="{_n(left + (k + segment.weeks) * bar)}" y2="{_n(y)}" '
            f'stroke="{ORANGE}" stroke-width="3"/>'
        )
        k += segment.weeks
    trend = analysis.escalation.trend
    desc = (
        f"{len(weekly)} weeks from {_date(weekly[0].monday)} to {_date(weekly[-1].monday)}; "
        f"the busiest "
        f"week had {peak} incidents. Orange lines: the average rate of each stretch: "
        + "; ".join(
            f"{s.rate_per_week} a week from {_date(s.start)}" for s in analysis.escalation.segments
        )
        + f". Trend test: {trend.direction.replace('_', ' ')}"
        + (f" (p = {trend.p_value})." if trend.p_value is not None else ".")
    )
    return _svg(chart_id, title, desc, bottom + 28, body)


def severity(analysis: Analysis, chart_id: str = "chart-severity") -> str:
    """Incidents per month, stacked by severity level."""
    title = "How serious incidents were, month by month"
    points = analysis.points
    if not points:
        return _empty(chart_id, title)
    zone = _zone(analysis)
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
        f'<line x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(right)}" y2="{_n(bottom)}" '
        f'stroke="{GREY}" stroke-width="1"/>'
    ]
    for value in sorted({0, peak}):
        body.append(
            _text(
                left - 6, bottom - value * scale + 4, str(value), size=11, anchor="end", fill=GREY
            )
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
                    f'<rect x="{_n(left + k * bar + 1)}" y="{_n(y)}" '
                    f'width="{_n(max(bar - 2, 1))}" height="{_n(h)}" '
                    f'fill="{LEVEL_COLOURS[level]}"/>'
                )
        if k % every == 0:
            body.append(
                _text(
                    left + (k + 0.5) * bar,
                    bottom + 16,
                    _month_label(month),
                    size=11,
                    anchor="middle",
                    fill=GREY,
                )
            )
    for n, (level, label) in enumerate(LEVELS.items()):
        x = left + (n % 3) * 220
        y = legend_y + (n // 3) * 20
        body.append(
            f'<rect x="{_n(x)}" y="{_n(y - 10)}" width="12" height="12" '
            f'fill="{LEVEL_COLOURS[level]}"/>'
        )
        body.append(_text(x + 18, y, f"{level} {label}", size=11))
    trend = analysis.escalation.severity_trend
    highest = max(p.severity for p in points)
    desc = (
        f"Incidents in each month from {_month_label(first)} to {_month_label(last)}, "
        f"coloured by level on Cairn's own severity scale (1 least to 6 most serious). The "
        f"highest level reached is {highest}, {LEVELS[highest].lower()}. Trend in "
        f"seriousness: {trend.direction.replace('_', ' ')}."
    )
    return _svg(chart_id, title, desc, legend_y + 32, body)


def acts(analysis: Analysis, chart_id: str = "chart-acts") -> str:
    """How many incidents show each act of s.2A(3)."""
    title = "What they did (Protection from Harassment Act 1997, s.2A(3))"
    counts = {a.code: len(a.incident_ids) for a in analysis.acts}
    if not counts:
        return _empty(chart_id, title)
    left, right, row = 8.0, WIDTH - 60.0, 44.0
    peak = max(counts.values())
    body = []
    for n, act in enumerate(ACTS):
        y = 8 + n * row
        count = counts.get(act.code, 0)
        letter = f"({act.code})" if act.code != "other" else "(other)"
        body.append(_text(left, y + 12, f"{act.plain} {letter}", size=12))
        w = (right - left) * count / peak
        if count:
            body.append(
                f'<rect x="{_n(left)}" y="{_n(y + 18)}" width="{_n(w)}" height="16" fill="{BLUE}"/>'
            )
        body.append(_text(left + w + 6, y + 31, str(count), size=12))
    desc = "; ".join(f"{act.plain}: {counts.get(act.code, 0)}" for act in ACTS) + "."
    return _svg(chart_id, title, desc, 10 + len(ACTS) * row + 6, body)


def channels(analysis: Analysis, chart_id: str = "chart-channels") -> str:
    """Ways of contact over time: one row per way, one column per month, dot area by count."""
    title = "How they did it, month by month"
    by_month = analysis.escalation.channels_by_month
    if not by_month:
        return _empty(chart_id, title)
    used = list(analysis.escalation.channels)
    zone = _zone(analysis)
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
        body.append(_text(left - 8, y + 4, channel_label(channel), size=11, anchor="end"))
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" '
            f'stroke="{LIGHT}" stroke-width="1"/>'
        )
        for k, month in enumerate(keys):
            count = table.get(month, {}).get(channel, 0)
            if count:
                radius = 2 + min(column, row) * 0.45 * (count / peak) ** 0.5
                body.append(
                    f'<circle cx="{_n(left + (k + 0.5) * column)}" cy="{_n(y)}" '
                    f'r="{_n(radius)}" fill="{BLUE}"/>'
                )
    bottom = top + len(used) * row
    every = max(1, len(keys) // 8)
    for k, month in enumerate(keys):
        if k % every == 0:
            body.append(
                _text(
                    left + (k + 0.5) * column,
                    bottom + 16,
                    _month_label(date.fromisoformat(month + "-01")),
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
    return _svg(chart_id, title, desc, bottom + 28, body)


def time_of_day(analysis: Analysis, chart_id: str = "chart-time") -> str:
    """Heatmap of incidents with a known time, by day of the week and hour."""
    title = "Day of the week and time of day"
    grid = analysis.escalation.hour_by_weekday
    total = sum(sum(row) for row in grid)
    if not analysis.points:
        return _empty(chart_id, title)
    left, top, cell_w, cell_h = 100.0, 24.0, (WIDTH - 116.0) / 24, 24.0
    peak = max(max(max(row) for row in grid), 1)
    body = []
    for hour in range(0, 24, 3):
        body.append(
            _text(
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
        body.append(_text(left - 8, y + cell_h / 2 + 4, WEEKDAYS[day], size=11, anchor="end"))
        for hour, count in enumerate(row):
            shade = (
                HEAT[0]
                if count == 0
                else HEAT[min(len(HEAT) - 1, 1 + (count * (len(HEAT) - 2)) // peak)]
            )
            body.append(
                f'<rect x="{_n(left + hour * cell_w)}" y="{_n(y)}" '
                f'width="{_n(cell_w)}" height="{_n(cell_h)}" fill="{shade}" '
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
    return _svg(chart_id, title, desc, top + 7 * cell_h + 8, body)


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


# --- the same figures as tables -----------------------------------------------------------------

@dataclass(frozen=True)
class ChartTable:
    """A chart's figures as a table, for anyone who cannot read the picture (and on a phone)."""

    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _months(analysis: Analysis) -> list[tuple[date, list[int]]]:
    """(first of the month, severities of its incidents), oldest first, months with any."""
    zone = _zone(analysis)
    months: dict[date, list[int]] = {}
    for point in analysis.points:
        months.setdefault(point.start.astimezone(zone).date().replace(day=1), []).append(
            point.severity)
    return sorted(months.items())


def _levels(severities: list[int]) -> str:
    counts = Counter(severities)
    return ", ".join(f"{counts[level]} at level {level}" for level in sorted(counts))


def tables(analysis: Analysis) -> dict[str, ChartTable]:
    """Every chart's figures as a table, by the chart's name in ``all_charts``."""
    months = _months(analysis)
    month_rows = tuple((f"{day:%B %Y}", str(len(levels)), _levels(levels))
                       for day, levels in months)
    weekly = analysis.escalation
    counts = {a.code: len(a.incident_ids) for a in analysis.acts}
    totals = analysis.escalation.channels
    grid = analysis.escalation.hour_by_weekday
    return {
        "timeline": ChartTable(
            "Incidents each month, and their levels on Cairn's own scale",
            ("Month", "Incidents", "Levels"), month_rows),
        "weekly": ChartTable(
            "The average each week, for each stretch between changes",
            ("From the week of", "Weeks", "Incidents", "A week"),
            tuple((_date(seg.start), str(seg.weeks), str(seg.count), f"{seg.rate_per_week:g}")
                  for seg in weekly.segments)),
        "severity": ChartTable(
            "How serious incidents were, month by month", ("Month", "Incidents", "Levels"),
            month_rows),
        "acts": ChartTable(
            "Incidents that show each act", ("What they did", "Incidents"),
            tuple((f"{act.plain} ({act.code})", str(counts.get(act.code, 0))) for act in ACTS)),
        "channels": ChartTable(
            "How they did it", ("How", "Incidents"),
            tuple((CHANNEL_LABELS.get(channel, channel), str(len(ids)))
                  for channel, ids in sorted(totals.items(), key=lambda kv: -len(kv[1])))),
        "time_of_day": ChartTable(
            "Incidents with a known time, by day of the week",
            ("Day", "Incidents", "Busiest hours"),
            tuple((WEEKDAYS[day], str(sum(row)), _busiest(row)) for day, row in enumerate(grid))),
    }


def _busiest(row: tuple[int, ...]) -> str:
    ranked = sorted(((count, hour) for hour, count in enumerate(row) if count),
                    key=lambda pair: (-pair[0], pair[1]))[:2]
    return "; ".join(f"{_hour(hour)} ({count})" for count, hour in ranked) or "No known time"


def _hour(hour: int) -> str:
    if hour in (0, 12):
        return "midnight" if hour == 0 else "midday"
    return f"{hour % 12}{'am' if hour < 12 else 'pm'}"
