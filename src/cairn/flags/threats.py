"""The one threat reading: do these words threaten violence or death, and how?

Pure: no Django, no database. Every part of Cairn that asks "is this a threat?" asks here: the
Flags page (through ``engine.flag_text``, whose ``violence`` flags are these threats), the
pattern page's risk indicators and legal threshold, the severity scale and so the escalation
(through ``analysis.words.facts_of``). So two pages can never count threats differently.

A threat is the ``violence`` flag of the rules file (``rules/en.yaml``), whose patterns are
grouped by sort of wording: said outright (``explicit``), or veiled: a consequence left open
(``conditional``), menace about her being alone, her home, car, route or family
(``menace``), harm as fate (``fate``), what he has done or could do (``capability``), she is
his or nobody's (``possession``). Veiled threats are also read by their parts: something of
hers with a frame that makes words about it ominous, within a sentence or the next (the
rules file's ``parts`` and ``combinations``, ADR 0034). A threat is *to kill* when its own
words name death or killing (the ``to_kill`` words of the rules file). ADR 0023 says why
there is one reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from cairn.flags.engine import Flag, RuleSet, flag_text, fold, kinds_in, load_rules

THREAT = "violence"  # the flag kind that is the threat reading
ONLY = frozenset({THREAT})


@dataclass(frozen=True)
class Threat:
    """One stretch of threatening words: where, what they say, and how they threaten."""

    start: int
    end: int
    words: str
    sorts: tuple[str, ...]
    to_kill: bool


@dataclass(frozen=True)
class Reading:
    threats: tuple[Threat, ...]

    @property
    def present(self) -> bool:
        return bool(self.threats)

    @property
    def to_kill(self) -> bool:
        return any(t.to_kill for t in self.threats)

    @property
    def sorts(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for threat in self.threats:
            seen.update(dict.fromkeys(threat.sorts))
        return tuple(seen)


def incident_text(description: str, other_act: str = "") -> str:
    """The words of an incident that are read: its description and her note of any other
    act, as the analysis reads them."""
    return f"{description}\n{other_act}"


def _threat_rules(rules: RuleSet | None) -> RuleSet:
    return (rules or load_rules()).subset(ONLY)


@lru_cache(maxsize=8)
def _to_kill(rules: RuleSet) -> re.Pattern[str]:
    return re.compile(rules.words.get("to_kill") or r"(?!)")


def is_threat(text: str, rules: RuleSet | None = None) -> bool:
    """Do the words hold a threat (quicker than ``read``: it stops at the first)?"""
    return bool(kinds_in(text, _threat_rules(rules)))


def read(text: str, rules: RuleSet | None = None) -> Reading:
    """Every threat in the words, with its span, sorts and whether it is a threat to kill."""
    return reading_of(flag_text(text, _threat_rules(rules)), rules)


def reading_of(flags: Iterable[Flag], rules: RuleSet | None = None) -> Reading:
    """The threats among flags that ``engine.flag_text`` found (with rules holding the threat
    flag), so one pass over a text can read its threats and its other flags together."""
    to_kill = _to_kill(_threat_rules(rules))
    return Reading(
        tuple(
            Threat(f.start, f.end, f.words, f.sorts, bool(to_kill.search(fold(f.words))))
            for f in flags
            if f.kind == THREAT
        )
    )
