"""Fill a vault with many incidents quickly, exactly as the services would have written them.

For benchmarks only. Logging 100,000 incidents one by one through ``log_incident`` takes
minutes; this builds the same rows (sealed incidents, their first revisions, persons links,
audit records, ledger entries and the ledger state) in bulk, using the services' own content
functions and the ledger's own entry format. ``cairn verify`` passing on a seeded vault is
the check that the two agree (tests/test_bench_seed.py).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cairn.audit.models import AuditRecord
from cairn.ledger import log, merkle
from cairn.ledger.frontier import frontier_append, split
from cairn.ledger.models import LedgerEntry, LedgerState
from cairn.vault import services
from cairn.vault.choices import Channel
from cairn.vault.models import Incident, IncidentRevision, Vault

PHRASES = [
    "He was waiting at the bus stop when I got there and followed me onto the bus.",
    "Three messages from a new number, saying he knows where I work.",
    "I found a note under the windscreen wiper of my car.",
    "He was outside the office at lunchtime, watching the door.",
    "My friend saw him in the car park again, sitting in his car.",
]
ACT_SETS = [("a",), ("b",), ("a", "e", "g"), ("f",), ("b", "c"), ("e", "g")]


def seed_incidents(
    vault: Vault, count: int, *, persons: int = 5, seed: int = 7, batch: int = 1000
) -> None:
    rng = random.Random(seed)
    owner = vault.owner
    people = [
        services.create_person(actor=owner, vault=vault, name=f"Person {i}") for i in range(persons)
    ]
    now = timezone.now()
    channels = list(Channel.values)
    with transaction.atomic():
        state = LedgerState.objects.select_for_update().get(vault=vault)
        locked = Vault.objects.select_for_update().get(pk=vault.pk)
        frontier = split(bytes(state.frontier))
        seq = state.size
        number = locked.last_incident_number
        for offset in range(0, count, batch):
            size = min(batch, count - offset)
            fresh: list[Incident] = []
            for i in range(size):
                number += 1
                incident = Incident(
                    vault=locked,
                    number=number,
                    start=now - timedelta(hours=3 * (count - offset - i) + rng.random()),
                    precision="exact",
                    channel=rng.choice(channels),
                    acts="," + "".join(f"{a}," for a in rng.choice(ACT_SETS)),
                    feared_violence=rng.random() < 0.1,
                    recorded_by=owner,
                )
                incident.description = rng.choice(PHRASES)
                incident.location = rng.choice(["Mill Lane", "Work", "Home", ""])
                incident.reseal()
                fresh.append(incident)
            Incident.objects.bulk_create(fresh)
            link = Incident.persons.through
            link.objects.bulk_create(
                [
                    link(incident_id=inc.pk, person_id=people[n % persons].pk)
                    for n, inc in enumerate(fresh, start=offset)
                ]
            )
            revisions, entries, audits = [], [], []
            for incident in (
                Incident.objects.filter(pk__in=[i.pk for i in fresh])
                .order_by("number")
                .prefetch_related("persons")
            ):
                content = services.incident_content(incident)
                revision = IncidentRevision(
                    vault_id=vault.pk,
                    incident=incident,
                    number=1,
                    changed_fields=[],
                    created_by=owner,
                )
                revision.content = content
                revision.reseal()
                revisions.append(revision)
                data = log.entry_bytes(
                    vault_id=str(vault.pk),
                    seq=seq,
                    actor_id=str(owner.pk),
                    kind="incident.created",
                    object_type="incident",
                    object_id=incident.pk,
                    content=content,
                    extra={"revision": 1},
                )
                leaf = merkle.leaf_hash(data)
                frontier = frontier_append(seq, frontier, leaf)
                entries.append(LedgerEntry(vault=vault, seq=seq, entry=data, leaf_hash=leaf))
                audits.append(
                    AuditRecord(
                        actor=owner,
                        action="incident.created",
                        object_type="incident",
                        object_id=str(incident.pk),
                        vault_id=vault.pk,
                        detail={"revision": 1},
                    )
                )
                seq += 1
            IncidentRevision.objects.bulk_create(revisions)
            LedgerEntry.objects.bulk_create(entries)
            AuditRecord.objects.bulk_create(audits)
        state.size = seq
        state.frontier = b"".join(frontier)
        state.save(update_fields=["size", "frontier"])
        locked.last_incident_number = number
        locked.save(update_fields=["last_incident_number"])


def seed_data_dir(count: int, **options: Any) -> Vault:
    """Create a vault in the configured data dir and seed it (for command-line benchmarks)."""
    from cairn.accounts.models import User

    owner, _ = User.objects.get_or_create(username="bench")
    vault = services.create_vault(actor=owner, name="Bench", initials="BE")
    seed_incidents(vault, count, **options)
    return vault
