"""The force dashboard (issue 8, point 7): over 10,000 cases and 2,000 orders the page renders
in a median under 300 ms on PostgreSQL.

Run: ``.venv/bin/python bench/bench_dashboard.py`` from the repository root. Without
``DATABASE_URL`` it runs itself again under ``scripts/with-postgres.sh`` (a throw-away
PostgreSQL server, as the tests use); with one, it uses that database (it must be empty: the
script migrates it and fills it). ``--sqlite`` runs on SQLite in a temporary folder instead,
for comparison.

What it builds (``seed_dashboard``, in bulk, the rows the services would write): one force with
six units and two officers each, and an analyst with a confirmed TOTP device; 10,000 cases
spread over the last 24 months, each with its "open" status row and a third with a day of
first report; 2,500 SPO applications submitted (draft and submitted status rows), 800 interim
orders granted and 300 refused, 1,200 full orders granted and 400 refused (2,000 orders in
all), and 1,500 breaches of the full orders with one or two outcome rows each (a fifth with
none yet). A second force with 1,000 cases of its own shows the figures are scoped.

What it times, through the Django test client as the signed-in, two-factor verified analyst
(the session, the middleware, the queries, the chart and the template), 25 runs after 3
warm-ups, reporting the median: the dashboard for the default twelve months, for all 24
months, one unit's months, and the CSV export of all 24 months.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = 10_000
UNITS = 6
MONTHS = 24
RUNS = 25
WARM_UP = 3


def _setup(data_dir: Path) -> None:
    os.environ["CAIRN_DATA_DIR"] = str(data_dir)
    os.environ["CAIRN_ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Plain static storage: the manifest needs collectstatic, which is not what is timed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", interactive=False, verbosity=0)


@contextmanager
def _stamped_by_hand() -> Iterator[None]:
    """Let bulk_create keep the times given, instead of auto_now_add's "now"."""
    from cairn.breaches.models import Breach, BreachOutcome
    from cairn.cases.models import Case, CaseStatusChange
    from cairn.orders.models import Application, ApplicationStatusChange, Order

    fields = [
        Case._meta.get_field("created_at"),
        CaseStatusChange._meta.get_field("at"),
        Application._meta.get_field("created_at"),
        ApplicationStatusChange._meta.get_field("at"),
        Order._meta.get_field("created_at"),
        Breach._meta.get_field("reported_at"),
        BreachOutcome._meta.get_field("at"),
    ]
    for field in fields:
        field.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True  # type: ignore[attr-defined]


def seed_dashboard(  # noqa: PLR0915 (one seeding script, read top to bottom)
    operator: Any,
    *,
    name: str = "North Police",
    cases: int = CASES,
    units: int = UNITS,
    months: int = MONTHS,
    now: datetime | None = None,
    seed: int = 7,
) -> dict[str, Any]:
    """A force with ``units`` units and ``cases`` cases over the last ``months`` months, with
    applications, orders, breaches and outcomes in the proportions the module docstring
    gives (scaled to ``cases``). Returns the force, its units and its officers."""
    from django.utils import timezone

    from cairn.accounts import services as accounts
    from cairn.accounts.models import OrganisationKind, Role, User
    from cairn.breaches.models import Breach, BreachOutcome, BreachOutcomeKind, BreachSource
    from cairn.cases.models import Case, CaseStatus, CaseStatusChange
    from cairn.orders.models import (
        Application,
        ApplicationStatus,
        ApplicationStatusChange,
        Order,
        OrderKind,
    )

    rng = random.Random(seed)
    now = now or timezone.now()
    span = timedelta(days=30.4 * months)
    force = accounts.create_organisation(actor=operator, name=name, kind=OrganisationKind.POLICE)
    made_units, officers = [], []
    slug = name.split()[0].lower()
    for n in range(units):
        unit = accounts.create_unit(actor=operator, organisation=force, name=f"Unit {n + 1}")
        made_units.append(unit)
        for m in range(2):
            user = User(username=f"{slug}.officer{n}.{m}")
            user.set_unusable_password()
            user.save()
            accounts.grant_role(actor=operator, user=user, unit=unit, role=Role.INVESTIGATOR)
            officers.append((unit, user))
    scale = cases / CASES
    with _stamped_by_hand():
        rows = []
        for n in range(cases):
            unit, officer = officers[n % len(officers)]
            opened = now - span * rng.random()
            reported = (opened - timedelta(days=rng.randint(0, 120))).date() if n % 3 == 0 else None
            rows.append(
                Case(
                    organisation=force,
                    unit=unit,
                    reference=f"{slug}/{n:05}",
                    officer=officer,
                    created_by=officer,
                    created_at=opened,
                    first_reported_on=reported,
                    status=CaseStatus.OPEN,
                )
            )
        made_cases = Case.objects.bulk_create(rows, batch_size=2000)
        CaseStatusChange.objects.bulk_create(
            [
                CaseStatusChange(
                    case=case, status=CaseStatus.OPEN, by=case.officer, at=case.created_at
                )
                for case in made_cases
            ],
            batch_size=2000,
        )
        # Applications for cases opened long enough ago for every step to be in the past.
        settled = [case for case in made_cases if case.created_at < now - timedelta(days=140)]
        applied = rng.sample(settled, round(2500 * scale))
        applications, steps, orders = [], [], []
        # What became of each application: (interim decision, full decision).
        fates = (
            [("interim_granted", "granted")] * round(800 * scale * 0.75)
            + [("interim_granted", "")] * (round(800 * scale) - round(800 * scale * 0.75))
            + [("interim_refused", "granted")] * round(150 * scale)
            + [("interim_refused", "refused")] * (round(300 * scale) - round(150 * scale))
        )
        fates += [("", "granted")] * (round(1200 * scale) - sum(f[1] == "granted" for f in fates))
        fates += [("", "refused")] * (round(400 * scale) - sum(f[1] == "refused" for f in fates))
        fates += [("", "")] * (len(applied) - len(fates))
        rng.shuffle(fates)
        for case, (interim, full) in zip(applied, fates, strict=True):
            started = case.created_at + timedelta(days=rng.randint(1, 40))
            submitted = started + timedelta(days=rng.randint(1, 30))
            application = Application(
                case=case,
                duration_months=24,
                interim_requested=bool(interim),
                created_by=case.officer,
                created_at=started,
                status=ApplicationStatus.SUBMITTED,
            )
            applications.append(application)
            steps.append(
                ApplicationStatusChange(
                    application=application,
                    by=case.officer,
                    status=ApplicationStatus.DRAFT,
                    at=started,
                )
            )
            steps.append(
                ApplicationStatusChange(
                    application=application,
                    by=case.officer,
                    status=ApplicationStatus.SUBMITTED,
                    at=submitted,
                )
            )
            decided = submitted
            if interim:
                decided = submitted + timedelta(days=rng.randint(0, 3))
                steps.append(
                    ApplicationStatusChange(
                        application=application, status=interim, by=case.officer, at=decided
                    )
                )
                application.status = interim
                if interim == "interim_granted":
                    orders.append(
                        Order(
                            application=application,
                            kind=OrderKind.INTERIM,
                            made_on=decided.date(),
                            created_by=case.officer,
                            created_at=decided,
                            expires_on=decided.date() + timedelta(days=90),
                        )
                    )
            if full:
                decided = decided + timedelta(days=rng.randint(14, 60))
                steps.append(
                    ApplicationStatusChange(
                        application=application, status=full, by=case.officer, at=decided
                    )
                )
                application.status = full
                if full == "granted":
                    orders.append(
                        Order(
                            application=application,
                            kind=OrderKind.FULL,
                            made_on=decided.date(),
                            duration_months=24,
                            created_by=case.officer,
                            created_at=decided,
                        )
                    )
        Application.objects.bulk_create(applications, batch_size=2000)
        ApplicationStatusChange.objects.bulk_create(steps, batch_size=2000)
        Order.objects.bulk_create(orders, batch_size=2000)
        full_orders = [order for order in orders if order.kind == OrderKind.FULL]
        breaches, outcomes = [], []
        kinds = BreachOutcomeKind.values
        for n in range(round(1500 * scale)):
            order = full_orders[n % len(full_orders)]
            case = order.application.case
            room = (now - order.created_at).days - 4
            occurred = order.created_at + timedelta(days=rng.randint(1, max(1, min(200, room))))
            reported = occurred + timedelta(hours=rng.randint(1, 72))
            breach = Breach(
                case=case,
                order=order,
                source=BreachSource.OFFICER,
                occurred_at=occurred,
                reported_at=reported,
                reported_by=case.officer,
            )
            steps_taken = [] if n % 5 == 0 else rng.sample(kinds, rng.choice((1, 2)))
            for m, outcome in enumerate(steps_taken):
                outcomes.append(
                    BreachOutcome(
                        breach=breach,
                        outcome=outcome,
                        by=case.officer,
                        on=(reported + timedelta(days=m + 1)).date(),
                        at=reported + timedelta(days=m + 1),
                    )
                )  # no reason: bulk_create seals none
            breach.outcome = steps_taken[-1] if steps_taken else ""
            breaches.append(breach)
        Breach.objects.bulk_create(breaches, batch_size=2000)
        BreachOutcome.objects.bulk_create(outcomes, batch_size=2000)
    return {
        "force": force,
        "units": made_units,
        "officers": [u for _, u in officers],
        "orders": len(orders),
    }


def _analyst(operator: Any, unit: Any) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cairn.accounts import services as accounts
    from cairn.accounts.models import Role, User

    user = User(username="analyst", display_name="Analyst")
    user.set_unusable_password()
    user.save()
    accounts.grant_role(actor=operator, user=user, unit=unit, role=Role.ANALYST)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def _client(user: Any) -> Any:
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def _time(client: Any, url: str) -> tuple[list[float], list[float], int]:
    """Wall-clock and this process's CPU time of each request, and its number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200, url
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, cpu, len(queries)


def _report(name: str, times: list[float], cpu: list[float], queries: int) -> None:
    ms = sorted(t * 1000 for t in times)
    print(
        f"| {name} | {ms[0]:.0f} ms | **{statistics.median(ms):.0f} ms** | {ms[-1]:.0f} ms "
        f"| {statistics.median(cpu) * 1000:.0f} ms | {len(ms)} | {queries} |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sqlite", action="store_true", help="run on SQLite instead")
    args = parser.parse_args()
    if not args.sqlite and not os.environ.get("DATABASE_URL"):
        script = ROOT / "scripts" / "with-postgres.sh"
        # Replace this process with the same command under a throw-away PostgreSQL server.
        os.execv(str(script), [str(script), sys.executable, __file__, *sys.argv[1:]])  # noqa: S606
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    scratch = Path(tempfile.mkdtemp(prefix="cairn-bench-dashboard-"))
    try:
        _setup(scratch / "data")
        from django.db import connection
        from django.urls import reverse
        from django.utils import timezone

        from cairn.accounts.models import User
        from cairn.breaches.models import Breach
        from cairn.cases.models import Case
        from cairn.dashboard.figures import Period, add_months, month_key
        from cairn.orders.models import Application, Order

        started = time.perf_counter()
        operator = User.objects.create_superuser("operator", password=None)
        north = seed_dashboard(operator)
        seed_dashboard(operator, name="South Police", cases=CASES // 10, units=2, seed=11)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        version = getattr(connection, "pg_version", None)
        print(f"database: {connection.vendor}" + (f" (server {version})" if version else ""))
        force = north["force"]
        print(
            f"built {Case.objects.filter(organisation=force).count()} cases, "
            f"{Application.objects.filter(case__organisation=force).count()} applications, "
            f"{Order.objects.filter(application__case__organisation=force).count()} orders, "
            f"{Breach.objects.filter(case__organisation=force).count()} breaches in "
            f"{len(north['units'])} units (and a second force of "
            f"{Case.objects.exclude(organisation=force).count()} cases) in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        client = _client(_analyst(operator, north["units"][0]))
        today = timezone.localdate()
        last = Period.default(today).last
        whole = Period(add_months(last, 1 - MONTHS), last)
        query = f"?from={month_key(whole.first)}&to={month_key(whole.last)}"
        home, csv_url = reverse("dashboard:home"), reverse("dashboard:csv")
        print(f"load average before: {_load()}")
        print("| request | min | median | max | median CPU (this process) | runs | queries |")
        print("|---|---|---|---|---|---|---|")
        _report("dashboard, last 12 months (default)", *_time(client, home))
        _report("dashboard, 24 months", *_time(client, home + query))
        _report(
            "dashboard, 24 months, one unit's table by month",
            *_time(client, home + query + f"&unit={north['units'][1].pk}"),
        )
        _report("CSV export, 24 months (6 units x 24 months)", *_time(client, csv_url + query))
        print(f"load average after: {_load()}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
