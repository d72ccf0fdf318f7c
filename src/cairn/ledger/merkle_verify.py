"""Checking RFC 9162 inclusion and consistency proofs: what an independent verifier needs.

Pure (no Django), and needs only the proof, the sizes and the roots, never the tree.
``cairn.ledger.merkle`` re-exports both functions, so callers import from there.
"""

from __future__ import annotations

from collections.abc import Sequence

from cairn.ledger.merkle_hashing import EMPTY_ROOT, is_hash, node_hash

__all__ = ["verify_consistency", "verify_inclusion"]


def _valid_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _valid_path(proof: object) -> bool:
    return isinstance(proof, (list, tuple)) and all(is_hash(node) for node in proof)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """Check an inclusion proof with the RFC 9162 §2.1.3.2 algorithm.

    What: does the leaf hash ``leaf`` sit at position ``index`` of the tree of ``size`` leaves
    whose root is ``root_hash``? Only the proof is needed, not the tree.

    Why this algorithm: it walks the proof using the bits of ``index`` and ``size - 1`` alone,
    and it rejects any proof that is too short or too long for the pair, so the proof cannot
    be re-interpreted as one for another position or size.

    Args:
        leaf: the 32-byte leaf hash (``leaf_hash(entry)``), not the entry itself.
        index: the claimed position, ``0 <= index < size``.
        size: the tree size of the signed head.
        proof: the audit path, as produced by :func:`inclusion_proof`.
        root_hash: the 32-byte root of the signed head.

    Returns:
        ``True`` only if the proof verifies. Any malformed input (negative or out-of-range
        numbers, hashes of the wrong length, wrong proof length, mismatching hashes) gives
        ``False``; nothing is raised.

    Note: take ``size`` and ``root_hash`` together from one signed tree head. The proof checks
    the root; the size matters only through the shape of the path it implies, so a genuine
    (size, root) pair must be what is trusted.
    """
    if not (_valid_size(index) and _valid_size(size) and index < size):
        return False
    if not (is_hash(leaf) and is_hash(root_hash) and _valid_path(proof)):
        return False
    fn = index
    sn = size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False  # the proof is longer than the tree is deep
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # If fn was the last node of its level with no right sibling (fn == sn, fn even),
            # climb until it is a right child, or reaches the left edge.
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check a consistency proof with the RFC 9162 §2.1.4.2 algorithm.

    What: is the tree of ``new_size`` leaves with root ``new_root`` an append-only extension
    of the tree of ``old_size`` leaves with root ``old_root``? If so, no entry of the earlier
    tree was changed, removed or reordered.

    Edge cases outside RFC 9162's ``0 < old_size < new_size``:

    - ``old_size == new_size``: consistent iff the proof is empty and the roots are equal;
    - ``old_size == 0``: consistent iff the proof is empty and ``old_root`` is
      :data:`EMPTY_ROOT` (every tree extends the empty one; ``new_root`` is not constrained).

    Args:
        old_size: size of the earlier tree head.
        new_size: size of the later tree head, ``>= old_size``.
        old_root: 32-byte root of the earlier head.
        new_root: 32-byte root of the later head.
        proof: the proof, as produced by :func:`consistency_proof`.

    Returns:
        ``True`` only if the proof verifies; any malformed or mismatching input gives
        ``False`` (nothing is raised).

    Note: as for :func:`verify_inclusion`, each size must come from the same signed tree
    head as its root.
    """
    if not (_valid_size(old_size) and _valid_size(new_size) and old_size <= new_size):
        return False
    if not (is_hash(old_root) and is_hash(new_root) and _valid_path(proof)):
        return False
    if old_size == 0:
        return len(proof) == 0 and old_root == EMPTY_ROOT
    if old_size == new_size:
        return len(proof) == 0 and old_root == new_root
    if len(proof) == 0:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        # The old tree is one complete subtree of the new one: its root is the first node.
        path.insert(0, old_root)
    fn = old_size - 1
    sn = new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False  # the proof is longer than the new tree is deep
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
