"""Requests too large to take say what the limit is and keep what can be kept (issue 18).

A description longer than an incident's form takes is refused at the field, with her whole
text and the other answers still in the form. A form larger than Cairn reads at all gets a
page naming the limit, with the text it could read shown back to copy, not a bare
"Bad Request (400)".
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from cairn.vault import access
from cairn.web.oversize import field_label, kept_fields
from tests.test_web_views import incident_post, title_of

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def form_post(client, url, data, **extra):
    """As a browser sends a form without files."""
    return client.post(
        url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded", **extra
    )


def textareas(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<textarea[^>]*>\n?(.*?)</textarea>", page, re.S)]


def test_a_description_longer_than_the_form_takes_stays_in_the_form(owner_client, vault):
    long_text = ("He was at the gate again and I wrote down every word he said. " * 45_000).strip()
    assert len(long_text) > 2.5 * MB
    response = form_post(
        owner_client,
        reverse("vault:incident-new", args=[vault.pk]),
        incident_post(description=long_text, channel="phone_call"),
    )
    page = response.content.decode()
    assert response.status_code == 400 and title_of(response).startswith("Error: ")
    assert (
        f"What happened can be at most 500,000 characters, and this has {len(long_text):,}"
    ) in page
    assert long_text in textareas(page)  # all of it, to shorten or copy
    assert re.search(r'value="phone_call"[^>]*checked', page)
    assert not access.incidents_readable_by(vault.owner, vault).exists()


def test_a_form_larger_than_cairn_reads_gets_a_page_with_the_limit_and_her_text(
    owner_client, vault
):
    long_text = "Every message he sent, pasted in. " * 340_000  # over 10 MB, as sent
    data = incident_post(when_words="just after work")
    del data["description"]
    data["description"] = long_text  # last, as the form's last field is sent
    response = form_post(
        owner_client,
        reverse("vault:incident-new", args=[vault.pk]),
        data,
        HTTP_REFERER=f"http://testserver/vaults/{vault.pk}/log/",
    )
    page = response.content.decode()
    assert response.status_code == 413
    assert title_of(response) == "Error: Cairn"  # her pages' one neutral title (issue 16)
    sent = len(urlencode(data)) / MB
    assert (
        f"Cairn takes at most 10 MB of text from one form, and what you sent was {sent:.0f} MB"
    ) in page
    assert re.search(r'<input class="govuk-input"[^>]*value="just after work" readonly>', page)
    cut = next(text for text in textareas(page) if text.startswith("Every message he sent"))
    assert len(cut) > 9 * MB and long_text.startswith(cut)
    assert "Description (the start only)" in page
    assert "Bad Request" not in page
    assert f'href="http://testserver/vaults/{vault.pk}/log/"' in page
    assert not access.incidents_readable_by(vault.owner, vault).exists()


def test_a_form_with_too_many_parts_gets_the_same_page(owner_client, vault):
    data = {f"field{n}": "x" for n in range(1_200)}
    response = form_post(owner_client, reverse("vault:incident-new", args=[vault.pk]), data)
    assert response.status_code == 413
    assert "more than 1000 parts" in response.content.decode()


def test_what_is_kept_of_a_cut_form():
    start = b"csrfmiddlewaretoken=abc&date_day=3&when_words=after+work&description=caf%C3%A9+caf%C"
    assert kept_fields(start, complete=False) == [
        ("date_day", "3", False),
        ("when_words", "after work", False),
        ("description", "caf\N{LATIN SMALL LETTER E WITH ACUTE} caf", True),
    ]
    assert kept_fields(b"a=%E2%82%AC", complete=True) == [("a", "\N{EURO SIGN}", False)]
    assert field_label("when_words") == "When words"
