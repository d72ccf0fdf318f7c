"""Leaving (issue 21, point 5): "destroy my log" after her password and a check-your-answers
page; closing ends every share and session; and afterwards nothing of hers is readable, even
to someone holding the database, the evidence files *and* the instance's keys (the no-plaintext
test of tests/test_protection.py, extended to a closed account)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from cairn.accounts import recovery
from cairn.accounts.models import KnownDevice, Passkey, RecoveryCodes, SessionRecord, User
from cairn.audit.models import AuditRecord
from cairn.cases import services as cases
from cairn.cases.access import vaults_shared_with
from cairn.cases.models import Share
from cairn.demo import DEMO_PASSWORD, DEMO_USERNAME, load_demo
from cairn.integrity.verify import verify_vault
from cairn.store import crypto, keys
from cairn.store.blobs import default_store
from cairn.vault.models import Exhibit, Incident, Person
from tests.test_protection import database_copy, files_copy, secrets_of_the_demo


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def close_through_the_pages(client: Client, password: str) -> None:
    page = client.get("/account/close/").content.decode()
    assert "What cannot be undone" in page and "What others keep" in page
    assert "/pack/" in page  # the pack to download first
    assert client.get("/account/close/check/").url == "/account/close/"  # password first
    assert client.post("/account/close/", {"password": password}).url == "/account/close/check/"
    check = client.get("/account/close/check/")
    assert check.status_code == 200 and "This cannot be undone" in check.content.decode()
    done = client.post("/account/close/check/")
    assert done.status_code == 302 and done.url == "/account/closed/"


def test_closing_destroys_her_logs_and_ends_every_share_and_session(
    client, owner, vault, incidents, shared_case, investigator, advocate, password
):
    cases.link_by_code(
        actor=owner, vault=vault, code=cases.issue_share_code(actor=advocate), scope="all"
    )
    recovery.make_recovery_codes(actor=owner)
    elsewhere = Client()
    elsewhere.force_login(owner)
    Passkey.objects.create(user=owner, name="phone", credential_id="AAAA", public_key=b"k")
    client.force_login(owner)
    session = client.session
    session["otp_device_id"] = f"accounts.passkey/{Passkey.objects.get().pk}"
    session.save()
    wrong = client.post("/account/close/", {"password": "not-it"})
    assert wrong.status_code == 400 and "The password is not right" in wrong.content.decode()
    close_through_the_pages(client, password)

    assert not Share.objects.filter(vault=vault, withdrawn_at__isnull=True).exists()
    assert not vaults_shared_with(investigator).exists()
    assert not vaults_shared_with(advocate).exists()
    assert elsewhere.get("/").status_code == 302 and client.get("/").status_code == 302
    assert not SessionRecord.objects.filter(user=owner, ended_at__isnull=True).exists()
    closed = User.objects.get(pk=owner.pk)
    assert not closed.is_active and not closed.has_usable_password()
    assert closed.username.startswith("closed-") and closed.display_name == ""
    assert not Passkey.objects.filter(user=owner).exists()
    assert not RecoveryCodes.objects.filter(user=owner).exists()
    assert not KnownDevice.objects.filter(user=owner).exists()
    with pytest.raises(keys.KeyUnavailable):
        keys.data_key(vault.pk)
    report = verify_vault(vault)
    assert not report.content_readable
    actions = list(AuditRecord.objects.filter(actor=owner).values_list("action", flat=True))
    assert actions.count("share.withdrawn") == 2
    assert "vault.destroyed" in actions and "account.closed" in actions
    # She cannot sign in again.
    assert (
        Client().post("/account/sign-in/", {"username": "owner", "password": password}).status_code
        == 200
    )


def test_a_member_closes_no_account_here(client, investigator):
    from tests.orgs import sign_in_verified

    sign_in_verified(client, investigator)
    assert client.get("/account/close/").status_code == 404
    assert client.post("/account/close/check/").status_code == 404
    assert User.objects.get(pk=investigator.pk).is_active


def test_the_check_page_needs_the_password_given_lately(owner_client, owner, vault, password):
    owner_client.post("/account/close/", {"password": password})
    session = owner_client.session
    session["cairn_password_confirmed_at"] = 0
    session.save()
    assert owner_client.post("/account/close/check/").url == "/account/close/"
    assert User.objects.get(pk=owner.pk).is_active


@pytest.mark.django_db(transaction=True)
def test_after_closing_nothing_of_hers_is_readable_even_with_the_keys(tmp_path):
    vault = load_demo()
    secrets = secrets_of_the_demo(vault)
    owner = vault.owner
    secrets += [owner.display_name.encode(), DEMO_USERNAME.encode()]
    store = default_store()
    sealed = {("incident", i.pk): bytes(i.sealed) for i in Incident.objects.filter(vault=vault)}
    sealed.update({("person", p.pk): bytes(p.sealed) for p in Person.objects.filter(vault=vault)})
    files = [store.path_for(str(vault.pk), e.sha256) for e in Exhibit.objects.filter(vault=vault)]
    assert len(secrets) > 200 and files

    client = Client()
    assert (
        client.post(
            "/account/sign-in/", {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
        ).status_code
        == 302
    )
    close_through_the_pages(client, DEMO_PASSWORD)
    keys.forget_cached_keys()

    # The copy: the database, the evidence files and the keys folder (KEK and signing key).
    keys_dir = Path(django_settings.CAIRN_KEYS_DIR)
    copy = (
        database_copy(tmp_path)
        + files_copy(Path(django_settings.CAIRN_EVIDENCE_DIR))
        + (files_copy(keys_dir) if keys_dir.exists() else b"")
    )
    leaked = [s for s in secrets if len(s) >= 5 and s in copy]
    assert leaked == [], f"{len(leaked)} pieces are readable, e.g. {leaked[:3]}"
    # Nothing the instance holds opens what is left: every sealed field and every file.
    kek = keys.current_kek()
    for (table, pk), ciphertext in sealed.items():
        with pytest.raises(crypto.CryptoError):
            crypto.decrypt_field(kek, ciphertext, context=f"cairn:vault_{table}:{pk}".encode())
    for path in files:
        assert path.exists()
    for exhibit in Exhibit.objects.filter(vault=vault):
        with pytest.raises(keys.KeyUnavailable):
            store.read(str(vault.pk), exhibit.sha256)
    with pytest.raises(keys.KeyUnavailable):
        Incident.objects.filter(vault=vault).first().description  # noqa: B018
