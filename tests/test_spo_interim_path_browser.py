"""The whole interim path in a real browser (issue 15, "Done when"), typed by an officer with
axe-core run on every page visited:

a draft submitted without an interim request; an interim order applied for after submission
(s.5(2)(b)); the interim order made and extended twice as the hearing is adjourned (s.5(7));
its lapse on its last day while the main application stays alive (s.5(6)(a)); the full order;
a variation on the defendant's application (s.4); and a discharge within two years, refused
without the consents and recorded with both (s.4)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cairn.orders import services as orders
from cairn.orders.models import ApplicationStatus, Order, OrderKind
from cairn.orders.rules import TermSpec
from tests.factories import SPO_ANSWERS
from tests.test_analysis_browser import (  # noqa: F401
    DESKTOP,
    _browser_settings,
    assert_accessible,
    page,
)
from tests.test_case_pages_browser import sign_in_officer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

GROUNDS = {key: {"text": f"Ground {key}.", "evidence": []} for key in orders.LIMBS}


def fill_date(page, group: str, day: date) -> None:  # noqa: F811
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(day.day))
    fields.get_by_label("Month").fill(str(day.month))
    fields.get_by_label("Year").fill(str(day.year))


def see(page, text: str | re.Pattern[str]) -> None:  # noqa: F811
    expect(page.locator("main").get_by_text(text).first).to_be_visible()


def test_the_whole_interim_path_in_a_browser(
    page,  # noqa: F811
    live_server,
    investigator,
    shared_case,
):
    today = timezone.localdate()
    application = orders.start_application(
        **SPO_ANSWERS,
        actor=investigator,
        case=shared_case,
        duration_months=24,
        grounds=GROUNDS,
        terms=[TermSpec("no_contact", necessity="He messages her daily.")],
    )
    page.set_viewport_size(DESKTOP)
    sign_in_officer(page, investigator, live_server)
    page.goto(f"/cases/{shared_case.pk}/spo/{application.pk}/")
    assert_accessible(page, "the draft")

    # Checked and submitted with its first hearing's date, without an interim request.
    page.get_by_role("link", name="Check your answers and submit").click()
    assert_accessible(page, "check your answers")
    fill_date(page, "Date of the first hearing (optional)", today - timedelta(days=58))
    page.get_by_role("button", name="Submit the application").click()
    see(page, "Recorded: Submitted to the court")
    assert_accessible(page, "submitted")

    # s.5(2)(b): the interim order applied for after the main application was made.
    page.get_by_role("link", name="Apply for an interim order").click()
    assert_accessible(page, "apply for an interim order")
    page.get_by_role("button", name="Apply for the interim order").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "apply for an interim order, refused")
    page.get_by_label("Why an interim order is appropriate").fill(
        "He came to her door twice this week."
    )
    page.get_by_role("button", name="Apply for the interim order").click()
    see(page, "Interim order applied for")

    # The interim order made, to the end of a day 40 days ago.
    page.get_by_role("link", name="Record the interim order made").click()
    assert_accessible(page, "record the interim order")
    fill_date(page, "Made on", today - timedelta(days=50))
    fill_date(page, "Interim order has effect until the end of", today - timedelta(days=40))
    page.get_by_role("button", name="Record the order").click()
    see(page, "Interim order (s.5) recorded")
    assert_accessible(page, "the interim order")

    # Extended twice as the hearing is adjourned (s.5(7)), each recorded on its day.
    for renewed_on, last in ((41, 30), (31, 20)):
        page.get_by_role("link", name="Record a renewal (an extension)").click()
        assert_accessible(page, f"renew the interim order to {last} days ago")
        fill_date(page, "Renewed on", today - timedelta(days=renewed_on))
        page.get_by_label("Who applied").select_option("chief_officer")
        fill_date(page, "Now has effect until the end of", today - timedelta(days=last))
        page.get_by_role("button", name="Record the renewal").click()
        see(page, "Renewal recorded")
        assert_accessible(page, f"the interim order to {last} days ago")
    last_day = today - timedelta(days=20)
    see(page, f"The end of {last_day.day} {last_day:%B %Y}")

    # It lapsed on its last day: the main application is alive, and says so.
    page.get_by_role("link", name="Back to the application").click()
    see(page, "Interim order ended on its last day")
    expect(page.locator("main .govuk-tag").first).to_have_text("Submitted to the court")
    assert_accessible(page, "the application, its interim order lapsed")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert orders.orders_in_force(shared_case) == []

    # The full order.
    page.get_by_role("link", name="Record the order made").click()
    assert_accessible(page, "record the full order")
    page.get_by_label("Stalking Protection Order").check()
    fill_date(page, "Made on", today - timedelta(days=10))
    page.get_by_label("Duration in months").fill("24")
    page.get_by_role("button", name="Record the order").click()
    see(page, "Stalking Protection Order recorded")
    assert_accessible(page, "the full order")

    # A variation on the defendant's application (s.4).
    page.get_by_role("link", name="Record a variation").click()
    assert_accessible(page, "vary the order")
    fill_date(page, "Varied on", today - timedelta(days=5))
    page.get_by_label("Who applied").select_option("defendant")
    page.locator("select[name=term-0-kind]").select_option("no_contact")
    page.locator("textarea[name=term-0-necessity]").fill("He still messages her.")
    page.locator("input[name=term-0-exception]").fill("through solicitors")
    page.get_by_role("button", name="Record the variation").click()
    see(page, "Variation recorded")
    assert_accessible(page, "the varied order")

    # A discharge within two years: refused without both consents, then recorded.
    page.get_by_role("link", name="Record a discharge").click()
    assert_accessible(page, "discharge the order")
    fill_date(page, "Discharged on", today)
    page.get_by_label("Who applied").select_option("defendant")
    page.get_by_label("The defendant consented").check()
    page.get_by_role("button", name="Record the discharge").click()
    page.locator(".govuk-error-summary").wait_for()
    see(page, re.compile("record the consent of the chief officer"))
    assert_accessible(page, "discharge refused without consent")
    page.get_by_label("The chief officer consented").check()
    fill_date(page, "Victim told on", today)
    page.get_by_role("button", name="Record the discharge").click()
    see(page, "Discharge recorded")
    assert_accessible(page, "the discharged order")

    page.get_by_role("link", name="Back to the application").click()
    see(page, "Applied for by: The defendant")
    see(page, "Consent of the defendant: given; of the chief officer: given")
    assert_accessible(page, "the application's history")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DISCHARGED
    interim = Order.objects.filter(application=application, kind=OrderKind.INTERIM)
    assert interim.count() == 3 and interim.filter(replaced_by__isnull=True).count() == 1
    assert list(application.status_changes.values_list("status", flat=True)) == [
        "draft",
        "submitted",
        "interim_applied",
        "interim_granted",
        "interim_renewed",
        "interim_renewed",
        "granted",
        "varied",
        "discharged",
    ]
