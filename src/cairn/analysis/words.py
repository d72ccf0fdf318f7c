"""What the victim's own words say, found by plain word patterns.

Patterns only point at incidents worth a look; every match is shown with the incident it came
from, so a person can check it. They run on the description, the victim's note of the other act
and, for s.4A effects, on what changed in her life (``impact``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cairn.flags import threats
from cairn.vault.snapshot import IncidentSnapshot


class Rule:
    """Alternative phrases, each starting at a word boundary, matched on lower-case text.

    Python's regular expressions try every position of a text, which is slow over thousands
    of incidents; so each phrase's literal start (its "stem") is looked for first with a plain
    substring test, and the expression runs only on texts that hold one of the stems.
    """

    def __init__(self, *alternatives: str, stems: tuple[str, ...] = ()) -> None:
        self.pattern = re.compile(r"\b(?:" + "|".join(alternatives) + r")")
        found = list(stems) or [_stem(a) for a in alternatives]
        self.stems: tuple[str, ...] | None = None if "" in found else tuple(sorted(set(found)))
        # Does the text hold any stem? One expression of the literal stems answers it in C.
        self._screen = (
            None if self.stems is None else re.compile("|".join(map(re.escape, self.stems)))
        )

    def search(self, lowered: str) -> re.Match[str] | None:
        if self._screen is not None and self._screen.search(lowered) is None:
            return None
        return self.pattern.search(lowered)


def _stem(alternative: str) -> str:
    """The literal characters an alternative must start with ("" when it starts with a group)."""
    out: list[str] = []
    for char in alternative:
        if char in "?*{":
            return "".join(out[:-1])
        if char in "()[]|.\\+^$":
            break
        out.append(char)
    return "".join(out)


def _any(*alternatives: str, stems: tuple[str, ...] = ()) -> Rule:
    """A rule; ``stems`` must be given when an alternative starts with a group."""
    return Rule(*alternatives, stems=stems)


# The victim made clear the contact was unwanted (FOUR: unwanted).
UNWANTED = _any(
    r"told (?:him|her|them) to stop",
    r"asked (?:him|her|them) to stop",
    r"said no\b",
    r"leave me alone",
    r"stop contacting",
    r"not interested",
    r"blocked",
    r"block(?:ing)? (?:him|her|them)",
    r"did not reply",
    r"didn't reply",
    r"did not answer",
    r"didn't answer",
    r"declined",
    r"ignored (?:him|her|them|it)",
    r"reported (?:it|the account|him|her|them)",
    r"told (?:him|her|them) (?:i|to)\b",
)
# Words of a threat, and of a threat to kill: cairn.flags.threats, the one threat reading that
# the Flags page, risk, the threshold and the severity scale share (ADR 0023).

VIOLENCE = _any(
    r"hit me",
    r"punched",
    r"slapped",
    r"kicked me",
    r"pushed me",
    r"shoved me",
    r"grabbed (?:me|my)",
    r"assault",
    r"attacked",
    r"strangl",
    r"choked",
    r"throttl",
    r"injur",
    r"bruis",
)
WEAPON = _any(
    r"knife",
    r"knives",
    r"gun\b",
    r"firearm",
    r"weapon",
    r"blade",
    r"acid",
    r"machete",
    r"crossbow",
    r"axe\b",
)
SUBSTANCE = _any(
    r"drunk",
    r"alcohol",
    r"drugs?\b",
    r"high on",
    r"cocaine",
    r"smelled of drink",
    r"smelt of drink",
    r"wasted",
    r"intoxicated",
)
THIRD_PARTY = _any(
    r"(?:contact|messag|call|rang|ring|sent|email|e-mail|wrote|follow request|turned up)\w*\b"
    r"[^.]{0,40}\b(?:to )?my (?:friends?|family|colleagues?|mother|mum|father|dad|sister|"
    r"brother|manager|employer|boss|children|kids|son|daughter|neighbours?|partner)",
    r"through (?:my|a|his|her) (?:friend|family|colleague|sister|brother|mother)",
    r"asked (?:my|a) (?:friend|colleague|neighbour)",
    stems=("my ", "through ", "asked "),
)

# Places, read from the location the victim gave.
HOME = _any(
    r"(?:my|our) (?:home|house|flat|door|street|garden|drive|driveway|road)\b",
    r"front door",
    r"doorstep",
    r"letterbox",
    r"at home\b",
    stems=("my ", "our ", "front door", "doorstep", "letterbox", "at home"),
)
WORK = _any(
    r"office",
    r"workplace",
    r"(?:my|at|to) work\b",
    r"reception",
    r"post room",
    stems=("office", "work", "reception", "post room"),
)


@dataclass(frozen=True)
class Effect:
    """A kind of change to usual day-to-day activities (s.4A(1)(b)(ii))."""

    key: str
    label: str
    pattern: Rule


EFFECTS: tuple[Effect, ...] = (
    Effect(
        "home",
        "Moved home, or changed how the home is kept safe",
        _any(
            r"moved (?:home|house|out)",
            r"mov(?:e|ing) house",
            r"door chain",
            r"doorbell camera",
            r"new locks",
            r"changed the locks",
            r"alarm fitted",
            r"stay(?:ing|ed)? with",
        ),
    ),
    Effect(
        "work",
        "Changed work",
        _any(
            r"work from home",
            r"moved my desk",
            r"desk (?:away|moved)",
            r"changed (?:my )?job",
            r"left my job",
            r"quit my job",
            r"time off work",
            r"signed off",
            r"late for work",
            r"rang work",
        ),
    ),
    Effect(
        "route",
        "Changed route or way of travelling",
        _any(
            r"stopped (?:using|taking)",
            r"changed (?:my )?route",
            r"different route",
            r"switched",
            r"walk ten minutes",
            r"drive to work",
            r"only park",
            r"the stop i",
            r"bus stop i",
        ),
    ),
    Effect(
        "going_out",
        "Stopped going out, or going out alone",
        _any(
            r"stopped going out",
            r"do not (?:go|walk) (?:out|anywhere)",
            r"don't (?:go|walk) (?:out|anywhere)",
            r"not been (?:to|out)",
            r"insists on driving",
            r"on my own",
        ),
    ),
    Effect(
        "health",
        "Sleep, health or wellbeing affected",
        _any(
            r"sleep",
            r"exhausted",
            r"felt sick",
            r"shaking",
            r"anxi",
            r"panic",
            r"doctor",
            r"counsell",
        ),
    ),
    Effect(
        "phone",
        "Changed phone habits, number or accounts",
        _any(
            r"changed my number",
            r"new number",
            r"phone by the bed",
            r"switched my phone",
            r"deleted my account",
            r"private account",
            r"save everything",
        ),
    ),
)


@dataclass(frozen=True)
class Facts:
    """What the words of one incident show, found once and shared by every rule."""

    unwanted: bool
    threat: bool
    threat_to_kill: bool
    violence: bool
    weapon: bool
    substance: bool
    third_party: bool
    at_home: bool
    at_work: bool
    effects: tuple[str, ...]


def text_of(incident: IncidentSnapshot) -> str:
    return f"{incident.description}\n{incident.other_act}".lower()


def facts_of(incident: IncidentSnapshot, threat: threats.Reading | None = None) -> Facts:
    """The facts of an incident's words; ``threat``, when given, is the threat reading of the
    same words (``threats.reading_of`` over a pass that read other flags too)."""
    text = text_of(incident)
    place = incident.location.lower()
    impact = incident.impact.lower()
    if threat is None:
        threat = threats.read(text)
    return Facts(
        unwanted=bool(UNWANTED.search(text)),
        threat=threat.present,
        threat_to_kill=threat.to_kill,
        violence=bool(VIOLENCE.search(text)),
        weapon=bool(WEAPON.search(text)),
        substance=bool(SUBSTANCE.search(text)),
        third_party=bool(THIRD_PARTY.search(text)),
        at_home=bool(HOME.search(place)),
        at_work=bool(WORK.search(place)),
        effects=tuple(e.key for e in EFFECTS if e.pattern.search(impact)) if impact.strip() else (),
    )


def says(rule: Rule, incident: IncidentSnapshot) -> bool:
    return bool(rule.search(text_of(incident)))
