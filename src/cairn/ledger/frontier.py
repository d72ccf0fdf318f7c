"""The right edge of an RFC 9162 tree, so a log can grow by one leaf in O(log n). Pure.

A tree of ``size`` leaves is a sequence of complete subtrees, one per set bit of ``size``,
largest first; the frontier is their roots. Appending merges equal-sized subtrees exactly as
adding one carries through a binary counter, and the tree's root folds the frontier from the
right, which is RFC 9162's split at the largest power of two below ``n``.
"""

from __future__ import annotations

from cairn.ledger import merkle

HASH = merkle.HASH_SIZE


def split(frontier: bytes) -> list[bytes]:
    """Cut a stored frontier (concatenated 32-byte roots) into its roots."""
    return [frontier[i : i + HASH] for i in range(0, len(frontier), HASH)]


def frontier_append(size: int, frontier: list[bytes], leaf: bytes) -> list[bytes]:
    """Return the frontier after appending ``leaf`` to a tree of ``size`` leaves.

    The frontier holds one root per set bit of ``size``, largest subtree first. Appending
    merges equal-sized subtrees exactly as adding one carries through a binary counter.
    """
    stack = list(frontier)
    carry = leaf
    level = 0
    while size >> level & 1:
        carry = merkle.node_hash(stack.pop(), carry)
        level += 1
    stack.append(carry)
    return stack


def frontier_root(frontier: list[bytes]) -> bytes:
    """The RFC 9162 root of the tree whose right edge is ``frontier``."""
    if not frontier:
        return merkle.EMPTY_ROOT
    node = frontier[-1]
    for left in reversed(frontier[:-1]):
        node = merkle.node_hash(left, node)
    return node
