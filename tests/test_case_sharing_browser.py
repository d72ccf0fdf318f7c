"""Issue 7 end to end in a real browser (Debian's Chromium through Playwright), two people at
once: the victim links her log to a case by code sharing only some incidents; the officer
signs in with two-factor (setting it up from the page's key), sees exactly those incidents,
and records a risk assessment; the victim withdraws one incident and the officer no longer
sees it; the victim's access-log page lists the officer's reads. axe-core finds no WCAG 2.2
A/AA violations on any page either of them visits."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from cairn.cases import services as cases
from cairn.cases.models import RiskAssessment
from tests.test_web_browser import (  # noqa: F401 - fixtures used by name
    DESKTOP,
    _assert_accessible,
    _browser_settings,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def _new_page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
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
    return context, page


def _code(secret: str) -> str:
    totp = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    totp.time = time.time()
    return f"{totp.token():06d}"


def _sign_in(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _answer_every_question(page) -> None:  # type: ignore[no-untyped-def]
    """Give the first answer to each unanswered radio question (the prefilled ones stay)."""
    for group in page.locator("main fieldset").all():
        radios = group.locator("input[type=radio]")
        if radios.count() and not any(radios.nth(i).is_checked() for i in range(radios.count())):
            radios.first.check()


def test_victim_shares_part_officer_sees_it_with_two_factor_then_loses_a_withdrawn_incident(
    browser, live_server, owner, vault, incidents, case, investigator, password
):
    code = cases.issue_share_code(actor=investigator, case=case)
    victim_context, victim = _new_page(browser, live_server)
    officer_context, officer = _new_page(browser, live_server)
    try:
        # The victim links her log by code, sharing incidents 1, 2 and 3.
        _sign_in(victim, "owner", password)
        victim.wait_for_url(re.compile(r"/$"))
        victim.goto(f"/share/{vault.pk}/")
        _assert_accessible(victim, "share my log")
        victim.get_by_label("The code you were given").fill(code)
        victim.get_by_label("Only what I choose").check()
        victim.get_by_text(re.compile(r"^Choose incidents \(4 in your log\)$")).click()
        for number in (1, 2, 3):
            victim.get_by_label(re.compile(rf"^Incident {number}, ")).check()
        victim.get_by_role("button", name="Continue").click()
        _assert_accessible(victim, "check who will see it")
        victim.get_by_role("button", name="Yes, share my log").click()
        victim.wait_for_url(re.compile(r"/share/[0-9a-f-]+/$"))
        _assert_accessible(victim, "share my log with a share")

        # The officer signs in: two-factor is set up from the page's key, then the case list.
        _sign_in(officer, "di.reed", password)
        officer.wait_for_url(re.compile(r"/account/two-factor/set-up/"))
        _assert_accessible(officer, "two-factor set-up")
        secret = officer.locator("#two-factor-key").inner_text().replace(" ", "")
        officer.get_by_label("Code from your authenticator app").fill(_code(secret))
        officer.get_by_role("button", name="Confirm").click()
        officer.wait_for_url(re.compile(r"/cases/$"))
        _assert_accessible(officer, "case list")
        officer.get_by_role("link", name="NP/2026/0042").click()
        officer.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/$"))
        _assert_accessible(officer, "case page before a purpose")
        main = officer.locator("main")
        assert main.get_by_text("he was outside again").count() == 0  # nothing before why
        officer.get_by_role("radio", name="Risk assessment", exact=True).check()
        officer.get_by_role("button", name="Show the evidence").click()
        officer.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/"))
        _assert_accessible(officer, "case page with the shared evidence")
        for number in (1, 2, 3):
            expect(
                main.get_by_text(f"Incident {number}: he was outside again.").first
            ).to_be_visible()
        assert main.get_by_text("Incident 4: he was outside again.").count() == 0

        # A risk assessment, prefilled where the evidence answers.
        officer.goto(f"/cases/{case.pk}/risk/")
        _assert_accessible(officer, "risk assessments")
        officer.get_by_role("button", name="New assessment").click()
        _assert_accessible(officer, "new risk assessment")
        _answer_every_question(officer)
        officer.get_by_role("button", name="Save this assessment").click()
        officer.wait_for_load_state("networkidle")
        _assert_accessible(officer, "after saving the assessment")
        assert RiskAssessment.objects.filter(case=case, created_by=investigator).count() == 1

        # The victim withdraws incident 2.
        victim.goto(f"/share/{vault.pk}/")
        victim.locator(".govuk-summary-card").get_by_role(
            "link", name=re.compile("^Change what is shared")
        ).click()
        _assert_accessible(victim, "change what is shared")
        victim.get_by_label(re.compile(r"^Incident 2, ")).uncheck()
        victim.get_by_role("button", name="Save what is shared").click()
        victim.wait_for_url(re.compile(r"/share/[0-9a-f-]+/$"))

        # The officer no longer sees it.
        officer.goto(f"/cases/{case.pk}/")
        main = officer.locator("main")
        expect(main.get_by_text("Incident 1: he was outside again.").first).to_be_visible()
        expect(main.get_by_text("Incident 3: he was outside again.").first).to_be_visible()
        assert main.get_by_text("Incident 2: he was outside again.").count() == 0
        _assert_accessible(officer, "case page after the withdrawal")

        # The victim sees who looked, when and why.
        victim.get_by_role("link", name="Who has looked at my log").click()
        expect(victim).to_have_title("Cairn")  # one neutral title for every page of hers
        expect(
            victim.get_by_role("heading", level=1, name="Who has looked at my log")
        ).to_be_visible()
        rows = victim.locator("main table tbody tr")
        expect(rows.first).to_be_visible()  # the title can arrive before the body is parsed
        assert rows.count() >= 2
        expect(rows.first.get_by_text("DC Reed")).to_be_visible()
        expect(victim.locator("main table").get_by_text("Risk assessment").first).to_be_visible()
        _assert_accessible(victim, "who has looked at my log")
        assert not victim.csp_errors and not officer.csp_errors
    finally:
        victim.wait_for_load_state("networkidle")
        officer.wait_for_load_state("networkidle")
        victim_context.close()
        officer_context.close()
