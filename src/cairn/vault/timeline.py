"""The timeline: a vault's incidents filtered in the database, paged, and how their times read.

``filter_incidents`` takes any incident queryset (already scoped by an access function) and
a cleaned ``TimelineFilter``; every condition it adds is on an indexed column or a foreign
key. ``page_of`` pages it by key, not by offset (ADR 0038): a page is the ``PAGE_SIZE``
incidents just older (or newer) than a boundary incident, found by the incident's time and
number, so the hundredth page costs what the first does: one look-up of the boundary, one
page query, one prefetch of the linked persons. The count is cached until the vault's log
grows (``cached_count``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Q, QuerySet

from cairn.vault.models import Incident, Vault

# Eight incidents fit under three screens of a 375 px phone (tests/test_phone_pages_browser.py).
PAGE_SIZE = 8
COUNT_SECONDS = 600


@dataclass(frozen=True)
class TimelineFilter:
    """What the timeline is narrowed to. Dates are local days in the vault's zone."""

    date_from: date | None = None
    date_to: date | None = None
    act: str | None = None
    channel: str | None = None
    person: UUID | None = None

    @property
    def cache_key(self) -> str:
        return "|".join(
            str(value)
            for value in (self.date_from, self.date_to, self.act, self.channel, self.person)
        )

    @property
    def is_active(self) -> bool:
        return any(
            value is not None
            for value in (self.date_from, self.date_to, self.act, self.channel, self.person)
        )


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def filter_incidents(
    incidents: QuerySet[Incident], chosen: TimelineFilter, *, tz: ZoneInfo
) -> QuerySet[Incident]:
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


@dataclass(frozen=True)
class Month:
    """The incidents of one month on a page, under a heading such as "November 2025"."""

    label: str
    incidents: list[Incident]


@dataclass(frozen=True)
class TimelinePage:
    """One page of the timeline, newest first. ``newer``/``older`` are the numbers of the
    incidents to page from (the first and the last shown), or None at either end."""

    incidents: list[Incident]
    newer: int | None
    older: int | None
    months: list[Month]


# Each also says the plain bound on ``start`` (implied by the OR), so the database can start
# its scan of the (vault, deleted, start) index at the boundary instead of at the newest end:
# without it, a page near the oldest incidents of 100,000 read past all the newer ones.
def _older_than(boundary: Incident) -> Q:
    return Q(start__lte=boundary.start) & (
        Q(start__lt=boundary.start) | Q(start=boundary.start, number__lt=boundary.number)
    )


def _newer_than(boundary: Incident) -> Q:
    return Q(start__gte=boundary.start) & (
        Q(start__gt=boundary.start) | Q(start=boundary.start, number__gt=boundary.number)
    )


def page_of(
    incidents: QuerySet[Incident],
    *,
    older_than: Incident | None = None,
    newer_than: Incident | None = None,
    size: int = PAGE_SIZE,
    tz: ZoneInfo,
) -> TimelinePage:
    """The page of ``incidents`` (from ``filter_incidents``: newest first) just older than
    ``older_than``, just newer than ``newer_than``, or the newest page."""
    if newer_than is not None:
        rows = list(
            incidents.filter(_newer_than(newer_than)).order_by("start", "number")[: size + 1]
        )
        has_newer = len(rows) > size
        shown = list(reversed(rows[:size]))
        has_older = bool(shown) and incidents.filter(_older_than(shown[-1])).exists()
    else:
        narrowed = incidents if older_than is None else incidents.filter(_older_than(older_than))
        rows = list(narrowed[: size + 1])
        shown = rows[:size]
        has_older = len(rows) > size
        has_newer = older_than is not None and (
            not shown or incidents.filter(_newer_than(shown[0])).exists()
        )
    return TimelinePage(
        incidents=shown,
        newer=shown[0].number if has_newer and shown else None,
        older=shown[-1].number if has_older else None,
        months=_by_month(shown, tz),
    )


def _by_month(incidents: list[Incident], tz: ZoneInfo) -> list[Month]:
    months: list[Month] = []
    for incident in incidents:
        local = incident.start.astimezone(tz)
        label = f"{local:%B %Y}"
        if not months or months[-1].label != label:
            months.append(Month(label, []))
        months[-1].incidents.append(incident)
    return months


def cached_count(
    incidents: QuerySet[Incident], vault: Vault, chosen: TimelineFilter, user_id: object
) -> int:
    """How many incidents match, counted once per change to the vault: the key holds the size
    of the vault's log, which grows with every change (a new, revised or deleted incident)."""
    state = getattr(vault, "ledger_state", None)
    size = state.size if state is not None else 0
    key = f"timeline-count:{vault.pk}:{user_id}:{size}:{chosen.cache_key}"
    count = cache.get(key)
    if count is None:
        count = incidents.count()
        cache.set(key, count, COUNT_SECONDS)
    return int(count)
