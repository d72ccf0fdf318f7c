"""The "Understand the pattern" page in a real browser (Debian's Chromium through Playwright):
the demo user sees the lull and the restart, the escalation, the acts and each limb of the
SPO test with its law, and axe-core finds no WCAG 2.2 A/AA violations at phone and desktop
widths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from cairn.demo import DEMO_PASSWORD, DEMO_USERNAME, load_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

CSS = Path(django_settings.PACKAGE_DIR) / "web" / "static" / "cairn" / "cairn.css"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture(autouse=True)
def _browser_settings(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    # Nothing may leave the machine: only the live server answers.
    page.route(
        re.compile(r"^(?!" + re.escape(live_server.url) + r").*"), lambda route: route.abort()
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


@pytest.fixture
def demo_vault():
    return load_demo(now=timezone.now())


def sign_in_as_demo(page) -> None:
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(DEMO_USERNAME)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def assert_accessible(page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    problems = [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
    ]
    assert not problems, f"{name}: " + " | ".join(problems)


def test_the_demo_user_sees_the_pattern_with_its_evidence(page, demo_vault):
    sign_in_as_demo(page)
    page.goto(f"/pattern/{demo_vault.pk}/")
    assert page.title() == "Cairn"
    main = page.locator("main")
    # The summary: one person at a time (the demo names one), what the log shows in five
    # lines, each leading to its evidence.
    expect(main.get_by_role("heading", name="The pattern: Mark Ellis")).to_be_visible()
    expect(main.locator("#summary > li")).to_have_count(5)
    expect(
        main.get_by_text(re.compile("It has not stopped: keep logging anything new"))
    ).to_be_visible()
    # Each limb of the SPO test, with its law, on the page about the test.
    main.get_by_role("link", name="What the police would need to show", exact=True).click()
    page.wait_for_url(re.compile(r"/pattern/[0-9a-f-]+/test/$"))
    for title in (
        "They have carried out acts associated with stalking",
        "They pose a risk associated with stalking",
        "An order is needed to protect you",
        "The court's test",
    ):
        expect(main.get_by_role("heading", name=title)).to_be_visible()
    for citation in ("s.1(1)(a)", "s.1(1)(b)", "s.1(1)(c)", "s.2(1)"):
        expect(main.get_by_text(f"Stalking Protection Act 2019, {citation}").first).to_be_visible()
    # The lull and the restart, and the warning with a next step, on the next page.
    main.get_by_role("link", name=re.compile("^Next topic")).click()
    page.wait_for_url(re.compile(r"/pattern/[0-9a-f-]+/when/$"))
    expect(main.get_by_text(re.compile(r"Nothing was logged for 12\d days")).first).to_be_visible()
    expect(main.get_by_role("heading", name="It has not stopped")).to_be_visible()
    expect(main.get_by_text(re.compile("keep logging anything new")).first).to_be_visible()
    # The charts are images with a name, and their figures are a table too.
    expect(main.get_by_role("img", name="Timeline of incidents")).to_be_visible()
    main.get_by_text("The figures as a table").click()
    expect(main.get_by_role("table")).to_be_visible()
    # The escalation.
    page.goto(f"/pattern/{demo_vault.pk}/frequency/")
    expect(
        main.get_by_text(re.compile("Incidents have become more serious over time")).first
    ).to_be_visible()
    # The acts.
    page.goto(f"/pattern/{demo_vault.pk}/acts/")
    for act in ("Followed me (s.2A(3)(a))", "Interfered with or damaged my things (s.2A(3)(f))"):
        expect(main.get_by_text(re.compile(re.escape(act))).first).to_be_visible()
    # Evidence links lead to the incident's page, one click away under each statement.
    main.get_by_text(re.compile(r"^\d+ incidents? and where this comes from$")).first.click()
    main.get_by_role("link", name=re.compile(r"^Incident \d+$")).first.click()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]+/$"))
    assert not page.csp_errors


def test_chart_text_is_at_least_12_px_on_a_phone(page, demo_vault):
    page.set_viewport_size(PHONE)
    sign_in_as_demo(page)
    for topic in ("when", "frequency", "acts", "how"):
        page.goto(f"/pattern/{demo_vault.pk}/{topic}/")
        sizes = page.evaluate("""() => [...document.querySelectorAll('main svg text')].map(
            t => t.getBoundingClientRect().height)""")
        assert sizes, topic
        # A text box is about 1.15 times its font size; 12 px text is about 13.8 px tall.
        assert min(sizes) >= 12 * 1.1, (topic, min(sizes))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], topic


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_pattern_pages_have_no_accessibility_violations(page, demo_vault, viewport):
    page.set_viewport_size(viewport)
    sign_in_as_demo(page)
    for topic in (
        "",
        "test/",
        "when/",
        "frequency/",
        "acts/",
        "how/",
        "course/",
        "signs/",
        "fear/",
        "risk/",
        "research/",
    ):
        page.goto(f"/pattern/{demo_vault.pk}/{topic}")
        assert_accessible(page, f"pattern {topic}")
        if viewport is PHONE:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"the pattern page {topic} scrolls sideways"
    page.goto(f"/pattern/{demo_vault.pk}/questions/")
    assert_accessible(page, "risk questions")
    page.get_by_role(
        "group", name=re.compile("owning, carrying or mentioning a weapon")
    ).get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save my answers").click()
    page.wait_for_url(re.compile(r"/pattern/[0-9a-f-]+/$"))
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()
    assert not page.csp_errors
