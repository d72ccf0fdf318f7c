"""Threat and risk flags: which words in a message or incident point at a risk.

Pure: no Django, no database. The rules are data, one YAML file per language in ``rules/``
(``en.yaml`` first); ``flag_text`` applies them and returns each flag with the span of the
words that raised it, so a person can always see why a flag is there and judge it.

A flag is a pointer for a human reader, not a finding: it says "these words look like a
threat", never "this person threatened you". How the rules are written, and why guards
exist, is in the rules file itself and in docs/adr/0023-threat-flags-and-account-leads.md.

A flag is raised by a pattern, or by a combination of parts (named cues) found within one
sentence or two adjacent ones (docs/adr/0034-threats-read-by-their-parts.md): that is how
veiled threats are read without fitting one person's phrases. Guards drop a match they
overlap, sentence guards every match in their sentence, sort guards the matches of one sort
near them.

Errors: ``RulesError`` when a rules file is missing a part or holds a bad expression (it
names the flag and the pattern), raised when the rules are first loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cairn.flags.ruleset import (
    DEFAULT_LANGUAGE,
    RULES_DIR,
    Combination,
    FlagKind,
    RulesError,
    RuleSet,
    load_rules,
    parse_rules,
)

# The rules' names, still importable from here as before the rules moved to ``ruleset``.
__all__ = [
    "DEFAULT_LANGUAGE",
    "RULES_DIR",
    "Combination",
    "Flag",
    "FlagKind",
    "RuleSet",
    "RulesError",
    "flag_text",
    "fold",
    "kinds_in",
    "load_rules",
    "parse_rules",
    "summarise",
]

# Characters read as the same before matching; each maps one character to one, so spans found
# in the folded text point at the same places in the original.
_FOLD = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
    }
)
_SENTENCE_END = re.compile(r"[.!?\n]+")
_NEAR = 60  # characters either side of a match, on its line, that its sort's guards read


@dataclass(frozen=True)
class Flag:
    """One flag: its kind (e.g. ``violence``), and where its words are in the text."""

    kind: str
    start: int
    end: int
    words: str  # the original text of the span
    # The sorts of wording that raised it, for kinds whose patterns are grouped by sort
    # (threats: "explicit", "conditional", "menace", ...), in the rules file's order.
    sorts: tuple[str, ...] = ()


def fold(text: str) -> str:
    """Lower-case and straighten quotes, keeping every character's position."""
    quick = text.translate(_FOLD).lower()
    if len(quick) == len(text):
        return quick
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


def _guarded(kind: FlagKind, folded: str, start: int, end: int, sort: str = "") -> bool:
    """Is a pattern's match dropped: by a sentence guard, a guard it overlaps in its sentence,
    or a guard of its sort near it?"""
    sentence = _sentence(folded, start, end)
    return _overlap_guarded(kind, folded, start, end, sentence) or _window_guarded(
        kind, folded, start, end, sort, sentence
    )


def _overlap_guarded(
    kind: FlagKind, folded: str, start: int, end: int, sentence: tuple[int, int] | None = None
) -> bool:
    left, right = sentence or _sentence(folded, start, end)
    for guard in kind.guards:
        for match in guard.finditer(folded, left, right):
            if match.start() < end and match.end() > start:
                return True
    return False


def _window_guarded(
    kind: FlagKind,
    folded: str,
    start: int,
    end: int,
    sort: str,
    sentence: tuple[int, int] | None = None,
) -> bool:
    left, right = sentence or _sentence(folded, start, end)
    if any(guard.search(folded, left, right) for guard in kind.sentence_guards):
        return True
    if not sort or not kind.sort_guards:
        return False
    guards = dict(kind.sort_guards).get(sort)
    if guards:
        line_start = folded.rfind("\n", 0, start) + 1
        line_end = folded.find("\n", end)
        left = max(line_start, start - _NEAR)
        right = min(len(folded) if line_end < 0 else line_end, end + _NEAR)
        return any(guard.search(folded, left, right) for guard in guards)
    return False


def _sentences(folded: str) -> list[tuple[int, int]]:
    bounds, left = [], 0
    for match in _SENTENCE_END.finditer(folded):
        bounds.append((left, match.start()))
        left = match.end()
    bounds.append((left, len(folded)))
    return bounds


def _combined(
    kind: FlagKind, folded: str, numbers: Iterable[int], first: bool = False
) -> list[tuple[int, int, str]]:
    """The spans raised by the kind's combinations: each needs all its parts within one
    sentence or two adjacent ones, on words apart (each part's match not covered by a guard,
    and not overlapping another part's), none of its
    ``unless`` parts there, and no sentence guard or guard of its sort over it. A part runs
    only when the screen lets it (``numbers``), and only once per text."""
    runnable = set(numbers)
    candidates = [combo for combo in kind.combinations if combo.needs <= runnable]
    if not candidates:
        return []
    offset = len(kind.patterns)
    raw: dict[int, list[tuple[int, int]]] = {}
    clean: dict[int, list[tuple[int, int]]] = {}

    def found(n: int) -> list[tuple[int, int]]:  # a part's matches, before the guards
        if n not in raw:
            spans = []
            if n in runnable:
                for match in kind.parts[n - offset].finditer(folded):
                    start, end = _trimmed(folded, match.start(), match.end())
                    if end > start:
                        spans.append((start, end))
            raw[n] = spans
        return raw[n]

    def matches(n: int) -> list[tuple[int, int]]:  # those no guard covers (guards cost more)
        if n not in clean:
            clean[n] = [m for m in found(n) if not _overlap_guarded(kind, folded, *m)]
        return clean[n]

    spans: list[tuple[int, int, str]] = []
    sentences: list[tuple[int, int]] = []
    for combo in candidates:
        if not all(map(found, combo.parts)) or not all(map(matches, combo.parts)):
            continue
        sentences = sentences or _sentences(folded)
        for i, (left, _) in enumerate(sentences):
            right = sentences[min(i + 1, len(sentences) - 1)][1]
            chosen: list[tuple[int, int]] = []
            for n in combo.parts:  # each part's first match inside, apart from the others'
                inside = next(
                    (
                        m
                        for m in matches(n)
                        if m[0] >= left
                        and m[1] <= right
                        and not any(m[0] < c[1] and c[0] < m[1] for c in chosen)
                    ),
                    None,
                )
                if inside is None:
                    break
                chosen.append(inside)
            else:
                if any(left <= m[0] and m[1] <= right for n in combo.unless for m in matches(n)):
                    continue
                start, end = min(c[0] for c in chosen), max(c[1] for c in chosen)
                if _window_guarded(kind, folded, start, end, combo.sort):
                    continue
                spans.append((start, end, combo.sort))
                if first:
                    return spans
    return spans


def _trimmed(folded: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not folded[start].isalnum():
        start += 1
    while end > start and not folded[end - 1].isalnum():
        end -= 1
    return start, end


def flag_text(
    text: str, rules: RuleSet | None = None, only: frozenset[str] | None = None
) -> tuple[Flag, ...]:
    """Every flag in a text (of the kinds in ``only``, if given), in order of where its words
    start; one flag per stretch of words and kind (overlapping matches of one kind merge)."""
    if not text or not text.strip():
        return ()
    rules = rules or load_rules()
    folded = fold(text)
    found: list[Flag] = []
    for k, numbers in _to_run(rules, folded).items():
        kind = rules.kinds[k]
        if only is not None and kind.key not in only:
            continue
        spans: list[tuple[int, int, str]] = []
        for n in numbers:
            if n >= len(kind.patterns):
                continue
            sort = kind.sorts[n] if kind.sorts else ""
            for match in kind.patterns[n].finditer(folded):
                start, end = _trimmed(folded, match.start(), match.end())
                if end > start and not _guarded(kind, folded, start, end, sort):
                    spans.append((start, end, sort))
        if kind.combinations:
            spans.extend(_combined(kind, folded, numbers))
        spans.sort()
        merged: list[tuple[int, int, set[str]]] = []
        for start, end, sort in spans:
            if merged and start < merged[-1][1]:
                last = merged[-1]
                merged[-1] = (last[0], max(last[1], end), last[2] | {sort})
            else:
                merged.append((start, end, {sort}))
        order = [sort for sort, _ in kind.sort_labels]
        found.extend(
            Flag(kind.key, s, e, text[s:e], tuple(sort for sort in order if sort in sorts))
            for s, e, sorts in merged
        )
    return tuple(sorted(found, key=lambda f: (f.start, f.kind)))


def kinds_in(
    text: str, rules: RuleSet | None = None, only: frozenset[str] | None = None
) -> frozenset[str]:
    """The kinds of flag a text raises (of those in ``only``, if given): the kinds of
    ``flag_text``'s flags, found without their spans (each kind stops at its first match
    that no guard covers, which is what the analysis reads for every incident)."""
    if not text or not text.strip():
        return frozenset()
    rules = rules or load_rules()
    folded = fold(text)
    found = set()
    for k, numbers in _to_run(rules, folded).items():
        kind = rules.kinds[k]
        if only is not None and kind.key not in only:
            continue
        if any(_raises(kind, folded, n) for n in numbers if n < len(kind.patterns)) or (
            kind.combinations and _combined(kind, folded, numbers, first=True)
        ):
            found.add(kind.key)
    return frozenset(found)


def _to_run(rules: RuleSet, folded: str) -> dict[int, list[int]]:
    """Each kind's patterns to run on a folded text, in order: a pattern runs only when the
    text holds one of the literal strings it needs."""
    to_run: dict[int, list[int]] = {}
    for k, n in sorted(rules.patterns_to_run(folded)):
        to_run.setdefault(k, []).append(n)
    return to_run


def _raises(kind: FlagKind, folded: str, number: int) -> bool:
    sort = kind.sorts[number] if kind.sorts else ""
    for match in kind.patterns[number].finditer(folded):
        start, end = _trimmed(folded, match.start(), match.end())
        if end > start and not _guarded(kind, folded, start, end, sort):
            return True
    return False


def summarise(flags: Iterable[Flag]) -> dict[str, int]:
    """How many flags of each kind."""
    counts: dict[str, int] = {}
    for flag in flags:
        counts[flag.kind] = counts.get(flag.kind, 0) + 1
    return counts
