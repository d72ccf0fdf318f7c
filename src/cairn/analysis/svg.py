"""The drawing under the charts: SVG text, the accessible frame every chart shares, and a time
axis. Pure; presentation attributes only (no ``style``), so a chart renders under the site's
Content Security Policy and in any SVG renderer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


def num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text(
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
        f'<text x="{num(x)}" y="{num(y)}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">{escape(content)}</text>'
    )


def frame(chart_id: str, title: str, desc: str, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {num(height)}" '
        f'width="100%" role="img" focusable="false" class="cairn-chart" '
        f"aria-labelledby={quoteattr(chart_id + '-title')} "
        f"aria-describedby={quoteattr(chart_id + '-desc')}>"
        f"<title id={quoteattr(chart_id + '-title')}>{escape(title)}</title>"
        f"<desc id={quoteattr(chart_id + '-desc')}>{escape(desc)}</desc>" + "".join(body) + "</svg>"
    )


def empty(chart_id: str, title: str) -> str:
    return frame(
        chart_id,
        title,
        "Nothing logged yet.",
        60,
        [text(WIDTH / 2, 35, "Nothing logged yet", anchor="middle", fill=GREY)],
    )


def zone_of(time_zone: str) -> ZoneInfo:
    """The zone of that name; London if it is not one."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/London")


def month_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def date_words(day: date | datetime) -> str:
    """ "3 June 2025": a date in words, never an ISO date, in what a reader hears."""
    return f"{day.day} {day:%B %Y}"


class TimeAxis:
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
            ticks.append((self.x(moment), month_label(moment.date())))
        return ticks

    def draw(self, top: float, bottom: float) -> list[str]:
        out = [
            f'<line x1="{num(self.left)}" y1="{num(bottom)}" x2="{num(self.right)}" '
            f'y2="{num(bottom)}" stroke="{GREY}" stroke-width="1"/>'
        ]
        for x, label in self.ticks():
            out.append(
                f'<line x1="{num(x)}" y1="{num(top)}" x2="{num(x)}" y2="{num(bottom)}" '
                f'stroke="{LIGHT}" stroke-width="1"/>'
            )
            out.append(text(x, bottom + 16, label, size=11, anchor="middle", fill=GREY))
        return out
