"""One thing per page on a phone (issue 16, point 4), on the demo in Debian's Chromium: the
pattern's summary and each of its topics, and every page of the timeline, are under three
screen heights at 375 px, and axe-core finds nothing on them at 375 and 1280 px."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from cairn.demo import DEMO_PASSWORD, DEMO_USERNAME, load_demo
from tests.browser import PHONE, VIEWPORTS, assert_accessible, screens_tall, sign_in, tab  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

TOPICS = ("test", "when", "frequency", "acts", "how", "course", "signs", "fear", "risk", "research")


@pytest.fixture
def demo_vault():
    return load_demo(now=timezone.now())


def _timeline_pages(tab, vault):  # noqa: F811
    """Every page of the timeline, following "Older" from the newest."""
    tab.goto(f"/vaults/{vault.pk}/timeline/")
    yield "timeline page 1"
    number = 1
    while tab.get_by_role("link", name=re.compile("^Older")).count():
        tab.get_by_role("link", name=re.compile("^Older")).click()
        tab.wait_for_load_state("load")
        number += 1
        yield f"timeline page {number}"


def test_the_pattern_and_timeline_pages_are_under_three_screens_on_a_phone(tab, demo_vault):  # noqa: F811
    tab.set_viewport_size(PHONE)
    sign_in(tab, DEMO_USERNAME, DEMO_PASSWORD)
    heights = {}
    for topic in ("", *(f"{t}/" for t in TOPICS)):
        tab.goto(f"/pattern/{demo_vault.pk}/{topic}")
        heights[f"pattern {topic}"] = screens_tall(tab)
    for name in _timeline_pages(tab, demo_vault):
        heights[name] = screens_tall(tab)
    assert len([n for n in heights if n.startswith("timeline")]) >= 8  # 63 incidents, 8 a page
    too_tall = {name: round(h, 2) for name, h in heights.items() if h >= 3}
    assert not too_tall, too_tall


@VIEWPORTS
def test_every_timeline_page_is_accessible(tab, demo_vault, viewport):  # noqa: F811
    tab.set_viewport_size(viewport)
    sign_in(tab, DEMO_USERNAME, DEMO_PASSWORD)
    for name in _timeline_pages(tab, demo_vault):
        assert_accessible(tab, name)
        assert tab.title() == "Cairn"
    # The filter is kept from page to page.
    tab.goto(f"/vaults/{demo_vault.pk}/timeline/?act=a")
    tab.get_by_role("link", name=re.compile("^Older")).click()
    tab.wait_for_url(re.compile(r"act=a"))
    assert tab.get_by_label("What they did").input_value() == "a"
