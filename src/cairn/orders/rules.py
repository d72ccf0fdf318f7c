"""The pure rules of SPO applications and orders: no Django, no database.

- ``TRANSITIONS``: which lifecycle step may follow which (append-only status rows);
- deadlines: the s.9 notification day, expiry after a fixed period, the renewal review;
- ``incompatibilities``: terms that cannot stand together (s.2 and law.md: "New orders may not
  contain terms incompatible with an existing SPO"), as a small table of rules, each with
  the message an officer sees.

Statuses and term kinds are plain strings here (the values of ``models.ApplicationStatus``
and ``models.TermKind``).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

MIN_FIXED_MONTHS = 24  # s.3: a fixed period of "at least 2 years"
NOTIFICATION_DAYS = 3  # s.9(1): within 3 days beginning with the day of service
RENEWAL_REVIEW_MONTHS_BEFORE = 3  # Cairn's practice: review a fixed order 3 months ahead
OPEN_ENDED_REVIEW_MONTHS = 12  # Cairn's practice: review an open-ended order every year

# --- the lifecycle ----------------------------------------------------------------------------

_ORDER_IN_FORCE = ("varied", "renewed", "discharged", "expired", "appealed_by_respondent")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submitted", "withdrawn"),
    "submitted": ("interim_granted", "interim_refused", "hearing_listed", "granted", "refused",
                  "withdrawn"),
    "interim_granted": ("hearing_listed", "granted", "refused", "withdrawn", "expired"),
    "interim_refused": ("hearing_listed", "granted", "refused", "withdrawn"),
    "hearing_listed": ("hearing_listed", "interim_granted", "interim_refused", "granted",
                       "refused", "withdrawn"),
    "granted": _ORDER_IN_FORCE,
    "varied": _ORDER_IN_FORCE,
    "renewed": _ORDER_IN_FORCE,
    "refused": ("appealed_by_applicant",),
    # s.7: an appeal is decided one way or the other.
    "appealed_by_applicant": ("granted", "refused"),
    "appealed_by_respondent": ("granted", "varied", "discharged"),
    "withdrawn": (),
    "discharged": (),
    "expired": (),
}
INTERIM_STATUSES = frozenset({"interim_granted", "interim_refused"})


def can_move(current: str, new: str, *, interim_requested: bool = True) -> bool:
    if new in INTERIM_STATUSES and not interim_requested:
        return False
    return new in TRANSITIONS.get(current, ())


# --- deadlines --------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later (the month's last day if it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def notification_due(served_on: date) -> date:
    """The last day for the defendant's notification under s.9: "within 3 days beginning
    with the day on which the order is served" (docs/law.md: counting the day of service).
    Calendar days: weekends, bank holidays and clock changes make no difference."""
    return served_on + timedelta(days=NOTIFICATION_DAYS - 1)


def expires_on(made_on: date, duration_months: int | None) -> date | None:
    """The first day a fixed-term order no longer has effect; None: until further order."""
    return None if duration_months is None else add_months(made_on, duration_months)


def renewal_review_on(made_on: date, expiry: date | None) -> date:
    """When the officer reviews whether to apply to renew (s.4): three months before a fixed
    order ends, or a year after an open-ended one is made (Cairn's practice, not statute)."""
    if expiry is None:
        return add_months(made_on, OPEN_ENDED_REVIEW_MONTHS)
    return add_months(expiry, -RENEWAL_REVIEW_MONTHS_BEFORE)


# --- terms and their incompatibilities --------------------------------------------------------

ATTENDANCE_KINDS = frozenset({"attend_assessment", "attend_programme", "report_to_station"})
CONTACT_KINDS = frozenset({"no_contact", "no_third_party_contact"})
ONE_OF_A_KIND = frozenset({"no_contact", "no_third_party_contact", "not_within_distance"})


@dataclass(frozen=True)
class TermSpec:
    """A term as asked for or as made, and ``existing`` when it is part of an order already
    in force (so a message can say so)."""

    kind: str
    necessity: str = ""
    details: str = ""
    place: str = ""
    place_lat: float | None = None
    place_lon: float | None = None
    exception: str = ""
    area: dict[str, Any] | None = None
    centre_lat: float | None = None
    centre_lon: float | None = None
    radius_m: int | None = None
    existing: bool = False
    label: str = field(default="", compare=False)

    def named(self) -> str:
        name = self.label or self.kind.replace("_", " ")
        return f"{name} (in the existing order)" if self.existing else name


EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def polygon_ring(area: dict[str, Any]) -> list[tuple[float, float]]:
    """The outer ring of a GeoJSON Polygon as (lon, lat) pairs; ValueError if it is not one."""
    if not isinstance(area, dict) or area.get("type") != "Polygon":
        raise ValueError("the area must be a GeoJSON Polygon")
    rings = area.get("coordinates")
    if not isinstance(rings, list) or not rings or not isinstance(rings[0], list):
        raise ValueError("the area has no coordinates")
    ring = []
    for point in rings[0]:
        if not isinstance(point, (list, tuple)) or len(point) < 2:
            raise ValueError("each corner needs a longitude and a latitude")
        lon, lat = float(point[0]), float(point[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError("a corner is outside the range of longitude and latitude")
        ring.append((lon, lat))
    if len(ring) < 4 or ring[0] != ring[-1]:
        raise ValueError("the area needs at least three corners and must close on its start")
    return ring


def in_polygon(lat: float, lon: float, ring: Sequence[tuple[float, float]]) -> bool:
    """Ray casting over (lon, lat) pairs: enough at the scale of a town."""
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > lat) != (y2 > lat):
            crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < crossing:
                inside = not inside
    return inside


def in_zone(zone: TermSpec, lat: float, lon: float) -> bool:
    if zone.area is not None:
        return in_polygon(lat, lon, polygon_ring(zone.area))
    if zone.centre_lat is not None and zone.centre_lon is not None and zone.radius_m:
        return distance_m(zone.centre_lat, zone.centre_lon, lat, lon) <= zone.radius_m
    return False


def _same_place(a: str, b: str) -> bool:
    return bool(a.strip()) and " ".join(a.lower().split()) == " ".join(b.lower().split())


def _attendance_in_zone(a: TermSpec, b: TermSpec) -> str | None:
    if a.kind in ATTENDANCE_KINDS and b.kind == "exclusion_zone" and \
            a.place_lat is not None and a.place_lon is not None and \
            in_zone(b, a.place_lat, a.place_lon):
        return (f"The {a.named()} term requires attending {a.place or 'a place'} inside the "
                f"exclusion zone of the {b.named()} term: name another place, or leave it out "
                "of the zone")
    return None


def _attendance_at_banned_place(a: TermSpec, b: TermSpec) -> str | None:
    if a.kind in ATTENDANCE_KINDS and b.kind == "no_entry_places" and \
            _same_place(a.place, b.place):
        return (f"The {a.named()} term requires attending {a.place}, which the {b.named()} "
                "term forbids entering")
    return None


def _contact_exception_forbidden(a: TermSpec, b: TermSpec) -> str | None:
    if a.kind == "no_contact" and a.exception.strip() and b.kind == "no_third_party_contact" \
            and not b.exception.strip():
        return (f"The {a.named()} term allows contact {a.exception.strip()}, which the "
                f"{b.named()} term forbids: give both the same exception, or none")
    return None


def _two_different(a: TermSpec, b: TermSpec) -> str | None:
    if a.kind == b.kind and a.kind in ONE_OF_A_KIND and (
            a.radius_m, a.exception.strip(), a.details.strip()) != (
            b.radius_m, b.exception.strip(), b.details.strip()):
        return (f"The {a.named()} and {b.named()} terms say different things: keep one")
    return None


# Each rule looks at an ordered pair (a, b) and returns the message when they clash; both
# orders of a pair are tried, so a rule is written once, for one order of its arguments
# (a symmetric rule is tried once per pair).
Rule = Callable[[TermSpec, TermSpec], "str | None"]
INCOMPATIBILITY_RULES: tuple[tuple[str, Rule], ...] = (
    ("attendance_inside_exclusion_zone", _attendance_in_zone),
    ("attendance_at_a_banned_place", _attendance_at_banned_place),
    ("contact_exception_forbidden", _contact_exception_forbidden),
    ("two_different_terms_of_one_kind", _two_different),
)
SYMMETRIC = frozenset({"two_different_terms_of_one_kind"})


def incompatibilities(terms: Sequence[TermSpec], existing: Iterable[TermSpec] = ()
                      ) -> list[tuple[str, str]]:
    """(rule, message) for every clash among ``terms``, and between one of ``terms`` and a
    term of an order in force (``existing``). Two existing terms are not compared: the court
    already made them."""
    old = list(existing)
    found: list[tuple[str, str]] = []
    for i, a in enumerate(terms):
        for b in list(terms[i + 1:]) + old:
            for name, rule in INCOMPATIBILITY_RULES:
                for first, second in ((a, b),) if name in SYMMETRIC else ((a, b), (b, a)):
                    message = rule(first, second)
                    if message and (name, message) not in found:
                        found.append((name, message))
    return found
