"""The officer's SPO pages over HTTP: starting an application from the case page, the draft
editor (rows added and removed without JavaScript; a service's refusal shown in the error
summary with status 400 and nothing saved), the lifecycle buttons, recording the interim and
the full order, service and notification, variation and renewal, the deadlines, and the
404 for anyone outside the case's unit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.audit.models import AuditRecord
from cairn.orders import services as orders
from cairn.orders.models import Application, ApplicationStatus, Order, OrderKind
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


def draft_post(**extra: str) -> dict[str, str]:
    data = {
        "action": "save",
        "term-count": "2",
        **SPO_ANSWERS,
        "ground_s1_1_a": "He followed her for months.",
        "ground_s1_1_b": "He poses a risk of violence.",
        "ground_s1_1_c": "An order is needed to keep him away.",
        "duration_months": "24",
        "interim_requested": "on",
        "interim_reasoning": "He turned up at her home twice this week.",
        "term-0-kind": "no_contact",
        "term-0-necessity": "He messages her daily.",
        "term-1-kind": "exclusion_zone",
        "term-1-necessity": "He waits outside her home.",
        "term-1-centre_lat": "53.4808",
        "term-1-centre_lon": "-2.2426",
        "term-1-radius_m": "500",
    }
    data.update(extra)
    return data


@pytest.fixture
def officer(client, investigator):
    sign_in_verified(client, investigator)
    return client


@pytest.fixture
def draft(shared_case, investigator):
    return orders.start_application(
        **SPO_ANSWERS, actor=investigator, case=shared_case, duration_months=24, grounds=GROUNDS
    )


def url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def test_the_case_page_lists_applications_and_offers_to_start_one(officer, draft, shared_case):
    page = officer.get(url("cases:case", shared_case.pk)).content.decode()
    assert "Start an application" in page
    assert url("orders:spo-new", shared_case.pk) in page
    assert url("orders:spo-application", shared_case.pk, draft.pk) in page
    assert "Draft" in page


def test_starting_prefills_the_grounds_and_records_the_read(officer, shared_case, vault):
    assert officer.get(url("orders:spo-new", shared_case.pk)).status_code == 200
    before = AuditRecord.objects.filter(action="vault.read").count()
    got = officer.post(url("orders:spo-new", shared_case.pk))
    application = Application.objects.get(case=shared_case)
    assert got.status_code == 302
    assert got["Location"] == url("orders:spo-edit", shared_case.pk, application.pk)
    assert application.status == ApplicationStatus.DRAFT
    assert set(application.grounds) == set(orders.LIMBS)
    reads = AuditRecord.objects.filter(action="vault.read").order_by("-id")
    assert reads.count() > before
    assert reads.first().detail["purpose"] == "spo_application"


def test_the_editor_adds_and_removes_rows_without_saving(officer, draft, shared_case):
    edit = url("orders:spo-edit", shared_case.pk, draft.pk)
    page = officer.get(edit)
    assert page.status_code == 200
    assert 'name="term-0-kind"' in page.content.decode()
    added = officer.post(edit, {**draft_post(), "action": "add"}).content.decode()
    assert 'name="term-2-kind"' in added and 'value="He messages her daily."' not in added
    assert "He messages her daily." in added  # the rows typed are kept
    assert added.count('<details class="govuk-details" open>') == 1  # the zone's row
    removed = officer.post(edit, {**draft_post(), "remove": "0"})
    body = removed.content.decode()
    assert 'name="term-1-kind"' not in body and "He waits outside her home." in body
    assert "He messages her daily." not in body
    draft.refresh_from_db()
    assert not draft.terms.exists() and draft.grounds == orders._clean_grounds(GROUNDS)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"duration_months": "12"}, "at least 2 years"),
        ({"interim_reasoning": ""}, "interim order is appropriate"),
        ({"term-0-necessity": ""}, "necessary to protect the person"),
        ({"term-1-radius_m": ""}, "centre and a radius"),
        ({"term-1-centre_lat": "north"}, "Enter a number"),
    ],
)
def test_the_editor_shows_a_refusal_and_saves_nothing(officer, draft, shared_case, change, message):
    got = officer.post(url("orders:spo-edit", shared_case.pk, draft.pk), draft_post(**change))
    assert got.status_code == 400
    body = got.content.decode()
    assert "govuk-error-summary" in body and message in body
    draft.refresh_from_db()
    assert not draft.terms.exists() and draft.interim_requested is False


def test_an_incompatible_pair_of_terms_is_refused_on_the_page(officer, draft, shared_case):
    got = officer.post(
        url("orders:spo-edit", shared_case.pk, draft.pk),
        draft_post(
            **{
                "term-count": "3",
                "term-2-kind": "report_to_station",
                "term-2-necessity": "To keep track of him.",
                "term-2-place": "Central Station",
                "term-2-place_lat": "53.4812",
                "term-2-place_lon": "-2.2430",
            }
        ),
    )
    assert got.status_code == 400
    assert "inside the exclusion zone" in got.content.decode()
    assert not draft.terms.exists()


def test_an_area_is_typed_as_corner_lines(officer, draft, shared_case):
    got = officer.post(
        url("orders:spo-edit", shared_case.pk, draft.pk),
        draft_post(
            **{
                "term-1-centre_lat": "",
                "term-1-centre_lon": "",
                "term-1-radius_m": "",
                "term-1-area": "53.48,-2.25\n53.49,-2.25\n53.49,-2.23",
            }
        ),
    )
    assert got.status_code == 302
    zone = draft.terms.get(kind="exclusion_zone")
    assert zone.area == {
        "type": "Polygon",
        "coordinates": [[[-2.25, 53.48], [-2.25, 53.49], [-2.23, 53.49], [-2.25, 53.48]]],
    }
    page = officer.get(url("orders:spo-edit", shared_case.pk, draft.pk)).content.decode()
    assert "53.48,-2.25\n53.49,-2.25\n53.49,-2.23" in page


def test_the_whole_path_from_draft_to_notification(officer, draft, shared_case):
    page = url("orders:spo-application", shared_case.pk, draft.pk)
    assert (
        officer.post(url("orders:spo-edit", shared_case.pk, draft.pk), draft_post()).status_code
        == 302
    )
    assert [t.kind for t in draft.terms.all()] == ["no_contact", "exclusion_zone"]
    shown = officer.get(page).content.decode()
    assert "He messages her daily." in shown and "Record this step" in shown
    assert "A circle of radius 500 m" in shown  # the zone's picture
    assert 'value="submitted"' not in shown and 'value="interim_granted"' not in shown
    check = url("orders:spo-check", shared_case.pk, draft.pk)
    assert f'href="{check}"' in shown
    checked = officer.get(check).content.decode()
    for answer in (
        "He followed her for months.",
        "He messages her daily.",
        "The defendant lives in the force&#x27;s area",
        "works from home",
        "24 months",
        "He turned up at her home twice this week.",
    ):
        assert answer in checked, answer
    assert "Submit the application</button>" in checked
    got = officer.post(
        check, {"note": "Sent to the court.", **day("hearing_on", date(2027, 1, 12))}
    )
    assert got.status_code == 302
    shown = officer.get(page).content.decode()
    assert "Record the interim order made" in shown and "Sent to the court." in shown
    assert "Interim order applied for" in shown  # s.5(2)(a): applied for with it

    new_order = url("orders:spo-order-new", shared_case.pk, draft.pk)
    assert officer.get(new_order + "?kind=interim").status_code == 200
    made = date(2027, 1, 5)
    got = officer.post(
        new_order,
        {
            "action": "save",
            "kind": "interim",
            "as_asked": "yes",
            **day("made_on", made),
            **day("ends_on", date(2027, 2, 5)),
            "term-count": "0",
        },
    )
    assert got.status_code == 302
    interim = Order.objects.get(application=draft, kind=OrderKind.INTERIM)
    assert got["Location"] == url("orders:spo-order", shared_case.pk, interim.pk)
    assert interim.terms.count() == 2

    got = officer.post(
        new_order,
        {
            "action": "save",
            "kind": "full",
            "as_asked": "yes",
            **day("made_on", date(2027, 2, 1)),
            "duration_months": "36",
            "term-count": "0",
        },
    )
    assert got.status_code == 302
    full = Order.objects.get(application=draft, kind=OrderKind.FULL)
    # s.3(2): the last day is 31 January 2030; s.9(1)(a): it replaces an interim order.
    assert full.expires_on == date(2030, 1, 31) and not full.notification_required
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.GRANTED
    assert draft.interim_status == ApplicationStatus.INTERIM_ENDED

    order_page = url("orders:spo-order", shared_case.pk, interim.pk)
    assert (
        officer.post(
            url("orders:spo-order-served", shared_case.pk, interim.pk),
            day("served_on", date(2027, 1, 8)),
        ).status_code
        == 302
    )
    interim.refresh_from_db()
    assert interim.notification_due == date(2027, 1, 10)  # served Friday, due Sunday
    assert "Due by 10 January 2027" in officer.get(order_page).content.decode()
    event = interim.notifications.get()
    assert (
        officer.post(
            url("orders:spo-notification-given", shared_case.pk, interim.pk, event.pk),
            {**day("notified_on", date(2027, 1, 9)), "station": "Central Police Station"},
        ).status_code
        == 302
    )
    interim.refresh_from_db()
    assert interim.notified_on == date(2027, 1, 9)
    assert "Given on 9 January 2027" in officer.get(order_page).content.decode()


@pytest.fixture
def granted(draft, investigator):
    orders.update_application(
        **SPO_ANSWERS,
        actor=investigator,
        application=draft,
        terms=[TermSpec("no_contact", necessity="Daily messages.")],
        duration_months=24,
        until_further_order=False,
        interim_requested=False,
        interim_reasoning="",
        grounds=GROUNDS,
    )
    orders.change_status(actor=investigator, application=draft, status="submitted")
    return orders.record_order(
        actor=investigator,
        application=draft,
        kind="full",
        made_on=date(2027, 3, 1),
        duration_months=24,
    )


def test_terms_made_differently_are_recorded_as_made(officer, draft, investigator, shared_case):
    orders.update_application(
        **SPO_ANSWERS,
        actor=investigator,
        application=draft,
        terms=[TermSpec("no_contact", necessity="Daily messages.")],
        duration_months=24,
        until_further_order=False,
        interim_requested=False,
        interim_reasoning="",
        grounds=GROUNDS,
    )
    orders.change_status(actor=investigator, application=draft, status="submitted")
    got = officer.post(
        url("orders:spo-order-new", shared_case.pk, draft.pk),
        {
            "action": "save",
            "kind": "full",
            "as_asked": "no",
            **day("made_on", date(2027, 3, 1)),
            "until_further_order": "on",
            "term-count": "1",
            "term-0-kind": "no_images",
            "term-0-necessity": "He photographs her.",
        },
    )
    assert got.status_code == 302
    order = Order.objects.get(application=draft)
    assert [t.kind for t in order.terms.all()] == ["no_images"]
    assert [t.kind for t in draft.terms.all()] == ["no_contact"]
    page = officer.get(got["Location"]).content.decode()
    assert "Until further order" in page and "not to record or publish images" in page


def test_a_bad_order_is_refused_and_nothing_recorded(officer, granted, shared_case):
    application = granted.application
    got = officer.post(
        url("orders:spo-order-new", shared_case.pk, application.pk),
        {
            "action": "save",
            "kind": "full",
            "as_asked": "yes",
            **day("made_on", date(2027, 3, 1)),
            "duration_months": "24",
            "term-count": "0",
        },
    )
    assert got.status_code == 400 and "cannot become" in got.content.decode()
    assert Order.objects.filter(application=application).count() == 1
    got = officer.post(
        url("orders:spo-order-served", shared_case.pk, granted.pk),
        day("served_on", date(2027, 2, 1)),
    )
    assert got.status_code == 400 and "on or after the day it was" in got.content.decode()
    granted.refresh_from_db()
    assert granted.served_on is None


def test_a_hearing_needs_its_date(officer, draft, investigator, shared_case):
    orders.update_application(
        **SPO_ANSWERS,
        actor=investigator,
        application=draft,
        terms=[TermSpec("no_contact", necessity="Daily messages.")],
        duration_months=24,
        until_further_order=False,
        interim_requested=False,
        interim_reasoning="",
        grounds=GROUNDS,
    )
    orders.change_status(actor=investigator, application=draft, status="submitted")
    status = url("orders:spo-status", shared_case.pk, draft.pk)
    got = officer.post(status, {"status": "hearing_listed"})
    assert got.status_code == 400 and "Give the date of the hearing" in got.content.decode()
    assert (
        officer.post(
            status, {"status": "hearing_listed", **day("hearing_on", date(2027, 4, 2))}
        ).status_code
        == 302
    )
    page = officer.get(url("orders:spo-application", shared_case.pk, draft.pk)).content
    assert b"Hearing listed: hearing on 2 April 2027" in page
    assert officer.post(status, {"status": "granted"}).status_code == 400  # via the order


def test_variation_and_renewal_pages(officer, granted, shared_case):
    vary = url("orders:spo-order-vary", shared_case.pk, granted.pk)
    assert officer.get(vary).status_code == 200
    got = officer.post(
        vary,
        {
            "action": "save",
            **day("varied_on", date(2027, 6, 1)),
            "term-count": "1",
            "term-0-kind": "no_contact",
        },
    )
    assert got.status_code == 400 and b"Say who applied" in got.content
    got = officer.post(
        vary,
        {
            "action": "save",
            **day("varied_on", date(2027, 6, 1)),
            "applicant": "defendant",
            "term-count": "1",
            "term-0-kind": "no_contact",
            "term-0-necessity": "Daily messages.",
            "term-0-exception": "through solicitors",
        },
    )
    assert got.status_code == 302
    varied = Order.objects.exclude(pk=granted.pk).get()
    assert varied.expires_on == granted.expires_on
    assert varied.terms.get().exception == "through solicitors"
    # The replaced order can no longer be varied or renewed.
    assert (
        b"Record a variation"
        not in officer.get(url("orders:spo-order", shared_case.pk, granted.pk)).content
    )
    renew = url("orders:spo-order-renew", shared_case.pk, varied.pk)
    got = officer.post(
        renew,
        {
            **day("renewed_on", date(2029, 2, 1)),
            "duration_months": "12",
            "applicant": "chief_officer",
        },
    )
    assert got.status_code == 400 and b"at least 2 years" in got.content
    got = officer.post(
        renew,
        {
            **day("renewed_on", date(2029, 2, 1)),
            "duration_months": "24",
            "applicant": "chief_officer",
            **day("victim_informed_on", date(2029, 2, 2)),
        },
    )
    assert got.status_code == 302
    renewed = Order.objects.order_by("-created_at").first()
    assert renewed.expires_on == date(2031, 1, 31)
    change = granted.application.status_changes.get(order=renewed)
    assert (change.applicant, change.victim_informed.on) == ("chief_officer", date(2029, 2, 2))
    granted.application.refresh_from_db()
    assert granted.application.status == ApplicationStatus.RENEWED


def test_deadlines_page_and_the_case_page_show_what_is_due(officer, granted, shared_case):
    today = timezone.localdate()
    orders.record_service(actor=granted.created_by, order=granted, served_on=date(2027, 3, 2))
    Order.objects.filter(pk=granted.pk).update(
        notification_due=today - timedelta(days=1), renewal_review_on=today + timedelta(days=3)
    )
    page = officer.get(reverse("orders:deadlines")).content.decode()
    assert "Overdue" in page and "Within 7 days" in page
    assert reverse("orders:calendar") in page
    case_page = officer.get(url("cases:case", shared_case.pk)).content.decode()
    assert "Deadlines of this case" in case_page and "notification due (s.9)" in case_page


def test_people_outside_the_unit_get_404(client, unit_peer, granted, shared_case):
    sign_in_verified(client, unit_peer)
    application = granted.application
    for target in (
        url("orders:spo-application", shared_case.pk, application.pk),
        url("orders:spo-edit", shared_case.pk, application.pk),
        url("orders:spo-order", shared_case.pk, granted.pk),
        url("orders:spo-new", shared_case.pk),
    ):
        assert client.get(target).status_code == 404
    assert (
        client.post(
            url("orders:spo-order-served", shared_case.pk, granted.pk),
            day("served_on", date(2027, 3, 2)),
        ).status_code
        == 404
    )
    granted.refresh_from_db()
    assert granted.served_on is None
    assert client.get(reverse("orders:deadlines")).status_code == 200


def test_steps_that_make_an_order_go_through_it(officer, granted, shared_case):
    application = granted.application
    page = officer.get(url("orders:spo-application", shared_case.pk, application.pk))
    body = page.content.decode()
    # Varied, renewed and discharged record more than a step: offered from the order.
    assert url("orders:spo-order", shared_case.pk, granted.pk) in body
    assert 'value="varied"' not in body and 'value="discharged"' not in body
    order_page = officer.get(url("orders:spo-order", shared_case.pk, granted.pk)).content
    for name in ("orders:spo-order-vary", "orders:spo-order-renew", "orders:spo-order-discharge"):
        assert url(name, shared_case.pk, granted.pk).encode() in order_page
    assert (
        officer.post(
            url("orders:spo-status", shared_case.pk, application.pk), {"status": "varied"}
        ).status_code
        == 400
    )
    # An appeal dismissed: "granted" again, as a step, since the order is already recorded.
    officer.post(
        url("orders:spo-status", shared_case.pk, application.pk),
        {"status": "appealed_by_respondent"},
    )
    body = officer.get(
        url("orders:spo-application", shared_case.pk, application.pk)
    ).content.decode()
    assert 'value="granted"' in body and "Record the order made" not in body
    assert (
        officer.post(
            url("orders:spo-status", shared_case.pk, application.pk),
            {"status": "granted", "note": "Appeal dismissed."},
        ).status_code
        == 302
    )
    assert Order.objects.filter(application=application).count() == 1


def test_the_evidence_links_to_shared_incidents_only(
    client, investigator, partly_shared_case, vault, incidents
):
    grounds = {
        key: {"text": "Ground.", "evidence": [{"vault": str(vault.pk), "incidents": [1, 3]}]}
        for key in orders.LIMBS
    }
    application = orders.start_application(
        **SPO_ANSWERS,
        actor=investigator,
        case=partly_shared_case,
        duration_months=24,
        grounds=grounds,
    )
    sign_in_verified(client, investigator)
    body = client.get(
        url("orders:spo-application", partly_shared_case.pk, application.pk)
    ).content.decode()
    shared = url("cases:incident", partly_shared_case.pk, vault.pk, incidents[0].pk)
    assert f'<a class="govuk-link" href="{shared}">Incident 1</a>' in body
    assert "Incident 3" in body
    assert str(incidents[2].pk) not in body  # not shared with the case: no link, no id


def test_submitting_an_incomplete_draft_names_what_is_missing(officer, shared_case, investigator):
    application = orders.start_application(
        actor=investigator,
        case=shared_case,
        duration_months=24,
        grounds={key: {"text": "", "evidence": []} for key in orders.LIMBS},
    )
    check = url("orders:spo-check", shared_case.pk, application.pk)
    body = officer.get(check).content.decode()
    edit = url("orders:spo-edit", shared_case.pk, application.pk)
    assert "The application cannot be submitted yet" in body
    assert f'<a class="govuk-link" href="{edit}#id_ground_s1_1_a">Give the ground s.1(1)(a)' in body
    assert "(s.1(3))" in body and "(s.2(3))" in body and "Propose at least one" in body
    assert "Submit the application</button>" not in body
    # Posting anyway is refused with the same reasons, and nothing changes.
    got = officer.post(check, {})
    assert got.status_code == 400
    body = got.content.decode()
    assert "Give the ground s.1(1)(a)" in body and "govuk-error-summary" in body
    # Nor can the status form submit it: submitting goes through the check page.
    got = officer.post(
        url("orders:spo-status", shared_case.pk, application.pk), {"status": "submitted"}
    )
    assert got.status_code == 400
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
