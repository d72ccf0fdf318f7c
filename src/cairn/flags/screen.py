"""The literal screen of the flag rules: which literal strings every match of an expression
must hold, so that an expression need only run on texts holding them (ADR 0023).

Pure: no Django. The engine (``flags/engine.py``) builds one expression, shaped as a trie, that
finds every such string in a text at once, and runs a pattern only when the text holds a
string of each of the sets its matches need. Tests hold that the screen never changes what is
found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any


def _best(*candidates: frozenset[str] | None) -> frozenset[str] | None:
    """The most selective set: the one whose shortest string is longest."""
    usable = [c for c in candidates if c]
    return max(usable, key=lambda c: min(map(len, c)), default=None)


def _sequence_factors(items: Sequence[tuple[Any, Any]]) -> frozenset[str] | None:
    """Strings one of which any match of this sequence must contain, or None.

    Walks the parsed expression: a run of literal characters is one such string; a group
    gives its own set; an alternation gives the union of its branches' sets (only if every
    branch has one); a repeat counts only when it must occur at least once. Zero-width
    assertions such as ``\\b`` do not break a run of literals. Any other element breaks it.
    """
    best: frozenset[str] | None = None
    run: list[str] = []
    for op, av in items:
        if op is sre_constants.LITERAL:
            run.append(chr(av))
            continue
        if op is sre_constants.AT:
            continue
        if run:
            best = _best(best, frozenset({"".join(run)}))
            run = []
        if op is sre_constants.SUBPATTERN:
            best = _best(best, _sequence_factors(list(av[-1])))
        elif op is sre_constants.BRANCH:
            branches = [_sequence_factors(list(alternative)) for alternative in av[1]]
            if all(branches):
                best = _best(best, frozenset().union(*branches))  # type: ignore[arg-type]
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            best = _best(best, _sequence_factors(list(av[2])))
    if run:
        best = _best(best, frozenset({"".join(run)}))
    return best


def factor_sets(pattern: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    """Sets of literal strings such that every match of the pattern holds one string of each
    set (one set per required element of the expression's top level), most selective first;
    only sets whose strings all have three characters or more (shorter ones screen nothing)."""
    found: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in sre_parse.parse(pattern.pattern, pattern.flags):
        if op is sre_constants.LITERAL:
            run.append(chr(av))
            continue
        if op is sre_constants.AT:
            continue
        if run:
            found.append(frozenset({"".join(run)}))
            run = []
        one = _sequence_factors([(op, av)])
        if one:
            found.append(one)
    if run:
        found.append(frozenset({"".join(run)}))
    usable = {f for f in found if min(map(len, f)) >= 3}
    return tuple(sorted(usable, key=lambda f: (-min(map(len, f)), len(f), sorted(f))))


def necessary_factors(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Literal strings one of which every match of the pattern contains, so the pattern need
    only run on texts holding one (None when the expression gives no such set)."""
    return _sequence_factors(list(sre_parse.parse(pattern.pattern, pattern.flags)))


def trie(strings: Sequence[str]) -> str:
    """One expression matching any of the strings, longest first, shaped as a trie."""
    root: dict[str, Any] = {}
    for string in strings:
        node = root
        for char in string:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)
