"""The RFC 9162 hashes a Merkle tree is made of: leaves, interior nodes, the empty tree.

Pure (no Django). Split from ``cairn.ledger.merkle`` so that proof verification
(``cairn.ledger.merkle_verify``) needs only these, not the tree; ``cairn.ledger.merkle``
re-exports everything, so callers import from there.
"""

from __future__ import annotations

import hashlib

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "LEAF_PREFIX",
    "NODE_PREFIX",
    "is_hash",
    "leaf_hash",
    "node_hash",
]

HASH_SIZE = 32
"""Length in bytes of every hash in the tree (SHA-256)."""

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256

EMPTY_ROOT: bytes = _sha256(b"").digest()
"""The Merkle Tree Hash of the empty list: SHA-256 of no bytes (RFC 9162 §2.1.1)."""


def leaf_hash(entry: bytes) -> bytes:
    """Return the RFC 9162 leaf hash of one log entry: ``SHA-256(0x00 || entry)``.

    The 0x00 prefix (against 0x01 for interior nodes) stops anyone from passing off an
    interior node as a leaf (a second-preimage attack on the tree).

    Args:
        entry: the entry's exact bytes (for the ledger, its RFC 8785 canonical JSON).

    Returns:
        The 32-byte digest.

    Raises:
        TypeError: if ``entry`` is not bytes-like.
    """
    return _sha256(LEAF_PREFIX + bytes(entry)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 interior node hash ``SHA-256(0x01 || left || right)``.

    Args:
        left: hash of the left subtree (32 bytes).
        right: hash of the right subtree (32 bytes).

    Returns:
        The 32-byte digest. Lengths are not checked here (this is the inner loop); callers
        that take hashes from outside check them first.

    Raises:
        TypeError: if either argument is not bytes-like.
    """
    return _sha256(NODE_PREFIX + left + right).digest()


def is_hash(value: object) -> bool:
    """True when ``value`` is a bytes object of exactly :data:`HASH_SIZE` bytes."""
    return isinstance(value, bytes) and len(value) == HASH_SIZE
