"""Reading the dates and times people type on the command line.

ISO 8601 throughout. A time without an offset is wall-clock time in the vault's zone,
resolved with ``zoneinfo`` so that clock changes are honoured (14:00 in July in London is
13:00 UTC, in January 14:00 UTC). A wall-clock time that does not exist (the hour skipped
when the clocks go forward) is refused rather than guessed; a time that happens twice (the
hour repeated when they go back) is taken as the first, as ``timeframe.from_local`` does.
Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cairn.cli.errors import CairnError

EXAMPLES = "use ISO 8601, like 2025-03-01 or 2025-03-01T14:30"


@dataclass(frozen=True)
class Typed:
    """A typed date or time: aware, or a whole local day when only a date was given."""

    moment: datetime | None
    day: date | None

    @property
    def is_day(self) -> bool:
        return self.day is not None


def parse(raw: str, *, field: str) -> Typed:
    """Parse an ISO 8601 date or date-time; the time may lack an offset (read it later)."""
    text = (raw or "").strip()
    try:
        return Typed(moment=None, day=date.fromisoformat(text))
    except ValueError:
        pass
    try:
        return Typed(moment=datetime.fromisoformat(text), day=None)
    except ValueError:
        raise CairnError(f"{field}: {raw!r} is not a date or time; {EXAMPLES}") from None


def localise(moment: datetime, tz: ZoneInfo, *, field: str) -> datetime:
    """Attach the vault's zone to a wall-clock time, refusing one the clocks skipped."""
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment
    aware = moment.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != moment:
        raise CairnError(
            f"{field}: {moment:%H:%M} on {moment:%Y-%m-%d} did not happen in {tz.key} "
            "(the clocks went forward); give the time with its offset, like +01:00"
        )
    return aware


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last second of a local day, as ``timeframe.from_local`` ends a "day" interval."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz) - timedelta(seconds=1)


def point_in_time(raw: str, tz: ZoneInfo, *, field: str) -> datetime:
    """A point in time: a date alone is not enough (capture and receipt times)."""
    typed = parse(raw, field=field)
    if typed.moment is None:
        raise CairnError(f"{field}: give a date and a time, like {raw.strip()}T14:30")
    return localise(typed.moment, tz, field=field)


def resolve(typed: Typed, tz: ZoneInfo, *, field: str, day_end: bool = False) -> datetime:
    """The aware time meant: a date alone is the start of that local day (or its last second
    with ``day_end``); a time without an offset is read in ``tz``."""
    if typed.day is not None:
        return end_of_day(typed.day, tz) if day_end else start_of_day(typed.day, tz)
    assert typed.moment is not None
    return localise(typed.moment, tz, field=field)


def bound(raw: str, tz: ZoneInfo, *, field: str, upper: bool) -> datetime:
    """A filter bound: a date means the start of that local day, or its end when ``upper``."""
    return resolve(parse(raw, field=field), tz, field=field, day_end=upper)


def utc_iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, the form every machine-readable output uses."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
