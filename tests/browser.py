"""Helpers for the browser tests of issue 16 (a victim's safety on her phone): a tab that
reaches nothing but the live server and a neutral exit page, signing in, axe-core, and how
tall a page is in screens.

Import the ``tab`` fixture into a test module with ``from tests.browser import tab``.
"""

from __future__ import annotations

import re

import pytest

EXIT_URL = "https://exit.invalid/"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
NEUTRAL_PAGE = "<!doctype html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"


@pytest.fixture
def tab(browser, live_server, settings):
    """A fresh browser context's page: only the live server answers, and the exit address
    is answered here with a neutral page. CSP errors are collected in ``tab.csp_errors``."""
    settings.CAIRN_EXIT_URL = EXIT_URL
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    page.route(
        re.compile(r"^https://exit\.invalid/.*"),
        lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE),
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


def sign_in(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def assert_accessible(page, name: str) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    problems = [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
    ]
    assert not problems, f"{name}: " + " | ".join(problems)


def screens_tall(page) -> float:  # type: ignore[no-untyped-def]
    """How many viewport heights the page is."""
    return float(page.evaluate("document.documentElement.scrollHeight / window.innerHeight"))
