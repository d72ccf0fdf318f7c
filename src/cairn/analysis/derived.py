"""What one incident's words show, worked out once and kept (issue 19, ADR 0045).

Reading an incident's words (the threat reading, the flags the rules read, the word rules of
``analysis.words``) is most of the analysis's work, and it depends only on the incident's own
text and on the rules. So it is done once per incident revision and kept
(``cairn.analysis.kept``); the analysis takes the kept facts (``Index(derived=...)``) and
reads again only the incidents whose facts are missing or stale.

A fact kept is valid for exactly the words it was read from and the code and rules that read
them: ``inputs_digest`` covers the words, ``VERSION`` the rules (their stated version and their
bytes) and the source of the modules that read them, so changing a rule or a pattern without
bumping a version still invalidates every kept fact. Pure: no Django, no database.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cairn.analysis import words
from cairn.flags import threats
from cairn.flags.engine import DEFAULT_LANGUAGE, RULES_DIR, flag_text, load_rules
from cairn.vault.snapshot import IncidentSnapshot

# The flags the rules read (cairn/flags/rules/, ADR 0023); only these are looked for. Threats
# are read once, by cairn.flags.threats, into each incident's facts (``words.Facts.threat``).
FLAGS_READ = frozenset({"whereabouts", "surveillance"})

# The modules whose code decides what an incident's words show.
_READERS = (
    "analysis/derived.py",
    "analysis/words.py",
    "flags/engine.py",
    "flags/screen.py",
    "flags/threats.py",
)


@dataclass(frozen=True)
class Derived:
    """One incident's facts (``words.Facts``) and the flags of the kinds the rules read."""

    facts: words.Facts
    flags: frozenset[str]


def derive(incident: IncidentSnapshot) -> Derived:
    """Read one incident's words: one pass of the flag rules gives its threat reading (the
    Flags page's, ``cairn.flags.threats``) and its other flags together."""
    rules = load_rules().subset(FLAGS_READ | {threats.THREAT})
    found = flag_text(threats.incident_text(incident.description, incident.other_act), rules)
    return Derived(
        words.facts_of(incident, threats.reading_of(found)),
        frozenset(f.kind for f in found) & FLAGS_READ,
    )


@cache
def version() -> str:
    """The rules' stated version, and a digest of the rules files and the code that reads
    them: kept facts from any other version are read again. (The rules are not loaded for
    this: compiling them costs more than a kept analysis takes to read.)"""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for name in _READERS:
        digest.update(name.encode() + b"\0" + (package / name).read_bytes())
    stated = ""
    for path in sorted(RULES_DIR.glob("*.yaml")):
        text = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + text)
        if path.stem == DEFAULT_LANGUAGE:
            found = re.search(rb"^version:\s*(\d+)", text, re.MULTILINE)
            stated = found.group(1).decode() if found else "?"
    return f"{DEFAULT_LANGUAGE}{stated}-{digest.hexdigest()[:16]}"


def inputs_digest(incident: IncidentSnapshot) -> str:
    """SHA-256 of the words the facts are read from. Kept only sealed (it would let anyone
    with the database test a guess at short words such as a place)."""
    text = "\0".join((incident.description, incident.other_act, incident.location, incident.impact))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_plain(derived: Derived) -> list[Any]:
    """A compact JSON form: the facts in field order, then the flags."""
    f = derived.facts
    return [
        f.unwanted,
        f.threat,
        f.threat_to_kill,
        f.violence,
        f.weapon,
        f.substance,
        f.third_party,
        f.at_home,
        f.at_work,
        list(f.effects),
        sorted(derived.flags),
    ]


def from_plain(data: list[Any]) -> Derived:
    *flags, effects, kinds = data
    (
        unwanted,
        threat,
        threat_to_kill,
        violence,
        weapon,
        substance,
        third_party,
        at_home,
        at_work,
    ) = map(bool, flags)
    facts = words.Facts(
        unwanted,
        threat,
        threat_to_kill,
        violence,
        weapon,
        substance,
        third_party,
        at_home,
        at_work,
        effects=tuple(effects),
    )
    return Derived(facts, frozenset(kinds))
