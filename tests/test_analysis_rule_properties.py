"""Properties of each analysis rule on its own, on generated snapshots: the same input gives
the same findings, whatever order the incidents come in; every finding (and every suggestion
and piece of evidence) cites incidents of the input; adding an incident never removes an act
found, in the vault or in a person's course of conduct. The whole analysis has the same
properties in test_analysis_properties.py; here a failure names the rule."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.analysis import escalation, four, how_when, risk_seen, s4a, suggestions, threshold
from cairn.analysis.acts import acts_shown
from cairn.analysis.base import THIRD_PERSON, VICTIM, Finding, Index
from cairn.analysis.course import course_of_conduct
from cairn.analysis.lulls import (
    gap_threshold,
    gone_on,
    lulls,
    past_lulls,
    quiet_now,
    recurrence_warning,
)
from cairn.analysis.offline import online_to_offline
from cairn.analysis.risk import risk_indicators
from cairn.analysis.s4a import s4a_markers
from cairn.vault.snapshot import VaultSnapshot
from tests.test_analysis_properties import incidents
from tests.test_analysis_support import snapshot, suspect

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _limbs(index: Index) -> threshold.Threshold:
    course, quiet = course_of_conduct(index), lulls(index)
    return threshold.threshold(
        index,
        course,
        four.four(index, course, quiet),
        s4a_markers(index),
        escalation.escalation(index),
        quiet,
    )


def _tips(index: Index) -> dict[str, suggestions.Suggestion]:
    return suggestions.suggestions(index)


def _risk(index: Index) -> Any:
    course, quiet = course_of_conduct(index), lulls(index)
    return risk_indicators(index, course, escalation.escalation(index), quiet)


def _course_and_lulls(index: Index) -> tuple[Any, Any]:
    return course_of_conduct(index), lulls(index)


def _seen(rule: Callable[[risk_seen.Seen], Any]) -> Callable[[Index], Any]:
    def apply(index: Index) -> Any:
        course, quiet = course_of_conduct(index), lulls(index)
        return rule(risk_seen.Seen(index, course, escalation.escalation(index), quiet))

    return apply


RULES: dict[str, Callable[[Index], Any]] = {
    "acts shown": acts_shown,
    "course of conduct": course_of_conduct,
    "lulls": lulls,
    "past lulls": lambda i: past_lulls(i, gap_threshold(i)[1]),
    "quiet now": lambda i: quiet_now(i, gap_threshold(i)[1], ()) if i.incidents else None,
    "gone on": lambda i: gone_on(i) if i.incidents else None,
    "recurrence warning": lambda i: recurrence_warning(i, lulls(i)),
    "weekly counts": escalation.weekly_counts,
    "frequency trend": lambda i: escalation.frequency_trend(i, escalation.weekly_counts(i)),
    "rate changes": lambda i: escalation.rate_changes(i, escalation.weekly_counts(i)),
    "most serious": escalation.most_serious,
    "severity trend": escalation.severity_trend,
    "ways of contact": how_when.ways_of_contact,
    "times": how_when.times,
    "recurring places": how_when.recurring_places,
    "online to offline": online_to_offline,
    "s.4A markers": s4a_markers,
    "s.4A feared violence": s4a.feared_violence,
    "s.4A daily life": s4a.daily_life,
    "s.4A effects recorded": s4a.effects_recorded,
    "FOUR fixated": lambda i: four.fixated(i, *_course_and_lulls(i)),
    "FOUR obsessive": four.obsessive,
    "FOUR unwanted": four.unwanted,
    "FOUR repeated": four.repeated,
    **{f"suggestion {rule.__name__}": rule for rule in suggestions.RULES},
    "threshold s.1(1)(a)": lambda i: threshold.acts_limb(i, course_of_conduct(i), _tips(i)),
    "threshold s.1(1)(b)": lambda i: _limbs(i).s1_1_b,
    "threshold s.1(1)(c)": lambda i: _limbs(i).s1_1_c,
    "threshold s.2(1)": lambda i: _limbs(i).s2_1,
    "risk indicators": _risk,
    **{f"risk seen {key}": _seen(rule) for key, rule in risk_seen.RULES.items()},
}


@st.composite
def snapshots(draw: Any) -> VaultSnapshot:
    count = draw(st.integers(0, 25))
    items = []
    for n in range(1, count + 1):
        item = draw(incidents(n))
        exhibits = draw(st.sampled_from([(), (f"x-{n}",), (f"x-{n}", f"x-{n}b")]))
        items.append(dataclasses.replace(item, exhibit_ids=exhibits))
    persons = draw(st.sampled_from([(suspect("ex_partner"),), (suspect("stranger"),), ()]))
    later = timedelta(days=draw(st.integers(0, 400)))
    snap = snapshot(*items, persons=persons)
    return snapshot(*items, persons=persons, now=snap.taken_at + later)


def index_of(snap: VaultSnapshot, voice: str = VICTIM) -> Index:
    return Index(snap, now=snap.taken_at, voice=voice)


def cited(value: Any) -> Iterator[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(what, incident ids, exhibit ids) of every finding, suggestion and piece of limb
    evidence in a rule's result."""
    if isinstance(value, Finding):
        yield value.statement, value.incident_ids, value.exhibit_ids
    elif isinstance(value, suggestions.Suggestion):
        yield value.text, value.incident_ids, ()
        return
    if isinstance(value, threshold.Limb) and value.evidence:
        yield value.key, value.evidence, ()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from cited(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from cited(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from cited(item)


@pytest.mark.parametrize("rule", sorted(RULES))
@SETTINGS
@given(snap=snapshots(), voice=st.sampled_from([VICTIM, THIRD_PERSON]))
def test_each_rule_is_deterministic_whatever_the_order_of_the_incidents(rule, snap, voice):
    apply = RULES[rule]
    first = apply(index_of(snap, voice))
    assert apply(index_of(snap, voice)) == first
    shuffled = dataclasses.replace(snap, incidents=tuple(reversed(snap.incidents)))
    assert apply(index_of(shuffled, voice)) == first


@pytest.mark.parametrize("rule", sorted(RULES))
@SETTINGS
@given(snap=snapshots())
def test_every_finding_of_each_rule_cites_incidents_of_the_input(rule, snap):
    known = {i.id for i in snap.incidents}
    exhibits = {e for i in snap.incidents for e in i.exhibit_ids}
    for what, incident_ids, exhibit_ids in cited(RULES[rule](index_of(snap))):
        assert incident_ids, what
        assert set(incident_ids) <= known, what
        assert len(set(incident_ids)) == len(incident_ids), what
        assert set(exhibit_ids) <= exhibits, what


def _acts_by_course(index: Index) -> dict[str | None, set[str]]:
    return {
        c.person_id: {code for i in c.incident_ids for code in index.by_id[i].acts}
        for c in course_of_conduct(index).courses
    }


@SETTINGS
@given(snap=snapshots(), data=st.data())
def test_adding_an_incident_never_removes_an_act(snap, data):
    extra = data.draw(incidents(len(snap.incidents) + 1))
    now = max(snap.taken_at, extra.start)
    grown = dataclasses.replace(snap, incidents=(*snap.incidents, extra), taken_at=now)
    before, after = index_of(snap), Index(grown, now=now)
    shown_before = {a.code: set(a.incident_ids) for a in acts_shown(before)}
    shown_after = {a.code: set(a.incident_ids) for a in acts_shown(after)}
    for code, ids in shown_before.items():
        assert ids <= shown_after.get(code, set()), code
    courses_after = _acts_by_course(after)
    for person, codes in _acts_by_course(before).items():
        assert codes <= courses_after[person], person
