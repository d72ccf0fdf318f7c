"""The application builder as issue 15 (point 3) has it: the s.1(3) and s.2(3) questions,
the s.2(6)-(7) check against every order in force on the same defendant (on this case, or on
any case of the force, any unit, found by the suspects' keyed hashes), and the editor ending
on a check-your-answers page whose submission keeps the first hearing's date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cairn.cases import services as cases
from cairn.orders import services as orders
from cairn.orders.calendar import unit_deadlines
from cairn.orders.rules import TermSpec
from tests.factories import SPO_ANSWERS
from tests.orgs import sign_in_verified

GROUNDS = {key: {"text": f"Ground {key}.", "evidence": []} for key in orders.LIMBS}
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
PHONE = [("phone", "07700 900123")]


def order_on(actor, case, terms):  # type: ignore[no-untyped-def]
    made = orders.start_application(
        actor=actor, case=case, terms=terms, duration_months=24, grounds=GROUNDS, **SPO_ANSWERS
    )
    orders.change_status(actor=actor, application=made, status="submitted")
    return orders.record_order(
        actor=actor,
        application=made,
        kind="full",
        made_on=timezone.localdate() - timedelta(days=30),
        duration_months=24,
    )


# --- s.1(3) and s.2(3) ------------------------------------------------------------------------


def test_s1_3_and_s2_3_are_answered_before_submission(case, investigator):
    made = orders.start_application(
        actor=investigator, case=case, terms=[ZONE], duration_months=24, grounds=GROUNDS
    )
    with pytest.raises(ValidationError) as caught:
        orders.change_status(actor=investigator, application=made, status="submitted")
    problems = caught.value.message_dict
    assert "(s.1(3))" in problems["defendant_area"][0]
    assert "(s.2(3))" in problems["conflicts_considered"][0]
    with pytest.raises(ValidationError, match="force's area"):
        orders.update_application(
            actor=investigator,
            application=made,
            terms=[ZONE],
            duration_months=24,
            until_further_order=False,
            interim_requested=False,
            interim_reasoning="",
            grounds=GROUNDS,
            defendant_area="somewhere",
        )
    orders.update_application(
        actor=investigator,
        application=made,
        terms=[ZONE],
        duration_months=24,
        until_further_order=False,
        interim_requested=False,
        interim_reasoning="",
        grounds=GROUNDS,
        defendant_area="coming",
        defendant_area_reasons="He told her he is moving to her town.",
        conflicts_considered="He attends Friday prayers away from the zone.",
    )
    orders.change_status(actor=investigator, application=made, status="submitted")
    made.refresh_from_db()
    assert (made.status, made.defendant_area) == ("submitted", "coming")


def test_the_defendant_is_a_suspect_of_this_case(case, investigator):
    other = cases.open_case(actor=investigator, reference="NP/2026/0077")
    stranger = cases.add_suspect(actor=investigator, case=other, name="Someone Else")
    with pytest.raises(ValidationError, match="suspect of this case"):
        orders.start_application(
            actor=investigator,
            case=case,
            terms=[ZONE],
            duration_months=24,
            grounds=GROUNDS,
            defendant=stranger,
        )
    only = cases.add_suspect(actor=investigator, case=case, name="Mark")
    made = orders.start_application(
        actor=investigator, case=case, terms=[ZONE], duration_months=24, grounds=GROUNDS
    )
    assert made.defendant == only  # the case's only suspect, by default


# --- s.2(6)-(7): every order on the same defendant --------------------------------------------


def test_s2_7_a_term_clashing_with_an_order_on_the_same_defendant_in_another_unit(
    case, investigator, unit_peer
):
    theirs = cases.open_case(actor=unit_peer, reference="CID/2026/0007")
    cases.add_suspect(actor=unit_peer, case=theirs, name="M", identifiers=PHONE)
    order_on(unit_peer, theirs, [ZONE])
    ours = cases.add_suspect(
        actor=investigator, case=case, name="Mark", identifiers=[("phone", "+44 7700 900123")]
    )
    with pytest.raises(ValidationError) as caught:
        orders.start_application(
            actor=investigator,
            case=case,
            terms=[STATION_IN_ZONE],
            duration_months=24,
            grounds=GROUNDS,
            defendant=ours,
        )
    message = caught.value.message_dict["terms"][0]
    assert "inside the exclusion zone" in message
    assert "(in an order on another unit's case, CID/2026/0007 (CID))" in message
    assert "waits outside her home" not in message  # nothing of the other unit's reasons


def test_s2_7_the_same_unit_is_named_by_its_case_and_other_people_do_not_count(
    case, investigator, foreign_investigator
):
    mine = cases.open_case(actor=investigator, reference="NP/2026/0500")
    cases.add_suspect(actor=investigator, case=mine, name="Mark", identifiers=PHONE)
    order_on(investigator, mine, [ZONE])
    same = cases.add_suspect(actor=investigator, case=case, name="Mark", identifiers=PHONE)
    with pytest.raises(ValidationError, match=r"in the order on case NP/2026/0500\)"):
        orders.start_application(
            actor=investigator,
            case=case,
            terms=[STATION_IN_ZONE],
            duration_months=24,
            grounds=GROUNDS,
            defendant=same,
        )
    # Another person (a different number), or the same number in another force: no clash.
    other_person = cases.add_suspect(
        actor=investigator, case=case, name="Paul", identifiers=[("phone", "07700 900999")]
    )
    orders.start_application(
        actor=investigator,
        case=case,
        terms=[STATION_IN_ZONE],
        duration_months=24,
        grounds=GROUNDS,
        defendant=other_person,
    )
    foreign = cases.open_case(actor=foreign_investigator, reference="WP/2026/0001")
    cases.add_suspect(actor=foreign_investigator, case=foreign, name="M", identifiers=PHONE)
    orders.start_application(
        actor=foreign_investigator,
        case=foreign,
        terms=[STATION_IN_ZONE],
        duration_months=24,
        grounds=GROUNDS,
    )


def test_s2_7_an_order_made_after_the_draft_stops_its_submission(case, investigator, unit_peer):
    ours = cases.add_suspect(actor=investigator, case=case, name="Mark", identifiers=PHONE)
    draft = orders.start_application(
        actor=investigator,
        case=case,
        terms=[STATION_IN_ZONE],
        duration_months=24,
        grounds=GROUNDS,
        defendant=ours,
        **SPO_ANSWERS,
    )
    theirs = cases.open_case(actor=unit_peer, reference="CID/2026/0008")
    cases.add_suspect(actor=unit_peer, case=theirs, name="M", identifiers=PHONE)
    order_on(unit_peer, theirs, [ZONE])
    with pytest.raises(ValidationError) as caught:
        orders.change_status(actor=investigator, application=draft, status="submitted")
    assert "CID/2026/0008" in caught.value.message_dict["terms"][0]


# --- the pages --------------------------------------------------------------------------------


def test_the_editor_asks_the_questions_and_ends_on_check_your_answers(client, investigator, case):
    suspect = cases.add_suspect(
        actor=investigator, case=case, name="Mark Doe", date_of_birth=date(1980, 5, 1)
    )
    draft = orders.start_application(
        actor=investigator, case=case, duration_months=24, grounds=GROUNDS
    )
    sign_in_verified(client, investigator)
    edit = reverse("orders:spo-edit", args=[case.pk, draft.pk])
    page = client.get(edit).content.decode()
    assert "Mark Doe, born 1 May 1980" in page
    assert "How is the defendant linked to the force&#x27;s area? (s.1(3))" in page
    assert "religious beliefs" in page and "(s.2(3))" in page
    got = client.post(
        edit,
        {
            "action": "check",
            "term-count": "1",
            "term-0-kind": "no_contact",
            "term-0-necessity": "He messages her daily.",
            "duration_months": "24",
            "ground_s1_1_a": "Acts.",
            "ground_s1_1_b": "Risk.",
            "ground_s1_1_c": "Necessary.",
            "defendant": str(suspect.pk),
            "defendant_area": "in_area",
            "conflicts_considered": "He keeps no observance; he is unemployed.",
        },
    )
    check = reverse("orders:spo-check", args=[case.pk, draft.pk])
    assert got.status_code == 302 and got["Location"] == check
    page = client.get(check).content.decode()
    assert "Mark Doe, born 1 May 1980" in page
    assert "believes the defendant is in the force&#x27;s area" in page
    assert f'href="{edit}#id_conflicts_considered"' in page
    hearing = timezone.localdate() + timedelta(days=6)
    got = client.post(
        check,
        {
            "hearing_on_day": str(hearing.day),
            "hearing_on_month": str(hearing.month),
            "hearing_on_year": str(hearing.year),
        },
    )
    assert got.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert ("hearing", hearing) in {(d.kind, d.on) for d in unit_deadlines(investigator)}
    case_page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "SPO hearing" in case_page
    # A submitted application has nothing left to check.
    assert client.get(check).status_code == 302
