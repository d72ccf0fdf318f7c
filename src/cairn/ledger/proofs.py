"""Proving a vault's stored log from the database: what the ledger can check on its own.

- ``check_stored_log``: every leaf from its entry bytes, the tree, every signed tree head's
  root, signature and timestamp token (the pure ``cairn.ledger.checks``), and the ledger
  state's size and frontier against the entries.
- ``verify_against``: a consistency proof that the log still extends a checkpoint kept
  elsewhere.

The records the entries describe (incidents, persons, exhibits, imports) are checked above
the ledger, by ``cairn.integrity``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from cairn.ledger import checks, log, merkle, signing
from cairn.ledger.frontier import frontier_root, split
from cairn.ledger.models import LedgerEntry, LedgerState, TreeHead


def check_stored_log(vault: Any) -> checks.LogReport:
    """Check ``vault``'s entries, tree, signed heads and ledger state; every problem is a
    ``Failure`` in the report, whose ``parsed`` holds each entry's body by sequence number."""
    key = signing.instance_key()
    entries = [
        checks.StoredEntry(seq=seq, entry=bytes(entry), leaf_hash=bytes(leaf))
        for seq, entry, leaf in LedgerEntry.objects.filter(vault=vault)
        .order_by("seq")
        .values_list("seq", "entry", "leaf_hash")
        .iterator(2000)
    ]
    result = checks.check_log(
        str(vault.pk),
        entries,
        stored_heads(vault),
        public_key_raw=key.public_raw(),
        key_fingerprint=key.fingerprint(),
        check_token=_token_checker(),
    )
    state = LedgerState.objects.filter(vault=vault).first()
    if state is None:
        result.failures.append(checks.Failure("the ledger state", "is missing"))
    elif state.size != result.tree.size or frontier_root(split(bytes(state.frontier))) != (
        result.tree.root()
    ):
        result.failures.append(
            checks.Failure(
                "the ledger state",
                f"says {state.size} entries with another root; the entries "
                f"give {result.tree.size} (the next signed head would be wrong)",
            )
        )
    return result


def stored_heads(vault: Any) -> list[checks.StoredHead]:
    """The vault's signed tree heads as the pure checks take them, oldest first."""
    heads = []
    for head in TreeHead.objects.filter(vault=vault).order_by("size", "created_at"):
        token = bytes(head.timestamp_token) if head.timestamp_token is not None else None
        heads.append(
            checks.StoredHead(
                size=head.size,
                root=bytes(head.root_hash),
                timestamp=head.timestamp,
                key=head.key_fingerprint,
                signature=bytes(head.signature),
                token=token,
                message=log.signed_bytes(head),
                stamped=log.stamped_bytes(head),
            )
        )
    return heads


def _token_checker() -> Callable[[bytes, bytes], str | None] | None:
    cert_file = getattr(settings, "CAIRN_TSA_CERT_FILE", "")
    if not cert_file:
        return None
    from cairn.ledger.timestamping import TimestampError, verify_timestamp

    tsa_pem = Path(cert_file).read_bytes()
    ca_file = getattr(settings, "CAIRN_TSA_CA_FILE", "")
    ca_pem = Path(ca_file).read_bytes() if ca_file else None

    def check(token: bytes, data: bytes) -> str | None:
        try:
            verify_timestamp(token, data, tsa_certificate_pem=tsa_pem, ca_certificates_pem=ca_pem)
        except TimestampError as exc:
            return str(exc)
        return None

    return check


def verify_against(vault: Any, checkpoint: log.Checkpoint) -> list[checks.Failure]:
    """Prove that the vault's log still extends a checkpoint kept elsewhere.

    Checks the checkpoint's own signature, then a consistency proof (RFC 9162 §2.1.4) from the
    checkpoint's size to the current log, against the roots recomputed from the entries.
    """
    key = signing.instance_key()
    where = f"checkpoint of size {checkpoint.size} ({checkpoint.timestamp})"
    if checkpoint.vault != str(vault.pk):
        return [checks.Failure(where, "is for another vault")]
    if checkpoint.key != key.fingerprint():
        return [checks.Failure(where, "was signed by another key")]
    if not signing.verify_signature(key.public_raw(), checkpoint.message(), checkpoint.signature):
        return [
            checks.Failure(where, "its signature does not match (the checkpoint text was changed)")
        ]
    leaves = [
        bytes(leaf)
        for leaf in LedgerEntry.objects.filter(vault=vault)
        .order_by("seq")
        .values_list("leaf_hash", flat=True)
        .iterator(5000)
    ]
    tree = merkle.MerkleTree(leaves)
    if checkpoint.size > tree.size:
        return [
            checks.Failure(
                where,
                f"has {checkpoint.size} entries but the log now has only "
                f"{tree.size}: entries were removed",
            )
        ]
    proof = tree.consistency_proof(checkpoint.size, tree.size) if checkpoint.size else []
    if not merkle.verify_consistency(
        checkpoint.size, tree.size, checkpoint.root, tree.root(), proof
    ):
        return [
            checks.Failure(
                where,
                "the current log does not extend it: history before the checkpoint was rewritten",
            )
        ]
    return []
