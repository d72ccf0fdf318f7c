"""Which orders stand: current (not replaced), in force on a day, reportable by the victim,
and the day each had effect until; the interim track's state today (docs/adr/0040). Reads
only: the services write."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from cairn.cases.models import Case
from cairn.orders import rules
from cairn.orders.models import Application, ApplicationStatus, Order, OrderKind


def current_orders(orders: Iterable[Order]) -> list[Order]:
    """``orders`` without those a later order replaced: an order a variation or renewal took
    the place of (``replaces``), and an interim order once a full one is made on its
    application."""
    listed = list(orders)
    replaced = {o.replaces_id for o in listed if o.replaces_id is not None}
    with_full = {o.application_id for o in listed if o.kind == OrderKind.FULL}
    return [
        o
        for o in listed
        if o.pk not in replaced
        and not (o.kind == OrderKind.INTERIM and o.application_id in with_full)
    ]


def orders_in_force(case: Case, today: date | None = None) -> list[Order]:
    """The case's orders in force on ``today``: current (not replaced by a variation or
    renewal, an interim order not replaced by a full one), their track in a state where the
    order stands (``rules.ORDER_IN_FORCE``, ``rules.INTERIM_IN_FORCE``) and ``today`` within
    their dates, both ends included."""
    today = today or timezone.localdate()
    found = list(
        Order.objects.filter(application__case=case)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today), made_on__lte=today)
        .select_related("application")
        .prefetch_related("terms")
    )
    return [o for o in current_orders(found) if track_stands(o)]


# A breach is often reported days after it happened: an order that ended this recently can
# still be named in a victim's report (the breach itself must fall within its dates).
REPORT_AFTER_END_DAYS = 30


def orders_reportable(case: Case, today: date | None = None) -> list[Order]:
    """The orders a victim may report a breach of today: those in force, then those that
    ended in the last ``REPORT_AFTER_END_DAYS`` days on an application with no order in
    force now (an interim order that lapsed, an order discharged; not one a later order
    replaced, whose successor she is shown instead)."""
    today = today or timezone.localdate()
    in_force = orders_in_force(case, today)
    since = today - timedelta(days=REPORT_AFTER_END_DAYS)
    ended = []
    for order in (
        Order.objects.filter(application__case=case, made_on__lte=today)
        .exclude(application__in=[o.application_id for o in in_force])
        .select_related("application")
        .prefetch_related("terms")
    ):
        last = last_day_of_effect(order)
        if last is not None and since <= last < today:
            ended.append(order)
    return in_force + sorted(ended, key=lambda o: (o.made_on, o.created_at))


def track_stands(order: Order) -> bool:
    if order.kind == OrderKind.INTERIM:
        return order.application.interim_status in rules.INTERIM_IN_FORCE
    return order.application.status in rules.ORDER_IN_FORCE


def last_day_of_effect(order: Order) -> date | None:
    """The last day ``order`` had or has effect: its own last day, or earlier when a later
    step ended it (the day a variation or renewal replaced it, the day before; the day it was
    discharged, or an interim order's main application was decided, that day). None: no end
    yet (until further order)."""
    ends = [order.expires_on] if order.expires_on is not None else []
    replacement = Order.objects.filter(replaces=order).first()
    if replacement is not None:
        ends.append(replacement.made_on - timedelta(days=1))
    if order.kind == OrderKind.INTERIM:
        full = order.application.orders.filter(kind=OrderKind.FULL).order_by("made_on").first()
        if full is not None:
            ends.append(full.made_on)
    ending = (
        (ApplicationStatus.INTERIM_DISCHARGED, ApplicationStatus.INTERIM_ENDED)
        if order.kind == OrderKind.INTERIM
        else (ApplicationStatus.DISCHARGED, ApplicationStatus.EXPIRED)
    )
    for change in order.application.status_changes.filter(
        status__in=ending, at__gte=order.created_at
    ):
        ends.append(change.decided_on or timezone.localdate(change.at))
    return min(ends) if ends else None


def current_interim_order(application: Application) -> Order | None:
    """The interim order of ``application`` that no variation or renewal replaced (the
    latest made)."""
    return (
        application.orders.filter(kind=OrderKind.INTERIM, replaced_by__isnull=True)
        .order_by("-made_on", "-created_at")
        .first()
    )


def interim_state(application: Application, today: date | None = None) -> str:
    """The interim track's state today: an interim order past its last day has lapsed."""
    order = (
        current_interim_order(application)
        if application.interim_status in rules.INTERIM_IN_FORCE
        else None
    )
    return rules.interim_state(
        application.interim_status,
        order.expires_on if order is not None else None,
        today or timezone.localdate(),
    )
