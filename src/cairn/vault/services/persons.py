"""The people of a vault: suspects and witnesses, their identifiers (normalised), and
combining two records as the same person or people acting together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from cairn.accounts.models import User
from cairn.store import keys
from cairn.vault.choices import (
    CombinedAs,
    IdentifierKind,
    PersonRole,
    Relationship,
)
from cairn.vault.models import (
    Person,
    PersonIdentifier,
    Vault,
)
from cairn.vault.services.common import record_change, require_owner


@dataclass
class IdentifierInput:
    kind: str
    value: str
    platform: str = ""


def normalise_identifier(kind: str, value: str, *, region: str = "GB") -> str:
    """Normalise an identifier so the same one written two ways compares equal.

    Phone numbers become E.164 (``phonenumbers``, default region GB); e-mail addresses are
    lower-cased; handles lose a leading ``@`` and are lower-cased; vehicle registrations lose
    spaces and are upper-cased. Raises ValueError with a plain message when it is not valid.
    """
    value = (value or "").strip()
    if not value:
        raise ValueError("Enter a value")
    if kind == IdentifierKind.PHONE:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            raise ValueError("Enter a phone number, like 07700 900123 or +44 7700 900123") from None
        if not phonenumbers.is_possible_number(number):
            raise ValueError("This phone number has the wrong number of digits")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == IdentifierKind.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError("Enter an e-mail address, like name@example.com") from None
        return value.lower()
    if kind == IdentifierKind.HANDLE:
        handle = value.lstrip("@").strip().lower()
        if not handle or any(ch.isspace() for ch in handle):
            raise ValueError("A handle has no spaces, like @name")
        return handle
    if kind == IdentifierKind.VEHICLE:
        registration = "".join(value.split()).upper()
        if not registration.isalnum() or not 2 <= len(registration) <= 10:
            raise ValueError("Enter a registration of letters and numbers, like AB12 CDE")
        return registration
    raise ValueError(f"Unknown identifier kind {kind!r}")


def _clean_person(
    name: str,
    role: str,
    relationship: str,
    aliases: Iterable[str],
    identifiers: Iterable[IdentifierInput],
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Enter a name, or how you refer to them (for example 'unknown man')"]
    if role not in PersonRole.values:
        errors["role"] = [f"Choose a role ({', '.join(PersonRole.values)})"]
    if relationship not in Relationship.values:
        errors["relationship"] = [f"Choose a relationship ({', '.join(Relationship.values)})"]
    cleaned_ids: list[dict[str, str]] = []
    for index, item in enumerate(identifiers, start=1):
        if item.kind not in IdentifierKind.values:
            errors[f"identifier_{index}"] = [f"Unknown identifier kind {item.kind!r}"]
            continue
        try:
            value = normalise_identifier(item.kind, item.value)
        except ValueError as exc:
            errors[f"identifier_{index}"] = [str(exc)]
            continue
        entry = {"kind": item.kind, "value": value, "platform": item.platform.strip().lower()}
        if entry not in cleaned_ids:
            cleaned_ids.append(entry)
    if errors:
        raise ValidationError(errors)
    clean_aliases = sorted({alias.strip() for alias in aliases if alias and alias.strip()})
    cleaned_ids.sort(key=lambda entry: (entry["kind"], entry["value"], entry["platform"]))
    return {
        "name": name,
        "role": role,
        "relationship": relationship,
        "aliases": clean_aliases,
    }, cleaned_ids


def person_content(person: Person) -> dict[str, Any]:
    content = {
        "id": str(person.pk),
        "vault": str(person.vault_id),
        "role": person.role,
        "name": person.name,
        "aliases": list(person.aliases),
        "relationship": person.relationship,
        "notes": person.notes,
        "identifiers": sorted(
            (
                {"kind": i.kind, "value": i.value, "platform": i.platform}
                for i in person.identifiers.all()
            ),
            key=lambda i: (i["kind"], i["value"], i["platform"]),
        ),
    }
    # Only when she said so, so the content of every other person hashes as it always did.
    if person.combined_with_id is not None:
        content["combined_with"] = str(person.combined_with_id)
        content["combined_as"] = person.combined_as
    return content


def _apply_person(person: Person, values: dict[str, Any], notes: str) -> None:
    for key, value in values.items():
        setattr(person, key, value)
    person.notes = notes.strip()
    person.save()


def identifier_lookup(vault_id: object, kind: str, value: str) -> str:
    """The keyed hash under which a normalised identifier is matched within a vault."""
    return keys.blind_index(vault_id, f"{kind}\x00{value}")


def _save_identifiers(person: Person, cleaned_ids: list[dict[str, str]]) -> None:
    for entry in cleaned_ids:
        identifier = PersonIdentifier(
            vault_id=person.vault_id,
            person=person,
            kind=entry["kind"],
            lookup=identifier_lookup(person.vault_id, entry["kind"], entry["value"]),
        )
        identifier.value = entry["value"]
        identifier.platform = entry["platform"]
        identifier.save()


def create_person(
    *,
    actor: User,
    vault: Vault,
    name: str,
    role: str = PersonRole.SUSPECT,
    relationship: str = Relationship.UNKNOWN,
    aliases: Iterable[str] = (),
    identifiers: Iterable[IdentifierInput] = (),
    notes: str = "",
) -> Person:
    require_owner(actor, vault)
    values, cleaned_ids = _clean_person(name, role, relationship, aliases, identifiers)
    with transaction.atomic():
        person = Person(vault=vault)
        _apply_person(person, values, notes)
        _save_identifiers(person, cleaned_ids)
        record_change(
            actor=actor,
            vault=vault,
            action="person.created",
            obj=person,
            content=person_content(person),
            detail={"identifiers": len(cleaned_ids)},
        )
    return person


def update_person(
    *,
    actor: User,
    person: Person,
    name: str,
    role: str,
    relationship: str,
    aliases: Iterable[str] = (),
    identifiers: Iterable[IdentifierInput] = (),
    notes: str = "",
) -> Person:
    vault = person.vault
    require_owner(actor, vault)
    values, cleaned_ids = _clean_person(name, role, relationship, aliases, identifiers)
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        _apply_person(current, values, notes)
        current.identifiers.all().delete()
        _save_identifiers(current, cleaned_ids)
        record_change(
            actor=actor,
            vault=vault,
            action="person.changed",
            obj=current,
            content=person_content(current),
            detail={"identifiers": len(cleaned_ids)},
        )
    return current


def combine_persons(*, actor: User, person: Person, other: Person, how: str) -> Person:
    """The victim says ``person`` is the same person as ``other``, or that they act together
    (PHA 1997 s.7(3A)): from now on the analysis takes their conduct as one. Both must be
    people of her vault named as doing this. One ledger entry (``person.changed``)."""
    vault = person.vault
    require_owner(actor, vault)
    if how not in CombinedAs.values:
        raise ValidationError(
            {"how": ["Choose whether they are the same person or acting together"]}
        )
    if other.vault_id != vault.pk:
        raise ValidationError({"other": ["Choose a person from this log"]})
    if other.pk == person.pk:
        raise ValidationError({"other": ["Choose another person"]})
    if person.role != PersonRole.SUSPECT or other.role != PersonRole.SUSPECT:
        raise ValidationError({"other": ["Both must be people you named as doing this"]})
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        current.combined_with = other
        current.combined_as = how
        current.save(update_fields=["combined_with", "combined_as", "updated_at"])
        record_change(
            actor=actor,
            vault=vault,
            action="person.changed",
            obj=current,
            content=person_content(current),
            detail={"combined": how},
        )
    return current


def separate_person(*, actor: User, person: Person) -> Person:
    """Withdraw what she said about ``person`` belonging with another: analysed alone again
    (unless another person still points to them)."""
    vault = person.vault
    require_owner(actor, vault)
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        if current.combined_with_id is None:
            raise ValidationError({"other": ["This person is not put together with anyone"]})
        current.combined_with = None
        current.combined_as = ""
        current.save(update_fields=["combined_with", "combined_as", "updated_at"])
        record_change(
            actor=actor,
            vault=vault,
            action="person.changed",
            obj=current,
            content=person_content(current),
            detail={"combined": ""},
        )
    return current
