"""The canonical content of the importers' records, as their ledger entries hash it (pure).

No Django here, not even inside functions: the whole-vault verification (``cairn verify``)
and the services both build these contents, so a record hashes the same wherever it is
checked. Each builder takes the record (a model instance, or any object with the same
attributes) and whatever the caller read from the database for it.

- ``item_content`` / ``item_record``: an imported item, covered by its batch's
  ``items_sha256`` (``items_digest``, or ``ItemsDigest`` fed one item at a time).
- ``batch_record``: an ``import.committed`` entry.
- ``proposal_record``: a proposal's accepted or dismissed entry.
- ``candidate_content``: an unknown sender confirmed or dismissed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def parse_iso(value: Any) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def plain(value: Any) -> Any:
    """Metadata made safe for canonical JSON: floats as their shortest decimal string."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def item_content(item: Any, attachment_ids: Sequence[str]) -> dict[str, Any]:
    """The canonical content of an imported item, as the batch's ledger entry covers it.

    Links to persons and candidates, and whether it is the victim's own, are left out: they
    are interpretations that change when the victim confirms a sender, and each such change
    has its own ledger entry.
    """
    secret = {
        "text": item.text,
        "sender_name": item.sender_name,
        "member": item.member,
        "details": item.details,
    }
    return item_record(
        item.pk,
        item.position,
        item.kind,
        item.sent_at,
        item.received_at,
        item.captured_at,
        item.channel,
        item.is_system,
        secret,
        item.origin,
        attachment_ids,
        item.fingerprint,
    )


def item_record(
    pk: Any,
    position: int,
    kind: str,
    sent_at: datetime | None,
    received_at: datetime | None,
    captured_at: datetime | None,
    channel: str,
    is_system: bool,
    secret: dict[str, Any],
    origin: dict[str, Any],
    attachment_ids: Sequence[str],
    fingerprint: str,
) -> dict[str, Any]:
    """An item's content from its columns and its sealed ``secret`` (text, sender name,
    zip member, details), as both the import and the verification read them."""
    return {
        "id": str(pk),
        "position": position,
        "kind": kind,
        "sent_at": iso(sent_at),
        "received_at": iso(received_at),
        "captured_at": iso(captured_at),
        "channel": channel,
        "is_system": is_system,
        "sender_name": secret["sender_name"],
        "text": secret["text"],
        "member": secret["member"],
        "origin": origin,
        "details": secret["details"],
        "attachments": sorted(attachment_ids),
        "fingerprint": fingerprint,
    }


def items_digest(contents: Sequence[dict[str, Any]]) -> str:
    """SHA-256 of the RFC 8785 canonical JSON of the item list.

    For these values (strings, integers, booleans, null, ASCII keys; floats are turned into
    strings by ``plain``) ``json.dumps`` with sorted keys, no spaces and no ASCII escaping
    writes exactly the bytes RFC 8785 prescribes, about ten times faster than the general
    canonicaliser; tests/test_import_pipeline.py checks the two agree.
    """
    digest = ItemsDigest()
    for content in contents:
        digest.add(content)
    return digest.hexdigest()


class ItemsDigest:
    """``items_digest`` fed one item at a time, so an import need not hold every item's
    content: the list's bytes are ``[``, the items' bytes joined by ``,``, then ``]``, exactly
    what ``json.dumps`` writes for the whole list with these options."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(b"[")
        self._first = True

    def add(self, content: dict[str, Any]) -> None:
        text = json.dumps(
            content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        )
        self._hash.update((text if self._first else "," + text).encode("utf-8"))
        self._first = False

    def hexdigest(self) -> str:
        done = self._hash.copy()
        done.update(b"]")
        return done.hexdigest()


def batch_record(
    batch: Any, candidate_ids: Iterable[Any], proposals: Iterable[tuple[Any, str, int]]
) -> dict[str, Any]:
    """What the ``import.committed`` entry hashes: the batch, the digest of its items, its
    candidates' ids and its proposals (id, rule, number; in number order), and the DKIM keys
    it archived (only when there are some, so that the content of batches recorded before
    keys were archived is unchanged)."""
    content = {
        "id": str(batch.pk),
        "vault": str(batch.vault_id),
        "number": batch.number,
        "format": batch.format,
        "source_exhibit": str(batch.source_exhibit_id),
        "source_sha256": batch.source_exhibit.sha256,
        "assumed_time_zone": batch.assumed_time_zone,
        "date_order": batch.date_order,
        "items": batch.new_count,
        "items_sha256": batch.items_sha256,
        "duplicates": batch.duplicate_count,
        "notes": batch.notes,
        "candidates": sorted(str(pk) for pk in candidate_ids),
        "proposals": [
            {"id": str(pk), "rule": rule, "number": number} for pk, rule, number in proposals
        ],
    }
    if keys := batch.dkim_keys:
        content["dkim_keys"] = keys
    return content


def proposal_record(proposal: Any, item_ids: Iterable[Any]) -> dict[str, Any]:
    """What a proposal's ledger entries hash, with its items' ids."""
    return {
        "id": str(proposal.pk),
        "batch": str(proposal.batch_id),
        "number": proposal.number,
        "rule": proposal.rule,
        "status": proposal.status,
        "incident": str(proposal.incident_id) if proposal.incident_id else None,
        "items": sorted(str(pk) for pk in item_ids),
    }


def candidate_content(candidate: Any) -> dict[str, Any]:
    """What an unknown sender's confirmed or dismissed entry hashes."""
    return {
        "id": str(candidate.pk),
        "vault": str(candidate.vault_id),
        "batch": str(candidate.batch_id),
        "status": candidate.status,
        "person": str(candidate.person_id) if candidate.person_id else None,
        "display_name": candidate.display_name,
        "identifiers": candidate.identifiers,
    }
