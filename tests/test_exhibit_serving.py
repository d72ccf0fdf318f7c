"""An exhibit is served as a file, never as a page of Cairn's (issue 18): downloaded with
``Content-Disposition: attachment``, ``X-Content-Type-Options: nosniff`` and a sandboxing
Content Security Policy, so an HTML or SVG file someone sent her cannot run as Cairn."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse

from cairn.vault import services
from cairn.web.files import EXHIBIT_POLICY
from tests.test_web_browser import PNG

HOSTILE_PAGE = b"<!doctype html><title>x</title><script>document.title='ran'</script>"


def add(vault, content: bytes, name: str):
    return services.add_exhibit(
        actor=vault.owner, vault=vault, stream=io.BytesIO(content), original_name=name
    )


@pytest.mark.django_db
def test_an_exhibit_is_downloaded_as_a_sandboxed_file(owner_client, vault):
    exhibit = add(vault, HOSTILE_PAGE, "page.html")
    assert exhibit.media_type == "text/html"
    response = owner_client.get(reverse("vault:exhibit-download", args=[exhibit.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="AB-1.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == EXHIBIT_POLICY
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert b"".join(response.streaming_content) == HOSTILE_PAGE


@pytest.mark.django_db
def test_a_picture_shown_in_a_page_is_sandboxed_too(owner_client, vault):
    exhibit = add(vault, PNG, "photo.png")
    response = owner_client.get(reverse("vault:exhibit-image", args=[exhibit.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == EXHIBIT_POLICY
    # An HTML exhibit is never shown in a page.
    page = add(vault, HOSTILE_PAGE, "page.html")
    assert owner_client.get(reverse("vault:exhibit-image", args=[page.pk])).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore:No directory at:UserWarning")
def test_in_chromium_an_html_exhibit_is_saved_not_run(browser, live_server, vault, password):
    exhibit = add(vault, HOSTILE_PAGE, "page.html")
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto("/account/sign-in/")
        page.get_by_label("Username").fill("owner")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/**")
        url = reverse("vault:exhibit-download", args=[exhibit.pk])
        with page.expect_download(timeout=60_000) as download:
            page.evaluate("url => { window.location.href = url; }", url)
        saved = download.value
        assert saved.suggested_filename == "AB-1.html"
        assert Path(saved.path()).read_bytes() == HOSTILE_PAGE
        assert page.title() != "ran"
    finally:
        context.close()
