"""The timeline: a vault's incidents filtered in the database, and how their times read.

``filter_incidents`` takes any incident queryset (already scoped by an access function) and
a cleaned ``TimelineFilter``; every condition it adds is on an indexed column or a foreign
key, so a page of a 10,000-incident vault costs one count and one page query plus one
prefetch of the linked persons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from cairn.vault.models import Incident
from cairn.vault.timeframe import Precision

PAGE_SIZE = 50


@dataclass(frozen=True)
class TimelineFilter:
    """What the timeline is narrowed to. Dates are local days in the vault's zone."""

    date_from: date | None = None
    date_to: date | None = None
    act: str | None = None
    channel: str | None = None
    person: UUID | None = None

    @property
    def is_active(self) -> bool:
        return any(value is not None for value in (self.date_from, self.date_to, self.act,
                                                   self.channel, self.person))


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def filter_incidents(incidents: QuerySet[Incident], chosen: TimelineFilter, *,
                     tz: ZoneInfo) -> QuerySet[Incident]:
    """Current (not deleted) incidents matching ``chosen``, newest first, persons prefetched.

    An incident is in a date range when it started within it (local days, inclusive).
    """
    qs = incidents.filter(deleted_at__isnull=True)
    if chosen.date_from is not None:
        qs = qs.filter(start__gte=_local_midnight(chosen.date_from, tz))
    if chosen.date_to is not None:
        qs = qs.filter(start__lt=_local_midnight(chosen.date_to + timedelta(days=1), tz))
    if chosen.act:
        # Acts are stored delimited (",a,e,"), so one code is one LIKE that cannot match
        # another code by accident.
        qs = qs.filter(acts__contains=f",{chosen.act},")
    if chosen.channel:
        qs = qs.filter(channel=chosen.channel)
    if chosen.person is not None:
        qs = qs.filter(persons__pk=chosen.person)
    return qs.order_by("-start", "-number").prefetch_related("persons")


def format_instant(value: datetime, tz: ZoneInfo) -> str:
    """A stored instant in the vault's zone, e.g. "Tuesday 3 June 2025 at 14:05"."""
    local = value.astimezone(tz)
    return f"{_day(local)} at {local:%H:%M}"


def _day(value: datetime) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def describe_when(start: datetime, end: datetime | None, precision: str,
                  tz: ZoneInfo) -> str:
    """How an incident's time reads, honest about how exactly it is known."""
    local_start = start.astimezone(tz)
    local_end = end.astimezone(tz) if end is not None else None
    kind = Precision(precision)
    if kind is Precision.OVERNIGHT:
        last = local_end or local_start
        return f"Overnight, {_day(local_start)} to {_day(last)}"
    if kind is Precision.DAY:
        return f"{_day(local_start)}, on the day (time not known)"
    if kind is Precision.HOUR:
        return f"{_day(local_start)}, about {local_start:%H}:00"
    if kind is Precision.UNKNOWN:
        return f"Not sure when (recorded against {_day(local_start)})"
    text = f"{_day(local_start)} at {local_start:%H:%M}"
    if local_end is not None and local_end != local_start:
        if local_end.date() == local_start.date():
            text += f" to {local_end:%H:%M}"
        else:
            text += f" to {_day(local_end)} at {local_end:%H:%M}"
    return text
