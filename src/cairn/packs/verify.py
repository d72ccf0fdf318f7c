"""``cairn verify-pack``: check a pack with nothing but the pack (no Django, no database).

Input: a pack folder, its ``.zip``, or an age-encrypted ``.age`` (with the identity file or
the passphrase). Output: a ``PackReport`` listing each failed check as a ``Problem`` that
names the file (and the entry, record or exhibit) and what is wrong, plus the facts a reader
needs to judge it: the signed head's size and time, the key's fingerprint, the timestamp.

The checks, in order (``VERIFY.txt`` in every pack says the same in plain words):

1. the bag, read with the ``bagit`` package (``bag.read_bag``): every payload file against
   the manifests (changed, removed, added), the tag files against the tag manifests (an
   edited manifest), Payload-Oxum. A valid bag that is not a Cairn pack is refused as such;
2. the seal (ADR 0028): ``signed-sha256.txt`` verifies against ``signed-sha256.txt.sig``
   with the instance key, and every file of the pack is the one it lists, so an edit to any
   file (the PDF, ``pack.json``, ``VERIFY.txt``, ``bag-info.txt``...) is named even when
   every BagIt manifest was rebuilt to match;
3. the tree head: the public key's fingerprint is the one the head names (and the one the
   reader pinned with ``--key``, if any); the Ed25519 signature over the head's RFC 8785
   bytes; the timestamp token's hash is the one the head signed, and the token is an RFC 3161
   timestamp of the head by the authority whose certificates the pack carries;
4. each entry: canonical JSON, of this vault, at the position its file claims, and its
   inclusion proof leads to the head's root;
5. each record: its SHA-256 is the ``content_sha256`` of the entry it names, which is the
   latest entry the pack carries about that object;
6. each exhibit: the file's SHA-256 and size are those its record gives, and the PDF's text
   quotes its reference and SHA-256.

Nothing in a pack is trusted before it is checked: a path ``pack.json`` names must lie inside
the pack, a JSON value must have the type expected, and no bytes make this module raise
anything but ``PackError``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cairn.ledger import merkle
from cairn.ledger.canonical import CanonicalisationError, canonical_json
from cairn.ledger.ed25519 import fingerprint_of, verify_signature
from cairn.ledger.heads import head_bytes
from cairn.packs import layout
from cairn.packs.bag import (
    BagError,
    BagReading,
    Problem,
    check_seal,
    file_digest,
    read_bag,
    walk_files,
)
from cairn.packs.opening import PackError, opened

__all__ = ["PackError", "PackReport", "Problem", "verify_pack"]

MAX_JSON = 64 * 1024 * 1024


@dataclass
class PackReport:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    head: dict[str, Any] = field(default_factory=dict)
    files: int = 0  # files found to be those the signed list names (0 if the seal fails)
    entries: int = 0
    records: int = 0
    exhibits: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, where: str, what: str) -> None:
        self.problems.append(Problem(where, what))


def verify_pack(path: Path, *, identity: str | None = None, passphrase: str | None = None,
                key_fingerprint: str | None = None) -> PackReport:
    """Check the pack at ``path``; ``key_fingerprint`` pins the instance key expected.

    Raises ``PackError`` (one line, naming the file) when ``path`` is not a pack at all: not
    a folder, zip or age file, not a readable bag, or a bag that is not a Cairn pack.
    """
    path = Path(path)
    with opened(path, identity=identity, passphrase=passphrase) as root:
        try:
            reading = read_bag(root)
        except BagError as exc:
            raise PackError(f"{path.name}: {exc}") from None
        if not _is_pack(root, reading):
            raise PackError(_not_a_pack(path.name, reading))
        report = PackReport(problems=list(reading.problems))
        _check_contents(root, report, key_fingerprint)
        return report


def _is_pack(root: Path, reading: BagReading) -> bool:
    """A bag that claims to be a Cairn pack in any way is checked (and fails) as one."""
    return ((root / "data" / layout.INDEX).exists() or (root / layout.SIGNED).exists()
            or "Cairn-Pack-Version" in reading.info)


def _not_a_pack(name: str, reading: BagReading) -> str:
    if reading.valid:
        return (f"{name}: a valid BagIt bag, but not a Cairn evidence pack (it has no "
                f"data/{layout.INDEX})")
    more = len(reading.problems) - 1
    return (f"{name}: not a Cairn evidence pack (it has no data/{layout.INDEX}), nor a valid "
            f"BagIt bag: {reading.problems[0]}" + (f" (and {more} more)" if more else ""))


# --- the checks -------------------------------------------------------------------------------

def _inside(data: Path, relative: Any) -> Path | None:
    """The file ``pack.json`` names, if the name is a plain relative path inside the pack."""
    if not isinstance(relative, str) or not relative or "\\" in relative:
        return None
    parts = PurePosixPath(relative).parts
    if relative.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return None
    return data / relative


def _items(index: dict[str, Any], key: str, report: PackReport) -> list[dict[str, Any]]:
    """``index[key]`` as a list of objects; anything else is reported, not iterated."""
    value = index.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        report.fail(f"data/{layout.INDEX}", f'its "{key}" is not a list of objects')
        return []
    return value


def _load_json(data: Path, relative: Any, report: PackReport) -> Any:
    path = _inside(data, relative)
    if path is None:
        report.fail(f"data/{layout.INDEX}", "names a file outside the pack")
        return None
    if not path.is_file():
        report.fail(f"data/{relative}", "is missing")
        return None
    if path.stat().st_size > MAX_JSON:
        report.fail(f"data/{relative}", "is too large to be ours")
        return None
    try:
        return json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError):
        report.fail(f"data/{relative}", "is not valid JSON")
        return None


def _check_contents(root: Path, report: PackReport, pinned: str | None) -> None:
    data = root / "data"
    public_raw = _check_key(data, report)
    head = _check_head(data, report, pinned, public_raw)
    verify = ((lambda message, signature: verify_signature(public_raw, message, signature))
              if public_raw else None)
    problems, digests = check_seal(root, verify)
    report.problems.extend(problems)
    report.files = 0 if problems else len(digests)
    index = _load_json(data, layout.INDEX, report)
    if not isinstance(index, dict) or index.get("format") != layout.FORMAT:
        report.fail(f"data/{layout.INDEX}", "is not a Cairn pack index")
        return
    if index.get("version") == 1 and not (root / layout.SIGNED).exists():
        report.notes.append("This pack was made by an earlier version of Cairn, before every "
                            "file of a pack was signed: its PDF and pack.json are not covered "
                            "by any signature. Ask for the pack to be made again.")
    if head is None:
        return
    entries = _check_entries(data, index, head, report)
    _check_records(data, index, entries, report)
    _check_exhibits(data, index, report, digests)
    omitted = head["size"] - len(entries)
    if index.get("omitted_entries") != omitted:
        report.fail(f"data/{layout.INDEX}", f"says {index.get('omitted_entries')} entries are "
                                            f"left out; the head and entries say {omitted}")


def _check_key(data: Path, report: PackReport) -> bytes:
    """The instance's raw Ed25519 public key from the pack, or b"" (reported) if unusable."""
    try:
        public = serialization.load_pem_public_key((data / layout.PUBLIC_KEY).read_bytes())
        if not isinstance(public, Ed25519PublicKey):
            raise ValueError("not Ed25519")
    except (OSError, ValueError, TypeError):
        report.fail(f"data/{layout.PUBLIC_KEY}", "is missing or not an Ed25519 public key")
        return b""
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _check_head(data: Path, report: PackReport, pinned: str | None,
                public_raw: bytes) -> dict[str, Any] | None:
    head = _load_json(data, layout.HEAD, report)
    where = f"data/{layout.HEAD}"
    if not isinstance(head, dict):
        return None
    try:
        size, root = int(head["size"]), bytes.fromhex(head["root"])
        vault, timestamp, key = str(head["vault"]), str(head["timestamp"]), str(head["key"])
        signature = base64.b64decode(head["signature"], validate=True)
        token_sha256 = head.get("token_sha256")
        if token_sha256 is not None and not isinstance(token_sha256, str):
            raise TypeError("token_sha256")
    except (KeyError, ValueError, TypeError):
        report.fail(where, "is not a complete tree head")
        return None
    report.head = {"vault": vault, "size": size, "root": root.hex(), "timestamp": timestamp,
                   "key": key}
    if public_raw:
        actual = fingerprint_of(public_raw)
        if actual != key:
            report.fail(f"data/{layout.PUBLIC_KEY}", f"has fingerprint {actual}, but the head "
                                                     f"names key {key}")
        try:
            message = head_bytes(vault_id=vault, size=size, root=root, timestamp=timestamp,
                                 key=key, token_sha256=token_sha256)
        except CanonicalisationError:
            message = b""
        if not message or not verify_signature(public_raw, message, signature):
            report.fail(where, "its signature does not verify with the instance key (the head "
                               "was changed, or signed with another key)")
    if pinned and pinned.lower() != key.lower():
        report.fail(where, f"is signed by key {key}, not the expected {pinned}")
    try:
        stamped = head_bytes(vault_id=vault, size=size, root=root, timestamp=timestamp, key=key)
    except CanonicalisationError:
        report.fail(where, "is not a complete tree head")
        return None
    _check_token(data, token_sha256, stamped, report)
    return {"vault": vault, "size": size, "root": root}


def _check_token(data: Path, token_sha256: str | None, stamped: bytes,
                 report: PackReport) -> None:
    token_path = data / layout.TIMESTAMP_TOKEN
    where = f"data/{layout.TIMESTAMP_TOKEN}"
    if token_sha256 is None:
        if token_path.exists():
            report.fail(where, "is not the token the head was signed with (the head has none)")
        else:
            report.notes.append("The head has no trusted timestamp (no authority was "
                                "configured or reachable when it was signed).")
        return
    if not token_path.is_file():
        report.fail(where, "is missing (the head was signed with a timestamp token)")
        return
    token = token_path.read_bytes()
    if hashlib.sha256(token).hexdigest() != token_sha256:
        report.fail(where, "is not the token the head was signed with (its SHA-256 differs)")
        return
    stamped_path = data / layout.STAMPED
    if stamped_path.is_file() and stamped_path.read_bytes() != stamped:
        report.fail(f"data/{layout.STAMPED}", "is not the head's stamped bytes")
    cert_path, ca_path = data / layout.TSA_CERT, data / layout.TSA_CA
    from cairn.ledger.timestamping import TimestampError, verify_timestamp

    if not cert_path.is_file():
        report.notes.append("The timestamp token's authority certificate is not in the pack: "
                            "the token was not checked.")
        return
    try:
        info = verify_timestamp(token, stamped, tsa_certificate_pem=cert_path.read_bytes(),
                                ca_certificates_pem=ca_path.read_bytes()
                                if ca_path.is_file() else None)
    except TimestampError as exc:
        report.fail(where, f"does not verify as a timestamp of this head: {exc}")
        return
    report.head["timestamped_at"] = info.gen_time.isoformat().replace("+00:00", "Z")
    report.head["timestamped_by"] = info.tsa_name


def _check_entries(data: Path, index: dict[str, Any], head: dict[str, Any],
                   report: PackReport) -> dict[int, dict[str, Any]]:
    """The included entries that verify, by sequence number."""
    good: dict[int, dict[str, Any]] = {}
    listed: set[str] = set()
    for item in _items(index, "entries", report):
        try:
            seq, entry_rel, proof_rel = int(item["seq"]), str(item["entry"]), str(item["proof"])
        except (KeyError, ValueError, TypeError):
            report.fail(f"data/{layout.INDEX}", "has an entry without seq, entry and proof")
            continue
        listed.add(entry_rel)
        where = f"data/{entry_rel}"
        path = _inside(data, entry_rel)
        if path is None:
            report.fail(f"data/{layout.INDEX}", f"names entry {seq} outside the pack")
            continue
        if not path.is_file():
            report.fail(where, f"entry {seq} is listed in pack.json but missing")
            continue
        if path.stat().st_size > MAX_JSON:
            report.fail(where, f"entry {seq} is too large to be ours")
            continue
        raw = path.read_bytes()
        try:
            body = json.loads(raw)
            canonical = canonical_json(body) == raw
        except (ValueError, UnicodeDecodeError, RecursionError, CanonicalisationError):
            report.fail(where, f"entry {seq} is not valid JSON")
            continue
        if not canonical or not isinstance(body, dict):
            report.fail(where, f"entry {seq} is not in canonical form (it was edited)")
            continue
        if body.get("seq") != seq or body.get("vault") != head["vault"]:
            report.fail(where, f"entry {seq} claims to be entry {body.get('seq')} of vault "
                               f"{body.get('vault')}")
            continue
        proof = _load_json(data, proof_rel, report)
        try:
            path_nodes = [bytes.fromhex(node) for node in proof["path"]]
            proof_size, proof_root = int(proof["size"]), bytes.fromhex(proof["root"])
        except (KeyError, ValueError, TypeError):
            if proof is not None:
                report.fail(f"data/{proof_rel}", f"is not an inclusion proof for entry {seq}")
            continue
        if proof_size != head["size"] or proof_root != head["root"]:
            report.fail(f"data/{proof_rel}", f"proves entry {seq} against another tree head")
            continue
        if not merkle.verify_inclusion(merkle.leaf_hash(raw), seq, head["size"], path_nodes,
                                       head["root"]):
            report.fail(where, f"entry {seq} is not in the signed log: its inclusion proof "
                               "does not lead to the head's root (the entry was changed)")
            continue
        good[seq] = body
    folder = data / "log" / "entries"
    for rel in walk_files(folder) if folder.is_dir() else ():
        if f"log/entries/{rel}" not in listed:
            report.fail(f"data/log/entries/{rel}", "is not listed in pack.json")
    report.entries = len(good)
    return good


def _check_records(data: Path, index: dict[str, Any], entries: dict[int, dict[str, Any]],
                   report: PackReport) -> None:
    latest: dict[tuple[str, str], int] = {}
    for seq, body in entries.items():
        target = body.get("object")
        target = target if isinstance(target, dict) else {}
        key = (str(target.get("type")), str(target.get("id")))
        latest[key] = max(seq, latest.get(key, -1))
    for item in _items(index, "records", report):
        try:
            kind, object_id = str(item["type"]), str(item["id"])
            seq, rel = int(item["seq"]), str(item["file"])
        except (KeyError, ValueError, TypeError):
            report.fail(f"data/{layout.INDEX}", "has a record without type, id, seq and file")
            continue
        where = f"data/{rel}"
        path = _inside(data, rel)
        if path is None:
            report.fail(f"data/{layout.INDEX}", f"names a {kind} record outside the pack")
            continue
        if not path.is_file():
            report.fail(where, f"the {kind} record is listed in pack.json but missing")
            continue
        named = entries.get(seq)
        if named is None:
            report.fail(where, f"names entry {seq}, which does not verify or is not in the pack")
            continue
        body = named
        target = body.get("object")
        target = target if isinstance(target, dict) else {}
        if (target.get("type"), target.get("id")) != (kind, object_id):
            report.fail(where, f"names entry {seq}, which is about another object")
            continue
        if kind != "vault" and latest.get((kind, object_id)) != seq:
            report.fail(where, f"is checked against entry {seq}, but the pack carries a later "
                               f"entry ({latest.get((kind, object_id))}) about this {kind}")
        if file_digest(path, "sha256") != body.get("content_sha256"):
            report.fail(where, f"differs from what entry {seq} recorded (the {kind} record "
                               "was changed)")
            continue
        report.records += 1


def _check_exhibits(data: Path, index: dict[str, Any], report: PackReport,
                    digests: dict[str, str]) -> None:
    """``digests``: SHA-256 of files already read (by the seal check), by bag path."""
    pdf_text = _pdf_text(data / layout.PDF, report)
    listed: set[str] = set()
    for item in _items(index, "exhibits", report):
        try:
            reference, rel = str(item["reference"]), str(item["file"])
            record_rel = str(item["record"])
        except (KeyError, TypeError):
            report.fail(f"data/{layout.INDEX}", "has an exhibit without reference and file")
            continue
        listed.add(rel)
        where = f"data/{rel}"
        path = _inside(data, rel)
        if path is None:
            report.fail(f"data/{layout.INDEX}", f"names exhibit {reference} outside the pack")
            continue
        if not path.is_file():
            report.fail(where, f"exhibit {reference} is listed in pack.json but missing")
            continue
        actual = digests.get(where) or file_digest(path, "sha256")
        size = path.stat().st_size
        record = _load_json(data, record_rel, report)
        if not isinstance(record, dict):
            continue
        if record.get("reference") != reference:
            report.fail(where, f"is listed as {reference} but its record is "
                               f"{record.get('reference')}")
        if actual != record.get("sha256") or size != record.get("size"):
            report.fail(where, f"is not exhibit {reference} as recorded: its SHA-256 is "
                               f"{actual}, the record says {record.get('sha256')} (the file was "
                               "swapped or changed)")
            continue
        if pdf_text is not None:
            if actual not in pdf_text:
                report.fail(f"data/{layout.PDF}", f"does not quote exhibit {reference}'s "
                                                  f"SHA-256 {actual}")
            elif "".join(reference.split()) not in pdf_text:
                report.fail(f"data/{layout.PDF}", f"does not name exhibit {reference}")
        report.exhibits += 1
    folder = data / "exhibits"
    for rel in walk_files(folder) if folder.is_dir() else ():
        if f"exhibits/{rel}" not in listed:
            report.fail(f"data/exhibits/{rel}", "is not listed in pack.json")


def _pdf_text(path: Path, report: PackReport) -> str | None:
    """The PDF's text with all white space removed (hashes may be printed in groups)."""
    if not path.is_file():
        report.fail(f"data/{layout.PDF}", "is missing")
        return None
    from pypdf import PdfReader

    pypdf_log = logging.getLogger("pypdf")
    was = pypdf_log.disabled
    pypdf_log.disabled = True  # its warnings quote the file's objects; they are not ours to log
    try:
        reader = PdfReader(path)
        text = "".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # a PDF reader on bytes anyone may have written: any failure is "no"
        report.fail(f"data/{layout.PDF}", "is not a readable PDF")
        return None
    finally:
        pypdf_log.disabled = was
    return "".join(text.split())
