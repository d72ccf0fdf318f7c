"""The "Check my phone and accounts" pages in a real browser (Debian's Chromium through
Playwright): the safety advice comes first, the phone check finds stalkerware in an app list
and saves it as an incident, the account review lists a sign-in to check, and axe-core finds
no WCAG 2.2 A/AA violations at phone and desktop widths.

The indicators are Echap's real files (``tests/fixtures/third_party/stalkerware-indicators``,
AssoEchap/stalkerware-indicators @a04c5c1, CC-BY 4.0); the app list is built from them.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cairn.checks import services
from cairn.vault.models import Exhibit, Incident
from tests.test_analysis_browser import assert_accessible
from tests.test_web_browser import (  # noqa: F401
    DESKTOP,
    EXIT_URL,
    PHONE,
    _browser_settings,
    page,
    sign_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

ECHAP = Path(__file__).resolve().parent / "fixtures" / "third_party" / "stalkerware-indicators"


@pytest.fixture
def indicators(operator):
    return services.load_indicators(
        actor=operator,
        files=[(n, (ECHAP / n).read_bytes()) for n in ("ioc.yaml", "watchware.yaml")],
        source="ioc.yaml, watchware.yaml",
        version="a04c5c1",
        data_date=date(2026, 6, 21),
    )


def assert_fits(page, viewport, name: str) -> None:  # noqa: F811
    if viewport is PHONE:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways on a phone"


def _distinctive_package(indicators) -> tuple[str, str]:
    from cairn.checks.indicators import is_generic_package

    for app in indicators.apps:
        for package in app["packages"]:
            if not is_generic_package(package):
                return app["name"], package
    raise AssertionError("no distinctive package in the fixture")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_phone_check_finds_stalkerware_and_saves_it_as_an_incident(
    page,  # noqa: F811
    owner,
    vault,
    password,
    indicators,
    tmp_path,
    viewport,
):
    page.set_viewport_size(viewport)
    app_name, package = _distinctive_package(indicators)
    apps = tmp_path / "apps.txt"
    apps.write_text(
        "package:com.whatsapp installer=com.android.vending uid:10101\n"
        f"package:{package} installer=null uid:10102\n"
        "package:uk.co.bbc.iplayer installer=com.android.vending uid:10103\n"
    )
    sign_in(page, password)
    page.goto(f"/check/{vault.pk}/")
    assert page.title() == "Cairn"
    main = page.locator("main")
    expect(main.get_by_role("button", name=re.compile("Exit this page"))).to_be_visible()
    advice = main.get_by_text(
        "Removing stalkerware can alert the person who put it on your phone."
    ).first
    expect(advice).to_be_visible()
    form_heading = main.get_by_role("heading", name="Check the apps on my phone")
    assert advice.bounding_box()["y"] < form_heading.bounding_box()["y"]
    expect(main.get_by_role("link", name="Echap, stalkerware-indicators").first).to_be_visible()
    expect(
        main.get_by_text(
            re.compile("version ioc.yaml a04c5c1, watchware.yaml a04c5c1, dated 21 June 2026")
        ).first
    ).to_be_visible()
    assert_accessible(page, "check page")
    assert_fits(page, viewport, "the check page")

    page.get_by_label("Upload the app list").set_input_files(str(apps))
    page.get_by_role("button", name="Check the apps").click()
    expect(page.get_by_role("heading", name="Phone check result")).to_be_visible()
    expect(main.get_by_text(re.compile(r"1 app on the list is named"))).to_be_visible()
    expect(main.get_by_text(app_name, exact=True)).to_be_visible()
    expect(main.get_by_text("Likely", exact=True)).to_be_visible()
    expect(main.get_by_text("Keep the phone as evidence", exact=False).first).to_be_visible()
    expect(main.get_by_role("link", name="Echap, stalkerware-indicators").first).to_be_visible()
    assert_accessible(page, "phone check result")
    assert_fits(page, viewport, "the result page")

    page.get_by_role("button", name="Save as an incident").click()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]+/$"))
    expect(page.get_by_text(re.compile(r"Saved as incident 1, with the app list"))).to_be_visible()
    incident = Incident.objects.get(vault=vault)
    assert incident.acts == ",d,"
    assert Exhibit.objects.get(incident=incident).original_name == "apps.txt"
    assert not page.csp_errors


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_account_review_lists_sign_ins_to_check(
    page,  # noqa: F811
    owner,
    vault,
    password,
    tmp_path,
    viewport,
):
    page.set_viewport_size(viewport)
    export = tmp_path / "account_activity.json"
    export.write_text(
        json.dumps(
            {
                "account_activity_v2": [
                    {
                        "action": "Login",
                        "timestamp": 1736071200,
                        "ip_address": "192.0.2.1",
                        "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
                        "Safari/604.1",
                        "city": "Leeds",
                        "region": "England",
                        "country": "GB",
                        "site_name": "Facebook",
                    },
                    {
                        "action": "Login",
                        "timestamp": 1736244000,
                        "ip_address": "198.51.100.99",
                        "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 "
                        "Safari/537.36",
                        "city": "Hull",
                        "region": "England",
                        "country": "GB",
                        "site_name": "Facebook",
                    },
                ]
            }
        )
    )
    sign_in(page, password)
    page.goto(f"/check/{vault.pk}/")
    page.get_by_label("Upload an account export").set_input_files(str(export))
    page.get_by_role("button", name="Check the sign-ins").click()
    expect(page.get_by_role("heading", name="Sign-ins to check")).to_be_visible()
    assert_accessible(page, "account review")
    assert_fits(page, viewport, "the account review")
    page.get_by_role("button", name="This device is mine: iPhone").click()
    expect(page.get_by_text("Marked as yours.")).to_be_visible()
    # The check page offers the unfinished review again.
    page.goto(f"/check/{vault.pk}/")
    assert_accessible(page, "check page with a review waiting")
    assert_fits(page, viewport, "the check page with a review waiting")
    page.get_by_role("link", name=re.compile("Sign-ins from account_activity.json")).click()
    expect(page.get_by_role("heading", name="Sign-ins to check")).to_be_visible()
    unexplained = page.get_by_role("group", name=re.compile("Choose the ones you do not recognise"))
    expect(unexplained.get_by_text(re.compile("198.51.100.99"))).to_be_visible()
    expect(unexplained.get_by_text(re.compile("192.0.2.1 "))).to_have_count(0)
    unexplained.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Save as an incident").click()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]+/$"))
    expect(page.get_by_text(re.compile(r"Saved as incident 1, with the export"))).to_be_visible()
    assert not page.csp_errors
