"""Write a pack's bag from plain data (pure: no Django, no database).

Inputs: the disclosed snapshot (``selection.resolve``), the log material the caller read from
the ledger (the signed head, the included entries with their inclusion proofs, the canonical
records those entries hash), the PDF's bytes, and a function that yields an exhibit's bytes.
Output: a BagIt bag laid out as ``layout`` describes, plus ``VERIFY.txt``, sealed by the
instance key: ``signed-sha256.txt`` lists every file with its SHA-256 and
``signed-sha256.txt.sig`` is the Ed25519 signature over it (ADR 0028), so no byte of the pack
(the PDF and ``pack.json`` included, which no ledger entry covers) can change unnoticed.

The same inputs give the same bag, apart from ``built_at`` (in ``pack.json`` and
``bag-info.txt``) and what hashes it: records and entries are written in a fixed order, JSON
is RFC 8785 canonical, zip members carry a fixed date, and Ed25519 signatures are
deterministic.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cairn.ledger.canonical import canonical_json
from cairn.ledger.heads import head_bytes
from cairn.packs import layout
from cairn.packs.bag import BagWriter
from cairn.packs.head import HeadInfo
from cairn.packs.selection import Disclosed
from cairn.vault.snapshot import ExhibitSnapshot

Progress = Callable[[str, int, int], None]


class PackBuildError(RuntimeError):
    """The vault's stored data does not agree with its log; the pack is not written."""


@dataclass(frozen=True)
class IncludedEntry:
    seq: int
    entry: bytes  # the exact RFC 8785 bytes stored in the ledger
    proof: tuple[bytes, ...]  # RFC 9162 audit path to the signed head


@dataclass(frozen=True)
class Record:
    kind: str  # "vault" | "incident" | "person" | "exhibit"
    object_id: str
    seq: int  # the entry whose content_sha256 this content matches
    content: dict[str, Any]


@dataclass(frozen=True)
class LogMaterial:
    head: HeadInfo
    signature: bytes
    public_key_pem: bytes
    token: bytes | None
    entries: tuple[IncludedEntry, ...]
    records: tuple[Record, ...]
    # The instance key's signing function (message -> 64-byte Ed25519 signature): the key
    # whose public half is ``public_key_pem`` and which signed the head.
    sign: Callable[[bytes], bytes]
    tsa_cert_pem: bytes | None = None
    tsa_ca_pem: bytes | None = None
    instance_name: str = "Cairn"
    extra_info: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def stamped_bytes(head: HeadInfo) -> bytes:
    """What the time-stamping authority stamped: the head without the token's hash."""
    return head_bytes(
        vault_id=head.vault_id,
        size=head.size,
        root=bytes.fromhex(head.root),
        timestamp=head.timestamp,
        key=head.key_fingerprint,
    )


def head_json(head: HeadInfo, signature: bytes) -> dict[str, Any]:
    body: dict[str, Any] = {
        "v": 1,
        "vault": head.vault_id,
        "size": head.size,
        "root": head.root,
        "timestamp": head.timestamp,
        "key": head.key_fingerprint,
    }
    if head.token_sha256 is not None:
        body["token_sha256"] = head.token_sha256
    body["signature"] = base64.b64encode(signature).decode("ascii")
    return body


def write_bag(
    writer: BagWriter,
    disclosed: Disclosed,
    material: LogMaterial,
    *,
    pdf: bytes,
    open_exhibit: Callable[[ExhibitSnapshot], Iterable[bytes]],
    built_at: datetime,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the whole bag and return the ``pack.json`` index that was written."""
    snapshot = disclosed.snapshot
    originals = {s.copy.id: s.original for s in disclosed.substitutions}
    exhibits_index = []
    total = sum(e.size for e in snapshot.exhibits)
    done = 0
    records_by_id = {(r.kind, r.object_id): r for r in material.records}
    for exhibit in snapshot.exhibits:
        file_path = layout.exhibit_path(exhibit.reference, exhibit.original_name)
        written = writer.add(file_path, open_exhibit(exhibit))
        if written.digests["sha256"] != exhibit.sha256 or written.size != exhibit.size:
            raise PackBuildError(
                f"the stored file of exhibit {exhibit.reference} does not "
                "match its record; run `cairn verify`"
            )
        record = records_by_id.get(("exhibit", exhibit.id))
        if record is None:
            raise PackBuildError(f"exhibit {exhibit.reference} has no ledger record")
        original = originals.get(exhibit.id)
        exhibits_index.append(
            {
                "id": exhibit.id,
                "reference": exhibit.reference,
                "sha256": exhibit.sha256,
                "size": exhibit.size,
                "file": file_path,
                "record": layout.record_path("exhibit", exhibit.id),
                "redacted_copy_of": (
                    {"reference": original.reference, "sha256": original.sha256}
                    if original is not None
                    else None
                ),
            }
        )
        done += exhibit.size
        if progress is not None:
            progress("exhibits", done, total)

    entries_index = []
    for item in sorted(material.entries, key=lambda e: e.seq):
        writer.add_bytes(layout.entry_path(item.seq), item.entry)
        writer.add_bytes(
            layout.proof_path(item.seq),
            canonical_json(
                {
                    "seq": item.seq,
                    "size": material.head.size,
                    "root": material.head.root,
                    "path": [node.hex() for node in item.proof],
                }
            ),
        )
        entries_index.append(
            {
                "seq": item.seq,
                "entry": layout.entry_path(item.seq),
                "proof": layout.proof_path(item.seq),
            }
        )
    records_index = []
    for record in sorted(material.records, key=lambda r: (r.kind, r.object_id)):
        path = layout.record_path(record.kind, record.object_id)
        writer.add_bytes(path, canonical_json(record.content))
        records_index.append(
            {"type": record.kind, "id": record.object_id, "seq": record.seq, "file": path}
        )

    writer.add_bytes(layout.HEAD, canonical_json(head_json(material.head, material.signature)))
    writer.add_bytes(layout.PUBLIC_KEY, material.public_key_pem)
    if material.token is not None:
        writer.add_bytes(layout.TIMESTAMP_TOKEN, material.token)
        writer.add_bytes(layout.STAMPED, stamped_bytes(material.head))
    if material.tsa_cert_pem:
        writer.add_bytes(layout.TSA_CERT, material.tsa_cert_pem)
    if material.tsa_ca_pem:
        writer.add_bytes(layout.TSA_CA, material.tsa_ca_pem)
    writer.add_bytes(layout.PDF, pdf)
    index = {
        "format": layout.FORMAT,
        "version": layout.VERSION,
        "vault": snapshot.id,
        "built_at": _iso(built_at),
        "head": layout.HEAD,
        "pdf": layout.PDF,
        "omitted_entries": material.head.size - len(entries_index),
        "entries": entries_index,
        "records": records_index,
        "exhibits": exhibits_index,
    }
    writer.add_bytes(layout.INDEX, json.dumps(index, indent=1, ensure_ascii=False).encode())
    writer.add_tag(
        layout.VERIFY_TEXT,
        verify_text(material, len(snapshot.incidents), len(exhibits_index)).encode(),
    )
    writer.finish(
        [
            ("Source-Organization", material.instance_name),
            ("Bagging-Date", built_at.date().isoformat()),
            (
                "External-Description",
                "Cairn evidence pack: a stalking incident log, its exhibits "
                "and the proofs that they are unchanged",
            ),
            ("External-Identifier", f"vault {snapshot.id}, log size {material.head.size}"),
            ("Cairn-Pack-Version", str(layout.VERSION)),
            *material.extra_info,
        ],
        sign=material.sign,
    )
    return index


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def verify_text(material: LogMaterial, incidents: int, exhibits: int) -> str:
    """``VERIFY.txt``: what is signed, and the checks, in plain words and standard commands."""
    head = material.head
    stamp = (
        "An independent time-stamping authority also time-stamped that tree head "
        f"({head.tsa_name or 'named in data/head/tsa.pem'}) at {head.tsa_time}."
        if material.token is not None
        else "No independent time-stamp was available when the tree head was signed."
    )
    return f"""HOW TO CHECK THIS EVIDENCE PACK
===============================

This folder is an evidence pack made by Cairn, an incident log for people being stalked.
It holds {incidents} incident(s) and {exhibits} exhibit file(s) chosen by the person who kept
the log, a readable report (data/pack.pdf), and the proofs described below. You do not need
Cairn, or to trust whoever gave you this pack, to check it.

The key
-------
The Cairn instance that made this pack signs with an Ed25519 key. Its public key is
data/head/instance-key.pem. Its fingerprint (the SHA-256 of the raw 32-byte public key) is
    {head.key_fingerprint}
Ask the force or organisation that runs the instance to confirm this fingerprint: the checks
below prove what that key signed, and nothing more.

What is signed
--------------
A. Every file of the pack, as it was made. signed-sha256.txt lists every file in this folder
   with its SHA-256: everything under data/ (the PDF, data/pack.json, the tree head, the
   entries, proofs, records and exhibits), this file (VERIFY.txt), bagit.txt, bag-info.txt
   and the four BagIt manifests. signed-sha256.txt.sig is the instance key's signature over
   that list; they are the only two files the list does not name. So a byte changed in any
   file, a file removed or a file added after the pack was made makes check 1 fail, even if
   whoever did it rebuilt the BagIt manifests. (This signature does not date anything.)

B. The log. Every change to the log was recorded, when it happened, as an "entry" in an
   append-only log (a Merkle tree, as defined in RFC 9162). At {head.timestamp} the log held
   {head.size} entries, and the instance signed a statement of that, its "tree head"
   (data/head/tree-head.json). {stamp}
   This pack carries {head.included_entries} of the {head.size} entries: those about what it
   contains. Nothing else about the entries left out is shown. The entries, the records and
   the exhibits are proven against the tree head (checks 3 to 5); the PDF, pack.json and this
   file are not in the log, and only signature A covers them.

The checks
----------
1. The pack is the one the instance signed (A). In this folder, with OpenSSL 3 and GNU
   coreutils:
       openssl pkeyutl -verify -pubin -inkey data/head/instance-key.pem -rawin
           -in signed-sha256.txt -sigfile signed-sha256.txt.sig
       sha256sum -c signed-sha256.txt
   The first must say "Signature Verified Successfully", the second "OK" for every file.
   Then check that nothing was added: the number of files in the folder
   (find . -type f | wc -l) must be the number of lines of signed-sha256.txt plus 2.
   The BagIt manifests (manifest-*.txt, tagmanifest-*.txt) let any BagIt tool check the
   folder too (bagit.py --validate .), but anyone can rewrite those: only the signed list
   proves that the files are the ones that were made.
2. The tree head is genuine (B): its signature verifies with the same public key, and (if
   present) the time-stamp token data/head/timestamp.tsr verifies with OpenSSL:
       openssl ts -verify -in data/head/timestamp.tsr -data data/head/stamped.json
           -CAfile data/head/tsa-ca.pem -untrusted data/head/tsa.pem
   (stamped.json is the tree head without its "signature" and "token_sha256" members, in
   RFC 8785 canonical form: the bytes the authority stamped).
3. Every entry is in the signed log: for each file in data/log/entries/, the proof with the
   same number in data/log/proofs/ leads, by the RFC 9162 algorithm, from that entry to the
   root hash in the tree head.
4. Every record is the one the log recorded: each file in data/records/ hashes (SHA-256) to
   the "content_sha256" of the entry named for it in data/pack.json.
5. Every exhibit is the file that was recorded: each file in data/exhibits/ hashes to the
   SHA-256 in its record, and data/pack.pdf quotes the same SHA-256 in its exhibit schedule.
   Where the pack carries a redacted copy instead of an original, pack.json and the PDF say
   so and name the original's reference and SHA-256.

All five checks are done at once by the command
    cairn verify-pack <this folder or its .zip>
which needs no database and no connection, and names exactly which file fails.
"""


def wanted_objects(snapshot: Any) -> set[tuple[str, str]]:
    """The (type, id) of every object a pack of ``snapshot`` discloses."""
    wanted = {("incident", i.id) for i in snapshot.incidents}
    wanted |= {("exhibit", e.id) for e in snapshot.exhibits}
    wanted |= {("person", p.id) for p in snapshot.persons}
    return wanted


Found = tuple[int, dict[str, Any]]


def entries_about(
    rows: Iterable[tuple[int, dict[str, Any]]], vault_id: str, wanted: set[tuple[str, str]]
) -> tuple[Found | None, dict[tuple[str, str], list[Found]]]:
    """Which entries a pack carries: the vault's first entry, and every entry about a
    disclosed object (``wanted``), grouped by object in log order. ``rows``: (seq, parsed
    entry) in log order. The pack and its preview both count with this."""
    first: Found | None = None
    by_object: dict[tuple[str, str], list[Found]] = {}
    for seq, body in rows:
        target = body.get("object") or {}
        key = (str(target.get("type")), str(target.get("id")))
        if key == ("vault", vault_id):
            if first is None:
                first = (seq, body)
        elif key in wanted:
            by_object.setdefault(key, []).append((seq, body))
    return first, by_object


def proofs_for(tree: Any, seqs: Sequence[int], size: int) -> dict[int, tuple[bytes, ...]]:
    """Inclusion proofs of ``seqs`` in the tree's first ``size`` leaves."""
    return {seq: tuple(tree.inclusion_proof(seq, size)) for seq in seqs}
