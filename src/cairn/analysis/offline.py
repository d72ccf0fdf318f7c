"""From online to the physical world: when contact that was only at a distance (messages,
calls, posts) reaches the victim's real life. Two signs, each citing its incidents:

- words showing knowledge of where she lives, goes or is, or claims of watching or tracking
  her, in an incident that came at a distance (the threat flags ``whereabouts`` and
  ``surveillance``, cairn/flags/rules/);
- the first incident in person (or at her home, car or belongings, or a letter or gift left
  for her) after a period when every incident came at a distance.

Contact that moves offline is what the victim and the police most need to see. Treating the
move as a sign worth showing is Cairn's own rule, not validated by research (research.md).
Pure: works on the analysis ``Index``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cairn.analysis import sources
from cairn.analysis.base import Finding, Index, days_between, plural

PHYSICAL = frozenset({"in_person", "letter_or_gift", "property"})
KNOWLEDGE_FLAGS = frozenset({"whereabouts", "surveillance"})
MIN_ONLINE_DAYS = 7  # an "online-only period": at least a week of contact at a distance
MIN_ONLINE_INCIDENTS = 2


@dataclass(frozen=True)
class Offline:
    knowledge: Finding | None  # words showing knowledge of her whereabouts, at a distance
    first_in_person: Finding | None  # the first physical incident after online-only contact

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in (self.knowledge, self.first_in_person) if f is not None)


def online_to_offline(index: Index) -> Offline:
    incidents = index.incidents
    flags = index.flags
    knowing = [
        i.id
        for i in incidents
        if i.channel not in PHYSICAL and KNOWLEDGE_FLAGS & flags.get(i.id, frozenset())
    ]
    knowledge = None
    if knowing:
        knowledge = index.find(
            index.say(
                "Words showing knowledge of where you live, go or are, or claims of watching you",
                "Words showing knowledge of where the victim lives, goes or is, or claims "
                "of watching the victim",
            )
            + f", in {plural(len(knowing), 'incident')} that came at a distance.",
            knowing,
            sources.CAIRN_OWN,
        )
    first_in_person = None
    position = next((n for n, i in enumerate(incidents) if i.channel in PHYSICAL), None)
    if position is not None and position >= MIN_ONLINE_INCIDENTS:
        before = incidents[:position]
        span = days_between(before[0].start, incidents[position].start)
        if span >= MIN_ONLINE_DAYS:
            first = incidents[position]
            length = plural(int(span), "day") if span < 14 else f"{span / 7:.0f} weeks"
            first_in_person = index.find(
                f"After {length} when everything came at a distance "
                f"({plural(len(before), 'incident')}), incident {first.number} happened in "
                "the physical world: the contact moved offline.",
                (before[0].id, before[-1].id, first.id),
                sources.CAIRN_OWN,
            )
    return Offline(knowledge, first_in_person)
