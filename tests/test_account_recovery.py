"""Getting back in (issue 21, point 4), through the pages: recovery codes (shown once,
renewable, one use each, also in place of a second factor), an advocate's or officer's
one-time reset link (recorded in her account), and e-mail only when she added and confirmed
an address and the instance has mail (Django's locmem backend)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from cairn.accounts import recovery
from cairn.accounts.models import RecoveryCode, RecoveryCodes, ResetLink, SessionRecord, User
from cairn.audit.models import AuditRecord
from tests.orgs import sign_in_verified

NEW = "another-long-passphrase-2"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def codes_on(html: str) -> list[str]:
    return re.findall(r"<code>([A-Z2-9]{5}-[A-Z2-9]{5})</code>", html)


def signs_in(username: str, password: str) -> bool:
    c = Client()
    response = c.post("/account/sign-in/", {"username": username, "password": password})
    return response.status_code == 302


# --- recovery codes ---------------------------------------------------------------------------


def test_a_recovery_code_sets_a_new_password_once(client, owner, password):
    codes = recovery.make_recovery_codes(actor=owner)
    elsewhere = Client()
    elsewhere.force_login(owner)
    page = client.get("/account/recover/code/")
    assert page.status_code == 200 and "Exit this page" in page.content.decode()
    response = client.post(
        "/account/recover/code/",
        {
            "username": "owner",
            "code": codes[3].lower().replace("-", " "),
            "new_password1": NEW,
            "new_password2": NEW,
        },
    )
    assert response.status_code == 302 and response.url == "/account/sign-in/"
    assert signs_in("owner", NEW) and not signs_in("owner", password)
    # Every session she had is ended.
    assert elsewhere.get("/").status_code == 302
    assert (
        not SessionRecord.objects.filter(user=owner, ended_at__isnull=True, end_reason="")
        .exclude(signed_in_at__gte=timezone.now() - timedelta(seconds=5))
        .exists()
    )
    # The code is used up.
    again = client.post(
        "/account/recover/code/",
        {
            "username": "owner",
            "code": codes[3],
            "new_password1": password,
            "new_password2": password,
        },
    )
    assert again.status_code == 400
    assert "The username or the recovery code is not right" in again.content.decode()
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1
    assert (
        AuditRecord.objects.filter(
            actor=owner, action="account.recovered", detail__by="recovery_code"
        ).count()
        == 1
    )


def test_a_wrong_code_or_username_says_the_same_and_changes_nothing(client, owner, password):
    codes = recovery.make_recovery_codes(actor=owner)
    for username, code in (("owner", "ABCDE-FGHJK"), ("nobody", codes[0])):
        response = client.post(
            "/account/recover/code/",
            {"username": username, "code": code, "new_password1": NEW, "new_password2": NEW},
        )
        assert response.status_code == 400
        assert "The username or the recovery code is not right" in response.content.decode()
    assert signs_in("owner", password)


def test_wrong_recovery_codes_are_limited_per_address(client, owner):
    recovery.make_recovery_codes(actor=owner)
    for n in range(10):
        client.post(
            "/account/recover/code/",
            {
                "username": "owner",
                "code": f"AAAAA-AAA{n:02d}",
                "new_password1": NEW,
                "new_password2": NEW,
            },
        )
    assert (
        client.post(
            "/account/recover/code/",
            {
                "username": "owner",
                "code": "AAAAA-AAAAA",
                "new_password1": NEW,
                "new_password2": NEW,
            },
        ).status_code
        == 429
    )


def test_new_codes_need_her_password_and_replace_the_old_ones(owner_client, owner, password):
    old = recovery.make_recovery_codes(actor=owner)
    session = owner_client.session
    session.pop("cairn_password_confirmed_at", None)
    session.save()
    response = owner_client.post("/account/recovery-codes/")
    assert response.status_code == 302
    assert response.url.startswith("/account/confirm-password/?next=")
    wrong = owner_client.post(
        "/account/confirm-password/", {"password": "not-it", "next": "/account/recovery-codes/"}
    )
    assert wrong.status_code == 400 and "The password is not right" in wrong.content.decode()
    right = owner_client.post(
        "/account/confirm-password/", {"password": password, "next": "/account/recovery-codes/"}
    )
    assert right.status_code == 302 and right.url == "/account/recovery-codes/"
    assert "10 unused codes" in owner_client.get("/account/recovery-codes/").content.decode()
    shown = owner_client.post("/account/recovery-codes/")
    new = codes_on(shown.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert recovery.codes_left(owner) == 10
    with pytest.raises(Exception, match="not right"):
        recovery.recover_with_code(username="owner", code=old[0], password=NEW)


# --- an advocate's or officer's link ------------------------------------------------------------


def make_link(member, vault) -> str:  # type: ignore[no-untyped-def]
    c = Client()
    sign_in_verified(c, member)
    form = c.get(f"/account/help/{vault.pk}/reset/")
    assert form.status_code == 200 and "seen this person in person" in form.content.decode()
    refused = c.post(f"/account/help/{vault.pk}/reset/", {})
    assert refused.status_code == 400 and not ResetLink.objects.exists()
    page = c.post(f"/account/help/{vault.pk}/reset/", {"seen": "on"})
    assert page.status_code == 200
    return re.search(r'id="reset-link" type="text" value="([^"]+)"', page.content.decode()).group(1)


def test_an_advocates_link_resets_her_password_once_and_is_in_her_account(
    client, owner, vault, advocate, password
):
    from cairn.cases import services as cases

    cases.link_by_code(
        actor=owner, vault=vault, code=cases.issue_share_code(actor=advocate), scope="all"
    )
    link = make_link(advocate, vault)
    path = link.split("testserver", 1)[1]
    assert path.startswith("/account/reset/")
    # Her account shows who made it.
    mine = Client()
    mine.force_login(owner)
    account = mine.get("/account/").content.decode()
    assert "Rose (ISVA) gave you a link to set a new password" in account
    page = client.get(path)
    assert page.status_code == 200 and "owner" in page.content.decode()
    done = client.post(path, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 200
    assert len(codes_on(done.content.decode())) == 10  # new codes, shown once
    assert signs_in("owner", NEW)
    assert mine.get("/").status_code == 302  # her other sessions ended
    used = client.get(path)
    assert used.status_code == 404 and "This link is not valid" in used.content.decode()
    record = AuditRecord.objects.get(action="account.reset_link_issued")
    assert (record.actor, record.object_id, record.vault_id) == (advocate, str(owner.pk), vault.pk)


def test_a_link_expires_after_24_hours(client, owner, vault, shared_case, investigator):
    link = make_link(investigator, vault)
    ResetLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    path = link.split("testserver", 1)[1]
    assert client.get(path).status_code == 404
    assert client.post(path, {"new_password1": NEW, "new_password2": NEW}).status_code == 404


def test_a_link_turns_off_her_second_factor(client, owner, vault, shared_case, investigator):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=owner, name="app", confirmed=True)
    link = make_link(investigator, vault)
    client.post(link.split("testserver", 1)[1], {"new_password1": NEW, "new_password2": NEW})
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert signs_in("owner", NEW)


def test_nobody_else_makes_a_link(owner, colleague, vault, other_vault, advocate, unit_peer):
    from cairn.cases import services as cases

    cases.link_by_code(
        actor=colleague, vault=other_vault, code=cases.issue_share_code(actor=advocate), scope="all"
    )
    for member in (advocate, unit_peer):
        c = Client()
        sign_in_verified(c, member)
        # The owner's log is not shared with them.
        assert c.post(f"/account/help/{vault.pk}/reset/", {"seen": "on"}).status_code == 404
    c = Client()
    c.force_login(colleague)
    assert c.get(f"/account/help/{vault.pk}/reset/").status_code == 404
    assert not ResetLink.objects.exists()


def test_made_up_links_are_limited_per_address(client, db):
    for n in range(10):
        assert client.get(f"/account/reset/made-up-{n}/").status_code == 404
    assert client.get("/account/reset/made-up-11/").status_code == 429


# --- a recovery code in place of a second factor -------------------------------------------------


def test_a_recovery_code_stands_in_for_a_lost_second_factor(client, owner, password):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=owner, name="app", confirmed=True)
    codes = recovery.make_recovery_codes(actor=owner)
    client.post("/account/sign-in/", {"username": "owner", "password": password})
    assert client.get("/").url.startswith("/account/two-factor/")
    wrong = client.post("/account/two-factor/recovery-code/", {"code": "AAAAA-BBBBB"})
    assert wrong.status_code == 400
    # A wrong code makes the set wait (django-otp's throttling): let that wait pass.
    RecoveryCodes.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(minutes=1))
    right = client.post("/account/two-factor/recovery-code/", {"code": codes[0]})
    assert right.status_code == 302
    assert client.get("/").status_code == 200
    assert recovery.codes_left(owner) == 9


# --- e-mail -----------------------------------------------------------------------------------


def test_without_mail_there_is_no_email_recovery(owner_client, owner, settings):
    settings.CAIRN_MAIL_CONFIGURED = False
    client = Client()
    assert client.get("/account/recover/email/").status_code == 404
    assert owner_client.get("/account/email/").status_code == 404
    assert "By e-mail" not in client.get("/account/recover/").content.decode()


def test_email_recovery_after_she_adds_and_confirms_an_address(
    owner_client, owner, settings, password
):
    settings.CAIRN_MAIL_CONFIGURED = True
    client = Client()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Before she adds an address, asking sends nothing (and says the same).
    asked = client.post("/account/recover/email/", {"username": "owner"})
    assert asked.status_code == 200 and not mail.outbox
    owner_client.post("/account/email/", {"address": "her-own@example.org"})
    assert len(mail.outbox) == 1
    confirm = re.search(r"http://testserver(/account/email/confirm/\S+/)", mail.outbox[0].body)
    # Unconfirmed, it is not used.
    client.post("/account/recover/email/", {"username": "owner"})
    assert len(mail.outbox) == 1
    assert owner_client.get(confirm.group(1)).status_code == 302
    client.post("/account/recover/email/", {"username": "owner"})
    assert len(mail.outbox) == 2
    message = mail.outbox[1]
    assert message.to == ["her-own@example.org"]
    assert message.subject == "Your sign-in link"  # nothing that names what she does
    path = re.search(r"http://testserver(/account/recover/email/\S+/)", message.body).group(1)
    assert client.post(path, {"new_password1": NEW, "new_password2": NEW}).status_code == 302
    assert signs_in("owner", NEW)
    assert client.get(path).status_code == 404  # the password changed: the link is spent
    assert User.objects.get(pk=owner.pk).check_password(NEW)


def test_wrong_codes_slow_her_code_set_down_from_any_address(owner):
    from django.core.exceptions import ValidationError

    codes = recovery.make_recovery_codes(actor=owner)
    with pytest.raises(ValidationError):
        recovery.recover_with_code(username="owner", code="AAAAA-AAAAA", password=NEW)
    # Straight after a wrong code even the right one waits (django-otp's throttling).
    with pytest.raises(ValidationError):
        recovery.recover_with_code(username="owner", code=codes[0], password=NEW)
    RecoveryCodes.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(minutes=1))
    # A refused new password does not use the code up.
    with pytest.raises(ValidationError, match="too short"):
        recovery.recover_with_code(username="owner", code=codes[0], password="short")
    assert recovery.codes_left(owner) == 10
    recovery.recover_with_code(username="owner", code=codes[0], password=NEW)
    assert recovery.codes_left(owner) == 9


def test_requests_for_an_email_link_are_limited_per_address(db, settings):
    settings.CAIRN_MAIL_CONFIGURED = True
    client = Client()
    for _ in range(10):
        assert client.post("/account/recover/email/", {"username": "x"}).status_code == 200
    assert client.post("/account/recover/email/", {"username": "x"}).status_code == 429
    assert not mail.outbox
