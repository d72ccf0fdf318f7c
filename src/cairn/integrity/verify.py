"""``cairn verify``: recompute everything a vault's record rests on, from the stored data.

1. The log (``cairn.ledger.proofs``): every leaf from its entry bytes, the tree, every signed
   tree head's root, signature and timestamp token, and the ledger state.
2. The objects: each incident, revision, person and exhibit is hashed again (its canonical
   content, after decryption) and compared with the ledger entry that recorded it; an object
   the log does not know, or an entry whose object is gone, is named. Incidents and their
   revisions are hashed by a pool of processes (``cairn.integrity.records``).
3. The files: each exhibit's file is decrypted (every segment authenticated) and its SHA-256
   and size compared with the exhibit's.

Failures name the entry ("entry 17"), the head, the object ("incident 4") or the file
("file AB/3") and say what differs. Nothing here writes except the ``Verification`` row that
records the outcome (without content).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cairn.importers.models import ImportBatch
from cairn.integrity import records
from cairn.ledger import checks, log, proofs
from cairn.ledger.models import Verification
from cairn.store import crypto
from cairn.store.blobs import StoreError, default_store
from cairn.store.keys import KeyUnavailable
from cairn.vault import services
from cairn.vault.models import Exhibit, Person

# What the progress callback is told: the phase ("log", "records", "files"), how many of
# its items are done, and of how many (None when not known yet).
Progress = Callable[[str, int, int | None], None]


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
        text = (
            f"{self.entries} entries, {self.heads} signed tree heads, {self.tokens} "
            f"timestamp tokens, {self.objects} records, {self.files} files: {state}"
        )
        if not self.content_readable:
            text += "; content not checked: this vault's key was destroyed"
        return text


def verify_vault(
    vault: Any, *, record: bool = True, workers: int | None = None, progress: Progress | None = None
) -> VerifyReport:
    """Check ``vault``'s log, records and files. ``workers``: how many processes hash the
    incidents and revisions (None: one per core when there are ``records.PARALLEL_FROM`` or
    more and no transaction is open; 1: this process alone). ``progress``, when given, is
    told how far each phase has come."""
    hashes = records.start(
        vault,
        workers,
        (lambda done, total: progress("records", done, total)) if progress is not None else None,
    )
    if progress is not None:
        progress("log", 0, None)
    result = proofs.check_stored_log(vault)
    report = VerifyReport(
        vault_id=str(vault.pk),
        entries=result.entries,
        heads=result.heads,
        tokens=result.tokens,
        failures=list(result.failures),
    )
    try:
        _check_objects(vault, result.parsed, report, hashes, progress)
    except KeyUnavailable:
        report.content_readable = False
    if record:
        Verification.objects.create(
            vault=vault,
            ok=report.ok,
            entries=report.entries,
            files=report.files,
            failures=[str(f) for f in report.failures][:200],
        )
    return report


def _check_objects(
    vault: Any,
    parsed: dict[int, dict[str, Any]],
    report: VerifyReport,
    hashes: Callable[[], list[records.RecordHash]],
    progress: Progress | None,
) -> None:
    recorded = _Recorded(parsed, report)
    recorded.expect(
        "vault",
        vault.pk,
        "the vault",
        lambda: {
            "id": str(vault.pk),
            "initials": vault.initials,
            "time_zone": vault.time_zone,
            "jurisdiction": vault.jurisdiction,
        },
        first=True,
    )
    _check_incidents(recorded, hashes())
    for person in Person.objects.filter(vault=vault).prefetch_related("identifiers"):
        recorded.expect(
            "person",
            person.pk,
            f"person {str(person.pk)[:8]}",
            lambda person=person: services.person_content(person),
        )
    _check_exhibits(vault, recorded, progress)
    _check_imports(vault, recorded)
    recorded.name_the_missing()


class _Recorded:
    """The ledger's entries by the object they record, and the comparing of an object's
    content now with what its entries recorded. Every problem goes into ``report``."""

    KINDS = {"incident", "person", "exhibit", "vault", "importbatch"}

    def __init__(self, parsed: dict[int, dict[str, Any]], report: VerifyReport) -> None:
        self.report = report
        self.by_object: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for seq in sorted(parsed):
            body = parsed[seq]
            target = body.get("object")
            if isinstance(target, dict):
                self.by_object[f"{target.get('type')}:{target.get('id')}"].append(body)
        self.seen: set[str] = set()

    def fail(self, where: str, what: str) -> None:
        self.report.failures.append(checks.Failure(where, what))

    def expect(
        self, kind: str, pk: object, label: str, content: Callable[[], Any], *, first: bool = False
    ) -> None:
        try:
            actual: str | None = log.content_hash(content())
        except crypto.CryptoError:
            actual = None
        self.compare(f"{kind}:{pk}", label, actual, first=first)

    def compare(self, key: str, label: str, actual: str | None, *, first: bool = False) -> None:
        """``actual``: the content's hash now, None when it does not decrypt. Compared with
        the latest entry for the object (``first``: its first)."""
        self.seen.add(key)
        self.report.objects += 1
        recorded = self.by_object.get(key)
        if not recorded:
            self.fail(label, "is not in the ledger (it was added outside the services)")
            return
        if actual is None:
            self.fail(label, "its encrypted text does not decrypt (it was altered or moved)")
            return
        latest = recorded[0] if first else recorded[-1]
        if latest.get("content_sha256") != actual:
            self.fail(
                label,
                f"differs from what entry {latest.get('seq')} recorded (recorded "
                f"{str(latest.get('content_sha256'))[:16]}…, now {actual[:16]}…)",
            )

    def name_the_missing(self) -> None:
        """Entries whose object is gone from the database."""
        for key, bodies in self.by_object.items():
            kind, pk = key.split(":", 1)
            if key not in self.seen and kind in self.KINDS:
                self.fail(
                    f"entry {bodies[-1].get('seq')}",
                    f"records {kind} {pk}, which is missing from the database",
                )


def _check_incidents(recorded: _Recorded, hashes: list[records.RecordHash]) -> None:
    """Incidents and revisions, hashed from plain rows (``records.record_hashes``) by a
    pool of processes when there are many; the comparing is done here, in one process, so
    the failures are the same whatever the number of processes."""
    numbers: dict[str, int] = {}
    revisions: list[tuple[str, int, str | None]] = []
    for kind, pk, number, incident_id, actual in hashes:
        if kind == "revision":
            revisions.append((incident_id, number, actual))
            continue
        numbers[pk] = number
        recorded.compare(f"incident:{pk}", f"incident {number}", actual)
    for incident_id, number, actual in revisions:
        label = f"incident {numbers.get(incident_id)} revision {number}"
        entries = [
            body
            for body in recorded.by_object.get(f"incident:{incident_id}", [])
            if body.get("revision") == number
        ]
        if not entries:
            recorded.fail(label, "is not in the ledger")
        elif actual is None:
            recorded.fail(
                label, "its encrypted snapshot does not decrypt (it was altered or moved)"
            )
        elif entries[0].get("content_sha256") != actual:
            recorded.fail(label, f"differs from what entry {entries[0].get('seq')} recorded")


def _check_exhibits(vault: Any, recorded: _Recorded, progress: Progress | None) -> None:
    """Each exhibit's content, and its file: decrypted (every segment authenticated), its
    SHA-256 and size compared with the exhibit's."""
    store = default_store()
    exhibits = list(Exhibit.objects.filter(vault=vault))
    for done, exhibit in enumerate(exhibits, start=1):
        _check_exhibit(store, vault, recorded, exhibit)
        if progress is not None:
            progress("files", done, len(exhibits))


def _check_exhibit(store: Any, vault: Any, recorded: _Recorded, exhibit: Exhibit) -> None:
    label = f"exhibit {exhibit.reference}"
    recorded.expect("exhibit", exhibit.pk, label, lambda: services.exhibit_content(exhibit))
    recorded.report.files += 1
    try:
        size = store.check(str(vault.pk), exhibit.sha256)
    except StoreError as exc:
        recorded.fail(f"file {exhibit.reference}", str(exc))
        return
    if size != exhibit.size:
        recorded.fail(
            f"file {exhibit.reference}", f"is {size} bytes, the exhibit says {exhibit.size}"
        )


def _check_imports(vault: Any, recorded: _Recorded) -> None:
    """Import batches: the batch as its import.committed entry hashed it (with any DKIM keys
    it archived), and its items re-hashed from the stored rows (decrypting each)."""
    batches = list(ImportBatch.objects.filter(vault=vault).select_related("source_exhibit"))
    if not batches:
        return
    # The import services (and their parsers) take a noticeable part of a second to import:
    # only a vault with imports needs them.
    from cairn.importers import services as imports

    for batch in batches:
        label = f"import {batch.number}"
        recorded.expect(
            "importbatch", batch.pk, label, lambda batch=batch: imports.batch_content(batch)
        )
        try:
            digest = imports.batch_items_digest(batch)
        except crypto.CryptoError:
            recorded.fail(
                label, "an item's encrypted text does not decrypt (it was altered or moved)"
            )
            continue
        if digest != batch.items_sha256:
            recorded.fail(label, "its items differ from what was recorded")
