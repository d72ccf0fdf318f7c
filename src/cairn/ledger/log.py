"""Appending to a vault's ledger and signing its tree heads.

``append`` is called by the services' single ``record_change``, inside the transaction that
makes the change, so the entry commits or rolls back with it. It costs O(log n): the right
edge of the tree (``LedgerState.frontier``) is updated like a binary counter, without reading
earlier entries.

``sign_head`` turns the current size and root into a signed tree head, countersigned by a
time-stamping authority when one is configured (``CAIRN_TSA_URL``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from cairn.ledger import merkle, signing
from cairn.ledger.canonical import canonical_json
from cairn.ledger.frontier import frontier_append, frontier_root, split
from cairn.ledger.heads import head_bytes
from cairn.ledger.models import LedgerEntry, LedgerState, TreeHead
from cairn.store.rows import RowWriter

ENTRY_VERSION = 1


def rfc3339(moment: datetime) -> str:
    """UTC with microseconds and a Z, the one time format entries and heads use."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content_hash(content: Any) -> str:
    """SHA-256 (hex) of an object's RFC 8785 canonical content."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


# --- appending -----------------------------------------------------------------------------


def start(vault: Any) -> LedgerState:
    """Create a vault's empty ledger (called when the vault is created)."""
    return LedgerState.objects.create(vault=vault, size=0, frontier=b"")


def entry_bytes(
    *,
    vault_id: str,
    seq: int,
    actor_id: str,
    kind: str,
    object_type: str,
    object_id: object,
    content: Any = None,
    extra: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> bytes:
    """The RFC 8785 bytes of one entry::

        {v, vault, seq, at, actor, kind, object: {type, id}, content_sha256, ...extra}

    ``content_sha256`` is the SHA-256 of the object's canonical content (``None`` when there
    is no content, e.g. a destroyed vault).
    """
    body: dict[str, Any] = {
        "v": ENTRY_VERSION,
        "vault": vault_id,
        "seq": seq,
        "at": rfc3339(at or datetime.now(UTC)),
        "actor": actor_id,
        "kind": kind,
        "object": {"type": object_type, "id": str(object_id)},
        "content_sha256": content_hash(content) if content is not None else None,
    }
    if extra:
        body.update(extra)
    return canonical_json(body)


def append(
    *,
    vault: Any,
    actor: Any,
    kind: str,
    object_type: str,
    object_id: object,
    content: Any = None,
    extra: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> LedgerEntry:
    """Append one entry to the vault's ledger, inside the caller's transaction.

    Raises RuntimeError outside a transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger entries are appended inside the service's transaction")
    state = LedgerState.objects.select_for_update().get(vault=vault)
    seq = state.size
    data = entry_bytes(
        vault_id=str(vault.pk),
        seq=seq,
        actor_id=str(actor.pk),
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        content=content,
        extra=extra,
        at=at,
    )
    leaf = merkle.leaf_hash(data)
    frontier = frontier_append(seq, split(bytes(state.frontier)), leaf)
    row = LedgerEntry.objects.create(vault=vault, seq=seq, entry=data, leaf_hash=leaf)
    state.size = seq + 1
    state.frontier = b"".join(frontier)
    state.save(update_fields=["size", "frontier"])
    return row


@dataclass(frozen=True)
class Change:
    """One entry to append with ``append_many``: the arguments ``append`` takes."""

    actor_id: str
    kind: str
    object_type: str
    object_id: object
    content: Any = None
    extra: dict[str, Any] | None = None


def append_many(*, vault: Any, changes: list[Change]) -> int:
    """Append entries in the order given, inside the caller's transaction: the same entries
    as ``append`` called once for each, written with one lock of the ledger's state, one
    prepared insert for all of them and one update of the frontier. Returns how many."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger entries are appended inside the service's transaction")
    if not changes:
        return 0
    state = LedgerState.objects.select_for_update().get(vault=vault)
    seq = state.size
    frontier = split(bytes(state.frontier))
    vault_id = str(vault.pk)
    rows = RowWriter(LedgerEntry, ["vault", "seq", "entry", "leaf_hash"])
    for change in changes:
        data = entry_bytes(
            vault_id=vault_id,
            seq=seq,
            actor_id=change.actor_id,
            kind=change.kind,
            object_type=change.object_type,
            object_id=change.object_id,
            content=change.content,
            extra=change.extra,
        )
        leaf = merkle.leaf_hash(data)
        frontier = frontier_append(seq, frontier, leaf)
        rows.add((vault.pk, seq, data, leaf))
        seq += 1
    rows.flush()
    state.size = seq
    state.frontier = b"".join(frontier)
    state.save(update_fields=["size", "frontier"])
    return len(changes)


# --- tree heads ----------------------------------------------------------------------------


def token_digest(token: bytes | None) -> str | None:
    return hashlib.sha256(token).hexdigest() if token is not None else None


def stamped_bytes(head: TreeHead) -> bytes:
    """What the time-stamping authority's token covers."""
    return head_bytes(
        vault_id=str(head.vault_id),
        size=head.size,
        root=bytes(head.root_hash),
        timestamp=head.timestamp,
        key=head.key_fingerprint,
    )


def signed_bytes(head: TreeHead) -> bytes:
    """What the instance's signature covers."""
    token = bytes(head.timestamp_token) if head.timestamp_token is not None else None
    return head_bytes(
        vault_id=str(head.vault_id),
        size=head.size,
        root=bytes(head.root_hash),
        timestamp=head.timestamp,
        key=head.key_fingerprint,
        token_sha256=token_digest(token),
    )


def current_root(vault: Any) -> tuple[int, bytes]:
    state = LedgerState.objects.get(vault=vault)
    return state.size, frontier_root(split(bytes(state.frontier)))


def latest_head(vault: Any) -> TreeHead | None:
    return TreeHead.objects.filter(vault=vault).order_by("-size").first()


def sign_head(vault: Any) -> TreeHead:
    """Return a signed head for the ledger's current size, signing a new one if needed.

    Called by services only (``cairn.ledger.services.seal`` audits who asked; a pack's build
    signs the head it proves against). A time-stamping authority, when configured,
    countersigns the head's bytes; if it cannot be reached the head is still signed and
    stored without a token (and says so), because a victim's record must not depend on a
    third party being up.
    """
    return signed_head(vault)[0]


def signed_head(vault: Any) -> tuple[TreeHead, bool]:
    """``sign_head``, also saying whether the head was signed now (False: it existed)."""
    with transaction.atomic():
        state = LedgerState.objects.select_for_update().get(vault=vault)
        existing = TreeHead.objects.filter(vault=vault, size=state.size).first()
        if existing is not None:
            return existing, False
        key = signing.instance_key()
        root = frontier_root(split(bytes(state.frontier)))
        stamp = rfc3339(datetime.now(UTC))
        fields = {
            "vault_id": str(vault.pk),
            "size": state.size,
            "root": root,
            "timestamp": stamp,
            "key": key.fingerprint(),
        }
        token = _countersign(head_bytes(**fields))
        signature = key.sign(head_bytes(**fields, token_sha256=token_digest(token)))
        return TreeHead.objects.create(
            vault=vault,
            size=state.size,
            root_hash=root,
            timestamp=stamp,
            key_fingerprint=key.fingerprint(),
            signature=signature,
            timestamp_token=token,
        ), True


def _countersign(message: bytes) -> bytes | None:
    url = getattr(settings, "CAIRN_TSA_URL", "")
    if not url:
        return None
    from cairn.ledger.timestamping import TimestampError, request_timestamp

    try:
        return request_timestamp(url, message)
    except TimestampError:
        return None


# --- checkpoints ---------------------------------------------------------------------------

CHECKPOINT_TITLE = "Cairn checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    vault: str
    size: int
    root: bytes
    timestamp: str
    key: str
    signature: bytes
    token_sha256: str | None = None

    def message(self) -> bytes:
        return head_bytes(
            vault_id=self.vault,
            size=self.size,
            root=self.root,
            timestamp=self.timestamp,
            key=self.key,
            token_sha256=self.token_sha256,
        )


def checkpoint_text(head: TreeHead) -> str:
    """A short text a victim can e-mail to herself or an officer: the signed head, nothing
    about the content."""
    lines = [
        CHECKPOINT_TITLE,
        f"vault: {head.vault_id}",
        f"size: {head.size}",
        f"root: {bytes(head.root_hash).hex()}",
        f"time: {head.timestamp}",
        f"key: {head.key_fingerprint}",
        f"signature: {base64.b64encode(bytes(head.signature)).decode('ascii')}",
    ]
    if head.timestamp_token is not None:
        lines.append(f"timestamp token sha256: {token_digest(bytes(head.timestamp_token))}")
    return "\n".join(lines) + "\n"


class CheckpointError(ValueError):
    pass


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse ``checkpoint_text`` output; tolerant of surrounding e-mail text and indentation."""
    fields: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip().lstrip(">").strip()
        if ":" in line:
            name, _, value = line.partition(":")
            if name in {
                "vault",
                "size",
                "root",
                "time",
                "key",
                "signature",
                "timestamp token sha256",
            }:
                fields[name] = value.strip()
    missing = [n for n in ("vault", "size", "root", "time", "key", "signature") if n not in fields]
    if missing:
        raise CheckpointError(f"not a Cairn checkpoint: missing {', '.join(missing)}")
    try:
        return Checkpoint(
            vault=fields["vault"],
            size=int(fields["size"]),
            root=bytes.fromhex(fields["root"]),
            timestamp=fields["time"],
            key=fields["key"],
            signature=base64.b64decode(fields["signature"], validate=True),
            token_sha256=fields.get("timestamp token sha256"),
        )
    except ValueError as exc:
        raise CheckpointError(f"the checkpoint is damaged: {exc}") from None


def entry_json(entry: LedgerEntry) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(bytes(entry.entry))
    return parsed
