"""The dashboard benchmark's bulk seed, at a small scale: the rows it writes add up on the
dashboard the way its docstring says (and the dashboard reads them without error)."""

from __future__ import annotations

from datetime import date

import pytest
from bench.bench_dashboard import seed_dashboard
from django.utils import timezone

from cairn.breaches.models import Breach
from cairn.dashboard import queries
from cairn.dashboard.figures import Period
from cairn.orders.models import Order

pytestmark = pytest.mark.django_db


def test_the_seed_fills_a_dashboard(operator):
    seeded = seed_dashboard(operator, cases=200, units=2, months=24)
    force = seeded["force"]
    assert seeded["orders"] == Order.objects.filter(application__case__organisation=force).count()
    assert seeded["orders"] == 40  # 2,000 orders for 10,000 cases
    today = timezone.localdate()
    found = queries.dashboard_for(
        force, Period(date(today.year - 3, 1, 1), Period.default(today).last)
    )
    total = found.total()
    assert total.cases_opened == 200
    assert total.applications_submitted == 50
    assert total.interim_granted + total.full_granted == 40
    assert total.breaches_reported == Breach.objects.filter(case__organisation=force).count()
    assert total.median_days is not None and total.median_days > 0
