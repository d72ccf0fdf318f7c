"""Making redacted copies in a real browser (Debian's Chromium through Playwright): dragging
across a picture fills in an area, the copy is made; a text's preview, then its copy; no
Content Security Policy errors, and axe-core finds no WCAG 2.2 A/AA violations."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from cairn.vault import access, services
from tests.test_redaction import CHAT, picture
from tests.test_web_browser import (  # noqa: F401 - fixtures used by name
    DESKTOP,
    PHONE,
    _assert_accessible,
    _browser_settings,
    page,
    sign_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def _keep(vault, data: bytes, name: str):  # type: ignore[no-untyped-def]
    return services.add_exhibit(
        actor=vault.owner, vault=vault, stream=io.BytesIO(data), original_name=name
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_dragging_across_the_picture_fills_in_an_area_and_makes_the_copy(
    page,  # noqa: F811
    owner,
    vault,
    password,
    viewport,
):
    out = io.BytesIO()
    picture(400, 300).save(out, format="PNG")
    exhibit = _keep(vault, out.getvalue(), "gate.png")
    page.set_viewport_size(viewport)
    sign_in(page, password)
    page.goto(f"/exhibits/{exhibit.pk}/")
    page.get_by_role("link", name="Make a redacted copy").click()
    page.wait_for_url(re.compile(r"/exhibits/[0-9a-f-]+/redact/$"))
    assert page.title() == "Cairn"
    image = page.get_by_role("img", name=f"The picture of exhibit {exhibit.reference}")
    image.wait_for()
    page.wait_for_function("document.querySelector('.cairn-redact__image').complete")
    _assert_accessible(page, "redact a picture")

    # Drag from a quarter of the way in to halfway, on screen: a quarter of the picture's
    # pixels, whatever size it is shown at.
    box = image.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 4, box["y"] + box["height"] / 4)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    area = page.get_by_role("group", name="Area 1")
    values = [
        int(area.get_by_label(label).input_value())
        for label in ("From the left", "From the top", "Width", "Height")
    ]
    assert values[0] == pytest.approx(100, abs=3) and values[1] == pytest.approx(75, abs=3)
    assert values[2] == pytest.approx(100, abs=3) and values[3] == pytest.approx(75, abs=3)
    assert page.locator(".cairn-redact__area").count() == 1
    assert page.get_by_text(re.compile(r"^Area 1: \d+ from the left")).count() == 1

    # Typing a second area shows it over the picture too.
    second = page.get_by_role("group", name="Area 2")
    for label, value in (
        ("From the left", "0"),
        ("From the top", "0"),
        ("Width", "40"),
        ("Height", "30"),
    ):
        second.get_by_label(label).fill(value)
    assert page.locator(".cairn-redact__area").count() == 2

    page.get_by_role("button", name="Make the redacted copy").click()
    page.wait_for_url(re.compile(r"/exhibits/[0-9a-f-]+/$"))
    expect(page.get_by_text("Exhibit AB/2 is a redacted copy of AB/1.")).to_be_visible()
    copy = access.exhibits_readable_by(owner, vault).get(reference="AB/2")
    assert [r["x"] for r in copy.derivation["rectangles"]] == [values[0], 0]
    _assert_accessible(page, "the copy's exhibit page")
    assert not page.csp_errors


def test_dragging_past_the_last_row_adds_one(page, owner, vault, password):  # noqa: F811
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 100, 50)).save(out, format="PNG")
    exhibit = _keep(vault, out.getvalue(), "wall.png")
    sign_in(page, password)
    page.goto(f"/exhibits/{exhibit.pk}/redact/")
    page.wait_for_function("document.querySelector('.cairn-redact__image').complete")
    box = page.locator(".cairn-redact__image").bounding_box()
    for n in range(4):
        x, y = box["x"] + 10 + n * 40, box["y"] + 10
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 30, y + 30, steps=3)
        page.mouse.up()
    assert page.get_by_role("group", name="Area 4").get_by_label("Width").input_value() != ""
    page.get_by_role("button", name="Make the redacted copy").click()
    page.wait_for_url(re.compile(r"/exhibits/[0-9a-f-]+/$"))
    copy = access.exhibits_readable_by(owner, vault).get(reference="AB/2")
    assert len(copy.derivation["rectangles"]) == 4
    assert not page.csp_errors


def test_a_text_is_previewed_then_copied(page, owner, vault, password):  # noqa: F811
    exhibit = _keep(vault, CHAT.encode(), "chat.txt")
    sign_in(page, password)
    page.goto(f"/exhibits/{exhibit.pk}/redact/")
    assert page.title() == "Cairn"
    _assert_accessible(page, "redact a text")
    page.get_by_label("Words or phrases to hide").fill("Chris Example\nMill Lane")
    page.get_by_role("button", name="Check the copy").click()
    page.get_by_role("heading", name="Check the copy").wait_for()
    expect(page.get_by_text("Chris Example: found 2 times")).to_be_visible()
    expect(page.get_by_text("3 passages hidden on 2 lines.")).to_be_visible()
    _assert_accessible(page, "the text's preview")
    page.get_by_role("button", name="Make the redacted copy").click()
    page.wait_for_url(re.compile(r"/exhibits/[0-9a-f-]+/$"))
    copy = access.exhibits_readable_by(owner, vault).get(reference="AB/2")
    assert copy.derivation["summary"] == "3 passages hidden"
    assert not page.csp_errors
