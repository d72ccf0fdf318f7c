""" "Exit this page" for real (issue 16, point 1), in Debian's Chromium: leaving ends her
session on the server before the browser goes, so Back, reload or the same address typed again
show the sign-in page and nothing of hers, on a phone and on a desktop, by the button and by
the three-Shift shortcut."""

from __future__ import annotations

import re

import pytest

from tests.browser import EXIT_URL, VIEWPORTS, sign_in, tab  # noqa: F401
from tests.factories import make_incident

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

SECRET = "He waited by the blue gate on Orchard Lane"


def _leave(tab, how: str) -> None:  # noqa: F811
    if how == "button":
        tab.get_by_role("button", name="Exit this page").click()
    else:
        tab.locator("main h1").click()  # focus in the page, as when she is reading it
        for _ in range(3):
            tab.keyboard.press("Shift")
    tab.wait_for_url(EXIT_URL)


def _assert_nothing_of_hers(tab, vault) -> None:  # noqa: F811
    tab.wait_for_load_state("load")
    body = tab.locator("body").inner_text()
    assert "/account/sign-in/" in tab.url, tab.url
    assert tab.get_by_role("heading", name="Sign in").is_visible()
    for hers in (SECRET, vault.name, "Alex", "Latest incidents", "Incident 1"):
        assert hers not in body


@VIEWPORTS
@pytest.mark.parametrize("how", ["button", "shift"])
def test_exit_then_back_and_reload_show_none_of_her_content(
    tab,  # noqa: F811
    owner,
    vault,
    password,
    live_server,
    viewport,
    how,
):
    incident = make_incident(vault, description=SECRET)
    tab.set_viewport_size(viewport)
    sign_in(tab, "owner", password)
    tab.goto(f"/incidents/{incident.pk}/")
    assert SECRET in tab.locator("main").inner_text()
    _leave(tab, how)
    # Back: the page before the one she left (her home page) comes from the server again,
    # which no longer knows her.
    tab.go_back()
    _assert_nothing_of_hers(tab, vault)
    tab.reload()
    _assert_nothing_of_hers(tab, vault)
    # The page she left, by its address (a restored tab, or history): signed out too.
    tab.goto(f"{live_server.url}/incidents/{incident.pk}/")
    _assert_nothing_of_hers(tab, vault)
    assert not tab.csp_errors


def test_exit_leaves_no_way_back_in_a_tab_with_one_cairn_page(
    tab,  # noqa: F811
    owner,
    vault,
    password,
    live_server,
):
    incident = make_incident(vault, description=SECRET)
    sign_in(tab, "owner", password)
    fresh = tab.context.new_page()
    fresh.route(
        re.compile(r"^https://exit\.invalid/.*"),
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>Weather</title>"
        ),
    )
    fresh.goto(f"{live_server.url}/incidents/{incident.pk}/")
    _leave(fresh, "button")
    fresh.go_back()
    assert not fresh.url.startswith(live_server.url)  # the page was replaced in history
    # The other tab shared the session, which has ended: it shows the sign-in page on reload.
    tab.reload()
    _assert_nothing_of_hers(tab, vault)


def _overlap(a, b) -> bool:  # type: ignore[no-untyped-def]
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@VIEWPORTS
def test_the_exit_button_covers_nothing_on_the_page(tab, owner, vault, password, viewport):  # noqa: F811
    incident = make_incident(vault)
    tab.set_viewport_size(viewport)
    sign_in(tab, "owner", password)
    tab.goto(f"/incidents/{incident.pk}/edit/")
    tab.get_by_role("button", name="Save").first.click()
    tab.wait_for_url(re.compile(r"/incidents/[0-9a-f-]+/$"))
    button = tab.locator(".govuk-exit-this-page__button").bounding_box()
    for what in (".govuk-notification-banner", "main h1", ".cairn-privacy-line"):
        box = tab.locator(what).first.bounding_box()
        assert box and not _overlap(button, box), what
