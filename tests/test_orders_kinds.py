"""Kinds of order sharing one lifecycle (issue 15, point 5; docs/adr/0041): a Stalking
Protection Order made by a criminal court of its own motion on acquittal (the 2019 Act as
amended by the Crime and Policing Act 2026), a restraining order (Sentencing Act 2020 s.360,
formerly Protection from Harassment Act 1997 s.5; s.5A on acquittal), bail conditions (Bail
Act 1976 s.3(6), s.7(3)), a non-molestation order (Family Law Act 1996 s.42A) and a Domestic
Abuse Protection Order (Domestic Abuse Act 2021 s.39). Each takes a breach report from the
victim in the same plain words and an outcome from an officer, through the pages; where the
law differs, the table says so."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cairn.breaches.models import Breach
from cairn.breaches.pack import build_breach_pack
from cairn.cases import services as cases
from cairn.cases.models import CaseStatus, Share
from cairn.orders import changes, court_orders, rules
from cairn.orders import services as orders
from cairn.orders.models import NotificationEvent
from cairn.orders.rules import TermSpec
from tests.factories import make_incident
from tests.orgs import sign_in_verified

NO_CONTACT = TermSpec("no_contact")
NOT_NEAR = TermSpec("not_within_distance", radius_m=100)
HER_STREET = TermSpec("no_entry_places", place="Hollins Road")


def pdf_text(path) -> str:  # type: ignore[no-untyped-def]
    return " ".join(
        subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True)
        .stdout.decode()
        .split()
    )


def day(name, value):  # type: ignore[no-untyped-def]
    return {
        f"{name}_day": str(value.day),
        f"{name}_month": str(value.month),
        f"{name}_year": str(value.year),
    }


# --- the table --------------------------------------------------------------------------------


def test_the_kinds_differ_only_where_the_law_does():
    spo, ro, bail = (rules.ORDER_TYPES[k] for k in ("spo", "restraining_order", "bail"))
    assert (spo.notification, spo.min_months, spo.renewable, spo.discharge_consent_months) == (
        True,
        24,
        True,
        24,
    )
    assert not ro.notification and ro.min_months is None and not ro.renewable
    assert ro.breach == (
        "Sentencing Act 2020, s.363; Protection from Harassment Act 1997, s.5A(2D)"
    )
    assert dict(ro.bases)["acquittal"] == "On acquittal (Protection from Harassment Act 1997, s.5A)"
    assert dict(ro.bases)["conviction"].startswith("On conviction (Sentencing Act 2020, s.360")
    assert "not itself an offence" in bail.breach_note and bail.breach == "Bail Act 1976, s.7(3)"
    assert rules.ORDER_TYPES["non_molestation"].breach == "Family Law Act 1996, s.42A"
    assert rules.ORDER_TYPES["dapo"].breach == "Domestic Abuse Act 2021, s.39"
    # One lifecycle: the same table, less what a kind cannot do.
    assert rules.can_move("granted", "renewed", kind="spo")
    assert not rules.can_move("granted", "renewed", kind="restraining_order")
    assert rules.can_move("granted", "varied", kind="bail")
    assert rules.can_move("granted", "appealed_by_respondent", kind="restraining_order")


def test_what_each_kind_needs_is_checked(case, investigator):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="how the court made"):
        court_orders.record_court_order(
            actor=investigator,
            case=case,
            order_type="restraining_order",
            basis="application",
            made_on=today,
            terms=[NO_CONTACT],
            until_further_order=True,
        )
    with pytest.raises(ValidationError, match=r"at least 2 years \(24 months\)"):
        court_orders.record_court_order(
            actor=investigator,
            case=case,
            order_type="spo",
            basis="acquittal",
            made_on=today,
            terms=[NO_CONTACT],
            duration_months=12,
        )
    with pytest.raises(ValidationError, match="Give one of"):
        court_orders.record_court_order(
            actor=investigator,
            case=case,
            order_type="bail",
            basis="court_bail",
            made_on=today,
            terms=[NO_CONTACT],
        )
    with pytest.raises(ValidationError, match="at least one"):
        court_orders.record_court_order(
            actor=investigator,
            case=case,
            order_type="non_molestation",
            basis="family_court",
            made_on=today,
            terms=[],
            until_further_order=True,
        )


# --- a court-made SPO on acquittal ------------------------------------------------------------


def test_a_court_made_spo_on_acquittal_is_an_spo_in_everything_but_its_making(
    case, investigator, supervisor
):
    today = timezone.localdate()
    order = court_orders.record_court_order(
        actor=investigator,
        case=case,
        order_type="spo",
        basis="acquittal",
        made_on=today - timedelta(days=5),
        terms=[NO_CONTACT, HER_STREET],
        court="Manchester Crown Court",
        duration_months=36,
    )
    application = order.application
    assert (application.status, application.basis, application.grounds) == (
        "granted",
        "acquittal",
        {},
    )
    assert "Crime and Policing Act 2026" in application.status_changes.get().note
    # ss.9-11 apply: service starts the notification.
    orders.record_service(actor=investigator, order=order, served_on=today - timedelta(days=5))
    assert NotificationEvent.objects.filter(order=order, kind="initial").exists()
    # s.4 applies: within two years, discharged only with both consents.
    with pytest.raises(ValidationError, match="consent"):
        changes.discharge_order(
            actor=investigator, order=order, discharged_on=today, applicant="defendant"
        )
    assert orders.orders_in_force(case) == [order]
    with pytest.raises(ValidationError, match="is in force"):
        cases.change_status(actor=supervisor, case=case, status=CaseStatus.CLOSED)


def test_a_restraining_order_is_varied_not_renewed_and_ends_like_any_order(case, investigator):
    today = timezone.localdate()
    order = court_orders.record_court_order(
        actor=investigator,
        case=case,
        order_type="restraining_order",
        basis="conviction",
        made_on=today - timedelta(days=30),
        terms=[NO_CONTACT],
        until_further_order=True,
    )
    orders.record_service(actor=investigator, order=order, served_on=today - timedelta(days=30))
    assert not NotificationEvent.objects.exists()  # no notification duty
    with pytest.raises(ValidationError, match="cannot become"):
        changes.renew_order(
            actor=investigator, order=order, renewed_on=today, until_further_order=True
        )
    varied = changes.vary_order(
        actor=investigator,
        order=order,
        varied_on=today,
        terms=[NO_CONTACT, NOT_NEAR],
        applicant="defendant",
    )
    assert orders.orders_in_force(case) == [varied]
    changes.discharge_order(
        actor=investigator, order=varied, discharged_on=today, applicant="defendant"
    )  # no two-year rule
    assert orders.orders_in_force(case, today + timedelta(days=1)) == []


def test_bail_conditions_end_when_bail_ends(case, investigator):
    today = timezone.localdate()
    order = court_orders.record_court_order(
        actor=investigator,
        case=case,
        order_type="bail",
        basis="police_bail",
        made_on=today - timedelta(days=3),
        terms=[HER_STREET],
        until_further_order=True,
    )
    assert orders.orders_in_force(case) == [order]
    court_orders.end_bail(actor=investigator, order=order, ended_on=today)
    assert orders.orders_in_force(case, today + timedelta(days=1)) == []
    assert orders.last_day_of_effect(order) == today


# --- the victim reports, the officer records the outcome: through the pages -------------------


@pytest.mark.parametrize(
    ("order_type", "basis", "title", "offence"),
    [
        ("spo", "acquittal", "Stalking Protection Order", "Stalking Protection Act 2019, s.8"),
        (
            "restraining_order",
            "acquittal",
            "Restraining order",
            "Protection from Harassment Act 1997, s.5A(2D)",
        ),
        ("bail", "court_bail", "Bail conditions", "Bail Act 1976, s.7(3)"),
    ],
)
def test_each_kind_takes_the_victims_report_and_the_officers_outcome_through_the_pages(
    client,
    owner,
    vault,
    investigator,
    partly_shared_case,
    tmp_path,
    order_type,
    basis,
    title,
    offence,
):
    case = partly_shared_case
    today = timezone.localdate()
    sign_in_verified(client, investigator)
    # The officer records the order the court made.
    new = reverse("orders:court-order-new", args=[case.pk])
    assert f'value="{order_type}:{basis}"' in client.get(new).content.decode()
    period = (
        {"duration_months": "36"}
        if order_type == "spo"
        else day("ends_on", today + timedelta(days=60))
    )
    got = client.post(
        new,
        {
            "action": "save",
            "made": f"{order_type}:{basis}",
            "court": "Manchester Crown Court",
            **day("made_on", today - timedelta(days=10)),
            **period,
            "term-count": "2",
            "term-0-kind": "no_entry_places",
            "term-0-place": "Hollins Road",
            "term-1-kind": "no_contact",
        },
    )
    assert got.status_code == 302, got.content.decode()[:3000]
    order = case.spo_applications.get().orders.get()
    assert got["Location"] == reverse("orders:spo-order", args=[case.pk, order.pk])
    assert (
        f'<h1 class="govuk-heading-l">{title}</h1>' in client.get(got["Location"]).content.decode()
    )

    # The victim reports a breach in the same plain words.
    incident = make_incident(vault, days_ago=1, description="He walked down Hollins Road.")
    share = Share.objects.get(vault=vault, case=case)
    client.force_login(owner)
    report = reverse("breaches:victim-report", args=[vault.pk])
    page = client.get(report).content.decode()
    assert f"{title}, {'set' if order_type == 'bail' else 'made'} on" in page
    assert "Must not go to Hollins Road." in page and "Must not contact you in any way." in page
    term = order.terms.get(kind="no_entry_places")
    done = client.post(
        report, {"term": f"{share.pk}:{order.pk}:{term.pk}", "incident": str(incident.pk)}
    )
    assert done.status_code == 302
    breach = Breach.objects.get()
    assert (breach.order, breach.term, breach.source) == (order, term, "victim")

    # The officer records what was done; she sees it.
    sign_in_verified(client, investigator)
    outcome = reverse("breaches:breach-outcome", args=[case.pk, breach.pk])
    assert client.post(outcome, {"outcome": "arrested", **day("on", today)}).status_code == 302
    client.force_login(owner)
    assert "They were arrested" in client.get(done["Location"]).content.decode()
    # The pack names what breaching this kind of order is.
    text = pdf_text(build_breach_pack(actor=investigator, breach=breach, out_dir=tmp_path).path)
    assert offence in text and "He walked down Hollins Road." in text


def test_non_molestation_and_dapo_orders_are_recorded_and_reported_too(
    case, investigator, owner, vault, partly_shared_case
):
    today = timezone.localdate()
    for order_type, basis in (("non_molestation", "family_court"), ("dapo", "court")):
        order = court_orders.record_court_order(
            actor=investigator,
            case=partly_shared_case,
            order_type=order_type,
            basis=basis,
            made_on=today - timedelta(days=3),
            terms=[NO_CONTACT],
            duration_months=12,
        )
        assert order in orders.orders_in_force(partly_shared_case)
    from cairn.breaches.access import orders_for_victim
    from cairn.orders.words import order_words

    words = {order_words(o) for _, o in orders_for_victim(owner, vault)}
    assert any(w.startswith("Non-molestation order made on") for w in words)
    assert any(w.startswith("Domestic Abuse Protection Order made on") for w in words)
