"""Cases and consent at the service and access level: who sees which case, the victim's share
by code, its scope as it widens, narrows and is withdrawn, the ledger entries that record it,
the audit of every read, and risk assessments with a supervisor's review."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from cairn.accounts import services as accounts
from cairn.accounts.models import Role
from cairn.analysis.reading import risk_form
from cairn.audit.models import AuditRecord
from cairn.cases import access
from cairn.cases import services as cases
from cairn.cases.models import CaseStatus, Share
from cairn.integrity.verify import verify_vault
from cairn.ledger.models import LedgerEntry

PURPOSE = "investigation"


def test_cases_are_seen_by_their_own_unit_only(
    case,
    investigator,
    supervisor,
    analyst,
    administrator,
    unit_peer,
    foreign_investigator,
    advocate,
    owner,
):
    assert list(access.cases_readable_by(investigator)) == [case]
    assert list(access.cases_readable_by(supervisor)) == [case]
    for user in (analyst, administrator, unit_peer, foreign_investigator, advocate, owner):
        assert not access.cases_readable_by(user).exists()
        with pytest.raises(Http404):
            access.get_case_for_user(user, case.pk)


def test_only_case_roles_open_cases(analyst, advocate, owner):
    for user in (analyst, advocate, owner):
        with pytest.raises(PermissionDenied):
            cases.open_case(actor=user, reference="X/1")


def test_a_reference_is_unique_within_the_force(case, investigator, foreign_investigator):
    with pytest.raises(ValidationError) as caught:
        cases.open_case(actor=investigator, reference="NP/2026/0042")
    assert "already has a case" in str(caught.value)
    other = cases.open_case(actor=foreign_investigator, reference="NP/2026/0042")
    assert other.organisation_id != case.organisation_id


def test_status_changes_are_rows_with_who_and_when(case, supervisor, unit_peer):
    cases.change_status(actor=supervisor, case=case, status=CaseStatus.INVESTIGATING)
    with pytest.raises(PermissionDenied):
        cases.change_status(actor=unit_peer, case=case, status=CaseStatus.CLOSED)
    rows = list(case.status_changes.values_list("status", "by__username"))
    assert rows == [("open", "di.reed"), ("investigating", "ds.khan")]


def test_a_victim_links_her_vault_by_code_with_a_ledger_entry(shared_case, vault, owner):
    share = Share.objects.get(vault=vault, case=shared_case)
    assert share.scope == "all"
    last = json.loads(bytes(LedgerEntry.objects.filter(vault=vault).order_by("-seq").first().entry))
    assert last["kind"] == "share.granted" and last["object"]["id"] == str(share.pk)
    assert verify_vault(vault, record=False).ok


def test_a_code_works_once_and_a_wrong_code_says_so(
    case, investigator, owner, vault, other_vault, colleague
):
    code = cases.issue_share_code(actor=investigator, case=case)
    assert len(code) == 9 and code[4] == "-"
    with pytest.raises(ValidationError, match="not right"):
        cases.link_by_code(actor=owner, vault=vault, code="AAAA-AAAA", scope="all")
    cases.link_by_code(actor=owner, vault=vault, code=code.lower(), scope="all")
    with pytest.raises(ValidationError, match="not right"):
        cases.link_by_code(actor=colleague, vault=other_vault, code=code, scope="all")


def test_someone_else_cannot_link_a_vault(case, investigator, vault, colleague):
    code = cases.issue_share_code(actor=investigator, case=case)
    with pytest.raises((PermissionDenied, Http404)):
        cases.link_by_code(actor=colleague, vault=vault, code=code, scope="all")


def test_the_officer_sees_exactly_the_scope_as_it_changes(
    partly_shared_case, investigator, owner, vault, incidents
):
    seen = access.shared_incidents(investigator, vault, purpose=PURPOSE, case=partly_shared_case)
    assert [i.pk for i in seen] == [incidents[0].pk, incidents[1].pk]
    share = Share.objects.get(vault=vault)
    cases.change_share(
        actor=owner,
        share=share,
        scope="chosen",
        incident_ids=[incidents[0].pk, incidents[2].pk, incidents[3].pk],
    )
    seen = access.shared_incidents(investigator, vault, purpose=PURPOSE)
    assert [i.pk for i in seen] == [incidents[0].pk, incidents[2].pk, incidents[3].pk]
    cases.change_share(actor=owner, share=share, scope="chosen", incident_ids=[incidents[2].pk])
    assert [i.pk for i in access.shared_incidents(investigator, vault, purpose=PURPOSE)] == [
        incidents[2].pk
    ]
    with pytest.raises(Http404):
        access.get_shared_incident(investigator, vault, incidents[0].pk, purpose=PURPOSE)
    cases.withdraw_share(actor=owner, share=share)
    assert access.shared_incidents(investigator, vault, purpose=PURPOSE) == []
    with pytest.raises(Http404):
        access.get_shared_vault(investigator, vault.pk)
    kinds = [
        json.loads(bytes(e))["kind"]
        for e in LedgerEntry.objects.filter(vault=vault)
        .order_by("seq")
        .values_list("entry", flat=True)
    ]
    assert kinds[-4:] == ["share.granted", "share.changed", "share.changed", "share.withdrawn"]
    assert verify_vault(vault, record=False).ok


def test_a_share_with_everything_includes_what_she_adds_later(
    shared_case, investigator, vault, incidents
):
    from tests.factories import make_incident

    later = make_incident(vault, days_ago=0.5, description="Something new.")
    seen = access.shared_incidents(investigator, vault, purpose=PURPOSE)
    assert later.pk in {i.pk for i in seen}


def test_nobody_else_sees_the_shared_vault(
    shared_case, vault, unit_peer, foreign_investigator, analyst, administrator, advocate, colleague
):
    for user in (unit_peer, foreign_investigator, analyst, administrator, advocate, colleague):
        assert access.shared_incidents(user, vault, purpose=PURPOSE) == []
        with pytest.raises(Http404):
            access.get_shared_vault(user, vault.pk)


def test_every_read_is_audited_with_its_purpose_and_the_owner_sees_it(
    shared_case, investigator, owner, vault, incidents
):
    access.shared_incidents(investigator, vault, purpose="risk_assessment", case=shared_case)
    access.get_shared_incident(investigator, vault, incidents[1].pk, purpose="court")
    log = list(access.access_log(owner, vault))
    assert [(r.actor, r.detail["purpose"], r.object_type, r.detail["count"]) for r in log] == [
        (investigator, "court", "incident", 1),
        (investigator, "risk_assessment", "incidents", 4),
    ]
    assert not access.access_log(investigator, vault).exists()
    with pytest.raises(ValueError, match="why you are looking"):
        access.shared_incidents(investigator, vault, purpose="curiosity")


def test_an_advocate_shares_by_code_too(advocate, owner, vault, incidents, investigator):
    code = cases.issue_share_code(actor=advocate)
    share = cases.link_by_code(
        actor=owner, vault=vault, code=code, scope="chosen", incident_ids=[incidents[3].pk]
    )
    assert share.advocate == advocate and share.case is None
    seen = access.shared_incidents(advocate, vault, purpose="investigation")
    assert [i.pk for i in seen] == [incidents[3].pk]
    assert access.shared_incidents(investigator, vault, purpose=PURPOSE) == []


def test_scope_must_be_her_own_items(case, investigator, owner, vault, other_vault):
    from tests.factories import make_incident

    theirs = make_incident(other_vault, description="Not hers.")
    code = cases.issue_share_code(actor=investigator, case=case)
    with pytest.raises(ValidationError, match="from your log"):
        cases.link_by_code(
            actor=owner, vault=vault, code=code, scope="chosen", incident_ids=[theirs.pk]
        )
    assert not Share.objects.exists()


def test_risk_assessments_are_versioned_and_reviewed_by_a_supervisor(
    case, investigator, supervisor
):
    form = risk_form()
    question = form.questions[0]
    answer = {question.id: question.options[0].value} if question.options else {}
    first = cases.record_risk_assessment(
        actor=investigator, case=case, form=form, answers=answer, prefilled=list(answer)
    )
    second = cases.record_risk_assessment(actor=investigator, case=case, form=form, answers=answer)
    assert (first.version, second.version) == (1, 2)
    assert first.prefilled == list(answer)
    with pytest.raises(PermissionDenied):
        cases.review_risk_assessment(actor=investigator, assessment=second, decision="agreed")
    with pytest.raises(ValidationError, match="Say what needs to change"):
        cases.review_risk_assessment(actor=supervisor, assessment=second, decision="changes")
    review = cases.review_risk_assessment(actor=supervisor, assessment=second, decision="agreed")
    assert review.by == supervisor
    with pytest.raises(ValidationError):
        cases.record_risk_assessment(
            actor=investigator, case=case, form=form, answers={"no_such_question": "x"}
        )


def test_invitations_give_a_role_once(administrator, unit, outsider, colleague):
    invitation, token = accounts.invite(actor=administrator, unit=unit, role=Role.INVESTIGATOR)
    assert invitation.token_sha256 != token
    membership = accounts.accept_invitation(actor=outsider, token=token)
    assert (membership.role, membership.unit) == (Role.INVESTIGATOR, unit)
    with pytest.raises(ValidationError, match="not valid"):
        accounts.accept_invitation(actor=colleague, token=token)
    with pytest.raises(PermissionDenied):
        accounts.invite(actor=outsider, unit=unit, role=Role.ADMINISTRATOR)
    assert AuditRecord.objects.filter(action="invitation.accepted").count() == 1


def test_a_bad_suspect_identifier_is_a_field_error(case, investigator):
    with pytest.raises(ValidationError) as caught:
        cases.add_suspect(
            actor=investigator, case=case, name="Mark", identifiers=[("phone", "not a number")]
        )
    assert "identifiers" in caught.value.message_dict
    assert not case.suspects.exists()
