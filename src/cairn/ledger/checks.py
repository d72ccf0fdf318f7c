"""Pure checks of a vault's log: entries, tree, tree heads. No Django, no database.

``check_log`` recomputes every leaf from the stored entry bytes, rebuilds the RFC 9162 tree,
and checks every stored tree head's root, signature and timestamp token. Each problem is
reported as a ``Failure`` naming exactly where it is ("entry 17", "tree head of size 120")
and what differs, so that a tampered row is found, not just detected.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import orjson

from cairn.ledger import merkle
from cairn.ledger.ed25519 import verify_signature


@dataclass(frozen=True)
class Failure:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass(frozen=True)
class StoredEntry:
    seq: int
    entry: bytes
    leaf_hash: bytes


@dataclass(frozen=True)
class StoredHead:
    size: int
    root: bytes
    timestamp: str
    key: str
    signature: bytes
    token: bytes | None
    message: bytes  # the bytes the signature should cover, rebuilt from the stored fields
    stamped: bytes  # the bytes the timestamp token should cover


@dataclass
class LogReport:
    entries: int = 0
    heads: int = 0
    tokens: int = 0
    failures: list[Failure] = field(default_factory=list)
    parsed: dict[int, dict[str, object]] = field(default_factory=dict)
    tree: merkle.MerkleTree = field(default_factory=merkle.MerkleTree)


TokenCheck = Callable[[bytes, bytes], str | None]  # (token, data) -> problem or None


def check_log(
    vault_id: str,
    entries: Sequence[StoredEntry],
    heads: Sequence[StoredHead],
    *,
    public_key_raw: bytes,
    key_fingerprint: str,
    check_token: TokenCheck | None = None,
) -> LogReport:
    report = LogReport(entries=len(entries), heads=len(heads))
    leaves: list[bytes] = []
    for expected_seq, stored in enumerate(entries):
        where = f"entry {stored.seq}"
        if stored.seq != expected_seq:
            report.failures.append(
                Failure(
                    where,
                    f"out of sequence: expected entry {expected_seq}"
                    " here (an entry is missing or was inserted)",
                )
            )
        recomputed = merkle.leaf_hash(stored.entry)
        if recomputed != stored.leaf_hash:
            report.failures.append(
                Failure(
                    where,
                    "the stored leaf hash differs from the hash "
                    f"of the entry (stored {stored.leaf_hash.hex()[:16]}…,"
                    f" recomputed {recomputed.hex()[:16]}…)",
                )
            )
        leaves.append(stored.leaf_hash)
        # The leaf hash binds these exact bytes, and a signed root binds the leaves; parsing
        # is all that is left to do here (re-canonicalising would prove nothing more).
        try:
            body = orjson.loads(stored.entry)  # strict JSON, about three times json's speed
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError as exc:  # orjson.JSONDecodeError is one
            report.failures.append(Failure(where, f"the entry is not valid JSON ({exc})"))
            continue
        if body.get("seq") != stored.seq:
            report.failures.append(Failure(where, f"the entry says it is entry {body.get('seq')}"))
        if body.get("vault") != vault_id:
            report.failures.append(Failure(where, "the entry belongs to another vault"))
        report.parsed[stored.seq] = body
    report.tree = merkle.MerkleTree(leaves)

    previous: StoredHead | None = None
    for head in heads:
        where = f"tree head of size {head.size} ({head.timestamp})"
        if head.size > len(leaves):
            report.failures.append(
                Failure(where, f"claims {head.size} entries but the log has {len(leaves)}")
            )
            continue
        if head.key != key_fingerprint:
            report.failures.append(
                Failure(
                    where,
                    f"signed by key {head.key[:16]}…, not this "
                    f"instance's key {key_fingerprint[:16]}…",
                )
            )
        elif not verify_signature(public_key_raw, head.message, head.signature):
            report.failures.append(Failure(where, "the signature does not match the head"))
        recomputed_root = report.tree.root(head.size)
        if recomputed_root != head.root:
            report.failures.append(
                Failure(
                    where,
                    "the root does not match the entries (the log "
                    "was changed after this head was signed)",
                )
            )
        if head.token is not None:
            report.tokens += 1
            if check_token is None:
                report.failures.append(
                    Failure(
                        where,
                        "has a timestamp token but no time-stamping"
                        " authority certificate is configured to check it",
                    )
                )
            else:
                problem = check_token(head.token, head.stamped)
                if problem:
                    report.failures.append(Failure(where, f"timestamp token: {problem}"))
        if previous is not None and previous.size > head.size:
            report.failures.append(Failure(where, "heads are out of order"))
        previous = head
    return report
