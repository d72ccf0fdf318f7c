"""The only write path for a vault (DESIGN.md "Shape").

Every function here takes the acting user as ``actor``, checks that they may make the change,
validates, runs in one transaction, stores the change and records it through
``_record_change``: the single place where the audit record and the tamper-evident ledger
entry are written. Bad input raises ``django.core.exceptions.ValidationError`` with a message
per field and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from cairn.audit import services as audit
from cairn.law.pha1997 import UnknownActCode, parse_act_codes
from cairn.ledger import log as ledger
from cairn.store import keys
from cairn.store.blobs import EmptyFile, StoreError, TooLarge, default_store
from cairn.store.rows import RowWriter, insert_instances
from cairn.store.sealed import forget_quotes
from cairn.vault.choices import (
    Channel,
    CombinedAs,
    ExhibitSource,
    IdentifierKind,
    PersonRole,
    Relationship,
)
from cairn.vault.models import (
    Exhibit,
    Incident,
    IncidentRevision,
    Person,
    PersonIdentifier,
    Vault,
)
from cairn.web import media, timeframe

# Fields a revision may change, in the order they appear in a snapshot.
INCIDENT_FIELDS = (
    "start", "end", "precision", "when_words", "location", "latitude", "longitude", "channel",
    "acts", "other_act", "description", "impact", "feared_violence", "witnesses",
    "reported_to_police", "police_reference", "persons",
)


def _record_change(*, actor: Any, vault: Vault, action: str, obj: Any,
                   content: Mapping[str, Any] | None = None,
                   detail: dict[str, Any] | None = None,
                   extra: dict[str, Any] | None = None) -> None:
    """Record one change: its audit record and its ledger entry, in the caller's transaction.

    ``content`` is the canonical content of the object after the change; the ledger entry
    holds its SHA-256, never the content. ``detail`` is what the audit record may hold (never
    vault content); ``extra`` adds structural fields to the ledger entry (a revision number).
    """
    object_type = type(obj).__name__.lower()
    audit.record(actor=actor, action=action, object_type=object_type, object_id=obj.pk,
                 vault_id=vault.pk, detail=detail)
    ledger.append(vault=vault, actor=actor, kind=action, object_type=object_type,
                  object_id=obj.pk, content=content, extra=extra)


# Other apps' services (imports, analysis answers, sharing) record their changes through
# this same function, so every write of every kind lands in the audit trail and the ledger.
record_change = _record_change


class Changes:
    """Changes recorded in order and written together: the same audit records and ledger
    entries as ``record_change`` once for each, in one insert per 500 rows and one ledger
    update (for services that change many objects at once: accepting an import). Call
    ``write`` inside the transaction that made the changes."""

    def __init__(self, *, actor: Any, vault: Vault) -> None:
        self.actor = actor
        self.vault = vault
        self._audits: list[tuple[Any, str, str, object, object, dict[str, Any]]] = []
        self._entries: list[ledger.Change] = []

    def add(self, *, action: str, obj: Any, content: Mapping[str, Any] | None = None,
            detail: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> None:
        object_type = type(obj).__name__.lower()
        self._audits.append((self.actor, action, object_type, obj.pk, self.vault.pk,
                             detail or {}))
        self._entries.append(ledger.Change(actor_id=str(self.actor.pk), kind=action,
                                           object_type=object_type, object_id=obj.pk,
                                           content=content, extra=extra))

    def write(self) -> None:
        audit.record_many(self._audits)
        ledger.append_many(vault=self.vault, changes=self._entries)
        self._audits, self._entries = [], []


def require_owner(actor: Any, vault: Vault) -> None:
    _require_owner(actor, vault)


def _require_owner(actor: Any, vault: Vault) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or vault.owner_id != actor.pk:
        raise PermissionDenied("Only the vault's owner can change it")


# --- vaults -------------------------------------------------------------------------------

def create_vault(*, actor: Any, name: str, initials: str, time_zone: str = "Europe/London",
                 owner: Any = None) -> Vault:
    owner = owner or actor
    if owner.pk != actor.pk and not actor.is_superuser:
        raise PermissionDenied("A vault can only be created for yourself")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    initials = (initials or "").strip().upper()
    if not name:
        errors["name"] = ["Enter a name for the vault"]
    if not (1 <= len(initials) <= 4 and initials.isalpha()):
        errors["initials"] = ["Initials must be 1 to 4 letters, for example AB"]
    try:
        timeframe.zone(time_zone)
    except timeframe.TimeframeError as exc:
        errors["time_zone"] = [exc.message]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        vault = Vault.objects.create(owner=owner, name=name, initials=initials,
                                     time_zone=time_zone)
        keys.create_vault_key(vault)
        ledger.start(vault)
        _record_change(actor=actor, vault=vault, action="vault.created", obj=vault,
                       content={"id": str(vault.pk), "initials": initials,
                                "time_zone": time_zone, "jurisdiction": vault.jurisdiction})
    return vault


def destroy_vault(*, actor: Any, vault: Vault) -> None:
    """Crypto-shred a vault: record the destruction in its ledger, then destroy its data key.

    Every file and sealed field of the vault stays on disk and in backups as ciphertext that
    nobody can decrypt any more. The rows that carry no content (numbers, dates, act codes,
    digests) and the ledger remain, so the record of what existed, and that it was destroyed,
    stays verifiable. What a case quotes from the vault (an SPO application's grounds) was
    sealed under a key derived from the vault's too: it is re-sealed without the quotation
    first, and older copies of it become unreadable with the key (ADR 0044).
    """
    _require_owner(actor, vault)
    with transaction.atomic():
        locked = _lock_vault(vault)
        _record_change(actor=actor, vault=locked, action="vault.destroyed", obj=locked,
                       content=None, detail={})
        forget_quotes(locked.pk)
        keys.destroy(locked)


def _lock_vault(vault: Vault) -> Vault:
    """Re-read the vault under a row lock so per-vault counters never hand out a number twice."""
    return Vault.objects.select_for_update().get(pk=vault.pk)


# --- incidents ----------------------------------------------------------------------------

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
        when_words=data.when_words.strip(), location=data.location.strip(), channel=data.channel,
        acts="," + "".join(f"{code}," for code in acts), other_act=data.other_act.strip(),
        description=data.description.strip(), impact=data.impact.strip(),
        feared_violence=bool(data.feared_violence), witnesses=data.witnesses.strip(),
        reported_to_police=bool(data.reported_to_police),
        police_reference=data.police_reference.strip(),
    )
    return values


def incident_content(incident: Incident) -> dict[str, Any]:
    """The canonical content of an incident: what a revision snapshots and the ledger hashes."""
    return build_incident_content(
        pk=incident.pk, vault_id=incident.vault_id, number=incident.number,
        start=incident.start, end=incident.end, precision=incident.precision,
        channel=incident.channel, acts=incident.acts, text=incident.sealed_values(),
        feared_violence=incident.feared_violence,
        reported_to_police=incident.reported_to_police,
        # .all() uses a prefetch when the caller made one (verification, snapshots).
        person_ids=[person.pk for person in incident.persons.all()])


# The sealed fields of an incident and their values when nothing is stored (as on the model).
_INCIDENT_TEXT = {"when_words": "", "location": "", "latitude": None, "longitude": None,
                  "other_act": "", "description": "", "impact": "", "witnesses": "",
                  "police_reference": ""}


def build_incident_content(*, pk: object, vault_id: object, number: int, start: datetime,
                           end: datetime | None, precision: str, channel: str, acts: str,
                           text: Mapping[str, Any], feared_violence: bool,
                           reported_to_police: bool, person_ids: Iterable[object],
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
    return build_tombstone_content(pk=incident.pk, vault_id=incident.vault_id,
                                   number=incident.number, revision=incident.revision)


def build_tombstone_content(*, pk: object, vault_id: object, number: int,
                            revision: int) -> dict[str, Any]:
    return {"id": str(pk), "vault": str(vault_id), "number": number, "deleted": True,
            "revisions": revision}


def log_incident(*, actor: Any, vault: Vault, data: IncidentInput) -> Incident:
    _require_owner(actor, vault)
    values = _clean_incident(vault, data)
    with transaction.atomic():
        locked = _lock_vault(vault)
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
        _record_change(actor=actor, vault=locked, action="incident.created", obj=incident,
                       content=content, detail={"revision": 1}, extra={"revision": 1})
    vault.last_incident_number = locked.last_incident_number
    return incident


def log_incidents(*, actor: Any, vault: Vault, data: Sequence[IncidentInput],
                  changes: Changes, then: Callable[[int, Incident], None] | None = None,
                  ) -> list[Incident]:
    """``log_incident`` for many at once, in the caller's transaction: the same incidents,
    revisions, audit records and ledger entries (added to ``changes``, which the caller
    writes), inserted in bulk. ``then(i, incident)`` runs after the i-th incident's change is
    added, so a caller's own changes to it follow it in the ledger as they would one by one.
    Any bad input raises before anything is written."""
    _require_owner(actor, vault)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_incidents runs inside the caller's transaction")
    cleaned = [_clean_incident(vault, one) for one in data]
    locked = _lock_vault(vault)
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
            pk=incident.pk, vault_id=incident.vault_id, number=incident.number,
            start=incident.start, end=incident.end, precision=incident.precision,
            channel=incident.channel, acts=incident.acts, text=incident.sealed_values(),
            feared_violence=incident.feared_violence,
            reported_to_police=incident.reported_to_police,
            person_ids={person.pk for person in one.persons})
        revision = IncidentRevision(vault_id=incident.vault_id, incident=incident, number=1,
                                    changed_fields=[], created_by=actor)
        revision.content = content
        revision.reseal()
        revisions.append(revision)
        changes.add(action="incident.created", obj=incident, content=content,
                    detail={"revision": 1}, extra={"revision": 1})
        if then is not None:
            then(len(revisions) - 1, incident)
    insert_instances(IncidentRevision, revisions)
    vault.last_incident_number = locked.last_incident_number
    return incidents


def revise_incident(*, actor: Any, incident: Incident, data: IncidentInput) -> Incident:
    """Save a new revision. Earlier revisions stay as they were (DESIGN.md invariant 2)."""
    vault = incident.vault
    _require_owner(actor, vault)
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
        _save_revision(current, number=current.revision, content=after, changed=changed,
                       actor=actor)
        _record_change(actor=actor, vault=vault, action="incident.revised", obj=current,
                       content=after, detail={"revision": current.revision, "fields": changed},
                       extra={"revision": current.revision})
    return current


def _save_revision(incident: Incident, *, number: int, content: dict[str, Any],
                   changed: list[str], actor: Any) -> IncidentRevision:
    revision = IncidentRevision(vault_id=incident.vault_id, incident=incident, number=number,
                                changed_fields=changed, created_by=actor)
    revision.content = content
    revision.save()
    return revision


def delete_incident(*, actor: Any, incident: Incident) -> Incident:
    """Delete an incident, leaving a tombstone.

    The content (the row's text and every revision's snapshot) is erased, because a victim
    who deletes something may need it gone; the row, its number and the revision count stay,
    so that the deletion itself is on the record. Exhibits are kept and unlinked.
    """
    vault = incident.vault
    _require_owner(actor, vault)
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
            _record_change(actor=actor, vault=vault, action="exhibit.detached", obj=exhibit,
                           content=exhibit_content(exhibit))
        for revision in current.revisions.all():
            revision.erase_sealed()
            revision.erased = True
            revision.save()
        _record_change(actor=actor, vault=vault, action="incident.deleted", obj=current,
                       content=tombstone_content(current),
                       detail={"revisions_erased": current.revision})
    return current


# --- exhibits -----------------------------------------------------------------------------

def add_exhibit(*, actor: Any, vault: Vault, stream: BinaryIO, original_name: str,
                declared_type: str | None = None, incident: Incident | None = None,
                source: str = ExhibitSource.UPLOAD, description: str = "",
                captured_at: datetime | None = None,
                received_at: datetime | None = None, derived_from: Exhibit | None = None,
                derivation: Mapping[str, Any] | None = None) -> Exhibit:
    """Keep a file byte for byte and give it the next reference (``XX/n``).

    Refuses an empty file, a file over the size limit, and content that contradicts the
    type its name or uploader claims. Capture and receipt times are kept only when known:
    never filled in with the upload time. A derived copy (``cairn.vault.redaction``) names
    its original and how it was made; its ledger entry is ``exhibit.derived``.
    """
    _require_owner(actor, vault)
    return keep_exhibit(actor=actor, vault=vault, stream=stream, original_name=original_name,
                        declared_type=declared_type, incident=incident, source=source,
                        description=description, captured_at=captured_at,
                        received_at=received_at, derived_from=derived_from,
                        derivation=derivation)


def keep_exhibit(*, actor: Any, vault: Vault, stream: BinaryIO, original_name: str,
                 declared_type: str | None = None, incident: Incident | None = None,
                 source: str = ExhibitSource.UPLOAD, description: str = "",
                 captured_at: datetime | None = None,
                 received_at: datetime | None = None, derived_from: Exhibit | None = None,
                 derivation: Mapping[str, Any] | None = None) -> Exhibit:
    """``add_exhibit`` without its owner check, for a service of a higher layer that checked
    the actor's authority itself: an officer keeping footage collected for a case the vault is
    shared with, through the victim's consent (``cairn.cameras.services``). All else is the
    same: the file byte for byte, the next reference, the ledger entry and audit record."""
    if derived_from is not None and (derived_from.vault_id != vault.pk or not derivation):
        raise ValidationError({"derived_from": ["A copy is made from an exhibit in this vault, "
                                                "and says how"]})
    original_name = (original_name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not original_name:
        raise ValidationError({"file": ["The file needs a name"]})
    if incident is not None and (incident.vault_id != vault.pk or incident.is_deleted):
        raise ValidationError({"incident": ["Choose an incident in this vault"]})
    if source not in ExhibitSource.values:
        raise ValidationError({"source": ["Unknown source"]})
    for name, value in (("captured_at", captured_at), ("received_at", received_at)):
        if value is not None and timezone.is_naive(value):
            raise ValidationError({name: ["The time needs a time zone"]})
        if value is not None and value > timezone.now() + timeframe.FUTURE_TOLERANCE:
            raise ValidationError({name: ["The time cannot be in the future"]})

    store = default_store()
    namespace = str(vault.pk)
    try:
        blob = store.put(namespace, stream, max_bytes=settings.CAIRN_MAX_UPLOAD_BYTES)
    except EmptyFile:
        raise ValidationError({"file": ["The selected file is empty"]}) from None
    except TooLarge as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    except StoreError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    try:
        media_type = media.detect(blob.head, original_name, declared_type)
        with transaction.atomic():
            locked = _lock_vault(vault)
            locked.last_exhibit_number += 1
            locked.save(update_fields=["last_exhibit_number"])
            number = locked.last_exhibit_number
            exhibit = Exhibit(
                vault=locked, incident=incident, number=number,
                reference=f"{locked.initials}/{number}", media_type=media_type,
                size=blob.size, sha256=blob.sha256, source=source, captured_at=captured_at,
                received_at=received_at, added_by=actor,
            )
            exhibit.original_name = original_name
            exhibit.description = description.strip()
            detail: dict[str, Any] = {"reference": exhibit.reference, "size": blob.size}
            if derived_from is not None:
                exhibit.derived_from = derived_from
                exhibit.derivation = dict(derivation or {})
                detail.update(derived_from=derived_from.reference,
                              method=exhibit.derivation.get("method"))
            exhibit.save()
            _record_change(actor=actor, vault=locked,
                           action="exhibit.derived" if derived_from else "exhibit.added",
                           obj=exhibit, content=exhibit_content(exhibit), detail=detail)
    except media.ContentMismatch as exc:
        _discard_blob(vault, blob.sha256, blob.created)
        raise ValidationError({"file": [str(exc)]}) from None
    except BaseException:
        _discard_blob(vault, blob.sha256, blob.created)
        raise
    vault.last_exhibit_number = number
    return exhibit


def exhibit_content(exhibit: Exhibit) -> dict[str, Any]:
    """The canonical content of an exhibit, which its ledger entries hash.

    A derived copy adds what it was made from (the original's id and SHA-256) and how; an
    exhibit that is not a copy has exactly the keys it always had, so every existing entry
    still verifies.
    """
    def iso(value: datetime | None) -> str | None:
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None

    content: dict[str, Any] = {
        "id": str(exhibit.pk), "vault": str(exhibit.vault_id), "reference": exhibit.reference,
        "incident": str(exhibit.incident_id) if exhibit.incident_id else None,
        "original_name": exhibit.original_name, "media_type": exhibit.media_type,
        "size": exhibit.size, "sha256": exhibit.sha256, "source": exhibit.source,
        "description": exhibit.description, "captured_at": iso(exhibit.captured_at),
        "received_at": iso(exhibit.received_at),
    }
    if exhibit.derived_from_id is not None:
        # The original is protected from deletion, so it is always there to name.
        content["derived_from"] = {"id": str(exhibit.derived_from_id),
                                   "sha256": exhibit.derived_from.sha256}
        content["derivation"] = exhibit.derivation
    return content


def _discard_blob(vault: Vault, sha256: str, created: bool) -> None:
    """Undo a file write whose database change failed, unless another exhibit shares it."""
    if created and not Exhibit.objects.filter(vault=vault, sha256=sha256).exists():
        default_store().delete(str(vault.pk), sha256)


def attach_exhibit(*, actor: Any, exhibit: Exhibit, incident: Incident | None) -> Exhibit:
    vault = exhibit.vault
    _require_owner(actor, vault)
    if incident is not None and (incident.vault_id != vault.pk or incident.is_deleted):
        raise ValidationError({"incident": ["Choose an incident in this vault"]})
    with transaction.atomic():
        exhibit.incident = incident
        exhibit.save(update_fields=["incident"])
        _record_change(actor=actor, vault=vault, action="exhibit.attached", obj=exhibit,
                       content=exhibit_content(exhibit))
    return exhibit


# --- persons ------------------------------------------------------------------------------

@dataclass
class IdentifierInput:
    kind: str
    value: str
    platform: str = ""


def normalise_identifier(kind: str, value: str, *, region: str = "GB") -> str:
    """Normalise an identifier so the same one written two ways compares equal.

    Phone numbers become E.164 (``phonenumbers``, default region GB); e-mail addresses are
    lower-cased; handles lose a leading ``@`` and are lower-cased; vehicle registrations lose
    spaces and are upper-cased. Raises ValueError with a plain message when it is not valid.
    """
    value = (value or "").strip()
    if not value:
        raise ValueError("Enter a value")
    if kind == IdentifierKind.PHONE:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            raise ValueError("Enter a phone number, like 07700 900123 or +44 7700 900123") from None
        if not phonenumbers.is_possible_number(number):
            raise ValueError("This phone number has the wrong number of digits")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == IdentifierKind.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError("Enter an e-mail address, like name@example.com") from None
        return value.lower()
    if kind == IdentifierKind.HANDLE:
        handle = value.lstrip("@").strip().lower()
        if not handle or any(ch.isspace() for ch in handle):
            raise ValueError("A handle has no spaces, like @name")
        return handle
    if kind == IdentifierKind.VEHICLE:
        registration = "".join(value.split()).upper()
        if not registration.isalnum() or not 2 <= len(registration) <= 10:
            raise ValueError("Enter a registration of letters and numbers, like AB12 CDE")
        return registration
    raise ValueError(f"Unknown identifier kind {kind!r}")


def _clean_person(
    name: str, role: str, relationship: str, aliases: Iterable[str],
    identifiers: Iterable[IdentifierInput],
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Enter a name, or how you refer to them (for example 'unknown man')"]
    if role not in PersonRole.values:
        errors["role"] = [f"Choose a role ({', '.join(PersonRole.values)})"]
    if relationship not in Relationship.values:
        errors["relationship"] = [f"Choose a relationship ({', '.join(Relationship.values)})"]
    cleaned_ids: list[dict[str, str]] = []
    for index, item in enumerate(identifiers, start=1):
        if item.kind not in IdentifierKind.values:
            errors[f"identifier_{index}"] = [f"Unknown identifier kind {item.kind!r}"]
            continue
        try:
            value = normalise_identifier(item.kind, item.value)
        except ValueError as exc:
            errors[f"identifier_{index}"] = [str(exc)]
            continue
        entry = {"kind": item.kind, "value": value, "platform": item.platform.strip().lower()}
        if entry not in cleaned_ids:
            cleaned_ids.append(entry)
    if errors:
        raise ValidationError(errors)
    clean_aliases = sorted({alias.strip() for alias in aliases if alias and alias.strip()})
    cleaned_ids.sort(key=lambda entry: (entry["kind"], entry["value"], entry["platform"]))
    return {"name": name, "role": role, "relationship": relationship,
            "aliases": clean_aliases}, cleaned_ids


def person_content(person: Person) -> dict[str, Any]:
    content = {
        "id": str(person.pk), "vault": str(person.vault_id), "role": person.role,
        "name": person.name, "aliases": list(person.aliases),
        "relationship": person.relationship, "notes": person.notes,
        "identifiers": sorted(({"kind": i.kind, "value": i.value, "platform": i.platform}
                               for i in person.identifiers.all()),
                              key=lambda i: (i["kind"], i["value"], i["platform"])),
    }
    # Only when she said so, so the content of every other person hashes as it always did.
    if person.combined_with_id is not None:
        content["combined_with"] = str(person.combined_with_id)
        content["combined_as"] = person.combined_as
    return content


def _apply_person(person: Person, values: dict[str, Any], notes: str) -> None:
    for key, value in values.items():
        setattr(person, key, value)
    person.notes = notes.strip()
    person.save()


def identifier_lookup(vault_id: object, kind: str, value: str) -> str:
    """The keyed hash under which a normalised identifier is matched within a vault."""
    return keys.blind_index(vault_id, f"{kind}\x00{value}")


def _save_identifiers(person: Person, cleaned_ids: list[dict[str, str]]) -> None:
    for entry in cleaned_ids:
        identifier = PersonIdentifier(vault_id=person.vault_id, person=person, kind=entry["kind"],
                                      lookup=identifier_lookup(person.vault_id, entry["kind"],
                                                               entry["value"]))
        identifier.value = entry["value"]
        identifier.platform = entry["platform"]
        identifier.save()


def create_person(*, actor: Any, vault: Vault, name: str, role: str = PersonRole.SUSPECT,
                  relationship: str = Relationship.UNKNOWN, aliases: Iterable[str] = (),
                  identifiers: Iterable[IdentifierInput] = (), notes: str = "") -> Person:
    _require_owner(actor, vault)
    values, cleaned_ids = _clean_person(name, role, relationship, aliases, identifiers)
    with transaction.atomic():
        person = Person(vault=vault)
        _apply_person(person, values, notes)
        _save_identifiers(person, cleaned_ids)
        _record_change(actor=actor, vault=vault, action="person.created", obj=person,
                       content=person_content(person),
                       detail={"identifiers": len(cleaned_ids)})
    return person


def update_person(*, actor: Any, person: Person, name: str, role: str, relationship: str,
                  aliases: Iterable[str] = (), identifiers: Iterable[IdentifierInput] = (),
                  notes: str = "") -> Person:
    vault = person.vault
    _require_owner(actor, vault)
    values, cleaned_ids = _clean_person(name, role, relationship, aliases, identifiers)
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        _apply_person(current, values, notes)
        current.identifiers.all().delete()
        _save_identifiers(current, cleaned_ids)
        _record_change(actor=actor, vault=vault, action="person.changed", obj=current,
                       content=person_content(current),
                       detail={"identifiers": len(cleaned_ids)})
    return current


def combine_persons(*, actor: Any, person: Person, other: Person, how: str) -> Person:
    """The victim says ``person`` is the same person as ``other``, or that they act together
    (PHA 1997 s.7(3A)): from now on the analysis takes their conduct as one. Both must be
    people of her vault named as doing this. One ledger entry (``person.changed``)."""
    vault = person.vault
    _require_owner(actor, vault)
    if how not in CombinedAs.values:
        raise ValidationError({"how": ["Choose whether they are the same person or acting "
                                       "together"]})
    if other.vault_id != vault.pk:
        raise ValidationError({"other": ["Choose a person from this log"]})
    if other.pk == person.pk:
        raise ValidationError({"other": ["Choose another person"]})
    if person.role != PersonRole.SUSPECT or other.role != PersonRole.SUSPECT:
        raise ValidationError({"other": ["Both must be people you named as doing this"]})
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        current.combined_with = other
        current.combined_as = how
        current.save(update_fields=["combined_with", "combined_as", "updated_at"])
        _record_change(actor=actor, vault=vault, action="person.changed", obj=current,
                       content=person_content(current),
                       detail={"combined": how})
    return current


def separate_person(*, actor: Any, person: Person) -> Person:
    """Withdraw what she said about ``person`` belonging with another: analysed alone again
    (unless another person still points to them)."""
    vault = person.vault
    _require_owner(actor, vault)
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        if current.combined_with_id is None:
            raise ValidationError({"other": ["This person is not put together with anyone"]})
        current.combined_with = None
        current.combined_as = ""
        current.save(update_fields=["combined_with", "combined_as", "updated_at"])
        _record_change(actor=actor, vault=vault, action="person.changed", obj=current,
                       content=person_content(current), detail={"combined": ""})
    return current
