"""Importing a WhatsApp export in a real browser (Debian's Chromium through Playwright):
upload, review, accept one suggestion; axe-core finds no WCAG 2.2 A/AA violations on the
pages visited."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cairn.importers.models import ProposedIncident
from cairn.vault import services as vault_services
from cairn.vault.models import Incident
from tests.test_import_pipeline import CHAT
from tests.test_web_browser import (  # noqa: F401 - fixtures used by name
    _assert_accessible,
    _browser_settings,
    page,
    sign_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_a_victim_imports_a_chat_reviews_and_accepts_a_suggestion(
    page,  # noqa: F811
    owner,
    vault,
    password,
    tmp_path,
):
    vault_services.create_person(actor=owner, vault=vault, name="Mark")
    export = tmp_path / "WhatsApp Chat with Mark.txt"
    export.write_text(CHAT, encoding="utf-8")
    sign_in(page, password)
    page.get_by_role("link", name="Add evidence from a file").click()
    page.wait_for_url(re.compile(r"/import/vaults/[0-9a-f-]+/$"))
    assert page.title() == "Cairn"
    expect(page.get_by_text("will be read as Europe/London")).to_be_visible()
    _assert_accessible(page, "add evidence from a file")

    # Submitting without a file shows the error summary, accessibly.
    page.get_by_role("button", name="Import the file").click()
    assert page.title().startswith("Error: ")
    _assert_accessible(page, "add evidence from a file with errors")

    page.get_by_label("Upload the export file").set_input_files(str(export))
    page.get_by_label("What kind of file is it?").select_option("whatsapp")
    page.get_by_label("Your name in the chat (optional)").fill("Alex")
    page.get_by_role("button", name="Import the file").click()
    page.wait_for_url(re.compile(r"/import/batches/[0-9a-f-]+/$"))
    assert page.title() == "Cairn"
    expect(page.get_by_text("I saw you at the station")).to_be_visible()
    _assert_accessible(page, "review the import")

    page.get_by_role("button", name="Add suggestion 1 to my log").click()
    page.wait_for_url(re.compile(r"/import/batches/[0-9a-f-]+/$"))
    expect(page.get_by_text("1 incident added to your log.")).to_be_visible()
    _assert_accessible(page, "review the import after accepting")
    proposal = ProposedIncident.objects.get(number=1)
    assert proposal.status == "accepted"
    incident = Incident.objects.get()
    assert incident.act_codes == ["b"]

    page.get_by_role("link", name=f"See incident {incident.number}").click()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]+/$"))
    expect(page.get_by_text("I saw you at the station").first).to_be_visible()
    assert not page.csp_errors


def test_a_victim_checks_the_columns_of_a_diary_then_imports_it(
    page,  # noqa: F811
    owner,
    vault,
    password,
    tmp_path,
):
    from tests.test_import_diary_confirm import DIARY

    diary = tmp_path / "my diary.csv"
    diary.write_text(DIARY, encoding="utf-8")
    sign_in(page, password)
    page.get_by_role("link", name="Add evidence from a file").click()
    page.get_by_label("Upload the export file").set_input_files(str(diary))
    page.get_by_role("button", name="Import the file").click()
    page.wait_for_url(re.compile(r"/import/jobs/[0-9a-f-]+/columns/$"))
    assert page.title() == "Cairn"
    expect(page.get_by_role("cell", name="He waited by my car")).to_be_visible()
    assert page.get_by_label("What happened").input_value() == "3"
    _assert_accessible(page, "check the columns")

    # Refusing a mapping without what happened shows the error summary, accessibly.
    page.get_by_label("What happened").select_option("")
    page.get_by_role("button", name="Import the diary").click()
    assert page.title() == "Error: Cairn"
    _assert_accessible(page, "check the columns with errors")

    page.get_by_label("What happened").select_option("4")
    page.get_by_label("How it affected you").select_option("3")
    page.get_by_role("button", name="Import the diary").click()
    page.wait_for_url(re.compile(r"/import/batches/[0-9a-f-]+/$"))
    expect(page.get_by_text("Scared").first).to_be_visible()
    assert not page.csp_errors
