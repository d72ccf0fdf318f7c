"""Sharing in a real browser (Debian's Chromium through Playwright), at phone and desktop
widths: the victim links her log to a case by code sharing two incidents, checks who will see
it, sees the share, narrows it to one, and reads who has looked. axe-core finds no WCAG 2.2
A/AA violations on any page, and nothing scrolls sideways on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cairn.cases import access
from cairn.cases import services as cases
from tests.test_web_browser import (  # noqa: F401 - fixtures used by name
    DESKTOP,
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


def _check(page, name: str, viewport) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _assert_accessible(page, name)
    if viewport is PHONE:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways on a phone"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_victim_shares_two_incidents_narrows_to_one_and_sees_who_looked(
    page,  # noqa: F811
    owner,
    vault,
    incidents,
    case,
    investigator,
    password,
    viewport,
):
    code = cases.issue_share_code(actor=investigator, case=case)
    page.set_viewport_size(viewport)
    sign_in(page, password)
    page.goto(f"/share/{vault.pk}/")
    expect(page).to_have_title("Cairn")  # one neutral title for every page of hers
    expect(page.get_by_role("heading", level=1, name="Share my log")).to_be_visible()
    _check(page, "share my log", viewport)

    # A mistyped code: the error is on the field, and the page is still accessible.
    page.get_by_label("The code you were given").fill("ABCD-2345")
    page.get_by_label("Everything in my log, including what I add later").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title("Error: Cairn")  # one neutral title for every page of hers
    expect(page.get_by_role("heading", level=1, name="Share my log")).to_be_visible()
    expect(page.locator("#id_code-error")).to_contain_text("This code is not right")
    _check(page, "share my log with an error", viewport)

    page.get_by_label("The code you were given").fill(code.lower())
    page.get_by_label("Only what I choose").check()
    page.get_by_text(re.compile(r"^Choose incidents \(4 in your log\)$")).click()
    page.get_by_label(re.compile(r"^Incident 1, ")).check()
    page.get_by_label(re.compile(r"^Incident 2, ")).check()
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_title("Cairn")  # one neutral title for every page of hers
    expect(page.get_by_role("heading", level=1, name="Check who will see your log")).to_be_visible()
    main = page.locator("main")
    expect(main.get_by_text("The Stalking Unit of North Police")).to_be_visible()
    expect(main.get_by_text(re.compile(r"^Incident 1, "))).to_be_visible()
    expect(main.get_by_text(re.compile(r"^Incident 2, "))).to_be_visible()
    assert main.get_by_text("DC Reed").count() == 0
    _check(page, "check who will see it", viewport)
    page.get_by_role("button", name="Yes, share my log").click()

    page.wait_for_url(re.compile(r"/share/[0-9a-f-]+/$"))
    expect(page.get_by_text("Your log is shared with Stalking Unit, North Police.")).to_be_visible()
    card = page.locator(".govuk-summary-card")
    expect(card.get_by_role("heading", name="Stalking Unit, North Police")).to_be_visible()
    expect(card.get_by_text("2 incidents")).to_be_visible()
    _check(page, "share my log with a share", viewport)
    assert [
        i.number for i in access.shared_incidents(investigator, vault, purpose="investigation")
    ] == [1, 2]

    card.get_by_role("link", name=re.compile("^Change what is shared")).click()
    expect(page).to_have_title("Cairn")  # one neutral title for every page of hers
    expect(page.get_by_role("heading", level=1, name="Change what is shared")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Incident 2, "))).to_be_checked()
    _check(page, "change what is shared", viewport)
    page.get_by_label(re.compile(r"^Incident 2, ")).uncheck()
    page.get_by_role("button", name="Save what is shared").click()
    page.wait_for_url(re.compile(r"/share/[0-9a-f-]+/$"))
    expect(
        page.locator(".govuk-summary-card").get_by_text("1 incident", exact=True)
    ).to_be_visible()
    assert [
        i.number for i in access.shared_incidents(investigator, vault, purpose="risk_assessment")
    ] == [1]

    page.locator(".govuk-summary-card").get_by_role(
        "link", name=re.compile("^Stop sharing")
    ).click()
    expect(page).to_have_title("Cairn")  # one neutral title for every page of hers
    expect(page.get_by_role("heading", level=1, name="Stop sharing")).to_be_visible()
    _check(page, "stop sharing", viewport)
    page.get_by_role("link", name="No, keep sharing").click()

    page.get_by_role("link", name="Who has looked at my log").click()
    expect(page).to_have_title("Cairn")  # one neutral title for every page of hers
    expect(page.get_by_role("heading", level=1, name="Who has looked at my log")).to_be_visible()
    table = page.locator("main table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    newest = rows.nth(0)
    expect(newest.get_by_text("DC Reed")).to_be_visible()
    expect(newest.get_by_text("Investigator, Stalking Unit, North Police")).to_be_visible()
    expect(newest.get_by_text("1 incident (1)")).to_be_visible()
    expect(newest.get_by_text("Risk assessment")).to_be_visible()
    expect(rows.nth(1).get_by_text("2 incidents (1 and 2)")).to_be_visible()
    _check(page, "who has looked at my log", viewport)
    assert not page.csp_errors
