"""The officer's SPO pages in a real browser on a phone-sized screen: axe-core finds no WCAG
2.2 A/AA violations and nothing scrolls sideways, on each page with content (an application
with two terms, an interim and a full order, a refused form). The whole path, typed by an
officer, is in the end-to-end browser test."""

from __future__ import annotations

from datetime import date

import pytest

from cairn.orders import services as orders
from cairn.orders.rules import TermSpec
from tests.factories import SPO_ANSWERS
from tests.test_analysis_browser import (  # noqa: F401
    PHONE,
    _browser_settings,
    assert_accessible,
    page,
)
from tests.test_case_pages_browser import no_sideways_scroll, sign_in_officer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_the_spo_pages_are_accessible_on_a_phone(
    page,  # noqa: F811
    live_server,
    investigator,
    shared_case,
    vault,
):
    grounds = orders.prefill_grounds(actor=investigator, case=shared_case)
    for ground in grounds.values():  # what the log does not show, the officer writes
        ground["text"] = ground["text"] or "Written by the officer from the statement."
    application = orders.start_application(
        **SPO_ANSWERS,
        actor=investigator,
        case=shared_case,
        duration_months=24,
        interim_requested=True,
        interim_reasoning="He came to her door twice this week.",
        grounds=grounds,
        terms=[
            TermSpec(
                "no_contact", necessity="He messages her daily.", exception="through solicitors"
            ),
            TermSpec(
                "exclusion_zone",
                necessity="He waits outside her home.",
                centre_lat=53.4808,
                centre_lon=-2.2426,
                radius_m=500,
            ),
        ],
    )
    orders.change_status(actor=investigator, application=application, status="submitted")
    interim = orders.record_order(
        actor=investigator,
        application=application,
        kind="interim",
        made_on=date(2027, 1, 5),
        ends_on=date(2027, 2, 5),
    )
    orders.record_service(actor=investigator, order=interim, served_on=date(2027, 1, 8))
    full = orders.record_order(
        actor=investigator,
        application=application,
        kind="full",
        made_on=date(2027, 2, 1),
        duration_months=24,
    )
    draft = orders.start_application(
        **SPO_ANSWERS, actor=investigator, case=shared_case, duration_months=24, grounds=grounds
    )
    page.set_viewport_size(PHONE)
    sign_in_officer(page, investigator, live_server)
    case = f"/cases/{shared_case.pk}"
    for name, path in [
        ("case page", f"{case}/"),
        ("start", f"{case}/spo/new/"),
        ("editor", f"{case}/spo/{draft.pk}/edit/"),
        ("check your answers", f"{case}/spo/{draft.pk}/check/"),
        ("apply for an interim order", f"{case}/spo/{draft.pk}/interim/"),
        ("discharge", f"{case}/spo/orders/{full.pk}/discharge/"),
        ("application", f"{case}/spo/{application.pk}/"),
        ("record an order", f"{case}/spo/{application.pk}/order/?kind=full"),
        ("interim order", f"{case}/spo/orders/{interim.pk}/"),
        ("full order", f"{case}/spo/orders/{full.pk}/"),
        ("variation", f"{case}/spo/orders/{full.pk}/vary/"),
        ("renewal", f"{case}/spo/orders/{full.pk}/renew/"),
        ("deadlines", "/orders/deadlines/"),
    ]:
        page.goto(path)
        assert page.locator("h1").count() == 1, name
        assert_accessible(page, name)
        no_sideways_scroll(page, name)
    page.goto(f"{case}/spo/{draft.pk}/edit/")
    page.get_by_label("Duration in months").fill("12")
    page.get_by_role("button", name="Save the draft").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "editor with errors")
    no_sideways_scroll(page, "editor with errors")
