"""Timings for the ledger's Merkle tree at 100,000 leaves (pytest-benchmark).

Run: ``.venv/bin/pytest bench/bench_merkle.py --benchmark-enable -q``
(the project's pytest options disable benchmarks by default).
"""

from __future__ import annotations

import pytest

from cairn.ledger.merkle import (
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

SIZE = 100_000


def _entries(n: int) -> list[bytes]:
    # Roughly the size of a canonical-JSON ledger entry.
    return [b'{"kind":"incident.created","seq":%d,"sha256":"%064x"}' % (i, i) for i in range(n)]


@pytest.fixture(scope="module")
def entries() -> list[bytes]:
    return _entries(SIZE)


@pytest.fixture(scope="module")
def leaf_hashes(entries: list[bytes]) -> list[bytes]:
    return [leaf_hash(e) for e in entries]


@pytest.fixture(scope="module")
def tree(leaf_hashes: list[bytes]) -> MerkleTree:
    return MerkleTree(leaf_hashes)


def test_build_from_leaf_hashes_and_root(benchmark, leaf_hashes):
    result = benchmark(lambda: MerkleTree(leaf_hashes).root())
    assert len(result) == 32


def test_build_from_entries_and_root(benchmark, entries):
    result = benchmark(lambda: MerkleTree.from_entries(entries).root())
    assert len(result) == 32


def test_inclusion_proof(benchmark, tree):
    proof = benchmark(inclusion_proof, tree, 77_777, SIZE)
    assert verify_inclusion(tree.leaf(77_777), 77_777, SIZE, proof, tree.root())


def test_consistency_proof(benchmark, tree):
    proof = benchmark(consistency_proof, tree, 65_537, SIZE)
    assert verify_consistency(65_537, SIZE, tree.root(65_537), tree.root(), proof)


def test_verify_inclusion(benchmark, tree):
    proof = inclusion_proof(tree, 77_777, SIZE)
    head = tree.root()
    assert benchmark(verify_inclusion, tree.leaf(77_777), 77_777, SIZE, proof, head)


def test_verify_consistency(benchmark, tree):
    proof = consistency_proof(tree, 65_537, SIZE)
    old, head = tree.root(65_537), tree.root()
    assert benchmark(verify_consistency, 65_537, SIZE, old, head, proof)
