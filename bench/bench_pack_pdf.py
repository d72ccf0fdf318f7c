"""Timings for the pack's PDF part (issue 6): the analysis of what is disclosed, the pack
document and its Typst layout, for the demo vault and for 1,000 incidents with 1,000 exhibits.

Run: ``.venv/bin/pytest bench/bench_pack_pdf.py --benchmark-enable -q``
(the project's pytest options disable benchmarks by default). Target (issue 6): the PDF part
of a 1,000-incident, 1,000-exhibit pack under 10 s. The large snapshot is built in memory (the
PDF part is pure: it never reads the database or the files); the demo vault is loaded through
the services. Each layout runs Typst in a new child process (``cairn.packs.pdf``), so no round
reuses an earlier round's memoised layout: every figure is a cold build, as a real one is.
``bench/bench_pack.py`` times whole pack builds, bag included.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from cairn.analysis.base import THIRD_PERSON
from cairn.analysis.engine import analyse_people
from cairn.analysis.labels import CHANNEL_LABELS
from cairn.demo import load_demo
from cairn.law.pha1997 import ACT_CODES
from cairn.packs.document import PackDocument, build_document
from cairn.packs.head import HeadInfo
from cairn.packs.pdf import render_pdf
from cairn.packs.selection import Selection, resolve
from cairn.packs.statement import draft_statement
from cairn.vault.snapshot import (
    ExhibitSnapshot,
    IncidentSnapshot,
    PersonSnapshot,
    VaultSnapshot,
)
from cairn.vault.snapshot_loader import take_snapshot

SIZE = 1_000
START = datetime(2023, 3, 6, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 1, 20, 10, 30, tzinfo=UTC)
SENTENCES = (
    "He was waiting at the bus stop when I got there and followed me onto the bus.",
    "Three messages from a new number, saying he knows where I work and what time I leave.",
    "I found a note under the windscreen wiper of my car telling me he still loves me.",
    "He was outside the office at lunchtime, watching the door, and left when I came out.",
    "My friend saw him in the car park again, sitting in his car with the engine running.",
    "He said I would regret ignoring him and that he would make sure everyone knew.",
)
LOCATIONS = (
    "",
    "Outside my house, Alder Close",
    "Outside my office, Kingsway",
    "Bus stop on Hill Road (stop H2)",
    "The gym on Station Road",
    "My car, parked outside my house",
)
IMPACTS = (
    "",
    "",
    "I stopped going out in the evening.",
    "I changed my route to work.",
    "I could not sleep that night and was late for work the next day.",
)
PRECISIONS = ("exact", "exact", "exact", "hour", "day", "overnight", "unknown")


def large_snapshot(size: int = SIZE, seed: int = 11) -> VaultSnapshot:
    """``size`` incidents over nearly three years, each with one exhibit."""
    rng = random.Random(seed)
    span = (NOW - timedelta(days=3) - START).total_seconds()
    moments = sorted(
        START + timedelta(seconds=int(rng.random() ** 0.8 * span)) for _ in range(size)
    )
    channels = sorted(CHANNEL_LABELS)
    incidents, exhibits = [], []
    for number, start in enumerate(moments, 1):
        incident_id = f"{number:08d}-0000-4000-8000-000000000000"
        exhibit_id = f"{number:08d}-0000-4000-8000-0000000000e1"
        acts = tuple(sorted(set(rng.sample(ACT_CODES[:-1], rng.randint(1, 3)))))
        incidents.append(
            IncidentSnapshot(
                id=incident_id,
                number=number,
                start=start,
                end=None,
                precision=rng.choice(PRECISIONS),
                when_words="",
                location=rng.choice(LOCATIONS),
                latitude=None,
                longitude=None,
                channel=rng.choice(channels),
                acts=acts,
                other_act="",
                description=" ".join(rng.sample(SENTENCES, 3)) + f" It was the {number}th time.",
                impact=rng.choice(IMPACTS),
                feared_violence=rng.random() < 0.15,
                witnesses="Priya Shah" if rng.random() < 0.1 else "",
                reported_to_police=rng.random() < 0.05,
                police_reference="",
                person_ids=("p-1",),
                exhibit_ids=(exhibit_id,),
                recorded_at=start + timedelta(hours=2),
                revision=1,
            )
        )
        exhibits.append(
            ExhibitSnapshot(
                id=exhibit_id,
                reference=f"BB/{number}",
                incident_id=incident_id,
                original_name=f"Screenshot_{start:%Y%m%d_%H%M%S}.png",
                media_type="image/png",
                size=rng.randint(50_000, 2_000_000),
                sha256=f"{rng.getrandbits(256):064x}",
                source="upload",
                description=f"Screenshot of what he sent, number {number}",
                captured_at=start,
                received_at=start + timedelta(minutes=1),
                added_at=start + timedelta(hours=2),
                added_by="u-1",
            )
        )
    suspect = PersonSnapshot(
        id="p-1",
        role="suspect",
        name="Mark Ellis",
        aliases=(),
        relationship="ex_partner",
        identifiers=(),
    )
    return VaultSnapshot(
        id="v-bench",
        name="Bench",
        initials="BB",
        jurisdiction="england-wales",
        time_zone="Europe/London",
        taken_at=NOW,
        incidents=tuple(incidents),
        persons=(suspect,),
        exhibits=tuple(exhibits),
    )


def document_of(snapshot: VaultSnapshot) -> PackDocument:
    """What the pack builder does for the PDF, after the snapshot: resolve, analyse, draft
    the statement, word the document."""
    disclosed = resolve(snapshot, Selection())
    cut = disclosed.snapshot
    head = HeadInfo(
        vault_id=snapshot.id,
        size=3 * len(cut.incidents),
        root="ab" * 32,
        timestamp="2026-01-20T10:30:00.000000Z",
        key_fingerprint="cd" * 32,
        token_sha256=None,
        included_entries=2 * len(cut.incidents),
    )
    return build_document(
        disclosed,
        analyse_people(cut, now=NOW, voice=THIRD_PERSON),
        head,
        statement=draft_statement(cut),
        built_at=NOW,
        omitted_entries=len(cut.incidents),
        continuity={"u-1": "Alex Morgan"},
    )


def pdf_part(snapshot: VaultSnapshot) -> bytes:
    return render_pdf(document_of(snapshot))


@pytest.fixture(scope="module")
def large() -> VaultSnapshot:
    return large_snapshot()


@pytest.fixture(scope="module")
def large_document(large: VaultSnapshot) -> PackDocument:
    return document_of(large)


@pytest.mark.django_db
def test_the_demo_vaults_pdf_part(benchmark):
    snapshot = take_snapshot(load_demo(now=NOW), now=NOW)
    pdf = benchmark.pedantic(pdf_part, args=(snapshot,), rounds=10, warmup_rounds=1)
    assert pdf.startswith(b"%PDF")


def test_the_pdf_part_of_1000_incidents_and_1000_exhibits(benchmark, large):
    pdf = benchmark.pedantic(pdf_part, args=(large,), rounds=5, warmup_rounds=1)
    assert pdf.startswith(b"%PDF")
    if benchmark.stats is not None:
        assert benchmark.stats.stats.median < 10.0


def test_the_document_of_1000_incidents(benchmark, large):
    document = benchmark.pedantic(document_of, args=(large,), rounds=5)
    assert len(document.chronology) == len(document.exhibits) == SIZE


def test_the_typst_layout_of_1000_incidents(benchmark, large_document):
    pdf = benchmark.pedantic(render_pdf, args=(large_document,), rounds=5)
    assert pdf.startswith(b"%PDF")
