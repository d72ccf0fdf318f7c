"""Logging, revising and deleting incidents, and the canonical content their ledger entries
hash (``build_incident_content``, which ``cairn verify`` re-hashes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.law.pha1997 import UnknownActCode, parse_act_codes
from cairn.store.rows import RowWriter, insert_instances
from cairn.vault.choices import (
    Channel,
)
from cairn.vault.models import (
    Incident,
    IncidentRevision,
    Person,
    Vault,
)
from cairn.vault.services.common import Changes, lock_vault, record_change, require_owner
from cairn.vault.services.exhibits import exhibit_content
from cairn.web import timeframe

# Fields a revision may change, in the order they appear in a snapshot.
INCIDENT_FIELDS = (
    "start",
    "end",
    "precision",
    "when_words",
    "location",
    "latitude",
    "longitude",
    "channel",
    "acts",
    "other_act",
    "description",
    "impact",
    "feared_violence",
    "witnesses",
    "reported_to_police",
    "police_reference",
    "persons",
)


@dataclass
class IncidentInput:
    """What a person (or the CLI) gives to log or revise an incident. Times must be aware."""

    start: datetime | None = None
    end: datetime | None = None
    precision: str = timeframe.Precision.EXACT
    when_words: str = ""
    location: str = ""
    latitude: Decimal | str | None = None
    longitude: Decimal | str | None = None
    channel: str = ""
    acts: list[str] | str = field(default_factory=list)
    other_act: str = ""
    description: str = ""
    impact: str = ""
    feared_violence: bool = False
    witnesses: str = ""
    reported_to_police: bool = False
    police_reference: str = ""
    persons: list[Person] = field(default_factory=list)


def _clean_incident(vault: Vault, data: IncidentInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if data.start is None:
        errors["start"] = ["Enter when it happened"]
    else:
        try:
            frame = timeframe.validate(data.start, data.end, data.precision, now=timezone.now())
            values.update(start=frame.start, end=frame.end, precision=frame.precision.value)
        except timeframe.TimeframeError as exc:
            errors[exc.field] = [exc.message]
    if data.channel not in Channel.values:
        errors["channel"] = [f"Choose how it happened ({', '.join(Channel.values)})"]
    try:
        acts = parse_act_codes(data.acts)
    except UnknownActCode as exc:
        errors["acts"] = [str(exc)]
        acts = []
    if "other" in acts and not data.other_act.strip():
        errors["other_act"] = ["Say what the other act was"]
    for coordinate, bound in (("latitude", 90), ("longitude", 180)):
        raw = getattr(data, coordinate)
        if raw in (None, ""):
            values[coordinate] = None
            continue
        try:
            number = Decimal(str(raw)).quantize(Decimal("0.000001"))
        except InvalidOperation:
            errors[coordinate] = [f"The {coordinate} must be a number"]
            continue
        if not -bound <= number <= bound:
            errors[coordinate] = [f"The {coordinate} must be between -{bound} and {bound}"]
        values[coordinate] = str(number)
    if (values.get("latitude") is None) != (values.get("longitude") is None):
        errors.setdefault("longitude", ["Give both latitude and longitude, or neither"])
    if data.reported_to_police is False and data.police_reference.strip():
        errors["police_reference"] = ["A police reference means it was reported: tick reported"]
    for person in data.persons:
        if person.vault_id != vault.pk:
            errors["persons"] = ["A linked person must belong to this vault"]
    if errors:
        raise ValidationError(errors)
    values.update(
        when_words=data.when_words.strip(),
        location=data.location.strip(),
        channel=data.channel,
        acts="," + "".join(f"{code}," for code in acts),
        other_act=data.other_act.strip(),
        description=data.description.strip(),
        impact=data.impact.strip(),
        feared_violence=bool(data.feared_violence),
        witnesses=data.witnesses.strip(),
        reported_to_police=bool(data.reported_to_police),
        police_reference=data.police_reference.strip(),
    )
    return values


def incident_content(incident: Incident) -> dict[str, Any]:
    """The canonical content of an incident: what a revision snapshots and the ledger hashes."""
    return build_incident_content(
        pk=incident.pk,
        vault_id=incident.vault_id,
        number=incident.number,
        start=incident.start,
        end=incident.end,
        precision=incident.precision,
        channel=incident.channel,
        acts=incident.acts,
        text=incident.sealed_values(),
        feared_violence=incident.feared_violence,
        reported_to_police=incident.reported_to_police,
        # .all() uses a prefetch when the caller made one (verification, snapshots).
        person_ids=[person.pk for person in incident.persons.all()],
    )


# The sealed fields of an incident and their values when nothing is stored (as on the model).
_INCIDENT_TEXT = {
    "when_words": "",
    "location": "",
    "latitude": None,
    "longitude": None,
    "other_act": "",
    "description": "",
    "impact": "",
    "witnesses": "",
    "police_reference": "",
}


def build_incident_content(
    *,
    pk: object,
    vault_id: object,
    number: int,
    start: datetime,
    end: datetime | None,
    precision: str,
    channel: str,
    acts: str,
    text: Mapping[str, Any],
    feared_violence: bool,
    reported_to_police: bool,
    person_ids: Iterable[object],
) -> dict[str, Any]:
    """``incident_content`` from plain values: for readers of many rows at once (verify)."""

    def iso(value: datetime | None) -> str | None:
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None

    sealed = {name: text.get(name, default) for name, default in _INCIDENT_TEXT.items()}
    return {
        "id": str(pk),
        "vault": str(vault_id),
        "number": number,
        "start": iso(start),
        "end": iso(end),
        "precision": precision,
        "when_words": sealed["when_words"],
        "location": sealed["location"],
        "latitude": sealed["latitude"],
        "longitude": sealed["longitude"],
        "channel": channel,
        "acts": [code for code in acts.split(",") if code],
        "other_act": sealed["other_act"],
        "description": sealed["description"],
        "impact": sealed["impact"],
        "feared_violence": feared_violence,
        "witnesses": sealed["witnesses"],
        "reported_to_police": reported_to_police,
        "police_reference": sealed["police_reference"],
        "persons": sorted(str(person_id) for person_id in person_ids),
    }


def tombstone_content(incident: Incident) -> dict[str, Any]:
    """What remains of a deleted incident, and what its deletion entry hashes."""
    return build_tombstone_content(
        pk=incident.pk,
        vault_id=incident.vault_id,
        number=incident.number,
        revision=incident.revision,
    )


def build_tombstone_content(
    *, pk: object, vault_id: object, number: int, revision: int
) -> dict[str, Any]:
    return {
        "id": str(pk),
        "vault": str(vault_id),
        "number": number,
        "deleted": True,
        "revisions": revision,
    }


def log_incident(*, actor: User, vault: Vault, data: IncidentInput) -> Incident:
    require_owner(actor, vault)
    values = _clean_incident(vault, data)
    with transaction.atomic():
        locked = lock_vault(vault)
        locked.last_incident_number += 1
        locked.save(update_fields=["last_incident_number"])
        incident = Incident(vault=locked, number=locked.last_incident_number, recorded_by=actor)
        for name, value in values.items():
            setattr(incident, name, value)
        incident.save()
        if data.persons:
            incident.persons.set(data.persons)
        content = incident_content(incident)
        _save_revision(incident, number=1, content=content, changed=[], actor=actor)
        record_change(
            actor=actor,
            vault=locked,
            action="incident.created",
            obj=incident,
            content=content,
            detail={"revision": 1},
            extra={"revision": 1},
        )
    vault.last_incident_number = locked.last_incident_number
    return incident


def log_incidents(
    *,
    actor: User,
    vault: Vault,
    data: Sequence[IncidentInput],
    changes: Changes,
    then: Callable[[int, Incident], None] | None = None,
) -> list[Incident]:
    """``log_incident`` for many at once, in the caller's transaction: the same incidents,
    revisions, audit records and ledger entries (added to ``changes``, which the caller
    writes), inserted in bulk. ``then(i, incident)`` runs after the i-th incident's change is
    added, so a caller's own changes to it follow it in the ledger as they would one by one.
    Any bad input raises before anything is written."""
    require_owner(actor, vault)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_incidents runs inside the caller's transaction")
    cleaned = [_clean_incident(vault, one) for one in data]
    locked = lock_vault(vault)
    incidents: list[Incident] = []
    for values in cleaned:
        locked.last_incident_number += 1
        incident = Incident(vault=locked, number=locked.last_incident_number, recorded_by=actor)
        for name, value in values.items():
            setattr(incident, name, value)
        incident.reseal()
        incidents.append(incident)
    locked.save(update_fields=["last_incident_number"])
    insert_instances(Incident, incidents)
    links = RowWriter(Incident.persons.through, ["incident", "person"])
    for incident, one in zip(incidents, data, strict=True):
        for person_id in {person.pk for person in one.persons}:
            links.add((incident.pk, person_id))
    links.flush()
    revisions = []
    for incident, one in zip(incidents, data, strict=True):
        content = build_incident_content(
            pk=incident.pk,
            vault_id=incident.vault_id,
            number=incident.number,
            start=incident.start,
            end=incident.end,
            precision=incident.precision,
            channel=incident.channel,
            acts=incident.acts,
            text=incident.sealed_values(),
            feared_violence=incident.feared_violence,
            reported_to_police=incident.reported_to_police,
            person_ids={person.pk for person in one.persons},
        )
        revision = IncidentRevision(
            vault_id=incident.vault_id,
            incident=incident,
            number=1,
            changed_fields=[],
            created_by=actor,
        )
        revision.content = content
        revision.reseal()
        revisions.append(revision)
        changes.add(
            action="incident.created",
            obj=incident,
            content=content,
            detail={"revision": 1},
            extra={"revision": 1},
        )
        if then is not None:
            then(len(revisions) - 1, incident)
    insert_instances(IncidentRevision, revisions)
    vault.last_incident_number = locked.last_incident_number
    return incidents


def revise_incident(*, actor: User, incident: Incident, data: IncidentInput) -> Incident:
    """Save a new revision. Earlier revisions stay as they were (DESIGN.md invariant 2)."""
    vault = incident.vault
    require_owner(actor, vault)
    values = _clean_incident(vault, data)
    with transaction.atomic():
        current = Incident.objects.select_for_update().get(pk=incident.pk)
        if current.is_deleted:
            raise ValidationError("A deleted incident cannot be changed")
        before = incident_content(current)
        for name, value in values.items():
            setattr(current, name, value)
        current.save()
        current.persons.set(data.persons)
        after = incident_content(current)
        changed = [name for name in INCIDENT_FIELDS if before.get(name) != after.get(name)]
        if not changed:
            return current
        current.revision += 1
        current.save(update_fields=["revision"])
        _save_revision(
            current, number=current.revision, content=after, changed=changed, actor=actor
        )
        record_change(
            actor=actor,
            vault=vault,
            action="incident.revised",
            obj=current,
            content=after,
            detail={"revision": current.revision, "fields": changed},
            extra={"revision": current.revision},
        )
    return current


def _save_revision(
    incident: Incident, *, number: int, content: dict[str, Any], changed: list[str], actor: User
) -> IncidentRevision:
    revision = IncidentRevision(
        vault_id=incident.vault_id,
        incident=incident,
        number=number,
        changed_fields=changed,
        created_by=actor,
    )
    revision.content = content
    revision.save()
    return revision


def delete_incident(*, actor: User, incident: Incident) -> Incident:
    """Delete an incident, leaving a tombstone.

    The content (the row's text and every revision's snapshot) is erased, because a victim
    who deletes something may need it gone; the row, its number and the revision count stay,
    so that the deletion itself is on the record. Exhibits are kept and unlinked.
    """
    vault = incident.vault
    require_owner(actor, vault)
    with transaction.atomic():
        current = Incident.objects.select_for_update().get(pk=incident.pk)
        if current.is_deleted:
            return current
        current.deleted_at = timezone.now()
        current.deleted_by = actor
        current.erase_sealed()
        current.save()
        current.persons.clear()
        for exhibit in current.exhibits.all():
            exhibit.incident = None
            exhibit.save(update_fields=["incident"])
            record_change(
                actor=actor,
                vault=vault,
                action="exhibit.detached",
                obj=exhibit,
                content=exhibit_content(exhibit),
            )
        for revision in current.revisions.all():
            revision.erase_sealed()
            revision.erased = True
            revision.save()
        record_change(
            actor=actor,
            vault=vault,
            action="incident.deleted",
            obj=current,
            content=tombstone_content(current),
            detail={"revisions_erased": current.revision},
        )
    return current
