"""The right to know and multi-agency referrals (issue 15, point 6; docs/adr/0042): each
right-to-know decision with its reasons and the day the victim was told; referrals to the
stalking advocate, MARAC and a MASIP with their outcomes; a MARAC meeting as a deadline; and
the force dashboard counting both."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cairn.audit.models import AuditRecord
from cairn.cases import multiagency
from cairn.cases.models import Referral, RightToKnow
from cairn.dashboard import queries
from cairn.dashboard.figures import Period
from cairn.orders.calendar import unit_deadlines
from cairn.orders.deadlines import case_deadlines
from tests.orgs import sign_in_verified

TODAY = date(2026, 6, 10)


# --- the right to know ------------------------------------------------------------------------


def test_telling_her_needs_the_day_she_was_told_and_every_decision_its_reasons(case, investigator):
    decide = multiagency.decide_right_to_know
    with pytest.raises(ValidationError, match="reasons"):
        decide(
            actor=investigator,
            case=case,
            identified_on=date(2026, 6, 1),
            how_identified="Account subscriber data",
            decision="not_tell",
            reasons=" ",
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="day the victim was told"):
        decide(
            actor=investigator,
            case=case,
            identified_on=date(2026, 6, 1),
            how_identified="Account subscriber data",
            decision="tell",
            reasons="He poses no added risk if she knows.",
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="future"):
        decide(
            actor=investigator,
            case=case,
            identified_on=date(2026, 6, 11),
            how_identified="x",
            decision="not_yet",
            reasons="x",
            today=TODAY,
        )
    first = decide(
        actor=investigator,
        case=case,
        identified_on=date(2026, 6, 1),
        how_identified="Subscriber data for the account that messaged her",
        decision="not_yet",
        reasons="Arrest planned; telling her now could warn him.",
        decided_on=date(2026, 6, 2),
        today=TODAY,
    )
    with pytest.raises(ValidationError, match="Only a decision to tell"):
        decide(
            actor=investigator,
            case=case,
            identified_on=date(2026, 6, 1),
            how_identified="x",
            decision="not_tell",
            reasons="x",
            told_on=TODAY,
            today=TODAY,
        )
    told = decide(
        actor=investigator,
        case=case,
        identified_on=date(2026, 6, 1),
        how_identified="Subscriber data",
        decision="tell",
        reasons="Arrested; she can now plan for her safety.",
        decided_on=date(2026, 6, 8),
        told_on=date(2026, 6, 9),
        today=TODAY,
    )
    assert multiagency.right_to_know_state(case) == told
    assert list(RightToKnow.objects.values_list("decision", flat=True)) == ["not_yet", "tell"]
    record = AuditRecord.objects.filter(action="case.right_to_know").last()
    assert record.detail == {
        "decision": "tell",
        "decided_on": "2026-06-08",
        "identified_on": "2026-06-01",
        "told_on": "2026-06-09",
    }
    assert first.reasons not in str(AuditRecord.objects.values_list("detail", flat=True))


def test_only_the_unit_decides(case, unit_peer, owner):
    for user in (unit_peer, owner):
        with pytest.raises(PermissionDenied):
            multiagency.decide_right_to_know(
                actor=user,
                case=case,
                identified_on=date(2026, 6, 1),
                how_identified="x",
                decision="not_yet",
                reasons="x",
                today=TODAY,
            )


# --- referrals --------------------------------------------------------------------------------


def test_a_marac_referral_with_its_meeting_becomes_a_deadline_and_takes_an_outcome(
    case, investigator
):
    today = timezone.localdate()
    meeting = today + timedelta(days=5)
    with pytest.raises(ValidationError, match="Only a MARAC referral"):
        multiagency.refer(
            actor=investigator, case=case, kind="masip", referred_on=today, meeting_on=meeting
        )
    marac = multiagency.refer(
        actor=investigator,
        case=case,
        kind="marac",
        referred_on=today,
        agency="North MARAC",
        meeting_on=meeting,
    )
    multiagency.refer(
        actor=investigator,
        case=case,
        kind="advocate",
        referred_on=today,
        agency="Stalking advocacy service",
    )
    assert ("marac", meeting) in {(d.kind, d.on) for d in unit_deadlines(investigator)}
    rows = case_deadlines(investigator, case, today)
    assert [(r["deadline"].kind, r["soon"]) for r in rows] == [("marac", True)]
    multiagency.record_referral_outcome(
        actor=investigator, referral=marac, outcome="heard", on=meeting, today=meeting
    )
    with pytest.raises(ValidationError, match="recorded already"):
        multiagency.record_referral_outcome(
            actor=investigator, referral=marac, outcome="declined", on=meeting, today=meeting
        )
    assert ("marac", meeting) not in {(d.kind, d.on) for d in unit_deadlines(investigator)}


def test_the_case_page_records_both(client, investigator, unit_peer, case):
    sign_in_verified(client, investigator)
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert 'id="right-to-know"' in page and 'id="referrals"' in page
    today = timezone.localdate()
    got = client.post(
        reverse("cases:right-to-know", args=[case.pk]),
        {
            "identified_on_day": today.day,
            "identified_on_month": today.month,
            "identified_on_year": today.year,
            "how_identified": "Phone subscriber check",
            "decision": "tell",
            "reasons": "Safe to tell her.",
            "told_on_day": today.day,
            "told_on_month": today.month,
            "told_on_year": today.year,
        },
    )
    assert got.status_code == 302 and got["Location"].endswith("#right-to-know")
    got = client.post(
        reverse("cases:referral-new", args=[case.pk]),
        {
            "kind": "masip",
            "referred_on_day": today.day,
            "referred_on_month": today.month,
            "referred_on_year": today.year,
        },
    )
    assert got.status_code == 302
    referral = Referral.objects.get()
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Tell the victim who the stalker is" in page and "Safe to tell her." in page
    assert "MASIP (multi-agency stalking intervention programme)" in page
    outcome = reverse("cases:referral-outcome", args=[case.pk, referral.pk])
    assert (
        client.post(
            outcome,
            {
                "outcome": "accepted",
                "outcome_on_day": today.day,
                "outcome_on_month": today.month,
                "outcome_on_year": today.year,
            },
        ).status_code
        == 302
    )
    referral.refresh_from_db()
    assert referral.outcome == "accepted"
    # Refused input is named back on the page, and nothing is stored.
    got = client.post(reverse("cases:referral-new", args=[case.pk]), {"kind": "masip"})
    assert got.status_code == 302 and Referral.objects.count() == 1
    assert "Enter the day of the referral" in client.get(got["Location"]).content.decode()
    # Outside the unit: not found.
    sign_in_verified(client, unit_peer)
    assert (
        client.post(
            reverse("cases:referral-new", args=[case.pk]),
            {
                "kind": "masip",
                "referred_on_day": today.day,
                "referred_on_month": today.month,
                "referred_on_year": today.year,
            },
        ).status_code
        == 404
    )
    assert client.post(outcome, {"outcome": "declined"}).status_code == 404


# --- the dashboard ----------------------------------------------------------------------------


def test_the_dashboard_counts_decisions_and_referrals(case, investigator, analyst):
    today = timezone.localdate()
    multiagency.decide_right_to_know(
        actor=investigator,
        case=case,
        identified_on=today,
        how_identified="x",
        decision="tell",
        reasons="x",
        told_on=today,
    )
    multiagency.decide_right_to_know(
        actor=investigator,
        case=case,
        identified_on=today,
        how_identified="x",
        decision="not_yet",
        reasons="x",
    )
    for kind in ("advocate", "marac", "marac", "masip"):
        multiagency.refer(actor=investigator, case=case, kind=kind, referred_on=today)
    organisation = analyst.memberships.get().organisation
    month = today.replace(day=1)
    total = queries.dashboard_for(organisation, Period(month, month)).total()
    assert (
        total.right_to_know_told,
        total.right_to_know_not_told,
        total.right_to_know_not_yet,
    ) == (1, 0, 1)
    assert (total.referrals_advocate, total.referrals_marac, total.referrals_masip) == (1, 2, 1)
    client = Client()
    sign_in_verified(client, analyst)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "1 to a stalking advocate, 2 to MARAC, 1 to a MASIP" in page
    response = client.get(reverse("dashboard:csv"))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert sum(int(r["referrals_marac"]) for r in rows) == 2
    assert sum(int(r["right_to_know_told"]) for r in rows) == 1
