"""Markers of stalking involving fear of violence or serious alarm or distress (Protection
from Harassment Act 1997, s.4A): the occasions on which the victim recorded fearing violence
(two or more matter), and the changes to her usual activities she recorded. Whether an effect
is "substantial" is for the court: Cairn lists what she recorded and never calls it that."""

from __future__ import annotations

from dataclasses import dataclass

from cairn.analysis import sources, words
from cairn.analysis.base import Finding, Index, plural


@dataclass(frozen=True)
class EffectEvidence:
    key: str
    label: str
    incident_ids: tuple[str, ...]


@dataclass(frozen=True)
class S4A:
    fear_occasion_ids: tuple[str, ...]
    fear_on_two_or_more_occasions: bool
    impact_ids: tuple[str, ...]  # incidents where she said what changed in her life
    effects: tuple[EffectEvidence, ...]
    # She recorded a change to where she lives, works, travels or goes (not only how she
    # felt). Evidence for the court to weigh, not a finding that the effect is substantial.
    activity_changes_recorded: bool
    findings: tuple[Finding, ...]


def feared_violence(index: Index) -> Finding | None:
    """s.4A(1)(b)(i): the occasions she recorded fearing violence, and whether there are two."""
    fear = tuple(i.id for i in index.incidents if i.feared_violence)
    if not fear:
        return None
    more = (
        "That is two or more occasions, which is what s.4A(1)(b)(i) asks for."
        if len(fear) >= 2
        else "s.4A(1)(b)(i) asks for at least two occasions."
    )
    return index.find(
        index.say(
            "You recorded that you feared violence would be used against you",
            "The victim recorded fearing that violence would be used against her",
        )
        + f" on {plural(len(fear), 'occasion')}. "
        + more,
        fear,
        sources.PHA_S4A_FEAR,
    )


def daily_life(index: Index) -> Finding | None:
    """s.4A(1)(b)(ii): the incidents where she wrote how it changed her daily life."""
    impact = tuple(i.id for i in index.incidents if i.impact.strip())
    if not impact:
        return None
    return index.find(
        index.say(
            "You recorded how it changed your daily life",
            "The victim recorded how it changed her daily life",
        )
        + f" in {plural(len(impact), 'incident')}.",
        impact,
        sources.PHA_S4A_DISTRESS,
    )


def effects_recorded(index: Index) -> tuple[EffectEvidence, ...]:
    """Each kind of change to her usual activities her words show, with its incidents."""
    by_effect: dict[str, list[str]] = {effect.key: [] for effect in words.EFFECTS}
    for incident in index.incidents:
        if incident.impact.strip():
            for key in index.facts[incident.id].effects:
                by_effect[key].append(incident.id)
    return tuple(
        EffectEvidence(e.key, e.label, tuple(by_effect[e.key]))
        for e in words.EFFECTS
        if by_effect[e.key]
    )


def effect_finding(index: Index, effect: EffectEvidence) -> Finding:
    return index.find(
        index.say(
            "A change to your usual activities you recorded",
            "A change to her usual activities she recorded",
        )
        + f" ({effect.label.lower()}): {plural(len(effect.incident_ids), 'incident')}.",
        effect.incident_ids,
        sources.PHA_S4A_DISTRESS,
    )


def s4a_markers(index: Index) -> S4A:
    """The evidence for s.4A (fear of violence, serious alarm or distress), rule by rule."""
    fear = tuple(i.id for i in index.incidents if i.feared_violence)
    effects = effects_recorded(index)
    findings = [
        feared_violence(index),
        daily_life(index),
        *(effect_finding(index, effect) for effect in effects),
    ]
    return S4A(
        fear_occasion_ids=fear,
        fear_on_two_or_more_occasions=len(fear) >= 2,
        impact_ids=tuple(i.id for i in index.incidents if i.impact.strip()),
        effects=effects,
        activity_changes_recorded=any(
            e.key in {"home", "work", "route", "going_out"} for e in effects
        ),
        findings=tuple(f for f in findings if f is not None),
    )
