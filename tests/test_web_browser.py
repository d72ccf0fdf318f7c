"""The pages in a real browser (Debian's Chromium through Playwright): the main journey,
"Exit this page", and accessibility checks with axe-core at phone and desktop widths."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from tests.factories import make_incident

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # The live server starts before per-test settings, when STATIC_ROOT may not exist yet.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

CSS = Path(django_settings.PACKAGE_DIR) / "web" / "static" / "cairn" / "cairn.css"
CHROMIUM = "/usr/bin/chromium"
EXIT_URL = "https://exit.invalid/"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _browser_settings(settings):
    # Static files: plain storage (conftest), served from the app folders by the live server.
    settings.CAIRN_EXIT_URL = EXIT_URL


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    # Nothing may leave the machine: only the live server answers, and the exit URL is
    # answered here with a neutral page.
    page.route(
        re.compile(r"^https://exit\.invalid/.*"),
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body="<!doctype html><html lang='en'><title>Weather</title><h1>Weather</h1></html>",
        ),
    )
    page.route(
        re.compile(r"^(?!" + re.escape(live_server.url) + r"|https://exit\.invalid/).*"),
        lambda route: route.abort(),
    )
    page.csp_errors = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda message: (
            page.csp_errors.append(  # type: ignore[attr-defined]
                message.text
            )
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    # Let every request the page started finish before the database is flushed: with an
    # in-memory SQLite database the live server shares the test's connection.
    page.wait_for_load_state("networkidle")
    context.close()


def sign_in(page, password: str) -> None:
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def test_a_victim_logs_an_incident_with_a_screenshot_and_exits(
    page, owner, vault, password, tmp_path
):
    sign_in(page, password)
    page.get_by_role("link", name="Log an incident").first.click()
    page.get_by_label("Time (optional)").fill("00:01")
    page.get_by_label("Text message").check()
    page.get_by_label("Contacted me or tried to").check()
    page.get_by_label("What happened?").fill("Twelve messages before midnight")
    page.get_by_role("group", name=re.compile("fear they would use violence")).get_by_label(
        "Yes"
    ).check()
    page.get_by_role("button", name="Save to my log").click()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]+/$"))
    assert page.title() == "Cairn"

    screenshot = tmp_path / "messages.png"
    screenshot.write_bytes(PNG)
    page.get_by_label("Upload a file").set_input_files(str(screenshot))
    page.get_by_role("button", name="Add the file").click()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]+/$"))
    expect(page.get_by_text("Exhibit AB/1 is added.")).to_be_visible()
    incident_url = page.url

    page.get_by_role("link", name="Timeline").first.click()
    page.get_by_role("link", name="Incident 1").click()
    page.wait_for_url(incident_url)
    expect(page.get_by_text("Twelve messages before midnight")).to_be_visible()

    page.get_by_role("button", name="Exit this page").click()
    page.wait_for_url(EXIT_URL)
    page.go_back()
    assert page.url != incident_url  # leaving replaced the page in history
    assert not page.csp_errors


def test_exit_this_page_leaves_no_way_back_to_cairn(page, owner, vault, password, live_server):
    incident = make_incident(vault)
    sign_in(page, password)
    # A fresh tab: the only Cairn page in its history is the one being left.
    fresh = page.context.new_page()
    fresh.route(
        re.compile(r"^https://exit\.invalid/.*"),
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>Weather</title>"
        ),
    )
    fresh.goto(f"{live_server.url}/incidents/{incident.pk}/")
    fresh.keyboard.press("Shift")
    fresh.keyboard.press("Shift")
    fresh.keyboard.press("Shift")  # the component's shortcut: Shift three times
    fresh.wait_for_url(EXIT_URL)
    fresh.go_back()
    assert not fresh.url.startswith(live_server.url)


def _assert_accessible(page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    problems = [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
    ]
    if problems:
        print(f"axe violations on {name}:\n" + "\n".join(problems))
    assert not problems, f"{name}: " + " | ".join(problems)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_main_pages_have_no_accessibility_violations(page, owner, vault, password, viewport):
    incident = make_incident(vault, description="Seen outside the house", acts=["g", "e"])
    page.set_viewport_size(viewport)
    page.goto("/account/sign-in/")
    _assert_accessible(page, "sign in")
    sign_in(page, password)
    _assert_accessible(page, "home")
    for name, url in [
        ("log an incident", f"/vaults/{vault.pk}/incidents/new/"),
        ("timeline", f"/vaults/{vault.pk}/timeline/"),
        ("incident", f"/incidents/{incident.pk}/"),
        ("integrity", f"/vaults/{vault.pk}/integrity/"),
    ]:
        page.goto(url)
        _assert_accessible(page, name)
    # The form with its errors showing, too.
    page.goto(f"/vaults/{vault.pk}/incidents/new/")
    page.get_by_role("button", name="Save to my log").click()
    assert page.title().startswith("Error: ")
    _assert_accessible(page, "log an incident with errors")
    assert not page.csp_errors


def test_pages_fit_a_phone_screen(page, owner, vault, password, tmp_path):
    incident = make_incident(vault, description="Seen outside the house", acts=["g", "e"])
    page.set_viewport_size(PHONE)
    sign_in(page, password)
    # Screenshots for a person to look at: set CAIRN_SCREENSHOT_DIR to keep them.
    shots = Path(os.environ.get("CAIRN_SCREENSHOT_DIR", tmp_path))
    for name, url in [
        ("log-incident", f"/vaults/{vault.pk}/incidents/new/"),
        ("timeline", f"/vaults/{vault.pk}/timeline/"),
        ("incident", f"/incidents/{incident.pk}/"),
        ("integrity", f"/vaults/{vault.pk}/integrity/"),
    ]:
        page.goto(url)
        page.screenshot(path=str(shots / f"{name}-phone.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the {name} page scrolls sideways on a phone"
