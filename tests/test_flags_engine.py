"""The flag engine itself: spans, guards, the rules file as data, bad rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cairn.flags.engine import RulesError, flag_text, kinds_in, load_rules, parse_rules


def test_each_flag_carries_the_senders_own_words():
    text = "Hiya. I\u2019m going to SMASH your face in. Bye"
    (flag,) = flag_text(text)
    assert flag.kind == "violence"
    assert text[flag.start:flag.end] == flag.words
    assert flag.words.startswith("I\u2019m going to SMASH your face")


@pytest.mark.parametrize("text", [
    "I could kill for a coffee", "that joke killed me", "dying to see the film",
    "I'd never hurt you", "I killed myself laughing", "you're dead right",
])
def test_idioms_and_negations_are_guarded(text):
    assert kinds_in(text) == frozenset()


def test_one_message_can_raise_several_kinds_in_order():
    flags = flag_text("I saw you at the school gates with your son. I'll hurt him.")
    assert {f.kind for f in flags} == {"whereabouts", "family", "violence"}
    assert flags[0].kind == "whereabouts" and flags[-1].kind == "violence"
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
    rules = parse_rules({"words": {"pet": "(?:hamster|gerbil)"},
                         "flags": {"pets": {"label": "Pets", "patterns": ["your %pet%"],
                                            "guards": ["your hamster wheel"]}}})
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
        assert text[flag.start:flag.end] == flag.words
