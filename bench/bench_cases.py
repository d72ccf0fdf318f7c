"""The officer's pages (issue 7): with 1,000 cases and 100 users on PostgreSQL, the unit's case
list and a case page render in a median under 200 ms.

Run: ``.venv/bin/python bench/bench_cases.py`` from the repository root. Without
``DATABASE_URL`` it runs itself again under ``scripts/with-postgres.sh`` (a throw-away
PostgreSQL server, as the tests use); with one, it uses that database (it must be empty: the
script migrates it and fills it). ``--sqlite`` runs on SQLite in a temporary folder instead,
for comparison.

What it builds, through the services: the demo vault (63 incidents, ``cairn.demo``); one force
with a stalking unit of 100 officers (investigators and supervisors, each with a confirmed
TOTP device); 1,000 cases of that unit (statuses, review dates and officers spread across
them), 50 of which the demo victim linked her log to. The case measured has her whole log
shared, a suspect, status changes, actions and notes and a risk assessment.

What it times, each page rendered through the Django test client by a signed-in, two-factor
verified officer (the session cookie, the middleware, the audited reads, the analysis and the
template), 25 runs after 3 warm-ups, reporting the median:

- the unit's case list, first page, default sort (next review), and filtered to "mine";
- the case page with a purpose chosen: the timeline of 63 shared incidents, the analysis of
  the shared evidence with its chart, two audit records written per request;
- the same case page before a purpose is chosen (no vault content read).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = 1_000
USERS = 100
LINKED = 50
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


def _people(operator):  # type: ignore[no-untyped-def]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cairn.accounts import services as accounts
    from cairn.accounts.models import OrganisationKind, Role, User

    force = accounts.create_organisation(
        actor=operator, name="North Police", kind=OrganisationKind.POLICE
    )
    unit = accounts.create_unit(actor=operator, organisation=force, name="Stalking Unit")
    officers = []
    for n in range(USERS):
        user = User(username=f"officer{n:03}", display_name=f"DC Officer {n:03}")
        user.set_unusable_password()
        user.save()
        role = Role.SUPERVISOR if n % 10 == 0 else Role.INVESTIGATOR
        accounts.grant_role(actor=operator, user=user, unit=unit, role=role)
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        officers.append(user)
    return officers


def _cases(officers, demo):  # type: ignore[no-untyped-def]
    from cairn.analysis.reading import risk_form
    from cairn.cases import services as cases
    from cairn.cases.models import CaseStatus

    statuses = [CaseStatus.INVESTIGATING, CaseStatus.AWAITING_REVIEW, CaseStatus.CLOSED]
    from django.utils import timezone

    today = timezone.localdate()
    made = []
    for n in range(CASES):
        officer = officers[n % USERS]
        case = cases.open_case(
            actor=officer,
            reference=f"NP/2026/{n:04}",
            next_review=today + timedelta(days=(n * 7) % 120 - 30) if n % 5 else None,
        )
        if n % 4:
            cases.change_status(actor=officer, case=case, status=statuses[n % 3])
        made.append(case)
    for case in made[:LINKED]:
        code = cases.issue_share_code(actor=case.officer, case=case)
        cases.link_by_code(actor=demo.owner, vault=demo, code=code, scope="all")
    measured = made[0]
    officer = measured.officer
    cases.add_suspect(
        actor=officer,
        case=measured,
        name="Mark Ellis",
        identifiers=[("phone", "07700 900123"), ("handle", "@m.ellis")],
    )
    for text in (
        "Visited the victim; took a statement.",
        "Requested CCTV from the council.",
        "Suspect interviewed under caution.",
    ):
        cases.add_entry(actor=officer, case=measured, kind="action", text=text)
    cases.add_entry(actor=officer, case=measured, kind="note", text="Refer to MARAC.")
    cases.record_risk_assessment(
        actor=officer, case=measured, form=risk_form(), answers={"threats": "yes", "weapons": "no"}
    )
    return measured


def _client(user):  # type: ignore[no-untyped-def]
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def _time(client, url: str) -> tuple[list[float], list[float], int]:  # type: ignore[no-untyped-def]
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
        f"| {statistics.median(cpu) * 1000:.0f} ms | {len(ms)} | {queries} |"
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
    scratch = Path(tempfile.mkdtemp(prefix="cairn-bench-cases-"))
    try:
        _setup(scratch / "data")
        from django.db import connection
        from django.urls import reverse
        from django.utils import timezone

        from cairn.accounts.models import User
        from cairn.demo import load_demo

        started = time.perf_counter()
        demo = load_demo(now=timezone.now())
        operator = User.objects.create_superuser("operator", password=None)
        officers = _people(operator)
        case = _cases(officers, demo)
        version = getattr(connection, "pg_version", None)
        print(f"database: {connection.vendor}" + (f" (server {version})" if version else ""))
        print(
            f"built {CASES} cases, {USERS} officers, {LINKED} linked to the demo log "
            f"({demo.incidents.count()} incidents) in {time.perf_counter() - started:.0f} s"
        )
        client = _client(case.officer)
        case_url = reverse("cases:case", args=[case.pk])
        print("| page | min | median | max | median CPU (this process) | runs | queries |")
        print("|---|---|---|---|---|---|---|")
        _report(
            "case list, first page (25 of 1,000), by next review",
            *_time(client, reverse("cases:list")),
        )
        _report(
            "case list, mine only (10 cases)",
            *_time(client, reverse("cases:list") + "?mine=on&sort=review"),
        )
        _report("case page, before choosing a purpose", *_time(client, case_url))
        response = client.post(
            reverse("cases:purpose", args=[case.pk]), {"purpose": "investigation", "next": case_url}
        )
        assert response.status_code == 302
        _report("case page, 63 shared incidents, timeline + analysis", *_time(client, case_url))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
