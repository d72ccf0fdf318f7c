"""A copy of the database and the evidence folder, without the keys, signs nobody in
(issue 18; docs/security.md "What a copy reveals"; ADR 0035).

The attack the review made: take ``django_session`` from a copy and put a key in a cookie
(signed in as a fully checked officer), read ``otp_totp_totpdevice.key`` (every officer's
codes). Here an officer who set up two-factor on the pages, a victim and an API token are
copied, and nothing in the copy opens a session, makes a code or calls the API. The controls
show the same search finds each secret when it is stored the old way. The suite runs on
SQLite and on PostgreSQL, so both copies are checked.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore as PlainSessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from cairn.accounts.models import AuthenticatorApp
from cairn.accounts.session_store import SessionStore, session_key_hash
from cairn.api import tokens
from cairn.api.models import ApiToken
from cairn.store import keys
from cairn.vault import services
from tests.test_protection import database_copy, files_copy
from tests.test_two_factor import SET_UP, secret_on, totp_from_secret

pytestmark = pytest.mark.django_db(transaction=True)

# Django's session keys: 32 characters of lower-case letters and digits.
SESSION_KEY_RUN = re.compile(rb"[a-z0-9]{32,}")
TOKEN_RUN = re.compile(rb"cairn_[A-Za-z0-9_-]{20,}")


def session_key_candidates(copy: bytes) -> set[str]:
    """Every string in the copy that could be a session key: each 32-character window of
    each run of the key alphabet (neighbouring columns can run together in a file), and
    each whole run (a stored value used as it is)."""
    found: set[str] = set()
    for match in SESSION_KEY_RUN.finditer(copy):
        run = match.group().decode("ascii")
        found.add(run)
        found.update(run[i : i + 32] for i in range(len(run) - 31))
    return found


def encodings_of(secret: bytes) -> list[bytes]:
    """The ways a TOTP secret is commonly written down."""
    b32 = base64.b32encode(secret)
    return [
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        b32,
        b32.rstrip(b"="),
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret),
    ]


def signed_in_user_id(client: Client) -> str | None:
    response = client.get("/account/")
    return None if response.status_code == 302 else str(response.wsgi_request.user.pk)


@pytest.fixture
def signed_in(investigator, owner, vault, password):
    """An officer who set up two-factor on the pages and is fully checked, a victim signed
    in, an exhibit in her log, and an API token for the officer."""
    officer = Client()
    officer.post("/account/sign-in/", {"username": investigator.username, "password": password})
    secret = secret_on(officer.get(SET_UP).content.decode())
    officer.post(SET_UP, {"code": totp_from_secret(secret)})
    assert officer.get("/cases/").status_code == 200  # past the two-factor check
    victim = Client()
    victim.post("/account/sign-in/", {"username": owner.username, "password": password})
    assert signed_in_user_id(victim) == str(owner.pk)
    services.add_exhibit(
        actor=owner,
        vault=vault,
        stream=io.BytesIO(b"what he wrote to me"),
        original_name="note.txt",
    )
    _token, raw = tokens.create_token(actor=investigator, user=investigator, name="sync")
    return {
        "officer": officer,
        "victim": victim,
        "secret": base64.b32decode(secret),
        "token": raw,
        "cookies": [officer.cookies["sessionid"].value, victim.cookies["sessionid"].value],
    }


def copy_of_database_and_evidence(tmp_path, settings) -> bytes:
    return database_copy(tmp_path) + files_copy(Path(settings.CAIRN_EVIDENCE_DIR))


def the_keys(settings) -> bytes:
    """The keys folder (local KEK, signing key) and the secret key: with these a copy's sealed
    values open, but a session key or a token is still nowhere in it."""
    return (
        files_copy(Path(settings.CAIRN_KEYS_DIR))
        + (Path(settings.DATA_DIR) / "secret_key").read_bytes()
    )


def test_no_session_can_be_taken_from_a_copy(signed_in, tmp_path, settings):
    copy = copy_of_database_and_evidence(tmp_path, settings)
    stored = list(Session.objects.values_list("session_key", flat=True))
    assert len(stored) == 2
    for cookie in signed_in["cookies"]:
        assert cookie.encode() not in copy + the_keys(settings)
    candidates = session_key_candidates(copy)
    assert set(stored) <= candidates  # the search reads the session table
    # Every candidate, as the store would look it up: none is a stored session.
    assert not {session_key_hash(c) for c in candidates} & set(stored)
    # The stored values themselves, put in a cookie, sign nobody in.
    for value in stored:
        thief = Client()
        thief.cookies["sessionid"] = value
        assert signed_in_user_id(thief) is None
        assert thief.get("/cases/").status_code == 302
    # ...while the real cookies still do.
    assert signed_in_user_id(signed_in["victim"]) is not None


def test_no_authenticator_secret_is_in_a_copy(signed_in, investigator, tmp_path, settings):
    copy = copy_of_database_and_evidence(tmp_path, settings)
    secret = signed_in["secret"]
    assert AuthenticatorApp.objects.get(user=investigator).bin_key == secret
    stored = TOTPDevice.objects.get(user=investigator).key
    assert stored.startswith("sealed:") and stored.encode() in copy
    found = [form for form in encodings_of(secret) if form in copy]
    assert found == []


def test_no_api_token_is_in_a_copy(signed_in, tmp_path, settings):
    copy = copy_of_database_and_evidence(tmp_path, settings)
    raw = signed_in["token"]
    assert raw.encode() not in copy + the_keys(settings)
    assert hashlib.sha256(raw.encode()).hexdigest().encode() not in copy
    assert TOKEN_RUN.findall(copy) == []
    stored = ApiToken.objects.get().token_hash
    assert stored.encode() in copy
    for presented in (stored, f"cairn_{stored}"):
        answer = Client().get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {presented}")
        assert answer.status_code == 401
    assert Client().get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


# --- the controls: the same searches find each secret stored the old way --------------------


def test_the_search_finds_a_session_kept_the_old_way(owner, tmp_path, settings):
    plain = PlainSessionStore()
    plain["_auth_user_id"] = str(owner.pk)
    plain.create()
    copy = copy_of_database_and_evidence(tmp_path, settings)
    assert plain.session_key in session_key_candidates(copy)
    assert PlainSessionStore(plain.session_key).get("_auth_user_id") == str(owner.pk)
    # The hashed store does not take it: its row is not under the key's hash.
    assert SessionStore(plain.session_key).get("_auth_user_id") is None


def test_the_search_finds_a_secret_kept_the_old_way(investigator, tmp_path, settings):
    device = AuthenticatorApp.objects.create(user=investigator, name="app", confirmed=True)
    secret = device.bin_key
    TOTPDevice.objects.filter(pk=device.pk).update(key=secret.hex())  # django-otp's own way
    copy = copy_of_database_and_evidence(tmp_path, settings)
    assert secret.hex().encode() in [form for form in encodings_of(secret) if form in copy]


def test_the_search_finds_a_token_kept_in_the_clear(investigator, tmp_path, settings):
    raw = "cairn_" + "x" * 43
    ApiToken.objects.create(user=investigator, name="leak", token_hash=raw[:64])
    copy = copy_of_database_and_evidence(tmp_path, settings)
    assert [run for run in TOKEN_RUN.findall(copy) if raw.encode() in run]


# --- the update: what an instance made before it keeps --------------------------------------


def test_the_update_seals_secrets_keeps_tokens_and_ends_the_sessions_copies_hold(owner):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    before = [
        ("accounts", "0003_victims_own_accounts"),
        ("api", "0001_api_tokens"),
        ("store", "0001_vault_keys"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    others = [
        node
        for node in executor.loader.graph.leaf_nodes()
        if node[0] not in {"accounts", "api", "store"}
    ]
    old = executor.loader.project_state(before + others).apps
    secret = bytes(range(20))
    raw = "cairn_" + "t" * 43
    old.get_model("otp_totp", "TOTPDevice").objects.create(
        user_id=owner.pk, name="app", confirmed=True, key=secret.hex()
    )
    old.get_model("sessions", "Session").objects.create(
        session_key="k" * 32,
        session_data="",
        expire_date=timezone.now() + timezone.timedelta(hours=1),
    )
    old.get_model("accounts", "SessionRecord").objects.create(
        user_id=owner.pk,
        key_hash="h" * 64,
        signed_in_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    old.get_model("api", "ApiToken").objects.create(
        user_id=owner.pk, name="phone", token_sha256=hashlib.sha256(raw.encode()).hexdigest()
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    stored = TOTPDevice.objects.get(user=owner).key
    assert stored.startswith("sealed:") and secret.hex() not in stored
    assert AuthenticatorApp.objects.get(user=owner).bin_key == secret
    assert not Session.objects.exists()
    record = owner.session_records.get()
    assert record.ended_at is not None and record.get_end_reason_display() == (
        "Signed out when Cairn was updated"
    )
    assert tokens.authenticate(raw) == owner


# --- the credential key under the KEK -----------------------------------------------------------


def test_rotating_the_kek_keeps_sessions_codes_and_tokens(signed_in, investigator, owner):
    from cairn.store.models import CredentialKey

    before = bytes(CredentialKey.objects.get().wrapped)
    keys.rotate_local()
    keys.forget_cached_keys()
    row = CredentialKey.objects.get()
    assert bytes(row.wrapped) != before and row.kek_id == keys.kek_id(keys.current_kek())
    assert signed_in_user_id(signed_in["victim"]) == str(owner.pk)
    assert AuthenticatorApp.objects.get(user=investigator).bin_key == signed_in["secret"]
    assert tokens.authenticate(signed_in["token"]) == investigator


def test_a_wrong_kek_opens_no_credential_and_makes_none(signed_in, settings, vault):
    from cairn.store.models import CredentialKey

    settings.CAIRN_KEK = base64.b64encode(bytes(32)).decode()
    keys.forget_cached_keys()
    with pytest.raises(keys.KeyUnavailable, match="does not open the credential key"):
        session_key_hash("any key")
    # On an instance whose credential key is gone, a wrong KEK does not make a new one.
    CredentialKey.objects.all().delete()
    with pytest.raises(keys.KeyUnavailable, match="not the one this instance's vault keys use"):
        keys.credential_key()
    assert not CredentialKey.objects.exists()
