"""The threat flags against the labelled set in tests/data/flags_labelled_en.yaml (issue 9).

Precision and recall are measured per flag; the bar the issue sets for threats of violence or
death is asserted, and every flag is held to a floor so a rule change that breaks one shows.
The same figures go into docs/benchmarks.md through bench/bench_flags.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from cairn.flags.engine import load_rules
from cairn.flags.evaluate import evaluate, load_labelled

DATA = Path(__file__).parent / "data"
LABELLED = load_labelled(DATA / "flags_labelled_en.yaml")


def test_the_labelled_set_is_big_enough_and_uses_only_known_flags():
    kinds = {k.key for k in load_rules().kinds}
    assert len(LABELLED) >= 300
    assert {flag for m in LABELLED for flag in m.flags} == kinds
    assert sum(1 for m in LABELLED if not m.flags) >= 100  # near-misses and neutral messages
    assert len({m.text for m in LABELLED}) == len(LABELLED)


def test_threats_of_violence_or_death_reach_the_bar_the_issue_sets():
    scores, _ = evaluate(LABELLED)
    violence = scores["violence"]
    assert violence.labelled >= 50
    assert violence.recall >= 0.9, violence
    assert violence.precision >= 0.8, violence


@pytest.mark.parametrize("kind", ["sexual", "whereabouts", "family", "surveillance", "self_harm"])
def test_every_other_flag_keeps_a_floor(kind):
    scores, _ = evaluate(LABELLED)
    assert scores[kind].labelled >= 20
    assert scores[kind].recall >= 0.8, scores[kind]
    assert scores[kind].precision >= 0.8, scores[kind]


def test_near_misses_raise_no_threat():
    near_misses = [m for m in LABELLED if not m.flags]
    scores, _ = evaluate(near_misses)
    assert scores["violence"].false_positives == 0
    assert scores["self_harm"].false_positives == 0


def test_kinds_in_finds_exactly_the_kinds_of_the_flags_with_their_spans():
    # kinds_in stops at each kind's first unguarded match: it must agree with flag_text on
    # every message we have, for all kinds and for the analysis's subset.
    from cairn.analysis.base import FLAGS_READ
    from cairn.flags.engine import flag_text, kinds_in

    rules = load_rules()
    subset = rules.subset(FLAGS_READ)
    texts = [m.text for m in LABELLED + load_labelled(DATA / "flags_heldout_en.yaml")]
    for text in texts:
        assert kinds_in(text, rules) == {f.kind for f in flag_text(text, rules)}, text
        assert kinds_in(text, subset) == {f.kind for f in flag_text(text, subset)}, text
        assert kinds_in(text, rules, only=FLAGS_READ) == {
            f.kind for f in flag_text(text, rules) if f.kind in FLAGS_READ
        }, text
