"""The Flags page, flags where the victim reads her incidents and messages, confirming a lead,
and ``cairn flags`` (issue 9, points 3 to 5)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from django.urls import reverse

from cairn.cli.main import cli
from cairn.importers import services as imports
from cairn.importers.models import CandidatePerson
from cairn.ledger.models import LedgerEntry
from cairn.vault import services as vault_services
from cairn.vault.models import PersonIdentifier
from tests.factories import make_incident


def candidate_named(vault, name):
    return next(c for c in CandidatePerson.objects.filter(vault=vault) if c.display_name == name)


CHAT = (
    "01/03/2026, 09:15 - Alex: Please stop messaging me\n"
    "02/03/2026, 07:02 - m.ellis_photos2: I saw you at the gym today\n"
    "02/03/2026, 07:05 - m.ellis_photos2: You're dead\n"
    "03/03/2026, 10:00 - Jen: Are we still on for lunch?\n"
)


@pytest.fixture
def flagged_vault(owner, vault):
    make_incident(vault, description="He texted: I'm going to smash your face in.")
    make_incident(vault, days_ago=2, description="He sent flowers to work.")
    mark = vault_services.create_person(
        actor=owner,
        vault=vault,
        name="Mark Ellis",
        identifiers=[vault_services.IdentifierInput("handle", "mark.ellis.photos", "instagram")],
    )
    imports.commit_import(
        actor=owner,
        vault=vault,
        source=CHAT.encode(),
        name="chat.txt",
        format="whatsapp",
        owner="Alex",
        date_order="day-first",
    )
    return vault, mark


def test_the_flags_page_shows_each_flag_with_its_words(owner_client, flagged_vault):
    vault, _ = flagged_vault
    page = owner_client.get(reverse("flags:flags", args=[vault.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<title>Cairn</title>" in body and "Exit this page" in body
    assert "<mark" in body and "smash your face in" in body
    assert "I saw you at" in body and "Your home, routine or whereabouts" in body
    assert "Threat of violence or death" in body
    assert "lunch" not in body  # unflagged messages are not listed
    assert "Please stop messaging me" not in body  # nor her own
    title = body.split("<title>")[1].split("</title>")[0]
    assert "smash" not in title and "gym" not in title


def test_the_page_offers_the_new_account_as_a_lead_with_its_reasons(owner_client, flagged_vault):
    vault, _ = flagged_vault
    body = owner_client.get(reverse("flags:flags", args=[vault.pk])).content.decode()
    assert "m.ellis_photos2 may be Mark Ellis" in body
    assert "initial and surname" in body and "not proof" in body
    assert "Jen may be" not in body


def test_confirming_a_lead_links_the_account_through_the_vault_services(
    owner_client, owner, flagged_vault
):
    vault, mark = flagged_vault
    candidate = candidate_named(vault, "m.ellis_photos2")
    entries = LedgerEntry.objects.filter(vault=vault).count()
    response = owner_client.post(
        reverse("flags:confirm-lead", args=[vault.pk]),
        {"suspect": f"person:{mark.pk}", "account": f"candidate:{candidate.pk}"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("vault:person", args=[mark.pk])
    mark.refresh_from_db()
    assert "m.ellis_photos2" in mark.aliases
    assert LedgerEntry.objects.filter(vault=vault).count() == entries + 1
    last = LedgerEntry.objects.filter(vault=vault).order_by("-seq").first()
    assert json.loads(bytes(last.entry))["kind"] == "person.changed"
    body = owner_client.get(reverse("flags:flags", args=[vault.pk])).content.decode()
    assert "m.ellis_photos2 may be Mark Ellis" not in body


def test_a_link_that_is_not_suggested_is_refused_and_nothing_changes(owner_client, flagged_vault):
    vault, mark = flagged_vault
    jen = candidate_named(vault, "Jen")
    before = PersonIdentifier.objects.filter(person=mark).count()
    response = owner_client.post(
        reverse("flags:confirm-lead", args=[vault.pk]),
        {"suspect": f"person:{mark.pk}", "account": f"candidate:{jen.pk}"},
    )
    assert response.status_code == 400
    assert "no longer suggested" in response.content.decode()
    assert PersonIdentifier.objects.filter(person=mark).count() == before


def test_an_empty_form_is_refused_with_a_message(owner_client, vault):
    response = owner_client.post(reverse("flags:confirm-lead", args=[vault.pk]), {})
    assert response.status_code == 400
    assert "Choose a link to confirm" in response.content.decode()


def test_someone_else_gets_not_found(client, colleague, flagged_vault):
    vault, _ = flagged_vault
    client.force_login(colleague)
    assert client.get(reverse("flags:flags", args=[vault.pk])).status_code == 404


def test_the_incident_and_import_pages_show_flagged_words(owner_client, flagged_vault):
    vault, _ = flagged_vault
    incident = vault.incidents.get(number=1)
    body = owner_client.get(reverse("vault:incident", args=[incident.pk])).content.decode()
    assert "Flagged words" in body and "Threat of violence or death" in body
    other = vault.incidents.get(number=2)
    assert (
        "Flagged words"
        not in owner_client.get(reverse("vault:incident", args=[other.pk])).content.decode()
    )
    batch = vault.import_batches.get()
    review = owner_client.get(reverse("importers:batch", args=[batch.pk])).content.decode()
    assert "Your home, routine or whereabouts" in review


def test_cairn_flags_lists_flags_and_leads(flagged_vault):
    result = CliRunner().invoke(cli, ["flags", "--leads"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Threat of violence or death: \u201cI'm going to smash your face in" in result.output
    assert "message from m.ellis_photos2" in result.output
    assert "m.ellis_photos2 may be Mark Ellis" in result.output
    only = CliRunner().invoke(cli, ["flags", "--kind", "whereabouts"])
    assert "smash" not in only.output and "I saw you at" in only.output
    bad = CliRunner().invoke(cli, ["flags", "--kind", "nonsense"])
    assert bad.exit_code != 0 and "unknown kind" in bad.stderr
    vault, _ = flagged_vault
    named = CliRunner().invoke(cli, ["flags", "--vault", str(vault.pk)[:8]])
    assert named.exit_code == 0 and "incident 1" in named.output


def test_many_flagged_items_are_shown_fifty_a_page_newest_first(owner_client, vault):
    for n in range(55):
        make_incident(vault, days_ago=60 - n, description=f"Text {n}: I will kill you")
    first = owner_client.get(reverse("flags:flags", args=[vault.pk])).content.decode()
    assert "55 incidents or messages with flags" in first
    assert first.count('cairn-flagged"') == 50
    assert first.index("Incident 55<") < first.index("Incident 54<")
    second = owner_client.get(reverse("flags:flags", args=[vault.pk]) + "?page=2")
    assert second.content.decode().count('cairn-flagged"') == 5


def test_the_timeline_tags_incidents_with_their_flags(owner_client, flagged_vault):
    vault, _ = flagged_vault
    body = owner_client.get(reverse("vault:timeline", args=[vault.pk])).content.decode()
    assert body.count("Threat of violence or death") == 1
