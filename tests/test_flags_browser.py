"""The Flags page in a real browser (Debian's Chromium through Playwright): the demo user sees
flagged words marked in her log, confirms a suggested link between an anonymous account and
the person she named, and axe-core finds no WCAG 2.2 A/AA violations at phone and desktop
widths; nothing scrolls sideways on a 375px phone."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cairn.importers import services as imports
from tests.test_analysis_browser import (  # noqa: F401 - fixtures
    DESKTOP,
    PHONE,
    _browser_settings,
    assert_accessible,
    page,
    sign_in_as_demo,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

CHAT = (
    "01/03/2026, 07:02 - m.ellis_photos2: I saw you at the gym today\n"
    "02/03/2026, 07:05 - m.ellis_photos2: Nice coat this morning\n"
)


@pytest.fixture
def demo_vault():
    from cairn.demo import load_demo

    vault = load_demo(now=timezone.now())
    imports.commit_import(
        actor=vault.owner,
        vault=vault,
        source=CHAT.encode(),
        name="chat.txt",
        format="whatsapp",
        owner="Alex",
        date_order="day-first",
    )
    return vault


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_flags_page_is_accessible_and_fits_a_phone(page, demo_vault, viewport):  # noqa: F811
    page.set_viewport_size(viewport)
    sign_in_as_demo(page)
    page.goto(f"/flags/{demo_vault.pk}/")
    assert page.title() == "Cairn"
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Flagged words")).to_be_visible()
    expect(main.locator("mark").first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Exit this page"))).to_be_visible()
    assert_accessible(page, "flags")
    if viewport is PHONE:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the flags page scrolls sideways on a phone"
    assert not page.csp_errors


def test_the_victim_confirms_a_suggested_link(page, demo_vault):  # noqa: F811
    sign_in_as_demo(page)
    page.goto(f"/flags/{demo_vault.pk}/")
    lead = page.locator(".cairn-lead").filter(has_text="m.ellis_photos2 may be Mark Ellis")
    expect(lead.get_by_text("initial and surname")).to_be_visible()
    lead.get_by_role("button", name="Link this account to Mark Ellis").click()
    page.wait_for_url(re.compile(r"/people/[0-9a-f-]+/$"))
    expect(page.get_by_text("The account is now linked")).to_be_visible()
    expect(page.get_by_text("m.ellis_photos2").first).to_be_visible()
    assert_accessible(page, "person after linking")


def test_the_flags_page_and_the_pattern_page_count_the_same_threats(page, demo_vault):  # noqa: F811
    # Issue 14: the two pages once disagreed ("0" against "5"); both now use the one threat
    # reading, veiled threats included, and count threats in the incidents she logged.
    sign_in_as_demo(page)
    page.goto(f"/pattern/{demo_vault.pk}/risk/")  # the pattern's risk topic (issue 16)
    statement = (
        page.locator("main").get_by_text(re.compile(r"Words of a threat in \d+ incidents?")).first
    )
    expect(statement).to_be_visible()
    on_pattern = int(re.search(r"threat in (\d+) incident", statement.inner_text()).group(1))
    assert on_pattern >= 8  # the demo's veiled threats are read too
    page.goto(f"/flags/{demo_vault.pk}/")
    expect(page.locator("#count-violence [data-count='incidents']")).to_have_text(str(on_pattern))
    tyres = page.locator(".cairn-flagged").filter(has_text="Check your tyres before you drive")
    expect(
        tyres.get_by_text(re.compile(r"veiled: about you being alone, your home, car"))
    ).to_be_visible()
