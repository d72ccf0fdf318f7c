"""The force dashboard (issue 8, point 7): an analyst's page of aggregates for their own
organisation, every unit in it, and the same figures as CSV.

Who: analysts only (``queries.analyst_membership``); anyone else gets 404. What: counts per
unit and calendar month (Europe/London) over whole months chosen in the query string (``from``,
``to``, ``unit``; the last twelve months by default), never vault content or names, so no read
here is audited as a read of a victim's log. See docs/adr/0021-force-dashboard.md.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from cairn import spreadsheet
from cairn.cameras.dashboard import footage_for
from cairn.dashboard import chart, queries, reference
from cairn.dashboard.figures import Dashboard, Figures, month_key, month_label
from cairn.dashboard.forms import DashboardFilterForm


def _filtered(request: HttpRequest) -> tuple[DashboardFilterForm, Dashboard, Any]:
    membership = queries.analyst_membership(request.user)
    organisation = membership.organisation
    units = [
        (str(pk), name) for pk, name in queries.units_of(organisation).values_list("id", "name")
    ]
    form = DashboardFilterForm(request.GET, today=timezone.localdate(), units=units)
    return form, queries.dashboard_for(organisation, form.period()), organisation


def _per_thousand(count: int, cases: int) -> float | None:
    return 1000 * count / cases if cases else None


def _row(label: str, figures: Figures, outcomes: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "label": label,
        "figures": figures,
        "median": figures.median_days,
        "rate": figures.applications_per_thousand,
        "outcomes": [figures.breach_outcomes.get(key, 0) for key, _ in outcomes],
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form, figures, organisation = _filtered(request)
    unit_id = form.unit_id()
    unit_name = dict(figures.units).get(unit_id or "", "")
    months = figures.by_month(unit_id)
    total = figures.total()
    svg = chart.applications_rate(
        [(month, f.applications_per_thousand) for month, f in months], reference.REFERENCE_LINE
    )
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "nav": "dashboard",
            "form": form,
            "organisation": organisation,
            "period": figures.period.label(),
            "total": total,
            "total_row": _row("Total", total, figures.outcomes),
            "outcomes": figures.outcomes,
            "outcome_totals": [
                (label, total.breach_outcomes.get(key, 0)) for key, label in figures.outcomes
            ],
            "month_rows": [_row(month_label(month), f, figures.outcomes) for month, f in months],
            "month_total": _row("Total", figures.total(unit_id), figures.outcomes),
            "unit_name": unit_name,
            "unit_rows": [_row(name, f, figures.outcomes) for _, name, f in figures.by_unit()],
            "chart": mark_safe(svg),  # noqa: S308 - built by chart.py, every text escaped there
            "applications_rate": total.applications_per_thousand,
            "orders_rate": _per_thousand(total.full_granted, total.cases_opened),
            "national_applications": reference.APPLICATIONS,
            "national_orders": reference.ORDERS_MADE,
            "reference_line": reference.REFERENCE_LINE,
            "csv_query": request.GET.urlencode(),
            # Footage asked for in time against footage lost (cairn.cameras, issue 22).
            "footage": footage_for(organisation, figures.period, figures.units, unit_id),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    form, figures, _ = _filtered(request)
    unit_id = form.unit_id()
    if unit_id is not None:
        figures.units = [(pk, name) for pk, name in figures.units if pk == unit_id]
    period = figures.period
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"force-dashboard-{month_key(period.first)}-to-{month_key(period.last)}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    writer = spreadsheet.writer(response)
    writer.writerow(figures.csv_header())
    writer.writerows(figures.csv_rows())
    return response
