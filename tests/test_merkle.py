"""RFC 9162 Merkle tree hashing and RFC 8785 canonical JSON (cairn.ledger.merkle/.canonical).

Pure tests: no database. The optimised tree is checked against a naive, recursive transcription
of RFC 9162's definitions (MTH, PATH, PROOF/SUBPROOF) written here independently, then the
verifiers are checked to accept every genuine proof and to refuse every altered one.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import OrderedDict
from datetime import datetime
from decimal import Decimal
from enum import IntEnum, StrEnum

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.ledger.canonical import MAX_DEPTH, CanonicalisationError, canonical_json
from cairn.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# --- naive reference: RFC 9162 §2.1 read literally, recursion and all ------------------------


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(entries: list[bytes]) -> bytes:
    n = len(entries)
    if n == 0:
        return _sha(b"")
    if n == 1:
        return _sha(b"\x00" + entries[0])
    k = _split(n)
    return _sha(b"\x01" + ref_mth(entries[:k]) + ref_mth(entries[k:]))


def ref_path(m: int, entries: list[bytes]) -> list[bytes]:
    n = len(entries)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*ref_path(m, entries[:k]), ref_mth(entries[k:])]
    return [*ref_path(m - k, entries[k:]), ref_mth(entries[:k])]


def ref_subproof(m: int, entries: list[bytes], whole: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if whole else [ref_mth(entries)]
    k = _split(n)
    if m <= k:
        return [*ref_subproof(m, entries[:k], whole), ref_mth(entries[k:])]
    return [*ref_subproof(m - k, entries[k:], False), ref_mth(entries[:k])]


def ref_proof(m: int, entries: list[bytes]) -> list[bytes]:
    return ref_subproof(m, entries, True)


def make_entries(n: int, salt: bytes = b"") -> list[bytes]:
    """Distinct entries (so no two leaves share a hash), of varying lengths."""
    return [salt + i.to_bytes(4, "big") * (1 + i % 3) for i in range(n)]


def flip(data: bytes, bit: int) -> bytes:
    bit %= len(data) * 8
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# --- hashing and roots -------------------------------------------------------------------------


def test_primitives():
    assert leaf_hash(b"abc") == _sha(b"\x00abc")
    left, right = _sha(b"l"), _sha(b"r")
    assert node_hash(left, right) == _sha(b"\x01" + left + right)
    assert EMPTY_ROOT.hex() == hashlib.sha256(b"").hexdigest()
    assert root([]) == EMPTY_ROOT
    assert MerkleTree().root() == EMPTY_ROOT
    assert MerkleTree().size == 0


@pytest.mark.parametrize("n", range(71))
def test_root_matches_naive_definition(n):
    entries = make_entries(n)
    hashes = [leaf_hash(e) for e in entries]
    expected = ref_mth(entries)
    assert root(hashes) == expected
    assert MerkleTree.from_entries(entries).root() == expected
    # The root of every prefix, read off the full tree, is the prefix's own MTH.
    tree = MerkleTree(hashes)
    assert tree.root(n) == expected
    if n:
        assert tree.root(n - 1) == ref_mth(entries[:-1])


# The inputs and roots used by the Certificate Transparency reference implementations'
# tests (leaves given in hex there: "", "00", "10", "2021", ...). Each is re-derived below
# with the naive reference, so this test does not rest on the constants alone.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b" !",
    b"01",
    b"@ABC",
    b"PQRSTUVW",
    b"`abcdefghijklmno",
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_ct_reference_vectors():
    tree = MerkleTree.from_entries(CT_LEAVES)
    for size in range(1, len(CT_LEAVES) + 1):
        naive = ref_mth(CT_LEAVES[:size])
        assert naive.hex() == CT_ROOTS[size - 1]
        assert tree.root(size) == naive


def test_append_one_by_one_equals_bulk_build():
    entries = make_entries(300)
    hashes = [leaf_hash(e) for e in entries]
    grown = MerkleTree()
    for index, h in enumerate(hashes):
        assert grown.append(h) == index
        assert grown.root() == root(hashes[: index + 1])
    bulk = MerkleTree(hashes[:100])
    bulk.extend(hashes[100:250])
    bulk.extend([])
    bulk.extend(hashes[250:])
    for size in range(301):
        assert grown.root(size) == bulk.root(size)
    assert [grown.leaf(i) for i in range(300)] == hashes
    assert len(grown) == 300


def test_tree_refuses_bad_leaf_hashes_and_stays_unchanged():
    tree = MerkleTree.from_entries([b"a", b"b"])
    before = tree.root()
    for bad in (b"short", b"x" * 33, "a" * 32, None, bytearray(32)):
        with pytest.raises(ValueError):
            tree.extend([leaf_hash(b"c"), bad])  # type: ignore[list-item]
        with pytest.raises(ValueError):
            tree.append(bad)  # type: ignore[arg-type]
    assert tree.size == 2
    assert tree.root() == before


def test_proof_generation_refuses_out_of_range():
    tree = MerkleTree.from_entries(make_entries(5))
    for index, size in [(5, 5), (-1, 5), (0, 0), (0, 6), (3, 3)]:
        with pytest.raises(ValueError):
            inclusion_proof(tree, index, size)
    for old, new in [(6, 6), (-1, 5), (3, 2), (1, 6)]:
        with pytest.raises(ValueError):
            consistency_proof(tree, old, new)
    for bad_size in (-1, 6):
        with pytest.raises(ValueError):
            tree.root(bad_size)
    with pytest.raises(ValueError):
        tree.leaf(5)
    with pytest.raises(TypeError):
        tree.root(2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tree.inclusion_proof(True, 3)


# --- proofs against the naive definitions ---------------------------------------------------


def test_proofs_match_naive_definitions_exhaustively_for_small_trees():
    entries = make_entries(40)
    tree = MerkleTree.from_entries(entries)
    for size in range(1, 41):
        prefix = entries[:size]
        for index in range(size):
            assert inclusion_proof(tree, index, size) == ref_path(index, prefix)
        for old in range(1, size):
            assert consistency_proof(tree, old, size) == ref_proof(old, prefix)


def test_every_small_proof_verifies():
    entries = make_entries(64)
    tree = MerkleTree.from_entries(entries)
    for size in range(1, 65):
        head = tree.root(size)
        for index in range(size):
            proof = inclusion_proof(tree, index, size)
            assert verify_inclusion(tree.leaf(index), index, size, proof, head)
        for old in range(0, size + 1):
            proof = consistency_proof(tree, old, size)
            assert verify_consistency(old, size, tree.root(old), head, proof)


def test_edge_cases_of_consistency():
    tree = MerkleTree.from_entries(make_entries(9))
    r9, r5 = tree.root(9), tree.root(5)
    # Equal sizes: the proof is empty and only equal roots are consistent.
    assert consistency_proof(tree, 9, 9) == []
    assert verify_consistency(9, 9, r9, r9, [])
    assert not verify_consistency(9, 9, r5, r9, [])
    assert not verify_consistency(9, 9, r9, r9, [r9])
    # Every tree extends the empty one, whose root is fixed.
    assert consistency_proof(tree, 0, 9) == []
    assert verify_consistency(0, 9, EMPTY_ROOT, r9, [])
    assert not verify_consistency(0, 9, r5, r9, [])
    assert not verify_consistency(0, 9, EMPTY_ROOT, r9, [r5])
    # A non-trivial pair needs a non-empty proof.
    assert not verify_consistency(5, 9, r5, r9, [])
    # Shrinking is never consistent.
    assert not verify_consistency(9, 5, r9, r5, consistency_proof(tree, 5, 9))


def test_proof_too_short_for_the_claimed_size_fails():
    """A genuine proof and root for 3 leaves, presented as a head of 5 leaves.

    The hashes all recombine to the real root; only RFC 9162's final "sn is 0" test notices
    that the path ends before reaching the top of a 5-leaf tree.
    """
    tree = MerkleTree.from_entries(make_entries(5))
    r2, r3 = tree.root(2), tree.root(3)
    assert verify_inclusion(tree.leaf(0), 0, 3, tree.inclusion_proof(0, 3), r3)
    assert not verify_inclusion(tree.leaf(0), 0, 5, tree.inclusion_proof(0, 3), r3)
    assert verify_consistency(2, 3, r2, r3, tree.consistency_proof(2, 3))
    assert not verify_consistency(2, 5, r2, r3, tree.consistency_proof(2, 3))


def test_verifiers_return_false_on_malformed_input():
    tree = MerkleTree.from_entries(make_entries(10))
    head = tree.root()
    leaf = tree.leaf(3)
    proof = tree.inclusion_proof(3)
    assert verify_inclusion(leaf, 3, 10, proof, head)
    garbage = [
        (leaf[:31], 3, 10, proof, head),
        (leaf, 3, 10, proof, head + b"\x00"),
        (leaf, -1, 10, proof, head),
        (leaf, 10, 10, proof, head),
        (leaf, 3, 0, proof, head),
        (leaf, 3, -10, proof, head),
        (leaf, 3, 10, [*proof[:-1], proof[-1][:-1]], head),
        (leaf, 3, 10, None, head),
        (leaf, 3, 10, "not a proof", head),
        (leaf, 3, 10, [None] * len(proof), head),
        ("x" * 32, 3, 10, proof, head),
        (leaf, 3.0, 10, proof, head),
        (leaf, 3, "10", proof, head),
        (leaf, 3, 10, proof, None),
    ]
    for args in garbage:
        assert verify_inclusion(*args) is False  # type: ignore[arg-type]

    old = tree.root(4)
    cproof = tree.consistency_proof(4)
    assert verify_consistency(4, 10, old, head, cproof)
    garbage_c = [
        (-1, 10, old, head, cproof),
        (4, 3, old, head, cproof),
        (4, 10, old[:-1], head, cproof),
        (4, 10, old, head, [*cproof, b""]),
        (4, 10, old, head, None),
        (4, 10, old, head, [c.hex() for c in cproof]),
        (4.0, 10, old, head, cproof),
        (4, 10, None, head, cproof),
    ]
    for args in garbage_c:
        assert verify_consistency(*args) is False  # type: ignore[arg-type]


# --- property tests ------------------------------------------------------------------------

unique_entries = st.lists(st.binary(max_size=40), min_size=1, max_size=300, unique=True)
hash_bytes = st.binary(min_size=32, max_size=32)
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(entries=unique_entries, data=st.data())
def test_inclusion_proofs_verify_and_alterations_fail(entries, data):
    tree = MerkleTree.from_entries(entries)
    n = len(entries)
    size = data.draw(st.integers(1, n), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    leaf = tree.leaf(index)
    head = tree.root(size)
    proof = inclusion_proof(tree, index, size)
    assert root([tree.leaf(i) for i in range(size)]) == head
    assert verify_inclusion(leaf, index, size, proof, head)
    assert len(proof) <= (size - 1).bit_length()

    bit = data.draw(st.integers(0, 255), label="bit")
    assert not verify_inclusion(flip(leaf, bit), index, size, proof, head)
    assert not verify_inclusion(leaf, index, size, proof, flip(head, bit))
    for position in range(len(proof)):
        altered = list(proof)
        altered[position] = flip(altered[position], bit)
        assert not verify_inclusion(leaf, index, size, altered, head)

    if size > 1:
        other_index = data.draw(
            st.integers(0, size - 1).filter(lambda i: i != index), label="other index"
        )
        assert not verify_inclusion(leaf, other_index, size, proof, head)
        # Nor does the proof vouch for another leaf at this index.
        assert not verify_inclusion(tree.leaf(other_index), index, size, proof, head)
    other_size = data.draw(st.integers(index + 1, n), label="other size")
    if other_size != size:
        assert not verify_inclusion(leaf, index, other_size, proof, tree.root(other_size))

    extra = data.draw(hash_bytes, label="extra")
    assert not verify_inclusion(leaf, index, size, [*proof, extra], head)
    assert not verify_inclusion(leaf, index, size, [extra, *proof], head)
    if proof:
        assert not verify_inclusion(leaf, index, size, proof[:-1], head)
        assert not verify_inclusion(leaf, index, size, proof[1:], head)


@PROPERTY_SETTINGS
@given(entries=unique_entries, data=st.data())
def test_consistency_proofs_verify_and_alterations_fail(entries, data):
    tree = MerkleTree.from_entries(entries)
    n = len(entries)
    new = data.draw(st.integers(1, n), label="new size")
    old = data.draw(st.integers(1, new), label="old size")
    old_root, new_root = tree.root(old), tree.root(new)
    proof = consistency_proof(tree, old, new)
    assert verify_consistency(old, new, old_root, new_root, proof)

    bit = data.draw(st.integers(0, 255), label="bit")
    assert not verify_consistency(old, new, flip(old_root, bit), new_root, proof)
    assert not verify_consistency(old, new, old_root, flip(new_root, bit), proof)
    for position in range(len(proof)):
        altered = list(proof)
        altered[position] = flip(altered[position], bit)
        assert not verify_consistency(old, new, old_root, new_root, altered)

    other_old = data.draw(st.integers(1, new), label="other old size")
    if other_old != old:
        assert not verify_consistency(other_old, new, tree.root(other_old), new_root, proof)
    other_new = data.draw(st.integers(old, n), label="other new size")
    if other_new != new:
        assert not verify_consistency(old, other_new, old_root, tree.root(other_new), proof)

    extra = data.draw(hash_bytes, label="extra")
    assert not verify_consistency(old, new, old_root, new_root, [*proof, extra])
    assert not verify_consistency(old, new, old_root, new_root, [extra, *proof])
    if proof:
        assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
        assert not verify_consistency(old, new, old_root, new_root, proof[1:])


@PROPERTY_SETTINGS
@given(entries=unique_entries, cut=st.integers(0, 300))
def test_history_rewrite_is_caught(entries, cut):
    """Changing any earlier entry breaks consistency with the old head."""
    n = len(entries)
    cut %= n
    honest = MerkleTree.from_entries(entries)
    old_size = cut + 1
    old_root = honest.root(old_size)
    rewritten = [*entries[:cut], entries[cut] + b"!", *entries[cut + 1 :], b"later"]
    forged = MerkleTree.from_entries(rewritten)
    proof = forged.consistency_proof(old_size)
    assert not verify_consistency(old_size, forged.size, old_root, forged.root(), proof)


# --- the larger deterministic sweep -----------------------------------------------------------


def test_two_thousand_leaves_every_proof():
    n = 2000
    entries = make_entries(n, salt=b"sweep")
    tree = MerkleTree.from_entries(entries)
    head = tree.root()
    assert head == ref_mth(entries)
    for index in range(n):
        proof = tree.inclusion_proof(index)
        assert verify_inclusion(tree.leaf(index), index, n, proof, head)
    for old in range(1, n + 1):
        proof = tree.consistency_proof(old, n)
        assert verify_consistency(old, n, tree.root(old), head, proof)
    rng = random.Random(9162)
    for size in range(1, n + 1):
        size_root = tree.root(size)
        index = rng.randrange(size)
        proof = tree.inclusion_proof(index, size)
        assert verify_inclusion(tree.leaf(index), index, size, proof, size_root)
        old = rng.randint(1, size)
        proof = tree.consistency_proof(old, size)
        assert verify_consistency(old, size, tree.root(old), size_root, proof)


def test_no_recursion_limit_for_a_large_tree():
    tree = MerkleTree.from_entries(make_entries(100_000))
    head = tree.root()
    proof = tree.inclusion_proof(77_777)
    assert len(proof) == 17
    assert verify_inclusion(tree.leaf(77_777), 77_777, tree.size, proof, head)
    proof = tree.consistency_proof(65_537)
    assert verify_consistency(65_537, tree.size, tree.root(65_537), head, proof)


# --- canonical JSON (RFC 8785) -------------------------------------------------------------


def test_canonical_json_orders_keys_by_utf16_code_units():
    # RFC 8785 §3.2.3's sorting example: keys compare as UTF-16 code units, so U+1F600
    # (surrogates D83D DE00) sorts before U+FB33 even though its code point is larger.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    out = canonical_json(value).decode("utf-8")
    keys = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    positions = [out.index(f'"{k}"' if k != "\r" else '"\\r"') for k in keys]
    assert positions == sorted(positions)
    assert canonical_json({"b": 1, "a": [True, None, False]}) == b'{"a":[true,null,false],"b":1}'
    assert canonical_json(OrderedDict([("z", 1), ("a", 2)])) == b'{"a":2,"z":1}'
    assert canonical_json({"b": 1, "a": 2}) == canonical_json({"a": 2, "b": 1})
    nested = {"outer": {"y": (1, 2), "x": {}}, "empty": []}
    assert canonical_json(nested) == b'{"empty":[],"outer":{"x":{},"y":[1,2]}}'


def test_canonical_json_strings_are_utf8_with_minimal_escapes():
    assert canonical_json("\u20ac\u00f6\U0001f600") == '"\u20ac\u00f6\U0001f600"'.encode()
    assert canonical_json('"\\/\b\f\n\r\t\x00\x1f\x7f\u2028') == (
        b'"\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\x7f\xe2\x80\xa8"'
    )


@pytest.mark.parametrize(
    ("number", "text"),
    [
        # From RFC 8785 §3.2.2.3 / Appendix B and ECMAScript's Number::toString.
        (0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (100.0, "100"),
        (4.50, "4.5"),
        (2e-3, "0.002"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e30, "1e+30"),
        (333333333.33333329, "333333333.3333333"),
        (-1.5, "-1.5"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740991, "9007199254740991"),
        (-9007199254740991, "-9007199254740991"),
        (float(2**60), "1152921504606847000"),
    ],
)
def test_canonical_json_numbers(number, text):
    assert canonical_json(number) == text.encode()


class Kind(StrEnum):
    CREATED = "incident.created"


class Level(IntEnum):
    HIGH = 3


def test_canonical_json_enums_are_plain_values():
    assert canonical_json({Kind.CREATED: Level.HIGH}) == b'{"incident.created":3}'


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        math.inf,
        -math.inf,
        [1, {"a": math.nan}],
        2**53,
        -(2**53),
        b"bytes",
        Decimal("1.5"),
        datetime(2024, 1, 1),
        {1, 2},
        {1: "int key"},
        {(1, 2): "tuple key"},
        "\ud800",
        {"\udc00": "lone surrogate key"},
        object(),
    ],
)
def test_canonical_json_refuses_unsupported_values(value):
    with pytest.raises(CanonicalisationError) as caught:
        canonical_json(value)
    assert isinstance(caught.value, ValueError)
    assert caught.value.path.startswith("$")


def test_canonical_json_error_names_the_place():
    with pytest.raises(CanonicalisationError) as caught:
        canonical_json({"exhibits": [{"size": 1}, {"size": math.inf}]})
    assert caught.value.path == "$.exhibits[1].size"


def test_canonical_json_refuses_cycles_and_deep_nesting_but_allows_sharing():
    cyclic: list[object] = []
    cyclic.append(cyclic)
    with pytest.raises(CanonicalisationError, match="cycle"):
        canonical_json(cyclic)
    deep: list[object] = []
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(CanonicalisationError, match="deeper"):
        canonical_json(deep)
    shared = [1, 2]
    assert canonical_json({"a": shared, "b": shared}) == b'{"a":[1,2],"b":[1,2]}'


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**53) + 1, 2**53 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda children: (
            st.lists(children, max_size=5)
            | st.dictionaries(st.text(max_size=8), children, max_size=5)
        ),
        max_leaves=30,
    )
)
def test_canonical_json_is_stable_json(value):
    out = canonical_json(value)

    def number(text: str) -> int | float:
        # Floats such as 1e20 are written as integers; read big ones back as floats.
        as_int = int(text)
        return as_int if abs(as_int) < 2**53 else float(text)

    # Valid UTF-8 JSON that reads back to the same value; canonicalising again changes nothing.
    parsed = json.loads(out.decode("utf-8"), parse_int=number)
    assert parsed == value
    assert canonical_json(parsed) == out


# --- canonical JSON: the fast path writes exactly what RFC 8785 (the rfc8785 package) writes --

_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.text(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)
_json_values = st.recursive(
    _json_leaf,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=1000)
@given(_json_values)
def test_the_fast_path_and_rfc8785_agree_on_every_value(value):
    import rfc8785

    from cairn.ledger.canonical import CanonicalisationError, canonical_json

    try:
        expected = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeError, ValueError):
        with pytest.raises(CanonicalisationError):
            canonical_json(value)
        return
    assert canonical_json(value) == expected


def test_the_fast_path_escapes_control_characters_as_rfc8785_does():
    import rfc8785

    from cairn.ledger.canonical import canonical_json

    text = "".join(chr(c) for c in range(0x00, 0x20)) + '"\\\x7f\u2028\u00e9\U0001f600'
    value = {"b": text, "a": [1, True, None], "\u00e9": 1}
    assert canonical_json(value) == rfc8785.dumps(value)
    assert canonical_json({"k": text}) == rfc8785.dumps({"k": text})
