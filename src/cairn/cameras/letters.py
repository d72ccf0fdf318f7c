"""The two letters for a camera's owner, as pure documents (no Django, no database).

- ``access_letter``: a request for a copy of the recordings in which she appears, under UK GDPR
  Article 15 (the right of access). The controller must answer without undue delay and within
  one month (Article 12(3)), free of charge (Article 12(5)); destroying or hiding data to stop
  her getting it is an offence (Data Protection Act 2018, s.173). As the ICO's guidance on the
  right of access and on home CCTV says, a request needs no form and no special words, only
  enough to find the footage: the date, the time and the place, and what she looked like.
- ``preserve_letter``: a short request to keep the footage until the police collect it, asking
  the controller to restrict it (keep it, use it for nothing else) under Article 18(1)(c).

Each holds only what she chose for it (``LetterFacts``): the incident's date and time (always:
without them nobody can find footage), and the place, her name, how to reply, what she looked
like, the police reference and the addressee only if she gave them. An empty name, reply
address or addressee is printed as a line to fill in by hand. Nothing else from her log, no
word of what happened, and no mention of Cairn or of stalking, is in either letter.

``render`` lays a letter out as PDF/A with ``letter.typ`` through the pack's child-process Typst
(``cairn.packs.pdf``, ADR 0016), so her words are only ever JSON strings, never Typst markup.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

TEMPLATE = Path(__file__).with_name("letter.typ")
ACCESS, PRESERVE = "access", "preserve"
ICO_CONTACT = "ico.org.uk, telephone 0303 123 1113"


def _day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


@dataclass(frozen=True)
class When:
    """The incident's time as a letter asks for footage of it: a clause ("on Wednesday 2
    December 2026 at about 14:30") and, when needed, a sentence on how exactly it is known."""

    clause: str
    note: str = ""


def when_words(start: datetime, end: datetime | None, precision: str, zone: ZoneInfo) -> When:
    """Honest about how exactly the time is known, and wide enough for a camera's clock that
    is a little out."""
    local = start.astimezone(zone)
    local_end = end.astimezone(zone) if end is not None else None
    if precision == "overnight":
        last = local_end or local + timedelta(hours=15)
        return When(
            f"overnight, from {local:%H:%M} on {_day(local.date())} to "
            f"{last:%H:%M} on {_day(last.date())}"
        )
    if precision == "day":
        return When(
            f"on {_day(local.date())}",
            "I do not know the exact time, so please look at the whole day.",
        )
    if precision == "unknown":
        return When(
            f"on or around {_day(local.date())}",
            "I am not sure of the exact day, so please look at the days around it too.",
        )
    if precision == "hour":
        return When(
            f"on {_day(local.date())}, between about {local:%H}:00 and "
            f"{(local + timedelta(hours=1)):%H}:00"
        )
    clause = f"on {_day(local.date())} at about {local:%H:%M}"
    if local_end is not None and local_end > local:
        clause += (
            f" until about {local_end:%H:%M}"
            if local_end.date() == local.date()
            else f" until about {local_end:%H:%M} on {_day(local_end.date())}"
        )
    return When(clause, "Please include the half hour either side, in case your clock differs.")


@dataclass(frozen=True)
class LetterFacts:
    """What she chose to put in a letter. Empty strings are left out (or, for the
    addressee, her name and her reply address, printed as a line to fill in by hand)."""

    when: When
    where: str = ""
    to: str = ""
    name: str = ""
    reply_to: str = ""
    looks: str = ""  # what she looked like, to help them find her
    police_reference: str = ""


@dataclass  # not frozen: cairn.packs.pdf.Renderable wants a plain built_at
class LetterDocument:
    kind: str  # ACCESS or PRESERVE
    title: str
    to: str
    dated: str
    subject: str
    paragraphs: tuple[str, ...]
    rights_heading: str
    rights: tuple[str, ...]
    closing: tuple[str, ...]
    name: str
    reply_to: str
    built_at: datetime

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["built_at"] = self.built_at.isoformat()
        return data


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def _recordings(facts: LetterFacts) -> str:
    where = _clean(facts.where)
    return (
        f"the recordings your camera made at {where}, "
        if where
        else "the recordings your camera made, "
    )


def access_letter(facts: LetterFacts, *, today: date, built_at: datetime) -> LetterDocument:
    """Her request for a copy of the recordings of her (UK GDPR Article 15)."""
    paragraphs = [
        "I am asking for a copy of "
        + _recordings(facts)
        + facts.when.clause
        + ". "
        + (facts.when.note + " " if facts.when.note else "")
        + "I am in these recordings. "
        "This is a request under Article 15 of the UK General Data Protection Regulation: the "
        "right of access to my personal data.",
    ]
    looks = _clean(facts.looks)
    if looks:
        paragraphs.append(f"To help you find me: {looks}.")
    paragraphs.append(
        "Please send me a copy of the footage, or tell me when I can collect it or view it."
    )
    rights = (
        "You must reply without undue delay, and at the latest within one month of receiving "
        "this request (Article 12(3)). You can take up to two months more only if the request "
        "is complex, and you must tell me so within the first month.",
        "You cannot charge a fee for this request (Article 12(5)).",
        "You may blur or remove other people in the copy, to protect their privacy.",
        "Please keep the recordings while this request is open. Deleting, changing or hiding "
        "them to stop me getting them is an offence (Data Protection Act 2018, section 173).",
        "If I am not satisfied with your answer, I can complain to the Information "
        f"Commissioner's Office ({ICO_CONTACT}).",
    )
    closing = (
        "If you are not the right person to deal with this, please pass this letter to "
        "whoever is responsible for the cameras.",
        "Thank you.",
    )
    return LetterDocument(
        kind=ACCESS,
        title="Request for a copy of recordings of me",
        to=_clean(facts.to),
        dated=f"{today.day} {today:%B %Y}",
        subject="Request for a copy of recordings of me (right of access, UK GDPR Article 15)",
        paragraphs=tuple(paragraphs),
        rights_heading="What the law says",
        rights=rights,
        closing=closing,
        name=_clean(facts.name),
        reply_to=_clean(facts.reply_to),
        built_at=built_at,
    )


def preserve_letter(facts: LetterFacts, *, today: date, built_at: datetime) -> LetterDocument:
    """Her short request to keep the footage until the police collect it."""
    paragraphs = [
        "Please keep " + _recordings(facts) + facts.when.clause + ", and do not delete or "
        "record over them until the police collect them."
        + (" " + facts.when.note if facts.when.note else ""),
    ]
    reference = _clean(facts.police_reference)
    if reference:
        paragraphs.append(f"The police reference is {reference}.")
    paragraphs.append(
        "Under Article 18(1)(c) of the UK General Data Protection Regulation I "
        "ask you to restrict this footage: keep it, and do not use it for "
        "anything else, because I need it to establish, exercise or defend "
        "legal claims."
    )
    return LetterDocument(
        kind=PRESERVE,
        title="Request to keep recordings",
        to=_clean(facts.to),
        dated=f"{today.day} {today:%B %Y}",
        subject="Please keep your recordings",
        paragraphs=tuple(paragraphs),
        rights_heading="",
        rights=(),
        closing=("Please reply to tell me that you have kept them. Thank you.",),
        name=_clean(facts.name),
        reply_to=_clean(facts.reply_to),
        built_at=built_at,
    )


def render(document: LetterDocument) -> bytes:
    """The letter's PDF/A-2b bytes (raises ``cairn.packs.pdf.PdfError``)."""
    from cairn.packs.pdf import render_pdf

    return render_pdf(document, template=TEMPLATE)
