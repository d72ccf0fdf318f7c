"""The closure guard (issue 8, point 5): closing a case whose shared log warns that the
stalking may start again needs a supervisor's written sign-off; the victim is told the case is
closed and reopens it in one step from her sharing page."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cairn.accounts.models import Role
from cairn.audit.models import AuditRecord
from cairn.cases import closure
from cairn.cases import services as cases
from cairn.cases.access import READ_ACTION
from cairn.cases.models import CaseStatus, ClosureSignOff, ReopenRequest
from cairn.integrity.verify import verify_vault
from cairn.ledger.models import LedgerEntry
from tests.factories import make_incident
from tests.orgs import _member, sign_in_verified

# A long lull that ended in a restart, then a recent incident (the demo's shape): quiet for
# 140 days now, after an earlier quiet period of 235 days (day 385 to day 150 ago).
DEMO_LIKE = (400, 395, 390, 385, 150, 145, 140)
# Over a year quiet, but shorter than an earlier lull of 785 days that ended in a restart.
LONG_LULL = (1200, 1195, 1190, 1185, 400, 395)
# Quiet for longer than any earlier gap, with no earlier lull: no warning (no year counted).
LONG_AGO = (500, 495, 490)
# Still going on: the last incident is within the usual gaps.
ONGOING = (30, 25, 20, 15, 10, 5)


def share_pattern(case, investigator, vault, days_ago) -> None:  # type: ignore[no-untyped-def]
    for n, days in enumerate(days_ago, start=1):
        make_incident(vault, days_ago=days, description=f"Secret detail {n}")
    code = cases.issue_share_code(actor=investigator, case=case)
    cases.link_by_code(actor=vault.owner, vault=vault, code=code, scope="all")


@pytest.fixture
def second_supervisor(operator, unit):
    return _member(operator, "ds.ward", "DS Ward", unit, Role.SUPERVISOR)


@pytest.fixture
def warned_case(case, investigator, vault):
    share_pattern(case, investigator, vault, DEMO_LIKE)
    return case


# --- the service --------------------------------------------------------------------------------


def test_closing_is_refused_without_a_sign_off_when_the_pattern_warns(
    warned_case, investigator, supervisor
):
    for actor in (investigator, supervisor):
        with pytest.raises(ValidationError) as caught:
            cases.change_status(actor=actor, case=warned_case, status=CaseStatus.CLOSED)
        text = str(caught.value)
        assert "A supervisor must sign off" in text
        assert "140 days" in text and "235 days" in text
        assert "year" not in text
    warned_case.refresh_from_db()
    assert warned_case.status == CaseStatus.OPEN
    assert warned_case.status_changes.count() == 1
    reads = AuditRecord.objects.filter(action=READ_ACTION, object_type="analysis")
    assert reads.count() == 2
    assert {r.detail["purpose"] for r in reads} == {"supervision"}


def test_an_earlier_longer_lull_warns_even_after_a_year(case, investigator, vault):
    share_pattern(case, investigator, vault, LONG_LULL)
    with pytest.raises(ValidationError) as caught:
        cases.change_status(actor=investigator, case=case, status=CaseStatus.CLOSED)
    text = str(caught.value)
    assert "395 days" in text and "785 days" in text
    assert "year" not in text


def test_an_ongoing_pattern_warns_without_a_quiet_period(case, investigator, vault):
    share_pattern(case, investigator, vault, ONGOING)
    with pytest.raises(ValidationError) as caught:
        cases.change_status(actor=investigator, case=case, status=CaseStatus.CLOSED)
    text = str(caught.value)
    assert "it has not stopped" in text.lower()
    assert "quiet period (" not in text and "0 days" not in text


def test_closing_is_allowed_when_no_log_warns(case, investigator, vault, supervisor):
    share_pattern(case, investigator, vault, LONG_AGO)
    cases.change_status(actor=investigator, case=case, status=CaseStatus.CLOSED)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    plain = cases.open_case(actor=investigator, reference="NP/2026/0099")
    cases.change_status(actor=supervisor, case=plain, status=CaseStatus.CLOSED)
    assert not ClosureSignOff.objects.exists()


def test_only_a_supervisor_other_than_the_officer_in_charge_signs_off(
    warned_case, investigator, supervisor, second_supervisor, unit_peer, analyst
):
    for actor in (investigator, unit_peer, analyst):
        with pytest.raises(PermissionDenied):
            closure.sign_off_closure(actor=actor, case=warned_case, reason="Quiet now")
    own = cases.open_case(actor=supervisor, reference="NP/2026/0100")
    with pytest.raises(PermissionDenied):
        closure.sign_off_closure(actor=supervisor, case=own, reason="Quiet now")
    closure.sign_off_closure(actor=second_supervisor, case=own, reason="Quiet now")
    with pytest.raises(ValidationError, match="Write why"):
        closure.sign_off_closure(actor=supervisor, case=warned_case, reason="  ")
    assert ClosureSignOff.objects.count() == 1


def test_after_a_sign_off_the_case_closes_and_a_reopened_case_needs_a_new_one(
    warned_case, investigator, supervisor, owner, vault
):
    sign_off = closure.sign_off_closure(
        actor=supervisor, case=warned_case, reason="Suspect has moved abroad; victim agrees."
    )
    assert sign_off.warning == [
        {
            "vault": str(vault.pk),
            "person": "none",
            "quiet_days": 140,
            "last_incident": sign_off.warning[0]["last_incident"],
            "ongoing": False,
            "lull_days": 235,
            "lull_start": sign_off.warning[0]["lull_start"],
            "lull_end": sign_off.warning[0]["lull_end"],
        }
    ]
    assert "Secret" not in str(sign_off.warning)
    record = AuditRecord.objects.get(action="case.closure_signed_off")
    assert record.actor == supervisor and record.detail["purpose"] == "supervision"
    cases.change_status(actor=investigator, case=warned_case, status=CaseStatus.CLOSED)
    warned_case.refresh_from_db()
    assert warned_case.status == CaseStatus.CLOSED

    share = warned_case.shares.get()
    request = closure.request_reopen(actor=owner, vault=vault, share=share)
    warned_case.refresh_from_db()
    assert warned_case.status == CaseStatus.OPEN
    assert request.status_change.by == owner and request.status_change.note == closure.REOPEN_NOTE
    assert AuditRecord.objects.filter(
        action="case.reopen_requested", actor=owner, vault_id=vault.pk
    ).exists()
    last = LedgerEntry.objects.filter(vault=vault).order_by("-seq").first()
    assert json.loads(bytes(last.entry))["kind"] == "case.reopen_requested"
    assert verify_vault(vault, record=False).ok
    with pytest.raises(ValidationError, match="sign off"):
        cases.change_status(actor=investigator, case=warned_case, status=CaseStatus.CLOSED)


def test_only_the_owner_reopens_and_only_a_closed_case(
    warned_case, supervisor, investigator, owner, vault, colleague
):
    share = warned_case.shares.get()
    with pytest.raises(ValidationError, match="open already"):
        closure.request_reopen(actor=owner, vault=vault, share=share)
    closure.sign_off_closure(actor=supervisor, case=warned_case, reason="Agreed")
    cases.change_status(actor=investigator, case=warned_case, status=CaseStatus.CLOSED)
    with pytest.raises(PermissionDenied):
        closure.request_reopen(actor=colleague, vault=vault, share=share)
    with pytest.raises(PermissionDenied):
        closure.request_reopen(actor=investigator, vault=vault, share=share)
    assert not ReopenRequest.objects.exists()


# --- the pages ----------------------------------------------------------------------------------


def test_whoever_tries_to_close_sees_the_warning(client, warned_case, investigator):
    sign_in_verified(client, investigator)
    response = client.post(
        reverse("cases:status", args=[warned_case.pk]), {"status": "closed", "note": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "A supervisor must sign off" in page and "235 days" in page


def test_the_sign_off_form_is_for_supervisors_only(client, warned_case, investigator, supervisor):
    url = reverse("cases:closure-sign-off", args=[warned_case.pk])
    sign_in_verified(client, investigator)
    page = client.get(reverse("cases:case", args=[warned_case.pk])).content.decode()
    assert url not in page and "Closing the case" in page
    assert client.post(url, {"reason": "x"}).status_code == 404

    sign_in_verified(client, supervisor)
    page = client.get(reverse("cases:case", args=[warned_case.pk])).content.decode()
    assert url in page
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "Victim has moved; agreed with her."})
    assert response.status_code == 302
    page = client.get(reverse("cases:case", args=[warned_case.pk])).content.decode()
    assert "Victim has moved; agreed with her." in page and "235 days" in page
    response = client.post(
        reverse("cases:status", args=[warned_case.pk]), {"status": "closed", "note": ""}
    )
    assert response.status_code == 302


def test_the_victim_sees_the_notice_and_reopens_in_one_step(
    client, warned_case, supervisor, investigator, owner, vault
):
    closure.sign_off_closure(actor=supervisor, case=warned_case, reason="Agreed")
    cases.change_status(actor=investigator, case=warned_case, status=CaseStatus.CLOSED)
    client.force_login(owner)
    page = client.get(reverse("sharing:share", args=[vault.pk])).content.decode()
    assert "Case NP/2026/0042 at Stalking Unit, North Police was closed on" in page
    assert "If anything happens again, reopen it in one step" in page
    share = warned_case.shares.get()
    response = client.post(reverse("sharing:reopen", args=[vault.pk, share.pk]))
    assert response.status_code == 302
    warned_case.refresh_from_db()
    assert warned_case.status == CaseStatus.OPEN
    page = client.get(reverse("sharing:share", args=[vault.pk])).content.decode()
    assert "was closed on" not in page

    sign_in_verified(client, investigator)
    page = client.get(reverse("cases:case", args=[warned_case.pk])).content.decode()
    assert "The victim asked for the case to be reopened" in page
    assert closure.REOPEN_NOTE.replace("'", "&#x27;") in page


def test_others_get_404_for_the_reopen_and_sign_off_pages(
    client, warned_case, supervisor, investigator, vault, colleague, unit_peer, foreign_investigator
):
    closure.sign_off_closure(actor=supervisor, case=warned_case, reason="Agreed")
    cases.change_status(actor=investigator, case=warned_case, status=CaseStatus.CLOSED)
    share = warned_case.shares.get()
    reopen = reverse("sharing:reopen", args=[vault.pk, share.pk])
    sign_off = reverse("cases:closure-sign-off", args=[warned_case.pk])
    client.force_login(colleague)
    assert client.post(reopen).status_code == 404
    for user in (investigator, unit_peer, foreign_investigator):
        sign_in_verified(client, user)
        assert client.post(reopen).status_code == 404
    for user in (unit_peer, foreign_investigator):
        sign_in_verified(client, user)
        assert client.post(sign_off, {"reason": "x"}).status_code == 404
    warned_case.refresh_from_db()
    assert warned_case.status == CaseStatus.CLOSED
    assert not ReopenRequest.objects.exists()
