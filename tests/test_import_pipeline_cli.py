"""``cairn import``: through the click group, in-process on the test database.

The group is mounted under the same error-reporting root as ``cairn`` (``CairnGroup``), so
refusals come out as the one-line messages people see."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from cairn.cli.imports import import_group
from cairn.cli.main import CairnGroup
from cairn.importers.models import ImportBatch, ImportedItem, ProposedIncident
from cairn.integrity.verify import verify_vault
from cairn.vault import services as vault_services
from cairn.vault.models import Exhibit, Incident
from tests.test_import_pipeline import CHAT, LATER, evidence_files


@click.group("cairn", cls=CairnGroup)
@click.pass_context
def root(ctx: click.Context) -> None:
    ctx.ensure_object(dict)


root.add_command(import_group)


@pytest.fixture
def cairn():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(root, [str(arg) for arg in args])

    return invoke


@pytest.fixture
def chat(tmp_path):
    path = tmp_path / "WhatsApp Chat with Mark.txt"
    path.write_text(CHAT, encoding="utf-8")
    return path


@pytest.fixture
def mark(vault):
    return vault_services.create_person(actor=vault.owner, vault=vault, name="Mark")


def test_import_file_prints_a_summary(cairn, vault, mark, chat):
    result = cairn("import", chat, "--me", "Alex")
    assert result.exit_code == 0, result.output
    assert "Import 1" in result.output
    assert "times without a zone read as Europe/London" in result.output
    assert "Items: 8 (8 new, 0 already imported)" in result.output
    assert "Proposed incidents: 4" in result.output
    assert "cairn import accept 1 --all" in result.output


def test_json_gives_the_counts(cairn, vault, mark, chat):
    result = cairn("import", chat, "--format", "whatsapp", "--json", "--me", "Alex")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    batch = ImportBatch.objects.get()
    assert summary["batch"] == str(batch.pk)
    assert (
        summary["items"],
        summary["new"],
        summary["duplicates"],
        summary["persons"],
        summary["candidates"],
        summary["proposed_incidents"],
    ) == (8, 8, 0, 1, 1, 4)
    assert [p["number"] for p in summary["proposals"]] == [1, 2, 3, 4]
    again = json.loads(cairn("import", chat, "--json").output)
    assert (again["new"], again["duplicates"]) == (0, 8)


def test_an_overlapping_export_adds_only_the_new_messages(cairn, vault, mark, chat, tmp_path):
    cairn("import", chat, "--json")
    later = tmp_path / "later.txt"
    later.write_text(LATER, encoding="utf-8")
    summary = json.loads(cairn("import", later, "--json").output)
    assert (summary["new"], summary["duplicates"]) == (2, 4)


def test_dry_run_stores_nothing(cairn, vault, mark, chat, settings):
    result = cairn("import", chat, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["batch"] is None and summary["dry_run"] and summary["new"] == 8
    assert ImportBatch.objects.count() == Exhibit.objects.count() == 0
    assert evidence_files(settings) == []


def test_tz_is_recorded(cairn, vault, mark, chat):
    summary = json.loads(cairn("import", chat, "--tz", "Europe/Paris", "--json").output)
    assert summary["time_zone"] == "Europe/Paris"
    assert ImportBatch.objects.get().assumed_time_zone == "Europe/Paris"


def test_bad_input_is_one_line_naming_the_file_and_line(cairn, vault, tmp_path, settings):
    bad = tmp_path / "chat.txt"
    bad.write_text("31/02/2025, 09:15 - Mark: hi\n13/02/2025, 09:15 - Mark: hi\n")
    result = cairn("import", bad, "--format", "whatsapp")
    assert result.exit_code == 1
    assert result.output.startswith("cairn: import: chat.txt, line 1")
    assert len(result.output.strip().splitlines()) == 1
    assert ImportBatch.objects.count() == ImportedItem.objects.count() == 0
    assert evidence_files(settings) == []
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = cairn("import", empty)
    assert result.exit_code == 1 and "empty.txt: the file is empty" in result.output


def test_ambiguous_dates_say_how_to_settle_them(cairn, vault, tmp_path):
    chat = tmp_path / "chat.txt"
    chat.write_text("01/03/2025, 09:15 - Mark: hi\n02/03/2025, 09:15 - Mark: again\n")
    result = cairn("import", chat, "--format", "whatsapp")
    assert result.exit_code == 1
    assert "--date-order day-first" in result.output
    assert cairn("import", chat, "--date-order", "day-first").exit_code == 0


def test_accept_all_and_by_number(cairn, vault, mark, chat):
    cairn("import", chat, "--me", "Alex")
    result = cairn("import", "accept", "1", "2", "3")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Logged 2 incidents: 1, 2."
    result = cairn("import", "accept", "1", "--all")
    assert result.output.strip() == "Logged 2 incidents: 3, 4."
    assert Incident.objects.filter(vault=vault).count() == 4
    assert not ProposedIncident.objects.filter(status="proposed").exists()
    assert verify_vault(vault).ok


def test_accept_refuses_what_cannot_be_accepted(cairn, vault, mark, chat):
    cairn("import", chat)
    assert "give --all" in cairn("import", "accept", "1").output
    assert "no import '9'" in cairn("import", "accept", "9", "--all").output
    cairn("import", "accept", "1", "1")
    result = cairn("import", "accept", "1", "1")
    assert result.exit_code == 1
    assert "Proposal 1 was already accepted" in result.output
