"""A first draft of the victim's statement, written from her log (pure: no Django).

A witness statement is in the witness's own words, first person, in time order, and refers to
exhibits by their references (law.md, "Evidence handling"). An officer takes it on the
police's own form, which carries the declaration she signs; Cairn can save her the first
draft, and only she can make it true. So the draft:
- says at the top, plainly, that it is a draft for her to correct, and that a draft given to
  the police may be disclosed to the defence;
- holds only her own words and the facts she recorded: her descriptions, impacts, places and
  witnesses exactly as she wrote them (white space aside), and, in plain first-person
  framing, what she recorded as facts (when, that she reported it, which exhibit shows it);
- never words a feeling or a judgement for her: a box she ticked (she feared violence) is a
  prompt in square brackets for her to answer in her own words, not a sentence of Cairn's;
- leaves prompts in square brackets where only she can fill the gap;
- never carries the form's declaration, nor a signature line: nobody signs for her.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cairn.vault.snapshot import ExhibitSnapshot, IncidentSnapshot, VaultSnapshot
from cairn.web.timeframe import Precision

HEADING = "DRAFT STATEMENT \u2013 for you to correct. Not signed."
GUIDANCE = (
    "Cairn drafted this from your log, using only your own words and what you recorded. Read "
    "every line. Change anything that is wrong or not how you would say it, add what is "
    "missing, and take out anything you do not want to say. Replace the parts in square "
    "brackets. This is not a signed statement: an officer will take your statement with you "
    "on the police's own form, and you sign that, not this."
)
DISCLOSURE = (
    "If you give this draft to the police, or put it in an evidence pack, it may be shown to "
    "the defence, and any difference between it and the statement you sign may be asked "
    "about in court."
)
FEARED_VIOLENCE = (
    "[You noted that you feared violence would be used against you. If that is right, say "
    "here in your own words what you feared, and why.]"
)
CLOSING = (
    "[Add anything else you want to say: for example how all of this has affected you, your "
    "family and your work, and what you are afraid might happen.]"
)
RELATIONSHIP_WORDS = {
    "ex_partner": "my ex-partner",
    "ex_colleague": "who I used to work with",
    "colleague": "who I work with",
    "acquaintance": "who I know",
    "neighbour": "my neighbour",
    "stranger": "who I did not know before this started",
}
# A sentence the victim began with one of these words reads on after a comma in lower case;
# anything else (a name, "I") keeps its capital.
_LOWER_AFTER_COMMA = frozenset(
    {
        "a",
        "after",
        "again",
        "all",
        "also",
        "an",
        "another",
        "as",
        "at",
        "because",
        "before",
        "both",
        "during",
        "eight",
        "every",
        "five",
        "four",
        "from",
        "he",
        "her",
        "his",
        "in",
        "it",
        "later",
        "my",
        "near",
        "nine",
        "no",
        "nobody",
        "on",
        "once",
        "one",
        "our",
        "outside",
        "several",
        "she",
        "six",
        "some",
        "someone",
        "somebody",
        "ten",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "three",
        "twice",
        "two",
        "we",
        "when",
        "while",
    }
)


_PLACE_WORDS = frozenset(
    {
        "across",
        "along",
        "around",
        "at",
        "behind",
        "beside",
        "between",
        "by",
        "from",
        "in",
        "inside",
        "near",
        "next",
        "on",
        "opposite",
        "outside",
        "over",
        "under",
    }
)


def draft_statement(snapshot: VaultSnapshot) -> str:
    """The draft narrative for ``snapshot``'s incidents, oldest first, as plain text with a
    blank line between paragraphs. The same snapshot always gives the same text."""
    zone = _zone(snapshot.time_zone)
    incidents = sorted(snapshot.incidents, key=lambda i: (i.start, i.number, i.id))
    exhibits = {e.id: e for e in snapshot.exhibits}
    paragraphs = [HEADING, GUIDANCE, DISCLOSURE, _opening(snapshot, incidents)]
    paragraphs.extend(_incident(i, exhibits, zone) for i in incidents)
    loose = [e for e in snapshot.exhibits if e.incident_id is None]
    if loose:
        paragraphs.append(f"I have also exhibited {_list(map(_exhibit, loose))}.")
    paragraphs.append(CLOSING)
    return "\n\n".join(paragraphs) + "\n"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/London")


def _day(value: datetime) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _opening(snapshot: VaultSnapshot, incidents: list[IncidentSnapshot]) -> str:
    about = []
    for person in snapshot.suspects():
        words = RELATIONSHIP_WORDS.get(person.relationship)
        about.append(f"{person.name}, {words}," if words else person.name)
    if not incidents:
        return "[Nothing is logged yet. Say who this statement is about and what happened.]"
    if about:
        return "This statement is about " + _list(about).rstrip(",") + "."
    return "This statement is about [say who is doing this, and how you know them]."


def _when(incident: IncidentSnapshot, zone: ZoneInfo) -> str:
    start = incident.start.astimezone(zone)
    end = incident.end.astimezone(zone) if incident.end is not None else None
    kind = Precision(incident.precision)
    if kind is Precision.OVERNIGHT:
        return f"Overnight from {_day(start)} to {_day(end or start)}"
    if kind is Precision.DAY:
        return f"On {_day(start)}"
    if kind is Precision.HOUR:
        return f"On {_day(start)} at around {start:%H}:00"
    if kind is Precision.UNKNOWN:
        if end is not None and end.date() != start.date():
            return f"At a time I am not sure of, between {_day(start)} and {_day(end)}"
        return f"At a time I am not sure of, around {_day(start)}"
    if end is not None and end != start:
        if end.date() == start.date():
            return f"On {_day(start)} between about {start:%H:%M} and {end:%H:%M}"
        return f"From {_day(start)} at about {start:%H:%M} to {_day(end)} at {end:%H:%M}"
    return f"On {_day(start)} at about {start:%H:%M}"


def _continue(text: str) -> str:
    """``text`` as it reads after a comma: "He followed me" -> "he followed me"."""
    first, _, rest = text.partition(" ")
    capitalised = first[:1].isupper() and first[1:] == first[1:].lower()
    if capitalised and first.lower() in _LOWER_AFTER_COMMA:
        return f"{first.lower()} {rest}".rstrip()
    return text


def _words(text: str) -> str:
    """Her words as she wrote them, on one line (line breaks and runs of spaces joined)."""
    return " ".join(text.split())


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?", "\u201d", '"', ")")) else text + "."


def _incident(
    incident: IncidentSnapshot, exhibits: dict[str, ExhibitSnapshot], zone: ZoneInfo
) -> str:
    """One incident: when and where (her words for both), then what she wrote, as she wrote
    it; then the facts she recorded about it."""
    lead = _when(incident, zone)
    if incident.when_words.strip():
        lead += f" ({_words(incident.when_words)})"
    location = _words(incident.location)
    if location:
        # "Outside my house" reads on as it is; "The Red Lion" becomes "at the Red Lion".
        place = _continue(location)
        at = "" if place.partition(" ")[0].lower() in _PLACE_WORDS else "at "
        lead += f", {at}{place}"
    description = _words(incident.description)
    # Her text keeps its words and capitals; only a closing full stop is added where she left
    # none, so that the next sentence does not run into it.
    parts = [_sentence(lead), _sentence(description) if description else "[Say what happened.]"]
    if incident.impact.strip():
        parts.append(_sentence(incident.impact))
    if incident.feared_violence:
        parts.append(FEARED_VIOLENCE)
    if incident.witnesses.strip():
        parts.append(f"Witnesses I noted: {_sentence(incident.witnesses)}")
    if incident.reported_to_police or incident.police_reference.strip():
        reference = incident.police_reference.strip()
        parts.append(
            f"I reported this to the police (reference {reference})."
            if reference
            else "I reported this to the police."
        )
    mine = [exhibits[e] for e in incident.exhibit_ids if e in exhibits]
    if mine:
        parts.append(f"I have exhibited this as {_list(map(_exhibit, mine))}.")
    return " ".join(parts)


def _exhibit(exhibit: ExhibitSnapshot) -> str:
    description = " ".join(exhibit.description.split()).rstrip(".")
    return f"{exhibit.reference} ({description or _kind(exhibit)})"


def _kind(exhibit: ExhibitSnapshot) -> str:
    family = exhibit.media_type.partition("/")[0]
    return {
        "image": "a picture",
        "video": "a video",
        "audio": "a recording",
        "text": "a document",
    }.get(family, "a file")


def _list(items: Iterable[str]) -> str:
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
