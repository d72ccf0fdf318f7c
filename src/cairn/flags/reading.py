"""Flags and account leads for a vault, read from the database through the access functions
and handed to the pure engine (``engine.flag_text``, ``leads.find_leads``).

Nothing here is stored: flags are worked out each time from the words, so a change to the
rules applies to everything at once. Message text is read (decrypted) in memory only; it is
never logged and never put in a URL or a title (DESIGN.md invariant 5).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cairn.flags import access as flag_access
from cairn.flags.engine import Flag, RuleSet, flag_text, load_rules
from cairn.flags.leads import Account, Group, Lead, Message, find_leads
from cairn.flags.threats import incident_text
from cairn.vault import access
from cairn.vault.models import Vault


@dataclass(frozen=True)
class Flagged:
    """One incident or message with its flags, and its text cut into plain and marked parts."""

    source: str  # "incident" | "message"
    object_id: str
    number: int | None  # the incident's number
    when: datetime | None
    sender: str
    batch_id: str | None
    flags: tuple[Flag, ...]
    parts: tuple[tuple[str, str], ...]  # (text, kind labels joined by ", " or "")

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({f.kind for f in self.flags}))

    @property
    def tags(self) -> list[tuple[str, str, str]]:
        """Each flag as (label, words, how: the sorts of wording that raised it)."""
        return [flag_tag(f) for f in self.flags]


def flag_tag(flag: Flag, rules: RuleSet | None = None) -> tuple[str, str, str]:
    """A flag as (its kind's label, its words, how it was worded: "veiled: ..." for threats)."""
    kind = (rules or load_rules()).kind(flag.kind)
    return kind.label, flag.words, "; ".join(kind.sort_label(s) for s in flag.sorts)


def marked_parts(text: str, flags: tuple[Flag, ...]) -> tuple[tuple[str, str], ...]:
    """The text cut where flags start and end; each part with the labels of its flags."""
    labels = load_rules().labels
    cuts = sorted({0, len(text), *(f.start for f in flags), *(f.end for f in flags)})
    parts = []
    for start, end in itertools.pairwise(cuts):
        kinds = sorted({f.kind for f in flags if f.start < end and f.end > start})
        parts.append((text[start:end], ", ".join(labels[k] for k in kinds)))
    return tuple(parts)


def flagged_items(user: Any, vault: Vault) -> list[Flagged]:
    """Every incident and imported message (sent by others) that raises a flag, in time
    order. An incident's words are read as the analysis reads them (its description and her
    note of any other act), so its threat flags are the pattern page's threats."""
    found: list[Flagged] = []
    incidents = (
        access.incidents_readable_by(user, vault)
        .filter(deleted_at__isnull=True)
        .order_by("start", "number")
    )
    for incident in incidents:
        text = incident_text(incident.description, incident.other_act)
        flags = flag_text(text)
        if flags:
            found.append(
                Flagged(
                    "incident",
                    str(incident.pk),
                    incident.number,
                    incident.start,
                    "",
                    None,
                    flags,
                    marked_parts(text, flags),
                )
            )
    messages = flag_access.messages_readable_by(user, vault).select_related("person", "candidate")
    for item in messages:
        text = item.text
        flags = flag_text(text)
        if flags:
            sender = (
                item.person.name if item.person_id and item.person else ""
            ) or item.sender_name
            found.append(
                Flagged(
                    "message",
                    str(item.pk),
                    None,
                    item.sent_at,
                    sender,
                    str(item.batch_id),
                    flags,
                    marked_parts(text, flags),
                )
            )
    far_past = datetime.min.replace(tzinfo=vault.created_at.tzinfo)
    found.sort(key=lambda f: (f.when or far_past, f.source, f.number or 0))
    return found


def accounts_of(user: Any, vault: Vault) -> list[Account]:
    """The vault's senders as plain data: its people and its unconfirmed senders, each with
    the messages they sent."""
    sent: dict[str, list[Message]] = {}
    for item in flag_access.messages_readable_by(user, vault).exclude(sent_at__isnull=True):
        if item.person_id:
            key = f"person:{item.person_id}"
        elif item.candidate_id:
            key = f"candidate:{item.candidate_id}"
        else:
            continue
        sent.setdefault(key, []).append(Message(item.sent_at, item.text))
    accounts = []
    for person in (
        access.persons_readable_by(user, vault)
        .prefetch_related("identifiers")
        .order_by("created_at", "id")
    ):
        key = f"person:{person.pk}"
        accounts.append(
            Account(
                key=key,
                name=person.name,
                role=person.role,
                aliases=tuple(person.aliases),
                identifiers=tuple(sorted((i.kind, i.value) for i in person.identifiers.all())),
                messages=tuple(sent.get(key, ())),
            )
        )
    for candidate in flag_access.open_candidates_readable_by(user, vault):
        key = f"candidate:{candidate.pk}"
        identifiers = tuple(sorted({(i["kind"], i["value"]) for i in candidate.identifiers}))
        name = candidate.display_name or (identifiers[0][1] if identifiers else "Unknown sender")
        accounts.append(
            Account(
                key=key,
                name=name,
                role="unknown",
                identifiers=identifiers,
                messages=tuple(sent.get(key, ())),
            )
        )
    return accounts


def account_leads(user: Any, vault: Vault) -> tuple[tuple[Group, ...], tuple[Lead, ...]]:
    return find_leads(accounts_of(user, vault))
