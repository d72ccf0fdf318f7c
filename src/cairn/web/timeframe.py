"""When an incident happened: an interval with a precision, plus the victim's own words.

DESIGN.md invariant 3: times are aware and stored in UTC; shown in the vault's zone. Capture,
receipt, import and entry times are separate fields elsewhere and never stand in for this one.
This module is pure (no Django) so the rules get direct tests.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Precision(enum.StrEnum):
    EXACT = "exact"
    HOUR = "hour"
    DAY = "day"
    OVERNIGHT = "overnight"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return PRECISION_LABELS[self]


PRECISION_LABELS: dict[Precision, str] = {
    Precision.EXACT: "Exact time",
    Precision.HOUR: "Within the hour",
    Precision.DAY: "On the day, time not known",
    Precision.OVERNIGHT: "Overnight",
    Precision.UNKNOWN: "Not sure when",
}

# "Overnight" means from this evening hour to the next morning, in the vault's zone.
OVERNIGHT_FROM = time(18, 0)
OVERNIGHT_TO = time(9, 0)

# A clock a few minutes fast on a phone should not make a just-now entry "in the future".
FUTURE_TOLERANCE = timedelta(minutes=5)


class TimeframeError(ValueError):
    """A when-it-happened value that cannot be true. ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Timeframe:
    start: datetime
    end: datetime | None
    precision: Precision

    @property
    def latest(self) -> datetime:
        return self.end or self.start


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeframeError("tz", f"unknown time zone {name!r}") from None


def validate(
    start: datetime, end: datetime | None, precision: Precision | str, *, now: datetime
) -> Timeframe:
    """Check an interval and return it normalised to UTC.

    Raises TimeframeError when a time is naive, the end precedes the start, or the
    incident would lie in the future.
    """
    try:
        precision = Precision(precision)
    except ValueError:
        choices = ", ".join(p.value for p in Precision)
        raise TimeframeError("precision", f"precision must be one of {choices}") from None
    for field, value in (("start", start), ("end", end)):
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise TimeframeError(field, f"{field} time needs a time zone")
    utc = ZoneInfo("UTC")
    start = start.astimezone(utc)
    end = end.astimezone(utc) if end is not None else None
    if end is not None and end < start:
        raise TimeframeError("end", "The end must be after the start")
    if start > now + FUTURE_TOLERANCE:
        raise TimeframeError("start", "The date cannot be in the future")
    if end is not None and end > now + FUTURE_TOLERANCE:
        if precision is Precision.EXACT:
            raise TimeframeError("end", "The end cannot be in the future")
        # A vague interval ("today", "overnight") may reach past now; it cannot have
        # happened later than now, so its upper bound is now.
        end = max(start, now)
    return Timeframe(start=start, end=end, precision=precision)


def from_local(
    day: date, at: time | None, tz: ZoneInfo, *, overnight: bool = False, until: time | None = None
) -> tuple[datetime, datetime | None, Precision]:
    """Build an interval from what a person types: a day, maybe a time, maybe "overnight".

    - a time given: exact (to the minute), ending at ``until`` on the same day if given;
    - overnight: from 18:00 that day to 09:00 the next (both local);
    - neither: the whole local day, precision "day".
    Local wall-clock times are resolved in ``tz``; on the autumn clock change the first of
    the two 01:xx hours is taken (fold=0), which is what people mean when they don't say.
    """
    if overnight:
        start = datetime.combine(day, OVERNIGHT_FROM, tzinfo=tz)
        end = datetime.combine(day + timedelta(days=1), OVERNIGHT_TO, tzinfo=tz)
        return start, end, Precision.OVERNIGHT
    if at is not None:
        start = datetime.combine(day, at, tzinfo=tz)
        until_end = datetime.combine(day, until, tzinfo=tz) if until is not None else None
        return start, until_end, Precision.EXACT
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz) - timedelta(seconds=1)
    return start, end, Precision.DAY


# --- how times read -----------------------------------------------------------------------------


def day_words(value: datetime | date) -> str:
    """ "Tuesday 26 November 2025": the day written out, as GOV.UK writes dates."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def clock_12h(value: datetime) -> str:
    """ "11:33pm", "9am", "midday", "midnight": a time of day in the victim's words (the GOV.UK
    style: no leading zero, no ":00" on the hour, "midday" and "midnight" for 12)."""
    if value.minute == 0 and value.hour in (0, 12):
        return "midnight" if value.hour == 0 else "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def clock_24h(value: datetime) -> str:
    """ "23:33": the 24-hour clock of police statements and court documents."""
    return f"{value:%H:%M}"


def instant_words(
    value: datetime, tz: ZoneInfo, clock: Callable[[datetime], str] = clock_12h
) -> str:
    """A stored instant in ``tz``: "Tuesday 26 November 2025 at 11:33pm"."""
    local = value.astimezone(tz)
    return f"{day_words(local)} at {clock(local)}"


def describe_when(
    start: datetime,
    end: datetime | None,
    precision: str,
    tz: ZoneInfo,
    clock: Callable[[datetime], str] = clock_12h,
) -> str:
    """How an incident's time reads, honest about how exactly it is known."""
    local_start = start.astimezone(tz)
    local_end = end.astimezone(tz) if end is not None else None
    kind = Precision(precision)
    if kind is Precision.OVERNIGHT:
        return f"Overnight, {day_words(local_start)} to {day_words(local_end or local_start)}"
    if kind is Precision.DAY:
        return f"{day_words(local_start)}, on the day (time not known)"
    if kind is Precision.HOUR:
        on_the_hour = local_start.replace(minute=0, second=0, microsecond=0)
        return f"{day_words(local_start)}, about {clock(on_the_hour)}"
    if kind is Precision.UNKNOWN:
        return f"Not sure when (recorded against {day_words(local_start)})"
    text = f"{day_words(local_start)} at {clock(local_start)}"
    if local_end is not None and local_end != local_start:
        if local_end.date() == local_start.date():
            text += f" to {clock(local_end)}"
        else:
            text += f" to {day_words(local_end)} at {clock(local_end)}"
    return text


def zone_words(name: str) -> str:
    """A time zone as she would say it: "UK time", "Paris time" (never "Europe/London")."""
    if name in ("Europe/London", "GB", "Europe/Belfast"):
        return "UK time"
    if name in ("UTC", "Etc/UTC", "GMT", "Etc/GMT"):
        return "Greenwich Mean Time"
    return f"{name.rsplit('/', 1)[-1].replace('_', ' ')} time"
