"""A batch's recorded content, and re-hashing its items from the stored rows
(verification)."""

from __future__ import annotations

import json
from typing import Any

from cairn.importers.models import (
    CandidatePerson,
    ImportBatch,
    ImportedItem,
    ProposedIncident,
)
from cairn.importers.records import ItemsDigest, batch_record, item_record
from cairn.importers.services.drafts import SAVE_CHUNK
from cairn.ledger.log import content_hash
from cairn.store.sealed import unseal


def batch_content(batch: ImportBatch) -> dict[str, Any]:
    """What the ``import.committed`` entry hashes (``records.batch_record``), read from the
    database."""
    return batch_record(
        batch,
        CandidatePerson.objects.filter(batch=batch).values_list("pk", flat=True),
        ProposedIncident.objects.filter(batch=batch)
        .order_by("number")
        .values_list("pk", "rule", "number"),
    )


def batch_items_digest(batch: ImportBatch) -> str:
    """Recompute a batch's item digest from the stored rows, decrypting each (verification).

    Reads columns rather than model instances, for the same reason ``RowWriter`` writes
    them: a batch can hold 100,000 items.
    """
    attached: dict[Any, list[str]] = {}
    Through = ImportedItem.attachments.through
    for item_id, exhibit_id in Through.objects.filter(importeditem__batch=batch).values_list(
        "importeditem_id", "exhibit_id"
    ):
        attached.setdefault(item_id, []).append(str(exhibit_id))
    context = f"cairn:{ImportedItem._meta.db_table}:"
    contents = ItemsDigest()
    for row in (
        ImportedItem.objects.filter(batch=batch)
        .order_by("position")
        .values_list(
            "pk",
            "position",
            "kind",
            "sent_at",
            "received_at",
            "captured_at",
            "channel",
            "is_system",
            "origin",
            "fingerprint",
            "sealed",
        )
        .iterator(SAVE_CHUNK)
    ):
        pk, position, kind, sent, received, captured, channel, system, origin, fp, blob = row
        stored = unseal(batch.vault_id, f"{context}{pk}".encode(), bytes(blob)) if blob else {}
        secret = {
            "text": stored.get("text", ""),
            "sender_name": stored.get("sender_name", ""),
            "member": stored.get("member"),
            "details": stored.get("details", {}),
        }
        contents.add(
            item_record(
                pk,
                position,
                kind,
                sent,
                received,
                captured,
                channel,
                system,
                secret,
                origin,
                attached.get(pk, []),
                fp,
            )
        )
    return contents.hexdigest()


def verify_batch(batch: ImportBatch) -> list[str]:
    """Problems found re-hashing a batch against its ledger entry (empty when it holds)."""
    from cairn.ledger.models import LedgerEntry

    problems = []
    if batch_items_digest(batch) != batch.items_sha256:
        problems.append(f"import {batch.number}: its items differ from what was recorded")
    recorded = None
    for raw in (
        LedgerEntry.objects.filter(vault_id=batch.vault_id)
        .order_by("seq")
        .values_list("entry", flat=True)
    ):
        body = json.loads(bytes(raw))
        if body.get("kind") == "import.committed" and body["object"]["id"] == str(batch.pk):
            recorded = body.get("content_sha256")
    if recorded is None:
        problems.append(f"import {batch.number}: is not in the ledger")
    elif recorded != content_hash(batch_content(batch)):
        problems.append(f"import {batch.number}: differs from its ledger entry")
    return problems
