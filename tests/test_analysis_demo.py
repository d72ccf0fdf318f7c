"""The analysis of the demo vault (a lull of about four months, then a harder restart), the
"Understand the pattern" pages, the risk questions, and ``cairn analyse``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from django.urls import reverse

from cairn.analysis import sources
from cairn.analysis.engine import analyse_people
from cairn.analysis.models import RiskAnswers
from cairn.audit.models import AuditRecord
from cairn.cli.analysis import analyse_command
from cairn.demo import load_demo
from cairn.vault.snapshot_loader import take_snapshot
from tests.factories import make_incident

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 20, 10, 30, tzinfo=UTC)


@pytest.fixture
def demo_analysis():
    vault = load_demo(now=NOW)
    people = analyse_people(take_snapshot(vault, now=NOW), now=NOW)
    (analysis,) = people.people  # the demo names one person as doing this
    return analysis


def test_the_demo_analysis_finds_the_lull_and_the_harder_restart(demo_analysis):
    (lull,) = demo_analysis.lulls.lulls
    assert 120 <= lull.days <= 135
    assert lull.ended_in_restart and lull.restart_more_intense
    assert lull.rate_after > 2 * lull.rate_before
    assert demo_analysis.recurrence.warning
    assert [r.statement.split(":")[0] for r in demo_analysis.recurrence.reasons] == [
        "It has not stopped"
    ]


def test_the_demo_analysis_finds_the_escalation(demo_analysis):
    escalation = demo_analysis.escalation
    assert escalation.severity_trend.direction == "rising"
    assert escalation.severity_trend.p_value < 0.05
    rates = [(p.rate_before, p.rate_after) for p in escalation.change_points]
    assert any(before == 0 and after > 1 for before, after in rates)  # the restart
    busiest = max(s.rate_per_week for s in escalation.segments)
    assert busiest > escalation.segments[0].rate_per_week
    indicators = {i.key: i.status for i in demo_analysis.risk_indicators}
    assert indicators["rising_frequency"] == "present"
    assert indicators["lull_then_restart"] == "present"


def test_the_demo_analysis_shows_the_acts_present(demo_analysis):
    assert {a.code for a in demo_analysis.acts} == {"a", "b", "c", "e", "f", "g"}
    assert demo_analysis.s4a.fear_on_two_or_more_occasions
    assert demo_analysis.s4a.activity_changes_recorded
    assert all(e.shown for e in demo_analysis.four.elements())


def test_the_demo_analysis_shows_each_threshold_limb_with_citations(demo_analysis):
    limbs = {limb.key: limb for limb in demo_analysis.threshold.limbs()}
    assert set(limbs) == {"s1_1_a", "s1_1_b", "s1_1_c", "s2_1"}
    assert limbs["s1_1_a"].citation.startswith(sources.SPA_S1_1_A)
    assert limbs["s1_1_b"].citation == sources.SPA_S1_1_B
    assert limbs["s1_1_c"].citation == sources.SPA_S1_1_C
    assert limbs["s2_1"].citation == sources.SPA_S2_1
    for limb in limbs.values():
        assert limb.status == "met"
        assert limb.evidence and limb.findings


# --- the pages ---------------------------------------------------------------------------


def test_the_owner_sees_the_pattern_of_her_vault(owner_client, vault):
    make_incident(vault, days_ago=30, description="Outside my house again")
    make_incident(vault, days_ago=2, feared_violence=True)
    response = owner_client.get(reverse("analysis:pattern", args=[vault.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Cairn</title>" in html
    assert "parts of the test for a Stalking Protection Order" in html  # the summary
    response = owner_client.get(reverse("analysis:topic", args=[vault.pk, "test"]))
    html = response.content.decode()
    assert "<title>Cairn</title>" in html
    assert "They have carried out acts associated with stalking" in html
    assert "Stalking Protection Act 2019, s.1(1)(a)" in html
    when = owner_client.get(reverse("analysis:topic", args=[vault.pk, "when"]))
    when = when.content.decode()
    assert 'role="img"' in when and "The figures as a table" in when
    assert any(
        reverse("vault:incident", args=[incident.pk]) in html for incident in vault.incidents.all()
    )  # every point cites its evidence
    assert "Outside my house again" not in html.split("<main")[0]


def test_an_empty_vault_gets_a_calm_start(owner_client, vault):
    response = owner_client.get(reverse("analysis:pattern", args=[vault.pk]))
    assert response.status_code == 200
    assert "Nothing is logged yet" in response.content.decode()
    # A topic of nothing leads back to the calm start.
    topic = owner_client.get(reverse("analysis:topic", args=[vault.pk, "when"]))
    assert topic.status_code == 302 and topic["Location"] == reverse(
        "analysis:pattern", args=[vault.pk]
    )


def test_the_summary_says_what_the_log_shows_in_five_lines_with_a_page_per_topic(
    owner_client, vault
):
    from cairn.analysis.summary import TOPICS

    make_incident(vault, days_ago=30, acts=["a", "e"])
    make_incident(vault, days_ago=2, acts=["a"], feared_violence=True)
    html = owner_client.get(reverse("analysis:pattern", args=[vault.pk])).content.decode()
    summary = html.split('id="summary"')[1].split("</ul>")[0]
    assert summary.count("<li>") == 5
    assert "Your log has 2 incidents, from " in summary
    assert "What they did most often: followed me (2)" in summary
    for topic in TOPICS:
        url = reverse("analysis:topic", args=[vault.pk, topic.slug])
        assert url in html
        page = owner_client.get(url)
        assert page.status_code == 200, topic.slug
        assert f'<h1 class="govuk-heading-l">{topic.title}</h1>' in page.content.decode()
    assert owner_client.get(reverse("analysis:topic", args=[vault.pk, "nope"])).status_code == 404


def test_another_victim_cannot_see_the_pattern(client, colleague, vault):
    client.force_login(colleague)
    assert client.get(reverse("analysis:pattern", args=[vault.pk])).status_code == 404
    assert client.get(reverse("analysis:risk-questions", args=[vault.pk])).status_code == 404
    assert (
        client.post(
            reverse("analysis:risk-questions", args=[vault.pk]), {"threats": "yes"}
        ).status_code
        == 404
    )


def test_signed_out_people_are_sent_to_sign_in(client, vault):
    for name in ("analysis:pattern", "analysis:risk-questions"):
        response = client.get(reverse(name, args=[vault.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_the_home_page_links_to_the_pattern(owner_client, owner, vault):
    from tests.factories import make_vault

    make_vault(owner, name="Second log", initials="AB")  # with two vaults, home lists them
    html = owner_client.get(reverse("vault:home")).content.decode()
    assert reverse("analysis:pattern", args=[vault.pk]) in html


# --- the risk questions --------------------------------------------------------------------


def test_answers_are_saved_sealed_audited_and_used(owner_client, vault):
    make_incident(vault, days_ago=3)
    url = reverse("analysis:risk-questions", args=[vault.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(
        url, {"weapons": "yes", "substances": "no", "anything_else": "He keeps a hunting knife"}
    )
    assert response.status_code == 302
    row = RiskAnswers.objects.get(vault=vault)
    assert row.answers == {
        "weapons": "yes",
        "substances": "no",
        "anything_else": "He keeps a hunting knife",
    }
    assert b"hunting knife" not in bytes(row.sealed)
    record = AuditRecord.objects.get(action="risk.answered")
    assert record.detail == {"form": "cairn-indicators", "version": 1, "answered": 3}
    assert "knife" not in json.dumps(record.detail)
    html = owner_client.get(reverse("analysis:topic", args=[vault.pk, "risk"])).content.decode()
    assert "you answered: Yes" in html
    # Shown again, pre-filled, to change.
    assert 'value="yes" checked' in owner_client.get(url).content.decode()


def test_a_bad_answer_changes_nothing(owner_client, vault):
    url = reverse("analysis:risk-questions", args=[vault.pk])
    response = owner_client.post(url, {"weapons": "perhaps"})
    assert response.status_code == 400
    assert "Error: " in response.content.decode()
    assert not RiskAnswers.objects.exists()
    assert not AuditRecord.objects.filter(action="risk.answered").exists()


def test_only_the_owner_can_record_answers(colleague, vault):
    from django.core.exceptions import PermissionDenied

    from cairn.analysis import services
    from cairn.analysis.reading import risk_form

    with pytest.raises(PermissionDenied):
        services.record_risk_answers(
            actor=colleague, vault=vault, form=risk_form(), answers={"weapons": "yes"}
        )
    assert not RiskAnswers.objects.exists()


# --- cairn analyse -------------------------------------------------------------------------


def test_cairn_analyse_prints_the_json_the_police_side_reads(vault):
    for days in (200, 100, 10, 3):
        make_incident(vault, days_ago=days)
    result = CliRunner().invoke(analyse_command, ["--vault", str(vault.pk), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["incident_count"] == 4
    # Nobody is named as doing these: they are analysed apart, counted against nobody.
    assert data["people"] == []
    apart = data["unattributed"]
    assert apart["subject"]["person_ids"] == [] and apart["incident_count"] == 4
    assert apart["recurrence_warning"] is True
    assert apart["threshold"]["s1_1_a"]["status"] == "partly"
    for limb in ("s1_1_a", "s1_1_b", "s1_1_c", "s2_1"):
        assert apart["threshold"][limb]["status"] in {"met", "partly", "not_yet"}
    for key in (
        "course_of_conduct",
        "acts",
        "four",
        "s4a",
        "escalation",
        "lulls",
        "risk_indicators",
    ):
        assert key in apart


def test_cairn_analyse_as_text_cites_incident_numbers(vault):
    make_incident(vault, days_ago=10)
    make_incident(vault, days_ago=3)
    now = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    result = CliRunner().invoke(analyse_command, ["--now", now])
    assert result.exit_code == 0, result.output
    assert "s1_1_a:" in result.stdout
    assert "incidents 1, 2" in result.stdout
    assert "a court decides" in result.stdout


def test_cairn_analyse_names_an_unknown_vault(vault):
    result = CliRunner().invoke(analyse_command, ["--vault", "no-such-log"])
    assert result.exit_code != 0
    assert "no vault matches" in result.output
