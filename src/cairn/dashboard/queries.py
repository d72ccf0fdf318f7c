"""The dashboard's counts, read from the database for one organisation (ADR 0021).

Who: an analyst of the organisation (``analyst_membership``); anyone else gets 404. What:
counts only, grouped by the case's unit and the calendar month in Europe/London, in five
queries (cases opened; orders made; refusals; breaches by latest outcome; applications
submitted by days waited). No query here selects a text column of a case, an application,
an order or a breach, and none touches a vault: the dashboard can show no content and no
name, and reads nothing that would need a ``vault.read`` audit record.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, TruncDate, TruncMonth
from django.http import Http404

from cairn.accounts.models import Membership, Organisation, Role, Unit
from cairn.cases.access import membership_of
from cairn.cases.models import Case
from cairn.dashboard.figures import (
    LONDON,
    Dashboard,
    Period,
    Submissions,
    Tally,
    assemble,
    first_of_month,
)
from cairn.orders.models import (
    ApplicationStatus,
    ApplicationStatusChange,
    Breach,
    BreachOutcomeKind,
    Order,
    OrderKind,
)


def analyst_membership(user: Any) -> Membership:
    """The signed-in analyst's role; 404 for everyone else, as if the page did not exist."""
    membership = membership_of(user)
    if membership is None or membership.role != Role.ANALYST:
        raise Http404("No such page")
    return membership


def units_of(organisation: Organisation) -> QuerySet[Unit]:
    return Unit.objects.filter(organisation=organisation).order_by("name")


def _month(value: Any) -> Any:
    """A TruncMonth result as the first day of its month (a datetime arrives in London)."""
    if hasattr(value, "astimezone"):
        return first_of_month(value.astimezone(LONDON).date())
    return first_of_month(value)


def _tallies(rows: QuerySet[Any, dict[str, Any]], unit_field: str) -> list[Tally]:
    found = []
    for row in rows:
        unit_id, month = row.pop(unit_field), _month(row.pop("month"))
        found.append(Tally(str(unit_id), month, row))
    return found


def dashboard_for(organisation: Organisation, period: Period) -> Dashboard:
    start, end = period.start, period.end
    cases = _tallies(
        Case.objects.filter(organisation=organisation, created_at__gte=start,
                            created_at__lt=end)
        .annotate(month=TruncMonth("created_at", tzinfo=LONDON))
        .values("unit_id", "month").annotate(cases_opened=Count("id")).order_by(),
        "unit_id")
    orders = _tallies(
        Order.objects.filter(application__case__organisation=organisation,
                             made_on__gte=period.first, made_on__lt=period.end_day)
        .annotate(month=TruncMonth("made_on"))
        .values("application__case__unit_id", "month")
        .annotate(interim_granted=Count("id", filter=Q(kind=OrderKind.INTERIM)),
                  full_granted=Count("id", filter=Q(kind=OrderKind.FULL))).order_by(),
        "application__case__unit_id")
    # A refusal counts once per application and month (a refusal upheld on appeal in a later
    # month counts again there: it is another decision of a court).
    refusals = _tallies(
        ApplicationStatusChange.objects.filter(
            application__case__organisation=organisation, at__gte=start, at__lt=end,
            status__in=(ApplicationStatus.INTERIM_REFUSED, ApplicationStatus.REFUSED))
        .annotate(month=TruncMonth("at", tzinfo=LONDON))
        .values("application__case__unit_id", "month")
        .annotate(interim_refused=Count("application_id", distinct=True,
                                        filter=Q(status=ApplicationStatus.INTERIM_REFUSED)),
                  full_refused=Count("application_id", distinct=True,
                                     filter=Q(status=ApplicationStatus.REFUSED))).order_by(),
        "application__case__unit_id")
    outcome_counts = {f"outcome_{key}": Count("id", filter=Q(outcome=key))
                      for key in ("", *BreachOutcomeKind.values)}
    breaches = _tallies(
        Breach.objects.filter(case__organisation=organisation, reported_at__gte=start,
                              reported_at__lt=end)
        .annotate(month=TruncMonth("reported_at", tzinfo=LONDON))
        .values("case__unit_id", "month")
        .annotate(breaches_reported=Count("id"), **outcome_counts).order_by(),
        "case__unit_id")
    # Days from first report to submission, worked out by the database (London days), and
    # counted per unit, month and number of days: the medians need every value, not a row per
    # application.
    waited = TruncDate("at", tzinfo=LONDON) - Coalesce(
        "application__case__first_reported_on",
        TruncDate("application__case__created_at", tzinfo=LONDON))
    submissions = [
        Submissions(str(row["application__case__unit_id"]),
                    date(row["year"], row["month"], 1), row["waited"].days, row["count"])
        for row in ApplicationStatusChange.objects.filter(
            application__case__organisation=organisation, at__gte=start, at__lt=end,
            status=ApplicationStatus.SUBMITTED)
        .annotate(year=ExtractYear("at", tzinfo=LONDON), month=ExtractMonth("at", tzinfo=LONDON),
                  waited=ExpressionWrapper(waited, output_field=DurationField()))
        .values("application__case__unit_id", "year", "month", "waited")
        .annotate(count=Count("application_id", distinct=True)).order_by()]
    units = [(str(pk), name) for pk, name in units_of(organisation).values_list("id", "name")]
    return assemble(period, units, list(BreachOutcomeKind.choices),
                    [*cases, *orders, *refusals, *breaches], submissions)
