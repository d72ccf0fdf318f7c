"""The dashboard's counts, read from the database for one organisation (ADR 0021).

Who: an analyst of the organisation (``analyst_membership``); anyone else gets 404. What:
counts only, grouped by the case's unit and the calendar month in Europe/London, in five
queries (cases opened; orders made; refusals; breaches by latest outcome; applications
submitted by days waited). No query here selects a text column of a case, an application,
an order or a breach, and none touches a vault: the dashboard can show no content and no
name, and reads nothing that would need a ``vault.read`` audit record.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404

from cairn.accounts.access import membership_of
from cairn.accounts.models import Membership, Organisation, Role, Unit
from cairn.breaches.models import Breach, BreachOutcomeKind
from cairn.cases.models import Case, Referral, ReferralKind, RightToKnow
from cairn.dashboard.figures import (
    LONDON,
    Dashboard,
    Period,
    Submissions,
    Tally,
    assemble,
)
from cairn.orders.models import ApplicationStatus, ApplicationStatusChange, Order, OrderKind


def analyst_membership(user: Any) -> Membership:
    """The signed-in analyst's role; 404 for everyone else, as if the page did not exist."""
    membership = membership_of(user)
    if membership is None or membership.role != Role.ANALYST:
        raise Http404("No such page")
    return membership


def units_of(organisation: Organisation) -> QuerySet[Unit]:
    return Unit.objects.filter(organisation=organisation).order_by("name")


class MonthNumber(Func):
    """Which month of a period a row's date or time falls in (0 for the first), in SQL:
    ``CASE WHEN field < <start of month 2> THEN 0 WHEN field < <start of month 3> THEN 1 ...
    ELSE n - 1 END``, comparing the stored value with the London midnights that start each
    month. The same months as ``TruncMonth(field, tzinfo=LONDON)`` without converting every
    row's time zone (SQLite does that in Python, row by row) or reading a timestamp back per
    group. Written as one expression rather than ``Case(When(...))`` because Django resolves
    and hashes each ``When`` as a filter, which cost more than the queries themselves."""

    output_field = IntegerField()

    def __init__(self, field: str, bounds: tuple[Any, ...]) -> None:
        super().__init__(F(field))
        self.bounds = bounds

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, column_params = compiler.compile(self.source_expressions[0])
        adapt = (
            connection.ops.adapt_datetimefield_value
            if self.bounds and isinstance(self.bounds[0], datetime)
            else connection.ops.adapt_datefield_value
        )
        whens, params = [], []
        for number, bound in enumerate(self.bounds):
            whens.append(f"WHEN {column} < %s THEN {number}")
            params.extend([*column_params, adapt(bound)])
        if not whens:
            return "0", []
        return f"CASE {' '.join(whens)} ELSE {len(self.bounds)} END", params


def _month_number(field: str, period: Period, *, days: bool = False) -> MonthNumber:
    starts = period.months()[1:]
    return MonthNumber(
        field,
        tuple(starts)
        if days
        else tuple(datetime.combine(month, time(), tzinfo=LONDON) for month in starts),
    )


def _tallies(rows: QuerySet[Any, dict[str, Any]], unit_field: str, period: Period) -> list[Tally]:
    months = period.months()
    return [Tally(str(row.pop(unit_field)), months[row.pop("month")], row) for row in rows]


def dashboard_for(organisation: Organisation, period: Period) -> Dashboard:
    start, end = period.start, period.end
    cases = _tallies(
        Case.objects.filter(organisation=organisation, created_at__gte=start, created_at__lt=end)
        .annotate(month=_month_number("created_at", period))
        .values("unit_id", "month")
        .annotate(cases_opened=Count("id"))
        .order_by(),
        "unit_id",
        period,
    )
    # Orders made, not their variations and renewals (each a new row that replaces one).
    orders = _tallies(
        Order.objects.filter(
            application__case__organisation=organisation,
            made_on__gte=period.first,
            made_on__lt=period.end_day,
            replaces__isnull=True,
            application__order_type="spo",
        )
        .annotate(month=_month_number("made_on", period, days=True))
        .values("application__case__unit_id", "month")
        .annotate(
            interim_granted=Count("id", filter=Q(kind=OrderKind.INTERIM)),
            full_granted=Count("id", filter=Q(kind=OrderKind.FULL)),
        )
        .order_by(),
        "application__case__unit_id",
        period,
    )
    # A refusal counts once per application and month (a refusal upheld on appeal in a later
    # month counts again there: it is another decision of a court).
    refusals = _tallies(
        ApplicationStatusChange.objects.filter(
            application__case__organisation=organisation,
            at__gte=start,
            at__lt=end,
            status__in=(ApplicationStatus.INTERIM_REFUSED, ApplicationStatus.REFUSED),
        )
        .annotate(month=_month_number("at", period))
        .values("application__case__unit_id", "month")
        .annotate(
            interim_refused=Count(
                "application_id", distinct=True, filter=Q(status=ApplicationStatus.INTERIM_REFUSED)
            ),
            full_refused=Count(
                "application_id", distinct=True, filter=Q(status=ApplicationStatus.REFUSED)
            ),
        )
        .order_by(),
        "application__case__unit_id",
        period,
    )
    outcome_counts = {
        f"outcome_{key}": Count("id", filter=Q(outcome=key))
        for key in ("", *BreachOutcomeKind.values)
    }
    breaches = _tallies(
        Breach.objects.filter(
            case__organisation=organisation, reported_at__gte=start, reported_at__lt=end
        )
        .annotate(month=_month_number("reported_at", period))
        .values("case__unit_id", "month")
        .annotate(breaches_reported=Count("id"), **outcome_counts)
        .order_by(),
        "case__unit_id",
        period,
    )
    # Issue 15, point 6: right-to-know decisions and referrals, counted where they were made.
    decisions = _tallies(
        RightToKnow.objects.filter(
            case__organisation=organisation,
            decided_on__gte=period.first,
            decided_on__lt=period.end_day,
        )
        .annotate(month=_month_number("decided_on", period, days=True))
        .values("case__unit_id", "month")
        .annotate(
            **{
                f"right_to_know_{name}": Count("id", filter=Q(decision=value))
                for name, value in (
                    ("told", "tell"),
                    ("not_told", "not_tell"),
                    ("not_yet", "not_yet"),
                )
            }
        )
        .order_by(),
        "case__unit_id",
        period,
    )
    referrals = _tallies(
        Referral.objects.filter(
            case__organisation=organisation,
            referred_on__gte=period.first,
            referred_on__lt=period.end_day,
        )
        .annotate(month=_month_number("referred_on", period, days=True))
        .values("case__unit_id", "month")
        .annotate(
            **{
                f"referrals_{kind}": Count("id", filter=Q(kind=kind))
                for kind in ReferralKind.values
            }
        )
        .order_by(),
        "case__unit_id",
        period,
    )
    months = period.months()
    # Days from first report to submission, worked out by the database (London days), and
    # counted per unit, month and number of days: the medians need every value, not a row per
    # application.
    waited = TruncDate("at", tzinfo=LONDON) - Coalesce(
        "application__case__first_reported_on",
        TruncDate("application__case__created_at", tzinfo=LONDON),
    )
    submissions = [
        Submissions(
            str(row["application__case__unit_id"]),
            months[row["month"]],
            row["waited"].days,
            row["count"],
        )
        for row in ApplicationStatusChange.objects.filter(
            application__case__organisation=organisation,
            at__gte=start,
            at__lt=end,
            status=ApplicationStatus.SUBMITTED,
        )
        .annotate(
            month=_month_number("at", period),
            waited=ExpressionWrapper(waited, output_field=DurationField()),
        )
        .values("application__case__unit_id", "month", "waited")
        .annotate(count=Count("application_id", distinct=True))
        .order_by()
    ]
    units = [(str(pk), name) for pk, name in units_of(organisation).values_list("id", "name")]
    return assemble(
        period,
        units,
        list(BreachOutcomeKind.choices),
        [*cases, *orders, *refusals, *breaches, *decisions, *referrals],
        submissions,
    )
