"""The SPO lifecycle as the Act has it (issue 15, points 1 and 2), at the service level. Each
test names the section it checks (docs/law.md):

- s.5: an interim order applied for with the main application or after it, made only on an
  application already made, varied, renewed (extended), discharged, appealed, ending on its
  own last day or when the main application is decided, which stays alive when it lapses;
- s.3(2) and s.5(6)(a): order dates are inclusive ("until the end of 14 March");
- s.4: who applied for a variation, renewal or discharge; no discharge within two years
  without the consent of both the defendant and the chief officer; the victim being told;
- s.7: which appeals lie, and for whom."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cairn.audit.models import AuditRecord
from cairn.breaches import services as breaches
from cairn.breaches.pack import breach_facts, notification_facts
from cairn.cases.models import Share
from cairn.orders import changes, rules
from cairn.orders import services as orders
from cairn.orders.deadlines import case_deadlines
from cairn.orders.models import ApplicationStatus, Order, VictimInformed
from cairn.orders.rules import TermSpec
from tests.factories import SPO_ANSWERS, make_incident

GROUNDS = {key: {"text": "Ground.", "evidence": []} for key in orders.LIMBS}
NO_CONTACT = TermSpec("no_contact", necessity="He messages her daily.")
NO_IMAGES = TermSpec("no_images", necessity="He photographs her.")


def submitted(actor, case, *, interim=False, hearing_on=None):  # type: ignore[no-untyped-def]
    made = orders.start_application(
        **SPO_ANSWERS,
        actor=actor,
        case=case,
        terms=[NO_CONTACT],
        duration_months=24,
        grounds=GROUNDS,
        interim_requested=interim,
        interim_reasoning="He came to her door twice this week." if interim else "",
    )
    orders.change_status(actor=actor, application=made, status="submitted", hearing_on=hearing_on)
    return made


def statuses(application):  # type: ignore[no-untyped-def]
    return list(application.status_changes.values_list("status", flat=True))


def at_noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


# --- s.5: the interim path --------------------------------------------------------------------


def test_s5_2_a_an_interim_order_asked_for_in_the_draft_is_applied_for_on_submission(
    case, investigator
):
    made = submitted(investigator, case, interim=True)
    assert statuses(made) == ["draft", "submitted", "interim_applied"]
    assert (made.status, made.interim_status) == ("submitted", "interim_applied")


def test_s5_2_b_an_interim_order_is_applied_for_after_the_main_application(case, investigator):
    draft = orders.start_application(
        **SPO_ANSWERS,
        actor=investigator,
        case=case,
        terms=[NO_CONTACT],
        duration_months=24,
        grounds=GROUNDS,
    )
    with pytest.raises(ValidationError, match="Ask for it in the draft"):
        changes.apply_for_interim(actor=investigator, application=draft, reasoning="Urgent.")
    orders.change_status(actor=investigator, application=draft, status="submitted")
    with pytest.raises(ValidationError, match="appropriate"):
        changes.apply_for_interim(actor=investigator, application=draft, reasoning="  ")
    changes.apply_for_interim(
        actor=investigator, application=draft, reasoning="He was seen at her work today."
    )
    draft.refresh_from_db()
    assert draft.interim_requested and draft.interim_status == "interim_applied"
    assert draft.interim_reasoning == "He was seen at her work today."
    assert statuses(draft)[-1] == "interim_applied"
    interim = orders.record_order(
        actor=investigator,
        application=draft,
        kind="interim",
        made_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 14),
    )
    assert interim.kind == "interim" and interim.expires_on == date(2026, 3, 14)
    # Not once the main application is decided (s.5(1)).
    orders.record_order(
        actor=investigator,
        application=draft,
        kind="full",
        made_on=date(2026, 3, 10),
        duration_months=24,
    )
    with pytest.raises(ValidationError, match="cannot become"):
        changes.apply_for_interim(actor=investigator, application=draft, reasoning="Again.")


def test_s5_2_no_interim_order_is_made_before_the_application_is_made(case, investigator):
    draft = orders.start_application(
        **SPO_ANSWERS,
        actor=investigator,
        case=case,
        terms=[NO_CONTACT],
        duration_months=24,
        grounds=GROUNDS,
        interim_requested=True,
        interim_reasoning="Urgent.",
    )
    with pytest.raises(ValidationError, match="cannot become"):
        orders.record_order(
            actor=investigator,
            application=draft,
            kind="interim",
            made_on=date(2026, 3, 2),
            ends_on=date(2026, 3, 14),
        )


def test_s5_6_a_the_interim_order_lapses_on_its_date_and_the_main_application_lives_on(
    case, investigator
):
    today = timezone.localdate()
    made = submitted(investigator, case, interim=True)
    interim = orders.record_order(
        actor=investigator,
        application=made,
        kind="interim",
        made_on=today - timedelta(days=20),
        ends_on=today - timedelta(days=1),
    )
    made.refresh_from_db()
    # In force on its last day, lapsed the day after: nobody records the lapse.
    assert orders.orders_in_force(case, today - timedelta(days=1)) == [interim]
    assert orders.orders_in_force(case, today) == []
    assert orders.interim_state(made) == "interim_lapsed"
    assert made.status == "submitted"  # the main application is alive
    # A lapsed interim order cannot be renewed; another can be applied for (s.5(2)(b)).
    with pytest.raises(ValidationError, match="cannot become"):
        changes.renew_order(
            actor=investigator, order=interim, renewed_on=today, ends_on=today + timedelta(days=14)
        )
    changes.apply_for_interim(actor=investigator, application=made, reasoning="Again at her door.")
    second = orders.record_order(
        actor=investigator,
        application=made,
        kind="interim",
        made_on=today,
        ends_on=today + timedelta(days=14),
    )
    assert orders.orders_in_force(case, today) == [second]
    full = orders.record_order(
        actor=investigator, application=made, kind="full", made_on=today, duration_months=24
    )
    assert orders.orders_in_force(case, today) == [full]


def test_s5_6_b_the_interim_order_ends_when_the_main_application_is_decided(case, investigator):
    made = submitted(investigator, case, interim=True)
    interim = orders.record_order(
        actor=investigator,
        application=made,
        kind="interim",
        made_on=date(2026, 3, 2),
        ends_on=date(2026, 6, 30),
    )
    orders.change_status(
        actor=investigator, application=made, status="refused", decided_on=date(2026, 4, 20)
    )
    made.refresh_from_db()
    assert made.interim_status == "interim_ended"
    assert statuses(made)[-2:] == ["refused", "interim_ended"]
    assert orders.orders_in_force(case, date(2026, 4, 21)) == []
    assert orders.last_day_of_effect(interim) == date(2026, 4, 20)


def test_s5_7_an_interim_order_is_renewed_twice_when_the_hearing_is_adjourned(case, investigator):
    made = submitted(investigator, case, interim=True)
    first = orders.record_order(
        actor=investigator,
        application=made,
        kind="interim",
        made_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 14),
    )
    with pytest.raises(ValidationError, match="new last day"):
        changes.renew_order(actor=investigator, order=first, renewed_on=date(2026, 3, 13))
    second = changes.renew_order(
        actor=investigator,
        order=first,
        renewed_on=date(2026, 3, 13),
        ends_on=date(2026, 4, 10),
        applicant="chief_officer",
        note="Hearing adjourned to 10 April.",
    )
    with pytest.raises(ValidationError, match="later order replaced"):
        changes.renew_order(
            actor=investigator, order=first, renewed_on=date(2026, 4, 9), ends_on=date(2026, 5, 1)
        )
    third = changes.renew_order(
        actor=investigator, order=second, renewed_on=date(2026, 4, 9), ends_on=date(2026, 5, 8)
    )
    assert (third.replaces, second.replaces) == (second, first)
    assert [t.kind for t in third.terms.all()] == ["no_contact"]
    assert orders.orders_in_force(case, date(2026, 5, 8)) == [third]
    assert orders.last_day_of_effect(first) == date(2026, 3, 12)
    made.refresh_from_db()
    assert (made.status, made.interim_status) == ("submitted", "interim_renewed")
    change = made.status_changes.get(order=second)
    assert (change.status, change.decided_on, change.applicant) == (
        "interim_renewed",
        date(2026, 3, 13),
        "chief_officer",
    )
    # s.9: a renewal is not a new order; no new notification.
    assert not third.notification_required
    assert (
        "No new notification: this order renews the order made on 2 March 2026"
        in notification_facts(third)
    )


def test_s5_7_an_interim_order_is_discharged_without_consents_and_the_application_lives_on(
    case, investigator
):
    made = submitted(investigator, case, interim=True)
    interim = orders.record_order(
        actor=investigator,
        application=made,
        kind="interim",
        made_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 30),
    )
    changes.discharge_order(
        actor=investigator, order=interim, discharged_on=date(2026, 3, 9), applicant="defendant"
    )
    made.refresh_from_db()
    assert (made.status, made.interim_status) == ("submitted", "interim_discharged")
    assert orders.orders_in_force(case, date(2026, 3, 10)) == []
    assert orders.last_day_of_effect(interim) == date(2026, 3, 9)


def test_s7_1_b_and_s7_2_b_the_interim_appeals(case, investigator):
    made = submitted(investigator, case, interim=True)
    changes.interim_step(
        actor=investigator, application=made, status="interim_refused", decided_on=date(2026, 3, 2)
    )
    with pytest.raises(ValidationError, match="cannot become"):
        changes.interim_step(
            actor=investigator,
            application=made,
            status="interim_appealed_by_respondent",
            decided_on=date(2026, 3, 3),
        )
    changes.interim_step(
        actor=investigator,
        application=made,
        status="interim_appealed_by_applicant",
        decided_on=date(2026, 3, 3),
    )
    interim = orders.record_order(
        actor=investigator,
        application=made,
        kind="interim",
        made_on=date(2026, 3, 20),
        ends_on=date(2026, 5, 1),
    )
    changes.interim_step(
        actor=investigator,
        application=made,
        status="interim_appealed_by_respondent",
        decided_on=date(2026, 3, 25),
    )
    assert orders.orders_in_force(case, date(2026, 3, 26)) == [interim]  # it stands meanwhile
    made.refresh_from_db()
    assert made.interim_status == "interim_appealed_by_respondent"
    assert statuses(made)[2:] == [
        "interim_applied",
        "interim_refused",
        "interim_appealed_by_applicant",
        "interim_granted",
        "interim_appealed_by_respondent",
    ]


# --- s.3(2), s.5(6)(a): dates are inclusive --------------------------------------------------


def test_s3_2_a_full_order_runs_to_the_end_of_the_day_before_its_anniversary():
    assert rules.expires_on(date(2026, 3, 2), 24) == date(2028, 3, 1)
    assert rules.expires_on(date(2028, 2, 29), 24) == date(2030, 2, 27)
    assert rules.has_effect_on(date(2028, 3, 1), date(2026, 3, 2), date(2028, 3, 1))
    assert not rules.has_effect_on(date(2028, 3, 2), date(2026, 3, 2), date(2028, 3, 1))


def test_s5_6_a_a_breach_on_the_last_day_is_accepted_and_the_pack_prints_that_day(
    partly_shared_case, investigator, owner, vault
):
    case = partly_shared_case
    today = timezone.localdate()
    last = today - timedelta(days=1)
    made = submitted(investigator, case, interim=True)
    interim = orders.record_order(
        actor=investigator,
        application=made,
        kind="interim",
        made_on=today - timedelta(days=10),
        ends_on=last,
    )
    breach = breaches.record_breach(
        actor=investigator,
        case=case,
        order=interim,
        term=None,
        occurred_at=at_noon(last),
        account="At her door.",
    )
    with pytest.raises(ValidationError, match=f"until the end of {last.day} {last:%B %Y}"):
        breaches.record_breach(
            actor=investigator,
            case=case,
            order=interim,
            term=None,
            occurred_at=timezone.now(),
            account="At her door again.",
        )
    facts = breach_facts(breach, timezone.get_current_timezone())
    assert facts.order.ends == f"The end of {last.day} {last:%B %Y}"
    # The victim reports the last day's incident the day after: the order has just ended,
    # and she can still name it.
    incident = make_incident(vault, days_ago=1, description="He was at my door.")
    incident.start = at_noon(last)
    incident.save(update_fields=["start"])
    share = Share.objects.get(case=case, vault=vault)
    reported = breaches.report_breach(
        actor=owner, vault=vault, incident=incident, share=share, order=interim
    )
    assert reported.order == interim


# --- s.4: variation, renewal and discharge of a full order ------------------------------------


@pytest.fixture
def full_order(case, investigator):  # type: ignore[no-untyped-def]
    made = submitted(investigator, case)
    return orders.record_order(
        actor=investigator,
        application=made,
        kind="full",
        made_on=date(2026, 1, 10),
        duration_months=36,
    )


def test_s4_a_discharge_within_two_years_needs_both_consents(full_order, investigator):
    for consents in ({}, {"consent_defendant": True}, {"consent_chief_officer": True}):
        with pytest.raises(ValidationError) as caught:
            changes.discharge_order(
                actor=investigator,
                order=full_order,
                discharged_on=date(2028, 1, 9),
                applicant="defendant",
                **consents,
            )
        assert "consent" in caught.value.message_dict["consent"][0]
        assert "(s.4)" in caught.value.message_dict["consent"][0]
    assert full_order.application.status_changes.filter(status="discharged").count() == 0
    change = changes.discharge_order(
        actor=investigator,
        order=full_order,
        discharged_on=date(2028, 1, 9),
        applicant="defendant",
        consent_defendant=True,
        consent_chief_officer=True,
        victim_informed_on=date(2028, 1, 10),
    )
    assert (change.applicant, change.consent_defendant, change.consent_chief_officer) == (
        "defendant",
        True,
        True,
    )
    assert change.victim_informed.on == date(2028, 1, 10)


def test_s4_after_two_years_a_discharge_needs_no_consent(full_order, investigator):
    assert rules.discharge_needs_consent(date(2026, 1, 10), date(2028, 1, 9))
    assert not rules.discharge_needs_consent(date(2026, 1, 10), date(2028, 1, 10))
    change = changes.discharge_order(
        actor=investigator, order=full_order, discharged_on=date(2028, 1, 10), applicant="defendant"
    )
    assert change.consent_defendant is None
    full_order.application.refresh_from_db()
    assert full_order.application.status == "discharged"


def test_s4_the_two_years_count_from_the_order_first_made_not_its_variation(
    full_order, investigator
):
    varied = changes.vary_order(
        actor=investigator,
        order=full_order,
        varied_on=date(2027, 6, 1),
        terms=[NO_CONTACT, NO_IMAGES],
    )
    assert changes.first_made_on(varied) == date(2026, 1, 10)
    changes.discharge_order(
        actor=investigator, order=varied, discharged_on=date(2028, 2, 1), applicant="chief_officer"
    )  # more than 2 years after 10 Jan 2026


def test_s4_2_who_applied_is_recorded_and_must_be_one_the_act_names(full_order, investigator):
    with pytest.raises(ValidationError, match="Say who applied"):
        changes.vary_order(
            actor=investigator,
            order=full_order,
            varied_on=date(2027, 6, 1),
            terms=[NO_CONTACT],
            applicant="victim",
        )
    varied = changes.vary_order(
        actor=investigator,
        order=full_order,
        varied_on=date(2027, 6, 1),
        terms=[NO_CONTACT],
        applicant="other_chief_officer",
    )
    change = full_order.application.status_changes.get(order=varied)
    assert (change.status, change.applicant, change.decided_on) == (
        "varied",
        "other_chief_officer",
        date(2027, 6, 1),
    )
    assert AuditRecord.objects.filter(
        action="spo_order.varied", detail__applicant="other_chief_officer"
    ).exists()


def test_the_victim_being_told_is_recorded_once(full_order, investigator):
    renewed = changes.renew_order(
        actor=investigator, order=full_order, renewed_on=date(2028, 12, 1), duration_months=24
    )
    change = full_order.application.status_changes.get(order=renewed)
    with pytest.raises(ValidationError, match="on or after the day of the decision"):
        changes.record_victim_informed(
            actor=investigator, change=change, on=date(2028, 11, 30), today=date(2029, 1, 1)
        )
    told = changes.record_victim_informed(
        actor=investigator, change=change, on=date(2028, 12, 2), today=date(2029, 1, 1)
    )
    assert told.on == date(2028, 12, 2)
    with pytest.raises(ValidationError, match="Already recorded"):
        changes.record_victim_informed(
            actor=investigator, change=change, on=date(2028, 12, 3), today=date(2029, 1, 1)
        )
    draft_row = full_order.application.status_changes.get(status="draft")
    with pytest.raises(ValidationError, match="decisions about the order"):
        changes.record_victim_informed(
            actor=investigator, change=draft_row, on=date(2028, 12, 3), today=date(2029, 1, 1)
        )
    assert VictimInformed.objects.count() == 1


# --- s.7: appeals -----------------------------------------------------------------------------


def test_s7_which_appeals_lie_depends_on_who_applied(full_order, investigator):
    application = full_order.application
    # s.7(1)(a): the defendant appeals the order made.
    assert rules.can_move("granted", "appealed_by_respondent")
    # s.4 refused on the defendant's application: he may appeal (s.7(1)(d)); the police not.
    orders.change_status(
        actor=investigator,
        application=application,
        status="change_refused",
        applicant="defendant",
        decided_on=date(2027, 2, 1),
    )
    with pytest.raises(ValidationError, match="cannot become"):
        orders.change_status(
            actor=investigator, application=application, status="appealed_by_applicant"
        )
    orders.change_status(
        actor=investigator, application=application, status="appealed_by_respondent"
    )
    orders.change_status(
        actor=investigator, application=application, status="granted", note="Appeal dismissed"
    )
    # A variation on the police's application: the defendant may appeal (s.7(1)(c)).
    varied = changes.vary_order(
        actor=investigator,
        order=full_order,
        varied_on=date(2027, 6, 1),
        terms=[NO_CONTACT, NO_IMAGES],
    )
    assert rules.can_move("varied", "appealed_by_respondent", applicant="chief_officer")
    assert not rules.can_move("varied", "appealed_by_applicant", applicant="chief_officer")
    # A discharge on the defendant's application: the police may appeal (s.7(3)).
    changes.discharge_order(
        actor=investigator, order=varied, discharged_on=date(2028, 3, 1), applicant="defendant"
    )
    orders.change_status(
        actor=investigator, application=application, status="appealed_by_applicant"
    )
    application.refresh_from_db()
    assert application.status == "appealed_by_applicant"
    # s.7(2)(c): a refusal on the police's application.
    assert rules.can_move("change_refused", "appealed_by_applicant", applicant="chief_officer")
    assert not rules.can_move("change_refused", "appealed_by_respondent", applicant="chief_officer")


def test_a_refused_change_must_say_who_applied(full_order, investigator):
    with pytest.raises(ValidationError, match="Say who applied"):
        orders.change_status(
            actor=investigator, application=full_order.application, status="change_refused"
        )


# --- the hearing date given on submission -----------------------------------------------------


def test_a_hearing_date_given_on_submission_reaches_the_deadlines(case, investigator):
    from cairn.orders.calendar import unit_deadlines

    hearing = timezone.localdate() + timedelta(days=5)
    submitted(investigator, case, hearing_on=hearing)
    assert ("hearing", hearing) in {(d.kind, d.on) for d in unit_deadlines(investigator)}
    rows = case_deadlines(investigator, case, timezone.localdate())
    assert [(r["deadline"].kind, r["deadline"].on, r["soon"]) for r in rows] == [
        ("hearing", hearing, True)
    ]


def test_an_order_row_keeps_its_kind_and_the_status_labels_read_plainly():
    assert ApplicationStatus("interim_renewed").label == "Interim order renewed (extended)"
    assert Order._meta.get_field("expires_on").null
