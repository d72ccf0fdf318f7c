"""Every page of hers on the demo, in Debian's Chromium at 375 px and 1280 px (issue 16, done
when): each has the one neutral title, no WCAG 2.2 A/AA violation (axe-core), no sideways
scroll on a phone; and the phone check works on a fresh demo, with nobody having loaded the
stalkerware indicators by hand."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from cairn.checks.models import IndicatorSet
from cairn.demo import DEMO_PASSWORD, DEMO_USERNAME, load_demo
from tests.browser import PHONE, VIEWPORTS, assert_accessible, sign_in, tab  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.fixture
def demo_vault():
    return load_demo(now=timezone.now())


def _her_pages(vault) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    from cairn.vault.models import Exhibit

    incident = vault.incidents.order_by("-number").first()
    exhibit = Exhibit.objects.filter(vault=vault).order_by("number").first()
    person = vault.persons.order_by("id").first()
    pages = [
        ("home", "/"),
        ("log an incident", f"/vaults/{vault.pk}/incidents/new/"),
        ("timeline", f"/vaults/{vault.pk}/timeline/"),
        ("incident", f"/incidents/{incident.pk}/"),
        ("change an incident", f"/incidents/{incident.pk}/edit/"),
        ("exhibits", f"/vaults/{vault.pk}/exhibits/"),
        ("exhibit", f"/exhibits/{exhibit.pk}/"),
        ("people", f"/vaults/{vault.pk}/people/"),
        ("pattern", f"/pattern/{vault.pk}/"),
        ("a topic of the pattern", f"/pattern/{vault.pk}/how/"),
        ("risk questions", f"/pattern/{vault.pk}/questions/"),
        ("flags", f"/flags/{vault.pk}/"),
        ("add evidence from a file", f"/import/vaults/{vault.pk}/"),
        ("evidence pack", f"/pack/{vault.pk}/"),
        ("statement", f"/pack/{vault.pk}/statement/"),
        ("sharing", f"/share/{vault.pk}/"),
        ("who has looked", f"/share/{vault.pk}/access-log/"),
        ("check my phone", f"/check/{vault.pk}/"),
        ("integrity", f"/vaults/{vault.pk}/integrity/"),
        ("account", "/account/"),
        ("sessions", "/account/sessions/"),
        ("a page that is not there", "/no/such/page/"),
    ]
    if person is not None:
        pages.append(("person", f"/people/{person.pk}/"))
    return pages


@VIEWPORTS
def test_every_page_of_hers_is_neutral_accessible_and_fits(tab, demo_vault, viewport):  # noqa: F811
    tab.set_viewport_size(viewport)
    sign_in(tab, DEMO_USERNAME, DEMO_PASSWORD)
    for name, url in _her_pages(demo_vault):
        tab.goto(url)
        assert tab.title() == "Cairn", name
        assert_accessible(tab, name)
        if viewport is PHONE:
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name} scrolls sideways on a phone"
    # The pages only a form leads to: the pack's check page.
    tab.goto(f"/pack/{demo_vault.pk}/")
    tab.get_by_role("button", name="Continue").click()
    tab.get_by_role("heading", name="Check what the pack will hold").wait_for()
    assert tab.title() == "Cairn"
    assert_accessible(tab, "check the pack")
    assert not tab.csp_errors


@VIEWPORTS
def test_the_phone_check_works_on_a_fresh_demo(tab, demo_vault, viewport):  # noqa: F811
    assert not IndicatorSet.objects.exists()  # nobody ran `cairn indicators update`
    tab.set_viewport_size(viewport)
    sign_in(tab, DEMO_USERNAME, DEMO_PASSWORD)
    menu = tab.get_by_role("button", name="Menu")
    if menu.is_visible():  # on a phone the menu is folded
        menu.click()
    tab.get_by_role("link", name="Check my phone").first.click()
    tab.wait_for_url(re.compile(r"/check/[0-9a-f-]+/$"))
    # Safety advice before the check.
    main = tab.locator("main")
    advice = main.get_by_text(re.compile("can alert the person")).first
    check_button = main.get_by_role("button", name="Check the apps")
    assert advice.bounding_box()["y"] < check_button.bounding_box()["y"]
    tab.get_by_label("Or type or paste the names of the apps").fill(
        "com.android.chrome\ncom.apspy.app\n"
    )
    check_button.click()
    tab.wait_for_url(re.compile(r"/check/[0-9a-f-]+/apps/$"))
    assert tab.title() == "Cairn"
    assert main.get_by_text("com.apspy.app").first.is_visible()
    assert main.get_by_text("Echap, stalkerware-indicators").first.is_visible()
    assert_accessible(tab, "phone check result")
    assert IndicatorSet.objects.count() == 1
