"""The ledger's O(log n) append (the right-edge frontier) gives the same root as a full tree."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.ledger import merkle
from cairn.ledger.frontier import frontier_append, frontier_root


@settings(max_examples=200)
@given(st.lists(st.binary(max_size=8), max_size=300))
def test_the_frontier_root_equals_the_merkle_root_after_every_append(entries):
    frontier: list[bytes] = []
    leaves: list[bytes] = []
    assert frontier_root(frontier) == merkle.EMPTY_ROOT
    for size, entry in enumerate(entries):
        leaf = merkle.leaf_hash(entry)
        frontier = frontier_append(size, frontier, leaf)
        leaves.append(leaf)
        assert frontier_root(frontier) == merkle.root(leaves)
        assert len(frontier) == bin(size + 1).count("1")


def test_the_frontier_handles_a_large_log():
    frontier: list[bytes] = []
    leaves = [hashlib.sha256(str(i).encode()).digest() for i in range(5000)]
    for size, leaf in enumerate(leaves):
        frontier = frontier_append(size, frontier, leaf)
    assert frontier_root(frontier) == merkle.MerkleTree(leaves).root()
