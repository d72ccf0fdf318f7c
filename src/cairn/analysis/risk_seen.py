"""Each risk indicator as the log shows it, one rule each: a finding citing the incidents
that show it, or None. ``cairn.analysis.risk`` gives each indicator its status from these and
from the victim's answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cairn.analysis import sources
from cairn.analysis.base import Finding, Index, days_between, plural
from cairn.analysis.course import CourseOfConduct
from cairn.analysis.escalation import Escalation
from cairn.analysis.lulls import Lulls
from cairn.analysis.offline import online_to_offline

MANY_CHANNELS = 3


@dataclass(frozen=True)
class Seen:
    """What the log rules read: the incidents, and the other rules' results they build on."""

    index: Index
    course: CourseOfConduct
    escalation: Escalation
    quiet: Lulls


def _found(index: Index, statement: str, ids: Iterable[str], source: str) -> Finding | None:
    ids = tuple(ids)
    return index.find(statement, ids, source) if ids else None


def _with_fact(index: Index, fact: str) -> list[str]:
    return [i.id for i in index.incidents if getattr(index.facts[i.id], fact)]


def ex_intimate(seen: Seen) -> Finding | None:
    index = seen.index
    exes = [c for c in seen.course.courses if c.relationship == "ex_partner"]
    return _found(
        index,
        index.say(
            "You recorded the person doing this as an ex-partner.",
            "The victim recorded the person doing this as an ex-partner.",
        ),
        [i for c in exes for i in c.incident_ids],
        sources.MCEWAN_2017,
    )


def explicit_threats(seen: Seen) -> Finding | None:
    ids = _with_fact(seen.index, "threat")
    return _found(
        seen.index,
        f"Words of a threat in {plural(len(ids), 'incident')}.",
        ids,
        sources.MULLEN_1999,
    )


def threats_to_kill(seen: Seen) -> Finding | None:
    ids = _with_fact(seen.index, "threat_to_kill")
    return _found(
        seen.index,
        f"Words about killing in {plural(len(ids), 'incident')}.",
        ids,
        sources.MULLEN_1999,
    )


def prior_violence(seen: Seen) -> Finding | None:
    ids = _with_fact(seen.index, "violence")
    return _found(
        seen.index,
        f"Violence described in {plural(len(ids), 'incident')}.",
        ids,
        sources.MCEWAN_2009,
    )


def property_damage(seen: Seen) -> Finding | None:
    index = seen.index
    ids = [i.id for i in index.incidents if "f" in i.acts or i.channel == "property"]
    return _found(
        index,
        index.say("Your property interfered with", "The victim's property interfered with")
        + f": {plural(len(ids), 'incident')}.",
        ids,
        sources.MCEWAN_2017,
    )


def at_home(seen: Seen) -> Finding | None:
    index = seen.index
    ids = [
        i.id
        for i in index.incidents
        if index.facts[i.id].at_home
        and (
            i.channel in {"in_person", "letter_or_gift", "property"}
            or {"a", "e", "g"} & set(i.acts)
        )
    ]
    return _found(
        index,
        index.say("At or by your home", "At or by the victim's home")
        + f": {plural(len(ids), 'incident')}.",
        ids,
        sources.MCFARLANE_2002,
    )


def rising_frequency(seen: Seen) -> Finding | None:
    """More frequent, more serious, or harder after a quiet period."""
    rising = []
    if seen.escalation.trend.direction == "rising":
        rising.append("more frequent")
    if seen.escalation.severity_trend.direction == "rising":
        rising.append("more serious")
    if any(lull.restart_more_intense for lull in seen.quiet.lulls):
        rising.append("harder after a quiet period")
    if not rising:
        return None
    return _found(
        seen.index,
        "It has become " + " and ".join(rising) + ".",
        seen.index.ids(seen.index.incidents),
        sources.CAIRN_OWN,
    )


def many_channels(seen: Seen) -> Finding | None:
    count = len(seen.escalation.channels)
    if count < MANY_CHANNELS:
        return None
    return _found(
        seen.index,
        f"Contact through {count} different ways.",
        seen.index.ids(seen.index.incidents),
        sources.CAIRN_OWN,
    )


def third_parties(seen: Seen) -> Finding | None:
    index = seen.index
    ids = [
        i.id for i in index.incidents if i.channel == "third_party" or index.facts[i.id].third_party
    ]
    return _found(
        index, f"Others involved in {plural(len(ids), 'incident')}.", ids, sources.CAIRN_OWN
    )


def substance_misuse(seen: Seen) -> Finding | None:
    ids = _with_fact(seen.index, "substance")
    return _found(
        seen.index,
        f"Drink or drugs mentioned in {plural(len(ids), 'incident')}.",
        ids,
        sources.MULLEN_1999,
    )


def weapons(seen: Seen) -> Finding | None:
    ids = _with_fact(seen.index, "weapon")
    return _found(
        seen.index, f"A weapon mentioned in {plural(len(ids), 'incident')}.", ids, sources.CAIRN_OWN
    )


def knows_whereabouts(seen: Seen) -> Finding | None:
    index = seen.index
    ids = [i.id for i in index.incidents if {"whereabouts", "surveillance"} & index.flags[i.id]]
    return _found(
        index,
        index.say(
            "Words about where you live, go or are, or about watching you",
            "Words about where the victim lives, goes or is, or about watching the victim",
        )
        + f", in {plural(len(ids), 'incident')}.",
        ids,
        sources.MCFARLANE_2002,
    )


def first_in_person(seen: Seen) -> Finding | None:
    """From online to the physical world (``cairn.analysis.offline``)."""
    return online_to_offline(seen.index).first_in_person


def duration_past_two_weeks(seen: Seen) -> Finding | None:
    incidents = seen.index.incidents
    if not incidents:
        return None
    span = days_between(incidents[0].start, incidents[-1].start)
    if span < 14:
        return None
    return _found(
        seen.index,
        f"It has gone on for {span / 7:.0f} weeks.",
        (incidents[0].id, incidents[-1].id),
        sources.PURCELL_2004,
    )


def lull_then_restart(seen: Seen) -> Finding | None:
    lulls = seen.quiet.lulls
    return _found(
        seen.index,
        f"It started again after {plural(len(lulls), 'quiet period')}.",
        [i for lull in lulls for i in (lull.last_before_id, lull.first_after_id)],
        sources.CAIRN_OWN,
    )


RULES: dict[str, Callable[[Seen], Finding | None]] = {
    "ex_intimate": ex_intimate,
    "explicit_threats": explicit_threats,
    "threats_to_kill": threats_to_kill,
    "prior_violence": prior_violence,
    "property_damage": property_damage,
    "at_home": at_home,
    "rising_frequency": rising_frequency,
    "many_channels": many_channels,
    "third_parties": third_parties,
    "substance_misuse": substance_misuse,
    "weapons": weapons,
    "knows_whereabouts": knows_whereabouts,
    "online_to_offline": first_in_person,
    "duration_past_two_weeks": duration_past_two_weeks,
    "lull_then_restart": lull_then_restart,
}


def seen_in_log(
    index: Index, course: CourseOfConduct, escalation: Escalation, quiet: Lulls
) -> dict[str, Finding]:
    """Each indicator the log shows, by key, with its finding."""
    seen = Seen(index, course, escalation, quiet)
    found = ((key, rule(seen)) for key, rule in RULES.items())
    return {key: finding for key, finding in found if finding is not None}
