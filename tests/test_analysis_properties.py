"""Properties of the analysis on generated snapshots: deterministic, never losing an act when
an incident is added, and every statement citing at least one incident of the vault."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.analysis import charts
from cairn.analysis.engine import analyse, to_json_text
from cairn.analysis.labels import CHANNEL_LABELS
from cairn.law.pha1997 import ACT_CODES
from tests.test_analysis_support import BASE, incident, snapshot, suspect

DESCRIPTIONS = [
    "He sent me a message.",
    "I blocked him and did not reply.",
    "He said I would regret it.",
    "He was outside my house.",
    "He grabbed my arm.",
    "He was drunk and shouting.",
    "He messaged my friends about me.",
    "Nothing special.",
]
IMPACTS = ["", "I moved house.", "I stopped going out.", "I could not sleep."]
LOCATIONS = ["", "Outside my house", "Outside my office", "Bus stop, Hill Road", "The gym"]
PRECISIONS = ["exact", "hour", "day", "overnight", "unknown"]


@st.composite
def incidents(draw, number):
    return incident(
        number,
        at=BASE + timedelta(minutes=draw(st.integers(0, 900 * 24 * 60))),
        channel=draw(st.sampled_from(sorted(CHANNEL_LABELS))),
        acts=tuple(sorted(draw(st.sets(st.sampled_from(ACT_CODES), max_size=3)))),
        description=draw(st.sampled_from(DESCRIPTIONS)),
        impact=draw(st.sampled_from(IMPACTS)),
        feared_violence=draw(st.booleans()),
        location=draw(st.sampled_from(LOCATIONS)),
        persons=draw(st.sampled_from([("p-suspect",), ()])),
        precision=draw(st.sampled_from(PRECISIONS)),
        reported=draw(st.booleans()),
    )


@st.composite
def snapshots(draw, max_incidents=40):
    count = draw(st.integers(0, max_incidents))
    items = [draw(incidents(n)) for n in range(1, count + 1)]
    relationship = draw(st.sampled_from(["ex_partner", "stranger", "unknown"]))
    persons = draw(st.sampled_from([(suspect(relationship),), ()]))
    later = timedelta(days=draw(st.integers(0, 800)))
    snap = snapshot(*items, persons=persons)
    return snapshot(*items, persons=persons, now=snap.taken_at + later)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(snapshots())
def test_the_analysis_is_deterministic(snap):
    first = to_json_text(analyse(snap, now=snap.taken_at))
    assert first == to_json_text(analyse(snap, now=snap.taken_at))
    reversed_input = snapshot(*reversed(snap.incidents), persons=snap.persons, now=snap.taken_at)
    assert first == to_json_text(analyse(reversed_input, now=snap.taken_at))


@SETTINGS
@given(snapshots(), st.data())
def test_adding_an_incident_never_removes_an_act_already_shown(snap, data):
    before = {a.code for a in analyse(snap, now=snap.taken_at).acts}
    extra = data.draw(incidents(len(snap.incidents) + 1))
    now = max(snap.taken_at, extra.start)
    grown = snapshot(*snap.incidents, extra, persons=snap.persons, now=now)
    after = {a.code for a in analyse(grown, now=now).acts}
    assert before <= after


@SETTINGS
@given(snapshots())
def test_every_statement_cites_at_least_one_incident_of_the_vault(snap):
    result = analyse(snap, now=snap.taken_at)
    known = {i.id for i in snap.incidents}
    exhibits = {e for i in snap.incidents for e in i.exhibit_ids}
    for finding in result.findings():
        assert finding.incident_ids, finding.statement
        assert set(finding.incident_ids) <= known
        assert set(finding.exhibit_ids) <= exhibits
        assert finding.source
    for limb in result.threshold.limbs():
        assert set(limb.evidence) <= known
        assert limb.citation
        assert (limb.status == "not_yet") or limb.evidence


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots(max_incidents=25))
def test_every_chart_is_well_formed_svg(snap):
    for svg in charts.all_charts(analyse(snap, now=snap.taken_at)).values():
        assert ElementTree.fromstring(svg)  # noqa: S314 (our own SVG).get("role") == "img"
