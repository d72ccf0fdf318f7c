"""Cairn's own severity scale for one incident (sources.METHOD_SEVERITY), not validated by
research, and said so wherever a level is shown:

1 contact at a distance (messages, calls, posts, letters) < 2 approach in public (in person,
following or loitering) < 3 at home or work < 4 interference with property (s.2A(3)(f)) <
5 threats, or the victim feared violence (s.4A(1)(b)(i)) < 6 violence or a weapon.

Each incident takes the highest level it shows; the reasons say why. The scale orders how
intrusive the conduct was; it is not a risk score.
"""

from __future__ import annotations

from dataclasses import dataclass

from cairn.analysis import words
from cairn.vault.snapshot import IncidentSnapshot

LEVELS: dict[int, str] = {
    1: "Contact at a distance",
    2: "Approach in public",
    3: "At home or work",
    4: "Interference with property",
    5: "Threats or fear of violence",
    6: "Violence or a weapon",
}
PHYSICAL_CHANNELS = frozenset({"in_person", "letter_or_gift", "property"})


@dataclass(frozen=True)
class Severity:
    incident_id: str
    level: int
    label: str
    reasons: tuple[str, ...]


def severity_of(incident: IncidentSnapshot, facts: words.Facts | None = None) -> Severity:
    facts = facts or words.facts_of(incident)
    reasons = ["contact or conduct at a distance"]
    level = 1
    acts = set(incident.acts)
    physical = incident.channel == "in_person" or bool(acts & {"a", "e"})
    if physical:
        level, reasons = 2, ["in person, following or loitering"]
    if (physical or incident.channel in PHYSICAL_CHANNELS) and (facts.at_home or facts.at_work):
        level, reasons = 3, ["at or by the home or workplace"]
    if "f" in acts or incident.channel == "property":
        level, reasons = 4, ["interference with property"]
    threat = facts.threat
    if threat or incident.feared_violence:
        level = 5
        reasons = (["words of a threat"] if threat else []) + (
            ["fear of violence recorded"] if incident.feared_violence else []
        )
    if facts.violence or facts.weapon:
        level, reasons = 6, ["violence or a weapon described"]
    return Severity(incident.id, level, LEVELS[level], tuple(reasons))
