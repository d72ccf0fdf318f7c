"""What would strengthen the evidence against the order threshold, one rule each: a witness,
camera footage, screenshots, a person linked, a report, the effect on the victim. Each returns
a ``Suggestion`` citing the incidents it is about, or None when nothing is missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from cairn.analysis.base import Index, plural
from cairn.analysis.labels import ONLINE_CHANNELS

CCTV_KEPT_DAYS = 30  # footage is typically kept for about a month


@dataclass(frozen=True)
class Suggestion:
    text: str
    incident_ids: tuple[str, ...]
    key: str = ""  # which suggestion ("cctv", "witness"...), for pages that link from it


def witness(index: Index) -> Suggestion | None:
    """In-person incidents with nobody else there named as a witness."""
    unseen = [
        i.id
        for i in index.incidents
        if i.channel == "in_person"
        and not i.witnesses.strip()
        and not any(p not in index.suspect_ids for p in i.person_ids)
    ]
    if not unseen:
        return None
    return Suggestion(
        f"Nobody is named as a witness to {plural(len(unseen), 'in-person incident')}. "
        + index.say(
            "If anyone saw what happened, ask them to write down what they saw, with the date.",
            "Ask the victim whether anyone saw what happened, and take their account.",
        ),
        index.ordered(unseen),
        "witness",
    )


def cctv(index: Index) -> Suggestion | None:
    """Recent incidents in places a camera may have seen, while footage may still be kept."""
    cutoff = index.now - timedelta(days=CCTV_KEPT_DAYS)
    recent = [
        i.id
        for i in index.incidents
        if i.start >= cutoff
        and (
            i.channel in {"in_person", "property", "letter_or_gift"}
            or {"a", "e", "f", "g"} & set(i.acts)
        )
    ]
    if not recent:
        return None
    return Suggestion(
        "Cameras may have recorded these recent incidents. CCTV and doorbell footage is "
        f"often kept for only about {CCTV_KEPT_DAYS} days: "
        + index.say("ask the police to request it now.", "request it now."),
        index.ordered(recent),
        "cctv",
    )


def screenshots(index: Index) -> Suggestion | None:
    """Messages and calls with no file kept."""
    bare = [i.id for i in index.incidents if i.channel in ONLINE_CHANNELS and not i.exhibit_ids]
    if not bare:
        return None
    return Suggestion(
        f"{plural(len(bare), 'message or call has', 'messages or calls have')} no file kept. "
        + index.say(
            "Add screenshots that show the sender's number or account, the date and the time.",
            "Screenshots that show the sender's number or account, the date and the time "
            "would help.",
        ),
        index.ordered(bare),
        "screenshots",
    )


def link_person(index: Index) -> Suggestion | None:
    """Incidents with nobody linked as the person doing this."""
    unattributed = [i.id for i in index.incidents if not set(i.person_ids) & set(index.suspect_ids)]
    if not unattributed:
        return None
    return Suggestion(
        f"{plural(len(unattributed), 'incident has', 'incidents have')} nobody linked as the "
        "person doing this. "
        + index.say(
            "Link them if you know, and say how you know.",
            "Ask the victim whether she knows who it was, and how she knows.",
        ),
        index.ordered(unattributed),
        "link_person",
    )


def report(index: Index) -> Suggestion | None:
    """Incidents of feared violence or touched property not marked as reported."""
    unreported = [
        i.id
        for i in index.incidents
        if not i.reported_to_police
        and not i.police_reference.strip()
        and (i.feared_violence or "f" in i.acts)
    ]
    if not unreported:
        return None
    return Suggestion(
        index.say(
            "Some incidents where you feared violence or your property was touched are not "
            "marked as reported. Reporting them gives the police a reference for each.",
            "Some incidents where the victim recorded fear of violence or interference "
            "with property are not marked as reported: each needs a police reference.",
        ),
        index.ordered(unreported),
        "report",
    )


def impact(index: Index) -> Suggestion | None:
    """Incidents of feared violence with no effect on her life written down."""
    no_impact = [i.id for i in index.incidents if i.feared_violence and not i.impact.strip()]
    if not no_impact:
        return None
    return Suggestion(
        index.say(
            "Write down what you changed in your life because of these incidents (for "
            "example your route, your work or going out): it is evidence of the effect "
            "on you.",
            "The victim has not recorded what she changed in her life because of these "
            "incidents (for example her route, her work or going out); her statement can "
            "cover it.",
        ),
        index.ordered(no_impact),
        "impact",
    )


RULES: tuple[Callable[[Index], Suggestion | None], ...] = (
    witness,
    cctv,
    screenshots,
    link_person,
    report,
    impact,
)


def suggestions(index: Index) -> dict[str, Suggestion]:
    """Every suggestion that applies, by key."""
    found = (rule(index) for rule in RULES)
    return {tip.key: tip for tip in found if tip is not None}
