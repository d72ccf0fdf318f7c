"""Timings for the analysis and its charts on a 10,000-incident vault (pytest-benchmark).

Run: ``.venv/bin/pytest bench/bench_analysis.py --benchmark-enable -q``
(the project's pytest options disable benchmarks by default). On a machine busy with other
work, add ``--benchmark-timer=time.process_time`` to time this process's CPU alone.
The snapshot is built in memory (no database): about six years of incidents with two quiet
periods, every channel, act and time precision, and descriptions that the word rules read.
Targets (issue 5): the full analysis under 1 s, all charts under 1 s.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from cairn.analysis import charts
from cairn.analysis.engine import Analysis, analyse, analyse_people, to_json_text
from cairn.analysis.labels import CHANNEL_LABELS
from cairn.law.pha1997 import ACT_CODES
from cairn.vault.snapshot import IncidentSnapshot, PersonSnapshot, VaultSnapshot

SIZE = 10_000
START = datetime(2020, 1, 6, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 1, 20, 10, 30, tzinfo=UTC)
DESCRIPTIONS = (
    "He sent me a message asking to meet.",
    "I blocked him and did not reply.",
    "He said I would regret it.",
    "He was standing outside my house.",
    "He followed me from the bus stop.",
    "He messaged my friends about me.",
    "Nails under my tyres again.",
    "He posted a photo of my street.",
)
LOCATIONS = (
    "",
    "Outside my house",
    "Outside my office",
    "Bus stop, Hill Road",
    "The gym",
    "My car, parked outside my house",
)
IMPACTS = ("", "", "", "I stopped going out.", "I changed my route to work.")
PRECISIONS = ("exact", "exact", "exact", "hour", "day", "overnight", "unknown")


def build_snapshot(size: int = SIZE, seed: int = 5) -> VaultSnapshot:
    rng = random.Random(seed)
    span = (NOW - timedelta(days=3) - START).total_seconds()
    quiet = [(0.30, 0.34), (0.62, 0.68)]  # two lulls, as fractions of the span
    moments: list[datetime] = []
    while len(moments) < size:
        fraction = rng.random() ** 0.8  # busier towards the end
        if any(a <= fraction < b for a, b in quiet):
            continue
        moments.append(START + timedelta(seconds=int(fraction * span)))
    moments.sort()
    channels = sorted(CHANNEL_LABELS)
    incidents = []
    for number, start in enumerate(moments, 1):
        acts = tuple(sorted(set(rng.sample(ACT_CODES[:-1], rng.randint(1, 3)))))
        incidents.append(
            IncidentSnapshot(
                id=f"{number:08d}-0000-4000-8000-000000000000",
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
                # Unique words per incident, as in a real log (no two descriptions alike).
                description=f"{rng.choice(DESCRIPTIONS)} It was the {number}th time; I wrote "
                f"it down at {start:%H:%M}.",
                impact=rng.choice(IMPACTS),
                feared_violence=rng.random() < 0.15,
                witnesses="",
                reported_to_police=rng.random() < 0.05,
                police_reference="",
                person_ids=("p-1",) if rng.random() < 0.95 else (),
                exhibit_ids=(f"e-{number}",) if rng.random() < 0.3 else (),
                recorded_at=start,
                revision=1,
            )
        )
    suspect = PersonSnapshot(
        id="p-1",
        role="suspect",
        name="Suspect",
        aliases=(),
        relationship="ex_partner",
        identifiers=(),
    )
    return VaultSnapshot(
        id="v-bench",
        name="Bench",
        initials="BB",
        jurisdiction="england_and_wales",
        time_zone="Europe/London",
        taken_at=NOW,
        incidents=tuple(incidents),
        persons=(suspect,),
        exhibits=(),
    )


@pytest.fixture(scope="module")
def snapshot() -> VaultSnapshot:
    return build_snapshot()


@pytest.fixture(scope="module")
def analysis(snapshot: VaultSnapshot) -> Analysis:
    return analyse(snapshot, now=NOW)


def test_the_full_analysis_of_10000_incidents(benchmark, snapshot):
    result = benchmark(analyse, snapshot, now=NOW)
    assert result.incident_count == SIZE
    assert len(result.lulls.lulls) >= 1
    if benchmark.stats is not None:
        assert benchmark.stats.stats.median < 1.0


def test_one_analysis_per_person_of_10000_incidents(benchmark, snapshot):
    # What the pages run (ADR 0029): the suspect's incidents, and the 5% with nobody named
    # apart. Measured, not asserted: see docs/benchmarks.md.
    result = benchmark(analyse_people, snapshot, now=NOW)
    assert len(result.people) == 1 and result.unattributed is not None
    assert result.people[0].incident_count + result.unattributed.incident_count == SIZE


def test_all_charts_for_10000_incidents(benchmark, analysis):
    svgs = benchmark(charts.all_charts, analysis)
    assert len(svgs) == 6
    if benchmark.stats is not None:
        assert benchmark.stats.stats.median < 1.0


def test_the_json_of_10000_incidents(benchmark, analysis):
    text = benchmark(to_json_text, analysis)
    assert text.startswith("{")
