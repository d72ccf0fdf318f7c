"""The victim's review of unknown senders: confirmed as a person of the vault, dismissed, or
recognised as herself."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.importers.models import (
    CandidatePerson,
    CandidateStatus,
    ImportedItem,
    ProposalStatus,
    ProposedIncident,
)
from cairn.importers.records import candidate_content
from cairn.importers.services.review import dismiss
from cairn.vault import services as vault_services
from cairn.vault.choices import PersonRole, Relationship
from cairn.vault.models import Person


def _decide(actor: User, candidate: CandidatePerson) -> CandidatePerson:
    vault_services.require_owner(actor, candidate.vault)
    current = CandidatePerson.objects.select_for_update().get(pk=candidate.pk)
    if current.status != CandidateStatus.PENDING:
        raise ValidationError({"candidate": ["This person was already confirmed or dismissed"]})
    current.decided_at = timezone.now()
    current.decided_by = actor
    return current


def _dismiss_pending(actor: User, candidate: CandidatePerson, reason: str) -> int:
    pending = ProposedIncident.objects.filter(candidate=candidate, status=ProposalStatus.PROPOSED)
    count = 0
    for proposal in pending.select_related("batch").order_by("batch", "number"):
        dismiss(actor, candidate.vault, proposal, reason=reason)
        count += 1
    return count


def confirm_candidate(
    *,
    actor: User,
    candidate: CandidatePerson,
    name: str = "",
    role: str = PersonRole.SUSPECT,
    relationship: str = Relationship.UNKNOWN,
) -> Person:
    """Make an unknown sender a person of the vault, with the identifiers the export gave.

    Their items and proposals are linked to the new person. As a witness, their proposals
    still waiting are dismissed; as a suspect, incidents already accepted from their
    messages get the person added (a new revision).
    """
    vault = candidate.vault
    with transaction.atomic():
        current = _decide(actor, candidate)
        shown = current.display_name
        chosen = (name or "").strip() or shown
        person = vault_services.create_person(
            actor=actor,
            vault=vault,
            name=chosen,
            role=role,
            relationship=relationship,
            aliases=[shown] if shown and shown != chosen else [],
            identifiers=[
                vault_services.IdentifierInput(
                    kind=i["kind"], value=i["value"], platform=i.get("platform", "")
                )
                for i in current.identifiers
            ],
        )
        current.status = CandidateStatus.CONFIRMED
        current.person = person
        current.save()
        relinked = ImportedItem.objects.filter(candidate=current).update(person=person)
        ProposedIncident.objects.filter(candidate=current).update(person=person)
        revised = 0
        if role == PersonRole.WITNESS:
            _dismiss_pending(actor, current, "witness")
        else:
            revised = _add_person_to_accepted(actor, current, person)
        vault_services.record_change(
            actor=actor,
            vault=vault,
            action="import.candidate.confirmed",
            obj=current,
            content=candidate_content(current),
            detail={"items": relinked, "incidents_revised": revised, "role": role},
        )
    return person


def _add_person_to_accepted(actor: User, candidate: CandidatePerson, person: Person) -> int:
    count = 0
    accepted = ProposedIncident.objects.filter(
        candidate=candidate,
        status=ProposalStatus.ACCEPTED,
        incident__isnull=False,
        incident__deleted_at__isnull=True,
    ).select_related("incident")
    for proposal in accepted:
        incident = proposal.incident
        assert incident is not None
        data = vault_services.IncidentInput(
            start=incident.start,
            end=incident.end,
            precision=incident.precision,
            when_words=incident.when_words,
            location=incident.location,
            latitude=incident.latitude,
            longitude=incident.longitude,
            channel=incident.channel,
            acts=incident.act_codes,
            other_act=incident.other_act,
            description=incident.description,
            impact=incident.impact,
            feared_violence=incident.feared_violence,
            witnesses=incident.witnesses,
            reported_to_police=incident.reported_to_police,
            police_reference=incident.police_reference,
            persons=[*incident.persons.all(), person],
        )
        vault_services.revise_incident(actor=actor, incident=incident, data=data)
        count += 1
    return count


def dismiss_candidate(
    *, actor: User, candidate: CandidatePerson, is_me: bool = False
) -> CandidatePerson:
    """Dismiss an unknown sender (their proposals still waiting are dismissed with them).

    With ``is_me`` the sender is the victim under another name: their messages are marked
    as the victim's own, and later imports recognise them.
    """
    with transaction.atomic():
        current = _decide(actor, candidate)
        current.status = CandidateStatus.OWNER if is_me else CandidateStatus.DISMISSED
        current.save()
        if is_me:
            ImportedItem.objects.filter(candidate=current).update(is_owner=True)
        dismissed = _dismiss_pending(actor, current, "me" if is_me else "sender dismissed")
        vault_services.record_change(
            actor=actor,
            vault=candidate.vault,
            action="import.candidate.dismissed",
            obj=current,
            content=candidate_content(current),
            detail={"proposals_dismissed": dismissed, "is_me": is_me},
        )
    return current
