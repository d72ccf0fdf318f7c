"""``cairn vault``: create a vault and list the vaults in the data directory."""

from __future__ import annotations

import getpass
import json

import click

from cairn.cli.runtime import ensure_database


def default_owner() -> str:
    try:
        return getpass.getuser() or "owner"
    except (OSError, KeyError):  # no login name (some containers)
        return "owner"


@click.group("vault")
def vault_group() -> None:
    """Vaults: one per person whose log this is."""


@vault_group.command("create")
@click.argument("name")
@click.option("--initials", required=True, help="The owner's initials, for exhibit references.")
@click.option(
    "--tz",
    "time_zone",
    default="Europe/London",
    show_default=True,
    help="The time zone times are typed and shown in.",
)
@click.option(
    "--owner",
    "username",
    default=default_owner,
    show_default="your login name",
    help="The local user who owns the vault; made if there is none.",
)
def create(name: str, initials: str, time_zone: str, username: str) -> None:
    """Create a vault called NAME."""
    ensure_database()
    from django.db import transaction

    from cairn.cli.users import get_or_create_user
    from cairn.vault import services

    # One transaction: a refused vault leaves no new user behind either.
    with transaction.atomic():
        owner, made = get_or_create_user(username)
        vault = services.create_vault(
            actor=owner, name=name, initials=initials, time_zone=time_zone
        )
    click.echo(
        f"Created vault {vault.pk} for {owner.username} ({vault.initials}, {vault.time_zone})."
    )
    if made:
        click.echo(
            f"{owner.username} has no password yet; set one to sign in on the web pages:"
            f"\n  cairn user set-password {owner.username}"
        )


@vault_group.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def list_vaults(fmt: str) -> None:
    """List the vaults: id, name, initials, time zone and number of incidents."""
    ensure_database()
    from django.db.models import Count, Q

    from cairn.cli.users import vault_owners
    from cairn.vault import access

    rows = []
    for owner in vault_owners():
        vaults = access.vaults_readable_by(owner).annotate(
            incident_count=Count("incidents", filter=Q(incidents__deleted_at__isnull=True))
        )
        for vault in vaults:
            rows.append(
                {
                    "id": str(vault.pk),
                    "name": vault.name,
                    "initials": vault.initials,
                    "time_zone": vault.time_zone,
                    "owner": owner.username,
                    "incidents": vault.incident_count,
                    "created_at": vault.created_at,
                }
            )
    rows.sort(key=lambda row: row["created_at"])
    for row in rows:
        del row["created_at"]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No vaults yet. Create one with: cairn vault create NAME --initials XX")
        return
    from cairn.cli.output import print_table

    print_table(
        ["Id", "Name", "Initials", "Time zone", "Owner", "Incidents"],
        [
            [
                row["id"],
                row["name"],
                row["initials"],
                row["time_zone"],
                row["owner"],
                str(row["incidents"]),
            ]
            for row in rows
        ],
    )
