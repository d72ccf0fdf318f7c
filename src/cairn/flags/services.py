"""The one change this app makes: confirming an account lead links the account to the person.

It goes through ``cairn.vault.services.update_person`` (the vault's write path), so the
change is one ledger entry (``person.changed``) and one audit record, like any edit of a
person. The lead is worked out again at the moment of confirming: only an account that is
still offered as a lead for that person can be linked this way.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from cairn.accounts.models import User
from cairn.flags import access as flag_access
from cairn.flags.leads import lead_for
from cairn.flags.reading import account_leads
from cairn.vault import access
from cairn.vault import services as vault_services
from cairn.vault.models import Person, Vault


def _identifiers_of(
    user: User, vault: Vault, account_key: str
) -> tuple[list[vault_services.IdentifierInput], str]:
    """The account's identifiers with their platforms, and a name to keep as an alias."""
    kind, _, pk = account_key.partition(":")
    if kind == "candidate":
        candidate = flag_access.open_candidates_readable_by(user, vault).get(pk=pk)
        return (
            [
                vault_services.IdentifierInput(i["kind"], i["value"], i.get("platform", ""))
                for i in candidate.identifiers
            ],
            candidate.display_name,
        )
    person = access.persons_readable_by(user, vault).get(pk=pk)
    return (
        [
            vault_services.IdentifierInput(i.kind, i.value, i.platform)
            for i in person.identifiers.all()
        ],
        person.name,
    )


def confirm_lead(*, actor: User, vault: Vault, suspect_key: str, account_key: str) -> Person:
    """Add the account's identifiers (and its name, as an alias) to the suspect."""
    vault_services.require_owner(actor, vault)
    with transaction.atomic():
        _, leads = account_leads(actor, vault)
        lead = lead_for(leads, suspect_key, account_key)
        if lead is None or lead.suspect.person_id is None:
            raise ValidationError(
                {"lead": ["This link is no longer suggested. Look again at the list of accounts."]}
            )
        person = (
            access.persons_readable_by(actor, vault)
            .prefetch_related("identifiers")
            .get(pk=lead.suspect.person_id)
        )
        added, name = _identifiers_of(actor, vault, account_key)
        current = [
            vault_services.IdentifierInput(i.kind, i.value, i.platform)
            for i in person.identifiers.all()
        ]
        aliases = list(person.aliases)
        if name and name != person.name and name not in aliases:
            aliases.append(name)
        return vault_services.update_person(
            actor=actor,
            person=person,
            name=person.name,
            role=person.role,
            relationship=person.relationship,
            aliases=aliases,
            identifiers=current + added,
            notes=person.notes,
        )
