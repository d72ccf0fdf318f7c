"""Every page of her account (issue 21, point 6), found by walking the URL configuration so a
new page joins these checks without anyone adding it here: each needs the CSRF token to
post, each waits for the second factor of a member or of a victim who turned one on, each
is a victim page with "Exit this page", and wrong passwords typed to confirm a change are
limited per address."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cairn.accounts.middleware import EXEMPT_VIEWS
from cairn.accounts.models import Passkey
from tests.orgs import sign_in_verified

VALUES = {
    "session_id": uuid.uuid4(),
    "passkey_id": 1,
    "vault_id": uuid.uuid4(),
    "token": "made-up",
    "user_id": uuid.uuid4(),
}
# Pages that only show something: no form posts to them.
READ_ONLY = {
    "accounts:account",
    "accounts:sessions",
    "accounts:passkeys",
    "accounts:recover",
    "accounts:closed",
    "accounts:help",
    "accounts:email-confirm",
}
# Pages for someone not signed in, or not yet through the second step.
BEFORE_SIGN_IN = {
    "accounts:sign-in",
    "accounts:sign-up",
    "accounts:recover",
    "accounts:recover-code",
    "accounts:recover-email",
    "accounts:recover-email-link",
    "accounts:reset-link",
    "accounts:closed",
}


def account_routes() -> list[tuple[str, str]]:
    """(name, URL) of every page under /account/."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace,
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}{pattern.name}"
                if name.startswith("accounts:"):
                    params = list(pattern.pattern.regex.groupindex)
                    found.append((name, reverse(name, kwargs={p: VALUES[p] for p in params})))

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.CAIRN_SIGN_UP = "open"
    settings.CAIRN_MAIL_CONFIGURED = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_walk_finds_the_new_pages():
    names = {name for name, _ in account_routes()}
    assert {
        "accounts:sign-up",
        "accounts:password",
        "accounts:sessions",
        "accounts:passkeys",
        "accounts:recover-code",
        "accounts:reset-link",
        "accounts:close",
        "accounts:close-check",
        "accounts:help-reset",
    } <= names


def test_every_form_needs_the_csrf_token(owner, vault, advocate):
    problems = []
    for user in (None, owner, advocate):
        strict = Client(enforce_csrf_checks=True)
        if user is owner:
            strict.force_login(owner)
        elif user is not None:
            sign_in_verified(strict, user)
        for name, url in account_routes():
            got = strict.post(url, {"username": "owner", "password": "x"})
            if name in READ_ONLY:
                if got.status_code not in (403, 405):
                    problems.append(
                        f"{name}: a read-only page answered a POST with {got.status_code}"
                    )
            elif got.status_code != 403:
                problems.append(f"{name} ({user}): POST without the token got {got.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("who", ["member", "victim with a passkey"])
def test_every_page_waits_for_the_second_factor(client, owner, vault, investigator, who):
    if who == "member":
        client.force_login(investigator)
        target = "/account/two-factor/set-up/"
    else:
        Passkey.objects.create(user=owner, name="phone", credential_id="AAAA", public_key=b"key")
        client.force_login(owner)
        target = "/account/two-factor/"
    problems = []
    for name, url in account_routes():
        if name in EXEMPT_VIEWS:
            continue
        got = client.get(url)
        if got.status_code == 405:
            got = client.post(url, {})
        if got.status_code != 302 or not got.url.startswith(target):
            problems.append(f"{name}: {got.status_code} {got.get('Location', '')}")
    assert not problems, "\n".join(problems)


def test_a_victim_without_a_second_factor_is_not_asked(owner_client):
    for url in ("/account/", "/account/sessions/", "/account/passkeys/"):
        assert owner_client.get(url).status_code == 200


def test_every_page_has_exit_this_page(owner_client, vault):
    for name, url in account_routes():
        got = owner_client.get(url)
        if got.status_code == 200 and got["Content-Type"].startswith("text/html"):
            assert "Exit this page" in got.content.decode(), name


def test_every_page_is_kept_out_of_caches(owner_client, vault):
    for _name, url in account_routes():
        assert owner_client.get(url)["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "url", ["/account/password/", "/account/confirm-password/", "/account/close/"]
)
def test_wrong_passwords_to_confirm_a_change_are_limited(owner_client, vault, url):
    fields = {
        "old_password": "wrong",
        "password": "wrong",
        "new_password1": "x",
        "new_password2": "x",
    }
    for attempt in range(5):
        assert owner_client.post(url, fields).status_code == 400, attempt
    refused = owner_client.post(url, fields)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()


def test_the_pages_before_sign_in_need_no_account(client, db):
    for name, url in account_routes():
        if name in BEFORE_SIGN_IN:
            assert client.get(url).status_code in (200, 404), name  # 404: a made-up link
        elif name not in EXEMPT_VIEWS:
            got = client.get(url)
            assert got.status_code in (302, 405), name
            if got.status_code == 302:
                assert got.url.startswith("/account/sign-in/"), name
