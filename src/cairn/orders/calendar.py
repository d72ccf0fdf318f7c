"""An iCalendar feed (RFC 5545, the ``icalendar`` package) of a unit's deadlines: hearings,
s.9 notification days, order expiries, renewal reviews and case reviews.

Every deadline is an all-day event with a UID that stays the same as long as the deadline is
the same thing (its kind and the row it comes from), so a calendar that subscribes updates an
event rather than adding another. The feed carries case references and kinds of deadline
only: never the victim's name, her evidence, or the terms of an order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from icalendar import Calendar, Event

from cairn.cases.access import cases_readable_by, referrals_readable_by
from cairn.orders.access import (
    hearings_readable_by,
    notifications_readable_by,
    orders_readable_by,
)
from cairn.orders.models import NotificationKind, OrderKind

PRODID = "-//Cairn//Stalking unit deadlines//EN"
UID_DOMAIN = "cairn.invalid"


@dataclass(frozen=True)
class Deadline:
    uid: str
    on: date
    kind: str  # hearing | notification_due | expiry | renewal_review | case_review | marac
    case_reference: str
    summary: str


def unit_deadlines(user: Any) -> list[Deadline]:
    """Every deadline of the cases ``user`` may read (their unit's), soonest first."""
    found: list[Deadline] = []
    for case in (
        cases_readable_by(user)
        .filter(next_review__isnull=False)
        .only("id", "reference", "next_review")
    ):
        found.append(
            Deadline(
                f"case-review-{case.pk}@{UID_DOMAIN}",
                case.next_review,
                "case_review",
                case.reference,
                f"{case.reference}: case review",
            )
        )
    for change in hearings_readable_by(user).select_related("application__case"):
        ref = change.application.case.reference
        found.append(
            Deadline(
                f"hearing-{change.pk}@{UID_DOMAIN}",
                change.hearing_on,
                "hearing",
                ref,
                f"{ref}: SPO hearing",
            )
        )
    # An order that a variation or renewal replaced has no deadlines of its own any more (the
    # new order carries them); an interim order a full one replaced keeps its dates, which
    # happened.
    orders = list(orders_readable_by(user).select_related("application__case"))
    replaced = {o.replaces_id for o in orders if o.replaces_id is not None}
    for order in orders:
        if order.pk in replaced:
            continue
        ref = order.application.case.reference
        name = "interim SPO" if order.kind == OrderKind.INTERIM else "SPO"
        if order.notification_due is not None:
            done = " (notified)" if order.notified_on else ""
            found.append(
                Deadline(
                    f"notification-due-{order.pk}@{UID_DOMAIN}",
                    order.notification_due,
                    "notification_due",
                    ref,
                    f"{ref}: {name} notification due (s.9){done}",
                )
            )
        if order.expires_on is not None:
            found.append(
                Deadline(
                    f"expiry-{order.pk}@{UID_DOMAIN}",
                    order.expires_on,
                    "expiry",
                    ref,
                    f"{ref}: {name} last day in effect",
                )
            )
        if order.renewal_review_on is not None:
            found.append(
                Deadline(
                    f"renewal-review-{order.pk}@{UID_DOMAIN}",
                    order.renewal_review_on,
                    "renewal_review",
                    ref,
                    f"{ref}: {name} renewal review",
                )
            )
    # The changes he must notify (s.9(3)-(4)) and the duty after sex offender notification
    # (s.9(7)); the first notification after service is the order's own deadline above.
    for event in (
        notifications_readable_by(user)
        .exclude(kind=NotificationKind.INITIAL)
        .filter(notified_on__isnull=True)
        .select_related("application__case")
    ):
        ref = event.application.case.reference
        found.append(
            Deadline(
                f"notification-{event.pk}@{UID_DOMAIN}",
                event.due_on,
                "notification_due",
                ref,
                f"{ref}: {CHANGE_WORDS[event.kind]} due (s.9)",
            )
        )
    # The MARAC meetings cases are listed for (issue 15, point 6).
    for referral in (
        referrals_readable_by(user)
        .filter(meeting_on__isnull=False, outcome="")
        .select_related("case")
    ):
        ref = referral.case.reference
        found.append(
            Deadline(
                f"marac-{referral.pk}@{UID_DOMAIN}",
                referral.meeting_on,
                "marac",
                ref,
                f"{ref}: MARAC meeting",
            )
        )
    found.sort(key=lambda d: (d.on, d.case_reference, d.kind, d.uid))
    return found


CHANGE_WORDS = {
    NotificationKind.NEW_NAME: "notification of a new name",
    NotificationKind.NEW_ADDRESS: "notification of a new home address",
    NotificationKind.AFTER_REGISTER: "notification after sex offender notification ended",
}


def feed(deadlines: Iterable[Deadline], *, name: str, now: datetime | None = None) -> bytes:
    """The deadlines as an iCalendar document."""
    stamp = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for deadline in deadlines:
        event = Event()
        event.add("uid", deadline.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.on)  # a date: VALUE=DATE, an all-day event
        event.add("dtend", deadline.on + timedelta(days=1))
        event.add("summary", deadline.summary)
        event.add("categories", [deadline.kind])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
