"""The analysis kept, not redone (issue 19, ADR 0035).

What each incident's words show is kept per revision and rules version, and the analysis per
person with the ledger size and time it was worked out at. The kept analysis must always be
the analysis a fresh reading gives: these tests work it out from scratch (no kept facts) after
every kind of change and hold the two equal, and check that nothing of her words is kept in
clear, that deleting takes the kept copies with it, and that the pages and the command line
read the kept analysis instead of working it out again.
"""

from __future__ import annotations

import base64
import io
import pickle
import shutil
import zlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cairn.analysis import derived, kept, services
from cairn.analysis.access import latest_risk_answers
from cairn.analysis.engine import analyse_people, to_json_text
from cairn.analysis.models import IncidentFacts, KeptAnalysis
from cairn.analysis.reading import analyse_vault_people, risk_form, vault_people_json
from cairn.flags import ruleset
from cairn.store.sealed import row_context, seal
from cairn.vault import services as vault_services
from cairn.vault.snapshot_loader import take_snapshot
from tests.factories import make_incident

pytestmark = pytest.mark.django_db

THREAT = "He said he would kill me if I went to the police. He was outside my flat at 2am."


def fresh(vault, now):  # type: ignore[no-untyped-def]
    """The analysis worked out from nothing: every incident's words read again."""
    form = risk_form()
    row = latest_risk_answers(vault.owner, vault, form.id)
    return analyse_people(
        take_snapshot(vault, now=now),
        now=now,
        form=form,
        answers=row.answers if row is not None else None,
    )


def kept_is_fresh(vault):  # type: ignore[no-untyped-def]
    """The kept analysis equals a fresh one, and is read (not redone) the next time."""
    result = analyse_vault_people(vault.owner, vault)
    assert result == fresh(vault, result.now)
    again = analyse_vault_people(vault.owner, vault)
    assert again.now == result.now and again == result
    return result


def kept_facts(incident):  # type: ignore[no-untyped-def]
    rows = list(IncidentFacts.objects.filter(incident=incident))
    assert len(rows) == 1
    return rows[0]


def test_the_kept_analysis_is_a_fresh_one_after_every_kind_of_change(vault):
    owner = vault.owner
    empty = kept_is_fresh(vault)
    assert empty.people == () and empty.unattributed is None

    mark = vault_services.create_person(actor=owner, vault=vault, name="Mark")
    first = make_incident(
        vault,
        days_ago=40,
        persons=[mark],
        description=THREAT,
        location="Outside my flat",
        impact="I stopped going out alone.",
    )
    for days in (30, 20, 10, 5):
        make_incident(vault, days_ago=days, persons=[mark])
    make_incident(vault, days_ago=3, description="A parcel with no name on it.")
    result = kept_is_fresh(vault)
    assert [a.subject.name for a in result.people] == ["Mark"]
    assert result.unattributed is not None
    assert kept_facts(first).revision == 1

    # Her words change: a new revision, read again; the other incidents' facts are kept.
    others = {r.pk for r in IncidentFacts.objects.exclude(incident=first)}
    data = vault_services.IncidentInput(
        start=first.start,
        channel=first.channel,
        acts=first.act_codes,
        description="He waited by the bus stop.",
        persons=[mark],
    )
    vault_services.revise_incident(actor=owner, incident=first, data=data)
    result = kept_is_fresh(vault)
    assert kept_facts(first).revision == 2
    assert {r.pk for r in IncidentFacts.objects.exclude(incident=first)} == others
    assert not derived.from_plain(kept_facts(first).facts).facts.threat

    # People: a second person, linked; the two said to be one; apart again; renamed.
    dave = vault_services.create_person(actor=owner, vault=vault, name="Dave")
    make_incident(vault, days_ago=2, persons=[dave], description="Dave messaged me.")
    assert len(kept_is_fresh(vault).people) == 2
    vault_services.combine_persons(actor=owner, person=dave, other=mark, how="same_person")
    assert len(kept_is_fresh(vault).people) == 1
    vault_services.separate_person(actor=owner, person=dave)
    assert len(kept_is_fresh(vault).people) == 2
    vault_services.update_person(
        actor=owner, person=mark, name="Mark E", role="suspect", relationship="ex_partner"
    )
    assert "Mark E" in [a.subject.name for a in kept_is_fresh(vault).people]

    # Her answers to the questions, and an exhibit attached to an incident.
    form = risk_form()
    question = form.questions[0]
    services.record_risk_answers(
        actor=owner, vault=vault, form=form, answers={question.id: question.options[0].value}
    )
    assert kept_is_fresh(vault).people[0].questionnaire is not None
    vault_services.add_exhibit(
        actor=owner,
        vault=vault,
        stream=io.BytesIO(b"a photo"),
        original_name="photo.txt",
        incident=first,
    )
    kept_is_fresh(vault)

    # Deleting an incident: its facts go, and so do the kept analyses quoting it.
    vault_services.delete_incident(actor=owner, incident=first)
    assert not IncidentFacts.objects.filter(incident=first).exists()
    assert not KeptAnalysis.objects.filter(vault=vault).exists()
    kept_is_fresh(vault)


@pytest.fixture
def other_rules(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The rules as a later version might be: "bus stop" read as a claim of watching her."""
    folder = tmp_path / "rules"
    shutil.copytree(ruleset.RULES_DIR, folder)
    path = folder / "en.yaml"
    text = path.read_text(encoding="utf-8")
    marker = (
        "    explain: Words saying they watch, follow, track or read your messages or "
        "accounts.\n    patterns:\n"
    )
    assert marker in text and "\nversion: 3\n" in text
    path.write_text(
        text.replace(marker, marker + '      - "\\\\bbus stop\\\\b"\n').replace(
            "\nversion: 3\n", "\nversion: 4\n"
        ),
        encoding="utf-8",
    )

    def forget() -> None:
        ruleset.load_rules.cache_clear()
        ruleset._load.cache_clear()
        derived.version.cache_clear()
        kept.analysis_version.cache_clear()

    def switch() -> None:
        monkeypatch.setattr(ruleset, "RULES_DIR", folder)
        monkeypatch.setattr(derived, "RULES_DIR", folder)
        forget()

    yield switch
    monkeypatch.undo()
    forget()


def test_kept_facts_are_read_again_when_the_rules_change(vault, other_rules):
    mark = vault_services.create_person(actor=vault.owner, vault=vault, name="Mark")
    for days in (9, 6, 3):
        make_incident(
            vault, days_ago=days, persons=[mark], description="He followed me from the bus stop."
        )
    before = kept_is_fresh(vault)
    old_version = derived.version()
    assert old_version.startswith("en3-")
    assert all(not derived.from_plain(r.facts).flags for r in IncidentFacts.objects.all())

    other_rules()
    assert derived.version().startswith("en4-")
    after = kept_is_fresh(vault)  # the same log, the same ledger: the rules alone changed
    knowing = [
        i
        for i in after.people[0].risk_indicators
        if i.from_log is not None and i.key == "knows_whereabouts"
    ]
    assert knowing and not [
        i
        for i in before.people[0].risk_indicators
        if i.from_log is not None and i.key == "knows_whereabouts"
    ]
    rows = list(IncidentFacts.objects.all())
    assert len(rows) == 3 and {r.version for r in rows} == {derived.version()}
    assert all(derived.from_plain(r.facts).flags == {"surveillance"} for r in rows)


def test_a_kept_analysis_stands_for_the_present_for_an_hour_only(vault):
    make_incident(vault, days_ago=2)
    result = kept_is_fresh(vault)
    KeptAnalysis.objects.filter(vault=vault).update(
        analysed_at=result.now - kept.KEPT_FOR - timedelta(minutes=1)
    )
    later = analyse_vault_people(vault.owner, vault)
    assert later.now > result.now
    assert later == fresh(vault, later.now)


def test_nothing_of_her_words_is_kept_in_clear(vault):
    mark = vault_services.create_person(actor=vault.owner, vault=vault, name="Markington")
    make_incident(
        vault,
        persons=[mark],
        description=THREAT,
        location="Quarrybank Road",
        impact="I stopped going out alone.",
    )
    vault_people_json(vault.owner, vault)
    facts = IncidentFacts.objects.get()
    row = KeptAnalysis.objects.get()
    for blob in (bytes(facts.sealed), bytes(row.result), bytes(row.text)):
        for words in (b"kill", b"Quarrybank", b"Markington", b"going out", b"surveillance"):
            assert words not in blob
    assert derived.inputs_digest(take_snapshot(vault).incidents[0]).encode() not in bytes(
        facts.sealed
    )


def test_a_kept_analysis_that_cannot_be_read_is_worked_out_again(vault, caplog):
    """A kept analysis holding anything but the analysis's own classes is refused, even when
    sealed with the vault's key, and worked out again."""
    make_incident(vault)
    result = kept_is_fresh(vault)
    row = KeptAnalysis.objects.get()
    harmful = pickle.dumps(shutil.rmtree)  # a function of another module
    row.result = seal(
        vault.pk,
        row_context(KeptAnalysis, row.pk),
        {"kept": base64.b64encode(zlib.compress(harmful)).decode("ascii")},
    )
    row.save()
    again = analyse_vault_people(vault.owner, vault)
    assert again == fresh(vault, again.now) and again.now > result.now
    assert "could not be read" in caplog.text
    assert "rmtree" not in caplog.text


def test_the_json_kept_is_the_json_of_a_fresh_analysis(vault):
    make_incident(vault, description=THREAT)
    first = vault_people_json(vault.owner, vault)
    assert KeptAnalysis.objects.get().text
    second = vault_people_json(vault.owner, vault)
    assert second == first
    now = analyse_vault_people(vault.owner, vault).now
    assert first == to_json_text(fresh(vault, now))


def test_the_pattern_page_reads_the_kept_analysis(owner_client, vault):
    for days in (9, 6, 3):
        make_incident(vault, days_ago=days, description=THREAT)
    url = reverse("analysis:pattern", args=[vault.pk])
    first = owner_client.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        second = owner_client.get(url)
    assert second.status_code == 200
    assert not [q for q in queries.captured_queries if "vault_incident" in q["sql"]]
    assert b"3 incidents" in first.content and b"3 incidents" in second.content
    make_incident(vault, days_ago=1, description="He rang me eleven times.")
    assert b"4 incidents" in owner_client.get(url).content
