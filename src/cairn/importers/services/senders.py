"""Who sent each message: linked to a person of the vault, a new or known candidate, or the
victim herself."""

from __future__ import annotations

from dataclasses import dataclass

from cairn.importers.base import (
    Sender,
)
from cairn.importers.models import (
    CandidatePerson,
    CandidateStatus,
    ImportBatch,
)
from cairn.store import keys
from cairn.vault import services as vault_services
from cairn.vault.choices import IdentifierKind
from cairn.vault.models import Person, PersonIdentifier, Vault


@dataclass
class SenderLink:
    key: str
    name: str
    identifiers: list[dict[str, str]]
    identity: str
    person: Person | None = None
    candidate: CandidatePerson | None = None
    is_owner: bool = False


def _sender_identifiers(sender: Sender) -> list[dict[str, str]]:
    """The sender's identifiers, normalised as ``PersonIdentifier`` keeps them."""
    found: list[dict[str, str]] = []
    platform = (sender.platform or "").strip().lower()
    candidates: list[tuple[str, str | None, str]] = [
        (IdentifierKind.PHONE, sender.phone, ""),
        (IdentifierKind.EMAIL, sender.email, ""),
        (IdentifierKind.HANDLE, sender.handle, platform),
        (IdentifierKind.HANDLE, sender.platform_id, platform),
    ]
    name = (sender.display_name or "").strip()
    if (
        not sender.phone
        and name
        and sum(ch.isdigit() for ch in name) >= 7
        and all(ch.isdigit() or ch in "+()- \u00a0\u202f\u2011" for ch in name)
    ):
        # WhatsApp names a sender who is not in the phone's contacts by their number.
        candidates.insert(0, (IdentifierKind.PHONE, name, ""))
    for kind, raw, where in candidates:
        if not raw:
            continue
        try:
            value = vault_services.normalise_identifier(kind, str(raw))
        except ValueError:
            continue
        entry = {"kind": kind, "value": value, "platform": where}
        if entry not in found:
            found.append(entry)
    return found


class Linker:
    """Links each distinct sender of a batch to a person, a candidate, or the victim."""

    def __init__(self, vault: Vault, batch_holder: list[ImportBatch]) -> None:
        self.vault = vault
        self.batch_holder = batch_holder
        self.links: dict[Sender, SenderLink] = {}
        self.by_key: dict[str, SenderLink] = {}
        self.new_candidates: list[CandidatePerson] = []
        self._persons: list[tuple[Person, set[str]]] | None = None

    def _names(self) -> list[tuple[Person, set[str]]]:
        if self._persons is None:
            self._persons = [
                (person, {n.casefold() for n in [person.name, *person.aliases] if n})
                for person in Person.objects.filter(vault=self.vault)
            ]
        return self._persons

    def link(self, sender: Sender) -> SenderLink:
        known = self.links.get(sender)
        if known is not None:
            return known
        identifiers = _sender_identifiers(sender)
        name = (sender.display_name or "").strip()
        if identifiers:
            first = identifiers[0]
            identity = f"{first['kind']}:{first['platform']}:{first['value']}"
        else:
            identity = "name:" + " ".join(name.casefold().split())
        key = keys.blind_index(self.vault.pk, "sender\x00" + identity)
        link = self.by_key.get(key)
        if link is None:
            link = SenderLink(
                key=key,
                name=name,
                identifiers=identifiers,
                identity=identity,
                is_owner=sender.is_owner,
            )
            if not sender.is_owner:
                self._resolve(link)
            self.by_key[key] = link
        self.links[sender] = link
        return link

    def _resolve(self, link: SenderLink) -> None:
        for entry in link.identifiers:
            lookup = vault_services.identifier_lookup(self.vault.pk, entry["kind"], entry["value"])
            match = (
                PersonIdentifier.objects.filter(vault=self.vault, kind=entry["kind"], lookup=lookup)
                .select_related("person")
                .first()
            )
            if match is not None:
                link.person = match.person
                return
        candidate = CandidatePerson.objects.filter(vault=self.vault, key=link.key).first()
        if candidate is not None:
            if candidate.status == CandidateStatus.OWNER:
                link.is_owner = True
            elif candidate.status == CandidateStatus.CONFIRMED and candidate.person_id:
                link.person = candidate.person
            else:
                link.candidate = candidate
            return
        if not link.identifiers and link.name:
            wanted = " ".join(link.name.casefold().split())
            matches = [person for person, names in self._names() if wanted in names]
            if len(matches) == 1:
                link.person = matches[0]
                return
        candidate = CandidatePerson(vault=self.vault, batch=self.batch_holder[0], key=link.key)
        candidate.display_name = link.name
        candidate.identifiers = link.identifiers
        candidate.save()
        self.new_candidates.append(candidate)
        link.candidate = candidate
