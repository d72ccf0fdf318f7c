"""The one threat reading (issue 14, point 6): veiled threats of each sort, hard negatives,
threats to kill, the labelled set's bar, and every part of Cairn reading threats the same way.

The held-out set (tests/data/threats_heldout_en.yaml) and the dev set
(tests/data/threats_dev_en.yaml) are checked for their shape only: their precision and recall
are reported in docs/benchmarks.md (bench/bench_flags.py), never held here, so that no one
tunes the rules on them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from cairn.analysis import words
from cairn.analysis.engine import analyse
from cairn.flags import threats
from cairn.flags.engine import RulesError, flag_text, kinds_in, load_rules, parse_rules
from cairn.flags.evaluate import LabelledSetError, evaluate, load_labelled, scored_kinds
from tests.factories import make_incident
from tests.test_analysis_support import incident, snapshot

DATA = Path(__file__).parent / "data"
LABELLED_PATH = DATA / "threats_labelled_en.yaml"
HELD_OUT_PATH = DATA / "threats_heldout_en.yaml"
DEV_PATH = DATA / "threats_dev_en.yaml"
LABELLED = load_labelled(LABELLED_PATH)
HELD_OUT = load_labelled(HELD_OUT_PATH)
DEV = load_labelled(DEV_PATH)
SORTS = ("explicit", "conditional", "menace", "fate", "capability", "possession")


# --- the sets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "size", "negatives", "per_sort"),
    [(LABELLED_PATH, 600, 250, 30), (HELD_OUT_PATH, 100, 40, 5), (DEV_PATH, 100, 40, 9)],
    ids=["labelled", "held-out", "dev"],
)
def test_each_threat_set_is_big_enough_with_every_sort_and_hard_negatives(
    path, size, negatives, per_sort
):
    messages = load_labelled(path)
    assert scored_kinds(path) == {"violence"}
    assert len(messages) >= size
    assert len({m.text for m in messages}) == len(messages)
    assert sum(1 for m in messages if not m.flags) >= negatives
    for sort in SORTS:
        assert sum(1 for m in messages if m.sort == sort) >= per_sort, sort
    assert all(bool(m.sort) == ("violence" in m.flags) for m in messages)
    assert {m.sort for m in messages} - {""} == set(SORTS)


def test_no_message_is_in_two_sets():
    labelled, held_out, dev = ({m.text for m in s} for s in (LABELLED, HELD_OUT, DEV))
    assert not labelled & held_out and not labelled & dev and not held_out & dev


def test_the_labelled_threats_reach_their_bar():
    scores, _ = evaluate(LABELLED, kinds=scored_kinds(LABELLED_PATH))
    assert set(scores) == {"violence"}
    assert scores["violence"].recall >= 0.95, scores["violence"]
    assert scores["violence"].precision >= 0.95, scores["violence"]


# --- each veiled sort, and hard negatives -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sort"),
    [
        ("Answer me or you'll find out", "conditional"),
        ("Keep blocking me and see what happens", "conditional"),
        ("You'll regret ignoring me", "conditional"),
        ("Your daughter looked happy at the school gate", "menace"),
        ("He should watch himself", "menace"),
        ("Check your tyres before you drive today", "menace"),
        ("Home alone tonight then", "menace"),
        ("Nobody would hear you out there", "menace"),
        ("People fall down stairs", "fate"),
        ("Accidents happen to girls who lie", "fate"),
        ("I've hurt people for less", "capability"),
        ("You know what I did to my ex", "capability"),
        ("You're mine or nobody's", "possession"),
        ("If I can't have you nobody can", "possession"),
        ("I'll break your legs", "explicit"),
        ("He said he would slit my throat", "explicit"),
    ],
)
def test_each_sort_of_threat_is_read_and_named(text, sort):
    reading = threats.read(text)
    assert reading.present, text
    assert sort in reading.sorts, reading
    (flag,) = [f for f in flag_text(text) if f.kind == threats.THREAT]
    assert sort in flag.sorts
    assert load_rules().kind(threats.THREAT).sort_label(sort)


@pytest.mark.parametrize(
    "text",
    [
        "Watch yourself on the ice this morning",
        "I'll find out tomorrow what time the match starts",
        "Accidents happen, it's only a plate",
        "You'll regret not buying those boots",
        "Your kids were lovely at the party today",
        "I know people who can fix your car cheap",
        "You're mine forever, happy anniversary x",
        "We smashed it at the quiz, first place!",
        "Court hears man threatened neighbour with axe",
        "People fall down stairs more than any other accident at home, says the leaflet",
        "He threatened to tell my boss about the debt",
        "I'm frightened he will hurt me",
        "He said he would kill himself if I left",
    ],
)
def test_hard_negatives_are_not_threats(text):
    assert not threats.read(text).present, threats.read(text)
    assert not threats.is_threat(text)


@pytest.mark.parametrize(
    ("text", "sort"),
    [
        # Read by what they are made of: something of hers and a frame that makes it ominous.
        ("It would be a real pity if that cat of yours wandered off for good", "menace"),
        ("Tell your husband he ought to be careful on those country lanes", "menace"),
        ("The alarm on your flat takes seconds to switch off, you know", "menace"),
        ("I know what time you leave. Just so you know.", "menace"),
        ("Very quiet down your road at night, isn't it", "menace"),
        ("Bikes get stolen, brakes get cut. These things happen to people who lie.", "fate"),
        ("Drop the case or your dad's going to regret it", "conditional"),
        ("Your lot can't keep me away. Nobody can.", "capability"),
        ("I've got mates who owe me favours and know your street", "capability"),
        ("You're my girl and nobody else will ever have you", "possession"),
        ("Count your days", "menace"),
        ("You've been warned.", "conditional"),
        ("This is your last chance.", "conditional"),
        ("Watch it.", "menace"),
        ("I've got nothing to lose now", "capability"),
    ],
)
def test_veiled_threats_in_other_words_are_read_by_their_parts(text, sort):
    reading = threats.read(text)
    assert sort in reading.sorts, (text, reading)


@pytest.mark.parametrize(
    "text",
    [
        # Banter with laughter, idioms, news, family love, stories, and a well-wisher's care.
        "Touch my chips again and I'll end you \N{ROLLING ON THE FLOOR LAUGHING} see you Sunday",
        "omg you're dead to me, how could you not tell me about the engagement",
        "Two men stabbed in a fight outside a pub in Leeds, it was on the news",
        "Till death do us part, happy anniversary to my wonderful parents \N{HEAVY BLACK HEART}",
        "Read it to the end and you'll find out what happens, no spoilers!",
        "Be careful on the ice tonight love, text me when you're home",
        "Your back door doesn't lock properly, I'll fix it at the weekend",
        "Your mum will kill you when she sees your room",
        # Stock words of a threat in everyday use.
        "Honestly just apply, you've got nothing to lose",
        "We'll just have to wait and see what happens at the vet's",
        "The sequel's three hours long, you've been warned.",
        "Hurry, it's your last chance! The offer ends Sunday",
    ],
)
def test_what_looks_like_a_threat_but_is_not(text):
    assert not threats.read(text).present, threats.read(text)


def test_laughter_drops_only_a_threat_said_outright_not_a_veiled_one():
    # A stalker laughs too: laughter beside veiled menace does not excuse it.
    assert not threats.read("I'll kill you lol").present
    assert threats.read("Shame if your brakes failed on the motorway haha").present
    assert threats.read("I'll kill you.\nlol").present  # laughter on another line


# --- the helper that scores any threat set ----------------------------------------------------


def _score(path: Path) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, str(root / "bench" / "bench_flags.py"), "--threat-set", str(path)],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=300,
        check=False,
    )


def test_any_threat_set_is_scored_with_one_command(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "items:\n"
        '- {text: "I\'m going to break your neck", label: threat, sort: explicit}\n'
        '- {text: "Your dog would look lovely at the bottom of the canal", label: threat,'
        " sort: pets}\n"
        '- {text: "I could kill for a coffee", label: none}\n'
        '- {text: "Would be a shame if your car broke down again, I\'ll fix it x",'
        " label: none}\n",
        encoding="utf-8",
    )
    result = _score(path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    scores, _ = evaluate(load_labelled(path), kinds=frozenset({threats.THREAT}))
    score = scores[threats.THREAT]
    assert f"precision {score.precision:.2f}" in out and f"recall {score.recall:.2f}" in out
    assert "explicit: 1 of 1" in out and "pets:" in out
    assert "false alarms" in out and "missed threats" in out
    assert "mine.yaml: 4 messages, 2 threats, 2 not" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("items:\n- {text: hello, label: maybe}\n", "item 1: 'label' must be threat or none"),
        ("items:\n- {label: threat}\n", "item 1: needs a 'text'"),
        ("just words\n", "needs a list of 'items'"),
        ("items: [\n", "cannot read it as YAML"),
    ],
)
def test_a_bad_threat_set_gets_one_line_naming_the_file_and_item(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LabelledSetError, match=re.escape(message)):
        load_labelled(path)
    result = _score(path)
    assert result.returncode != 0
    assert "bad.yaml" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_threat_is_to_kill_only_when_its_words_say_so():
    assert threats.read("I'm going to kill you").to_kill
    assert threats.read("He said I'd end up six feet under").to_kill
    assert not threats.read("I'll break your legs").to_kill
    assert not threats.read("Watch yourself").to_kill
    assert not threats.read("I could kill for a coffee").present


def test_the_reading_carries_the_senders_words():
    text = "Lovely evening. Check your tyres before you drive today \N{WINKING FACE}"
    (threat,) = threats.read(text).threats
    assert text[threat.start : threat.end] == threat.words
    assert threat.words.startswith("Check your tyres")
    assert threat.sorts == ("menace",)


def test_grouped_patterns_need_a_label_for_each_sort():
    rules = parse_rules(
        {
            "flags": {
                "v": {
                    "label": "Threat",
                    "sorts": {"veiled": "veiled", "plain": "said outright"},
                    "patterns": {"plain": ["kill you"], "veiled": ["watch yourself"]},
                }
            }
        }
    )
    flags = flag_text("Watch yourself or I'll kill you", rules)
    assert [(f.words, f.sorts) for f in flags] == [
        ("Watch yourself", ("veiled",)),
        ("kill you", ("plain",)),
    ]
    with pytest.raises(RulesError, match="sorts"):
        parse_rules({"flags": {"v": {"label": "Threat", "patterns": {"plain": ["kill you"]}}}})


# --- one reading everywhere ----------------------------------------------------------------------


def _every_text():
    for name in (
        "threats_labelled_en",
        "threats_heldout_en",
        "threats_dev_en",
        "flags_labelled_en",
        "flags_heldout_en",
    ):
        yield from (m.text for m in load_labelled(DATA / f"{name}.yaml"))


def test_the_flags_the_analysis_and_the_reading_agree_on_every_message():
    for text in _every_text():
        flagged = threats.THREAT in {f.kind for f in flag_text(text)}
        assert threats.is_threat(text) == flagged, text
        assert threats.read(text).present == flagged, text
        assert (threats.THREAT in kinds_in(text)) == flagged, text
        facts = words.facts_of(incident(1, description=text))
        assert facts.threat == flagged, text
        assert facts.threat_to_kill == threats.read(text).to_kill, text


def test_the_analysis_index_reads_threats_and_flags_in_one_pass_as_each_reading_does():
    from cairn.analysis.base import FLAGS_READ, Index

    texts = list(dict.fromkeys(_every_text()))
    snap = snapshot(
        *(incident(n, days=n / 100, description=text) for n, text in enumerate(texts, 1))
    )
    index = Index(snap, now=snap.taken_at)
    rules = load_rules().subset(FLAGS_READ)
    for item in snap.incidents:
        assert index.facts[item.id] == words.facts_of(item), item.description
        assert index.flags[item.id] == kinds_in(f"{item.description}\n", rules), item.description


def test_the_issues_chat_gives_the_same_threats_to_risk_and_severity():
    snap = snapshot(
        incident(1, description="Text: he should watch himself"),
        incident(2, days=1, description="Text: check your tyres before you drive today"),
        incident(3, days=2, description="Text: are you coming to the pub?"),
    )
    result = analyse(snap, now=snap.taken_at)
    found = {i.key: i for i in result.risk_indicators}["explicit_threats"]
    assert found.from_log.incident_ids == ("i-00001", "i-00002")
    assert "Words of a threat in 2 incidents" in found.from_log.statement
    levels = {s.incident_id: s.level for s in result.escalation.severities}
    assert levels["i-00001"] == levels["i-00002"] == 5 and levels["i-00003"] == 1


def test_the_flags_page_counts_the_threats_the_pattern_page_counts(owner_client, vault):
    make_incident(vault, days_ago=5, description="He texted that I should watch myself.")
    make_incident(vault, days_ago=4, description="A text: check your tyres before you drive today")
    make_incident(
        vault,
        days_ago=3,
        description="He sent flowers to work.",
        other_act="He told Priya he was going to hurt me.",
    )
    make_incident(vault, days_ago=2, description="Watch yourself on the ice, he said. Odd.")
    flags = owner_client.get(reverse("flags:flags", args=[vault.pk])).content.decode()
    row = re.search(r'id="count-violence".*?data-count="incidents">(\d+)<', flags, re.S)
    assert row and row.group(1) == "3"
    assert "veiled: about you being alone, your home, car, route or family" in flags
    # The pattern's risk topic (issue 16: a page per topic) says the same.
    risk = owner_client.get(reverse("analysis:topic", args=[vault.pk, "risk"])).content.decode()
    assert re.search(r"Words of a threat in 3 incidents", risk)


def test_a_sentence_guard_drops_every_threat_in_its_sentence_only():
    rules = parse_rules(
        {
            "flags": {
                "v": {"label": "Threat", "patterns": ["stabbed"], "sentence_guards": ["police say"]}
            }
        }
    )
    assert kinds_in("A man was stabbed in town, police say.", rules) == frozenset()
    assert kinds_in("Police say nothing. You'll get stabbed.", rules) == {"v"}
