"""The breach pages over HTTP: the victim reports from her vault and reads what happened to
her own reports (in plain words, with the reason for no further action); the officer records
a breach and its outcomes and downloads the pack; another unit, another force and other
victims get 404 for all of it."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cairn.audit.models import AuditRecord
from cairn.breaches import services as breaches
from cairn.breaches.models import Breach, BreachOutcome, BreachSource
from cairn.cases.models import Share
from cairn.orders import services as orders
from cairn.orders.rules import TermSpec
from cairn.packs.verify import verify_pack
from tests.factories import SPO_ANSWERS, make_incident, make_vault
from tests.orgs import sign_in_verified

GROUNDS = {key: {"text": "Ground.", "evidence": []} for key in orders.LIMBS}


@pytest.fixture
def order(partly_shared_case, investigator):
    application = orders.start_application(
        **SPO_ANSWERS,
        actor=investigator,
        case=partly_shared_case,
        duration_months=24,
        grounds=GROUNDS,
        terms=[
            TermSpec("no_contact", necessity="Daily messages."),
            TermSpec("no_entry_places", necessity="He waits there.", place="Hollins Road"),
        ],
    )
    orders.change_status(actor=investigator, application=application, status="submitted")
    return orders.record_order(
        actor=investigator,
        application=application,
        kind="full",
        made_on=timezone.localdate() - timedelta(days=60),
        duration_months=24,
    )


@pytest.fixture
def officer(client, investigator):
    sign_in_verified(client, investigator)
    return client


def _choose_purpose(client, case):  # type: ignore[no-untyped-def]
    session = client.session
    session[f"purpose:{case.pk}"] = "investigation"
    session.save()


def _one_h1(body: str) -> None:
    assert body.count("<h1") == 1
    assert "Exit this page" in body


# --- the victim -------------------------------------------------------------------------------


def test_the_victim_reports_a_breach_and_sees_its_outcome(
    owner_client, vault, order, owner, investigator, partly_shared_case
):
    incident = make_incident(vault, days_ago=1, description="He walked down Hollins Road.")
    share = Share.objects.get(vault=vault, case=partly_shared_case)
    report_url = reverse("breaches:victim-report", args=[vault.pk])
    page = owner_client.get(report_url)
    body = page.content.decode()
    assert page.status_code == 200
    _one_h1(body)
    assert "Must not go to Hollins Road." in body
    assert "Must not contact you in any way." in body
    assert "Log a new incident first" in body
    term = order.terms.get(kind="no_entry_places")

    refused = owner_client.post(report_url, {})
    assert refused.status_code == 400
    assert "govuk-error-summary" in refused.content.decode()
    assert "Choose the incident from your log" in refused.content.decode()

    done = owner_client.post(
        report_url, {"term": f"{share.pk}:{order.pk}:{term.pk}", "incident": str(incident.pk)}
    )
    breach = Breach.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("breaches:victim-breach", args=[vault.pk, breach.pk])
    assert breach.source == BreachSource.VICTIM and breach.term == term
    assert share.incidents.filter(pk=incident.pk).exists()

    breaches.record_outcome(
        actor=investigator,
        breach=breach,
        outcome="no_further_action",
        on=timezone.localdate(),
        reason="He was abroad that day, shown by his passport.",
    )
    listing = owner_client.get(reverse("breaches:victim-reports", args=[vault.pk])).content.decode()
    _one_h1(listing)
    assert "The police decided to take no further action" in listing
    assert "He was abroad that day, shown by his passport." in listing
    detail = owner_client.get(done["Location"]).content.decode()
    assert "Must not go to Hollins Road." in detail
    assert "The reason they gave" in detail
    # The sharing page links to both pages.
    share_page = owner_client.get(reverse("sharing:share", args=[vault.pk])).content.decode()
    assert reverse("breaches:victim-report", args=[vault.pk]) in share_page
    assert reverse("breaches:victim-reports", args=[vault.pk]) in share_page


def test_the_victim_sees_only_her_own_reports(
    owner_client, client, vault, order, owner, colleague, investigator, partly_shared_case
):
    incident = make_incident(vault, days_ago=1)
    share = Share.objects.get(vault=vault, case=partly_shared_case)
    hers = breaches.report_breach(actor=owner, vault=vault, incident=incident, share=share)
    officers = breaches.record_breach(
        actor=investigator,
        case=partly_shared_case,
        order=order,
        term=None,
        occurred_at=timezone.now() - timedelta(hours=1),
        account="Seen by PC 4 in the street.",
    )
    listing = owner_client.get(reverse("breaches:victim-reports", args=[vault.pk])).content.decode()
    assert reverse("breaches:victim-breach", args=[vault.pk, hers.pk]) in listing
    assert "Seen by PC 4" not in listing
    assert (
        owner_client.get(
            reverse("breaches:victim-breach", args=[vault.pk, officers.pk])
        ).status_code
        == 404
    )
    # Another victim: not her vault, not her report.
    client.force_login(colleague)
    own = make_vault(colleague, name="Sam's log", initials="SC")
    assert client.get(reverse("breaches:victim-reports", args=[vault.pk])).status_code == 404
    page = reverse("breaches:victim-breach", args=[vault.pk, hers.pk])
    assert client.get(page).status_code == 404
    assert client.get(reverse("breaches:victim-breach", args=[own.pk, hers.pk])).status_code == 404
    assert client.get(reverse("breaches:victim-report", args=[vault.pk])).status_code == 404


def test_without_an_order_in_force_the_victim_is_told_so(owner_client, vault, partly_shared_case):
    page = owner_client.get(reverse("breaches:victim-report", args=[vault.pk]))
    assert page.status_code == 200
    assert "There is no order in force" in page.content.decode()


# --- the officer ------------------------------------------------------------------------------


def test_the_officer_records_a_breach_and_the_outcome_arrested(officer, order, partly_shared_case):
    case = partly_shared_case
    page = officer.get(reverse("breaches:breach-new", args=[case.pk]))
    assert page.status_code == 200
    _one_h1(page.content.decode())
    term = order.terms.first()
    yesterday = timezone.localdate() - timedelta(days=1)
    refused = officer.post(reverse("breaches:breach-new", args=[case.pk]), {})
    assert refused.status_code == 400 and "govuk-error-summary" in refused.content.decode()
    done = officer.post(
        reverse("breaches:breach-new", args=[case.pk]),
        {
            "term": f"{order.pk}:{term.pk}",
            "day_day": yesterday.day,
            "day_month": yesterday.month,
            "day_year": yesterday.year,
            "at": "21:15",
            "account": "He phoned her at 21:15 from a withheld number.",
            "crime_reference": "CR/2026/0091",
        },
    )
    breach = Breach.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("breaches:breach", args=[case.pk, breach.pk])
    assert breach.crime_reference == "CR/2026/0091"

    case_page = officer.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert 'id="breaches"' in case_page
    assert reverse("breaches:breach", args=[case.pk, breach.pk]) in case_page

    breach_page = officer.get(done["Location"]).content.decode()
    _one_h1(breach_page)
    assert "Record the outcome" in breach_page and "Download the breach pack" in breach_page

    outcome_url = reverse("breaches:breach-outcome", args=[case.pk, breach.pk])
    today = timezone.localdate()
    nfa = officer.post(
        outcome_url,
        {
            "outcome": "no_further_action",
            "on_day": today.day,
            "on_month": today.month,
            "on_year": today.year,
        },
    )
    assert nfa.status_code == 400 and "Give the reason" in nfa.content.decode()
    arrested = officer.post(
        outcome_url,
        {
            "outcome": "arrested",
            "on_day": today.day,
            "on_month": today.month,
            "on_year": today.year,
        },
    )
    assert arrested.status_code == 302
    breach.refresh_from_db()
    assert breach.outcome == "arrested" and BreachOutcome.objects.count() == 1
    assert "Arrested" in officer.get(reverse("cases:case", args=[case.pk])).content.decode()

    pack = officer.get(reverse("breaches:breach-pack", args=[case.pk, breach.pk]))
    assert pack.status_code == 200 and pack["Content-Type"] == "application/pdf"
    assert re.search(r'filename="breach-pack-[0-9a-f]{8}\.pdf"', pack["Content-Disposition"])


def test_the_breach_page_reads_her_incident_through_the_audited_read_and_the_pack_verifies(
    officer, owner, vault, order, partly_shared_case, tmp_path
):
    case = partly_shared_case
    incident = make_incident(vault, days_ago=1, description="He was at my gate.")
    share = Share.objects.get(vault=vault, case=case)
    breach = breaches.report_breach(actor=owner, vault=vault, incident=incident, share=share)
    url = reverse("breaches:breach", args=[case.pk, breach.pk])
    before = AuditRecord.objects.filter(action="vault.read").count()
    blind = officer.get(url).content.decode()
    assert "He was at my gate." not in blind  # no purpose chosen yet: nothing read
    assert AuditRecord.objects.filter(action="vault.read").count() == before
    _choose_purpose(officer, case)
    seen = officer.get(url).content.decode()
    assert "He was at my gate." in seen
    read = AuditRecord.objects.filter(action="vault.read").latest("id")
    assert read.object_type == "incident" and read.detail["purpose"] == "investigation"

    pack = officer.get(reverse("breaches:breach-pack", args=[case.pk, breach.pk]))
    assert pack.status_code == 200 and pack["Content-Type"] == "application/zip"
    out = tmp_path / "pack.zip"
    out.write_bytes(b"".join(pack.streaming_content))
    assert verify_pack(out).ok
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as bundle:
        assert all("gate" not in name for name in bundle.namelist())


@pytest.mark.parametrize(
    "who", ["unit_peer", "foreign_investigator", "analyst", "owner", "advocate"]
)
def test_no_one_else_reaches_the_officers_breach_pages(
    request, who, order, owner, vault, partly_shared_case
):
    case = partly_shared_case
    share = Share.objects.get(vault=vault, case=case)
    breach = breaches.report_breach(
        actor=owner, vault=vault, incident=make_incident(vault, days_ago=1), share=share
    )
    client = Client()
    user = request.getfixturevalue(who)
    if who == "owner":
        client.force_login(user)
    else:
        sign_in_verified(client, user)
    for name, args in [
        ("breaches:breach-new", [case.pk]),
        ("breaches:breach", [case.pk, breach.pk]),
        ("breaches:breach-outcome", [case.pk, breach.pk]),
        ("breaches:breach-pack", [case.pk, breach.pk]),
    ]:
        url = reverse(name, args=args)
        assert client.get(url).status_code == 404, (name, who)
        assert client.post(url, {"outcome": "arrested"}).status_code in (404, 405), (name, who)
    assert not BreachOutcome.objects.exists()
    assert not AuditRecord.objects.filter(action="spo_breach.pack").exists()


def test_a_breach_is_not_found_through_another_case(
    officer, investigator, owner, vault, order, partly_shared_case
):
    from cairn.cases import services as cases

    other = cases.open_case(actor=investigator, reference="NP/OTHER")
    share = Share.objects.get(vault=vault, case=partly_shared_case)
    breach = breaches.report_breach(
        actor=owner, vault=vault, incident=make_incident(vault, days_ago=1), share=share
    )
    assert officer.get(reverse("breaches:breach", args=[other.pk, breach.pk])).status_code == 404
