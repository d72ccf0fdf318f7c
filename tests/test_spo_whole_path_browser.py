"""The whole SPO path on the demo case, in a real browser (issue 8).

The demo case (``cairn demo``'s force, officers and case, with the demo vault shared in
full): the investigator signs in with the published password and a code from the demo's
published two-factor key; builds an application with two prohibitions (no contact, and an
exclusion zone around her street) and an interim request; submits it; records the interim
order and then the full order as made; records service and notification. The victim logs
that he came to her street and reports it from her vault as a breach of the zone; the
officer records his arrest, and the victim sees it. The unit's calendar holds every deadline
of the case. Closing the case is refused because of the demo log's recurrence warning until
the supervisor, signed in with her own code, signs it off. axe-core finds no WCAG 2.2 A/AA
violations on any page visited.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from icalendar import Calendar
from playwright.sync_api import expect

from cairn.accounts.models import Role
from cairn.breaches.models import Breach, BreachOutcomeKind
from cairn.cases.models import CaseStatus
from cairn.demo import DEMO_PASSWORD, DEMO_USERNAME, load_demo, load_demo_case
from cairn.demo.police import DEMO_POLICE_PASSWORD, OFFICERS, totp_key
from cairn.orders.models import ApplicationStatus, OrderKind, TermKind
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

LONDON = ZoneInfo("Europe/London")


def sign_in(page, username: str, password: str, key: bytes | None = None) -> None:  # noqa: F811
    page.context.clear_cookies()
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if key is not None:
        page.wait_for_url(re.compile(r"/account/two-factor/"))
        assert_accessible(page, "two-factor code")
        page.get_by_label("Code from your authenticator app").fill(f"{TOTP(key).token():06d}")
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/account/" not in url)


def fill_date(page, group: str, day: date) -> None:  # noqa: F811
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(day.day))
    fields.get_by_label("Month").fill(str(day.month))
    fields.get_by_label("Year").fill(str(day.year))


def see(page, text: str | re.Pattern[str]) -> None:  # noqa: F811
    expect(page.locator("main").get_by_text(text).first).to_be_visible()


def test_the_whole_spo_path_on_the_demo_case(page, live_server):  # noqa: F811
    vault = load_demo(now=timezone.now())
    case = load_demo_case(vault)
    officers = {o.role: o.username for o in OFFICERS}
    today = timezone.localdate(timezone=LONDON)
    page.set_viewport_size(DESKTOP)
    main = page.locator("main")

    # --- the investigator builds the application ------------------------------------------
    sign_in(
        page,
        officers[Role.INVESTIGATOR],
        DEMO_POLICE_PASSWORD,
        totp_key(officers[Role.INVESTIGATOR]),
    )
    page.goto(f"/cases/{case.pk}/")
    assert_accessible(page, "case page")
    page.get_by_role("link", name="Start an application").click()
    assert_accessible(page, "start an application")
    page.get_by_role("button", name="Start the application").click()
    page.wait_for_url(re.compile(r"/spo/[0-9a-f-]+/edit/$"))
    see(page, "Draft application started.")
    assert_accessible(page, "draft editor")
    for limb in ("s1_1_a", "s1_1_b", "s1_1_c"):  # prefilled from the demo log's analysis
        assert page.locator(f"textarea[name=ground_{limb}]").input_value().strip(), limb
    page.locator("select[name=term-0-kind]").select_option(TermKind.NO_CONTACT)
    page.locator("textarea[name=term-0-necessity]").fill(
        "He has messaged and called her for two years, through new numbers once blocked."
    )
    page.get_by_role("button", name="Add another term").click()
    expect(page.get_by_role("group", name="Term 2")).to_be_visible()
    page.locator("select[name=term-1-kind]").select_option(TermKind.EXCLUSION_ZONE)
    page.locator("textarea[name=term-1-necessity]").fill(
        "He waits outside her house and sits in his car in her street."
    )
    term_2 = page.get_by_role("group", name="Term 2")
    term_2.locator("input[name=term-1-place]").fill("Alder Close")
    term_2.get_by_text("Where: a place's position, an exclusion zone or a distance").click()
    term_2.locator("input[name=term-1-centre_lat]").fill("53.4808")
    term_2.locator("input[name=term-1-centre_lon]").fill("-2.2426")
    term_2.locator("input[name=term-1-radius_m]").fill("500")
    page.get_by_label("Ask for an interim order (s.5)").check()
    page.get_by_label("Why an interim order is appropriate until the application is decided").fill(
        "He came to her street twice in the last fortnight; she needs protection now."
    )
    # s.1(3) and s.2(3).
    page.get_by_label("The defendant lives in the force's area").check()
    page.get_by_label(
        re.compile("How do the terms avoid conflict with the defendant's religious beliefs")
    ).fill(
        "He keeps no religious observance that we know of; he works nights in the city "
        "centre, outside the zone."
    )
    assert_accessible(page, "draft editor, filled in")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(re.compile(r"/spo/[0-9a-f-]+/$"))
    see(page, "Draft saved")
    assert_accessible(page, "application page, draft")
    application = case.spo_applications.get()
    assert [t.kind for t in application.terms.all()] == [
        TermKind.NO_CONTACT,
        TermKind.EXCLUSION_ZONE,
    ]
    application_url = page.url

    # Checked and submitted, then the interim order made, then the full order as made.
    page.get_by_role("link", name="Check your answers and submit").click()
    see(page, "works nights in the city centre")
    assert_accessible(page, "check your answers")
    page.get_by_role("button", name="Submit the application").click()
    see(page, "Recorded: Submitted to the court")
    assert_accessible(page, "application page, submitted")
    page.get_by_role("link", name="Record the interim order made").click()
    assert_accessible(page, "record the interim order")
    interim_made = today - timedelta(days=14)
    fill_date(page, "Made on", interim_made)
    fill_date(page, "Interim order has effect until the end of", today + timedelta(days=60))
    page.get_by_role("button", name="Record the order").click()
    see(page, "Interim order (s.5) recorded")
    assert_accessible(page, "interim order page")
    page.goto(application_url)
    page.get_by_role("link", name="Record the order made").click()
    full_made = today - timedelta(days=1)
    fill_date(page, "Made on", full_made)
    assert_accessible(page, "record the full order")
    page.get_by_role("button", name="Record the order").click()
    expect(page.get_by_role("heading", level=1, name="Stalking Protection Order")).to_be_visible()
    assert_accessible(page, "full order page")
    fill_date(page, "Served on", full_made)
    page.get_by_role("button", name="Save the day of service").click()
    see(page, "Not required")  # s.9: no new notification when a full order replaces an interim

    # Service and notification of the interim order.
    page.goto(application_url)
    page.get_by_role("link", name=re.compile(r"^Interim order \(s\.5\) made ")).click()
    fill_date(page, "Served on", interim_made + timedelta(days=1))
    page.get_by_role("button", name="Save the day of service").click()
    see(page, re.compile("Due by"))
    page.get_by_text("Record how he notified").click()
    fill_date(page, "Notified on", interim_made + timedelta(days=2))
    page.get_by_label("Police station attended").fill("Northshire Central Police Station")
    page.get_by_label("Acknowledged in writing (s.10(4))").check()
    page.get_by_role("button", name="Save the notification").click()
    see(page, re.compile("Given on"))
    assert_accessible(page, "interim order, served and notified")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANTED
    interim = application.orders.get(kind=OrderKind.INTERIM)
    full = application.orders.get(kind=OrderKind.FULL)
    assert interim.notification_due == interim_made + timedelta(days=3)  # served + 2
    assert interim.notified_on == interim_made + timedelta(days=2)
    assert [t.kind for t in full.terms.all()] == [TermKind.NO_CONTACT, TermKind.EXCLUSION_ZONE]

    # The unit's calendar holds every deadline of the case.
    feed = page.request.get("/orders/calendar.ics")
    assert feed.ok
    events = {
        str(e["UID"]): e["DTSTART"].dt for e in Calendar.from_ical(feed.body()).walk("VEVENT")
    }
    full.refresh_from_db()
    expected = {
        f"case-review-{case.pk}@cairn.invalid": case.next_review,
        f"notification-due-{interim.pk}@cairn.invalid": interim.notification_due,
        f"expiry-{interim.pk}@cairn.invalid": interim.expires_on,
        f"expiry-{full.pk}@cairn.invalid": full.expires_on,
        f"renewal-review-{full.pk}@cairn.invalid": full.renewal_review_on,
    }
    assert None not in expected.values()
    assert {uid: events.get(uid) for uid in expected} == expected

    # --- the victim logs that he came to her street and reports it as a breach -----------
    sign_in(page, DEMO_USERNAME, DEMO_PASSWORD)
    page.get_by_role("link", name="Log an incident").first.click()
    page.get_by_label("Time (optional)").fill("00:01")
    page.get_by_label("In person").check()
    page.get_by_label("Hung around somewhere I was").check()
    page.get_by_label("What happened?").fill("He came to my street and waited by my gate.")
    page.get_by_role("group", name=re.compile("fear they would use violence")).get_by_label(
        "Yes"
    ).check()
    page.get_by_role("button", name="Save to my log").click()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]+/$"))
    incident = vault.incidents.order_by("-number").first()
    page.goto(f"/share/{vault.pk}/")
    assert_accessible(page, "sharing page with an order")
    page.get_by_role("link", name="Report a breach of the order").click()
    assert_accessible(page, "report a breach")
    page.get_by_label("Must not go within 500 metres of Alder Close.").check()
    page.get_by_label(re.compile(rf"^Incident {incident.number}, ")).check()
    page.get_by_role("button", name="Report the breach").click()
    page.wait_for_url(re.compile(r"/breaches/[0-9a-f-]+/$"))
    see(page, re.compile("Your report is sent to Stalking Unit"))
    see(page, "The police have your report. Nothing else has been recorded yet.")
    assert_accessible(page, "her report")
    breach = Breach.objects.get()
    assert (breach.incident, breach.term.kind) == (incident, TermKind.EXCLUSION_ZONE)

    # --- the officer records the arrest ---------------------------------------------------
    page.context.clear_cookies()  # (a code is good once: the session as after one)
    sign_in_officer(page, case.officer, live_server)
    page.goto(f"/cases/{case.pk}/#breaches")
    assert_accessible(page, "case page with a breach")
    page.goto(f"/cases/{case.pk}/breaches/{breach.pk}/")
    assert_accessible(page, "breach page")
    page.get_by_label("Arrested").check()
    fill_date(page, "On what date?", today)
    page.get_by_role("button", name="Record the outcome").click()
    see(page, "Outcome recorded")
    assert_accessible(page, "breach page with the arrest")
    breach.refresh_from_db()
    assert breach.outcome == BreachOutcomeKind.ARRESTED

    # The victim sees what happened.
    sign_in(page, DEMO_USERNAME, DEMO_PASSWORD)
    page.goto(f"/share/{vault.pk}/breaches/")
    see(page, "They were arrested.")
    assert_accessible(page, "what happened to my reports")

    # --- closing the case: refused while the order is in force ------------------------------
    # (issue 15, point 7: a supervisor's sign-off answers the recurrence warning, never an
    # order in force.)
    page.context.clear_cookies()  # (a code is good once: the session as after one)
    sign_in_officer(page, case.officer, live_server)
    page.goto(f"/cases/{case.pk}/status/")
    page.get_by_label("Closed").check()
    page.get_by_role("button", name="Change the status").click()
    see(
        page,
        re.compile(
            "This case cannot be closed while the Stalking Protection Order made on .* is in force"
        ),
    )
    assert_accessible(page, "closing refused")

    sign_in(
        page, officers[Role.SUPERVISOR], DEMO_POLICE_PASSWORD, totp_key(officers[Role.SUPERVISOR])
    )
    page.goto(f"/cases/{case.pk}/")
    page.get_by_label("Why the case can be closed despite the warning").fill(
        "He was arrested for the breach; review in three months."
    )
    page.get_by_role("button", name="Sign off closing the case").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/#closure$"))
    assert_accessible(page, "case page with the sign-off")
    page.goto(f"/cases/{case.pk}/status/")
    page.get_by_label("Closed").check()
    page.get_by_role("button", name="Change the status").click()
    see(page, re.compile("This case cannot be closed while"))
    case.refresh_from_db()
    assert case.status != CaseStatus.CLOSED
    assert main.count() == 1
    assert not page.csp_errors
