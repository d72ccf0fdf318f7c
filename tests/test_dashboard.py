"""The force dashboard (issue 8, point 7): the figures per unit and month for a hand-built set
of cases, applications, orders and breaches across two units, two months and the clock change
of 29 March 2026; another force's data never counts; the CSV says what the page says and is
safe to open in a spreadsheet; only analysts see any of it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cairn.accounts import services as accounts
from cairn.accounts.models import Role
from cairn.audit.models import AuditRecord
from cairn.breaches.models import Breach, BreachSource
from cairn.cases import services as cases
from cairn.cases.models import Case
from cairn.dashboard import chart, queries, reference
from cairn.dashboard.figures import (
    NO_OUTCOME,
    Period,
    Submissions,
    Tally,
    assemble,
    month_of,
)
from cairn.orders.models import Application, ApplicationStatus, ApplicationStatusChange, Order
from tests.factories import UserFactory
from tests.orgs import sign_in_verified

pytestmark = pytest.mark.django_db

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)
SPRING = Period(MARCH, APRIL)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def open_case(actor, reference, opened, first_reported_on=None):  # type: ignore[no-untyped-def]
    case = cases.open_case(actor=actor, reference=reference, first_reported_on=first_reported_on)
    Case.objects.filter(pk=case.pk).update(created_at=opened)
    return case


def step(application, status, at):  # type: ignore[no-untyped-def]
    change = ApplicationStatusChange.objects.create(
        application=application, status=status, by=application.created_by
    )
    ApplicationStatusChange.objects.filter(pk=change.pk).update(at=at)


def submit(case, submitted_at):  # type: ignore[no-untyped-def]
    application = Application.objects.create(case=case, duration_months=24, created_by=case.officer)
    step(application, ApplicationStatus.SUBMITTED, submitted_at)
    return application


def order(application, kind, made_on):  # type: ignore[no-untyped-def]
    return Order.objects.create(
        application=application, kind=kind, made_on=made_on, created_by=application.created_by
    )


def breach(made, reported_at, outcome=""):  # type: ignore[no-untyped-def]
    found = Breach.objects.create(
        case=made.application.case,
        order=made,
        source=BreachSource.OFFICER,
        occurred_at=reported_at,
        account="He came to her door.",
        reported_by=made.created_by,
    )
    Breach.objects.filter(pk=found.pk).update(reported_at=reported_at, outcome=outcome)


@pytest.fixture
def world(investigator, unit_peer, foreign_investigator, analyst):
    """Two units of North Police (Stalking Unit, CID) and one of South Police."""
    # The Stalking Unit: opened in February (outside the period), March, and either side of
    # midnight in London on 31 March (British Summer Time since 29 March).
    a0 = open_case(investigator, "N/0", utc(2026, 2, 27, 12))
    a1 = open_case(investigator, "N/1", utc(2026, 3, 10, 12), first_reported_on=date(2026, 3, 1))
    a2 = open_case(investigator, "N/2", utc(2026, 3, 31, 23, 30))  # 00:30 on 1 April in London
    a3 = open_case(investigator, "N/3", utc(2026, 3, 31, 22, 30))  # 23:30 on 31 March
    submit(a0, utc(2026, 3, 2, 9))  # 3 days after the case was opened
    app1 = submit(a1, utc(2026, 3, 20, 10))  # 19 days after first report
    step(app1, ApplicationStatus.INTERIM_REFUSED, utc(2026, 3, 25, 14))
    full1 = order(app1, "full", date(2026, 4, 10))
    app2 = submit(a2, utc(2026, 4, 30, 23, 30))  # 1 May in London: after the period
    app3 = submit(a3, utc(2026, 4, 5, 9))  # 5 days after 31 March
    order(app3, "interim", date(2026, 4, 6))
    step(app3, ApplicationStatus.REFUSED, utc(2026, 4, 20, 11))
    breach(full1, utc(2026, 4, 12, 8), "arrested")
    breach(full1, utc(2026, 4, 15, 8))
    breach(full1, utc(2026, 4, 30, 23, 30), "charged")  # May in London
    # CID: one case in April, first reported in February.
    b1 = open_case(unit_peer, "N/9", utc(2026, 4, 15, 10), first_reported_on=date(2026, 2, 20))
    app_b = submit(b1, utc(2026, 4, 20, 10))  # 59 days after first report
    full_b = order(app_b, "full", date(2026, 4, 28))
    breach(full_b, utc(2026, 4, 29, 10), "no_further_action")
    # South Police: the same kinds of thing, which North's analyst must never count.
    f1 = open_case(foreign_investigator, "S/1", utc(2026, 3, 15, 10))
    app_f = submit(f1, utc(2026, 3, 16, 10))
    step(app_f, ApplicationStatus.REFUSED, utc(2026, 3, 30, 10))
    full_f = order(app_f, "full", date(2026, 4, 1))
    breach(full_f, utc(2026, 4, 2, 10), "charged")
    return {
        "unit": str(investigator.memberships.get().unit_id),
        "cid": str(unit_peer.memberships.get().unit_id),
        "app2": app2,
    }


def counts(figures):  # type: ignore[no-untyped-def]
    return (
        figures.cases_opened,
        figures.applications_submitted,
        figures.interim_granted,
        figures.interim_refused,
        figures.full_granted,
        figures.full_refused,
        figures.median_days,
        figures.breaches_reported,
    )


def test_figures_per_unit_and_month_in_london_time(world, analyst):
    organisation = analyst.memberships.get().organisation
    found = queries.dashboard_for(organisation, SPRING)
    unit, cid = world["unit"], world["cid"]
    assert [name for _, name in found.units] == ["CID", "Stalking Unit"]
    assert counts(found.cell(unit, MARCH)) == (2, 2, 0, 1, 0, 0, 11.0, 0)
    assert counts(found.cell(unit, APRIL)) == (1, 1, 1, 0, 1, 1, 5.0, 2)
    assert found.cell(unit, APRIL).breach_outcomes == {"arrested": 1, NO_OUTCOME: 1}
    assert counts(found.cell(cid, MARCH)) == (0, 0, 0, 0, 0, 0, None, 0)
    assert counts(found.cell(cid, APRIL)) == (1, 1, 0, 0, 1, 0, 59.0, 1)
    assert found.cell(cid, APRIL).breach_outcomes == {"no_further_action": 1}
    total = found.total()
    assert counts(total) == (4, 4, 1, 1, 2, 1, 12.0, 3)  # median of 3, 19, 5 and 59
    assert total.applications_per_thousand == 1000.0
    by_month = dict(found.by_month())
    assert counts(by_month[APRIL]) == (2, 2, 1, 0, 2, 1, 32.0, 3)
    assert counts(dict(found.by_month(cid))[APRIL]) == (1, 1, 0, 0, 1, 0, 59.0, 1)


def test_a_wider_period_takes_in_what_fell_outside(world, analyst):
    organisation = analyst.memberships.get().organisation
    found = queries.dashboard_for(organisation, Period(date(2026, 2, 1), date(2026, 5, 1)))
    assert found.cell(world["unit"], date(2026, 2, 1)).cases_opened == 1
    may = found.cell(world["unit"], date(2026, 5, 1))
    assert (may.applications_submitted, may.breaches_reported) == (1, 1)
    assert may.breach_outcomes == {"charged": 1}


def test_a_single_month(world, analyst):
    organisation = analyst.memberships.get().organisation
    found = queries.dashboard_for(organisation, Period(APRIL, APRIL))
    assert counts(found.total()) == (2, 2, 1, 0, 2, 1, 32.0, 3)


def test_another_force_sees_only_its_own(world, operator, other_force, foreign_unit):
    south = UserFactory(username="an.south")
    accounts.grant_role(actor=operator, user=south, unit=foreign_unit, role=Role.ANALYST)
    found = queries.dashboard_for(other_force, SPRING)
    assert [name for _, name in found.units] == ["Stalking Unit"]
    assert counts(found.total()) == (1, 1, 0, 0, 1, 1, 1.0, 1)
    client = Client()
    sign_in_verified(client, south)
    page = client.get(reverse("dashboard:home"), {"from": "2026-03", "to": "2026-04"})
    assert page.status_code == 200
    assert b"South Police" in page.content and b"North Police" not in page.content
    assert b"CID" not in page.content


def analyst_client(analyst):  # type: ignore[no-untyped-def]
    client = Client()
    sign_in_verified(client, analyst)
    return client


def test_the_page_shows_the_figures_and_reads_no_vault(world, analyst):
    client = analyst_client(analyst)
    before = AuditRecord.objects.filter(action="vault.read").count()
    page = client.get(reverse("dashboard:home"), {"from": "2026-03", "to": "2026-04"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "March 2026 to April 2026" in text
    assert "<caption" in text and 'scope="row"' in text and 'scope="col"' in text
    assert 'role="img"' in text and reference.REFERENCE_LINE.source in text
    assert reference.ORDERS_MADE.source in text
    assert "0.3% of 103,348" in text and "456 against about 80,000" in text
    # Aggregates only: no case reference, no officer's account, no name of an officer.
    for secret in ("N/1", "He came to her door", "DC Reed"):
        assert secret not in text
    assert AuditRecord.objects.filter(action="vault.read").count() == before
    assert 'aria-current="page"' in text and "Force dashboard</strong>" in text  # the menu
    month_rows = page.context["month_rows"]
    assert [row["label"] for row in month_rows] == ["March 2026", "April 2026"]
    assert page.context["total"].cases_opened == 4


def test_the_default_is_the_last_twelve_months(analyst):
    page = analyst_client(analyst).get(reverse("dashboard:home"))
    assert page.status_code == 200
    assert len(page.context["month_rows"]) == 12
    today = timezone.localdate()
    assert page.context["month_rows"][-1]["label"].endswith(str(today.year))


def test_a_wrong_filter_is_named_and_the_default_shown(analyst):
    page = analyst_client(analyst).get(
        reverse("dashboard:home"), {"from": "2026-04", "to": "2026-03"}
    )
    assert page.status_code == 400
    assert b"The end month must be the same as or after the start month" in page.content
    assert len(page.context["month_rows"]) == 12
    page = analyst_client(analyst).get(
        reverse("dashboard:home"), {"from": "1999-01", "to": "2026-03"}
    )
    assert page.status_code == 400
    assert b"Choose a month from the list" in page.content


def read_csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_the_csv_says_what_the_page_says(world, analyst):
    client = analyst_client(analyst)
    query = {"from": "2026-03", "to": "2026-04"}
    page = client.get(reverse("dashboard:home"), query)
    got = client.get(reverse("dashboard:csv"), query)
    assert got.status_code == 200
    assert got["Content-Type"].startswith("text/csv")
    assert "force-dashboard-2026-03-to-2026-04.csv" in got["Content-Disposition"]
    rows = read_csv(got)
    assert [(r["unit"], r["month"]) for r in rows] == [
        ("CID", "2026-03"),
        ("CID", "2026-04"),
        ("Stalking Unit", "2026-03"),
        ("Stalking Unit", "2026-04"),
    ]
    unit_april = rows[3]
    assert unit_april["cases_opened"] == "1" and unit_april["full_refused"] == "1"
    assert unit_april["median_days_first_report_to_application"] == "5.0"
    assert unit_april["breaches_outcome_arrested"] == "1"
    assert unit_april["breaches_outcome_none_yet"] == "1"
    assert rows[0]["median_days_first_report_to_application"] == ""
    total = page.context["total"]
    for column in (
        "cases_opened",
        "applications_submitted",
        "interim_granted",
        "interim_refused",
        "full_granted",
        "full_refused",
        "breaches_reported",
    ):
        assert sum(int(r[column]) for r in rows) == getattr(total, column), column
    for row, unit_row in zip(rows[1::2], page.context["unit_rows"], strict=True):
        assert int(row["breaches_reported"]) == unit_row["figures"].breaches_reported
    # The unit filter narrows the CSV as it narrows the table by month.
    only = read_csv(client.get(reverse("dashboard:csv"), {**query, "unit": world["cid"]}))
    assert {r["unit"] for r in only} == {"CID"}


def test_csv_cells_cannot_start_a_formula(operator, force, analyst):
    for name in ('=HYPERLINK("http://example.com")', "+44", "-1", "@SUM(A1)"):
        accounts.create_unit(actor=operator, organisation=force, name=name)
    rows = read_csv(analyst_client(analyst).get(reverse("dashboard:csv")))
    names = {r["unit"] for r in rows}
    assert '\'=HYPERLINK("http://example.com")' in names
    assert {"'+44", "'-1", "'@SUM(A1)", "Stalking Unit"} <= names
    assert not any(n.startswith(("=", "+", "-", "@", "\t")) for n in names)


@pytest.mark.parametrize(
    "role", ["investigator", "supervisor", "administrator", "unit_peer", "advocate", "owner"]
)
def test_only_analysts_see_the_dashboard(request, role):
    user = request.getfixturevalue(role)
    client = Client()
    sign_in_verified(client, user)
    for name in ("dashboard:home", "dashboard:csv"):
        assert client.get(reverse(name)).status_code == 404
    assert b"Force dashboard" not in client.get(reverse("vault:home"), follow=True).content


def test_signed_out_is_sent_to_sign_in(client):
    assert client.get(reverse("dashboard:csv")).status_code == 302


def test_an_analyst_without_two_factor_is_sent_to_set_it_up(analyst):
    client = Client()
    client.force_login(analyst)
    got = client.get(reverse("dashboard:home"))
    assert got.status_code == 302 and "/dashboard/" not in got["Location"]


# --- the officer records when the stalking was first reported --------------------------------


def test_opening_a_case_keeps_the_day_of_first_report(investigator):
    case = cases.open_case(actor=investigator, reference="N/7", first_reported_on=date(2026, 1, 5))
    assert Case.objects.get(pk=case.pk).first_reported_on == date(2026, 1, 5)
    with pytest.raises(ValidationError) as refused:
        cases.open_case(
            actor=investigator,
            reference="N/8",
            first_reported_on=timezone.localdate() + timedelta(days=1),
        )
    assert "first_reported_on" in refused.value.message_dict


def test_the_new_case_form_asks_for_the_day_of_first_report(investigator):
    client = Client()
    sign_in_verified(client, investigator)
    page = client.get(reverse("cases:new"))
    assert b"First reported to the police on" in page.content
    got = client.post(
        reverse("cases:new"),
        {
            "reference": "N/10",
            "officer": str(investigator.pk),
            "first_reported_on_day": "3",
            "first_reported_on_month": "3",
            "first_reported_on_year": "2026",
        },
    )
    assert got.status_code == 302
    assert Case.objects.get(reference="N/10").first_reported_on == date(2026, 3, 3)
    tomorrow = timezone.localdate() + timedelta(days=1)
    got = client.post(
        reverse("cases:new"),
        {
            "reference": "N/11",
            "officer": str(investigator.pk),
            "first_reported_on_day": str(tomorrow.day),
            "first_reported_on_month": str(tomorrow.month),
            "first_reported_on_year": str(tomorrow.year),
        },
    )
    assert got.status_code == 400
    assert b"today or in the past" in got.content


# --- the pure parts ---------------------------------------------------------------------------


def test_months_are_london_months():
    assert month_of(utc(2026, 3, 31, 23, 30)) == APRIL  # BST
    assert month_of(utc(2026, 10, 31, 23, 30)) == date(2026, 10, 1)  # GMT again
    assert month_of(utc(2026, 1, 31, 23, 59)) == date(2026, 1, 1)
    assert Period.default(date(2026, 11, 28)) == Period(date(2025, 12, 1), date(2026, 11, 1))
    assert SPRING.start == utc(2026, 3, 1, 0) and SPRING.end == utc(2026, 4, 30, 23)


def test_assemble_adds_up_and_ignores_strangers():
    units = [("u1", "One")]
    submissions = [
        Submissions("u1", MARCH, 4, 2),
        Submissions("u1", APRIL, 10, 1),
        Submissions("u9", MARCH, 3, 5),
    ]
    tallies = [
        Tally("u1", MARCH, {"cases_opened": 2, "outcome_": 1, "outcome_charged": 0}),
        Tally("u9", MARCH, {"cases_opened": 5}),
        Tally("u1", date(2026, 6, 1), {"cases_opened": 7}),
    ]
    found = assemble(SPRING, units, [], tallies, submissions)
    assert found.cell("u1", MARCH).applications_submitted == 2
    assert found.cell("u1", MARCH).days_to_application == [4, 4]
    assert found.total().applications_submitted == 3
    assert found.total().median_days == 4.0
    assert found.total().cases_opened == 2
    assert found.total().breach_outcomes == {NO_OUTCOME: 1}
    with pytest.raises(ValueError):
        assemble(SPRING, units, [], [Tally("u1", MARCH, {"nonsense": 1})], [])


def test_the_chart_describes_itself_and_draws_the_reference_line():
    svg = chart.applications_rate([(MARCH, 12.5), (APRIL, None)], reference.APPLICATIONS)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "March 2026: 12.5 per 1,000; April 2026: no cases opened" in svg
    assert f"{reference.APPLICATIONS.per_thousand:.1f}" in svg
    assert "stroke-dasharray" in svg and "style=" not in svg
    assert svg.count("<rect") == 1


def test_the_national_figures_are_what_research_says():
    assert round(reference.APPLICATIONS.percent, 1) == 0.3
    assert round(reference.ORDERS_MADE.per_thousand, 1) == 5.7
    assert "ITV News" in reference.APPLICATIONS.source
    assert "Guardian" in reference.ORDERS_MADE.source
