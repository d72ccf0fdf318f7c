"""Joining (issue 21, point 1), through the real pages: ``CAIRN_SIGN_UP`` open, invite and
closed; her first log and recovery codes in the same step; advocates' and officers' one-time
codes; sign-ups limited per address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cairn.accounts.hashing import recovery_code_hash
from cairn.accounts.models import RecoveryCode, SignUpInvitation, User
from cairn.audit.models import AuditRecord
from cairn.env import ConfigurationError, env_choice
from cairn.integrity.verify import verify_vault
from cairn.vault.models import Vault
from tests.orgs import sign_in_verified

SIGN_UP = "/account/sign-up/"
PASSWORD = "a-long-and-unusual-passphrase"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def form(**overrides: str) -> dict[str, str]:
    return {
        "username": "river",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "initials": "rk",
        **overrides,
    }


def codes_on(html: str) -> list[str]:
    return re.findall(r"<code>([A-Z2-9]{5}-[A-Z2-9]{5})</code>", html)


# --- the setting ------------------------------------------------------------------------------


def test_the_setting_is_closed_locally_and_invite_in_production(monkeypatch):
    monkeypatch.delenv("CAIRN_SIGN_UP", raising=False)
    assert env_choice("CAIRN_SIGN_UP", ("open", "invite", "closed"), "closed") == "closed"
    monkeypatch.setenv("CAIRN_SIGN_UP", "Invite")
    assert env_choice("CAIRN_SIGN_UP", ("open", "invite", "closed"), "closed") == "invite"
    monkeypatch.setenv("CAIRN_SIGN_UP", "sometimes")
    with pytest.raises(ConfigurationError, match="CAIRN_SIGN_UP must be one of open, invite"):
        env_choice("CAIRN_SIGN_UP", ("open", "invite", "closed"), "closed")


def test_settings_choose_invite_on_a_production_instance(tmp_path):
    import subprocess
    import sys

    def mode(**env: str) -> str:
        import os

        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from django.conf import settings; import django; "
                "django.setup(); print(settings.CAIRN_SIGN_UP)",
            ],
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "cairn.settings",
                "CAIRN_DATA_DIR": str(tmp_path),
                **env,
            },
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() or result.stderr.strip().splitlines()[-1]

    assert mode(CAIRN_SIGN_UP="", CAIRN_PRODUCTION="false") == "closed"
    assert mode(CAIRN_SIGN_UP="", CAIRN_PRODUCTION="true") == "invite"
    assert mode(CAIRN_SIGN_UP="open", CAIRN_PRODUCTION="true") == "open"
    assert "CAIRN_SIGN_UP must be one of" in mode(CAIRN_SIGN_UP="maybe")


# --- closed -----------------------------------------------------------------------------------


def test_with_sign_up_closed_the_page_does_not_exist(client, db, settings):
    settings.CAIRN_SIGN_UP = "closed"
    assert client.get(SIGN_UP).status_code == 404
    assert client.post(SIGN_UP, form()).status_code == 404
    assert not User.objects.exists()
    assert "Create an account" not in client.get("/account/sign-in/").content.decode()


# --- open -------------------------------------------------------------------------------------


def test_open_sign_up_makes_the_account_her_log_and_recovery_codes(client, db, settings):
    settings.CAIRN_SIGN_UP = "open"
    page = client.get(SIGN_UP)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<title>Cairn</title>" in html
    # Safety advice comes before the form.
    assert html.index("Before you start") < html.index('name="username"')
    assert "never e-mails or texts you" in html and "Exit this page" in html
    for name in ("username", "password1", "password2", "initials"):
        assert f'name="{name}"' in html
    assert 'name="code"' not in html and 'name="email"' not in html
    assert "Create an account" in client.get("/account/sign-in/").content.decode()

    response = client.post(SIGN_UP, form())
    assert response.status_code == 200
    html = response.content.decode()
    codes = codes_on(html)
    assert len(codes) == 10 and len(set(codes)) == 10
    user = User.objects.get(username="river")
    vault = Vault.objects.get(owner=user)
    assert (vault.initials, vault.name) == ("RK", "My log")
    assert f'href="/vaults/{vault.pk}/"' in html
    # Only keyed hashes of the codes are kept.
    stored = set(RecoveryCode.objects.filter(codes__user=user).values_list("code_hash", flat=True))
    assert stored == {recovery_code_hash(code) for code in codes}
    assert not any(code.replace("-", "") in h for code in codes for h in stored)
    # She is signed in, and her log opens.
    assert client.get(f"/vaults/{vault.pk}/").status_code == 200
    actions = set(AuditRecord.objects.filter(actor=user).values_list("action", flat=True))
    assert {"account.created", "vault.created", "recovery_codes.made"} <= actions
    assert verify_vault(vault).ok


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password2": "something-else-entirely"}, "password2", "The passwords do not match"),
        ({"password1": "short", "password2": "short"}, "password2", "too short"),
        ({"initials": "R2"}, "initials", "Initials must be 1 to 4 letters"),
        ({"username": ""}, "username", "Enter a username"),
    ],
)
def test_a_mistake_is_shown_at_its_field_and_nothing_is_made(
    client, db, settings, fields, field, message
):
    settings.CAIRN_SIGN_UP = "open"
    response = client.post(SIGN_UP, form(**fields))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and f'href="#id_{field}"' in html
    assert PASSWORD not in html  # a typed password is never sent back
    assert not User.objects.exists() and not Vault.objects.exists()


def test_a_taken_username_is_refused_whatever_its_case(client, owner, settings):
    settings.CAIRN_SIGN_UP = "open"
    response = client.post(SIGN_UP, form(username="OWNER"))
    assert response.status_code == 400
    assert "This username is taken" in response.content.decode()
    assert User.objects.count() == 1


def test_sign_ups_from_one_address_are_limited(client, db, settings):
    settings.CAIRN_SIGN_UP = "open"
    settings.CAIRN_SIGN_UP_PER_HOUR = 3
    for n in range(3):
        assert client.post(SIGN_UP, form(username=f"person{n}")).status_code == 200
        client.post("/account/sign-out/")
    refused = client.post(SIGN_UP, form(username="person3"))
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert User.objects.count() == 3
    # Another address is not held back.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post(SIGN_UP, form(username="person4")).status_code == 200
    # An hour later the first address may sign up again.
    from cairn.accounts.models import AddressThrottle

    AddressThrottle.objects.update(at=timezone.now() - timedelta(hours=1, minutes=1))
    assert client.post(SIGN_UP, form(username="person5")).status_code == 200


# --- invite -----------------------------------------------------------------------------------


def issue_code(client: Client, member) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    sign_in_verified(client, member)
    page = client.post("/account/help/invite/")
    assert page.status_code == 200
    html = page.content.decode()
    code = re.search(r'id="sign-up-code" type="text" value="([A-Z2-9-]+)"', html).group(1)
    link = re.search(r'id="sign-up-link" type="text" value="([^"]+)"', html).group(1)
    return code, link


def test_an_advocates_code_works_once(client, advocate, settings):
    settings.CAIRN_SIGN_UP = "invite"
    code, link = issue_code(Client(), advocate)
    assert link.endswith(f"/account/sign-up/?code={code}")
    assert SignUpInvitation.objects.get().created_by == advocate
    assert AuditRecord.objects.filter(actor=advocate, action="sign_up_invitation.issued").exists()
    page = client.get(f"{SIGN_UP}?code={code}")
    assert f'value="{code}"' in page.content.decode()  # the link fills the code in
    missing = client.post(SIGN_UP, form())
    assert (
        missing.status_code == 400 and "Enter the code you were given" in missing.content.decode()
    )
    assert client.post(SIGN_UP, form(code=code.lower())).status_code == 200
    user = User.objects.get(username="river")
    invitation = SignUpInvitation.objects.get()
    assert invitation.used_by == user and invitation.used_at is not None
    client.post("/account/sign-out/")
    again = client.post(SIGN_UP, form(username="another", code=code))
    assert again.status_code == 400
    assert "This code is not valid" in again.content.decode()
    assert not User.objects.filter(username="another").exists()


def test_an_officers_code_expires_after_seven_days(client, investigator, settings):
    settings.CAIRN_SIGN_UP = "invite"
    code, _ = issue_code(Client(), investigator)
    SignUpInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(SIGN_UP, form(code=code))
    assert response.status_code == 400
    assert "This code is not valid" in response.content.decode()
    assert not User.objects.filter(username="river").exists()


def test_a_made_up_code_is_refused_and_wrong_codes_are_limited(client, db, settings):
    settings.CAIRN_SIGN_UP = "invite"
    settings.CAIRN_SIGN_UP_PER_HOUR = 100  # the limit on wrong codes comes first
    for n in range(10):
        response = client.post(SIGN_UP, form(code=f"AAAA-BBBB-CC{n:02d}"))
        assert response.status_code == 400, n
    assert client.post(SIGN_UP, form(code="AAAA-BBBB-CCCC")).status_code == 429
    assert not User.objects.exists()


def test_only_advocates_and_officers_make_codes(client, owner, analyst, administrator):
    for user in (owner, analyst, administrator):
        c = Client()
        if user is owner:
            c.force_login(owner)
        else:
            sign_in_verified(c, user)
        assert c.post("/account/help/invite/").status_code == 404
        assert c.get("/account/help/").status_code == 404
    assert not SignUpInvitation.objects.exists()


# --- more logs ------------------------------------------------------------------------------------


def test_she_starts_another_log_from_her_home_page(owner_client, owner, vault):
    home = owner_client.get("/").content.decode()
    assert 'href="/account/logs/new/"' in home and 'href="/account/"' in home
    response = owner_client.post("/account/logs/new/", {"name": "Sam's log", "initials": "sm"})
    second = Vault.objects.exclude(pk=vault.pk).get(owner=owner)
    assert response.status_code == 302 and response.url == f"/vaults/{second.pk}/"
    assert second.initials == "SM"
    bad = owner_client.post("/account/logs/new/", {"name": "", "initials": "12"})
    assert bad.status_code == 400 and "Enter a name for the log" in bad.content.decode()
