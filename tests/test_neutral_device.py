"""Nothing on her device names what she is doing (issue 16, point 2; DESIGN.md invariant 11),
over HTTP: one neutral title, set by the instance, on every page she sees; neutral download
names; the browser asked to remember her sign-in only when she says it is hers; passwords and
passphrases masked and never sent back in a page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cairn.web.own_device import COOKIE
from tests.factories import make_incident

pytestmark = pytest.mark.django_db


def title(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_every_page_she_sees_has_the_instance_title_and_nothing_else(owner_client, vault, settings):
    settings.CAIRN_PAGE_TITLE = "Notes"
    incident = make_incident(vault, description="He was at the gate again")
    urls = [
        "/",
        reverse("vault:timeline", args=[vault.pk]),
        reverse("vault:incident", args=[incident.pk]),
        reverse("vault:incident-new", args=[vault.pk]),
        reverse("vault:persons", args=[vault.pk]),
        reverse("vault:exhibits", args=[vault.pk]),
        reverse("analysis:pattern", args=[vault.pk]),
        reverse("packs:pack", args=[vault.pk]),
        reverse("checks:check", args=[vault.pk]),
        reverse("sharing:share", args=[vault.pk]),
        reverse("sharing:access-log", args=[vault.pk]),
        reverse("flags:flags", args=[vault.pk]),
        reverse("importers:start", args=[vault.pk]),
        reverse("accounts:account"),
        reverse("accounts:sessions"),
        reverse("integrity:page", args=[vault.pk]),
    ]
    for url in urls:
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert title(response) == "Notes", url


def test_a_form_with_errors_says_so_in_the_title_and_nothing_more(owner_client, vault):
    response = owner_client.post(reverse("vault:incident-new", args=[vault.pk]), {})
    assert response.status_code == 400
    assert title(response) == "Error: Cairn"


def test_the_sign_in_page_is_neutral_too(client, db):
    assert title(client.get(reverse("accounts:sign-in"))) == "Cairn"


def test_officers_pages_still_say_what_they_are(client, investigator):
    from tests.orgs import sign_in_verified

    sign_in_verified(client, investigator)
    assert title(client.get(reverse("cases:list"))) == "Cases \N{EN DASH} Cairn"


def test_a_page_title_too_long_or_blank_is_refused_at_start(tmp_path):
    import subprocess
    import sys

    for bad in ("", " ", "x" * 61):
        env = {"CAIRN_DATA_DIR": str(tmp_path), "CAIRN_PAGE_TITLE": bad, "PATH": "/usr/bin"}
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
                "'cairn.settings'; from django.conf import settings; settings.CAIRN_PAGE_TITLE",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if bad:
            assert run.returncode != 0
            assert "CAIRN_PAGE_TITLE" in run.stderr
        else:  # empty means "use the default", as every other setting
            assert run.returncode == 0, run.stderr


def test_the_statement_draft_downloads_under_a_neutral_name(owner_client, vault):
    make_incident(vault)
    response = owner_client.get(reverse("packs:statement_download", args=[vault.pk]))
    assert re.fullmatch(
        r'attachment; filename="cairn-[0-9a-f]{6}\.txt"', response["Content-Disposition"]
    )


def test_two_downloads_do_not_share_a_name(owner_client, vault):
    from cairn.ledger import services as ledger

    ledger.seal(actor=vault.owner, vault=vault)
    url = reverse("integrity:checkpoint", args=[vault.pk])
    first, second = (owner_client.get(url)["Content-Disposition"] for _ in range(2))
    assert first != second


def _fields(html: str) -> dict[str, str]:
    """Each input's name and its autocomplete attribute."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        auto = re.search(r'autocomplete="([^"]+)"', tag)
        if name:
            found[name.group(1)] = auto.group(1) if auto else ""
    return found


def test_the_browser_is_not_asked_to_remember_her_unless_she_says_so(owner, vault, password):
    client = Client()
    page = client.get(reverse("accounts:sign-in")).content.decode()
    assert _fields(page)["username"] == "off" and _fields(page)["password"] == "off"
    assert "choose “Never” or “Not now”" in page
    # She signs in without the box ticked: nothing is remembered.
    response = client.post(
        reverse("accounts:sign-in"), {"username": owner.username, "password": password}
    )
    assert response.status_code == 302 and COOKIE not in response.cookies
    client.post(reverse("accounts:sign-out"))
    # She ticks it: her browser may fill in her sign-in next time.
    response = client.post(
        reverse("accounts:sign-in"),
        {"username": owner.username, "password": password, "remember": "on"},
    )
    assert response.cookies[COOKIE].value == "yes"
    assert response.cookies[COOKIE]["httponly"]
    client.post(reverse("accounts:sign-out"))
    page = client.get(reverse("accounts:sign-in")).content.decode()
    assert _fields(page)["username"] == "username"
    assert _fields(page)["password"] == "current-password"
    assert 'name="remember" type="checkbox" value="on" checked' in page
    # She changes her mind: unticked, the browser is told to forget it.
    response = client.post(
        reverse("accounts:sign-in"), {"username": owner.username, "password": password}
    )
    assert response.cookies[COOKIE].value == ""
    assert response.cookies[COOKIE]["max-age"] == 0


def test_password_fields_are_masked_with_a_show_button(owner_client):
    page = owner_client.get(reverse("accounts:password")).content.decode()
    for name in ("old_password", "new_password1", "new_password2"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'type="password"' in tag and 'autocomplete="off"' in tag
    assert page.count('data-module="govuk-password-input"') == 3
    assert page.count(">Show</button>") == 3


def test_the_pack_passphrase_is_masked_and_never_sent_back(owner_client, vault):
    make_incident(vault)
    response = owner_client.post(
        reverse("packs:pack", args=[vault.pk]),
        {
            "scope": "all",
            "statement": "none",
            "protection": "passphrase",
            "passphrase": "short one",
            "action": "preview",
        },
    )
    page = response.content.decode()
    tag = re.search(r'<input[^>]*name="passphrase"[^>]*>', page).group(0)
    assert 'type="password"' in tag
    assert "short one" not in page
    assert 'data-module="govuk-password-input"' in page
