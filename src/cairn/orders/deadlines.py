"""The deadlines of SPOs and the orders courts made, as rows for a table: the unit's page
(``views_orders.deadlines``) and the case page's section (``templatetags.order_pages``)."""

from __future__ import annotations

from typing import Any

from cairn.cases.access import referrals_readable_by
from cairn.cases.models import Case
from cairn.orders import access, services
from cairn.orders.calendar import Deadline
from cairn.orders.models import OrderKind

SOON_DAYS = 7
# Deadlines someone must act on by the day; the others (a hearing, an expiry) just pass.
ACTIONABLE = frozenset({"notification_due", "renewal_review", "case_review"})
PASSED_SHOWN_DAYS = 30


def deadline_rows(deadlines: list[Any], today: Any) -> list[dict[str, Any]]:
    """Rows for a deadline table: overdue (an actionable deadline gone by), passed (a hearing
    or expiry in the last 30 days; older ones are left out), or due within 7 days."""
    rows = []
    for d in deadlines:
        past = d.on < today
        if past and d.kind not in ACTIONABLE and (today - d.on).days > PASSED_SHOWN_DAYS:
            continue
        rows.append(
            {
                "deadline": d,
                "overdue": past and d.kind in ACTIONABLE,
                "passed": past and d.kind not in ACTIONABLE,
                "soon": not past and (d.on - today).days <= SOON_DAYS,
            }
        )
    return rows


def case_deadlines(user: Any, case: Case, today: Any) -> list[dict[str, Any]]:
    """The case's SPO deadlines, overdue first, for the case page: hearings, notification,
    expiry and renewal review of its current orders (not those a later order replaced)."""
    found: list[Deadline] = []
    for change in access.hearings_readable_by(user).filter(
        application__case=case, hearing_on__gte=today
    ):
        found.append(
            Deadline(f"h{change.pk}", change.hearing_on, "hearing", case.reference, "SPO hearing")
        )
    orders = [
        o
        for o in services.current_orders(
            access.orders_readable_by(user)
            .filter(application__case=case)
            .select_related("application")
        )
        if services.track_stands(o)
    ]
    for order in orders:
        name = "Interim order" if order.kind == OrderKind.INTERIM else "Order"
        if order.notification_due and not order.notified_on:
            found.append(
                Deadline(
                    f"n{order.pk}",
                    order.notification_due,
                    "notification_due",
                    case.reference,
                    f"{name}: notification due (s.9)",
                )
            )
        if order.expires_on:
            found.append(
                Deadline(
                    f"e{order.pk}",
                    order.expires_on,
                    "expiry",
                    case.reference,
                    f"{name}: last day in effect",
                )
            )
        if order.renewal_review_on:
            found.append(
                Deadline(
                    f"r{order.pk}",
                    order.renewal_review_on,
                    "renewal_review",
                    case.reference,
                    f"{name}: renewal review",
                )
            )
    for event in (
        access.notifications_readable_by(user)
        .filter(application__case=case, notified_on__isnull=True)
        .exclude(kind="initial")
    ):
        found.append(
            Deadline(
                f"c{event.pk}",
                event.due_on,
                "notification_due",
                case.reference,
                f"{event.get_kind_display()}: notification due",
            )
        )
    for referral in referrals_readable_by(user, case).filter(meeting_on__isnull=False, outcome=""):
        found.append(
            Deadline(
                f"m{referral.pk}", referral.meeting_on, "marac", case.reference, "MARAC meeting"
            )
        )
    found.sort(key=lambda d: (d.on, d.uid))
    return deadline_rows(found, today)
