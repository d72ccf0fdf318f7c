"""The force dashboard in a real browser (Debian's Chromium through Playwright): on a 375px
phone the page does not scroll sideways (the wide tables scroll inside their own focusable
regions), and axe-core finds no WCAG 2.2 A/AA violations at phone and desktop widths; the
filter and the CSV link work from the page."""

from __future__ import annotations

import pytest
from bench.bench_dashboard import seed_dashboard
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from cairn.accounts import services as accounts
from cairn.accounts.models import Role
from tests.factories import UserFactory
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


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_analyst_reads_the_dashboard(page, live_server, operator, viewport):  # noqa: F811
    seeded = seed_dashboard(operator, cases=300, units=3, months=24)
    analyst = UserFactory(username="an.lee", display_name="Analyst Lee")
    accounts.grant_role(actor=operator, user=analyst, unit=seeded["units"][0], role=Role.ANALYST)
    client = Client()
    sign_in_verified(client, analyst)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page.set_viewport_size(viewport)

    page.goto("/dashboard/")
    assert page.title() == "Force dashboard \N{EN DASH} Cairn"
    main = page.locator("main")
    expect(
        main.get_by_role("img", name="SPO applications per 1,000 stalking cases opened, each month")
    ).to_be_visible()
    expect(main.get_by_role("table", name="By month, all units")).to_be_attached()
    expect(main.get_by_text("ITV News investigation, 7 April 2022").first).to_be_visible()
    assert_accessible(page, "dashboard")
    if viewport is PHONE:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the dashboard scrolls sideways on a phone"
        region = main.get_by_role("region", name="By month, all units")
        assert region.evaluate("e => e.scrollWidth > e.clientWidth")  # scrolls inside

    page.get_by_label("Unit (for the table by month)").select_option(label="Unit 2")
    page.get_by_role("button", name="Show these months").click()
    expect(main.get_by_role("table", name="By month: Unit 2")).to_be_attached()
    assert_accessible(page, "dashboard, one unit")
    with page.expect_download() as download:
        main.get_by_role("link", name="Download these figures (CSV)").click()
    assert download.value.suggested_filename.startswith("force-dashboard-")
    assert not page.csp_errors
