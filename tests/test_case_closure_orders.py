"""The closure guard as issue 15 (point 7) has it: closing is refused outright while an order
is in force, an application or interim application is live, or a breach has no outcome (a
supervisor's sign-off answers only the recurrence warning); the victim sees a closed case on
her log's home page; and her access log shows only reasons the reader gave."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cairn.audit.models import AuditRecord
from cairn.breaches import services as breaches
from cairn.cases import closure
from cairn.cases import services as cases
from cairn.cases.access import READ_ACTION
from cairn.cases.models import CaseStatus
from cairn.orders import changes
from cairn.orders import services as orders
from cairn.orders.rules import TermSpec
from tests.factories import SPO_ANSWERS, make_incident
from tests.orgs import sign_in_verified

GROUNDS = {key: {"text": "Ground.", "evidence": []} for key in orders.LIMBS}
NO_CONTACT = TermSpec("no_contact", necessity="He messages her daily.")
# Over a year since the last incident and no earlier lull: the recurrence check is silent.
LONG_AGO = (500, 495, 490)
# Quiet for 140 days after an earlier quiet period of 235 days: it warns.
DEMO_LIKE = (400, 395, 390, 385, 150, 145, 140)


def share_pattern(case, investigator, vault, days_ago) -> None:  # type: ignore[no-untyped-def]
    for n, days in enumerate(days_ago, start=1):
        make_incident(vault, days_ago=days, description=f"Secret detail {n}")
    code = cases.issue_share_code(actor=investigator, case=case)
    cases.link_by_code(actor=vault.owner, vault=vault, code=code, scope="all")


def refusal(actor, case) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        cases.change_status(actor=actor, case=case, status=CaseStatus.CLOSED)
    return " ".join(caught.value.message_dict["status"])


def application(actor, case, *, interim=False):  # type: ignore[no-untyped-def]
    made = orders.start_application(
        **SPO_ANSWERS,
        actor=actor,
        case=case,
        terms=[NO_CONTACT],
        duration_months=24,
        grounds=GROUNDS,
        interim_requested=interim,
        interim_reasoning="Urgent." if interim else "",
    )
    orders.change_status(actor=actor, application=made, status="submitted")
    return made


@pytest.fixture
def quiet_case(case, investigator, vault):
    share_pattern(case, investigator, vault, LONG_AGO)
    return case


def test_closing_is_refused_while_an_order_is_in_force_whatever_the_sign_off(
    quiet_case, investigator, supervisor
):
    made = application(investigator, quiet_case)
    today = timezone.localdate()
    order = orders.record_order(
        actor=investigator,
        application=made,
        kind="full",
        made_on=today - timedelta(days=30),
        duration_months=24,
    )
    text = refusal(investigator, quiet_case)
    assert text.startswith("This case cannot be closed while the Stalking Protection Order made on")
    assert f"until the end of {order.expires_on.day} {order.expires_on:%B %Y}" in text
    closure.sign_off_closure(actor=supervisor, case=quiet_case, reason="Agreed")
    assert "cannot be closed while" in refusal(investigator, quiet_case)
    changes.discharge_order(
        actor=investigator,
        order=order,
        discharged_on=today,
        applicant="chief_officer",
        consent_defendant=True,
        consent_chief_officer=True,
    )
    cases.change_status(actor=investigator, case=quiet_case, status=CaseStatus.CLOSED)
    quiet_case.refresh_from_db()
    assert quiet_case.status == CaseStatus.CLOSED


def test_closing_is_refused_while_an_application_or_interim_application_is_live(
    quiet_case, investigator
):
    made = application(investigator, quiet_case, interim=True)
    text = refusal(investigator, quiet_case)
    assert "'Submitted to the court'" in text
    assert "an interim order applied for is 'Interim order applied for'" in text
    orders.change_status(actor=investigator, application=made, status="withdrawn")
    cases.change_status(actor=investigator, case=quiet_case, status=CaseStatus.CLOSED)


def test_a_lapsed_interim_order_does_not_hold_the_case_open_once_the_application_ends(
    quiet_case, investigator
):
    made = application(investigator, quiet_case, interim=True)
    today = timezone.localdate()
    orders.record_order(
        actor=investigator,
        application=made,
        kind="interim",
        made_on=today - timedelta(days=20),
        ends_on=today - timedelta(days=1),
    )
    text = refusal(investigator, quiet_case)
    assert "is in force" not in text  # the interim order lapsed yesterday
    assert "'Submitted to the court'" in text  # the application did not
    orders.change_status(actor=investigator, application=made, status="withdrawn")
    cases.change_status(actor=investigator, case=quiet_case, status=CaseStatus.CLOSED)


def test_closing_is_refused_while_a_breach_has_no_outcome(quiet_case, investigator):
    made = application(investigator, quiet_case)
    today = timezone.localdate()
    order = orders.record_order(
        actor=investigator,
        application=made,
        kind="full",
        made_on=today - timedelta(days=60),
        duration_months=24,
    )
    breach = breaches.record_breach(
        actor=investigator,
        case=quiet_case,
        order=order,
        term=None,
        occurred_at=timezone.now() - timedelta(days=2),
        account="At her door.",
    )
    changes.discharge_order(
        actor=investigator,
        order=order,
        discharged_on=today,
        applicant="chief_officer",
        consent_defendant=True,
        consent_chief_officer=True,
    )
    day = timezone.localdate(breach.occurred_at)
    assert refusal(investigator, quiet_case) == (
        f"This case cannot be closed while the breach of {day.day} {day:%B %Y} has no "
        "outcome recorded."
    )
    breaches.record_outcome(actor=investigator, breach=breach, outcome="charged", on=today)
    cases.change_status(actor=investigator, case=quiet_case, status=CaseStatus.CLOSED)


# --- the access log: only reasons the reader gave ---------------------------------------------


def test_the_guards_read_shows_no_reason_when_the_officer_gave_none(
    client, case, investigator, supervisor, owner, vault
):
    share_pattern(case, investigator, vault, DEMO_LIKE)
    with pytest.raises(ValidationError):
        cases.change_status(actor=investigator, case=case, status=CaseStatus.CLOSED)
    read = AuditRecord.objects.get(action=READ_ACTION, object_type="analysis")
    assert read.detail["purpose_given"] is False
    client.force_login(owner)
    log = client.get(reverse("sharing:access-log", args=[vault.pk])).content.decode()
    assert "Reason given: Supervision" not in log
    assert "No reason given. Cairn checked whether the stalking may start again" in log
    # Through the pages, with a reason chosen for the case: that reason is recorded.
    sign_in_verified(client, investigator)
    client.post(reverse("cases:purpose", args=[case.pk]), {"purpose": "investigation"})
    got = client.post(reverse("cases:status", args=[case.pk]), {"status": "closed"})
    assert got.status_code == 400
    latest = (
        AuditRecord.objects.filter(action=READ_ACTION, object_type="analysis")
        .order_by("-id")
        .first()
    )
    assert latest.detail["purpose"] == "investigation" and "purpose_given" not in latest.detail
    # A supervisor signing off supervises: her reason is hers.
    closure.sign_off_closure(actor=supervisor, case=case, reason="Agreed")
    signed = (
        AuditRecord.objects.filter(action=READ_ACTION, object_type="analysis")
        .order_by("-id")
        .first()
    )
    assert (signed.actor, signed.detail["purpose"]) == (supervisor, "supervision")
    assert "purpose_given" not in signed.detail
    client.force_login(owner)
    log = client.get(reverse("sharing:access-log", args=[vault.pk])).content.decode()
    assert "Reason given: Investigation" in log and "Reason given: Supervision" in log


def test_the_api_access_log_gives_no_purpose_for_the_guards_read(
    client, case, investigator, owner, vault
):
    from tests.test_api import Api

    share_pattern(case, investigator, vault, DEMO_LIKE)
    with pytest.raises(ValidationError):
        cases.change_status(actor=investigator, case=case, status=CaseStatus.CLOSED)
    status, log = Api(client).as_(owner).get(f"/api/vaults/{vault.pk}/access-log")
    assert status == 200 and [e["purpose"] for e in log["items"]] == [None]


# --- the victim's home page -------------------------------------------------------------------


def test_the_victim_sees_a_closed_case_on_her_home_page_and_reopens_it(
    client, quiet_case, investigator, owner, vault
):
    cases.change_status(actor=investigator, case=quiet_case, status=CaseStatus.CLOSED)
    client.force_login(owner)
    home = client.get(reverse("vault:home")).content.decode()
    assert "Your case was closed" in home
    assert "Case NP/2026/0042 at Stalking Unit, North Police was closed on" in home
    share = quiet_case.shares.get()
    reopen = reverse("sharing:reopen", args=[vault.pk, share.pk])
    assert f'action="{reopen}"' in home
    assert client.post(reopen).status_code == 302
    quiet_case.refresh_from_db()
    assert quiet_case.status == CaseStatus.OPEN
    assert "Your case was closed" not in client.get(reverse("vault:home")).content.decode()
