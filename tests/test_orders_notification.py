"""The defendant's notification as issue 15 (point 4) has it, each test naming its section of
the Stalking Protection Act 2019 (docs/law.md): every notification with its day, method and
acknowledgement (ss.9-10); changes of name and address within 3 days (s.9(3)-(4)); the sex
offender register exemption and its end (s.9(5)-(7)); failures recorded and packed like
breaches (s.11); and what the breach pack says of the notification of a varied or renewed
order."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cairn.breaches import services as breaches
from cairn.breaches.models import Breach
from cairn.breaches.pack import build_breach_pack, notification_facts
from cairn.cases import services as cases
from cairn.cases.models import CaseStatus
from cairn.orders import changes, notification
from cairn.orders import services as orders
from cairn.orders.calendar import unit_deadlines
from cairn.orders.models import NotificationEvent
from cairn.orders.rules import TermSpec
from tests.factories import SPO_ANSWERS
from tests.orgs import sign_in_verified

GROUNDS = {key: {"text": "Ground.", "evidence": []} for key in orders.LIMBS}
NO_CONTACT = TermSpec("no_contact", necessity="He messages her daily.")


def full_order(actor, case, made_on, *, interim=False):  # type: ignore[no-untyped-def]
    made = orders.start_application(
        actor=actor,
        case=case,
        terms=[NO_CONTACT],
        duration_months=24,
        grounds=GROUNDS,
        interim_requested=interim,
        interim_reasoning="Urgent." if interim else "",
        **SPO_ANSWERS,
    )
    orders.change_status(actor=actor, application=made, status="submitted")
    return orders.record_order(
        actor=actor, application=made, kind="full", made_on=made_on, duration_months=24
    )


def pdf_text(path) -> str:  # type: ignore[no-untyped-def]
    return " ".join(
        subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True)
        .stdout.decode()
        .split()
    )


def test_s9_1_and_s10_service_starts_the_notification_given_in_person(case, investigator):
    order = full_order(investigator, case, date(2026, 10, 20))
    orders.record_service(actor=investigator, order=order, served_on=date(2026, 10, 23))
    event = NotificationEvent.objects.get(order=order)
    assert (event.kind, event.started_on, event.due_on) == (
        "initial",
        date(2026, 10, 23),
        date(2026, 10, 25),
    )
    with pytest.raises(ValidationError, match=r"in person there \(s.10\)"):
        notification.record_given(
            actor=investigator, event=event, notified_on=date(2026, 10, 24), station=" "
        )
    notification.record_given(
        actor=investigator,
        event=event,
        notified_on=date(2026, 10, 24),
        station="Central Police Station",
        acknowledged_in_writing=True,
        fingerprints_taken=True,
    )
    event.refresh_from_db()
    order.refresh_from_db()
    assert (
        event.station,
        event.acknowledged_in_writing,
        event.fingerprints_taken,
        event.photographs_taken,
    ) == ("Central Police Station", True, True, False)
    assert order.notified_on == date(2026, 10, 24)
    with pytest.raises(ValidationError, match="recorded already"):
        notification.record_given(
            actor=investigator, event=event, notified_on=date(2026, 10, 25), station="Another"
        )


def test_s9_1_a_no_new_notification_when_a_full_order_replaces_an_interim_one(case, investigator):
    made = orders.start_application(
        actor=investigator,
        case=case,
        terms=[NO_CONTACT],
        duration_months=24,
        grounds=GROUNDS,
        interim_requested=True,
        interim_reasoning="Urgent.",
        **SPO_ANSWERS,
    )
    orders.change_status(actor=investigator, application=made, status="submitted")
    interim = orders.record_order(
        actor=investigator,
        application=made,
        kind="interim",
        made_on=date(2026, 3, 2),
        ends_on=date(2026, 4, 2),
    )
    orders.record_service(actor=investigator, order=interim, served_on=date(2026, 3, 2))
    full = orders.record_order(
        actor=investigator,
        application=made,
        kind="full",
        made_on=date(2026, 4, 1),
        duration_months=24,
    )
    orders.record_service(actor=investigator, order=full, served_on=date(2026, 4, 1))
    assert list(made.notifications.values_list("order", flat=True)) == [interim.pk]
    assert "s.9(1)(a)" in notification_facts(full)


def test_s9_3_and_4_a_change_is_due_within_3_days_and_reaches_the_deadlines(case, investigator):
    today = timezone.localdate()
    order = full_order(investigator, case, today - timedelta(days=40))
    moved = today - timedelta(days=1)
    event = notification.record_change(
        actor=investigator, application=order.application, kind="new_address", started_on=moved
    )
    assert event.due_on == moved + timedelta(days=2) and event.notified_on is None
    assert event.order == order
    assert ("notification_due", event.due_on) in {
        (d.kind, d.on) for d in unit_deadlines(investigator)
    }
    named = notification.record_change(
        actor=investigator,
        application=order.application,
        kind="new_name",
        started_on=today - timedelta(days=10),
        notified_on=today - timedelta(days=3),
        station="Eastside Police Station",
        acknowledged_in_writing=True,
    )
    assert named.notified_on > named.due_on  # given late: a failure can be recorded
    with pytest.raises(ValidationError, match="No order had effect"):
        notification.record_change(
            actor=investigator,
            application=order.application,
            kind="new_address",
            started_on=today - timedelta(days=50),
        )


def test_s9_5_to_7_no_duty_while_on_the_register_and_from_its_final_day(case, investigator):
    order = full_order(investigator, case, date(2026, 6, 1))
    application = order.application
    notification.set_register_exemption(actor=investigator, application=application, subject=True)
    orders.record_service(actor=investigator, order=order, served_on=date(2026, 6, 2))
    order.refresh_from_db()
    assert order.notification_due is None and not application.notifications.exists()
    with pytest.raises(ValidationError, match=r"s.9\(5\)"):
        notification.record_change(
            actor=investigator,
            application=application,
            kind="new_address",
            started_on=date(2026, 7, 1),
        )
    notification.set_register_exemption(
        actor=investigator, application=application, subject=True, ended_on=date(2026, 9, 10)
    )
    event = application.notifications.get()
    assert (event.kind, event.started_on, event.due_on) == (
        "after_register",
        date(2026, 9, 10),
        date(2026, 9, 12),
    )
    # Changes after the final day are due as usual.
    notification.record_change(
        actor=investigator,
        application=application,
        kind="new_address",
        started_on=date(2026, 9, 20),
    )


def test_s11_a_failure_to_notify_is_recorded_and_packed_like_a_breach(
    case, investigator, supervisor, tmp_path
):
    today = timezone.localdate()
    order = full_order(investigator, case, today - timedelta(days=40))
    orders.record_service(actor=investigator, order=order, served_on=today - timedelta(days=1))
    event = NotificationEvent.objects.get(order=order)
    with pytest.raises(ValidationError, match="not overdue"):
        breaches.record_failure(actor=investigator, event=event, account="x")
    late = notification.record_change(
        actor=investigator,
        application=order.application,
        kind="new_address",
        started_on=today - timedelta(days=9),
    )
    breach = breaches.record_failure(
        actor=investigator,
        event=late,
        account="He moved and did not attend by the last day.",
        crime_reference="CR/1",
    )
    assert (breach.kind, breach.notification, breach.order, breach.source) == (
        "notification_failure",
        late,
        order,
        "officer",
    )
    assert timezone.localdate(breach.occurred_at) == late.due_on + timedelta(days=1)
    with pytest.raises(ValidationError, match="recorded for this already"):
        breaches.record_failure(actor=investigator, event=late, account="again")
    # Like any breach: the closure guard waits for its outcome; the pack states s.11.
    changes.discharge_order(
        actor=investigator,
        order=order,
        discharged_on=today,
        applicant="chief_officer",
        consent_defendant=True,
        consent_chief_officer=True,
    )
    with pytest.raises(ValidationError, match="has no outcome recorded"):
        cases.change_status(actor=investigator, case=case, status=CaseStatus.CLOSED)
    breaches.record_outcome(actor=supervisor, breach=breach, outcome="charged", on=today)
    text = pdf_text(build_breach_pack(actor=investigator, breach=breach, out_dir=tmp_path).path)
    assert "Failure to comply with the notification requirements" in text
    assert "Stalking Protection Act 2019, s.11" in text
    assert "A new home address (s.9(4)): due by" in text and "not given" in text
    assert "He moved and did not attend by the last day." in text and "Charged" in text
    assert "s.8" not in text


def test_the_pack_of_a_varied_or_renewed_order_says_the_duty_carries_on(
    partly_shared_case, investigator, tmp_path
):
    today = timezone.localdate()
    order = full_order(investigator, partly_shared_case, today - timedelta(days=100))
    orders.record_service(actor=investigator, order=order, served_on=today - timedelta(days=99))
    orders.record_notification(
        actor=investigator,
        order=order,
        notified_on=today - timedelta(days=98),
        station="Central Police Station",
    )
    varied = changes.vary_order(
        actor=investigator, order=order, varied_on=today - timedelta(days=50), terms=[NO_CONTACT]
    )
    first = order.made_on
    given = today - timedelta(days=98)
    expected = (
        f"No new notification: this order varies the order made on {first.day} "
        f"{first:%B %Y}, and the duty under s.9 continues. For that order: Given on "
        f"{given.day} {given:%B %Y}"
    )
    assert notification_facts(varied) == expected
    renewed = changes.renew_order(
        actor=investigator, order=varied, renewed_on=today - timedelta(days=10), duration_months=24
    )
    assert "this order renews the order made on" in notification_facts(renewed)
    breach = breaches.record_breach(
        actor=investigator,
        case=partly_shared_case,
        order=renewed,
        term=None,
        occurred_at=timezone.now() - timedelta(days=1),
        account="At her door.",
    )
    text = pdf_text(build_breach_pack(actor=investigator, breach=breach, out_dir=tmp_path).path)
    assert "a full order replacing an interim order" not in text
    assert "this order renews the order made on" in text


# --- the pages --------------------------------------------------------------------------------


def test_the_order_page_records_changes_given_notifications_and_a_failure(
    client, investigator, case
):
    today = timezone.localdate()
    order = full_order(investigator, case, today - timedelta(days=30))
    orders.record_service(actor=investigator, order=order, served_on=today - timedelta(days=10))
    sign_in_verified(client, investigator)
    page_url = reverse("orders:spo-order", args=[case.pk, order.pk])
    page = client.get(page_url).content.decode()
    assert "Names and home address, after service (s.9(1))" in page and "Overdue" in page
    moved = today - timedelta(days=2)
    got = client.post(
        reverse("orders:spo-notification-new", args=[case.pk, order.pk]),
        {
            "kind": "new_address",
            "started_on_day": moved.day,
            "started_on_month": moved.month,
            "started_on_year": moved.year,
            "notified_on_day": today.day,
            "notified_on_month": today.month,
            "notified_on_year": today.year,
            "station": "Eastside Police Station",
            "acknowledged_in_writing": "on",
        },
    )
    assert got.status_code == 302
    page = client.get(page_url).content.decode()
    assert "A new home address (s.9(4))" in page and "acknowledged in writing" in page
    initial = NotificationEvent.objects.get(order=order, kind="initial")
    failure = reverse("breaches:notification-failure", args=[case.pk, order.pk, initial.pk])
    assert failure in page
    assert client.post(failure, {"account": ""}).status_code == 400
    got = client.post(failure, {"account": "He did not attend."})
    breach = Breach.objects.get()
    assert got["Location"] == reverse("breaches:breach", args=[case.pk, breach.pk])
    assert "Failure to notify (s.11)" in client.get(got["Location"]).content.decode()
    case_page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Failure to notify (s.11)" in case_page
