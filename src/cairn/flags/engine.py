"""Threat and risk flags: which words in a message or incident point at a risk.

Pure: no Django, no database. The rules are data, one YAML file per language in ``rules/``
(``en.yaml`` first); ``flag_text`` applies them and returns each flag with the span of the
words that raised it, so a person can always see why a flag is there and judge it.

A flag is a pointer for a human reader, not a finding: it says "these words look like a
threat", never "this person threatened you". How the rules are written, and why guards
exist, is in the rules file itself and in docs/adr/0023-threat-flags-and-account-leads.md.

Errors: ``RulesError`` when a rules file is missing a part or holds a bad expression (it
names the flag and the pattern), raised when the rules are first loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

RULES_DIR = Path(__file__).parent / "rules"
DEFAULT_LANGUAGE = "en"
# Characters read as the same before matching; each maps one character to one, so spans found
# in the folded text point at the same places in the original.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'",
                       "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_WORD_REF = re.compile(r"%([a-z_]+)%")
_SENTENCE_END = re.compile(r"[.!?\n]+")


class RulesError(ValueError):
    """A rules file is incomplete or holds an expression that does not compile."""


@dataclass(frozen=True)
class Flag:
    """One flag: its kind (e.g. ``violence``), and where its words are in the text."""

    kind: str
    start: int
    end: int
    words: str  # the original text of the span


@dataclass(frozen=True)
class FlagKind:
    key: str
    label: str
    explain: str
    patterns: tuple[re.Pattern[str], ...]
    guards: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class RuleSet:
    language: str
    version: int
    kinds: tuple[FlagKind, ...]

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
        kinds.append(FlagKind(
            key=str(key), label=str(spec["label"]), explain=str(spec.get("explain", "")),
            patterns=_compile(spec.get("patterns"), words, f"{source}: {key} pattern"),
            guards=_compile(spec.get("guards") or [], words, f"{source}: {key} guard")))
    return RuleSet(language=str(data.get("language", "")), version=int(data.get("version", 1)),
                   kinds=tuple(kinds))


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


def fold(text: str) -> str:
    """Lower-case and straighten quotes, keeping every character's position."""
    out = []
    for char in text.translate(_FOLD):
        lowered = char.lower()
        out.append(lowered if len(lowered) == 1 else char)
    return "".join(out)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence (or line) holding text[start:end]."""
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    following = _SENTENCE_END.search(text, end)
    return left, following.start() if following else len(text)


def _guarded(kind: FlagKind, folded: str, start: int, end: int) -> bool:
    left, right = _sentence(folded, start, end)
    for guard in kind.guards:
        for match in guard.finditer(folded, left, right):
            if match.start() < end and match.end() > start:
                return True
    return False


def _trimmed(folded: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not folded[start].isalnum():
        start += 1
    while end > start and not folded[end - 1].isalnum():
        end -= 1
    return start, end


def flag_text(text: str, rules: RuleSet | None = None) -> tuple[Flag, ...]:
    """Every flag in a text, in order of where its words start; one flag per stretch of words
    and kind (overlapping matches of one kind are merged)."""
    if not text or not text.strip():
        return ()
    rules = rules or load_rules()
    folded = fold(text)
    found: list[Flag] = []
    for kind in rules.kinds:
        spans: list[tuple[int, int]] = []
        for pattern in kind.patterns:
            for match in pattern.finditer(folded):
                start, end = _trimmed(folded, match.start(), match.end())
                if end > start and not _guarded(kind, folded, start, end):
                    spans.append((start, end))
        spans.sort()
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        found.extend(Flag(kind.key, s, e, text[s:e]) for s, e in merged)
    return tuple(sorted(found, key=lambda f: (f.start, f.kind)))


def kinds_in(text: str, rules: RuleSet | None = None) -> frozenset[str]:
    """The kinds of flag a text raises."""
    return frozenset(f.kind for f in flag_text(text, rules))


def summarise(flags: Iterable[Flag]) -> dict[str, int]:
    """How many flags of each kind."""
    counts: dict[str, int] = {}
    for flag in flags:
        counts[flag.kind] = counts.get(flag.kind, 0) + 1
    return counts
