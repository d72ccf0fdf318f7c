"""The flag rules as data: a rules file (one YAML file per language in ``rules/``) parsed and
checked into a ``RuleSet``, with the screen that says which patterns are worth running on a
text. Pure: no Django. ``cairn.flags.engine`` applies the rules.

Errors: ``RulesError`` when a rules file is missing a part or holds a bad expression (it
names the flag and the pattern), raised when the rules are first loaded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from cairn.flags.screen import factor_sets, necessary_factors, trie

RULES_DIR = Path(__file__).parent / "rules"
DEFAULT_LANGUAGE = "en"
_WORD_REF = re.compile(r"%([a-z_]+)%")


class RulesError(ValueError):
    """A rules file is incomplete or holds an expression that does not compile."""


@dataclass(frozen=True)
class Combination:
    """Parts (numbered as in ``FlagKind.parts``) that raise the flag, of a sort, when each
    matches within one sentence or two adjacent ones, unless one of ``unless`` matches there."""

    sort: str
    parts: tuple[int, ...]
    unless: tuple[int, ...] = ()
    needs: frozenset[int] = frozenset()  # the parts, as a set (checked against the screen)


@dataclass(frozen=True)
class FlagKind:
    key: str
    label: str
    explain: str
    patterns: tuple[re.Pattern[str], ...]
    guards: tuple[re.Pattern[str], ...]
    # For each pattern, strings one of which every match must contain (None: no such set),
    # and further such sets (every match holds a string of each), checked after the first.
    factors: tuple[frozenset[str] | None, ...] = ()
    more_factors: tuple[tuple[frozenset[str], ...], ...] = ()
    # For each pattern, its sort ("" when the patterns are a plain list); and each sort's
    # label, in the rules file's order.
    sorts: tuple[str, ...] = ()
    sort_labels: tuple[tuple[str, str], ...] = ()
    # Guards of a whole sentence: a sentence holding one drops every match of the kind in it
    # (news, statistics, stories: "police say", "according to").
    sentence_guards: tuple[re.Pattern[str], ...] = ()
    # Parts: named cues (a target such as her car, a frame such as "would be a shame") that
    # raise the flag only together, as each combination says. Parts are numbered after the
    # patterns (pattern n, then part len(patterns) + j) so the screen indexes both.
    parts: tuple[re.Pattern[str], ...] = ()
    part_names: tuple[str, ...] = ()
    combinations: tuple[Combination, ...] = ()
    # Guards of one sort: a match of that sort is dropped when one matches near it on the
    # same line (laughter beside a threat said outright).
    sort_guards: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = ()

    def sort_label(self, sort: str) -> str:
        return dict(self.sort_labels).get(sort, "")

    @property
    def size(self) -> int:
        """How many expressions the screen indexes: the patterns, then the parts."""
        return len(self.patterns) + len(self.parts)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity (cached subsets)
class RuleSet:
    language: str
    version: int
    kinds: tuple[FlagKind, ...]
    # The named words, expanded (other readings, such as threats.py's "to kill", use them).
    words: dict[str, str] = field(default_factory=dict)
    # For each factor, the patterns (kind index, pattern index) that need it; one expression
    # finding the longest factor starting at each position (a trie, so it is quick), and for
    # each factor the factors that are its prefixes (found at the same place).
    factor_patterns: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    unindexed: frozenset[tuple[int, int]] = frozenset()
    screen: re.Pattern[str] | None = None
    prefixes: dict[str, frozenset[str]] = field(default_factory=dict)
    # For each factor found as the longest at a place: the patterns it and its prefixes need.
    reach: dict[str, frozenset[tuple[int, int]]] = field(default_factory=dict)
    # For patterns with more than one set of needed strings: the other sets.
    more_factors: dict[tuple[int, int], tuple[frozenset[str], ...]] = field(default_factory=dict)

    def patterns_to_run(self, folded: str) -> set[tuple[int, int]]:
        """The patterns worth running on a (folded) text: those with no factors, and those
        one of whose factors the text holds. Others cannot match it."""
        found = set(self.unindexed)
        if self.screen is None:
            return found
        longest = set(self.screen.findall(folded))
        reach = self.reach
        for factor in longest:
            found |= reach[factor]
        more = self.more_factors
        checked = found & more.keys()
        if checked:
            prefixes = self.prefixes
            present = set().union(*(prefixes[factor] for factor in longest))
            found -= {p for p in checked if any(present.isdisjoint(s) for s in more[p])}
        return found

    def subset(self, keys: frozenset[str]) -> RuleSet:
        """The same rules for some kinds only (quicker when only those are needed)."""
        return _subset(self, keys)

    def kind(self, key: str) -> FlagKind:
        return next(k for k in self.kinds if k.key == key)

    @property
    def labels(self) -> dict[str, str]:
        return {k.key: k.label for k in self.kinds}


def _tidy(expression: str) -> str:
    """Folded YAML scalars put a space after each line break; a word's alternatives must not
    keep it (so words never start an alternative with a space)."""
    expression = re.sub(r"\|\s+", "|", expression.strip())
    return re.sub(r"\s+\)", ")", expression)


def _expand(expression: str, words: dict[str, str], where: str) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in words:
            raise RulesError(f"{where}: unknown word %{name}%")
        return words[name]

    return _WORD_REF.sub(one, expression.strip())


def _grouped(
    spec: dict[str, Any], words: dict[str, str], where: str
) -> tuple[tuple[re.Pattern[str], ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """A flag's patterns, and each one's sort: a plain list (no sorts), or a mapping of sort
    to list, each sort labelled in the flag's ``sorts`` mapping."""
    raw = spec.get("patterns")
    if not isinstance(raw, dict):
        patterns = _compile(raw, words, f"{where} pattern")
        return patterns, ("",) * len(patterns), ()
    labels = spec.get("sorts") or {}
    if not isinstance(labels, dict) or set(labels) != set(raw):
        raise RulesError(f"{where}: 'sorts' must label each group of patterns")
    patterns_all: list[re.Pattern[str]] = []
    sorts: list[str] = []
    for sort, expressions in raw.items():
        compiled = _compile(expressions, words, f"{where} pattern {sort}")
        patterns_all.extend(compiled)
        sorts.extend([str(sort)] * len(compiled))
    return (tuple(patterns_all), tuple(sorts), tuple((str(k), str(labels[k])) for k in raw))


def _compile(expressions: Any, words: dict[str, str], where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(expressions, list):
        raise RulesError(f"{where}: expected a list of expressions")
    compiled = []
    for n, expression in enumerate(expressions, 1):
        try:
            compiled.append(re.compile(_expand(str(expression), words, f"{where} {n}")))
        except re.error as exc:
            raise RulesError(f"{where} {n}: {exc}") from None
    return tuple(compiled)


def _parts(
    spec: dict[str, Any], words: dict[str, str], where: str
) -> tuple[tuple[str, ...], tuple[re.Pattern[str], ...]]:
    raw = spec.get("parts") or {}
    if not isinstance(raw, dict):
        raise RulesError(f"{where}: 'parts' must map names to expressions")
    names = tuple(str(name) for name in raw)
    # A part is one long alternation, usually written as a literal block over several lines:
    # the lines are joined as they stand (a line break and the next line's indent are not
    # part of the words).
    return names, tuple(
        _compile([re.sub(r"\n\s*", "", str(raw[name]).strip())], words, f"{where} part {name}")[0]
        for name in raw
    )


def _combinations(
    spec: dict[str, Any],
    part_names: tuple[str, ...],
    offset: int,
    sort_labels: tuple[tuple[str, str], ...],
    where: str,
) -> tuple[Combination, ...]:
    """Each combination: a list of part names, all needed; a name written ``not NAME`` is a
    part that stops it (``[warning, car, not kindly]``)."""
    raw = spec.get("combinations") or {}
    if not isinstance(raw, dict):
        raise RulesError(f"{where}: 'combinations' must map sorts to lists of parts")
    labelled = {sort for sort, _ in sort_labels}
    number = {name: offset + j for j, name in enumerate(part_names)}
    found = []
    for sort, lists in raw.items():
        if sort_labels and sort not in labelled:
            raise RulesError(f"{where}: combinations of an unlabelled sort {sort}")
        for n, names in enumerate(lists or (), 1):
            if not isinstance(names, list) or not names:
                raise RulesError(f"{where}: combination {sort} {n} must be a list of parts")
            needed: list[int] = []
            unless: list[int] = []
            for name in map(str, names):
                negated = name.startswith("not ")
                bare = name[4:].strip() if negated else name
                if bare not in number:
                    raise RulesError(f"{where}: combination {sort} {n}: unknown part {bare}")
                (unless if negated else needed).append(number[bare])
            if not needed:
                raise RulesError(f"{where}: combination {sort} {n} needs a part")
            found.append(Combination(str(sort), tuple(needed), tuple(unless), frozenset(needed)))
    return tuple(found)


def _sort_guards(
    spec: dict[str, Any],
    words: dict[str, str],
    sort_labels: tuple[tuple[str, str], ...],
    where: str,
) -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    raw = spec.get("sort_guards") or {}
    if not isinstance(raw, dict) or set(raw) - {sort for sort, _ in sort_labels}:
        raise RulesError(f"{where}: 'sort_guards' must map labelled sorts to expressions")
    return tuple(
        (str(sort), _compile(expressions, words, f"{where} sort guard {sort}"))
        for sort, expressions in raw.items()
    )


def parse_rules(data: Any, *, source: str = "rules") -> RuleSet:
    """Turn a loaded rules document into a ``RuleSet`` (raises ``RulesError``)."""
    if not isinstance(data, dict) or not isinstance(data.get("flags"), dict):
        raise RulesError(f"{source}: needs a 'flags' mapping")
    raw_words = data.get("words") or {}
    words = {name: _tidy(str(value)) for name, value in raw_words.items()}
    for name in words:  # words may use words defined before them
        words[name] = _WORD_REF.sub(lambda m: words.get(m.group(1), m.group(0)), words[name])
    kinds = []
    for key, spec in data["flags"].items():
        if not isinstance(spec, dict) or "label" not in spec:
            raise RulesError(f"{source}: flag {key} needs a label")
        patterns, sorts, sort_labels = _grouped(spec, words, f"{source}: {key}")
        part_names, parts = _parts(spec, words, f"{source}: {key}")
        combinations = _combinations(
            spec, part_names, len(patterns), sort_labels, f"{source}: {key}"
        )
        # Factors shorter than three characters are not indexed: their patterns run on
        # every text.
        factors = tuple(necessary_factors(p) for p in patterns + parts)
        more = tuple(
            tuple(f for f in factor_sets(p) if f != first)[:2] if first else ()
            for p, first in zip(patterns + parts, factors, strict=True)
        )
        kinds.append(
            FlagKind(
                key=str(key),
                label=str(spec["label"]),
                explain=str(spec.get("explain", "")),
                patterns=patterns,
                guards=_compile(spec.get("guards") or [], words, f"{source}: {key} guard"),
                sentence_guards=_compile(
                    spec.get("sentence_guards") or [], words, f"{source}: {key} sentence guard"
                ),
                factors=tuple(f if f and min(map(len, f)) >= 3 else None for f in factors),
                more_factors=more,
                sorts=sorts,
                sort_labels=sort_labels,
                parts=parts,
                part_names=part_names,
                combinations=combinations,
                sort_guards=_sort_guards(spec, words, sort_labels, f"{source}: {key}"),
            )
        )
    return _indexed(str(data.get("language", "")), int(data.get("version", 1)), kinds, words)


def _indexed(
    language: str, version: int, kinds: Sequence[FlagKind], words: dict[str, str]
) -> RuleSet:
    needs: dict[str, set[tuple[int, int]]] = {}
    unindexed = set()
    more: dict[tuple[int, int], tuple[frozenset[str], ...]] = {}
    for k, kind in enumerate(kinds):
        for n, factors in enumerate(kind.factors):
            if factors is None:
                unindexed.add((k, n))
            for f in factors or ():
                needs.setdefault(f, set()).add((k, n))
            if n < len(kind.more_factors) and kind.more_factors[n]:
                more[(k, n)] = kind.more_factors[n]
    factors_all = sorted(set(needs).union(*(f for sets in more.values() for f in sets)))
    prefixes = {f: frozenset(g for g in factors_all if f.startswith(g)) for f in factors_all}
    return RuleSet(
        language=language,
        version=version,
        kinds=tuple(kinds),
        words=words,
        factor_patterns={f: tuple(sorted(v)) for f, v in needs.items()},
        unindexed=frozenset(unindexed),
        screen=re.compile(f"(?=({trie(factors_all)}))") if factors_all else None,
        prefixes=prefixes,
        more_factors=more,
        reach={f: frozenset(p for g in prefixes[f] for p in needs.get(g, ())) for f in factors_all},
    )


@lru_cache(maxsize=16)
def _subset(rules: RuleSet, keys: frozenset[str]) -> RuleSet:
    return _indexed(
        rules.language, rules.version, [k for k in rules.kinds if k.key in keys], rules.words
    )


@lru_cache(maxsize=32)
def load_rules(language: str = DEFAULT_LANGUAGE) -> RuleSet:
    """The rules for a language, read once. Unknown languages fall back to English."""
    if not re.fullmatch(r"[a-z]{2,3}", language) or not (RULES_DIR / f"{language}.yaml").is_file():
        language = DEFAULT_LANGUAGE
    return _load(language)


@lru_cache(maxsize=8)
def _load(language: str) -> RuleSet:
    path = RULES_DIR / f"{language}.yaml"
    with path.open(encoding="utf-8") as handle:
        return parse_rules(yaml.safe_load(handle), source=path.name)
