"""The flag engine itself: spans, guards, the rules file as data, bad rules."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cairn.flags.engine import RulesError, flag_text, kinds_in, load_rules, parse_rules


def test_each_flag_carries_the_senders_own_words():
    text = "Hiya. I\u2019m going to SMASH your face in. Bye"
    (flag,) = flag_text(text)
    assert flag.kind == "violence"
    assert text[flag.start : flag.end] == flag.words
    assert flag.words.startswith("I\u2019m going to SMASH your face")


@pytest.mark.parametrize(
    "text",
    [
        "I could kill for a coffee",
        "that joke killed me",
        "dying to see the film",
        "I'd never hurt you",
        "I killed myself laughing",
        "you're dead right",
    ],
)
def test_idioms_and_negations_are_guarded(text):
    assert kinds_in(text) == frozenset()


def test_one_message_can_raise_several_kinds_in_order():
    flags = flag_text("I saw you at the school gates with your son. I'll hurt him.")
    assert {f.kind for f in flags} == {"whereabouts", "family", "violence"}
    # In order of where their words start; seeing her with her child at the school gates is
    # also read as veiled menace (issue 14), so a threat may start where the sighting does.
    assert [f.start for f in flags] == sorted(f.start for f in flags)
    assert flags[-1].kind == "violence" and flags[-1].words == "I'll hurt him"
    assert flags == tuple(sorted(flags, key=lambda f: f.start))


def test_a_guard_only_removes_the_match_it_overlaps():
    # The idiom in the first sentence does not hide the threat in the second.
    assert kinds_in("I could kill for a pint. I will kill you.") == {"violence"}


def test_empty_text_has_no_flags():
    assert flag_text("") == ()
    assert flag_text("   \n") == ()


def test_an_unknown_language_falls_back_to_english():
    assert load_rules("xx") is load_rules("en")
    assert load_rules("../../etc/passwd").language == "en"


def test_rules_are_data_and_bad_rules_are_named():
    rules = parse_rules(
        {
            "words": {"pet": "(?:hamster|gerbil)"},
            "flags": {
                "pets": {
                    "label": "Pets",
                    "patterns": ["your %pet%"],
                    "guards": ["your hamster wheel"],
                }
            },
        }
    )
    assert kinds_in("How is your gerbil?", rules) == {"pets"}
    assert kinds_in("I fixed your hamster wheel", rules) == frozenset()
    with pytest.raises(RulesError, match="pets pattern 1"):
        parse_rules({"flags": {"pets": {"label": "Pets", "patterns": ["(unclosed"]}}})
    with pytest.raises(RulesError, match="unknown word"):
        parse_rules({"flags": {"pets": {"label": "Pets", "patterns": ["%nope%"]}}})
    with pytest.raises(RulesError, match="label"):
        parse_rules({"flags": {"pets": {"patterns": []}}})


@given(st.text(max_size=300))
def test_spans_always_point_into_the_text(text):
    for flag in flag_text(text):
        assert 0 <= flag.start < flag.end <= len(text)
        assert text[flag.start : flag.end] == flag.words


def _unscreened(rules):
    """The same rules with the literal screen switched off: every pattern runs on every text."""
    every = frozenset((k, n) for k, kind in enumerate(rules.kinds) for n in range(kind.size))
    return dataclasses.replace(rules, screen=None, unindexed=every)


def test_the_screen_never_changes_what_is_found():
    from pathlib import Path

    from cairn.flags.evaluate import load_labelled

    rules = load_rules()
    plain = _unscreened(rules)
    data = Path(__file__).parent / "data"
    for name in ("flags_labelled_en.yaml", "flags_heldout_en.yaml"):
        for message in load_labelled(data / name):
            assert flag_text(message.text, rules) == flag_text(message.text, plain), message


@given(
    st.lists(
        st.sampled_from(
            [
                "i'll",
                "kill",
                "you",
                "your",
                "saw",
                "at",
                "the",
                "gym",
                "kids",
                "myself",
                "end",
                "it",
                "all",
                "watching",
                "x",
                ".",
                "dead",
                "nice",
                "dress",
                "today",
                "never",
                "hurt",
            ]
        ),
        max_size=12,
    )
)
def test_the_screen_never_changes_what_is_found_on_word_salad(words):
    text = " ".join(words)
    rules = load_rules()
    assert flag_text(text, rules) == flag_text(text, _unscreened(rules))


def test_necessary_factors_are_literal_strings_every_match_holds():
    import re

    from cairn.flags.screen import necessary_factors

    # The most selective set is kept: the longest shortest string.
    assert necessary_factors(re.compile(r"\bi (?:will|shall) (?:kill|hurt) you")) == {
        "will",
        "shall",
    }
    assert necessary_factors(re.compile(r"(?:a|b)?c")) == {"c"}
    assert necessary_factors(re.compile(r"\w+")) is None


# --- parts and combinations (issue 14: threats read by what they are made of) -------------------


def _combining(**extra):
    spec = {
        "label": "Threat",
        "sorts": {"plain": "said outright", "veiled": "veiled"},
        "patterns": {"plain": ["kill you"], "veiled": ["(?!)"]},
        "parts": {
            "frame": r"\bwould be a shame\b",
            "target": r"\byour (?:car|cat)\b",
            "kind": r"\blove\b",
        },
        "combinations": {"veiled": [["frame", "target", "not kind"]]},
    }
    spec.update(extra)
    return parse_rules({"flags": {"v": spec}})


def test_a_combination_needs_all_its_parts_in_one_sentence_or_the_next():
    rules = _combining()
    (flag,) = flag_text("Would be a shame if your car went up", rules)
    assert (flag.words, flag.sorts) == ("Would be a shame if your car", ("veiled",))
    assert kinds_in("Nice car. Your cat is lovely. Would be a shame.", rules) == {"v"}
    assert kinds_in("Your car is red. Hello. Would be a shame.", rules) == frozenset()
    assert kinds_in("Would be a shame to miss it", rules) == frozenset()
    assert kinds_in("Would be a shame if your car got wet, love", rules) == frozenset()


def test_parts_of_a_combination_must_be_different_words():
    rules = parse_rules(
        {
            "flags": {
                "v": {
                    "label": "Threat",
                    "patterns": ["(?!)"],
                    "parts": {"a": r"\byou won't see me\b", "b": r"\bwon't see\b"},
                    "combinations": {"": [["a", "b"]]},
                }
            }
        }
    )
    assert kinds_in("you won't see me", rules) == frozenset()
    assert kinds_in("you won't see me. you won't see it", rules) == {"v"}


def test_a_part_under_a_guard_does_not_count_and_a_sentence_guard_drops_the_combination():
    rules = _combining(
        guards=[r"shame if your car gets a scratch"], sentence_guards=[r"\bthe film\b"]
    )
    assert kinds_in("Would be a shame if your car gets a scratch", rules) == frozenset()
    assert kinds_in("In the film it would be a shame if your cat died", rules) == frozenset()
    assert kinds_in("Would be a shame if your cat died", rules) == {"v"}


def test_a_guard_of_one_sort_drops_only_that_sort_near_it_on_its_line():
    rules = _combining(sort_guards={"plain": ["\N{FACE WITH TEARS OF JOY}"]})
    assert kinds_in("I'll kill you \N{FACE WITH TEARS OF JOY}", rules) == frozenset()
    assert kinds_in("I'll kill you\n\N{FACE WITH TEARS OF JOY}", rules) == {"v"}
    veiled = "Would be a shame if your cat went missing \N{FACE WITH TEARS OF JOY}"
    assert kinds_in(veiled, rules) == {"v"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"combinations": {"veiled": [["frame", "nothing"]]}}, "unknown part nothing"),
        ({"combinations": {"other": [["frame"]]}}, "unlabelled sort other"),
        ({"combinations": {"veiled": [["not frame"]]}}, "needs a part"),
        ({"combinations": {"veiled": ["frame"]}}, "must be a list of parts"),
        ({"parts": {"frame": "(unclosed"}}, "part frame"),
        ({"sort_guards": {"other": ["x"]}}, "sort_guards"),
    ],
)
def test_bad_parts_and_combinations_are_named(change, message):
    spec = {
        "label": "Threat",
        "sorts": {"veiled": "veiled"},
        "patterns": {"veiled": ["x"]},
        "parts": {"frame": "shame"},
        **change,
    }
    with pytest.raises(RulesError, match=message):
        parse_rules({"flags": {"v": spec}})


def test_the_screen_never_changes_what_the_threat_sets_find():
    from pathlib import Path

    from cairn.flags.evaluate import load_labelled

    rules = load_rules()
    plain = _unscreened(rules)
    data = Path(__file__).parent / "data"
    for name in ("threats_labelled_en.yaml", "threats_dev_en.yaml"):
        for message in load_labelled(data / name):
            assert flag_text(message.text, rules) == flag_text(message.text, plain), message
            assert kinds_in(message.text, rules) == {f.kind for f in flag_text(message.text)}


def test_a_pattern_runs_only_when_the_text_holds_a_string_of_each_needed_set():
    import re

    from cairn.flags.screen import factor_sets

    pattern = r"(?:said|told) \w+ (?:he'd|she'd) (?:kill|stab)"
    assert factor_sets(re.compile(pattern)) == (
        frozenset({"he'd", "she'd"}),
        frozenset({"kill", "stab"}),
        frozenset({"said", "told"}),
    )
    rules = parse_rules({"flags": {"v": {"label": "Threat", "patterns": [pattern]}}})
    assert rules.patterns_to_run("he said that he'd call") == set()
    assert rules.patterns_to_run("he said that he'd kill") == {(0, 0)}
    assert kinds_in("he said that he'd kill me", rules) == {"v"}
