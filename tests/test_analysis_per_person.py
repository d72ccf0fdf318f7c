"""One person, one analysis (DESIGN.md invariant 8; issue 14, point 4).

A vault with two people named as doing this (Mark, the defendant, and Dave, a friend of his
whose messages came later) gives two analyses: the pattern page, ``cairn analyse --json``, the
case page, the SPO application's grounds and the closure guard each read only the person they
are about. People are combined only where the victim says so (PHA 1997 s.7(3A)), through a
service that writes her ledger; incidents with nobody named are shown apart."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError
from django.urls import reverse

from cairn.analysis.base import THIRD_PERSON
from cairn.analysis.engine import analyse_people
from cairn.cases import closure, defendants
from cairn.cases import services as cases
from cairn.cases.models import CaseStatus, Share
from cairn.cli.main import cli
from cairn.integrity.verify import verify_vault
from cairn.ledger.models import LedgerEntry
from cairn.orders import services as orders
from cairn.orders.application_document import evidence_line
from cairn.orders.rules import TermSpec
from cairn.vault import services as vault_services
from cairn.vault.snapshot_loader import take_snapshot
from tests.factories import make_incident
from tests.orgs import sign_in_verified

pytestmark = pytest.mark.django_db

NO_CONTACT = TermSpec("no_contact", necessity="He messaged her daily after she blocked him.")


@pytest.fixture
def two_people(vault):  # type: ignore[no-untyped-def]
    """Mark: 6 incidents a week apart, long ago (days 300 to 265), with fear and threats.
    Dave: a message 200 days ago, then 4 recent ones: in one timeline his messages would make
    a lull of about 65 days after Mark's last incident and a restart. One incident names
    nobody."""
    owner = vault.owner
    mark = vault_services.create_person(actor=owner, vault=vault, name="Mark")
    dave = vault_services.create_person(actor=owner, vault=vault, name="Dave")
    made = {"mark": [], "dave": [], "nobody": []}
    for n, days in enumerate((300, 293, 286, 279, 272, 265)):
        made["mark"].append(
            make_incident(
                vault,
                days_ago=days,
                persons=[mark],
                acts=["a", "e"],
                feared_violence=True,
                description=f"Mark waited outside my house, visit {n + 1}. He said I will hurt "
                "you.",
            )
        )
    for days in (200, 8, 6, 4, 2):
        made["dave"].append(
            make_incident(
                vault,
                days_ago=days,
                persons=[dave],
                channel="messaging_app",
                acts=["b"],
                description="A message from Dave about Mark.",
            )
        )
    made["nobody"].append(
        make_incident(vault, days_ago=100, acts=["c"], description="A parcel nobody signed.")
    )
    return mark, dave, made


def numbers(incidents) -> list[int]:  # type: ignore[no-untyped-def]
    return sorted(i.number for i in incidents)


def test_two_people_give_two_analyses_and_nobody_named_is_apart(vault, two_people):
    _mark, _dave, made = two_people
    people = analyse_people(take_snapshot(vault), now=made["dave"][-1].start + timedelta(hours=1))
    assert [a.subject.name for a in people.people] == ["Mark", "Dave"]
    by_name = {a.subject.name: a for a in people.people}
    assert {p.number for p in by_name["Mark"].points} == set(numbers(made["mark"]))
    assert {p.number for p in by_name["Dave"].points} == set(numbers(made["dave"]))
    assert {p.number for p in people.unattributed.points} == set(numbers(made["nobody"]))
    # Mark's pattern has no lull: Dave's later messages are not his.
    assert by_name["Mark"].lulls.lulls == ()
    (course,) = by_name["Mark"].course_of_conduct.courses
    assert course.person_name == "Mark" and len(course.incident_ids) == 6
    # The incident with nobody named is counted against nobody: (a) is only partly shown.
    assert people.unattributed.threshold.s1_1_a.status == "partly"
    assert by_name["Mark"].threshold.s1_1_a.status == "met"


def test_the_victim_combines_two_people_through_a_service_that_writes_her_ledger(vault, two_people):
    mark, dave, made = two_people
    before = LedgerEntry.objects.filter(vault=vault).count()
    with pytest.raises(ValidationError):
        vault_services.combine_persons(
            actor=vault.owner, person=dave, other=dave, how="acting_together"
        )
    vault_services.combine_persons(
        actor=vault.owner, person=dave, other=mark, how="acting_together"
    )
    assert LedgerEntry.objects.filter(vault=vault).count() == before + 1
    assert verify_vault(vault).ok
    people = analyse_people(take_snapshot(vault), now=made["dave"][-1].start)
    (together,) = people.people
    assert together.subject.person_ids == (str(mark.pk), str(dave.pk)) or set(
        together.subject.person_ids
    ) == {str(mark.pk), str(dave.pk)}
    assert together.incident_count == 11
    statements = [f.statement for f in together.course_of_conduct.findings]
    assert any("are the same person or acting together" in s for s in statements)
    vault_services.separate_person(actor=vault.owner, person=dave)
    assert len(analyse_people(take_snapshot(vault), now=made["dave"][-1].start).people) == 2
    assert verify_vault(vault).ok


def test_cairn_person_together_and_analyse_json_name_each_person(vault, two_people):
    _mark, _dave, _made = two_people
    runner = CliRunner()
    result = runner.invoke(cli, ["analyse", "--vault", str(vault.pk), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [p["subject"]["names"] for p in data["people"]] == [["Mark"], ["Dave"]]
    assert [p["incident_count"] for p in data["people"]] == [6, 5]
    assert data["unattributed"]["incident_count"] == 1
    assert data["research_background"]["studies"]
    result = runner.invoke(
        cli, ["person", "together", "--vault", str(vault.pk), "Dave", "Mark", "--as", "same_person"]
    )
    assert result.exit_code == 0, result.output
    assert "Dave is the same person as Mark" in result.output
    data = json.loads(runner.invoke(cli, ["analyse", "--vault", str(vault.pk), "--json"]).stdout)
    assert [sorted(p["subject"]["names"]) for p in data["people"]] == [["Dave", "Mark"]]
    result = runner.invoke(
        cli,
        ["person", "together", "--vault", str(vault.pk), "Dave", "Nobody", "--as", "same_person"],
    )
    assert result.exit_code != 0 and "no such person" in result.output


def test_the_pattern_page_shows_one_person_at_a_time(owner_client, vault, two_people):
    _mark, dave, _made = two_people
    url = reverse("analysis:pattern", args=[vault.pk])
    page = owner_client.get(url).content.decode()
    assert "One person at a time" in page
    assert "The pattern: Mark" in page and "Mark: 6 incidents" in page
    assert "Dave: 5 incidents" in page and "Nobody named: 1 incident" in page
    assert "73 incidents" not in page
    dave_page = owner_client.get(url, {"person": str(dave.pk)}).content.decode()
    assert "The pattern: Dave" in dave_page
    # Each topic page keeps the person chosen, in its links too.
    topic = reverse("analysis:topic", args=[vault.pk, "acts"])
    assert f"{topic}?person={dave.pk}" in dave_page
    assert "The pattern: Dave" in owner_client.get(topic, {"person": str(dave.pk)}).content.decode()
    apart = owner_client.get(url, {"person": "none"}).content.decode()
    assert "Incidents with nobody named" in apart and "not counted against anyone" in apart


def test_the_person_page_says_two_people_belong_together(owner_client, vault, two_people):
    mark, dave, _made = two_people
    url = reverse("vault:person-combine", args=[dave.pk])
    response = owner_client.post(url, {"other": str(mark.pk), "how": "same_person"})
    assert response.status_code == 302
    dave.refresh_from_db()
    assert dave.combined_with_id == mark.pk and dave.combined_as == "same_person"
    page = owner_client.get(reverse("vault:person", args=[dave.pk])).content.decode()
    assert "is the same person as" in page


def test_someone_else_cannot_combine_her_people(client, colleague, vault, two_people):
    mark, dave, _made = two_people
    client.force_login(colleague)
    response = client.post(
        reverse("vault:person-combine", args=[dave.pk]),
        {"other": str(mark.pk), "how": "same_person"},
    )
    assert response.status_code == 404
    dave.refresh_from_db()
    assert dave.combined_with_id is None


@pytest.fixture
def shared(case, investigator, vault, two_people):  # type: ignore[no-untyped-def]
    code = cases.issue_share_code(actor=investigator, case=case)
    cases.link_by_code(actor=vault.owner, vault=vault, code=code, scope="all")
    cases.add_suspect(actor=investigator, case=case, name="Mark")
    return case, Share.objects.get(case=case, vault=vault)


def test_the_application_cites_only_the_defendants_incidents(
    shared, investigator, vault, two_people, tmp_path
):
    case, share = shared
    mark, _dave, made = two_people
    # Two people in the log and none chosen: nothing is guessed, nothing is prefilled.
    empty = orders.prefill_grounds(actor=investigator, case=case)
    assert all(g["evidence"] == [] and g["text"] == "" for g in empty.values())
    defendants.choose_defendant(actor=investigator, share=share, person_id=str(mark.pk))
    application = orders.start_application(
        actor=investigator, case=case, terms=[NO_CONTACT], duration_months=24
    )
    cited = {n for g in application.grounds.values() for e in g["evidence"] for n in e["incidents"]}
    assert cited and cited <= set(numbers(made["mark"]))
    assert application.grounds["s1_1_a"]["evidence"][0]["incidents"] == numbers(made["mark"])
    text = " ".join(g["text"] for g in application.grounds.values())
    assert "Mark" in text and "Dave" not in text
    assert "The victim recorded fearing that violence would be used against her" in text
    # The PDF reads the same evidence.
    from cairn.orders.bundle import application_document

    document = application_document(
        application, actor=investigator, packs={str(vault.pk): 1}, built_at=made["dave"][-1].start
    )
    lines = [line for g in document.grounds for line in g.evidence]
    assert evidence_line(1, numbers(made["mark"])) in lines
    assert not any(
        str(n) in line.split(":")[1] for n in numbers(made["dave"]) for line in lines if n > 9
    )


def test_the_closure_guard_reads_the_defendants_figures(shared, investigator, vault, two_people):
    case, share = shared
    mark, _dave, _made = two_people
    cases.change_status(actor=investigator, case=case, status=CaseStatus.INVESTIGATING)
    # Before anyone is chosen each person's own figures are read: Dave's is still going on.
    with pytest.raises(ValidationError) as caught:
        cases.change_status(actor=investigator, case=case, status=CaseStatus.CLOSED)
    assert "it has not stopped" in str(caught.value).lower()
    # Mark's own pattern stopped 265 days ago, with no earlier quiet period: no warning,
    # although in one merged timeline Dave's messages would look like Mark's restart.
    defendants.choose_defendant(actor=investigator, share=share, person_id=str(mark.pk))
    warnings = closure.recurrence_warnings(investigator, case)
    assert warnings == []
    cases.change_status(actor=investigator, case=case, status=CaseStatus.CLOSED)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_the_case_page_shows_each_person_and_chooses_the_defendant(
    client, shared, investigator, vault, two_people
):
    case, share = shared
    mark, _dave, _made = two_people
    sign_in_verified(client, investigator)
    client.post(reverse("cases:purpose", args=[case.pk]), {"purpose": "investigation"})
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Which person in this log is the case about?" in page
    assert "Mark: 6 incidents" in page and "Dave: 5 incidents" in page
    assert "Incidents with nobody named: 1 incident" in page
    response = client.post(
        reverse("cases:defendant", args=[case.pk, share.pk]), {"defendant": str(mark.pk)}
    )
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.defendant_id == mark.pk
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Mark (the person the case is about)" in page


def test_the_defendant_must_be_a_person_the_log_names(shared, investigator, other_vault):
    _case, share = shared
    stranger = vault_services.create_person(
        actor=other_vault.owner, vault=other_vault, name="Someone else"
    )
    with pytest.raises(ValidationError):
        defendants.choose_defendant(actor=investigator, share=share, person_id=str(stranger.pk))
    people = analyse_people(take_snapshot(share.vault), now=share.created_at, voice=THIRD_PERSON)
    assert defendants.defendant_analysis(people, share).analysis is None
