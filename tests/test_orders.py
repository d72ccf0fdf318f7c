"""Stalking Protection Order applications and orders (issue 8, points 1-3) at the service,
access and HTTP level: the checks an application must pass (s.3 duration, s.2(2) necessity,
incompatible terms, s.5 interim reasoning), the grounds prefilled from the shared evidence,
the lifecycle as append-only rows, the order as made beside the order asked for, the s.9
notification day, and the unit's iCalendar feed."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from icalendar import Calendar

from cairn.audit.models import AuditRecord
from cairn.cases import services as cases
from cairn.orders import access, changes, rules
from cairn.orders import services as orders
from cairn.orders.models import ApplicationStatus, Order, Term
from cairn.orders.rules import TermSpec
from tests.factories import SPO_ANSWERS
from tests.orgs import sign_in_verified

NO_CONTACT = TermSpec("no_contact", necessity="He messaged her daily after she blocked him.")
ZONE = TermSpec(
    "exclusion_zone",
    necessity="He waits outside her home and her work.",
    centre_lat=53.4808,
    centre_lon=-2.2426,
    radius_m=500,
)
STATION_IN_ZONE = TermSpec(
    "report_to_station",
    necessity="To keep track of him weekly.",
    place="Central Police Station",
    place_lat=53.4812,
    place_lon=-2.2430,
)
STATION_AWAY = TermSpec(
    "report_to_station",
    necessity="To keep track of him weekly.",
    place="Eastside Police Station",
    place_lat=53.4700,
    place_lon=-2.1500,
)


def application(actor, case, **overrides):  # type: ignore[no-untyped-def]
    options = {"terms": [NO_CONTACT, ZONE], "duration_months": 24, "grounds": GROUNDS}
    options.update(overrides)
    return orders.start_application(**SPO_ANSWERS, actor=actor, case=case, **options)


GROUNDS = {key: {"text": f"Ground {key}.", "evidence": []} for key in orders.LIMBS}


# --- the checks -------------------------------------------------------------------------------


def test_a_fixed_duration_under_two_years_is_refused(case, investigator):
    with pytest.raises(ValidationError) as caught:
        application(investigator, case, duration_months=23)
    assert "at least 2 years" in caught.value.message_dict["duration_months"][0]
    with pytest.raises(ValidationError) as caught:
        application(investigator, case, duration_months=None)
    assert "duration_months" in caught.value.message_dict
    with pytest.raises(ValidationError, match="not both"):
        application(investigator, case, duration_months=36, until_further_order=True)
    assert application(investigator, case, duration_months=24).duration_months == 24
    open_ended = application(investigator, case, duration_months=None, until_further_order=True)
    assert open_ended.until_further_order and open_ended.duration_months is None


def test_a_term_without_a_necessity_reason_is_refused(case, investigator):
    with pytest.raises(ValidationError) as caught:
        application(investigator, case, terms=[NO_CONTACT, TermSpec("no_images", necessity="   ")])
    message = caught.value.message_dict["terms"][0]
    assert message.startswith("Term 2 (not to record or publish images")
    assert "necessary" in message and "s.2(2)" in message
    assert not Term.objects.exists()


def test_a_term_needs_what_its_kind_needs(case, investigator):
    both = TermSpec(
        "exclusion_zone",
        necessity="x",
        centre_lat=53.0,
        centre_lon=-2.0,
        radius_m=100,
        area={
            "type": "Polygon",
            "coordinates": [[[-2.0, 53.0], [-2.1, 53.0], [-2.1, 53.1], [-2.0, 53.0]]],
        },
    )
    for bad, words in [
        (TermSpec("exclusion_zone", necessity="x"), "one, not both"),
        (both, "one, not both"),
        (TermSpec("exclusion_zone", necessity="x", area={"type": "Point"}), "GeoJSON Polygon"),
        (TermSpec("not_within_distance", necessity="x"), "metres"),
        (TermSpec("no_entry_places", necessity="x"), "name the place"),
        (TermSpec("sing_at_him", necessity="x"), "from the list"),
    ]:
        with pytest.raises(ValidationError, match=words):
            application(investigator, case, terms=[bad])


def test_incompatible_terms_are_refused(case, investigator):
    with pytest.raises(ValidationError) as caught:
        application(investigator, case, terms=[ZONE, STATION_IN_ZONE])
    assert "inside the exclusion zone" in caught.value.message_dict["terms"][0]
    area = {
        "type": "Polygon",
        "coordinates": [
            [[-2.25, 53.47], [-2.23, 53.47], [-2.23, 53.49], [-2.25, 53.49], [-2.25, 53.47]]
        ],
    }
    drawn = TermSpec("exclusion_zone", necessity="Her street and the park.", area=area)
    with pytest.raises(ValidationError, match="inside the exclusion zone"):
        application(investigator, case, terms=[STATION_IN_ZONE, drawn])
    banned = TermSpec(
        "no_entry_places", necessity="He follows her there.", place="Eastside  police station"
    )
    with pytest.raises(ValidationError, match="forbids entering"):
        application(investigator, case, terms=[banned, STATION_AWAY])
    except_solicitors = TermSpec(
        "no_contact", necessity="x", exception="through solicitors about the children"
    )
    with pytest.raises(ValidationError, match="give both the same exception"):
        application(
            investigator,
            case,
            terms=[except_solicitors, TermSpec("no_third_party_contact", necessity="x")],
        )
    with pytest.raises(ValidationError, match="say different things"):
        application(
            investigator,
            case,
            terms=[
                TermSpec("not_within_distance", necessity="x", radius_m=100),
                TermSpec("not_within_distance", necessity="x", radius_m=500),
            ],
        )
    assert application(investigator, case, terms=[ZONE, STATION_AWAY]).terms.count() == 2


def test_a_term_incompatible_with_an_order_in_force_is_refused(case, investigator):
    first = application(investigator, case)
    orders.change_status(actor=investigator, application=first, status="submitted")
    orders.record_order(
        actor=investigator,
        application=first,
        kind="full",
        made_on=date(2026, 3, 2),
        duration_months=24,
    )
    with pytest.raises(ValidationError) as caught:
        application(investigator, case, terms=[STATION_IN_ZONE])
    assert "(in the existing order)" in caught.value.message_dict["terms"][0]
    orders.change_status(actor=investigator, application=first, status="discharged")
    assert application(investigator, case, terms=[STATION_IN_ZONE]).terms.count() == 1


def test_an_interim_request_needs_its_own_reasoning(case, investigator):
    with pytest.raises(ValidationError) as caught:
        application(investigator, case, interim_requested=True, interim_reasoning=" ")
    assert "appropriate" in caught.value.message_dict["interim_reasoning"][0]
    made = application(
        investigator,
        case,
        interim_requested=True,
        interim_reasoning="He came to her door twice this week.",
    )
    assert made.interim_reasoning == "He came to her door twice this week."


def test_the_grounds_are_prefilled_from_the_shared_evidence(
    shared_case, investigator, vault, incidents
):
    made = orders.start_application(
        **SPO_ANSWERS, actor=investigator, case=shared_case, terms=[NO_CONTACT], duration_months=24
    )
    assert set(made.grounds) == {"s1_1_a", "s1_1_b", "s1_1_c"}
    acts = made.grounds["s1_1_a"]
    assert acts["title"].startswith("s.1(1)(a)") and acts["text"]
    assert acts["evidence"] == [{"vault": str(vault.pk), "incidents": [1, 2, 3, 4]}]
    read = AuditRecord.objects.filter(action="vault.read", object_type="analysis").last()
    assert read.actor == investigator and read.detail["purpose"] == "spo_application"


def test_a_submission_needs_every_ground(case, investigator):
    made = application(investigator, case, grounds={"s1_1_a": {"text": "Acts."}})
    with pytest.raises(ValidationError) as caught:
        orders.change_status(actor=investigator, application=made, status="submitted")
    assert caught.value.message_dict["grounds"] == [
        "Give the ground s.1(1)(b)",
        "Give the ground s.1(1)(c)",
    ]


# --- the lifecycle ----------------------------------------------------------------------------


def test_the_lifecycle_is_append_only_rows_and_refuses_a_wrong_step(case, investigator, supervisor):
    made = application(
        investigator,
        case,
        interim_requested=True,
        interim_reasoning="He came to her door twice this week.",
    )
    with pytest.raises(ValidationError, match="'Draft' cannot become 'Order granted'"):
        orders.change_status(actor=investigator, application=made, status="granted")
    orders.change_status(actor=investigator, application=made, status="submitted")
    # Interim steps are a track of their own (changes.interim_step, record_order).
    with pytest.raises(ValidationError, match="Choose a status"):
        orders.change_status(actor=investigator, application=made, status="interim_granted")
    with pytest.raises(ValidationError, match="Record the order"):
        orders.change_status(actor=investigator, application=made, status="granted")
    with pytest.raises(ValidationError, match="date of the hearing"):
        orders.change_status(actor=supervisor, application=made, status="hearing_listed")
    orders.change_status(
        actor=supervisor, application=made, status="hearing_listed", hearing_on=date(2026, 4, 14)
    )
    orders.change_status(
        actor=supervisor, application=made, status="refused", note="Not satisfied of necessity"
    )
    with pytest.raises(ValidationError, match="cannot become"):
        orders.change_status(actor=investigator, application=made, status="appealed_by_respondent")
    orders.change_status(actor=investigator, application=made, status="appealed_by_applicant")
    rows = list(made.status_changes.values_list("status", "by__username"))
    # s.5(2)(a): the interim order asked for in the draft is applied for on submission, and
    # s.5(6)(b): the interim application ends when the main application is decided.
    assert rows == [
        ("draft", "di.reed"),
        ("submitted", "di.reed"),
        ("interim_applied", "di.reed"),
        ("hearing_listed", "ds.khan"),
        ("refused", "ds.khan"),
        ("interim_ended", "ds.khan"),
        ("appealed_by_applicant", "di.reed"),
    ]
    made.refresh_from_db()
    assert made.status == ApplicationStatus.APPEALED_BY_APPLICANT
    assert made.interim_status == ApplicationStatus.INTERIM_ENDED
    assert AuditRecord.objects.filter(action="spo_application.status").count() == 6


def test_interim_steps_need_an_interim_application_s5(case, investigator):
    made = application(investigator, case)
    orders.change_status(actor=investigator, application=made, status="submitted")
    with pytest.raises(ValidationError, match="'No interim order' cannot become"):
        changes.interim_step(
            actor=investigator,
            application=made,
            status="interim_refused",
            decided_on=date(2026, 3, 2),
        )
    with pytest.raises(ValidationError, match="No interim order was applied for"):
        orders.record_order(
            actor=investigator,
            application=made,
            kind="interim",
            made_on=date(2026, 3, 2),
            ends_on=date(2026, 4, 2),
        )


def test_every_transition_in_the_tables_names_known_statuses():
    known = set(ApplicationStatus.values)
    main = {s for s in known if not s.startswith("interim_")}
    assert main | {"interim_granted", "interim_refused"} == set(rules.TRANSITIONS)
    assert all(set(targets) <= main for targets in rules.TRANSITIONS.values())
    interim = {s for s in known if s.startswith("interim_")}
    assert set(rules.INTERIM_TRANSITIONS) == interim | {""}
    assert all(set(targets) <= interim for targets in rules.INTERIM_TRANSITIONS.values())


# --- orders -----------------------------------------------------------------------------------


def test_the_order_as_made_differs_from_the_application_and_both_are_kept(case, investigator):
    made = application(
        investigator,
        case,
        interim_requested=True,
        interim_reasoning="He came to her door twice this week.",
    )
    orders.change_status(actor=investigator, application=made, status="submitted")
    interim = orders.record_order(
        actor=investigator,
        application=made,
        kind="interim",
        made_on=date(2026, 3, 2),
        ends_on=date(2026, 4, 14),
    )
    assert interim.expires_on == date(2026, 4, 14)
    assert [t.kind for t in interim.terms.all()] == ["no_contact", "exclusion_zone"]
    smaller = TermSpec(
        "exclusion_zone",
        necessity="The court kept her street only.",
        centre_lat=53.4808,
        centre_lon=-2.2426,
        radius_m=200,
    )
    full = orders.record_order(
        actor=investigator,
        application=made,
        kind="full",
        made_on=date(2026, 4, 14),
        duration_months=36,
        terms=[NO_CONTACT, smaller],
    )
    # s.3(2): 36 months beginning with 14 April 2026 run to the end of 13 April 2029.
    assert full.expires_on == date(2029, 4, 13)
    assert full.renewal_review_on == date(2029, 1, 14)
    assert [t.radius_m for t in made.terms.all()] == [None, 500]
    assert [t.radius_m for t in full.terms.all()] == [None, 200]
    assert full.terms.get(kind="exclusion_zone").necessity == "The court kept her street only."
    # s.9 (law.md): a full order replacing an interim one needs no new notification.
    orders.record_service(actor=investigator, order=full, served_on=date(2026, 4, 14))
    assert not full.notification_required and full.notification_due is None
    made.refresh_from_db()
    assert made.status == "granted"
    assert list(made.status_changes.values_list("status", flat=True)) == [
        "draft",
        "submitted",
        "interim_applied",
        "interim_granted",
        "granted",
        "interim_ended",
    ]
    assert Order.objects.filter(application=made).count() == 2


def test_a_full_order_for_less_than_two_years_is_refused(case, investigator):
    made = application(investigator, case)
    orders.change_status(actor=investigator, application=made, status="submitted")
    with pytest.raises(ValidationError) as caught:
        orders.record_order(
            actor=investigator,
            application=made,
            kind="full",
            made_on=date(2026, 3, 2),
            duration_months=12,
        )
    assert "duration_months" in caught.value.message_dict
    open_ended = orders.record_order(
        actor=investigator,
        application=made,
        kind="full",
        made_on=date(2026, 3, 2),
        until_further_order=True,
    )
    assert open_ended.expires_on is None
    assert open_ended.renewal_review_on == date(2027, 3, 2)


@pytest.mark.parametrize(
    ("served_on", "due", "why"),
    [
        (date(2026, 3, 4), date(2026, 3, 6), "Wednesday to Friday"),
        (date(2026, 3, 6), date(2026, 3, 8), "Friday to Sunday: weekends count"),
        (date(2026, 3, 7), date(2026, 3, 9), "Saturday to Monday"),
        (date(2026, 12, 24), date(2026, 12, 26), "over Christmas and Boxing Day"),
        (date(2026, 4, 3), date(2026, 4, 5), "Good Friday 2026 to Easter Sunday"),
        (date(2026, 5, 23), date(2026, 5, 25), "to the spring bank holiday, Monday 25 May"),
        (date(2026, 8, 29), date(2026, 8, 31), "to the summer bank holiday, Monday 31 August"),
        (date(2026, 3, 28), date(2026, 3, 30), "across the clocks going forward, 29 March"),
        (date(2026, 10, 24), date(2026, 10, 26), "across the clocks going back, 25 October"),
        (date(2026, 12, 31), date(2027, 1, 2), "into a new year"),
        (date(2028, 2, 28), date(2028, 3, 1), "across a leap day"),
    ],
)
def test_the_notification_day_counts_calendar_days_from_service(served_on, due, why):
    assert rules.notification_due(served_on) == due, why


def test_service_and_notification_are_recorded(case, investigator):
    made = application(investigator, case)
    orders.change_status(actor=investigator, application=made, status="submitted")
    order = orders.record_order(
        actor=investigator,
        application=made,
        kind="full",
        made_on=date(2026, 10, 23),
        duration_months=24,
    )
    with pytest.raises(ValidationError, match="served first"):
        orders.record_notification(actor=investigator, order=order, notified_on=date(2026, 10, 24))
    with pytest.raises(ValidationError, match="on or after the day it was made"):
        orders.record_service(actor=investigator, order=order, served_on=date(2026, 10, 22))
    orders.record_service(actor=investigator, order=order, served_on=date(2026, 10, 23))
    order.refresh_from_db()
    assert order.notification_due == date(2026, 10, 25)  # Friday: due Sunday (clocks go back)
    with pytest.raises(ValidationError, match="police station"):  # s.10: in person
        orders.record_notification(actor=investigator, order=order, notified_on=date(2026, 10, 26))
    orders.record_notification(
        actor=investigator,
        order=order,
        notified_on=date(2026, 10, 26),
        station="Central Police Station",
        acknowledged_in_writing=True,
    )
    record = AuditRecord.objects.get(action="spo_order.notified")
    assert record.detail == {"notified_on": "2026-10-26", "late": True}


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert rules.add_months(date(2028, 2, 29), 24) == date(2030, 2, 28)
    assert rules.add_months(date(2026, 5, 15), -3) == date(2026, 2, 15)


# --- roles ------------------------------------------------------------------------------------


def test_only_the_case_unit_acts_and_reads(
    case, investigator, supervisor, unit_peer, foreign_investigator, analyst, advocate, owner
):
    made = application(supervisor, case)
    for user in (unit_peer, foreign_investigator, analyst, advocate, owner):
        with pytest.raises(PermissionDenied):
            application(user, case)
        with pytest.raises(PermissionDenied):
            orders.change_status(actor=user, application=made, status="submitted")
        with pytest.raises(Http404):
            access.get_application_for_user(user, made.pk)
        assert not access.applications_readable_by(user).exists()
    assert access.get_application_for_user(investigator, made.pk) == made
    order_app = application(investigator, case)
    orders.change_status(actor=investigator, application=order_app, status="submitted")
    order = orders.record_order(
        actor=investigator,
        application=order_app,
        kind="full",
        made_on=date(2026, 3, 2),
        duration_months=24,
    )
    with pytest.raises(PermissionDenied):
        orders.record_service(actor=unit_peer, order=order, served_on=date(2026, 3, 2))
    with pytest.raises(Http404):
        access.get_order_for_user(foreign_investigator, order.pk)


# --- the calendar -----------------------------------------------------------------------------


def _events(body: bytes) -> dict[str, object]:
    parsed = Calendar.from_ical(body)
    return {str(e["UID"]): e for e in parsed.walk("VEVENT")}


def test_the_calendar_holds_every_deadline_of_the_unit_and_nothing_of_the_victim(
    client, shared_case, investigator, supervisor, unit_peer, vault
):
    cases.set_next_review(actor=investigator, case=shared_case, next_review=date(2026, 6, 1))
    made = orders.start_application(
        **SPO_ANSWERS,
        actor=investigator,
        case=shared_case,
        terms=[NO_CONTACT, ZONE],
        duration_months=24,
        interim_requested=True,
        interim_reasoning="He came to her door twice.",
        grounds={key: {"text": "Written by the officer."} for key in orders.LIMBS},
    )
    orders.change_status(actor=investigator, application=made, status="submitted")
    interim = orders.record_order(
        actor=investigator,
        application=made,
        kind="interim",
        made_on=date(2026, 3, 2),
        ends_on=date(2026, 4, 14),
    )
    orders.record_service(actor=investigator, order=interim, served_on=date(2026, 3, 6))
    hearing = orders.change_status(
        actor=investigator, application=made, status="hearing_listed", hearing_on=date(2026, 4, 14)
    )
    full = orders.record_order(
        actor=investigator,
        application=made,
        kind="full",
        made_on=date(2026, 4, 14),
        duration_months=24,
    )
    sign_in_verified(client, supervisor)
    got = client.get("/orders/calendar.ics")
    assert got.status_code == 200 and got["Content-Type"].startswith("text/calendar")
    events = _events(got.content)
    expected = {
        f"case-review-{shared_case.pk}@cairn.invalid": date(2026, 6, 1),
        f"hearing-{hearing.pk}@cairn.invalid": date(2026, 4, 14),
        f"notification-due-{interim.pk}@cairn.invalid": date(2026, 3, 8),
        f"expiry-{interim.pk}@cairn.invalid": date(2026, 4, 14),
        # The last day: 24 months beginning with 14 April 2026 (s.3(2)).
        f"expiry-{full.pk}@cairn.invalid": date(2028, 4, 13),
        f"renewal-review-{full.pk}@cairn.invalid": date(2028, 1, 14),
    }
    assert {uid: e["DTSTART"].dt for uid, e in events.items()} == expected
    for event in events.values():
        assert type(event["DTSTART"].dt) is date  # all-day
        assert str(event["SUMMARY"]).startswith(shared_case.reference)
    text = got.content.decode()
    assert "NP/2026/0042: SPO hearing" in text
    for private in (
        vault.owner.display_name,
        vault.name,
        "door",
        "outside again",
        NO_CONTACT.necessity,
    ):
        assert private not in text
    # The same deadlines keep their UIDs from one fetch to the next.
    assert set(_events(client.get("/orders/calendar.ics").content)) == set(expected)
    sign_in_verified(client, unit_peer)
    assert _events(client.get("/orders/calendar.ics").content) == {}


def test_the_calendar_is_for_case_roles_only(client, analyst, advocate, owner):
    assert client.get("/orders/calendar.ics").status_code == 302
    for user in (analyst, advocate):
        sign_in_verified(client, user)
        assert client.get("/orders/calendar.ics").status_code == 404
    client.force_login(owner)
    assert client.get("/orders/calendar.ics").status_code == 404


def test_a_draft_can_be_changed_and_a_submitted_application_cannot(case, investigator):
    made = application(investigator, case)
    orders.update_application(
        **SPO_ANSWERS,
        actor=investigator,
        application=made,
        terms=[STATION_AWAY],
        duration_months=None,
        until_further_order=True,
        interim_requested=False,
        interim_reasoning="",
        grounds=GROUNDS,
    )
    assert [t.kind for t in made.terms.all()] == ["report_to_station"]
    made.refresh_from_db()
    assert made.until_further_order and made.duration_months is None
    orders.change_status(actor=investigator, application=made, status="submitted")
    with pytest.raises(ValidationError, match="Only a draft"):
        orders.update_application(
            **SPO_ANSWERS,
            actor=investigator,
            application=made,
            terms=[NO_CONTACT],
            duration_months=24,
            until_further_order=False,
            interim_requested=False,
            interim_reasoning="",
            grounds=GROUNDS,
        )
    assert AuditRecord.objects.filter(action="spo_application.changed").count() == 1
