"""``cairn org``: the operator sets up organisations, units and first roles.

The CLI is the operator of its data directory (as ``cairn user`` manages local accounts). It
acts as the local superuser ``operator``, made on first use with no password, so it cannot
sign in on the web pages; every change is audited with it as the actor. Administrators then
invite the rest of their organisation on the ``/org/`` pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import click

from cairn.cli.errors import CairnError
from cairn.cli.runtime import ensure_database

OPERATOR_USERNAME = "operator"
# The same values as cairn.accounts.models (tested), here so that --help needs no Django.
KINDS = ["police", "charity"]
ROLES = ["investigator", "supervisor", "advocate", "analyst", "administrator"]


def operator_account() -> Any:
    """The local superuser the CLI acts as, made (with no usable password) on first use."""
    from cairn.accounts import access, operator_services

    existing = access.user_named(OPERATOR_USERNAME)
    if existing is not None:
        if not existing.is_superuser:
            raise CairnError(
                f"the account {OPERATOR_USERNAME!r} exists and is not the "
                "operator; rename it before using cairn org"
            )
        return existing
    return operator_services.create_local_account(
        actor=None, username=OPERATOR_USERNAME, operator=True
    )


def _find(rows: list[Any], ref: str, what: str, by_name: bool) -> Any:
    from cairn.cli.context import _hex

    ref = (ref or "").strip()
    digits = _hex(ref)
    matches = [row for row in rows if digits is not None and row.pk.hex == digits]
    if not matches and by_name:
        matches = [row for row in rows if row.name.casefold() == ref.casefold()]
    if not matches and digits is not None and len(digits) >= 6:
        matches = [row for row in rows if row.pk.hex.startswith(digits)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CairnError(f"{what}: {ref!r} matches more than one; give more of the id")
    raise CairnError(f"{what}: nothing matches {ref!r} (see: cairn org list)")


def find_unit(operator: Any, ref: str) -> Any:
    from cairn.accounts import access

    return _find(list(access.units_for_operator(operator)), ref, "unit", by_name=False)


@click.group("org")
def org_group() -> None:
    """Organisations (police forces, charities), their units and roles."""


@org_group.command("create")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    required=True,
    help="A police force or a charity (support service).",
)
def create(name: str, kind: str) -> None:
    """Create an organisation called NAME."""
    ensure_database()
    from cairn.accounts import services

    organisation = services.create_organisation(actor=operator_account(), name=name, kind=kind)
    click.echo(
        f"Created organisation {organisation.pk} {organisation.name} "
        f"({organisation.get_kind_display()})."
    )


@org_group.command("unit")
@click.argument("org")
@click.argument("name")
def unit(org: str, name: str) -> None:
    """Add a unit called NAME to ORG (its id, an id prefix or its name)."""
    ensure_database()
    from cairn.accounts import access, services

    operator = operator_account()
    organisation = _find(
        list(access.organisations_for_operator(operator)), org, "organisation", by_name=True
    )
    created = services.create_unit(actor=operator, organisation=organisation, name=name)
    click.echo(f"Created unit {created.pk} {created.name} in {organisation.name}.")


@org_group.command("list")
def list_orgs() -> None:
    """List the organisations and their units, with their ids."""
    ensure_database()
    from cairn.accounts import access

    operator = operator_account()
    units = list(access.units_for_operator(operator))
    for organisation in access.organisations_for_operator(operator):
        click.echo(f"{organisation.pk}  {organisation.name} ({organisation.get_kind_display()})")
        for item in units:
            if item.organisation_id == organisation.pk:
                click.echo(f"  unit {item.pk}  {item.name}")


@org_group.command("grant")
@click.argument("username")
@click.option(
    "--unit",
    "unit_ref",
    required=True,
    metavar="UNIT_ID",
    help="The unit's id (or an id prefix; see: cairn org list).",
)
@click.option("--role", type=click.Choice(ROLES), required=True)
def grant(username: str, unit_ref: str, role: str) -> None:
    """Give USERNAME a role in a unit (made, with no password, if there is no such user).

    Any current role the user has ends. Use it for an organisation's first administrator,
    who then invites everyone else.
    """
    ensure_database()
    from django.db import transaction

    from cairn.accounts import services
    from cairn.cli.users import get_or_create_user

    operator = operator_account()
    target = find_unit(operator, unit_ref)
    with transaction.atomic():
        user, made = get_or_create_user(username, actor=operator)
        membership = services.grant_role(actor=operator, user=user, unit=target, role=role)
    click.echo(
        f"{user.username} is now {membership.get_role_display().lower()} in "
        f"{target.name}, {target.organisation.name}."
    )
    if made or not user.has_usable_password():
        click.echo(
            f"{user.username} has no password yet; set one to sign in:\n"
            f"  cairn user set-password {user.username}"
        )
    click.echo(
        "They will set up two-factor sign-in (an authenticator app) when they first sign in."
    )


@org_group.command("invite")
@click.option(
    "--unit",
    "unit_ref",
    required=True,
    metavar="UNIT_ID",
    help="The unit's id (or an id prefix; see: cairn org list).",
)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option(
    "--base-url",
    default="",
    metavar="URL",
    help="The instance's address, to print a whole link instead of its path.",
)
def invite(unit_ref: str, role: str, base_url: str) -> None:
    """Make an invitation link for a role in a unit. It works once, for 7 days.

    Prints only the link on stdout (its path, or the whole link with --base-url); anyone who
    opens it can take the role, so send it only to the person it is for.
    """
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CairnError(
                f"base-url: {base_url!r} is not an address like https://cairn.example.org"
            )
    ensure_database()
    from django.urls import reverse

    from cairn.accounts import services

    operator = operator_account()
    target = find_unit(operator, unit_ref)
    invitation, token = services.invite(actor=operator, unit=target, role=role)
    click.echo(base_url.rstrip("/") + reverse("org:invitation", args=[token]))
    click.echo(
        f"Invitation to be {invitation.get_role_display().lower()} in {target.name}, "
        f"{target.organisation.name}; works once, until "
        f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC.",
        err=True,
    )


@org_group.command("reset-two-factor")
@click.argument("username")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset_two_factor(username: str, yes: bool) -> None:
    """Remove USERNAME's authenticator app (a lost phone). They set up a new one when they
    next sign in, with their password."""
    ensure_database()
    from cairn.accounts import access, two_factor

    operator = operator_account()
    user = access.user_named(username)
    if user is None:
        raise CairnError(f"user: there is no local user {username!r}")
    if not yes:
        click.confirm(f"Remove {username}'s two-factor sign-in?", abort=True)
    removed = two_factor.reset(actor=operator, user=user)
    click.echo(
        f"Removed {removed} authenticator app(s) for {username}. They will set up a "
        "new one at their next sign-in."
    )
