"""The closure guard in a real browser, on a case the demo victim shared her whole log with
(the demo's pattern warns that it may start again): the officer in charge is refused closing,
with the warning; a supervisor signs off on the case page; the case closes; the victim sees
the notice on her sharing page and reopens it in one step. axe-core finds no WCAG 2.2 A/AA
violations on any of these pages."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cairn.cases import services as cases
from cairn.cases.models import Case, CaseStatus, ReopenRequest
from cairn.demo import load_demo
from tests.test_analysis_browser import (  # noqa: F401
    DESKTOP,
    _browser_settings,
    assert_accessible,
    page,
    sign_in_as_demo,
)
from tests.test_case_pages_browser import sign_in_officer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_closing_the_demo_case_needs_a_sign_off_and_the_victim_reopens_it(
    page,  # noqa: F811
    live_server,
    investigator,
    supervisor,
):
    vault = load_demo(now=timezone.now())
    case = cases.open_case(actor=investigator, reference="NP/2026/0042")
    code = cases.issue_share_code(actor=investigator, case=case)
    cases.link_by_code(actor=vault.owner, vault=vault, code=code, scope="all")
    page.set_viewport_size(DESKTOP)
    main = page.locator("main")

    sign_in_officer(page, investigator, live_server)
    page.goto(f"/cases/{case.pk}/status/")
    page.get_by_label("Closed").check()
    page.get_by_role("button", name="Change the status").click()
    # The refusal re-renders the same URL: wait for it rather than for a navigation.
    expect(
        main.get_by_text(re.compile("A supervisor must sign off closing this case")).first
    ).to_be_visible()
    assert_accessible(page, "closing refused with the warning")

    page.context.clear_cookies()
    sign_in_officer(page, supervisor, live_server)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_label("Why the case can be closed despite the warning").fill(
        "Suspect moved abroad; the victim agrees. Review in three months."
    )
    page.get_by_role("button", name="Sign off closing the case").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/#closure$"))
    expect(main.get_by_text("Suspect moved abroad; the victim agrees.").first).to_be_visible()
    assert_accessible(page, "case page with a sign-off")
    page.goto(f"/cases/{case.pk}/status/")
    page.get_by_label("Closed").check()
    page.get_by_role("button", name="Change the status").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/$"))
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED

    page.context.clear_cookies()
    sign_in_as_demo(page)
    page.goto(f"/share/{vault.pk}/")
    expect(
        main.get_by_text(
            re.compile(
                r"Case NP/2026/0042 at Stalking Unit, North Police "
                r"was closed on"
            )
        ).first
    ).to_be_visible()
    assert_accessible(page, "sharing page with a closed case")
    page.get_by_role("button", name=re.compile("Ask the unit to reopen the case")).click()
    page.wait_for_url(re.compile(r"/share/[0-9a-f-]+/$"))
    expect(page.get_by_text(re.compile("The case is open again")).first).to_be_visible()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    assert ReopenRequest.objects.get().victim == vault.owner
    assert not page.csp_errors
