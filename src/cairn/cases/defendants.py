"""Whom a case is about, in each log shared with it (DESIGN.md invariant 8).

The analysis of a log is one per person (``cairn.analysis.engine.analyse_people``). A case
(its SPO application's grounds, its closure guard) reads only the analysis of its defendant:
the person the log names as doing this, alone or with the people the victim said are the same
person or acting together. When the log names one such person, that is the defendant; when it
names more, an officer chooses (``choose_defendant``, kept on the share) and until then nothing
is guessed: ``defendant_analysis`` answers None and says why.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cairn.accounts.access import CASE_ROLES, membership_of
from cairn.analysis.engine import Analysis, PeopleAnalysis
from cairn.audit import services as audit
from cairn.cases.models import Share

NOT_CHOSEN = (
    "The log names more than one person as doing this. Choose which of them the case is "
    "about before the grounds are prefilled."
)
NOBODY_NAMED = "The log names nobody as doing this, so no incident is counted against anyone."


@dataclass(frozen=True)
class Defendant:
    analysis: Analysis | None  # the defendant's analysis, or None (see ``why_not``)
    why_not: str = ""
    choices: tuple[Analysis, ...] = ()  # every person's analysis, for an officer to choose


def defendant_analysis(people: PeopleAnalysis, share: Share) -> Defendant:
    """The analysis of the person ``share``'s case is about, from that log's analyses."""
    if share.defendant_id is not None:
        chosen = people.for_person(str(share.defendant_id))
        if chosen is not None:
            return Defendant(chosen, choices=people.people)
    if len(people.people) == 1:
        return Defendant(people.people[0], choices=people.people)
    if not people.people:
        return Defendant(None, NOBODY_NAMED)
    return Defendant(None, NOT_CHOSEN, people.people)


def choose_defendant(*, actor: Any, share: Share, person_id: str) -> Share:
    """An investigator or supervisor of the case's unit records which person of the shared log
    the case is about. ``person_id`` must be a person the log names as doing this."""
    membership = membership_of(actor)
    case = share.case
    if (
        membership is None
        or membership.role not in CASE_ROLES
        or case is None
        or membership.unit_id != case.unit_id
        or share.withdrawn_at is not None
    ):
        raise PermissionDenied("Your role does not allow this")
    person = (
        share.vault.persons.filter(pk=person_id, role="suspect").first()
        if _is_uuid(person_id)
        else None
    )
    if person is None:
        raise ValidationError({"defendant": ["Choose a person the log names as doing this"]})
    with transaction.atomic():
        locked = Share.objects.select_for_update().get(pk=share.pk)
        locked.defendant = person
        locked.save(update_fields=["defendant", "changed_at"])
        audit.record(
            actor=actor,
            action="case.defendant_chosen",
            object_type="case",
            object_id=case.pk,
            vault_id=share.vault_id,
            detail={"share": str(share.pk), "person": str(person.pk)},
        )
    return locked


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
