"""Organisation administration and invitations by link, through the pages and the CLI.

An administrator lists the organisation's units and people, makes an invitation link (shown
once) and ends roles; everyone else gets 404. A link works once: used, expired or wrong, it
gets one neutral page with status 404 and changes nothing. The operator's ``cairn org``
commands set organisations up. A browser test follows an invited officer from the link to
their work page, with two-factor set-up on the way.
"""

from __future__ import annotations

import base64
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

import cairn
from cairn.accounts import services
from cairn.accounts.access import membership_of
from cairn.accounts.models import Invitation, Membership, OrganisationKind, Role, User
from cairn.audit.models import AuditRecord
from cairn.cli.main import cli
from cairn.cli.orgs import KINDS, ROLES
from tests.orgs import sign_in_verified
from tests.test_access_lint import BARE_QUERY
from tests.test_web_browser import (  # noqa: F401 - fixtures used by name
    _assert_accessible,
    _browser_settings,
    page,
)

INVALID = "This invitation link does not work"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_client(client, administrator):
    sign_in_verified(client, administrator)
    return client


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


@pytest.fixture
def foreign_administrator(operator, foreign_unit):
    from tests.factories import UserFactory

    user = UserFactory(username="ad.south", display_name="Admin South")
    services.grant_role(actor=operator, user=user, unit=foreign_unit, role=Role.ADMINISTRATOR)
    return user


@pytest.fixture
def invitation(administrator, unit):
    return services.invite(actor=administrator, unit=unit, role=Role.INVESTIGATOR)


def _link(token: str) -> str:
    return f"/invite/{token}/"


# --- the organisation page ---------------------------------------------------------------------


def test_an_administrator_sees_the_units_and_the_people_with_roles(
    admin_client, force, unit, other_unit, investigator, supervisor, unit_peer, foreign_investigator
):
    response = admin_client.get("/org/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Your organisation \N{EN DASH} Cairn</title>" in html
    assert "North Police" in html
    for name in (
        "Stalking Unit",
        "CID",
        "DC Reed",
        "DS Khan",
        "DC Hale",
        "Investigator",
        "Supervisor",
    ):
        assert name in html
    assert "DC South" not in html  # another force's officer
    assert f"/org/members/{membership_of(investigator).pk}/end/" in html
    # No "end role" link for the administrator's own role.
    own = Membership.objects.get(user__username="ad.okoro", ended_at__isnull=True)
    assert f"/org/members/{own.pk}/end/" not in html


def test_only_an_administrator_has_the_organisation_menu_item(
    admin_client, client_factory, investigator
):
    html = admin_client.get("/org/").content.decode()
    assert re.search(
        r'<a class="govuk-service-navigation__link" href="/org/" '
        r'aria-current="page">',
        html,
    )
    other = client_factory()
    sign_in_verified(other, investigator)
    assert 'href="/org/"' not in other.get("/cases/").content.decode()


def test_an_ended_role_is_no_longer_listed(admin_client, administrator, investigator):
    services.end_role(actor=administrator, membership=membership_of(investigator))
    assert "DC Reed" not in admin_client.get("/org/").content.decode()


@pytest.mark.parametrize("url", ["/org/", "/org/invite/"])
@pytest.mark.parametrize(
    "who", ["investigator", "supervisor", "analyst", "advocate", "owner", "foreign_investigator"]
)
def test_everyone_but_an_administrator_gets_not_found(client, request, url, who):
    user = request.getfixturevalue(who)
    if who == "owner":
        client.force_login(user)
    else:
        sign_in_verified(client, user)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code in (404, 405)


def test_signed_out_the_org_pages_ask_to_sign_in(client, db):
    response = client.get("/org/")
    assert response.status_code == 302 and response.url.startswith("/account/sign-in/")


def test_an_unverified_administrator_is_sent_to_two_factor_first(client, administrator):
    client.force_login(administrator)
    assert client.get("/org/").url.startswith("/account/two-factor/set-up/")


# --- inviting ----------------------------------------------------------------------------------


def test_an_administrator_makes_a_link_that_is_shown_once(admin_client, administrator, unit):
    form = admin_client.get("/org/invite/")
    assert form.status_code == 200
    assert "Stalking Unit" in form.content.decode()
    response = admin_client.post("/org/invite/", {"unit": str(unit.pk), "role": Role.SUPERVISOR})
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(r'value="http://testserver/invite/([A-Za-z0-9_-]+)/"', html)
    assert match, "the page shows the whole link"
    token = match.group(1)
    invitation = Invitation.objects.get()
    assert invitation.role == Role.SUPERVISOR and invitation.unit == unit
    assert invitation.created_by == administrator
    assert token not in invitation.token_sha256
    assert services.find_invitation(token) == invitation
    # The link appears nowhere else afterwards.
    assert token not in admin_client.get("/org/").content.decode()


def test_an_administrator_cannot_invite_to_another_organisations_unit(admin_client, foreign_unit):
    response = admin_client.post(
        "/org/invite/", {"unit": str(foreign_unit.pk), "role": Role.INVESTIGATOR}
    )
    assert response.status_code == 400
    assert "Choose a unit" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_invite_form_asks_for_a_unit_and_a_role(admin_client):
    response = admin_client.post("/org/invite/", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a unit" in html and "Choose a role" in html
    assert "<title>Error: Invite someone \N{EN DASH} Cairn</title>" in html


# --- ending a role -----------------------------------------------------------------------------


def test_an_administrator_ends_a_role_after_confirming(admin_client, administrator, investigator):
    membership = membership_of(investigator)
    url = f"/org/members/{membership.pk}/end/"
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert "End DC Reed's role?" in confirm.content.decode()
    membership.refresh_from_db()
    assert membership.ended_at is None  # looking is not ending
    response = admin_client.post(url)
    assert response.status_code == 302 and response.url == "/org/"
    membership.refresh_from_db()
    assert membership.ended_at is not None
    assert AuditRecord.objects.filter(actor=administrator, action="role.ended").exists()
    assert admin_client.get(url).status_code == 404  # already ended


def test_an_administrator_cannot_end_their_own_role_or_another_organisations(
    admin_client, administrator, foreign_investigator
):
    for membership in (membership_of(administrator), membership_of(foreign_investigator)):
        url = f"/org/members/{membership.pk}/end/"
        assert admin_client.get(url).status_code == 404
        assert admin_client.post(url).status_code == 404
        membership.refresh_from_db()
        assert membership.ended_at is None


def test_another_organisations_administrator_cannot_end_a_role(
    client, foreign_administrator, investigator
):
    sign_in_verified(client, foreign_administrator)
    membership = membership_of(investigator)
    assert client.post(f"/org/members/{membership.pk}/end/").status_code == 404
    membership.refresh_from_db()
    assert membership.ended_at is None


def test_a_member_cannot_end_a_role(client, investigator, supervisor):
    sign_in_verified(client, investigator)
    membership = membership_of(supervisor)
    assert client.post(f"/org/members/{membership.pk}/end/").status_code == 404
    membership.refresh_from_db()
    assert membership.ended_at is None


# --- the invitation link -----------------------------------------------------------------------


def test_signed_out_the_link_explains_and_offers_sign_in_or_a_new_account(client, invitation):
    _invitation, token = invitation
    response = client.get(_link(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "North Police" in html and "investigator in Stalking Unit" in html
    assert f"/account/sign-in/?next=%2Finvite%2F{token}%2F" in html
    assert f"/invite/{token}/create-account/" in html


def test_a_new_account_accepts_the_invitation_once_then_sets_up_two_factor(client, invitation):
    record, token = invitation
    response = client.post(
        f"{_link(token)}create-account/",
        {
            "username": "dc.new",
            "display_name": "DC New",
            "password1": "a-long-fresh-passphrase",
            "password2": "a-long-fresh-passphrase",
        },
    )
    assert response.status_code == 302
    assert response.url == "/account/two-factor/set-up/"
    user = User.objects.get(username="dc.new")
    assert user.display_name == "DC New" and user.check_password("a-long-fresh-passphrase")
    membership = membership_of(user)
    assert (membership.role, membership.unit_id) == (Role.INVESTIGATOR, record.unit_id)
    record.refresh_from_db()
    assert record.accepted_by == user and record.accepted_at is not None
    assert client.get(response.url).status_code == 200  # signed in, on the set-up page
    # The link works once.
    client.post("/account/sign-out/")
    for url in (_link(token), f"{_link(token)}create-account/"):
        again = client.get(url)
        assert again.status_code == 404
        assert INVALID in again.content.decode()
    again = client.post(
        f"{_link(token)}create-account/",
        {
            "username": "dc.second",
            "display_name": "DC Second",
            "password1": "a-long-fresh-passphrase",
            "password2": "a-long-fresh-passphrase",
        },
    )
    assert again.status_code == 404
    assert not User.objects.filter(username="dc.second").exists()


def test_a_signed_in_person_accepts_and_is_sent_on_to_two_factor(client, invitation, outsider):
    _record, token = invitation
    client.force_login(outsider)
    offer = client.get(_link(token))
    assert offer.status_code == 200
    assert "Accept the invitation" in offer.content.decode()
    response = client.post(_link(token))
    assert response.status_code == 302
    assert membership_of(outsider).role == Role.INVESTIGATOR
    assert client.get(response.url).url.startswith("/account/two-factor/set-up/")
    assert AuditRecord.objects.filter(actor=outsider, action="invitation.accepted").exists()


def test_accepting_warns_that_a_current_role_ends(client, invitation, unit_peer):
    _record, token = invitation
    sign_in_verified(client, unit_peer)
    offer = client.get(_link(token)).content.decode()
    assert "Accepting ends that role" in offer
    client.post(_link(token))
    assert membership_of(unit_peer).unit.name == "Stalking Unit"
    assert Membership.objects.filter(user=unit_peer).count() == 2


def test_accepting_signed_out_asks_to_sign_in_and_changes_nothing(client, invitation):
    record, token = invitation
    response = client.post(_link(token))
    assert response.status_code == 302 and response.url.startswith("/account/sign-in/")
    record.refresh_from_db()
    assert record.accepted_at is None


def test_an_expired_link_gets_the_neutral_page_and_changes_nothing(client, invitation, outsider):
    record, token = invitation
    Invitation.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(_link(token)).status_code == 404
    client.force_login(outsider)
    response = client.post(_link(token))
    assert response.status_code == 404
    assert INVALID in response.content.decode()
    assert membership_of(outsider) is None
    record.refresh_from_db()
    assert record.accepted_at is None


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 32, "a"])
def test_a_wrong_link_gets_the_same_neutral_page(client, db, token):
    response = client.get(_link(token))
    assert response.status_code == 404
    html = response.content.decode()
    assert INVALID in html
    assert "<title>Cairn</title>" in html


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"username": "di.reed"}, "This username is taken"),
        ({"password1": "short", "password2": "short"}, "This password is too short"),
        ({"password2": "something-else-entirely"}, "The passwords do not match"),
        ({"password1": "dc.new.person", "password2": "dc.new.person"}, "too similar"),
        ({"username": "has space"}, "Enter a valid username"),
        ({"display_name": ""}, "Enter your name"),
    ],
)
def test_a_new_account_must_be_valid_and_nothing_is_made_otherwise(
    client, invitation, investigator, fields, message
):
    record, token = invitation
    data = {
        "username": "dc.new.person",
        "display_name": "DC New",
        "password1": "a-long-fresh-passphrase",
        "password2": "a-long-fresh-passphrase",
    }
    data.update(fields)
    response = client.post(f"{_link(token)}create-account/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "a-long-fresh-passphrase" not in html  # passwords are not sent back
    assert not User.objects.filter(username=data["username"]).exclude(pk=investigator.pk).exists()
    record.refresh_from_db()
    assert record.accepted_at is None


# --- the thin layers read through access functions ---------------------------------------------


def test_the_new_views_and_cli_never_query_models_directly():
    package = Path(cairn.__file__).parent
    offenders = []
    for relative in (
        "accounts/org_views.py",
        "accounts/two_factor_views.py",
        "accounts/middleware.py",
        "cli/orgs.py",
    ):
        for number, line in enumerate((package / relative).read_text().splitlines(), 1):
            offenders += [f"{relative}:{number}" for _ in BARE_QUERY.findall(line)]
    assert offenders == []


# --- the operator's CLI ------------------------------------------------------------------------


@pytest.fixture
def cairn_cli(db):
    runner = CliRunner()

    def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return run


def test_the_cli_choices_are_the_models_choices():
    assert list(OrganisationKind.values) == KINDS
    assert list(Role.values) == ROLES


def test_the_operator_sets_up_a_force_with_a_unit_and_its_first_administrator(cairn_cli):
    result = cairn_cli("org", "create", "East Police", "--kind", "police")
    assert result.exit_code == 0, result.output
    assert "Created organisation" in result.output and "East Police" in result.output
    result = cairn_cli("org", "unit", "east police", "Stalking Unit")
    assert result.exit_code == 0, result.output
    unit_id = re.search(r"Created unit ([0-9a-f-]{36})", result.output).group(1)
    listing = cairn_cli("org", "list").output
    assert "East Police (Police force)" in listing and f"unit {unit_id}  Stalking Unit" in listing

    result = cairn_cli("org", "grant", "ad.east", "--unit", unit_id[:8], "--role", "administrator")
    assert result.exit_code == 0, result.output
    assert "ad.east is now administrator in Stalking Unit, East Police." in result.output
    assert "cairn user set-password ad.east" in result.output
    user = User.objects.get(username="ad.east")
    assert membership_of(user).role == Role.ADMINISTRATOR

    operator = User.objects.get(username="operator")
    assert operator.is_superuser and not operator.has_usable_password()
    actions = set(AuditRecord.objects.filter(actor=operator).values_list("action", flat=True))
    assert {"organisation.created", "unit.created", "role.granted"} <= actions


def test_the_operator_prints_an_invitation_link_that_works(cairn_cli, client, unit, outsider):
    result = cairn_cli("org", "invite", "--unit", str(unit.pk), "--role", "advocate")
    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    assert re.fullmatch(r"/invite/[A-Za-z0-9_-]+/", link)
    assert "works once" in result.stderr
    client.force_login(outsider)
    assert client.post(link).status_code == 302
    assert membership_of(outsider).role == Role.ADVOCATE
    full = cairn_cli(
        "org",
        "invite",
        "--unit",
        str(unit.pk),
        "--role",
        "analyst",
        "--base-url",
        "https://cairn.example/",
    ).stdout.strip()
    assert full.startswith("https://cairn.example/invite/")


def test_the_operator_resets_a_lost_authenticator(cairn_cli, client, investigator):
    sign_in_verified(client, investigator)
    result = cairn_cli("org", "reset-two-factor", "di.reed", "--yes")
    assert result.exit_code == 0, result.output
    assert not TOTPDevice.objects.filter(user=investigator).exists()
    # The session made with the removed device is no longer a checked one.
    assert client.get("/").url.startswith("/account/two-factor/set-up/")
    assert AuditRecord.objects.filter(action="two_factor.reset").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["org", "create", "  ", "--kind", "police"], "name: Enter the organisation's name"),
        (["org", "unit", "No Such Force", "Unit"], "organisation: nothing matches"),
        (
            ["org", "grant", "someone", "--unit", "0123456789", "--role", "analyst"],
            "unit: nothing matches",
        ),
        (["org", "reset-two-factor", "nobody", "--yes"], "there is no local user"),
    ],
)
def test_cli_mistakes_are_one_line_each(cairn_cli, args, message):
    runner = CliRunner()
    result = runner.invoke(cli, args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_the_cli_refuses_an_operator_name_taken_by_someone_else(cairn_cli):
    from tests.factories import UserFactory

    UserFactory(username="operator")
    result = CliRunner().invoke(cli, ["org", "create", "West Police", "--kind", "police"])
    assert result.exit_code != 0
    assert "is not the operator" in result.stderr


def test_cli_invite_and_grant_check_the_role(cairn_cli, unit):
    result = CliRunner().invoke(cli, ["org", "invite", "--unit", str(unit.pk), "--role", "chief"])
    assert result.exit_code != 0
    assert not Invitation.objects.exists()


# --- the browser: an invited officer, from the link to their work page --------------------------


def _code_from(secret: str, *, steps_ahead: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore:No directory at:UserWarning")
def test_an_invited_officer_joins_sets_up_two_factor_and_reaches_their_work_page(
    page,  # noqa: F811
    operator,
    force,
    unit,
    administrator,
):
    from cairn.accounts.two_factor import work_page_url

    _record, token = services.invite(actor=administrator, unit=unit, role=Role.INVESTIGATOR)
    page.goto(_link(token))
    assert page.title() == "Cairn"
    _assert_accessible(page, "invitation")
    page.get_by_role("button", name="Create an account").click()
    page.wait_for_url(re.compile(r"/create-account/$"))
    _assert_accessible(page, "create account")
    page.get_by_label("Username").fill("dc.browne")
    page.get_by_label("Your name").fill("DC Browne")
    page.get_by_label("Password", exact=True).fill("a-long-fresh-passphrase")
    page.get_by_label("Enter the password again").fill("a-long-fresh-passphrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/account/two-factor/set-up/$"))
    assert page.title() == "Set up two-factor sign-in \N{EN DASH} Cairn"
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    _assert_accessible(page, "two-factor set-up")
    # A wrong code first: refused, with the error summary.
    secret = page.locator("#two-factor-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill("12345")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert").get_by_text("Enter the 6-digit code").first).to_be_visible()
    _assert_accessible(page, "two-factor set-up with an error")
    page.get_by_label("Code from your authenticator app").fill(_code_from(secret))
    page.get_by_role("button", name="Confirm").click()
    officer = User.objects.get(username="dc.browne")
    page.wait_for_url(re.compile(re.escape(work_page_url(officer)) + "$"))
    assert "two-factor" not in page.url
    _assert_accessible(page, "work page")
    assert not page.csp_errors  # type: ignore[attr-defined]

    # Signing in again asks for the code, then the work page.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/account/sign-in/"))
    page.get_by_label("Username").fill("dc.browne")
    page.get_by_label("Password").fill("a-long-fresh-passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/two-factor/$"))
    assert page.title() == "Two-factor sign-in \N{EN DASH} Cairn"
    _assert_accessible(page, "two-factor check")
    page.get_by_label("Code from your authenticator app").fill(_code_from(secret, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(work_page_url(officer)) + "$"))
