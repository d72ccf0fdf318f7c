"""The lifecycle pages over HTTP (issue 15, points 1 and 2): applying for an interim order
after submission (s.5(2)(b)), the interim steps, renewing an interim order, discharging with
the consents s.4 requires, and recording that the victim was told. Refusals come back on the
form with status 400 and nothing recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.orders import services as orders
from cairn.orders.models import Order, VictimInformed
from cairn.orders.rules import TermSpec
from tests.factories import SPO_ANSWERS
from tests.orgs import sign_in_verified

GROUNDS = {key: {"text": f"Ground {key}.", "evidence": []} for key in orders.LIMBS}


def day(name: str, value: date) -> dict[str, str]:
    return {
        f"{name}_day": str(value.day),
        f"{name}_month": str(value.month),
        f"{name}_year": str(value.year),
    }


def url(name: str, *args: object) -> str:
    return reverse(name, args=args)


@pytest.fixture
def officer(client, investigator):
    sign_in_verified(client, investigator)
    return client


@pytest.fixture
def made(shared_case, investigator):
    application = orders.start_application(
        **SPO_ANSWERS,
        actor=investigator,
        case=shared_case,
        duration_months=24,
        grounds=GROUNDS,
        terms=[TermSpec("no_contact", necessity="Daily messages.")],
    )
    orders.change_status(actor=investigator, application=application, status="submitted")
    return application


def test_s5_2_b_the_officer_applies_for_an_interim_order_after_submission(
    officer, made, shared_case
):
    page = officer.get(url("orders:spo-application", shared_case.pk, made.pk)).content.decode()
    apply = url("orders:spo-interim-apply", shared_case.pk, made.pk)
    assert f'href="{apply}"' in page and "Record the interim order made" not in page
    got = officer.post(apply, {"interim_reasoning": ""})
    assert got.status_code == 400 and "appropriate" in got.content.decode()
    got = officer.post(apply, {"interim_reasoning": "He was at her work today."})
    assert got.status_code == 302
    page = officer.get(url("orders:spo-application", shared_case.pk, made.pk)).content.decode()
    assert "Record the interim order made" in page and f'href="{apply}"' not in page
    assert 'value="interim_refused"' in page and 'value="interim_withdrawn"' in page


def test_s5_an_interim_refusal_is_recorded_with_its_day_and_appealed(
    officer, made, shared_case, investigator
):
    from cairn.orders import changes

    changes.apply_for_interim(actor=investigator, application=made, reasoning="Urgent.")
    step = url("orders:spo-interim-step", shared_case.pk, made.pk)
    got = officer.post(step, {"status": "interim_refused"})
    assert got.status_code == 400 and "Enter the day the court decided" in got.content.decode()
    got = officer.post(step, {"status": "interim_refused", **day("decided_on", date(2026, 3, 2))})
    assert got.status_code == 302
    page = officer.get(url("orders:spo-application", shared_case.pk, made.pk)).content.decode()
    assert 'value="interim_appealed_by_applicant"' in page  # s.7(2)(b)
    assert "Decided on 2 March 2026" in page


def test_an_interim_order_is_renewed_from_its_page(officer, made, shared_case, investigator):
    from cairn.orders import changes

    changes.apply_for_interim(actor=investigator, application=made, reasoning="Urgent.")
    today = timezone.localdate()
    last = today + timedelta(days=3)
    interim = orders.record_order(
        actor=investigator, application=made, kind="interim", made_on=today, ends_on=last
    )
    page = officer.get(url("orders:spo-order", shared_case.pk, interim.pk)).content.decode()
    assert f"The end of {last.day} {last:%B %Y}" in page
    renew = url("orders:spo-order-renew", shared_case.pk, interim.pk)
    assert renew in page
    form = officer.get(renew).content.decode()
    assert "Now has effect until the end of" in form and "duration" not in form.lower()
    got = officer.post(
        renew, {**day("renewed_on", today), **day("ends_on", last), "applicant": "chief_officer"}
    )
    assert got.status_code == 302
    renewed = Order.objects.get(replaces=interim)
    assert renewed.expires_on == last


def test_s4_the_discharge_page_asks_for_the_consents_within_two_years(
    officer, made, shared_case, investigator
):
    order = orders.record_order(
        actor=investigator,
        application=made,
        kind="full",
        made_on=date(2026, 1, 10),
        duration_months=24,
    )
    discharge = url("orders:spo-order-discharge", shared_case.pk, order.pk)
    form = officer.get(discharge).content.decode()
    assert "10 January 2028" in form and "The defendant consented" in form
    got = officer.post(
        discharge,
        {
            **day("discharged_on", date(2026, 9, 1)),
            "applicant": "defendant",
            "consent_defendant": "on",
        },
    )
    body = got.content.decode()
    assert got.status_code == 400 and "record the consent of the chief officer" in body
    assert 'href="#id_consent"' in body and 'id="id_consent"' in body
    made.refresh_from_db()
    assert made.status == "granted"
    got = officer.post(
        discharge,
        {
            **day("discharged_on", date(2026, 9, 1)),
            "applicant": "defendant",
            "consent_defendant": "on",
            "consent_chief_officer": "on",
        },
    )
    assert got.status_code == 302
    made.refresh_from_db()
    assert made.status == "discharged"


def test_the_victim_being_told_is_recorded_from_the_history(
    officer, made, shared_case, investigator
):
    orders.record_order(
        actor=investigator,
        application=made,
        kind="full",
        made_on=date(2026, 1, 10),
        duration_months=24,
    )
    granted = made.status_changes.get(status="granted")
    told = url("orders:spo-victim-informed", shared_case.pk, made.pk, granted.pk)
    page = officer.get(url("orders:spo-application", shared_case.pk, made.pk)).content.decode()
    assert told in page
    assert officer.post(told, {}).status_code == 302
    assert not VictimInformed.objects.exists()
    assert officer.post(told, day("victim_informed_on", date(2026, 1, 11))).status_code == 302
    assert VictimInformed.objects.get().on == date(2026, 1, 11)
    page = officer.get(url("orders:spo-application", shared_case.pk, made.pk)).content.decode()
    assert told not in page and "11 Jan 2026" in page
    submitted = made.status_changes.get(status="submitted")
    assert (
        officer.post(
            url("orders:spo-victim-informed", shared_case.pk, made.pk, submitted.pk),
            day("victim_informed_on", date(2026, 1, 11)),
        ).status_code
        == 302
    )
    assert VictimInformed.objects.count() == 1  # not a decision about the order


def test_outsiders_get_404_on_the_new_pages(client, unit_peer, made, shared_case):
    sign_in_verified(client, unit_peer)
    for target in (url("orders:spo-interim-apply", shared_case.pk, made.pk),):
        assert client.get(target).status_code == 404
    change = made.status_changes.first()
    assert (
        client.post(
            url("orders:spo-victim-informed", shared_case.pk, made.pk, change.pk),
            day("victim_informed_on", date(2026, 1, 11)),
        ).status_code
        == 404
    )
    assert (
        client.post(
            url("orders:spo-interim-step", shared_case.pk, made.pk), {"status": "interim_withdrawn"}
        ).status_code
        == 404
    )
