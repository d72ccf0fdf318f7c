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
#
# Two tracks (docs/adr/0040): the main application and the order it leads to (s.1-s.4, s.7),
# and the interim order applied for with it or after it (s.5). Each is a table of which step
# may follow which; anything else is refused. The interim track's values start "interim_",
# so both live in one column of append-only rows.

# An order made on the main application is in force in these states (until its last day).
ORDER_IN_FORCE = frozenset({"granted", "varied", "renewed", "change_refused",
                            "appealed_by_respondent"})
_IN_FORCE_STEPS = ("varied", "renewed", "discharged", "expired", "change_refused",
                   "appealed_by_respondent", "appealed_by_applicant")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submitted", "withdrawn"),
    "submitted": ("hearing_listed", "granted", "refused", "withdrawn"),
    "hearing_listed": ("hearing_listed", "granted", "refused", "withdrawn"),
    "granted": _IN_FORCE_STEPS,
    "varied": _IN_FORCE_STEPS,
    "renewed": _IN_FORCE_STEPS,
    "change_refused": _IN_FORCE_STEPS,
    "refused": ("appealed_by_applicant",),
    # s.7: an appeal is decided one way or the other.
    "appealed_by_applicant": ("granted", "refused", "varied", "renewed", "discharged",
                              "change_refused"),
    "appealed_by_respondent": ("granted", "varied", "discharged"),
    "discharged": ("appealed_by_applicant",),
    "withdrawn": (),
    "expired": (),
    # History only: before issue 15 the interim steps were steps of the main application.
    "interim_granted": (), "interim_refused": (),
}

# The main application is decided (s.5(6)(b): an interim order ends) once it leaves these.
UNDECIDED = frozenset({"draft", "submitted", "hearing_listed"})
# The court may make an interim order only on an application already made (s.5(1)-(2)).
MADE_AND_UNDECIDED = frozenset({"submitted", "hearing_listed"})

INTERIM_IN_FORCE = frozenset({"interim_granted", "interim_varied", "interim_renewed",
                              "interim_change_refused", "interim_appealed_by_respondent"})
_INTERIM_IN_FORCE_STEPS = ("interim_varied", "interim_renewed", "interim_discharged",
                           "interim_change_refused", "interim_appealed_by_respondent")
INTERIM_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "": ("interim_applied",),
    "interim_applied": ("interim_granted", "interim_refused", "interim_withdrawn"),
    "interim_granted": _INTERIM_IN_FORCE_STEPS,
    "interim_varied": _INTERIM_IN_FORCE_STEPS,
    "interim_renewed": _INTERIM_IN_FORCE_STEPS,
    "interim_change_refused": _INTERIM_IN_FORCE_STEPS,
    # s.7(1)(b): the defendant appeals the making of an interim order.
    "interim_appealed_by_respondent": ("interim_granted", "interim_varied",
                                       "interim_discharged"),
    # s.7(2)(b): the chief officer appeals its refusal; or applies again.
    "interim_refused": ("interim_appealed_by_applicant", "interim_applied"),
    "interim_appealed_by_applicant": ("interim_granted", "interim_refused"),
    # Ended on its own date, discharged or withdrawn: the main application lives on, and
    # another interim order may be applied for while it is undecided (s.5(2)(b)).
    "interim_lapsed": ("interim_applied",),
    "interim_discharged": ("interim_applied",),
    "interim_withdrawn": ("interim_applied",),
    # The main application was decided (s.5(6)(b)).
    "interim_ended": (),
}
# The interim states that end when the main application is decided.
INTERIM_LIVE = INTERIM_IN_FORCE | {"interim_applied", "interim_appealed_by_applicant"}

# s.4 and s.5(7): who may apply to vary, renew or discharge an order.
APPLICANTS = ("chief_officer", "defendant", "other_chief_officer")
DISCHARGE_CONSENT_MONTHS = 24  # s.4: not discharged within 2 years without both consents


def is_interim(status: str) -> bool:
    return status.startswith("interim_")


def interim_state(stored: str, last_day: date | None, today: date) -> str:
    """The interim track's state on ``today``: as stored, except that an interim order in
    force whose last day has passed has lapsed (s.5(6)(a): it has effect only for the fixed
    period specified in it). A lapse is a fact of the calendar, not a step anyone records."""
    if stored in INTERIM_IN_FORCE and last_day is not None and last_day < today:
        return "interim_lapsed"
    return stored


def can_move(current: str, new: str, *, interim_requested: bool = True,
             applicant: str = "", kind: str = "spo") -> bool:
    """Whether the main track may go from ``current`` to ``new`` for an order of ``kind``
    (``ORDER_TYPES``). ``applicant`` is who asked for the decision now standing (the latest
    s.4 step): the appeals of SPA s.7 depend on it. Other kinds of order are appealed by the
    defendant (against the order or its variation), with no table of who may."""
    if new not in TRANSITIONS.get(current, ()) or not type_allows(kind, new):
        return False
    if not order_type(kind).spa_appeals:
        return new != "appealed_by_applicant" or current == "refused"
    return _appeal_allowed(current, new, applicant)


def _appeal_allowed(current: str, new: str, applicant: str) -> bool:
    police = applicant in ("chief_officer", "other_chief_officer")
    if new == "appealed_by_respondent":
        # s.7(1)(a) the order made; (c) a s.4 order on the police's application; (d) a s.4
        # refusal on the defendant's application.
        return (current == "granted" or (current in ("varied", "renewed") and police)
                or (current == "change_refused" and applicant == "defendant"))
    if new == "appealed_by_applicant":
        # s.7(2)(a) the order refused; (c) a s.4 refusal on the police's application; s.7(3)
        # a s.4 order (a variation or discharge) on the defendant's application.
        return (current == "refused" or (current == "change_refused" and police)
                or (current in ("varied", "renewed", "discharged") and applicant == "defendant"))
    return True


def can_move_interim(current: str, new: str, *, main_status: str) -> bool:
    """Whether the interim track may go from ``current`` (its state today, see
    ``interim_state``) to ``new``. Nothing happens to an interim order once the main
    application is decided, and the court makes one only on an application already made
    (s.5(1)-(2)); applying may come with the draft (s.5(2)(a): made at the same time)."""
    if new not in INTERIM_TRANSITIONS.get(current, ()):
        return False
    if new == "interim_applied":
        return main_status in UNDECIDED
    return main_status in MADE_AND_UNDECIDED


def discharge_needs_consent(made_on: date, decided_on: date) -> bool:
    """s.4: an order is not discharged before the end of 2 years beginning with the day it
    was made without the consent of the defendant and of the chief officer. The period's
    last day is the day before the same date two years on."""
    return decided_on < add_months(made_on, DISCHARGE_CONSENT_MONTHS)


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
    """The last day a fixed-term order has effect (it runs until the end of that day); None:
    until further order. s.3(2): a period "beginning with the day on which the order is
    made", so 24 months from 2 March 2026 run to the end of 1 March 2028."""
    if duration_months is None:
        return None
    return add_months(made_on, duration_months) - timedelta(days=1)


def has_effect_on(day: date, made_on: date, last_day: date | None) -> bool:
    """Dates are inclusive: an order made on ``made_on`` and ending on ``last_day`` has
    effect on both days ("until the end of 14 March")."""
    return made_on <= day and (last_day is None or day <= last_day)


def renewal_review_on(made_on: date, expiry: date | None) -> date:
    """When the officer reviews whether to apply to renew (s.4): three months before the day
    after a fixed order's last day, or a year after an open-ended one is made (Cairn's
    practice, not statute)."""
    if expiry is None:
        return add_months(made_on, OPEN_ENDED_REVIEW_MONTHS)
    return add_months(expiry + timedelta(days=1), -RENEWAL_REVIEW_MONTHS_BEFORE)


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
    # Where an existing term is ("in the existing order", "in the order on case X").
    source: str = field(default="", compare=False)

    def named(self) -> str:
        name = self.label or self.kind.replace("_", " ")
        if not self.existing:
            return name
        return f"{name} ({self.source or 'in the existing order'})"


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


# --- kinds of order (docs/adr/0041) -----------------------------------------------------------
#
# A Stalking Protection Order on a police application, one a criminal court makes of its own
# motion, a restraining order, bail conditions, a non-molestation order and a Domestic Abuse
# Protection Order share one lifecycle (the tables above): made, varied, renewed where the law
# allows, discharged, ended, appealed, breached. They differ only where the law does, and that
# is this table.

@dataclass(frozen=True)
class OrderType:
    value: str
    label: str  # for officers and the pack
    words: str  # for the victim
    bases: tuple[tuple[str, str], ...]  # (basis, what makes it, with its section)
    breach: str  # what breaching it is, with its section
    breach_note: str  # one paragraph for the breach pack
    notification: bool = False  # the defendant notifies the police (SPA ss.9-11)
    min_months: int | None = None  # a fixed period's least length
    renewable: bool = False
    discharge_consent_months: int | None = None  # no discharge within this without consents
    spa_appeals: bool = False  # the appeals of SPA s.7 (who applied decides)


_SPA_BREACH = ("Breaching a Stalking Protection Order or an interim order without reasonable "
               "excuse is an offence triable either way (Stalking Protection Act 2019, s.8), "
               "punishable on indictment by up to five years' imprisonment.")
ORDER_TYPES: dict[str, OrderType] = {t.value: t for t in (
    OrderType(
        "spo", "Stalking Protection Order", "Stalking Protection Order",
        (("application", "On a police application (Stalking Protection Act 2019, s.1-2)"),
         ("conviction", "By a criminal court of its own motion on conviction (Stalking "
                        "Protection Act 2019 as amended by the Crime and Policing Act 2026)"),
         ("acquittal", "By a criminal court of its own motion on acquittal (Stalking "
                       "Protection Act 2019 as amended by the Crime and Policing Act 2026)")),
        "Stalking Protection Act 2019, s.8", _SPA_BREACH, notification=True,
        min_months=MIN_FIXED_MONTHS, renewable=True, discharge_consent_months=24,
        spa_appeals=True),
    OrderType(
        "restraining_order", "Restraining order", "Restraining order",
        (("conviction", "On conviction (Sentencing Act 2020, s.360; before 1 December 2020, "
                        "Protection from Harassment Act 1997, s.5)"),
         ("acquittal", "On acquittal (Protection from Harassment Act 1997, s.5A)")),
        "Sentencing Act 2020, s.363; Protection from Harassment Act 1997, s.5A(2D)",
        "Doing anything a restraining order prohibits, without reasonable excuse, is an "
        "offence triable either way (Sentencing Act 2020, s.363, for an order on conviction; "
        "Protection from Harassment Act 1997, s.5A(2D), for one on acquittal), punishable on "
        "indictment by up to five years' imprisonment."),
    OrderType(
        "bail", "Bail conditions", "Bail conditions",
        (("court_bail", "Conditions of court bail (Bail Act 1976, s.3(6))"),
         ("police_bail", "Conditions of police bail (Bail Act 1976, s.3A; Police and Criminal "
                         "Evidence Act 1984, s.47(1A))")),
        "Bail Act 1976, s.7(3)",
        "Breaking a bail condition is not itself an offence: the police may arrest the person "
        "without a warrant (Bail Act 1976, s.7(3)) and bring them before a court, which may "
        "remand them in custody. The breach is recorded so the court can be told."),
    OrderType(
        "non_molestation", "Non-molestation order", "Non-molestation order",
        (("family_court", "By the family court (Family Law Act 1996, s.42)"),),
        "Family Law Act 1996, s.42A",
        "Doing anything a non-molestation order prohibits, without reasonable excuse, is an "
        "offence triable either way (Family Law Act 1996, s.42A), punishable on indictment "
        "by up to five years' imprisonment.", renewable=True),
    OrderType(
        "dapo", "Domestic Abuse Protection Order", "Domestic Abuse Protection Order",
        (("application", "On application (Domestic Abuse Act 2021, s.28), where in force"),
         ("court", "By a court in other proceedings (Domestic Abuse Act 2021, s.31), where "
                   "in force")),
        "Domestic Abuse Act 2021, s.39",
        "Breaching a Domestic Abuse Protection Order without reasonable excuse is an offence "
        "triable either way (Domestic Abuse Act 2021, s.39), punishable on indictment by up "
        "to five years' imprisonment.", renewable=True),
)}


def order_type(value: str) -> OrderType:
    return ORDER_TYPES.get(value, ORDER_TYPES["spo"])


def type_allows(order_type_value: str, new: str) -> bool:
    """Whether a kind of order may take a step at all: only some are renewed."""
    renewing = new in ("renewed", "interim_renewed")
    return order_type(order_type_value).renewable or not renewing
