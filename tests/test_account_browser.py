"""Her own account in a real browser (Debian's Chromium through Playwright), issue 21: she
signs up on a phone, lands in her new log, logs an incident, turns on a passkey (Chromium's
virtual authenticator, through the DevTools protocol), sees a second browser's session and
ends it; a new-device notice at her next sign-in; joining with an advocate's link; getting
back in with a recovery code and with an officer's link; changing her password; leaving.
axe-core finds no WCAG 2.2 A/AA violations on any of these pages, at 375 px and 1280 px."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from cairn.accounts import recovery
from cairn.accounts.models import Passkey, SessionRecord, User
from cairn.vault.models import Incident, Vault
from tests.orgs import sign_in_verified
from tests.test_analysis_browser import assert_accessible
from tests.test_web_browser import (  # noqa: F401
    DESKTOP,
    EXIT_URL,
    PHONE,
    _browser_settings,
    page,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

PASSWORD = "a-long-and-unusual-passphrase"
NEW_PASSWORD = "another-long-passphrase-2"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def authenticator(tab) -> tuple[Any, str]:  # type: ignore[no-untyped-def]
    """A virtual platform authenticator (a phone's screen lock that always says yes)."""
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("WebAuthn.enable")
    found = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, found["authenticatorId"]


def fits(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= tab.viewport_size["width"], f"{name} scrolls sideways"


def check(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    assert_accessible(tab, name)
    fits(tab, name)
    expect(tab.get_by_role("button", name="Exit this page")).to_be_visible()


def sign_in(tab, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    tab.goto("/account/sign-in/")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(password)
    tab.get_by_role("button", name="Sign in").click()


def new_page(browser, live_server, viewport):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    tab = context.new_page()
    tab.route(
        re.compile(r"^(?!" + re.escape(live_server.url) + r").*"), lambda route: route.abort()
    )
    return context, tab


def with_session_of(browser, live_server, user, viewport=DESKTOP):  # type: ignore[no-untyped-def]
    """A browser signed in as ``user`` (an officer or advocate after the two-factor check)."""
    client = Client()
    sign_in_verified(client, user)
    context, tab = new_page(browser, live_server, viewport)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context, tab


# --- the whole journey on a phone ----------------------------------------------------------------


def test_she_signs_up_on_a_phone_adds_a_passkey_and_ends_another_session(
    page,  # noqa: F811
    browser,
    live_server,
    settings,
):
    settings.CAIRN_SIGN_UP = "open"
    page.set_viewport_size(PHONE)
    page.goto("/account/sign-in/")
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    check(page, "sign up")
    page.get_by_label("Username").fill("river")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Enter the password again").fill(PASSWORD)
    page.get_by_label("Your initials").fill("RK")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your account is ready")).to_be_visible()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    check(page, "recovery codes")
    page.get_by_role("button", name="I have kept my codes: continue").click()
    vault = Vault.objects.get(owner__username="river")
    page.wait_for_url(f"{live_server.url}/vaults/{vault.pk}/")
    expect(page.get_by_role("heading", name="My log")).to_be_visible()

    # She logs an incident in her new log.
    page.get_by_role("button", name="Log an incident").click()
    page.get_by_label("Text message").check()
    page.get_by_label("Contacted me or tried to").check()
    page.get_by_label("What happened?").fill("Messages all evening")
    page.get_by_role("group", name=re.compile("fear they would use violence")).get_by_label(
        "No"
    ).check()
    page.get_by_role("button", name="Save to my log").click()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]+/$"))
    assert Incident.objects.filter(vault=vault).count() == 1

    # She turns on a passkey (the phone's screen lock: a virtual authenticator).
    cdp, authenticator_id = authenticator(page)
    page.goto(f"/vaults/{vault.pk}/")
    page.get_by_role("link", name="Your account").last.click()
    check(page, "account")
    page.get_by_role("link", name="Add passkeys").click()
    check(page, "passkeys")
    page.get_by_label("Name for this passkey").fill("My phone")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Your passkey has been added")).to_be_visible()
    expect(page.locator("#passkey-list")).to_contain_text("My phone")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})[
        "credentials"
    ]
    assert len(credentials) == 1

    # A second browser signs in: the password is not enough, the passkey is asked for.
    other_context, other = new_page(browser, live_server, DESKTOP)
    other_cdp, other_id = authenticator(other)
    other_cdp.send(
        "WebAuthn.addCredential", {"authenticatorId": other_id, "credential": credentials[0]}
    )
    sign_in(other, "river", PASSWORD)
    other.wait_for_url(re.compile(r"/account/two-factor/"))
    check(other, "two-factor with a passkey")
    other.get_by_role("button", name="Use my passkey").click()
    other.wait_for_url(f"{live_server.url}/")
    expect(other.get_by_role("heading", name="My log")).to_be_visible()

    # She sees it on her phone, and ends it from there.
    page.goto("/account/sessions/")
    check(page, "sessions")
    rows = page.locator("#active-sessions .cairn-session")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="This browser")).to_have_count(1)
    rows.filter(has_not_text="This browser").get_by_role(
        "button", name=re.compile("^Sign out")
    ).click()
    expect(page.get_by_text("That browser has been signed out.")).to_be_visible()
    expect(page.locator("#active-sessions .cairn-session")).to_have_count(1)
    other.reload()
    other.wait_for_url(re.compile(r"/account/sign-in/"))
    ended = SessionRecord.objects.filter(user__username="river", end_reason="ended")
    assert ended.count() == 1

    # At her next sign-in on the phone she is told about the sign-in from the new device.
    # (Her session ends when the browser closes: its cookie goes, the device's stays.)
    page.context.clear_cookies(name="sessionid")
    # The passkey, synced back with the other authenticator's use counter (the server refuses
    # a counter that goes backwards, as a cloned key's would).
    synced = other_cdp.send("WebAuthn.getCredentials", {"authenticatorId": other_id})[
        "credentials"
    ][0]
    cdp.send(
        "WebAuthn.removeCredential",
        {"authenticatorId": authenticator_id, "credentialId": synced["credentialId"]},
    )
    cdp.send("WebAuthn.addCredential", {"authenticatorId": authenticator_id, "credential": synced})
    sign_in(page, "river", PASSWORD)
    page.wait_for_url(re.compile(r"/account/two-factor/"))
    page.get_by_role("button", name="Use my passkey").click()
    page.wait_for_url(re.compile(r"/account/sign-in/new-devices/"))
    expect(page.locator("#new-device-sign-ins li")).to_have_count(1)
    check(page, "new-device notice")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")
    other_context.close()
    assert not page.csp_errors


# --- joining with an advocate's code ------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_advocates_link_lets_her_join_once(
    page,  # noqa: F811
    browser,
    live_server,
    settings,
    advocate,
    viewport,
):
    settings.CAIRN_SIGN_UP = "invite"
    helper_context, helper = with_session_of(browser, live_server, advocate, viewport)
    helper.goto("/account/help/")
    check(helper, "help someone")
    helper.get_by_role("button", name="Make a code to join").click()
    check(helper, "the code to join")
    link = helper.get_by_label(re.compile("Or the link")).input_value()
    helper_context.close()

    page.set_viewport_size(viewport)
    page.goto(link)
    check(page, "sign up with a code")
    page.get_by_label("Username").fill("river")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Enter the password again").fill(PASSWORD)
    page.get_by_label("Your initials").fill("RK")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your account is ready")).to_be_visible()
    assert User.objects.filter(username="river").exists()

    # The same link again, in another browser, is refused.
    context, again = new_page(browser, live_server, viewport)
    again.goto(link)
    again.get_by_label("Username").fill("someone")
    again.get_by_label("Password", exact=True).fill(PASSWORD)
    again.get_by_label("Enter the password again").fill(PASSWORD)
    again.get_by_label("Your initials").fill("SO")
    again.get_by_role("button", name="Create account").click()
    expect(again.locator(".govuk-error-summary")).to_contain_text("This code is not valid")
    check(again, "sign up with a used code")
    context.close()
    assert not User.objects.filter(username="someone").exists()


def test_with_sign_up_closed_there_is_no_way_to_join(page, db, settings):  # noqa: F811
    settings.CAIRN_SIGN_UP = "closed"
    page.goto("/account/sign-in/")
    expect(page.get_by_role("link", name="Create an account")).to_have_count(0)
    response = page.goto("/account/sign-up/")
    assert response.status == 404


# --- getting back in ---------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_she_gets_back_in_with_a_recovery_code(page, owner, vault, viewport):  # noqa: F811
    codes = recovery.make_recovery_codes(actor=owner)
    page.set_viewport_size(viewport)
    page.goto("/account/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    check(page, "recover")
    page.get_by_role("link", name="Use a recovery code to set a new password").click()
    check(page, "recover with a code")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("One of your recovery codes").fill(codes[0])
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Enter the new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("Your password has been changed")).to_be_visible()
    sign_in(page, "owner", NEW_PASSWORD)
    page.wait_for_url(re.compile(r"/$"))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_officer_who_saw_her_gives_her_a_link(
    page,  # noqa: F811
    browser,
    live_server,
    owner,
    vault,
    shared_case,
    investigator,
    viewport,
):
    helper_context, helper = with_session_of(browser, live_server, investigator, viewport)
    helper.goto("/account/help/")
    helper.get_by_role("link", name=re.compile("Alex")).click()
    check(helper, "reset link form")
    helper.get_by_role("button", name="Make the link").click()
    expect(helper.locator(".govuk-error-summary")).to_contain_text("seen them in person")
    helper.get_by_label(re.compile("I have seen this person")).check()
    helper.get_by_role("button", name="Make the link").click()
    check(helper, "reset link")
    link = helper.get_by_label("Link").input_value()
    helper_context.close()

    page.set_viewport_size(viewport)
    page.goto(link)
    check(page, "set a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Enter the new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("heading", name="Your new password is set")).to_be_visible()
    page.get_by_role("button", name="I have kept my codes: continue").click()
    sign_in(page, "owner", NEW_PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/account/")
    expect(page.get_by_text("DC Reed gave you a link to set a new password")).to_be_visible()
    page.goto(link)
    expect(page.get_by_role("heading", name="This link is not valid")).to_be_visible()


# --- protecting and leaving -------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_she_changes_her_password_and_makes_new_codes(
    page,  # noqa: F811
    owner,
    vault,
    password,
    viewport,
):
    recovery.make_recovery_codes(actor=owner)
    page.set_viewport_size(viewport)
    sign_in(page, "owner", password)
    page.goto("/account/password/")
    check(page, "change password")
    page.get_by_label("Your current password").fill(password)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Enter the new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password has been changed")).to_be_visible()
    page.get_by_role("link", name="Make new codes").click()
    check(page, "recovery codes")
    page.get_by_role("button", name="Make new codes").click()
    expect(page.locator("#recovery-codes code")).to_have_count(10)
    page.goto("/account/logs/new/")
    check(page, "another log")
    page.get_by_label("Name of the log").fill("My son's log")
    page.get_by_label("Initials for its evidence numbers").fill("JS")
    page.get_by_role("button", name="Start the log").click()
    expect(page.get_by_role("heading", name="My son's log")).to_be_visible()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_she_destroys_her_log_and_closes_her_account(
    page,  # noqa: F811
    owner,
    vault,
    password,
    viewport,
):
    from tests.factories import make_incident

    make_incident(vault, description="Never to be read again")
    page.set_viewport_size(viewport)
    sign_in(page, "owner", password)
    page.goto("/account/")
    page.get_by_role("link", name="Destroy my log and close my account").click()
    check(page, "close")
    expect(page.get_by_role("link", name="Download the evidence pack of My log")).to_have_attribute(
        "href", f"/pack/{vault.pk}/"
    )
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The password is not right")
    check(page, "close with an error")
    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Continue").click()
    check(page, "check before destroying")
    page.get_by_role("button", name="Destroy my log and close my account").click()
    expect(page.get_by_role("heading", name="Your account is closed")).to_be_visible()
    check(page, "closed")
    sign_in(page, "owner", password)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert not User.objects.get(pk=owner.pk).is_active


# --- a second factor she turns on and off, and every page at both widths ----------------------


def victim_tab(browser, live_server, user, viewport, verified_with=None):  # type: ignore[no-untyped-def]
    """A browser signed in as the victim ``user`` (checked with ``verified_with``, a device)."""
    client = Client()
    client.force_login(user)
    if verified_with is not None:
        session = client.session
        session["otp_device_id"] = verified_with.persistent_id
        session.save()
    context, tab = new_page(browser, live_server, viewport)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context, tab


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_she_turns_an_authenticator_app_on_and_off(browser, live_server, owner, vault, viewport):
    import base64
    import time

    from django_otp.oath import TOTP

    context, tab = victim_tab(browser, live_server, owner, viewport)
    tab.goto("/account/")
    tab.get_by_role("link", name="Turn on an authenticator app").click()
    check(tab, "set up an authenticator app")
    secret = tab.locator("#two-factor-key").inner_text().replace(" ", "")
    totp = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    totp.time = time.time()
    tab.get_by_label("Code from your authenticator app").fill(f"{totp.token():06d}")
    tab.get_by_role("button", name="Confirm").click()
    tab.wait_for_url(f"{live_server.url}/account/")
    expect(tab.get_by_text("On: a code is asked for when you sign in")).to_be_visible()
    tab.get_by_role("button", name="Turn off the authenticator app").click()
    expect(tab.get_by_text("Your authenticator app is no longer asked for.")).to_be_visible()
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_account_page_is_accessible(
    browser, live_server, settings, owner, vault, password, viewport
):
    settings.CAIRN_SIGN_UP = "invite"
    settings.CAIRN_MAIL_CONFIGURED = True
    recovery.make_recovery_codes(actor=owner)
    passkey = Passkey.objects.create(
        user=owner, name="My phone", credential_id="AAAA", public_key=b"key"
    )
    context, tab = victim_tab(browser, live_server, owner, viewport, verified_with=passkey)
    for url in (
        "/account/",
        "/account/password/",
        "/account/confirm-password/",
        "/account/sessions/",
        "/account/passkeys/",
        "/account/recovery-codes/",
        "/account/email/",
        "/account/logs/new/",
        "/account/close/",
    ):
        tab.goto(url)
        check(tab, url)
    tab.goto("/account/password/")
    tab.get_by_role("button", name="Change password").click()
    check(tab, "change password with errors")
    # She removes the passkey.
    tab.goto("/account/passkeys/")
    tab.get_by_role("button", name="Remove My phone").click()
    expect(tab.get_by_text("The passkey has been removed.")).to_be_visible()
    assert not Passkey.objects.filter(user=owner).exists()
    context.close()

    # The second step of signing in, for a victim with a passkey who has not shown it.
    passkey = Passkey.objects.create(
        user=owner, name="My phone", credential_id="AAAA", public_key=b"key"
    )
    context, tab = victim_tab(browser, live_server, owner, viewport)
    tab.goto("/")
    tab.wait_for_url(re.compile(r"/account/two-factor/"))
    check(tab, "two-factor")
    tab.get_by_role("link", name="Use a recovery code").click()
    check(tab, "two-factor with a recovery code")
    tab.get_by_label("One of your recovery codes").fill("AAAAA-BBBBB")
    tab.get_by_role("button", name="Continue").click()
    check(tab, "two-factor with a wrong recovery code")
    context.close()

    # Signed out.
    context, tab = new_page(browser, live_server, viewport)
    for url in (
        "/account/sign-up/",
        "/account/recover/",
        "/account/recover/code/",
        "/account/recover/email/",
        "/account/closed/",
    ):
        tab.goto(url)
        check(tab, url)
    tab.goto("/account/sign-up/")
    tab.get_by_role("button", name="Create account").click()
    check(tab, "sign up with errors")
    tab.goto("/account/recover/email/")
    tab.get_by_label("Username").fill("owner")
    tab.get_by_role("button", name="Send the link").click()
    check(tab, "e-mail sent")
    for n in range(10):
        tab.goto(f"/account/reset/made-up-{n}/")
    tab.goto("/account/reset/made-up-10/")
    expect(tab.get_by_role("heading", name="Too many attempts")).to_be_visible()
    check(tab, "too many attempts")
    context.close()
