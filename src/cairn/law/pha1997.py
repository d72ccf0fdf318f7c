"""Protection from Harassment Act 1997 (England and Wales).

s.2A(3) lists acts or omissions "associated with stalking". The list is illustrative, not
closed, so ``other`` carries any further act the victim links to the stalking. The codes
``a``-``g`` follow the paragraph letters of s.2A(3) and are used everywhere: incidents,
analysis and packs.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE_S2A_3 = "Protection from Harassment Act 1997, s.2A(3)"
LEGISLATION_URL = "https://www.legislation.gov.uk/ukpga/1997/40/section/2A"


@dataclass(frozen=True)
class StalkingAct:
    code: str
    label: str
    plain: str  # how the victim reads it on the form
    source: str = SOURCE_S2A_3


ACTS: tuple[StalkingAct, ...] = (
    StalkingAct("a", "following a person", "Followed me"),
    StalkingAct(
        "b",
        "contacting, or attempting to contact, a person by any means",
        "Contacted me or tried to",
    ),
    StalkingAct(
        "c",
        "publishing any statement or material relating or purporting to relate to a "
        "person, or purporting to originate from a person",
        "Posted or published something about me, or pretending to be me",
    ),
    StalkingAct(
        "d",
        "monitoring the use by a person of the internet, email or any other form of "
        "electronic communication",
        "Monitored my phone, internet or accounts",
    ),
    StalkingAct(
        "e", "loitering in any place (whether public or private)", "Hung around somewhere I was"
    ),
    StalkingAct(
        "f",
        "interfering with any property in the possession of a person",
        "Interfered with or damaged my things",
    ),
    StalkingAct("g", "watching or spying on a person", "Watched or spied on me"),
    StalkingAct("other", "any other act the victim links to the stalking", "Something else"),
)

ACT_CODES: tuple[str, ...] = tuple(act.code for act in ACTS)
ACTS_BY_CODE: dict[str, StalkingAct] = {act.code: act for act in ACTS}


class UnknownActCode(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown act code {code!r}: use {', '.join(ACT_CODES)} ({SOURCE_S2A_3})")
        self.code = code


def parse_act_codes(raw: str | list[str] | tuple[str, ...]) -> list[str]:
    """Turn ``"a,b"`` or ``["b", "a"]`` into a sorted, de-duplicated list of known codes.

    Raises UnknownActCode naming the first code that is not in s.2A(3) or ``other``.
    """
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    codes = {item.strip().lower() for item in items if item and item.strip()}
    for code in sorted(codes):
        if code not in ACTS_BY_CODE:
            raise UnknownActCode(code)
    return [code for code in ACT_CODES if code in codes]
