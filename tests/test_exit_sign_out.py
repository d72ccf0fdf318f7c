"""The sign-out that "Exit this page" sends as it leaves (issue 16, point 1), over HTTP: a POST
with the page's CSRF token ends the session and says nothing back; a GET or a POST from another
site changes nothing; every page of hers stays ``no-store``."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cairn.accounts.models import SessionRecord

pytestmark = pytest.mark.django_db

LEAVE = "/leave/"


def _signed_in(owner, password) -> Client:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=owner.username, password=password)
    return client


def _token(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    match = re.search(
        r'class="cairn-leave-form"[^>]*>.*?name="csrfmiddlewaretoken" '
        r'value="([^"]+)"',
        page,
        re.S,
    )
    assert match, "the page carries no sign-out form for Exit this page"
    return match.group(1)


def test_exit_ends_her_session_with_the_pages_token(owner, vault, password):
    client = _signed_in(owner, password)
    home = reverse("vault:vault", args=[vault.pk])
    token = _token(client, home)
    response = client.post(LEAVE, {"csrfmiddlewaretoken": token})
    assert response.status_code == 204
    assert response.content == b""
    after = client.get(home)
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("accounts:sign-in"))


def test_exit_marks_her_sign_in_ended_in_her_session_list(owner, vault, password):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("accounts:sign-in"))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    client.post(
        reverse("accounts:sign-in"),
        {"username": owner.username, "password": password, "csrfmiddlewaretoken": token.decode()},
    )
    record = SessionRecord.objects.get(user=owner)
    assert record.ended_at is None
    client.post(LEAVE, {"csrfmiddlewaretoken": _token(client, "/")})
    record.refresh_from_db()
    assert record.ended_at is not None


def test_a_post_without_the_token_signs_nobody_out(owner, vault, password):
    client = _signed_in(owner, password)
    assert client.post(LEAVE).status_code == 403
    assert client.get(reverse("vault:vault", args=[vault.pk])).status_code == 200


def test_a_get_changes_nothing(owner, vault, password):
    client = _signed_in(owner, password)
    assert client.get(LEAVE).status_code == 405
    assert client.get(reverse("vault:vault", args=[vault.pk])).status_code == 200


def test_leaving_when_signed_out_is_harmless():
    client = Client()
    assert client.post(LEAVE).status_code == 204


def test_her_pages_and_the_sign_in_page_are_never_stored(owner, vault, password):
    client = _signed_in(owner, password)
    for url in ("/", reverse("vault:timeline", args=[vault.pk]), reverse("accounts:sign-in")):
        assert client.get(url)["Cache-Control"] == "no-store", url
