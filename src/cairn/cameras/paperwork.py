"""A camera's letters from what she chose (reads only: a letter is made, never stored)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from cairn.cameras.letters import (
    ACCESS,
    PRESERVE,
    LetterDocument,
    LetterFacts,
    access_letter,
    preserve_letter,
    when_words,
)
from cairn.cameras.models import Appears, Camera

KINDS = {"access": ACCESS, "keep": PRESERVE}
CHOICE_FIELDS = ("to", "where", "looks", "name", "reply_to", "police_reference")
CHOICE_MAX = 200


def suggestions(camera: Camera, kind: str) -> dict[str, str]:
    """What the letter form starts with, for her to keep, change or clear: whose camera it is,
    where it is (or where the incident happened), and for the request to keep footage, the
    incident's police reference."""
    incident = camera.incident
    values = {"to": camera.owner, "where": camera.place or incident.location}
    if KINDS.get(kind) == PRESERVE:
        values["police_reference"] = incident.police_reference
    return values


def letter_for(
    camera: Camera, kind: str, *, now: datetime | None = None, **choices: Any
) -> LetterDocument:
    """The letter ``kind`` ("access" or "keep") for ``camera``, holding the incident's date
    and time and only the other things given in ``choices``."""
    if kind not in KINDS:
        raise ValidationError(
            {
                "kind": [
                    "Choose the letter: access (a copy of the footage of "
                    "you) or keep (ask them to keep it)"
                ]
            }
        )
    unknown = set(choices) - set(CHOICE_FIELDS)
    if unknown:
        raise ValueError(f"unknown letter fields: {sorted(unknown)}")
    errors = {
        name: [f"Keep it under {CHOICE_MAX} characters"]
        for name, value in choices.items()
        if len(str(value or "")) > CHOICE_MAX
    }
    if errors:
        raise ValidationError(errors)
    if KINDS[kind] == ACCESS and camera.appears == Appears.NO:
        raise ValidationError(
            {
                "kind": [
                    "You said you are not in this footage, so it is not "
                    "yours to ask a copy of. Ask them to keep it instead, "
                    "or change your answer"
                ]
            }
        )
    zone = ZoneInfo(camera.vault.time_zone)
    incident = camera.incident
    moment = now or timezone.now()
    facts = LetterFacts(
        when=when_words(incident.start, incident.end, incident.precision, zone),
        **{name: str(value or "") for name, value in choices.items()},
    )
    build = access_letter if KINDS[kind] == ACCESS else preserve_letter
    return build(facts, today=moment.astimezone(zone).date(), built_at=moment)


def download_name(kind: str, now: datetime | None = None) -> str:
    """A name that says nothing of what it is about: "letter-2026-12-04.pdf"."""
    return f"letter-{timezone.localdate(now):%Y-%m-%d}.pdf"
