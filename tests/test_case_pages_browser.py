"""The officer's pages in a real browser (Debian's Chromium through Playwright), on a case the
demo victim shared her whole log with: the case list, the case page before and after choosing
why they are looking, a shared incident, and a risk assessment recorded and shown. axe-core
finds no WCAG 2.2 A/AA violations at phone and desktop widths, and no page scrolls sideways
on a phone.

The officer's session is a two-factor-verified one made with the Django test client
(``sign_in_verified``) and handed to the browser as its session cookie."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from cairn.cases import services as cases
from cairn.cases.models import RiskAssessment
from cairn.demo import load_demo
from tests.orgs import sign_in_verified
from tests.test_analysis_browser import (  # noqa: F401
    DESKTOP,
    PHONE,
    _browser_settings,
    assert_accessible,
    page,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.fixture
def demo_case(investigator):
    vault = load_demo(now=timezone.now())
    case = cases.open_case(actor=investigator, reference="NP/2026/0042")
    code = cases.issue_share_code(actor=investigator, case=case)
    cases.link_by_code(actor=vault.owner, vault=vault, code=code, scope="all")
    return case


def sign_in_officer(page, user, live_server) -> None:  # noqa: F811
    client = Client()
    sign_in_verified(client, user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def no_sideways_scroll(page, name: str) -> None:  # noqa: F811
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} scrolls sideways on a phone"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_officer_works_a_shared_case(
    page,  # noqa: F811
    live_server,
    demo_case,
    investigator,
    viewport,
):
    page.set_viewport_size(viewport)
    sign_in_officer(page, investigator, live_server)
    checks = [no_sideways_scroll] if viewport is PHONE else []

    page.goto("/cases/")
    assert page.title() == "Cases \N{EN DASH} Cairn"
    expect(page.get_by_role("link", name="NP/2026/0042")).to_be_visible()
    assert_accessible(page, "case list")
    for check in checks:
        check(page, "case list")

    page.get_by_role("link", name="NP/2026/0042").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/$"))
    main = page.locator("main")
    expect(
        main.get_by_text("The analysis shows once you choose why you are looking")
    ).to_be_visible()
    assert_accessible(page, "case page, no purpose yet")
    for check in checks:
        check(page, "case page, no purpose yet")

    page.get_by_label("Investigation").check()
    page.get_by_role("button", name="Show the evidence").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/$"))
    expect(
        main.get_by_role("heading", name="They have carried out acts associated with stalking")
    ).to_be_visible()
    expect(main.get_by_role("img", name="Timeline of incidents")).to_be_visible()
    expect(main.get_by_text("You are looking at the shared evidence for:")).to_be_visible()
    assert_accessible(page, "case page")
    for check in checks:
        check(page, "case page")

    # The first evidence link of the analysis (which comes before the timeline).
    main.get_by_role("link", name=re.compile(r"^Incident \d+$")).first.click()
    page.wait_for_url(re.compile(r"/vaults/[0-9a-f-]+/incidents/[0-9a-f-]+/$"))
    assert page.title() == "Shared incident \N{EN DASH} Cairn"
    expect(main.get_by_text("What happened")).to_be_visible()
    assert_accessible(page, "shared incident")
    for check in checks:
        check(page, "shared incident")

    page.get_by_role("link", name="Back to the case").click()
    # The case page is long (analysis, charts) and jumps to #timeline once loaded: a click made
    # while it still loads can land on the page as it moves, so wait for it to settle.
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/(#timeline)?$"))
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Assess the risk").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/risk/$"))
    assert_accessible(page, "risk assessments, none yet")
    page.get_by_role("button", name="New assessment").click()
    page.wait_for_url(re.compile(r"/risk/new/"))
    expect(main.get_by_text(re.compile("^From the evidence:")).first).to_be_visible()
    assert_accessible(page, "new risk assessment")
    for check in checks:
        check(page, "new risk assessment")
    page.get_by_role(
        "group", name=re.compile("owning, carrying or mentioning a weapon")
    ).get_by_label("No", exact=True).check()
    page.get_by_label("Your summary (optional)").fill("High risk: refer to MARAC.")
    page.get_by_role("button", name="Save this assessment").click()
    page.wait_for_url(re.compile(r"/risk/[0-9a-f-]+/$"))
    expect(page.get_by_text("Risk assessment version 1 saved")).to_be_visible()
    expect(main.get_by_text("From the evidence").first).to_be_visible()
    assert_accessible(page, "risk assessment")
    for check in checks:
        check(page, "risk assessment")
    assert RiskAssessment.objects.get().prefilled
    assert not page.csp_errors
