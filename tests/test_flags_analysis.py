"""Threat flags in the analysis: risk indicators and the move from online to offline."""

from __future__ import annotations

from cairn.analysis.engine import analyse
from tests.test_analysis_support import incident, snapshot


def run(*incidents):
    snap = snapshot(*incidents)
    return analyse(snap, now=snap.taken_at)


def indicators(result):
    return {i.key: i for i in result.risk_indicators}


def test_a_flagged_threat_in_an_incident_is_an_explicit_threat():
    result = run(
        incident(1, description="Text: I'm going to smash your face in"), incident(2, days=2)
    )
    found = indicators(result)["explicit_threats"]
    assert found.status == "present"
    assert found.from_log.incident_ids == ("i-00001",)


def test_the_index_keeps_each_incidents_flags():
    from cairn.analysis.base import Index

    snap = snapshot(
        incident(1, description="I'd never hurt you, I could kill for a coffee"),
        incident(2, description="You're dead. I'm outside your house"),
    )
    index = Index(snap, now=snap.taken_at)
    # Only the kinds the rules read are looked for (not "family" here); threats are read
    # once, by the one threat reading, into each incident's facts.
    assert index.flags == {"i-00001": frozenset(), "i-00002": frozenset({"whereabouts"})}
    assert [index.facts[i].threat for i in ("i-00001", "i-00002")] == [False, True]
    assert index.facts["i-00002"].threat_to_kill


def test_knowledge_of_her_whereabouts_at_a_distance_is_an_indicator_and_a_pattern():
    result = run(
        incident(1, description="Message: hello"),
        incident(2, days=3, description="Message: I saw you at the gym today"),
        incident(3, days=5, description="Instagram: I know where you live now"),
    )
    found = indicators(result)["knows_whereabouts"]
    assert found.status == "present"
    assert found.from_log.incident_ids == ("i-00002", "i-00003")
    statements = [f.statement for f in result.escalation.pattern_findings]
    assert any(s.startswith("Words showing knowledge of where you live") for s in statements)


def test_the_first_incident_in_person_after_weeks_online_is_named():
    result = run(
        incident(1, description="Text"),
        incident(2, days=9, description="Text"),
        incident(3, days=20, channel="social_media", description="Post"),
        incident(
            4,
            days=24,
            channel="in_person",
            acts=("e",),
            description="He was waiting at the end of my road.",
        ),
    )
    offline = indicators(result)["online_to_offline"]
    assert offline.status == "present"
    assert offline.from_log.incident_ids == ("i-00001", "i-00003", "i-00004")
    assert "incident 4 happened in the physical world" in offline.from_log.statement
    assert "3 weeks" in offline.from_log.statement


def test_no_move_offline_when_it_was_in_person_from_the_start_or_never():
    in_person = run(
        incident(1, channel="in_person", acts=("e",)),
        incident(2, days=10),
        incident(3, days=20, channel="in_person", acts=("e",)),
    )
    assert indicators(in_person)["online_to_offline"].status == "not_seen"
    online = run(*[incident(n, days=n * 4) for n in range(1, 6)])
    assert indicators(online)["online_to_offline"].status == "not_seen"
    assert indicators(online)["knows_whereabouts"].status == "not_seen"


def test_a_quick_move_offline_within_days_is_not_an_online_only_period():
    result = run(
        incident(1), incident(2, days=1), incident(3, days=2, channel="in_person", acts=("a",))
    )
    assert indicators(result)["online_to_offline"].status == "not_seen"
