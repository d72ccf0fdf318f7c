"""Incidents and revisions hashed again for ``cairn verify``, by a pool of processes (ADR 0047).

Each incident numbered in a range, and each of its revisions, is decrypted, its canonical
content rebuilt and hashed; the caller compares the hashes with the ledger. The rows are read
as plain values: a model instance per row, or even a ``uuid.UUID`` per id, costs more than
the checks themselves (ADR 0056). Ids are read as text and written the one way ``str`` writes
a ``uuid.UUID`` (lower case, with dashes), so the content and the sealed rows' contexts are
the same bytes as the services'.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from django.db import connections, transaction
from django.db.models import CharField, Max
from django.db.models.functions import Cast

from cairn.ledger import log
from cairn.store import crypto
from cairn.store.sealed import unseal_row
from cairn.vault import services
from cairn.vault.models import Incident, IncidentRevision

# From how many incidents a pool of processes pays for itself (forking, each reading its part).
PARALLEL_FROM = 5000

# How many ranges each process works through: enough for a smooth progress bar and an even
# share of the work, few enough that each range's queries stay cheap.
RANGES_PER_WORKER = 8

RecordHash = tuple[str, str, int, str, str | None]  # kind, id, number, incident id, hash
Progress = Callable[[int, int], None]  # incidents hashed so far, of how many


def start(
    vault: Any, workers: int | None, progress: Progress | None = None
) -> Callable[[], list[RecordHash]]:
    """Start hashing the vault's incidents and revisions; the returned function waits for
    and returns the hashes. In a pool the work starts now, so this process checks the log
    meanwhile; alone, it is done when asked for. ``workers``: None for one process per core
    when there are ``PARALLEL_FROM`` incidents or more and no transaction is open."""
    last = Incident.objects.filter(vault=vault).aggregate(m=Max("number"))["m"] or 0
    if workers is None:
        workers = (
            (os.cpu_count() or 1)
            if (last >= PARALLEL_FROM and not transaction.get_connection().in_atomic_block)
            else 1
        )
    vault_id = str(vault.pk)
    ranges = list(_ranges(last, max(workers, 1) * RANGES_PER_WORKER))
    if workers <= 1 or last == 0:

        def alone() -> list[RecordHash]:
            found: list[RecordHash] = []
            for lo, hi in ranges:
                found.extend(record_hashes(vault_id, lo, hi))
                if progress is not None:
                    progress(hi, last)
            return found

        return alone
    # Each process reads its own ranges of incident numbers (and their revisions) through
    # its own connection: close this one so that no child shares it.
    connections.close_all()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    futures = {pool.submit(record_hashes, vault_id, lo, hi): hi - lo for lo, hi in ranges}

    def wait() -> list[RecordHash]:
        try:
            done = 0
            for future in as_completed(futures):
                done += futures[future]
                if progress is not None:
                    progress(done, last)
            return [row for future in futures for row in future.result()]
        finally:
            pool.shutdown()

    return wait


def _ranges(last: int, parts: int) -> Iterator[tuple[int, int]]:
    """(after, upto] ranges of incident numbers covering 1..``last`` in about ``parts``."""
    step = max(1, -(-last // parts))
    for lo in range(0, last, step):
        yield lo, min(lo + step, last)


def _text(field: str) -> Cast:
    return Cast(field, output_field=CharField())


def _uuid_text(value: str) -> str:
    """A UUID column read as text, as ``str(uuid.UUID(...))`` writes it: SQLite keeps 32 hex
    digits, PostgreSQL gives the dashed form already."""
    if len(value) == 32:
        value = f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return value.lower()


def record_hashes(vault_id: str, after: int, upto: int) -> list[RecordHash]:
    """The content hash of each incident numbered in (``after``, ``upto``] and of each of its
    revisions, None where a row does not decrypt: ("incident", id, number, id, hash) and
    ("revision", id, revision number, incident id, hash), in incident number order."""
    content_hash = log.content_hash
    found: list[RecordHash] = []
    mine = Incident.objects.filter(vault_id=vault_id, number__gt=after, number__lte=upto)
    links: dict[str, list[str]] = defaultdict(list)
    for incident_id, person_id in Incident.persons.through.objects.filter(
        incident__in=mine
    ).values_list(_text("incident_id"), _text("person_id")):
        links[_uuid_text(incident_id)].append(_uuid_text(person_id))
    rows = (
        mine.order_by("number")
        .values_list(
            _text("id"),
            "number",
            "start",
            "end",
            "precision",
            "channel",
            "acts",
            "sealed",
            "feared_violence",
            "reported_to_police",
            "deleted_at",
            "revision",
        )
        .iterator(2000)
    )
    numbers: dict[str, int] = {}
    for (
        pk,
        number,
        start,
        end,
        precision,
        channel,
        acts,
        blob,
        feared,
        reported,
        deleted_at,
        revision,
    ) in rows:
        pk = _uuid_text(pk)
        numbers[pk] = number
        try:
            if deleted_at is not None:
                content = services.build_tombstone_content(
                    pk=pk, vault_id=vault_id, number=number, revision=revision
                )
            else:
                content = services.build_incident_content(
                    pk=pk,
                    vault_id=vault_id,
                    number=number,
                    start=start,
                    end=end,
                    precision=precision,
                    channel=channel,
                    acts=acts,
                    text=unseal_row(Incident, pk, vault_id, blob),
                    feared_violence=feared,
                    reported_to_police=reported,
                    person_ids=links.get(pk, ()),
                )
            actual: str | None = content_hash(content)
        except crypto.CryptoError:
            actual = None
        found.append(("incident", pk, number, pk, actual))
    # Revisions are read unordered (their default order, by the incident's start, makes the
    # database sort them: as long as reading them) and put in incident order here.
    revisions: list[RecordHash] = []
    for pk, incident_id, number, blob in (
        IncidentRevision.objects.filter(vault_id=vault_id, erased=False, incident__in=mine)
        .order_by()
        .values_list(_text("id"), _text("incident_id"), "number", "sealed")
        .iterator(2000)
    ):
        pk = _uuid_text(pk)
        try:
            snapshot = unseal_row(IncidentRevision, pk, vault_id, blob)
            actual = content_hash(snapshot.get("content", {}))
        except crypto.CryptoError:
            actual = None
        revisions.append(("revision", pk, number, _uuid_text(incident_id), actual))
    revisions.sort(key=lambda row: (numbers.get(row[3], 0), row[2]))
    return found + revisions
