"""``cairn person``: the people in the log (suspects and witnesses) and how to recognise them."""

from __future__ import annotations

import json
from typing import Any

import click

from cairn.cli.context import current_vault, vault_option


def _option_errors(errors: dict[str, list[str]], identifiers: list[Any]) -> dict[str, list[str]]:
    """Name a refused identifier by its option and value (``phone 'abc': ...``), not its index."""
    named: dict[str, list[str]] = {}
    for field, messages in errors.items():
        if field.startswith("identifier_"):
            item = identifiers[int(field.removeprefix("identifier_")) - 1]
            field = f"{item.kind} {item.value!r}"
        named.setdefault(field, []).extend(messages)
    return named


@click.group("person")
def person_group() -> None:
    """Persons: who is doing this, and who saw it."""


@person_group.command("add")
@vault_option
@click.argument("name")
@click.option(
    "--role", type=click.Choice(["suspect", "witness"]), default="suspect", show_default=True
)
@click.option(
    "--relationship",
    default="unknown",
    show_default=True,
    metavar="R",
    help="ex_partner, ex_colleague, colleague, acquaintance, neighbour, stranger or unknown.",
)
@click.option("--alias", "aliases", multiple=True, metavar="A", help="Another name they use.")
@click.option("--phone", "phones", multiple=True, metavar="P")
@click.option("--email", "emails", multiple=True, metavar="E")
@click.option(
    "--handle",
    "handles",
    multiple=True,
    metavar="H",
    help="A social media handle, optionally PLATFORM:HANDLE (instagram:@name).",
)
@click.option("--vehicle", "vehicles", multiple=True, metavar="V", help="A vehicle registration.")
def add(
    vault_ref: str | None,
    name: str,
    role: str,
    relationship: str,
    aliases: tuple[str, ...],
    phones: tuple[str, ...],
    emails: tuple[str, ...],
    handles: tuple[str, ...],
    vehicles: tuple[str, ...],
) -> None:
    """Add a person called NAME (or how you refer to them, like 'man in the red car')."""
    vault = current_vault(vault_ref)
    from django.core.exceptions import ValidationError

    from cairn.vault import services
    from cairn.vault.choices import IdentifierKind
    from cairn.vault.services import IdentifierInput

    identifiers = [IdentifierInput(IdentifierKind.PHONE, value) for value in phones]
    identifiers += [IdentifierInput(IdentifierKind.EMAIL, value) for value in emails]
    for value in handles:
        platform, _, handle = value.rpartition(":")
        identifiers.append(IdentifierInput(IdentifierKind.HANDLE, handle, platform))
    identifiers += [IdentifierInput(IdentifierKind.VEHICLE, value) for value in vehicles]
    try:
        person = services.create_person(
            actor=vault.owner,
            vault=vault,
            name=name,
            role=role,
            relationship=relationship,
            aliases=aliases,
            identifiers=identifiers,
        )
    except ValidationError as exc:
        raise ValidationError(_option_errors(exc.message_dict, identifiers)) from None
    click.echo(f"Added {person.name}, {person.get_role_display().lower()} (id {person.pk}).")


@person_group.command("list")
@vault_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def list_persons(vault_ref: str | None, fmt: str) -> None:
    """List the persons in the vault, with their identifiers."""
    vault = current_vault(vault_ref)
    from django.db.models import Count, Q

    from cairn.vault import access

    persons = (
        access.persons_readable_by(vault.owner, vault)
        .annotate(incident_count=Count("incidents", filter=Q(incidents__deleted_at__isnull=True)))
        .prefetch_related("identifiers")
        .order_by("created_at", "pk")
    )
    rows = [
        {
            "id": str(person.pk),
            "name": person.name,
            "role": person.role,
            "relationship": person.relationship,
            "aliases": list(person.aliases),
            "identifiers": [
                {"kind": i.kind, "value": i.value, "platform": i.platform}
                for i in person.identifiers.all()
            ],
            "incidents": person.incident_count,
            "combined_with": str(person.combined_with_id) if person.combined_with_id else None,
            "combined_as": person.combined_as or None,
        }
        for person in persons
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No persons yet. Add one with: cairn person add NAME")
        return
    from cairn.cli.output import print_table

    cells = []
    for row in rows:
        identifiers = "; ".join(
            f"{i['platform']}:{i['value']}" if i["platform"] else i["value"]
            for i in row["identifiers"]
        )
        cells.append(
            [
                row["id"],
                row["name"],
                row["role"],
                row["relationship"],
                "; ".join(row["aliases"]),
                identifiers,
                str(row["incidents"]),
            ]
        )
    print_table(
        ["Id", "Name", "Role", "Relationship", "Aliases", "Identifiers", "Incidents"],
        cells,
        title=f"Persons in {vault.name}",
        min_width=140,
    )


def _person(vault: Any, ref: str) -> Any:
    """A person of the vault by id, or by name when exactly one has it."""
    from cairn.cli.errors import CairnError
    from cairn.vault import access

    persons = list(access.persons_readable_by(vault.owner, vault))
    found = [p for p in persons if str(p.pk) == ref] or [p for p in persons if p.name == ref]
    if len(found) != 1:
        raise CairnError(
            f"person {ref!r}: no such person in this vault"
            if not found
            else f"person {ref!r}: several have this name; give the id (cairn person list)"
        )
    return found[0]


@person_group.command("together")
@vault_option
@click.argument("person_ref", metavar="PERSON")
@click.argument("other_ref", metavar="OTHER")
@click.option(
    "--as",
    "how",
    type=click.Choice(["same_person", "acting_together"]),
    required=True,
    help="same_person: OTHER is this person under another name; acting_together: "
    "they act together (PHA 1997 s.7(3A)).",
)
def together(vault_ref: str | None, person_ref: str, other_ref: str, how: str) -> None:
    """Say that PERSON and OTHER (ids or names) are the same person or act together: the
    analysis then takes their incidents as one person's."""
    vault = current_vault(vault_ref)
    from cairn.vault import services

    person = services.combine_persons(
        actor=vault.owner,
        person=_person(vault, person_ref),
        other=_person(vault, other_ref),
        how=how,
    )
    words = "the same person as" if how == "same_person" else "acting together with"
    click.echo(f"Saved: {person.name} is {words} {person.combined_with.name}.")


@person_group.command("apart")
@vault_option
@click.argument("person_ref", metavar="PERSON")
def apart(vault_ref: str | None, person_ref: str) -> None:
    """Take back what you said about PERSON belonging with someone else."""
    vault = current_vault(vault_ref)
    from cairn.vault import services

    person = services.separate_person(actor=vault.owner, person=_person(vault, person_ref))
    click.echo(f"Saved: {person.name} is analysed on their own again.")
