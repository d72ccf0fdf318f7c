"""Write a pack's bag from plain data (pure: no Django, no database).

Inputs: the disclosed snapshot (``selection.resolve``), the log material the caller read from
the ledger (the signed head, the included entries with their inclusion proofs, the canonical
records those entries hash), the PDF's bytes, and a function that yields an exhibit's bytes.
Output: a BagIt bag laid out as ``layout`` describes, plus ``VERIFY.txt``.

The same inputs give the same bag, apart from ``built_at`` (in ``pack.json`` and
``bag-info.txt``): records and entries are written in a fixed order, JSON is RFC 8785
canonical, and zip members carry a fixed date.
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
    tsa_cert_pem: bytes | None = None
    tsa_ca_pem: bytes | None = None
    instance_name: str = "Cairn"
    extra_info: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def stamped_bytes(head: HeadInfo) -> bytes:
    """What the time-stamping authority stamped: the head without the token's hash."""
    return head_bytes(vault_id=head.vault_id, size=head.size, root=bytes.fromhex(head.root),
                      timestamp=head.timestamp, key=head.key_fingerprint)


def head_json(head: HeadInfo, signature: bytes) -> dict[str, Any]:
    body: dict[str, Any] = {"v": 1, "vault": head.vault_id, "size": head.size,
                            "root": head.root, "timestamp": head.timestamp,
                            "key": head.key_fingerprint}
    if head.token_sha256 is not None:
        body["token_sha256"] = head.token_sha256
    body["signature"] = base64.b64encode(signature).decode("ascii")
    return body


def write_bag(writer: BagWriter, disclosed: Disclosed, material: LogMaterial, *, pdf: bytes,
              open_exhibit: Callable[[ExhibitSnapshot], Iterable[bytes]], built_at: datetime,
              progress: Progress | None = None) -> dict[str, Any]:
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
            raise PackBuildError(f"the stored file of exhibit {exhibit.reference} does not "
                                 "match its record; run `cairn verify`")
        record = records_by_id.get(("exhibit", exhibit.id))
        if record is None:
            raise PackBuildError(f"exhibit {exhibit.reference} has no ledger record")
        original = originals.get(exhibit.id)
        exhibits_index.append({
            "id": exhibit.id, "reference": exhibit.reference, "sha256": exhibit.sha256,
            "size": exhibit.size, "file": file_path,
            "record": layout.record_path("exhibit", exhibit.id),
            "redacted_copy_of": ({"reference": original.reference, "sha256": original.sha256}
                                 if original is not None else None),
        })
        done += exhibit.size
        if progress is not None:
            progress("exhibits", done, total)

    entries_index = []
    for item in sorted(material.entries, key=lambda e: e.seq):
        writer.add_bytes(layout.entry_path(item.seq), item.entry)
        writer.add_bytes(layout.proof_path(item.seq), canonical_json({
            "seq": item.seq, "size": material.head.size, "root": material.head.root,
            "path": [node.hex() for node in item.proof]}))
        entries_index.append({"seq": item.seq, "entry": layout.entry_path(item.seq),
                              "proof": layout.proof_path(item.seq)})
    records_index = []
    for record in sorted(material.records, key=lambda r: (r.kind, r.object_id)):
        path = layout.record_path(record.kind, record.object_id)
        writer.add_bytes(path, canonical_json(record.content))
        records_index.append({"type": record.kind, "id": record.object_id, "seq": record.seq,
                              "file": path})

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
        "format": layout.FORMAT, "version": layout.VERSION, "vault": snapshot.id,
        "built_at": _iso(built_at), "head": layout.HEAD, "pdf": layout.PDF,
        "omitted_entries": material.head.size - len(entries_index),
        "entries": entries_index, "records": records_index, "exhibits": exhibits_index,
    }
    writer.add_bytes(layout.INDEX, json.dumps(index, indent=1, ensure_ascii=False).encode())
    writer.add_tag(layout.VERIFY_TEXT, verify_text(material, len(snapshot.incidents),
                                                   len(exhibits_index)).encode())
    writer.finish([
        ("Source-Organization", material.instance_name),
        ("Bagging-Date", built_at.date().isoformat()),
        ("External-Description", "Cairn evidence pack: a stalking incident log, its exhibits "
                                 "and the proofs that they are unchanged"),
        ("External-Identifier", f"vault {snapshot.id}, log size {material.head.size}"),
        ("Cairn-Pack-Version", str(layout.VERSION)),
        *material.extra_info,
    ])
    return index


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def verify_text(material: LogMaterial, incidents: int, exhibits: int) -> str:
    """``VERIFY.txt``: the checks, in plain words, for someone who is not an expert."""
    head = material.head
    stamp = ("It was also time-stamped by an independent time-stamping authority "
             f"({head.tsa_name or 'named in data/head/tsa.pem'}) at {head.tsa_time}."
             if material.token is not None else
             "No independent time-stamp was available when it was signed.")
    return f"""HOW TO CHECK THIS EVIDENCE PACK
===============================

This folder is an evidence pack made by Cairn, an incident log for people being stalked.
It holds {incidents} incident(s) and {exhibits} exhibit file(s) chosen by the person who kept
the log, a readable copy (data/pack.pdf), and the proofs that none of it has been changed
since it was recorded. You do not need Cairn, or to trust whoever gave you this pack, to
check it.

What the proofs rest on
-----------------------
Every change to the log was recorded, when it happened, as an "entry" in an append-only log
(a Merkle tree, as defined in RFC 9162). At {head.timestamp} the log held {head.size}
entries, and the Cairn instance signed a statement of that, its "tree head"
(data/head/tree-head.json), with its Ed25519 key (data/head/instance-key.pem).
Key fingerprint (SHA-256 of the raw public key):
    {head.key_fingerprint}
Ask the force or organisation that runs the instance to confirm this fingerprint.
{stamp}
This pack carries {head.included_entries} of the {head.size} entries: those about what it
contains. Nothing else about the entries left out is shown.

The checks
----------
1. Nothing in the folder was changed, removed or added. The files manifest-sha256.txt and
   manifest-sha512.txt list every file under data/ with its checksum; tagmanifest-*.txt do
   the same for the other files. With standard tools:
       cd into this folder, then:  sha256sum -c manifest-sha256.txt
   or with the Library of Congress BagIt tool:  bagit.py --validate .
2. The tree head is genuine: its signature verifies with the public key, and (if present)
   the time-stamp token data/head/timestamp.tsr verifies with OpenSSL:
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
which needs no database and no connection, and names exactly what fails.
"""


def proofs_for(tree: Any, seqs: Sequence[int], size: int) -> dict[int, tuple[bytes, ...]]:
    """Inclusion proofs of ``seqs`` in the tree's first ``size`` leaves."""
    return {seq: tuple(tree.inclusion_proof(seq, size)) for seq in seqs}
