"""``cairn verify``: recompute everything a vault's record rests on, from the stored data.

1. The log (``cairn.ledger.checks``): every leaf from its entry bytes, the tree, every signed
   tree head's root, signature and timestamp token.
2. The objects: each incident, revision, person and exhibit is hashed again (its canonical
   content, after decryption) and compared with the ledger entry that recorded it; an object
   the log does not know, or an entry whose object is gone, is named.
3. The files: each exhibit's file is decrypted (every segment authenticated) and its SHA-256
   and size compared with the exhibit's.

Failures name the entry ("entry 17"), the head, the object ("incident 4") or the file
("file AB/3") and say what differs. Nothing here writes except the ``Verification`` row that
records the outcome (without content).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Max

from cairn.ledger import checks, log, signing
from cairn.ledger.frontier import frontier_root, split
from cairn.ledger.models import LedgerEntry, LedgerState, TreeHead, Verification
from cairn.store import crypto
from cairn.store.blobs import StoreError, default_store
from cairn.store.keys import KeyUnavailable
from cairn.store.sealed import unseal_row


@dataclass
class VerifyReport:
    vault_id: str
    entries: int = 0
    heads: int = 0
    tokens: int = 0
    objects: int = 0
    files: int = 0
    content_readable: bool = True
    failures: list[checks.Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        state = "verified" if self.ok else f"FAILED ({len(self.failures)} problems)"
        text = (f"{self.entries} entries, {self.heads} signed tree heads, {self.tokens} "
                f"timestamp tokens, {self.objects} records, {self.files} files: {state}")
        if not self.content_readable:
            text += "; content not checked: this vault's key was destroyed"
        return text


def _token_checker() -> Callable[[bytes, bytes], str | None] | None:
    cert_file = getattr(settings, "CAIRN_TSA_CERT_FILE", "")
    if not cert_file:
        return None
    from cairn.ledger.timestamping import TimestampError, verify_timestamp

    tsa_pem = Path(cert_file).read_bytes()
    ca_file = getattr(settings, "CAIRN_TSA_CA_FILE", "")
    ca_pem = Path(ca_file).read_bytes() if ca_file else None

    def check(token: bytes, data: bytes) -> str | None:
        try:
            verify_timestamp(token, data, tsa_certificate_pem=tsa_pem, ca_certificates_pem=ca_pem)
        except TimestampError as exc:
            return str(exc)
        return None

    return check


def _stored_heads(vault: Any) -> list[checks.StoredHead]:
    heads = []
    for head in TreeHead.objects.filter(vault=vault).order_by("size", "created_at"):
        token = bytes(head.timestamp_token) if head.timestamp_token is not None else None
        heads.append(checks.StoredHead(
            size=head.size, root=bytes(head.root_hash), timestamp=head.timestamp,
            key=head.key_fingerprint, signature=bytes(head.signature), token=token,
            message=log.signed_bytes(head), stamped=log.stamped_bytes(head)))
    return heads


def verify_vault(vault: Any, *, record: bool = True, workers: int | None = None) -> VerifyReport:
    """Check ``vault``'s log, records and files. ``workers``: how many processes hash the
    incidents and revisions (None: one per core when there are ``PARALLEL_FROM`` or more
    and no transaction is open; 1: this process alone)."""
    key = signing.instance_key()
    hashes = _start_record_hashes(vault, workers)
    entries = [checks.StoredEntry(seq=seq, entry=bytes(entry), leaf_hash=bytes(leaf))
               for seq, entry, leaf in LedgerEntry.objects.filter(vault=vault)
               .order_by("seq").values_list("seq", "entry", "leaf_hash").iterator(2000)]
    result = checks.check_log(str(vault.pk), entries, _stored_heads(vault),
                              public_key_raw=key.public_raw(), key_fingerprint=key.fingerprint(),
                              check_token=_token_checker())
    report = VerifyReport(vault_id=str(vault.pk), entries=result.entries, heads=result.heads,
                          tokens=result.tokens, failures=list(result.failures))
    state = LedgerState.objects.filter(vault=vault).first()
    if state is None:
        report.failures.append(checks.Failure("the ledger state", "is missing"))
    elif state.size != result.tree.size or frontier_root(split(bytes(state.frontier))) != (
            result.tree.root()):
        report.failures.append(checks.Failure(
            "the ledger state", f"says {state.size} entries with another root; the entries "
            f"give {result.tree.size} (the next signed head would be wrong)"))
    try:
        _check_objects(vault, result.parsed, report, hashes)
    except KeyUnavailable:
        report.content_readable = False
    if record:
        Verification.objects.create(vault=vault, ok=report.ok, entries=report.entries,
                                    files=report.files,
                                    failures=[str(f) for f in report.failures][:200])
    return report


def _check_objects(vault: Any, parsed: dict[int, dict[str, Any]], report: VerifyReport,  # noqa: C901, PLR0915 (verify moves out of ledger: issue 20, wv)
                   hashes: Callable[[], list[RecordHash]]) -> None:
    from cairn.vault import services
    from cairn.vault.models import Exhibit, Person

    by_object: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for seq in sorted(parsed):
        body = parsed[seq]
        target = body.get("object")
        if isinstance(target, dict):
            by_object[f"{target.get('type')}:{target.get('id')}"].append(body)
    seen: set[str] = set()

    def expect(kind: str, pk: object, label: str, content: Callable[[], Any], *,
               first: bool = False) -> None:
        key = f"{kind}:{pk}"
        seen.add(key)
        report.objects += 1
        try:
            actual: str | None = log.content_hash(content())
        except crypto.CryptoError:
            actual = None
        compare(key, label, actual, first=first)

    def compare(key: str, label: str, actual: str | None, *, first: bool = False) -> None:
        """``actual``: the content's hash now, None when it does not decrypt."""
        recorded = by_object.get(key)
        if not recorded:
            report.failures.append(checks.Failure(label, "is not in the ledger (it was added "
                                                  "outside the services)"))
            return
        if actual is None:
            report.failures.append(checks.Failure(label, "its encrypted text does not decrypt "
                                                  "(it was altered or moved)"))
            return
        latest = recorded[0] if first else recorded[-1]
        if latest.get("content_sha256") != actual:
            report.failures.append(checks.Failure(
                label, f"differs from what entry {latest.get('seq')} recorded "
                f"(recorded {str(latest.get('content_sha256'))[:16]}…, now {actual[:16]}…)"))

    expect("vault", vault.pk, "the vault", lambda: {
        "id": str(vault.pk), "initials": vault.initials, "time_zone": vault.time_zone,
        "jurisdiction": vault.jurisdiction}, first=True)

    # Incidents and revisions are hashed from plain rows (see ``record_hashes``), by a pool
    # of processes when there are many; the comparing is done here.
    numbers: dict[str, int] = {}
    revisions: list[tuple[str, int, str | None]] = []
    for kind, pk, number, incident_id, actual in hashes():
        if kind == "revision":
            revisions.append((incident_id, number, actual))
            continue
        numbers[pk] = number
        key = f"incident:{pk}"
        seen.add(key)
        report.objects += 1
        compare(key, f"incident {number}", actual)
    for incident_id, number, actual in revisions:
        label = f"incident {numbers.get(incident_id)} revision {number}"
        recorded = [body for body in by_object.get(f"incident:{incident_id}", [])
                    if body.get("revision") == number]
        if not recorded:
            report.failures.append(checks.Failure(label, "is not in the ledger"))
            continue
        if actual is None:
            report.failures.append(checks.Failure(label, "its encrypted snapshot does not "
                                                  "decrypt (it was altered or moved)"))
            continue
        if recorded[0].get("content_sha256") != actual:
            report.failures.append(checks.Failure(
                label, f"differs from what entry {recorded[0].get('seq')} recorded"))

    for person in Person.objects.filter(vault=vault).prefetch_related("identifiers"):
        expect("person", person.pk, f"person {str(person.pk)[:8]}",
               lambda person=person: services.person_content(person))

    store = default_store()
    for exhibit in Exhibit.objects.filter(vault=vault):
        label = f"exhibit {exhibit.reference}"
        expect("exhibit", exhibit.pk, label,
               lambda exhibit=exhibit: services.exhibit_content(exhibit))
        report.files += 1
        try:
            size = store.check(str(vault.pk), exhibit.sha256)
        except StoreError as exc:
            report.failures.append(checks.Failure(f"file {exhibit.reference}", str(exc)))
            continue
        if size != exhibit.size:
            report.failures.append(checks.Failure(
                f"file {exhibit.reference}", f"is {size} bytes, the exhibit says {exhibit.size}"))

    # Import batches: the batch as its import.committed entry hashed it (with any DKIM keys it
    # archived), and its items re-hashed from the stored rows (decrypting each).
    from cairn.importers import services as imports
    from cairn.importers.models import ImportBatch

    for batch in ImportBatch.objects.filter(vault=vault).select_related("source_exhibit"):
        label = f"import {batch.number}"
        expect("importbatch", batch.pk, label,
               lambda batch=batch: imports.batch_content(batch))
        try:
            digest = imports.batch_items_digest(batch)
        except crypto.CryptoError:
            report.failures.append(checks.Failure(label, "an item's encrypted text does not "
                                                  "decrypt (it was altered or moved)"))
            continue
        if digest != batch.items_sha256:
            report.failures.append(checks.Failure(label, "its items differ from what was "
                                                  "recorded"))

    for key, bodies in by_object.items():
        kind = key.split(":", 1)[0]
        if key not in seen and kind in {"incident", "person", "exhibit", "vault",
                                        "importbatch"}:
            report.failures.append(checks.Failure(
                f"entry {bodies[-1].get('seq')}", f"records {kind} {key.split(':', 1)[1]}, "
                "which is missing from the database"))


# --- incidents and revisions, hashed in a pool of processes -----------------------------------

# From how many incidents a pool of processes pays for itself (forking, each reading its part).
PARALLEL_FROM = 5000

RecordHash = tuple[str, str, int, str, str | None]  # kind, id, number, incident id, hash


def _start_record_hashes(vault: Any, workers: int | None
                         ) -> Callable[[], list[RecordHash]]:
    """Start hashing the vault's incidents and revisions; the returned function waits for
    and returns the hashes. In a pool the work starts now, so this process checks the log
    meanwhile; alone, it is done when asked for."""
    from django.db import connections, transaction

    from cairn.vault.models import Incident

    last = Incident.objects.filter(vault=vault).aggregate(m=Max("number"))["m"] or 0
    if workers is None:
        workers = (os.cpu_count() or 1) if (
            last >= PARALLEL_FROM and not transaction.get_connection().in_atomic_block) else 1
    if workers <= 1 or last == 0:
        return lambda: record_hashes(str(vault.pk), 0, last)
    # Each process reads its own range of incident numbers (and their revisions) through its
    # own connection: close this one so that no child shares it.
    parts = workers * 4
    step = -(-last // parts)
    connections.close_all()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    futures = [pool.submit(record_hashes, str(vault.pk), lo, min(lo + step, last))
               for lo in range(0, last, step)]

    def wait() -> list[RecordHash]:
        try:
            return [row for future in futures for row in future.result()]
        finally:
            pool.shutdown()

    return wait


def record_hashes(vault_id: str, after: int, upto: int) -> list[RecordHash]:
    """The content hash of each incident numbered in (``after``, ``upto``] and of each of its
    revisions, None where a row does not decrypt: ("incident", id, number, id, hash) and
    ("revision", id, revision number, incident id, hash). Rows are read as plain values and
    unsealed once each: a model instance per row costs more than the checks themselves."""
    from cairn.vault import services
    from cairn.vault.models import Incident, IncidentRevision

    def hashed(content: Callable[[], Any]) -> str | None:
        try:
            return log.content_hash(content())
        except crypto.CryptoError:
            return None

    found: list[RecordHash] = []
    mine = Incident.objects.filter(vault_id=vault_id, number__gt=after, number__lte=upto)
    links: dict[str, list[str]] = defaultdict(list)
    for incident_id, person_id in Incident.persons.through.objects.filter(
            incident__in=mine).values_list("incident_id", "person_id"):
        links[str(incident_id)].append(str(person_id))
    rows = mine.values_list(
        "id", "number", "start", "end", "precision", "channel", "acts", "sealed",
        "feared_violence", "reported_to_police", "deleted_at", "revision").iterator(2000)
    for (pk, number, start, end, precision, channel, acts, sealed, feared, reported,
         deleted_at, revision) in rows:
        if deleted_at is not None:
            actual = hashed(lambda pk=pk, number=number, revision=revision:
                            services.build_tombstone_content(
                                pk=pk, vault_id=vault_id, number=number, revision=revision))
        else:
            actual = hashed(lambda pk=pk, number=number, start=start, end=end,
                            precision=precision, channel=channel, acts=acts, sealed=sealed,
                            feared=feared, reported=reported: services.build_incident_content(
                                pk=pk, vault_id=vault_id, number=number, start=start, end=end,
                                precision=precision, channel=channel, acts=acts,
                                text=unseal_row(Incident, pk, vault_id, sealed),
                                feared_violence=feared, reported_to_police=reported,
                                person_ids=links.get(str(pk), ())))
        found.append(("incident", str(pk), number, str(pk), actual))
    for pk, incident_id, number, sealed in IncidentRevision.objects.filter(
            vault_id=vault_id, erased=False, incident__in=mine).values_list(
            "id", "incident_id", "number", "sealed").iterator(2000):
        actual = hashed(lambda pk=pk, sealed=sealed: unseal_row(
            IncidentRevision, pk, vault_id, sealed).get("content", {}))
        found.append(("revision", str(pk), number, str(incident_id), actual))
    return found


def verify_against(vault: Any, checkpoint: log.Checkpoint) -> list[checks.Failure]:
    """Prove that the vault's log still extends a checkpoint kept elsewhere.

    Checks the checkpoint's own signature, then a consistency proof (RFC 9162 §2.1.4) from the
    checkpoint's size to the current log, against the roots recomputed from the entries.
    """
    from cairn.ledger import merkle

    key = signing.instance_key()
    where = f"checkpoint of size {checkpoint.size} ({checkpoint.timestamp})"
    if checkpoint.vault != str(vault.pk):
        return [checks.Failure(where, "is for another vault")]
    if checkpoint.key != key.fingerprint():
        return [checks.Failure(where, "was signed by another key")]
    if not signing.verify_signature(key.public_raw(), checkpoint.message(), checkpoint.signature):
        return [checks.Failure(where, "its signature does not match (the checkpoint text was "
                                      "changed)")]
    leaves = [bytes(leaf) for leaf in LedgerEntry.objects.filter(vault=vault).order_by("seq")
              .values_list("leaf_hash", flat=True).iterator(5000)]
    tree = merkle.MerkleTree(leaves)
    if checkpoint.size > tree.size:
        return [checks.Failure(where, f"has {checkpoint.size} entries but the log now has only "
                                      f"{tree.size}: entries were removed")]
    proof = tree.consistency_proof(checkpoint.size, tree.size) if checkpoint.size else []
    if not merkle.verify_consistency(checkpoint.size, tree.size, checkpoint.root, tree.root(),
                                     proof):
        return [checks.Failure(where, "the current log does not extend it: history before "
                                      "the checkpoint was rewritten")]
    return []
