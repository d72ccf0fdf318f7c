"""Cameras in a real browser (Debian's Chromium through Playwright).

On a 375 px phone: she notes a shop camera on a two-day-old incident one question per page,
sees it on her home page with its ask-by date, downloads the Article 15 letter (its text, read
with pdftotext, names the incident's date, time and place and her rights, and nothing she left
out), and hands the camera to the officer on her case; the officer marks it requested and then
collected, attaching the footage, which becomes an exhibit of her log with its continuity.

axe-core finds no WCAG 2.2 A/AA violations on any new page, at 375 px and 1280 px, and no page
of hers scrolls sideways on a phone.
"""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cairn.cameras import services as cameras
from cairn.cameras.models import Camera, CameraStatus
from cairn.cases import services as cases
from cairn.vault import services as vault_services
from cairn.vault.models import Exhibit
from tests.test_analysis_browser import (  # noqa: F401 - fixtures used by name
    DESKTOP,
    PHONE,
    _browser_settings,
    assert_accessible,
    page,
)
from tests.test_cameras import mp4
from tests.test_case_pages_browser import sign_in_officer
from tests.test_web_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]
LONDON = ZoneInfo("Europe/London")


def check(page, name: str, *, phone: bool) -> None:  # noqa: F811
    assert_accessible(page, name)
    if phone:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways on a phone"


@pytest.fixture
def story(owner, vault, investigator):
    """A two-day-old incident at a known time and place, an older one, and her log shared
    with the officer's case for the older incident only."""
    start = (timezone.now().astimezone(LONDON) - timedelta(days=2)).replace(
        hour=15, minute=20, second=0, microsecond=0
    )
    incident = vault_services.log_incident(
        actor=owner,
        vault=vault,
        data=vault_services.IncidentInput(
            start=start,
            channel="in_person",
            acts=["a"],
            location="Mill Road",
            description="He followed me into the shop and waited outside",
            witnesses="The shop assistant",
        ),
    )
    older = vault_services.log_incident(
        actor=owner,
        vault=vault,
        data=vault_services.IncidentInput(
            start=start - timedelta(days=20),
            channel="in_person",
            acts=["a"],
            description="He was at the bus stop",
        ),
    )
    case = cases.open_case(actor=investigator, reference="NP/2026/0101")
    cases.link_by_code(
        actor=owner,
        vault=vault,
        code=cases.issue_share_code(actor=investigator, case=case),
        scope="chosen",
        incident_ids=[older.pk],
    )
    return {"incident": incident, "start": start, "case": case}


def test_she_notes_a_shop_camera_asks_for_the_footage_and_the_officer_collects_it(
    page,  # noqa: F811
    live_server,
    owner,
    vault,
    password,
    investigator,
    story,
    tmp_path,
):
    page.set_viewport_size(PHONE)
    main = page.locator("main")
    incident, start, case = story["incident"], story["start"], story["case"]
    sign_in(page, password)

    page.goto(f"/incidents/{incident.pk}/")
    page.get_by_role("link", name="Note a camera that may have recorded it").click()
    page.wait_for_url(re.compile(r"/cameras/incidents/[0-9a-f-]+/new/$"))
    assert page.title() == "Cairn"  # her pages' one neutral title (issue 16)
    check(page, "camera: whose", phone=True)
    page.get_by_label("A shop, pub or other business").check()
    page.get_by_role("button", name="Continue").click()
    expect(main.get_by_role("heading", name="Whose camera is it?")).to_be_visible()
    check(page, "camera: owner", phone=True)
    page.get_by_role("textbox", name="Whose camera is it?").fill("Costcutter")
    page.get_by_role("button", name="Continue").click()
    expect(main.get_by_role("heading", name="Where is the camera?")).to_be_visible()
    page.get_by_role("textbox", name="Where is the camera?").fill("above the shop door")
    page.get_by_role("button", name="Continue").click()
    expect(main.get_by_role("heading", name="How long does it keep footage?")).to_be_visible()
    check(page, "camera: how long", phone=True)
    page.get_by_role("button", name="Continue").click()
    expect(main.get_by_role("heading", name="Might you be in the footage?")).to_be_visible()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(main.get_by_role("heading", name="Check your answers")).to_be_visible()
    check(page, "camera: check your answers", phone=True)
    assert "Costcutter" not in page.url
    page.get_by_role("button", name="Save the camera").click()
    page.wait_for_url(re.compile(r"/cameras/[0-9a-f-]+/$"))
    expect(main.get_by_text("Camera 1 is in your log.")).to_be_visible()
    ask_by = start.date() + timedelta(days=6)  # a shop often keeps about 7 days
    ask_words = f"Ask by {ask_by:%A} {ask_by.day} {ask_by:%B %Y} (4 days from today)."
    expect(main.get_by_text(ask_words)).to_be_visible()
    expect(main.get_by_text(re.compile("often kept for about 7 days"))).to_be_visible()
    check(page, "camera page", phone=True)

    # Her home page: the reminder with its ask-by date.
    page.goto("/")
    banner = page.get_by_role("region", name="Footage to ask for soon")
    expect(banner.get_by_role("link", name="Camera 1")).to_be_visible()
    expect(banner.get_by_text(ask_words)).to_be_visible()
    check(page, "home with a camera to ask for", phone=True)

    # The Article 15 letter, with only what she chose.
    banner.get_by_role("link", name="Camera 1").click()
    page.get_by_role("link", name="Letter asking for a copy of the footage of you").click()
    page.wait_for_url(re.compile(r"/letter/access/$"))
    assert page.title() == "Cairn"  # neutral: a letter to a shop names nothing in her tab
    check(page, "access letter form", phone=True)
    page.get_by_label("Who it is to (optional)").fill("")
    page.get_by_label("Where (optional)").fill("Mill Road")
    page.get_by_label("What you looked like (optional)").fill("a green raincoat")
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download the letter (PDF)").click()
    download = downloaded.value
    assert re.fullmatch(r"letter-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    saved = tmp_path / "letter.pdf"
    download.save_as(saved)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(saved), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert f"on {start:%A} {start.day} {start:%B %Y} at about 15:20" in text
    assert "your camera made at Mill Road" in text and "a green raincoat" in text
    for right in (
        "Article 15",
        "within one month",
        "cannot charge a fee",
        "Information Commissioner's Office",
    ):
        assert right in text
    for left_out in (
        "Costcutter",
        "above the shop door",
        "followed",
        "shop assistant",
        "My log",
        "NP/2026/0101",
        "Cairn",
        "Alex",
    ):
        assert left_out not in text, left_out

    # One action: the officer on her case is asked to get it (her share widens by it).
    page.goto(f"/cameras/{Camera.objects.get().pk}/")
    expect(main.get_by_text(re.compile("this also shares incident 1"))).to_be_visible()
    page.get_by_role("button", name="Ask the police to get it").click()
    expect(main.get_by_text(re.compile("The police can see this camera now"))).to_be_visible()
    assert Camera.objects.get().status == CameraStatus.HANDED

    # The officer: the case page shows the camera nobody has asked yet.
    page.context.clear_cookies()
    sign_in_officer(page, investigator, live_server)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_label("Investigation").check()
    page.get_by_role("button", name="Show the evidence").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/$"))
    expect(
        main.get_by_text(
            "Nobody has asked for the footage of cameras that may have recorded incident 1."
        )
    ).to_be_visible()
    check(page, "case page with a camera", phone=True)
    main.get_by_role("link", name="Camera 1").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/cameras/[0-9a-f-]+/$"))
    expect(main.get_by_text("Costcutter")).to_be_visible()
    check(page, "officer's camera page", phone=True)
    page.get_by_label("Requested the footage").check()
    page.get_by_role("button", name="Record the step").click()
    expect(main.get_by_text("Recorded on the camera")).to_be_visible()
    page.get_by_label("Collected from").fill("Priya Shah, the shop's manager")
    page.get_by_label("How (optional)").fill("exported to sealed USB stick, bag NP123")
    page.get_by_label("The footage file").set_input_files(
        {"name": "export.mp4", "mimeType": "video/mp4", "buffer": mp4()}
    )
    page.get_by_role("button", name="Record as collected").click()
    expect(main.get_by_text("Footage collected and kept as exhibit AB/1")).to_be_visible()
    expect(main.get_by_text(re.compile("from Priya Shah, the shop's manager"))).to_be_visible()
    check(page, "officer's camera page, collected", phone=True)

    camera = Camera.objects.get()
    exhibit = Exhibit.objects.get()
    assert camera.status == CameraStatus.COLLECTED and camera.footage_id == exhibit.pk
    assert (exhibit.incident_id, exhibit.added_by_id, exhibit.media_type) == (
        incident.pk,
        investigator.pk,
        "video/mp4",
    )
    step = camera.changes.order_by("seq").last()
    assert step.collected_from == "Priya Shah, the shop's manager" and step.in_time
    assert not page.csp_errors


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_camera_page_is_accessible(
    page,  # noqa: F811
    live_server,
    owner,
    vault,
    password,
    investigator,
    analyst,
    story,
    viewport,
):
    phone = viewport is PHONE
    page.set_viewport_size(viewport)
    incident, case = story["incident"], story["case"]
    shop = cameras.add_camera(
        actor=owner,
        incident=incident,
        kind="shop",
        owner="Costcutter",
        place="above the shop door",
        appears="yes",
    )
    gone = cameras.add_camera(
        actor=owner, incident=incident, kind="bus_or_train", place="the number 38"
    )
    share = cameras.case_shares(owner, vault)[0]
    cameras.hand_to_case(actor=owner, camera=gone, share=share)
    cameras.record_police_step(actor=investigator, case=case, camera=gone, status="not_kept")
    sign_in(page, password)
    pages = [
        ("/", "home"),
        (f"/incidents/{incident.pk}/", "incident with cameras"),
        (f"/cameras/vaults/{vault.pk}/", "cameras list"),
        (f"/cameras/vaults/{vault.pk}/own-camera/", "own camera guidance"),
        (f"/cameras/incidents/{incident.pk}/new/", "first question"),
        (f"/cameras/{shop.pk}/", "camera"),
        (f"/cameras/{gone.pk}/", "settled camera"),
        (f"/cameras/{shop.pk}/letter/access/", "access letter form"),
        (f"/cameras/{shop.pk}/letter/keep/", "keep letter form"),
    ]
    for url, name in pages:
        page.goto(url)
        check(page, name, phone=phone)
    # Each question page and the check page, with an error shown once.
    page.goto(f"/cameras/incidents/{incident.pk}/new/")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page, "first question with an error", phone=phone)
    page.get_by_label("A neighbour's doorbell or home camera").check()
    for heading in (
        "Whose camera is it?",
        "Where is the camera?",
        "How long does it keep footage?",
        "Might you be in the footage?",
        "Check your answers",
    ):
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        check(page, heading, phone=phone)
        if heading == "Might you be in the footage?":
            page.get_by_role("radio", name="Not sure").check()

    page.context.clear_cookies()
    sign_in_officer(page, investigator, live_server)
    page.goto(f"/cases/{case.pk}/cameras/{shop.pk}/")
    check(page, "officer's camera page before a purpose", phone=phone)
    page.get_by_label("Investigation").check()
    page.get_by_role("button", name="Show the evidence").click()
    page.wait_for_url(re.compile(r"/cameras/[0-9a-f-]+/$"))
    check(page, "officer's camera page", phone=phone)
    page.get_by_role("button", name="Record as collected").click()
    check(page, "officer's camera page with errors", phone=phone)
    page.goto(f"/cases/{case.pk}/cameras/{gone.pk}/")
    check(page, "officer's settled camera page", phone=phone)
    page.goto(f"/cases/{case.pk}/#cameras")
    check(page, "case page cameras section", phone=phone)

    page.context.clear_cookies()
    sign_in_officer(page, analyst, live_server)
    page.goto("/dashboard/")
    expect(page.get_by_role("table", name=re.compile("Footage requests by unit"))).to_be_visible()
    assert_accessible(page, "dashboard with footage")
    assert not page.csp_errors
