"""Where things sit in a pack's bag, and what ``pack.json`` says (shared by writer and verifier).

::

    bagit.txt, bag-info.txt, manifest-sha256.txt, manifest-sha512.txt,
    tagmanifest-sha256.txt, tagmanifest-sha512.txt, VERIFY.txt
    signed-sha256.txt                  every other file with its SHA-256 (sha256sum format)
    signed-sha256.txt.sig              the instance key's Ed25519 signature over that list
    data/pack.pdf                      the readable pack
    data/pack.json                     the index below
    data/head/tree-head.json           the signed tree head (fields + base64 signature)
    data/head/instance-key.pem         the instance's Ed25519 public key
    data/head/timestamp.tsr            the RFC 3161 token over the head, if any
    data/head/stamped.json             the bytes that token stamped
    data/head/tsa.pem, tsa-ca.pem      the time-stamping authority's certificates, if known
    data/log/entries/<seq>.json        each included ledger entry, byte for byte
    data/log/proofs/<seq>.json         its inclusion proof in the signed head
    data/records/<type>-<id>.json      the canonical content an entry's content_sha256 names
    data/exhibits/<REF> <name>         the exhibit files, byte for byte

``pack.json`` (format ``cairn-pack``, version 2; version 1 packs had no signed list)::

    {"format", "version", "vault", "built_at", "head", "pdf", "omitted_entries",
     "entries": [{"seq", "entry", "proof"}],
     "records": [{"type", "id", "seq", "file"}],
     "exhibits": [{"id", "reference", "sha256", "size", "file", "record",
                   "redacted_copy_of": null | {"reference", "sha256"}}]}
"""

from __future__ import annotations

from cairn.packs.bag import SIGNATURE, SIGNED_LIST, safe_file_name

FORMAT = "cairn-pack"
VERSION = 2

PDF = "pack.pdf"
INDEX = "pack.json"
HEAD = "head/tree-head.json"
PUBLIC_KEY = "head/instance-key.pem"
TIMESTAMP_TOKEN = "head/timestamp.tsr"  # noqa: S105 - a file name
STAMPED = "head/stamped.json"
TSA_CERT = "head/tsa.pem"
TSA_CA = "head/tsa-ca.pem"
VERIFY_TEXT = "VERIFY.txt"
SIGNED = SIGNED_LIST
SIGNED_SIGNATURE = SIGNATURE


def entry_path(seq: int) -> str:
    return f"log/entries/{seq:08d}.json"


def proof_path(seq: int) -> str:
    return f"log/proofs/{seq:08d}.json"


def record_path(kind: str, object_id: str) -> str:
    return f"records/{kind}-{object_id}.json"


def exhibit_path(reference: str, file_name: str) -> str:
    return f"exhibits/{safe_file_name(reference.replace('/', '-') + ' ' + file_name)}"
