"""The dashboard's chart as SVG, in the house style of ``cairn.analysis.charts``: an accessible
image (``role="img"``, a ``<title>`` and a ``<desc>`` saying in words what it shows),
presentation attributes only (the Content Security Policy allows no inline style), and the
same text for the same figures. Pure: no Django, no database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from cairn.dashboard.figures import month_label
from cairn.dashboard.reference import NationalFigure

FONT = "Arial, Helvetica, sans-serif"
INK = "#0b0c0c"
GREY = "#505a5f"
LIGHT = "#f3f2f1"
BLUE = "#1d70b8"
ORANGE = "#b35a00"
WIDTH = 720
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 56.0, WIDTH - 16.0, 40.0, HEIGHT - 44.0
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(
    x: float, y: float, content: str, *, size: int = 12, anchor: str = "start", fill: str = INK
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{fill}">{escape(content)}</text>'
    )


def rate_words(value: float | None) -> str:
    return "no cases opened" if value is None else f"{value:.1f} per 1,000"


def _scale_top(highest: float) -> float:
    """A round number at or above ``highest`` for the top of the axis."""
    for step in (1, 2, 5):
        for power in range(0, 7):
            top = step * 10**power
            if top >= highest:
                return float(top)
    return highest


def applications_rate(
    points: Sequence[tuple[date, float | None]],
    reference: NationalFigure,
    chart_id: str = "chart-applications-rate",
) -> str:
    """Bars: applications per 1,000 cases opened each month (none drawn for a month with no
    case opened); a dashed line: the published national rate per 1,000 stalking offences."""
    title = "SPO applications per 1,000 stalking cases opened, each month"
    line = reference.per_thousand
    described = "; ".join(f"{month_label(month)}: {rate_words(rate)}" for month, rate in points)
    desc = (
        f"{described}. Dashed line: {reference.measure} per 1,000 stalking offences "
        f"nationally, {line:.1f} ({reference.source})."
    )
    top = _scale_top(max([line, *(rate for _, rate in points if rate is not None)]) * 1.1)
    height = BOTTOM - TOP

    def y(value: float) -> float:
        return BOTTOM - height * value / top

    body = []
    for tick in (0.0, top / 2, top):
        body.append(
            f'<line x1="{_n(LEFT)}" y1="{_n(y(tick))}" x2="{_n(RIGHT)}" '
            f'y2="{_n(y(tick))}" stroke="{LIGHT}" stroke-width="1"/>'
        )
        body.append(_text(LEFT - 6, y(tick) + 4, _n(tick), size=11, anchor="end", fill=GREY))
    slot = (RIGHT - LEFT) / max(len(points), 1)
    every = 1 if len(points) <= 12 else 3 if len(points) <= 36 else 6
    for index, (month, rate) in enumerate(points):
        x = LEFT + slot * index
        if rate is not None:
            body.append(
                f'<rect x="{_n(x + slot * 0.15)}" y="{_n(y(rate))}" '
                f'width="{_n(slot * 0.7)}" height="{_n(BOTTOM - y(rate))}" '
                f'fill="{BLUE}"/>'
            )
        if index % every == 0:
            label = SHORT_MONTHS[month.month - 1] + (
                f" {month.year}" if month.month == 1 or index == 0 else ""
            )
            body.append(
                _text(x + slot / 2, BOTTOM + 16, label, size=11, anchor="middle", fill=GREY)
            )
    body.append(
        f'<line x1="{_n(LEFT)}" y1="{_n(BOTTOM)}" x2="{_n(RIGHT)}" y2="{_n(BOTTOM)}" '
        f'stroke="{GREY}" stroke-width="1"/>'
    )
    body.append(
        f'<line x1="{_n(LEFT)}" y1="{_n(y(line))}" x2="{_n(RIGHT)}" y2="{_n(y(line))}" '
        f'stroke="{ORANGE}" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    body.append(
        _text(RIGHT, y(line) - 6, f"National: {line:.1f}", size=12, anchor="end", fill=ORANGE)
    )
    body.append(_text(LEFT, 20, "Per 1,000 cases opened", size=12, fill=GREY))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" focusable="false" class="cairn-chart" '
        f"aria-labelledby={quoteattr(chart_id + '-title')} "
        f"aria-describedby={quoteattr(chart_id + '-desc')}>"
        f"<title id={quoteattr(chart_id + '-title')}>{escape(title)}</title>"
        f"<desc id={quoteattr(chart_id + '-desc')}>{escape(desc)}</desc>" + "".join(body) + "</svg>"
    )
