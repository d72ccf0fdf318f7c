"""Cross-case links (issue 8, point 6): the same suspect identifier in two cases of one
organisation raises a lead for the investigators of each, without either unit seeing the
other's data.

Each identifier of a suspect (phone, e-mail, handle, vehicle registration, normalised by
``cairn.vault.services.normalise_identifier``; and the name with the date of birth, case-folded
with single spaces) is kept as a ``SuspectKey``: HMAC-SHA256 of the kind and the value under a
key of the organisation. Cases are compared by these hashes only.

The key: HMAC-SHA256 of ``settings.SECRET_KEY`` and the organisation's id, labelled
``cairn/suspect-key/v1``. The store's key hierarchy does not fit: its data keys are per vault
(a suspect of a case belongs to no vault), and keys derived from the KEK would change with a
KEK rotation. So a change of SECRET_KEY changes every hash: run ``rebuild_keys`` after one
(docs/adr/0018). A per-organisation key means the same number in two forces hashes
differently, so even a leaked table cannot be joined across forces.

``links_for`` returns leads: for a case of the same unit, its reference with a link; for
another unit's case, only its reference and unit, with the advice to contact that unit.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404

from cairn.cases import access
from cairn.cases.models import Case, CaseSuspect, SuspectKey, SuspectKeyKind

IDENTIFIER_KINDS = {
    SuspectKeyKind.PHONE,
    SuspectKeyKind.EMAIL,
    SuspectKeyKind.HANDLE,
    SuspectKeyKind.VEHICLE,
}
UNKNOWN_NAMES = {"unknown", "not known", "n/k"}
WITH_ARTICLE = {
    SuspectKeyKind.PHONE: "a phone number",
    SuspectKeyKind.EMAIL: "an e-mail address",
    SuspectKeyKind.HANDLE: "a social media handle",
    SuspectKeyKind.VEHICLE: "a vehicle registration",
    SuspectKeyKind.NAME_DOB: "a name and date of birth",
}


def organisation_key(organisation_id: Any) -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(),
        b"cairn/suspect-key/v1\x00" + str(organisation_id).encode(),
        hashlib.sha256,
    ).digest()


def key_hash(organisation_id: Any, kind: str, value: str) -> str:
    return hmac.new(
        organisation_key(organisation_id), f"{kind}\x00{value}".encode(), hashlib.sha256
    ).hexdigest()


def name_with_birth(name: str, date_of_birth: Any) -> str | None:
    """ "jane  SMITH" born 1 May 1980 -> "jane smith|1980-05-01"; None without a date of birth
    or for an unknown name."""
    folded = " ".join((name or "").casefold().split())
    if not folded or date_of_birth is None or folded in UNKNOWN_NAMES:
        return None
    return f"{folded}|{date_of_birth.isoformat()}"


def suspect_values(suspect: CaseSuspect) -> set[tuple[str, str]]:
    """(kind, normalised value) of each identifier of ``suspect`` that links."""
    values = {
        (item["kind"], item["value"])
        for item in suspect.identifiers or []
        if item.get("kind") in IDENTIFIER_KINDS and item.get("value")
    }
    named = name_with_birth(suspect.name, suspect.date_of_birth)
    if named is not None:
        values.add((SuspectKeyKind.NAME_DOB, named))
    return values


def write_keys(suspect: CaseSuspect) -> list[SuspectKey]:
    """The keyed hashes of a suspect's identifiers (called by ``services.add_suspect``, inside
    its transaction)."""
    case = suspect.case
    rows = [
        SuspectKey(
            organisation_id=case.organisation_id,
            case=case,
            suspect=suspect,
            kind=kind,
            key_hash=key_hash(case.organisation_id, kind, value),
        )
        for kind, value in sorted(suspect_values(suspect))
    ]
    return SuspectKey.objects.bulk_create(rows, ignore_conflicts=True)


def rebuild_keys() -> int:
    """Recompute every key from the suspects (after SECRET_KEY changes); returns the count."""
    with transaction.atomic():
        SuspectKey.objects.all().delete()
        count = 0
        for suspect in CaseSuspect.objects.select_related("case").iterator():
            count += len(write_keys(suspect))
    return count


@dataclass
class Link:
    """A lead: another case of the organisation with a suspect identifier in common."""

    reference: str
    unit: str
    same_unit: bool
    case_id: Any  # only for a case of the reader's own unit, else None
    kinds: list[str] = field(default_factory=list)  # "a phone number", ...

    @property
    def matched(self) -> str:
        labels = self.kinds
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]

    def __str__(self) -> str:
        if self.same_unit:
            return f"Case {self.reference} shares {self.matched}"
        return (
            f"Another unit's case {self.reference} ({self.unit}) shares {self.matched}; "
            "contact that unit"
        )


def links_for(user: Any, case: Case) -> list[Link]:
    """The other cases of ``case``'s organisation sharing a suspect key with it, as leads.
    404 when ``user`` cannot read ``case``."""
    membership = access.membership_of(user)
    if membership is None or not access.cases_readable_by(user).filter(pk=case.pk).exists():
        raise Http404("No such case")
    mine = SuspectKey.objects.filter(case=case).values("key_hash")
    matches = (
        SuspectKey.objects.filter(organisation_id=case.organisation_id, key_hash__in=mine)
        .exclude(case=case)
        .select_related("case__unit")
        .order_by("case__reference", "kind")
    )
    found: dict[Any, Link] = {}
    for key in matches:
        other = key.case
        same = other.unit_id == membership.unit_id
        link = found.setdefault(
            other.pk, Link(other.reference, other.unit.name, same, other.pk if same else None)
        )
        label = WITH_ARTICLE.get(key.kind, key.kind)
        if label not in link.kinds:
            link.kinds.append(label)
    return list(found.values())
