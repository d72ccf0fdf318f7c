"""Precision and recall of the flag rules on a labelled set of messages (pure).

Used by the tests (tests/test_flags_labelled.py, tests/test_flags_threats.py) and by
bench/bench_flags.py, which writes the tables in docs/benchmarks.md. A message counts once per
kind: the kind is raised or not. A set may label only some kinds (``scored: [violence]`` at
its top, as the threat sets do); the others are then not scored on it.

Two formats are read. The flags' sets: ``messages``, each with ``text``, ``flags`` (the kinds
it should raise) and, for threats, ``kind`` (the sort of wording). A threat set written by
anyone: ``items``, each with ``text``, ``label`` (``threat`` or ``none``) and, for threats, a
``sort``; it scores the threat flag only. A file in neither shape raises ``LabelledSetError``
naming the file and the item.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cairn.flags.engine import RuleSet, kinds_in, load_rules
from cairn.flags.threats import THREAT  # the kind an ``items`` set labels


@dataclass(frozen=True)
class Labelled:
    text: str
    flags: frozenset[str]
    sort: str = ""  # for threats: the sort of wording ("explicit", "menace", ...)


@dataclass(frozen=True)
class Score:
    kind: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def labelled(self) -> int:
        return self.true_positives + self.false_negatives

    @property
    def precision(self) -> float:
        raised = self.true_positives + self.false_positives
        return self.true_positives / raised if raised else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.labelled if self.labelled else 1.0


@dataclass(frozen=True)
class Miss:
    text: str
    expected: frozenset[str]
    found: frozenset[str]


LABELS = {"threat": frozenset({THREAT}), "none": frozenset()}


class LabelledSetError(ValueError):
    """A labelled set that is not in either format."""


def _load(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LabelledSetError(f"{path}: cannot read it as YAML ({type(exc).__name__})") from None
    if not isinstance(data, dict) or not any(
        isinstance(data.get(key), list) for key in ("messages", "items")
    ):
        raise LabelledSetError(f"{path}: needs a list of 'items' (or 'messages')")
    return data


def _item(path: Path, number: int, item: Any) -> Labelled:
    where = f"{path}: item {number}"
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise LabelledSetError(f"{where}: needs a 'text'")
    label = str(item.get("label", "")).strip().lower()
    if label not in LABELS:
        raise LabelledSetError(f"{where}: 'label' must be threat or none, not {label!r}")
    return Labelled(
        item["text"], LABELS[label], str(item.get("sort") or "") if label == "threat" else ""
    )


def load_labelled(path: Path) -> list[Labelled]:
    data = _load(path)
    if isinstance(data.get("items"), list):
        return [_item(path, n, item) for n, item in enumerate(data["items"], 1)]
    return [
        Labelled(str(m["text"]), frozenset(m.get("flags") or ()), str(m.get("kind") or ""))
        for m in data["messages"]
    ]


def scored_kinds(path: Path) -> frozenset[str] | None:
    """The kinds a set labels (None: every kind)."""
    data = _load(path)
    if isinstance(data.get("items"), list):
        return frozenset({THREAT})
    scored = data.get("scored")
    return frozenset(scored) if scored else None


def evaluate(
    messages: Iterable[Labelled], rules: RuleSet | None = None, kinds: frozenset[str] | None = None
) -> tuple[dict[str, Score], list[Miss]]:
    """Per-kind counts (of ``kinds`` only, if given), and every message where the rules and
    the labels disagree."""
    rules = rules or load_rules()
    counts = {k.key: [0, 0, 0] for k in rules.kinds if kinds is None or k.key in kinds}
    misses = []
    for message in messages:
        found = kinds_in(message.text, rules, only=kinds)
        for kind, row in counts.items():
            if kind in found and kind in message.flags:
                row[0] += 1
            elif kind in found:
                row[1] += 1
            elif kind in message.flags:
                row[2] += 1
        if found != message.flags:
            misses.append(Miss(message.text, message.flags, found))
    return {k: Score(k, *row) for k, row in counts.items()}, misses
