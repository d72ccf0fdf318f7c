"""Asking how a chat's dates are written, in a real browser at a phone's width (Debian's
Chromium through Playwright): the question page is GOV.UK radios, one per order the file
leaves open, each saying what the file's example line would then be; axe-core finds no WCAG
2.2 A/AA violations, and nothing scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cairn.importers.models import ImportJob
from tests.test_import_whatsapp_pipeline import OPEN
from tests.test_web_browser import (  # noqa: F401 - fixtures used by name
    PHONE,
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


def test_a_victim_on_a_phone_says_how_her_chats_dates_are_written(
    page,  # noqa: F811
    owner,
    vault,
    password,
    tmp_path,
):
    export = tmp_path / "WhatsApp Chat with Mary.txt"
    export.write_text(OPEN, encoding="utf-8")
    page.set_viewport_size(PHONE)
    sign_in(page, password)
    page.goto(f"/import/vaults/{vault.pk}/")
    page.get_by_label("Upload the export file").set_input_files(str(export))
    page.get_by_role("button", name="Import the file").click()
    page.wait_for_url(re.compile(r"/import/jobs/[0-9a-f-]+/dates/$"))
    assert page.title() == "Cairn"
    expect(
        page.get_by_role("heading", name="Check how dates are written in your file")
    ).to_be_visible()
    expect(page.get_by_text("Line 1 of the file is dated 20-01-15")).to_be_visible()
    group = page.get_by_role("group", name="How are dates written in this file?")
    expect(group.get_by_role("radio")).to_have_count(2)
    expect(page.get_by_text("Line 1 would be 15 January 2020")).to_be_visible()
    _assert_accessible(page, "how are dates written")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("button", name="Import the file").click()
    assert page.title().startswith("Error: ")
    expect(
        page.get_by_role("link", name="Choose how dates are written in the file")
    ).to_be_visible()
    _assert_accessible(page, "how are dates written, with an error")

    page.get_by_role("radio", name="Year, month, day (2024/12/31)").check()
    page.get_by_role("button", name="Import the file").click()
    page.wait_for_url(re.compile(r"/import/batches/[0-9a-f-]+/$"))
    expect(page.get_by_text("leave me alone").first).to_be_visible()
    job = ImportJob.objects.get()
    assert job.date_order == "year-first" and job.batch.new_count == OPEN.count("\n")
    assert not page.csp_errors
