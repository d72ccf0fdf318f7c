"""Two-factor sign-in for organisation roles, and sign-in throttling, through the real pages.

A member signs in with a password, is sent to set up an authenticator app, confirms it with
a real TOTP code, and gives a code at every later sign-in. A victim with no role signs in
with her password alone. Five failed sign-ins lock a username out from that address.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django_otp.oath import TOTP

from cairn.accounts import two_factor
from cairn.accounts.models import AuthenticatorApp
from cairn.audit.models import AuditRecord
from tests.orgs import sign_in_verified


def _api_ping(request):  # type: ignore[no-untyped-def]
    return JsonResponse({"ok": True})


# An URLconf with one view under /api/, to check what the middleware answers there.
urlpatterns = [path("api/ping/", _api_ping), path("", include("cairn.urls"))]

SIGN_IN = "/account/sign-in/"
SET_UP = "/account/two-factor/set-up/"
VERIFY = "/account/two-factor/"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def code_for(device: AuthenticatorApp, *, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or that many 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def wrong_code(device: AuthenticatorApp) -> str:
    near = {code_for(device, steps_ahead=n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def sign_in(client, user, password):  # type: ignore[no-untyped-def]
    return client.post(SIGN_IN, {"username": user.username, "password": password})


def secret_on(page_html: str) -> str:
    match = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', page_html)
    assert match, "the set-up page shows the key"
    return match.group(1).replace(" ", "")


def totp_from_secret(secret: str, *, steps_ahead: int = 0) -> str:
    import base64

    totp = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


# --- a member: set-up, then a code at each sign-in -------------------------------------------


def test_a_member_is_sent_to_set_up_two_factor_after_the_password(client, investigator, password):
    response = sign_in(client, investigator, password)
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url == SET_UP  # straight from the home page: no "next"
    page = client.get(SET_UP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Set up two-factor sign-in \N{EN DASH} Cairn</title>" in html
    assert 'src="data:image/svg+xml' in html  # the QR code, as an image
    assert "<script>" not in html and "style=" not in html
    assert len(secret_on(html)) == 32
    assert "Exit this page" in html


def test_every_other_page_waits_for_two_factor_and_sign_out_still_works(
    client, investigator, password, vault
):
    sign_in(client, investigator, password)
    for url in ("/", f"/vaults/{vault.pk}/", "/org/", f"/pattern/{vault.pk}/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(SET_UP), url
    assert client.get("/org/").url == f"{SET_UP}?next=%2Forg%2F"
    response = client.post("/account/sign-out/")
    assert response.status_code == 302 and response.url == SIGN_IN
    assert client.get("/").url.startswith(SIGN_IN)


def test_the_key_on_the_page_makes_the_codes_that_confirm_the_device(
    client, investigator, password
):
    sign_in(client, investigator, password)
    secret = secret_on(client.get(SET_UP).content.decode())
    response = client.post(SET_UP, {"code": totp_from_secret(secret)})
    assert response.status_code == 302
    assert response.url == two_factor.work_page_url(investigator)
    device = AuthenticatorApp.objects.get(user=investigator)
    assert device.confirmed
    # The session is now checked: pages open.
    assert client.get("/", follow=True).status_code == 200
    assert AuditRecord.objects.filter(actor=investigator, action="two_factor.set_up").exists()


def test_the_set_up_page_shows_the_same_key_until_it_is_confirmed(client, investigator, password):
    sign_in(client, investigator, password)
    first = secret_on(client.get(SET_UP).content.decode())
    assert secret_on(client.get(SET_UP).content.decode()) == first
    assert AuthenticatorApp.objects.filter(user=investigator).count() == 1


def test_a_wrong_code_is_refused_at_set_up(client, investigator, password):
    sign_in(client, investigator, password)
    client.get(SET_UP)
    device = AuthenticatorApp.objects.get(user=investigator)
    response = client.post(SET_UP, {"code": wrong_code(device)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The code is not right" in html
    assert "<title>Error: Set up two-factor sign-in \N{EN DASH} Cairn</title>" in html
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/").url == SET_UP


@pytest.mark.parametrize("typed", ["", "12345", "abcdef", "1234567"])
def test_a_code_that_is_not_six_digits_is_refused_with_a_plain_message(
    client, investigator, password, typed
):
    sign_in(client, investigator, password)
    response = client.post(SET_UP, {"code": typed})
    assert response.status_code == 400
    assert "Enter the 6-digit code from your authenticator app" in response.content.decode()


def test_a_code_typed_with_a_space_is_accepted(client, investigator, password):
    sign_in(client, investigator, password)
    client.get(SET_UP)
    code = code_for(AuthenticatorApp.objects.get(user=investigator))
    response = client.post(SET_UP, {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302


def test_later_sign_ins_ask_for_a_code_and_land_on_the_work_page(
    client, investigator, password, settings
):
    sign_in(client, investigator, password)
    client.get(SET_UP)
    device = AuthenticatorApp.objects.get(user=investigator)
    client.post(SET_UP, {"code": code_for(device)})
    client.post("/account/sign-out/")

    sign_in(client, investigator, password)
    assert client.get("/").url == VERIFY  # a device exists: the check, not set-up again
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert "<title>Two-factor sign-in \N{EN DASH} Cairn</title>" in page.content.decode()
    # A wrong code is refused; the same code as at set-up cannot be replayed either.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    assert client.post(VERIFY, {"code": wrong_code(device)}).status_code == 400
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 400
    assert client.get("/").url == VERIFY
    # The next code the app shows is accepted.
    response = client.post(VERIFY, {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302
    assert response.url == two_factor.work_page_url(investigator)
    assert client.get("/", follow=True).status_code == 200


def test_after_the_check_the_member_returns_to_the_page_they_asked_for(
    client, administrator, password
):
    sign_in(client, administrator, password)
    client.get(f"{SET_UP}?next=/org/")
    device = AuthenticatorApp.objects.get(user=administrator)
    response = client.post(SET_UP, {"code": code_for(device), "next": "/org/"})
    assert response.url == "/org/"


def test_the_next_page_cannot_be_another_site(client, administrator, password):
    sign_in(client, administrator, password)
    client.get(SET_UP)
    device = AuthenticatorApp.objects.get(user=administrator)
    response = client.post(SET_UP, {"code": code_for(device), "next": "https://evil.example/"})
    assert response.url == "/org/"  # the administrator's work page


def test_one_wrong_code_does_not_block_the_next_right_one(client, investigator, password):
    device = sign_in_verified(client, investigator)
    client.post("/account/sign-out/")
    sign_in(client, investigator, password)
    wrong = client.post(VERIFY, {"code": wrong_code(device)})
    assert wrong.status_code == 400 and "The code is not right" in wrong.content.decode()
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302  # at once, with no wait


def test_after_five_wrong_codes_the_next_waits_a_minute_then_two(client, investigator, password):
    from datetime import timedelta

    from django.utils import timezone

    device = sign_in_verified(client, investigator)
    client.post("/account/sign-out/")
    sign_in(client, investigator, password)
    for attempt in range(5):
        response = client.post(VERIFY, {"code": wrong_code(device)})
        assert "The code is not right" in response.content.decode(), attempt
    # The sixth, even the right one, waits.
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 400
    assert "Too many wrong codes. Wait a minute, then try again" in response.content.decode()
    # A minute later it is tried; one more wrong code makes the next wait two minutes.
    AuthenticatorApp.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=61)
    )
    client.post(VERIFY, {"code": wrong_code(device)})
    response = client.post(VERIFY, {"code": code_for(device)})
    assert "Wait 2 minutes" in response.content.decode()
    AuthenticatorApp.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=121)
    )
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0  # a right code starts the count again


def test_the_wait_never_grows_past_fifteen_minutes(investigator):
    from datetime import timedelta

    from django.utils import timezone

    device = AuthenticatorApp.objects.create(user=investigator, name="app", confirmed=True)
    now = timezone.now()
    device.throttling_failure_timestamp = now
    for failures, minutes in ((4, None), (5, 1), (6, 2), (8, 8), (9, 15), (40, 15)):
        device.throttling_failure_count = failures
        until = two_factor.wait_until(device, now=now)
        assert until is None if minutes is None else until == now + timedelta(minutes=minutes), (
            failures
        )


def test_the_helper_for_a_verified_session_still_works(client, investigator):
    sign_in_verified(client, investigator)
    assert client.get("/", follow=True).status_code == 200
    assert client.get(VERIFY).url == two_factor.work_page_url(investigator)


def test_an_ended_role_no_longer_asks_for_a_code(client, investigator, administrator, password):
    from cairn.accounts import services
    from cairn.accounts.access import membership_of

    services.end_role(actor=administrator, membership=membership_of(investigator))
    sign_in(client, investigator, password)
    assert client.get("/").status_code == 200


@pytest.mark.urls("tests.test_two_factor")
def test_the_api_answers_403_in_json_instead_of_redirecting(client, investigator, password):
    sign_in(client, investigator, password)
    response = client.get("/api/ping/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "Two-factor" in response.json()["detail"]
    sign_in_verified(client, investigator)
    assert client.get("/api/ping/").json() == {"ok": True}


# --- a victim: the password alone ------------------------------------------------------------


def test_a_victim_without_a_role_signs_in_with_her_password_only(client, owner, vault, password):
    response = sign_in(client, owner, password)
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200
    # She may turn an authenticator app on (issue 21), but is not asked to.
    assert client.get(SET_UP).status_code == 200
    assert client.get(VERIFY).status_code == 404
    assert client.get("/").status_code == 200
    assert not AuthenticatorApp.objects.filter(user=owner, confirmed=True).exists()


# --- throttling --------------------------------------------------------------------------------


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True


LOCKED = "Too many attempts. Wait 15 minutes, or ask your administrator."


def test_five_failures_lock_the_username_out_even_with_the_right_password(
    client, owner, password, throttled
):
    for attempt in range(4):
        response = sign_in(client, owner, "not-the-password")
        assert response.status_code == 200, attempt
        assert "Enter a correct username and password" in response.content.decode()
    response = sign_in(client, owner, "not-the-password")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html
    assert "<title>Error: Cairn</title>" in html
    assert 'class="govuk-error-summary"' in html
    # During the lockout the right password is refused too.
    response = sign_in(client, owner, password)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_the_lockout_ends_after_15_minutes(client, owner, password, throttled):
    from axes.models import AccessAttempt

    for _ in range(5):
        sign_in(client, owner, "not-the-password")
    assert sign_in(client, owner, password).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = sign_in(client, owner, password)
    assert response.status_code == 302 and response.url == "/"


def test_the_lockout_message_is_the_same_for_a_username_that_does_not_exist(client, db, throttled):
    for _ in range(4):
        sign_in_response = client.post(SIGN_IN, {"username": "nobody", "password": "x" * 12})
        assert sign_in_response.status_code == 200
    response = client.post(SIGN_IN, {"username": "nobody", "password": "x" * 12})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_the_lockout_is_per_username_and_address(client, owner, colleague, password, throttled):
    for _ in range(5):
        sign_in(client, owner, "not-the-password")
    # Another person signing in from the same address is not locked out.
    assert sign_in(client, colleague, password).status_code == 302
    # Nor is the same username from another address.
    client.post("/account/sign-out/")
    response = client.post(
        SIGN_IN, {"username": owner.username, "password": password}, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 302


def test_a_success_clears_earlier_failures(client, owner, password, throttled):
    for _ in range(4):
        sign_in(client, owner, "not-the-password")
    assert sign_in(client, owner, password).status_code == 302
    client.post("/account/sign-out/")
    for _ in range(4):
        assert sign_in(client, owner, "not-the-password").status_code == 200


def test_a_refused_password_is_not_sent_back_in_the_page(client, owner):
    response = client.post(SIGN_IN, {"username": owner.username, "password": "my-secret-guess-123"})
    assert response.status_code == 200
    assert "my-secret-guess-123" not in response.content.decode()


def test_each_role_lands_on_its_work_page(
    investigator, supervisor, administrator, advocate, analyst
):
    assert two_factor.work_page_url(investigator) == "/cases/"
    assert two_factor.work_page_url(supervisor) == "/cases/"
    assert two_factor.work_page_url(administrator) == "/org/"
    assert two_factor.work_page_url(advocate) == "/shared/"
    assert two_factor.work_page_url(analyst) == "/dashboard/"
