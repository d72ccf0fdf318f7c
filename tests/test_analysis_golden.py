"""The analysis output does not change by accident: ``cairn analyse --json`` of the demo vault
and of generated vaults (a fixed seed), and every chart drawn from them, byte for byte.

The digests below were taken before the analysis rules were split one per function. When a
change to the analysis is meant to change its output, print the new digests with
``python -m tests.test_analysis_golden`` and say in the commit what changed and why.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cairn.analysis import charts
from cairn.analysis.engine import analyse_people, to_json_text
from cairn.analysis.labels import CHANNEL_LABELS
from cairn.law.pha1997 import ACT_CODES
from cairn.vault.snapshot import IncidentSnapshot, PersonSnapshot, VaultSnapshot

START = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
DEMO_NOW = datetime(2026, 1, 20, 10, 30, tzinfo=UTC)

PHRASES = [
    "He sent me a message.",
    "I blocked him and did not reply.",
    "He said I would regret it.",
    "He was outside my house.",
    "He grabbed my arm.",
    "He was drunk and shouting.",
    "He messaged my friends about me.",
    "Nothing special.",
    "He was waiting at the bus stop when I got there and followed me onto the bus.",
    "Three messages from a new number, saying he knows where I work.",
    "I found a note under the windscreen wiper of my car.",
    "He said he would kill me if I went to the police.",
    "He turned up at my work and would not leave.",
    "He said nobody else will have me and he will not let me go.",
    "He has a knife and said he would use it.",
    "He posted my address online.",
]
IMPACTS = [
    "",
    "I moved house.",
    "I stopped going out.",
    "I could not sleep.",
    "I was too scared to leave the house.",
]
LOCATIONS = ["", "Outside my house", "Outside my office", "Bus stop, Hill Road", "The gym"]
PRECISIONS = ["exact", "exact", "exact", "hour", "day", "overnight", "unknown"]
RELATIONSHIPS = ["ex_partner", "stranger", "unknown", "ex_colleague", "acquaintance"]


def generated(seed: int, count: int, people: int = 3) -> VaultSnapshot:
    """A vault of ``count`` incidents drawn from ``random.Random(seed)``: bursts and lulls,
    several people, some incidents with nobody named."""
    rng = random.Random(seed)
    persons = tuple(
        PersonSnapshot(
            id=f"p-{k}",
            role="suspect",
            name=f"Person {k}",
            aliases=(),
            relationship=rng.choice(RELATIONSHIPS),
            identifiers=(),
        )
        for k in range(people)
    )
    incidents = []
    moment = START
    channels = sorted(CHANNEL_LABELS)
    for number in range(1, count + 1):
        gap_hours = rng.expovariate(1 / 30) if rng.random() > 0.01 else rng.uniform(800, 3000)
        moment += timedelta(hours=gap_hours)
        named = rng.random()
        person_ids = (
            (f"p-{rng.randrange(people)}",)
            if named < 0.8
            else (f"p-{rng.randrange(people)}", f"p-{rng.randrange(people)}")
            if named < 0.9
            else ()
        )
        incidents.append(
            IncidentSnapshot(
                id=f"i-{number:06d}",
                number=number,
                start=moment,
                end=None,
                precision=rng.choice(PRECISIONS),
                when_words="",
                location=rng.choice(LOCATIONS),
                latitude=None,
                longitude=None,
                channel=rng.choice(channels),
                acts=tuple(sorted(rng.sample(ACT_CODES, rng.randrange(0, 4)))),
                other_act="",
                description=rng.choice(PHRASES),
                impact=rng.choice(IMPACTS),
                feared_violence=rng.random() < 0.15,
                witnesses=rng.choice(["", "", "My sister"]),
                reported_to_police=rng.random() < 0.1,
                police_reference="",
                person_ids=tuple(sorted(set(person_ids))),
                exhibit_ids=(),
                recorded_at=moment,
                revision=1,
            )
        )
    return VaultSnapshot(
        id=f"v-{seed}",
        name="Generated",
        initials="GV",
        jurisdiction="england_and_wales",
        time_zone="Europe/London",
        taken_at=moment + timedelta(days=9),
        incidents=tuple(incidents),
        persons=persons,
        exhibits=(),
    )


CASES = {"small": (1, 40), "medium": (2, 400), "large": (3, 3000)}


def generated_output(name: str) -> str:
    """The JSON ``cairn analyse --json`` would print for the generated vault, then each
    person's charts."""
    seed, count = CASES[name]
    snap = generated(seed, count)
    result = analyse_people(snap, now=snap.taken_at)
    drawn = [charts.all_charts(a) for a in result.all()]
    tables = [charts.tables(a) for a in result.all()]
    return to_json_text(result) + json.dumps(drawn, sort_keys=True) + repr(tables)


def demo_output() -> str:
    """``cairn analyse --json --now`` of the demo vault, then its charts, with each random id
    replaced by what names it in the vault (an incident's number, an exhibit's reference, a
    person's name) and lists of ids sorted by those names, so that the text is the same from
    one load to the next."""
    from cairn.analysis.reading import analyse_vault_people, vault_people_json
    from cairn.demo import load_demo
    from cairn.vault.snapshot_loader import take_snapshot

    vault = load_demo(now=DEMO_NOW)
    snap = take_snapshot(vault, now=DEMO_NOW)
    names = {str(vault.pk): "vault"}
    names.update((i.id, f"incident {i.number:03d}") for i in snap.incidents)
    names.update((e.id, f"exhibit {e.reference}") for e in snap.exhibits)
    names.update((p.id, f"person {p.name}") for p in snap.persons)
    people = analyse_vault_people(vault.owner, vault, now=DEMO_NOW)
    data = _renamed(json.loads(vault_people_json(vault.owner, vault, now=DEMO_NOW)), names)
    drawn = [charts.all_charts(a) for a in people.all()]
    text = json.dumps(data, indent=1, sort_keys=True) + json.dumps(drawn, sort_keys=True)
    text += repr([charts.tables(a) for a in people.all()])
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    return re.sub(uuid, lambda m: names.get(m.group(0), "unknown id"), text)


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {names.get(k, k): _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        items = [_renamed(v, names) for v in value]
        if value and all(isinstance(v, str) and v in names for v in value):
            return sorted(items)  # ids sorted by their random value: sorted by name instead
        return items
    return names.get(value, value) if isinstance(value, str) else value


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


GOLDEN = {
    "small": "bce63331cc45c7a8ed11d132de9ad1fe9b5bd94e22cae39a2c255ad9c142d299",
    "medium": "a7aa6dc23470444180e89560695ffaa8551751b6a17e6094b5e5b5332c0e35b4",
    "large": "8b292989386fdd166fc081a721aeb5d54843935f7bf8a7e6074fc93f385f0c43",
    "demo": "442873b8caeaa1e4ff46717e044e41ea6e813aff66cc8db94e86b8efcf2039d7",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_analysis_of_a_generated_vault_is_unchanged(name):
    assert digest(generated_output(name)) == GOLDEN[name]


@pytest.mark.django_db
def test_the_analysis_of_the_demo_vault_is_unchanged():
    assert digest(demo_output()) == GOLDEN["demo"]


def _print_digests() -> None:  # pragma: no cover - a maintainer's tool
    print(json.dumps({name: digest(generated_output(name)) for name in sorted(CASES)}, indent=2))


if __name__ == "__main__":  # pragma: no cover
    _print_digests()
