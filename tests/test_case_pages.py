"""The officer's pages, through HTTP: the unit's case list, the case page with its timeline and
the analysis of the shared evidence, the forms that change a case, the victim's code, risk
assessments and their review; who gets 404; no vault content without a purpose; every read
audited with its purpose."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

import cairn
from cairn.audit.models import AuditRecord
from cairn.cases import services as cases
from cairn.cases.access import READ_ACTION
from cairn.cases.models import Case, CaseStatus, RiskAssessment, ShareCode
from tests.factories import make_incident
from tests.orgs import sign_in_verified
from tests.test_access_lint import BARE_QUERY

SHARED = ("Incident 1: he was outside again.", "Incident 2: he was outside again.")
UNSHARED = ("Incident 3: he was outside again.", "Incident 4: he was outside again.")
THREAT = "He said I would regret it if I went to the police."


@pytest.fixture
def officer(client, investigator):
    sign_in_verified(client, investigator)
    return client


def choose(client, case, purpose="investigation"):
    response = client.post(
        reverse("cases:purpose", args=[case.pk]),
        {"purpose": purpose, "next": reverse("cases:case", args=[case.pk])},
    )
    assert response.status_code == 302
    return response


def reads():
    return list(AuditRecord.objects.filter(action=READ_ACTION).order_by("id"))


def html(response) -> str:
    return response.content.decode()


# --- who may see the pages --------------------------------------------------------------------


def case_urls(case, vault, incident, assessment) -> list[tuple[str, str]]:
    """Every page of one case, with the method that reaches it."""
    return [
        ("get", reverse("cases:case", args=[case.pk])),
        ("post", reverse("cases:purpose", args=[case.pk])),
        ("get", reverse("cases:status", args=[case.pk])),
        ("post", reverse("cases:status", args=[case.pk])),
        ("get", reverse("cases:review-date", args=[case.pk])),
        ("get", reverse("cases:entry-new", args=[case.pk])),
        ("post", reverse("cases:entry-new", args=[case.pk])),
        ("get", reverse("cases:suspect-new", args=[case.pk])),
        ("post", reverse("cases:code", args=[case.pk])),
        ("get", reverse("cases:incident", args=[case.pk, vault.pk, incident.pk])),
        ("get", reverse("cases:risk", args=[case.pk])),
        ("get", reverse("cases:risk-new", args=[case.pk])),
        ("get", reverse("cases:risk-assessment", args=[case.pk, assessment.pk])),
        ("post", reverse("cases:risk-review", args=[case.pk, assessment.pk])),
    ]


@pytest.fixture
def assessment(shared_case, investigator):
    from cairn.analysis.reading import risk_form

    return cases.record_risk_assessment(
        actor=investigator, case=shared_case, form=risk_form(), answers={"threats": "no"}
    )


@pytest.mark.parametrize(
    "who",
    [
        "unit_peer",
        "foreign_investigator",
        "analyst",
        "administrator",
        "advocate",
        "owner",
        "colleague",
    ],
)
def test_anyone_but_the_units_officers_gets_404_for_a_case(
    request, client, who, shared_case, vault, incidents, assessment
):
    user = request.getfixturevalue(who)
    if who in ("owner", "colleague"):
        client.force_login(user)
    else:
        sign_in_verified(client, user)
    client.post(reverse("cases:purpose", args=[shared_case.pk]), {"purpose": "investigation"})
    for method, url in case_urls(shared_case, vault, incidents[0], assessment):
        response = getattr(client, method)(
            url, {"purpose": "investigation"} if method == "post" else {}
        )
        assert response.status_code == 404, (who, method, url)
    assert not reads()
    assert ShareCode.objects.count() == 1  # only the one the fixture used


@pytest.mark.parametrize("who", ["analyst", "administrator", "advocate", "owner"])
def test_people_without_a_case_role_get_404_for_the_list_and_new_case(request, client, who):
    user = request.getfixturevalue(who)
    if who == "owner":
        client.force_login(user)
    else:
        sign_in_verified(client, user)
    assert client.get(reverse("cases:list")).status_code == 404
    assert client.get(reverse("cases:new")).status_code == 404
    assert client.post(reverse("cases:new"), {"reference": "X/1"}).status_code == 404
    assert not Case.objects.filter(reference="X/1").exists()


def test_a_case_of_another_unit_or_force_is_404_and_not_listed(
    client, case, unit_peer, foreign_investigator
):
    for user in (unit_peer, foreign_investigator):
        sign_in_verified(client, user)
        assert case.reference not in html(client.get(reverse("cases:list")))
        assert client.get(reverse("cases:case", args=[case.pk])).status_code == 404


def test_an_incident_is_404_through_a_case_it_is_not_shared_with(
    officer, investigator, case, vault, incidents
):
    other = cases.open_case(actor=investigator, reference="NP/2026/0099")
    code = cases.issue_share_code(actor=investigator, case=case)
    cases.link_by_code(actor=vault.owner, vault=vault, code=code, scope="all")
    choose(officer, other)
    url = reverse("cases:incident", args=[other.pk, vault.pk, incidents[0].pk])
    assert officer.get(url).status_code == 404
    assert not reads()


def test_someone_signed_out_is_sent_to_sign_in(client, case):
    response = client.get(reverse("cases:case", args=[case.pk]))
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_the_officers_views_read_only_through_access_functions():
    package = Path(cairn.__file__).parent / "cases"
    for name in ("views.py", "risk_views.py", "forms.py", "templatetags/case_pages.py"):
        source = (package / name).read_text(encoding="utf-8")
        assert not BARE_QUERY.findall(source), name


# --- the case list ----------------------------------------------------------------------------


def test_the_list_shows_the_units_cases_with_officer_status_review_and_linked_logs(
    officer, shared_case, investigator, supervisor
):
    cases.set_next_review(
        actor=investigator, case=shared_case, next_review=timezone.localdate() - timedelta(days=1)
    )
    other = cases.open_case(
        actor=supervisor, reference="NP/2026/0100", next_review=date(2030, 1, 1)
    )
    response = officer.get(reverse("cases:list"))
    page = html(response)
    assert response.status_code == 200
    assert "<title>Cases – Cairn</title>" in page  # noqa: RUF001
    row = re.search(r"NP/2026/0042</a>(.*?)</tr>", page, re.S).group(1)
    assert "DC Reed" in row and "Open" in row and "Overdue" in row and "1 linked log" in row
    other_row = re.search(r"NP/2026/0100</a>(.*?)</tr>", page, re.S).group(1)
    assert "DS Khan" in other_row and "1 Jan 2030" in other_row and "0 linked logs" in other_row
    # Soonest review first.
    assert page.index("NP/2026/0042") < page.index(other.reference)
    assert 'href="/cases/new/"' in page


def test_the_list_filters_by_status_and_mine_and_pages(officer, investigator, supervisor):
    for n in range(30):
        case = cases.open_case(
            actor=investigator if n % 2 else supervisor, reference=f"NP/{n:04d}", officer=None
        )
        if n % 3 == 0:
            cases.change_status(actor=supervisor, case=case, status=CaseStatus.CLOSED)
    url = reverse("cases:list")
    assert "30 cases" in html(officer.get(url))
    closed = html(officer.get(url, {"status": "closed"}))
    assert "10 cases match the filter" in closed
    mine = html(officer.get(url, {"mine": "on", "sort": "reference"}))
    assert "15 cases match the filter" in mine and "NP/0000" not in mine
    first = html(officer.get(url, {"sort": "reference"}))
    assert "NP/0024" in first and "NP/0025" not in first
    assert "Page 1" not in first and "Page 2 of 2" in first
    second = html(officer.get(url, {"sort": "reference", "page": 2}))
    assert "NP/0025" in second and "NP/0029" in second
    assert officer.get(url, {"status": "nonsense"}).status_code == 400


def test_an_officer_opens_a_case(officer, investigator, supervisor):
    response = officer.get(reverse("cases:new"))
    assert "DS Khan" in html(response) and "DC Reed" in html(response)
    response = officer.post(
        reverse("cases:new"),
        {
            "reference": "NP/2026/0101",
            "officer": str(supervisor.pk),
            "next_review_day": "3",
            "next_review_month": "4",
            "next_review_year": "2027",
        },
    )
    case = Case.objects.get(reference="NP/2026/0101")
    assert response["Location"] == reverse("cases:case", args=[case.pk])
    assert (case.officer, case.next_review, case.created_by) == (
        supervisor,
        date(2027, 4, 3),
        investigator,
    )
    again = officer.post(
        reverse("cases:new"), {"reference": "NP/2026/0101", "officer": str(investigator.pk)}
    )
    assert again.status_code == 400 and "already has a case" in html(again)


def test_the_officer_in_charge_must_be_of_the_unit(officer, unit_peer, analyst):
    for user in (unit_peer, analyst):
        response = officer.post(
            reverse("cases:new"), {"reference": "NP/1", "officer": str(user.pk)}
        )
        assert response.status_code == 400
    assert not Case.objects.filter(reference="NP/1").exists()


def test_an_officer_sees_cases_in_the_navigation_not_a_victims_items(officer, owner, vault):
    from django.test import Client

    page = html(officer.get(reverse("cases:list")))
    assert ">Cases<" in page and "Log an incident" not in page
    victim = Client()
    victim.force_login(owner)
    page = html(victim.get(reverse("vault:home")))
    assert ">Cases<" not in page and "Log an incident" in page


# --- the case page: purpose, content, audit ---------------------------------------------------


def test_without_a_purpose_the_case_page_shows_no_vault_content(
    officer, shared_case, vault, incidents
):
    page = html(officer.get(reverse("cases:case", args=[shared_case.pk])))
    assert "Why are you looking at the shared evidence?" in page
    assert "Show the evidence" in page
    for text in SHARED + UNSHARED:
        assert text not in page
    assert "Alex" in page  # who shares, and what: the share, not its content
    assert "Everything in her log" in page
    incident_page = officer.get(
        reverse("cases:incident", args=[shared_case.pk, vault.pk, incidents[0].pk])
    )
    assert incident_page.status_code == 200
    assert SHARED[0] not in html(incident_page)
    assert "Show the evidence" in html(incident_page)
    assert not reads()


def test_with_a_purpose_the_timeline_and_analysis_show_and_each_read_is_audited(
    officer, shared_case, vault, incidents, investigator
):
    choose(officer, shared_case, "risk_assessment")
    response = officer.get(reverse("cases:case", args=[shared_case.pk]))
    page = html(response)
    for text in SHARED + UNSHARED:
        assert text in page
    assert "You are looking at the shared evidence for: <strong>Risk assessment</strong>" in page
    # The analysis: each limb of the SPO test, with links to the officer's incident pages.
    assert "They have carried out acts associated with stalking" in page
    assert "Stalking Protection Act 2019, s.1(1)(a)" in page
    incident_url = reverse("cases:incident", args=[shared_case.pk, vault.pk, incidents[0].pk])
    assert f'href="{incident_url}"' in page
    assert f"/vaults/{vault.pk}/incidents/" in page and "/pattern/" not in page
    assert 'role="img"' in page or "<svg" in page
    assert "<title>Case – Cairn</title>" in page  # noqa: RUF001
    records = reads()
    assert [
        (r.object_type, r.detail["purpose"], r.detail["case"], r.detail["count"]) for r in records
    ] == [
        ("incidents", "risk_assessment", str(shared_case.pk), 4),
        ("analysis", "risk_assessment", str(shared_case.pk), 4),
    ]
    assert all(r.actor == investigator and r.vault_id == vault.pk for r in records)


def test_the_partly_shared_case_shows_exactly_the_shared_incidents(
    officer, partly_shared_case, vault, incidents
):
    choose(officer, partly_shared_case)
    page = html(officer.get(reverse("cases:case", args=[partly_shared_case.pk])))
    for text in SHARED:
        assert text in page
    for text in UNSHARED:
        assert text not in page
    for incident in incidents[2:]:
        assert str(incident.pk) not in page
        url = reverse("cases:incident", args=[partly_shared_case.pk, vault.pk, incident.pk])
        assert officer.get(url).status_code == 404
    assert "Only what she chose: 2 incidents" in page
    assert {r.detail["count"] for r in reads()} == {2}


def test_a_shared_incident_page_shows_it_with_its_exhibits_and_is_audited(
    officer, shared_case, vault, incidents, owner
):
    import io

    from cairn.vault import services as vault_services

    vault_services.add_exhibit(
        actor=owner,
        vault=vault,
        stream=io.BytesIO(b"%PDF-1.4\n"),
        original_name="letter.pdf",
        incident=incidents[1],
        description="The letter he left",
    )
    choose(officer, shared_case, "court")
    url = reverse("cases:incident", args=[shared_case.pk, vault.pk, incidents[1].pk])
    page = html(officer.get(url))
    assert "Incident 2" in page and SHARED[1] in page
    assert "AB/1" in page and "The letter he left" in page
    assert "letter.pdf" not in page
    assert "<title>Shared incident – Cairn</title>" in page  # noqa: RUF001
    assert [(r.object_type, r.detail["purpose"]) for r in reads()] == [
        ("incident", "court"),
        ("exhibits", "court"),
    ]


def test_a_withdrawn_share_shows_nothing_more(officer, shared_case, vault, incidents, owner):
    from cairn.cases.models import Share

    choose(officer, shared_case)
    cases.withdraw_share(actor=owner, share=Share.objects.get(vault=vault))
    page = html(officer.get(reverse("cases:case", args=[shared_case.pk])))
    for text in SHARED + UNSHARED:
        assert text not in page
    assert "No victim has linked her log" in page
    url = reverse("cases:incident", args=[shared_case.pk, vault.pk, incidents[0].pk])
    assert officer.get(url).status_code == 404
    assert not reads()


def test_the_purpose_must_be_one_of_the_choices_and_only_returns_within_the_case(
    officer, shared_case
):
    url = reverse("cases:purpose", args=[shared_case.pk])
    response = officer.post(url, {"purpose": "curiosity"})
    assert response.status_code == 400 and "Choose why you are looking" in html(response)
    assert "purpose:" + str(shared_case.pk) not in officer.session
    for target in ("https://example.com/", "//example.com/cases/", "/cases/"):
        response = officer.post(url, {"purpose": "investigation", "next": target})
        assert response["Location"] == reverse("cases:case", args=[shared_case.pk])
    risk = reverse("cases:risk-new", args=[shared_case.pk])
    assert officer.post(url, {"purpose": "court", "next": risk})["Location"] == risk
    assert officer.session["purpose:" + str(shared_case.pk)] == "court"


# --- changing a case --------------------------------------------------------------------------


def test_actions_and_notes_join_the_timeline_in_time_order(
    officer, shared_case, incidents, investigator
):
    choose(officer, shared_case)
    when = timezone.localtime(incidents[1].start) + timedelta(days=1)
    response = officer.post(
        reverse("cases:entry-new", args=[shared_case.pk]),
        {
            "kind": "action",
            "day_day": when.day,
            "day_month": when.month,
            "day_year": when.year,
            "at": "10:15",
            "text": "Visited the victim; took a statement.",
        },
    )
    assert response.status_code == 302
    entry = shared_case.entries.get()
    assert (entry.kind, entry.created_by) == ("action", investigator)
    page = html(officer.get(reverse("cases:case", args=[shared_case.pk])))
    # Newest first: incident 3, then the action, then incident 2.
    assert page.index(UNSHARED[0]) < page.index("Visited the victim") < page.index(SHARED[1])
    assert "Police action by DC Reed" in page
    empty = officer.post(reverse("cases:entry-new", args=[shared_case.pk]), {"kind": "note"})
    assert empty.status_code == 400 and "Enter what was done or noted" in html(empty)


def test_status_changes_are_added_to_the_history(officer, case, investigator):
    url = reverse("cases:status", args=[case.pk])
    assert officer.post(url, {"status": "investigating", "note": "Allocated"}).status_code == 302
    same = officer.post(url, {"status": "investigating"})
    assert same.status_code == 400 and "already has this status" in html(same)
    page = html(officer.get(reverse("cases:case", args=[case.pk])))
    history = page[page.index("Status history") : page.index('id="logs"')]
    assert history.index("Open") < history.index("Under investigation")
    assert list(case.status_changes.values_list("status", "by")) == [
        ("open", investigator.pk),
        ("investigating", investigator.pk),
    ]
    assert "Allocated" in page


def test_the_next_review_date_is_editable(officer, case):
    url = reverse("cases:review-date", args=[case.pk])
    officer.post(
        url, {"next_review_day": "1", "next_review_month": "6", "next_review_year": "2027"}
    )
    case.refresh_from_db()
    assert case.next_review == date(2027, 6, 1)
    assert "1 June 2027" in html(officer.get(reverse("cases:case", args=[case.pk])))
    bad = officer.post(
        url, {"next_review_day": "31", "next_review_month": "2", "next_review_year": "2027"}
    )
    assert bad.status_code == 400
    officer.post(url, {})
    case.refresh_from_db()
    assert case.next_review is None


def test_suspects_are_added_with_identifiers(officer, case):
    url = reverse("cases:suspect-new", args=[case.pk])
    bad = officer.post(
        url, {"name": "Chris Example", "identifier_1_kind": "phone", "identifier_1_value": "12"}
    )
    assert bad.status_code == 400 and "wrong number of digits" in html(bad)
    response = officer.post(
        url,
        {
            "name": "Chris Example",
            "date_of_birth_day": "2",
            "date_of_birth_month": "3",
            "date_of_birth_year": "1980",
            "identifier_1_kind": "phone",
            "identifier_1_value": "07700 900123",
            "identifier_2_kind": "handle",
            "identifier_2_value": "@chrisx",
        },
    )
    assert response.status_code == 302
    suspect = case.suspects.get()
    assert suspect.identifiers == [
        {"kind": "phone", "value": "+447700900123"},
        {"kind": "handle", "value": "chrisx"},
    ]
    page = html(officer.get(reverse("cases:case", args=[case.pk])))
    assert "Chris Example" in page and "+447700900123" in page and "2 March 1980" in page


def test_the_victims_code_is_shown_once_and_links_her_log(officer, case, owner, vault, incidents):
    response = officer.post(reverse("cases:code", args=[case.pk]))
    page = html(response)
    code = re.search(r"govuk-panel__body\">([A-Z0-9]{4}-[A-Z0-9]{4})<", page).group(1)
    expires = (timezone.localdate() + timedelta(days=14)).strftime("%-d %B %Y")
    assert f"until {expires}" in page and "Stalking Unit" in page
    stored = ShareCode.objects.get(case=case)
    assert code.replace("-", "") not in stored.code_hash
    assert officer.get(reverse("cases:code", args=[case.pk])).status_code == 405
    cases.link_by_code(actor=owner, vault=vault, code=code, scope="all")
    assert "Everything in her log" in html(officer.get(reverse("cases:case", args=[case.pk])))


# --- risk assessments -------------------------------------------------------------------------


@pytest.fixture
def threat_incident(vault, incidents):
    # By the same person as the shared incidents: the case's defendant.
    return make_incident(
        vault, days_ago=2, description=THREAT, persons=list(incidents[0].persons.all())
    )


def test_a_new_assessment_needs_a_purpose_when_logs_are_linked(officer, shared_case):
    page = html(officer.get(reverse("cases:risk-new", args=[shared_case.pk])))
    assert "Show the evidence" in page and "Save this assessment" not in page
    assert not reads()


def test_a_new_assessment_is_prefilled_from_the_evidence_and_versioned(
    officer, shared_case, threat_incident, investigator
):
    choose(officer, shared_case, "risk_assessment")
    url = reverse("cases:risk-new", args=[shared_case.pk])
    response = officer.get(url)
    page = html(response)
    assert "From the evidence: Words of a threat in 1 incident." in page
    checked = re.search(r'<input[^>]*name="threats"[^>]*value="yes"[^>]*>', page).group(0)
    assert "checked" in checked
    assert [(r.object_type, r.detail["purpose"]) for r in reads()] == [
        ("analysis", "risk_assessment")
    ]
    response = officer.post(
        url, {"threats": "yes", "weapons": "no", "assessment-summary": "Threats; refer to MARAC."}
    )
    first = RiskAssessment.objects.get(case=shared_case)
    assert response["Location"] == reverse("cases:risk-assessment", args=[shared_case.pk, first.pk])
    assert first.prefilled == ["threats"] and first.answers["weapons"] == "no"
    assert (first.version, first.created_by, first.summary) == (
        1,
        investigator,
        "Threats; refer to MARAC.",
    )
    # A second version starts from the first's answers; a changed answer is no longer
    # "from the evidence".
    page = html(officer.get(url))
    weapons_no = re.search(r'<input[^>]*name="weapons"[^>]*value="no"[^>]*>', page).group(0)
    assert "checked" in weapons_no
    officer.post(url, {"threats": "not_sure", "weapons": "no"})
    second = RiskAssessment.objects.get(case=shared_case, version=2)
    assert second.prefilled == [] and second.answers["threats"] == "not_sure"
    listing = html(officer.get(reverse("cases:risk", args=[shared_case.pk])))
    assert "Version 2" in listing and "Version 1" in listing and "Not reviewed" in listing
    detail = html(officer.get(reverse("cases:risk-assessment", args=[shared_case.pk, first.pk])))
    assert "From the evidence" in detail and "Threats; refer to MARAC." in detail


def test_an_assessment_without_a_linked_log_needs_no_purpose(officer, case):
    url = reverse("cases:risk-new", args=[case.pk])
    page = html(officer.get(url))
    assert "Save this assessment" in page and "nothing is filled in from evidence" in page
    assert officer.post(url, {"threats": "yes"}).status_code == 302
    assert RiskAssessment.objects.get(case=case).prefilled == []


def test_a_supervisor_reviews_anothers_assessment_not_their_own(
    client, officer, shared_case, assessment, supervisor
):
    url = reverse("cases:risk-assessment", args=[shared_case.pk, assessment.pk])
    review = reverse("cases:risk-review", args=[shared_case.pk, assessment.pk])
    assert "Save the review" not in html(officer.get(url))
    assert officer.post(review, {"decision": "agreed"}).status_code == 404
    sign_in_verified(client, supervisor)
    assert "Save the review" in html(client.get(url))
    missing = client.post(review, {"decision": "changes"})
    assert missing.status_code == 400 and "Say what needs to change" in html(missing)
    assert (
        client.post(review, {"decision": "changes", "note": "Ask about weapons."}).status_code
        == 302
    )
    page = html(client.get(url))
    assert "Changes needed" in page and "by DS Khan" in page and "Ask about weapons." in page
    from cairn.analysis.reading import risk_form

    own = cases.record_risk_assessment(
        actor=supervisor, case=shared_case, form=risk_form(), answers={}
    )
    own_url = reverse("cases:risk-assessment", args=[shared_case.pk, own.pk])
    assert "Save the review" not in html(client.get(own_url))
    refused = client.post(
        reverse("cases:risk-review", args=[shared_case.pk, own.pk]), {"decision": "agreed"}
    )
    assert refused.status_code == 400 and not own.reviews.exists()


def test_an_assessment_of_another_case_is_404(officer, shared_case, assessment, investigator):
    other = cases.open_case(actor=investigator, reference="NP/2026/0200")
    url = reverse("cases:risk-assessment", args=[other.pk, assessment.pk])
    assert officer.get(url).status_code == 404


# --- the pure helpers -------------------------------------------------------------------------


def test_prefill_takes_what_any_linked_log_shows_and_never_infers_no():
    from cairn.analysis.base import Finding
    from cairn.analysis.questionnaire import parse_form
    from cairn.analysis.risk import Indicator
    from cairn.cases.casework import prefill_answers, still_prefilled

    form = parse_form("""
id: force-form
version: 2
title: A force's form
source: Test
questions:
  - id: threats
    text: Threats?
    options: [{value: "y", label: "Y"}, {value: "n", label: "N"}]
    flags: {"y": explicit_threats}
  - id: seen
    text: Which?
    type: choices
    options: [{value: home, label: Home}, {value: work, label: Work},
              {value: weapon, label: Weapon}]
    flags: {home: at_home, weapon: weapons}
  - id: notes
    text: Notes?
    type: text
""")

    def shown(key, statement, ids):
        return Indicator(key, key, "src", "present", Finding(statement, ids, "src"), None, None)

    def not_seen(key):
        return Indicator(key, key, "src", "not_seen", None, None, None)

    first = [shown("explicit_threats", "Threats in 2 incidents.", ("a", "b")), not_seen("weapons")]
    second = [
        shown("weapons", "A weapon in 1 incident.", ("c",)),
        shown("at_home", "At home: 1 incident.", ("d",)),
    ]
    found = prefill_answers(form, [first, second])
    assert set(found) == {"threats", "seen"}
    assert found["threats"].answer == "y" and found["threats"].incident_ids == ("a", "b")
    assert found["seen"].answer == ["home", "weapon"]
    assert found["seen"].evidence == (
        "From the evidence: A weapon in 1 incident. At home: 1 incident."
    )
    assert prefill_answers(form, [[not_seen("explicit_threats")]]) == {}
    given = {qid: p.answer for qid, p in found.items()}
    assert still_prefilled(given, {"threats": "y", "seen": ["weapon", "home"]}) == [
        "seen",
        "threats",
    ]
    assert still_prefilled(given, {"threats": "n", "seen": ["home"]}) == []


def test_the_timeline_is_newest_first_with_police_entries_above_an_incident_at_the_same_time():
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from cairn.cases.casework import merge_timeline

    at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    older = SimpleNamespace(start=at - timedelta(days=1), pk="i1")
    same = SimpleNamespace(start=at, pk="i2")
    note = SimpleNamespace(happened_at=at, kind="note")
    later = SimpleNamespace(happened_at=at + timedelta(hours=1), kind="action")
    vault = SimpleNamespace(pk="v")
    items = merge_timeline(
        [(vault, older), (vault, same)], [note, later], link=lambda v, i: f"/{v.pk}/{i.pk}/"
    )
    assert [(item.kind, item.href) for item in items] == [
        ("action", ""),
        ("note", ""),
        ("incident", "/v/i2/"),
        ("incident", "/v/i1/"),
    ]


FORCE_FORM = """
id: force-form
version: 1
title: The force's screening form
source: North Police (licensed)
questions:
  - id: threatened
    text: Has the suspect threatened the victim?
    options: [{value: "y", label: "Yes"}, {value: "n", label: "No"}]
    flags: {"y": explicit_threats}
    score: {"y": 5}
bands:
  - {min: 0, max: 4, label: Standard}
  - {min: 5, label: High}
"""


def test_a_form_the_deployment_loads_is_offered_and_prefilled_by_its_flags(
    officer, settings, tmp_path, shared_case, threat_incident
):
    (tmp_path / "force.yaml").write_text(FORCE_FORM, encoding="utf-8")
    settings.CAIRN_RISK_FORM_DIRS = [str(tmp_path)]
    choose(officer, shared_case, "risk_assessment")
    url = reverse("cases:risk-new", args=[shared_case.pk])
    page = html(officer.get(url))
    assert "Which form do you want to use?" in page
    assert "The force&#x27;s screening form" in page and "Questions about the person" in page
    assert not reads()
    page = html(officer.get(url, {"form": "force-form"}))
    assert "From the evidence: Words of a threat in 1 incident." in page
    officer.post(url + "?form=force-form", {"threatened": "y"})
    assessment = RiskAssessment.objects.get(case=shared_case)
    assert (assessment.form_id, assessment.level, assessment.prefilled) == (
        "force-form",
        "High",
        ["threatened"],
    )
    detail = html(
        officer.get(reverse("cases:risk-assessment", args=[shared_case.pk, assessment.pk]))
    )
    assert "Has the suspect threatened the victim?" in detail and "High" in detail
    assert officer.get(url, {"form": "no-such-form"}).status_code == 404
