"""The write path for cameras (DESIGN.md "Shape": services are the only writers).

The victim notes cameras that may have recorded an incident (``add_camera``), records that she
asked, or what she was told (``record_her_step``), and can hand a camera to the case her log is
shared with in one step (``hand_to_case``: if her share covers only chosen incidents and not
this one, the same step widens it by exactly this incident through
``cairn.cases.services.change_share``, so her consent changes as an entry in her ledger).

Officers of the case's unit, reading the camera through her share, record what the police did
(``record_police_step``: requested, not kept, refused) and footage collected with its
continuity (``record_collected``): who (the officer), when, from whom and how; the file is kept
byte for byte as an exhibit of her vault, linked to the incident, through
``cairn.vault.services.keep_exhibit``.

Every step is a ``CameraStatusChange`` row, an entry in her vault's ledger and an audit record
that holds ids, kinds and dates only, never what anyone typed. Refusals: ``PermissionDenied``
for someone who may not act, ``ValidationError`` naming the field for bad input (nothing is
stored).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cairn.accounts.models import User
from cairn.cameras import retention
from cairn.cameras.access import cameras_in_scope
from cairn.cameras.models import (
    SETTLED,
    UNASKED,
    Appears,
    Camera,
    CameraStatus,
    CameraStatusChange,
)
from cairn.cases import access as case_access
from cairn.cases import services as case_services
from cairn.cases.models import Case, Share, ShareScope
from cairn.vault import services as vault_services
from cairn.vault.models import Incident, Vault
from cairn.web import timeframe

TEXT_MAX = 200
NOTE_MAX = 2000
HER_STEPS = frozenset({CameraStatus.SHE_ASKED, CameraStatus.NOT_KEPT, CameraStatus.REFUSED})
POLICE_STEPS = frozenset({CameraStatus.REQUESTED, CameraStatus.NOT_KEPT, CameraStatus.REFUSED})


# --- what the ledger hashes ---------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def camera_content(camera: Camera) -> dict[str, Any]:
    """The canonical content of a camera as noted (its steps are entries of their own)."""
    return {
        "id": str(camera.pk),
        "vault": str(camera.vault_id),
        "incident": str(camera.incident_id),
        "number": camera.number,
        "kind": camera.kind,
        "kept_days": camera.kept_days,
        "appears": camera.appears,
        "owner": camera.owner,
        "place": camera.place,
        "kept_words": camera.kept_words,
    }


def change_content(change: CameraStatusChange) -> dict[str, Any]:
    exhibit = change.exhibit
    return {
        "id": str(change.pk),
        "camera": str(change.camera_id),
        "seq": change.seq,
        "status": change.status,
        "case": str(change.case_id) if change.case_id else None,
        "ask_by": change.ask_by.isoformat(),
        "in_time": change.in_time,
        "by": str(change.by_id),
        "collected_at": _iso(change.collected_at),
        "exhibit": {"id": str(exhibit.pk), "sha256": exhibit.sha256} if exhibit else None,
        "note": change.note,
        "collected_from": change.collected_from,
        "collected_how": change.collected_how,
    }


# --- the ask-by date ----------------------------------------------------------------------------


def ask_by_for(camera: Camera) -> retention.AskBy:
    """When to ask for this camera's footage, from its incident's time as it stands now."""
    incident = camera.incident
    return retention.work_out(
        camera.kind,
        incident.start,
        incident.precision,
        ZoneInfo(camera.vault.time_zone),
        camera.kept_days,
    )


def _today(vault: Vault, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(ZoneInfo(vault.time_zone)).date()


# --- her side -----------------------------------------------------------------------------------


def _clean_text(errors: dict[str, list[str]], name: str, value: str, limit: int, label: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        errors[name] = [f"{label} can be {limit} characters at most"]
    return value


def clean_camera(
    kind: str,
    owner: str = "",
    place: str = "",
    kept_days: int | None = None,
    kept_words: str = "",
    appears: str = Appears.NOT_SURE,
) -> dict[str, Any]:
    """What ``add_camera`` stores, or a ValidationError naming each field at fault."""
    errors: dict[str, list[str]] = {}
    if kind not in {k.value for k in retention.Kind}:
        errors["kind"] = ["Choose whose camera it is (" + ", ".join(retention.Kind) + ")"]
    values: dict[str, Any] = {
        "kind": kind,
        "owner": _clean_text(errors, "owner", owner, TEXT_MAX, "Whose camera it is"),
        "place": _clean_text(errors, "place", place, TEXT_MAX, "Where it is"),
        "kept_words": _clean_text(
            errors, "kept_words", kept_words, TEXT_MAX, "What you know of how long it keeps footage"
        ),
    }
    if kept_days is not None and (
        isinstance(kept_days, bool)
        or not isinstance(kept_days, int)
        or not 1 <= kept_days <= retention.MAX_KEPT_DAYS
    ):
        errors["kept_days"] = [
            f"Give the number of days as a whole number from 1 to {retention.MAX_KEPT_DAYS}"
        ]
    values["kept_days"] = kept_days
    if appears not in Appears.values:
        errors["appears"] = ["Say whether you might be in the footage (yes, no or not sure)"]
    values["appears"] = appears
    if errors:
        raise ValidationError(errors)
    return values


def add_camera(
    *,
    actor: User,
    incident: Incident,
    kind: str,
    owner: str = "",
    place: str = "",
    kept_days: int | None = None,
    kept_words: str = "",
    appears: str = Appears.NOT_SURE,
) -> Camera:
    """Note a camera that may have recorded ``incident`` (the next number in her vault)."""
    vault = incident.vault
    vault_services.require_owner(actor, vault)
    if incident.is_deleted:
        raise ValidationError({"incident": ["Choose an incident in your log"]})
    values = clean_camera(kind, owner, place, kept_days, kept_words, appears)
    with transaction.atomic():
        locked = Vault.objects.select_for_update().get(pk=vault.pk)
        last = Camera.objects.filter(vault=locked).aggregate(last=Max("number"))["last"] or 0
        camera = Camera(
            vault=locked,
            incident=incident,
            number=last + 1,
            kind=values["kind"],
            kept_days=values["kept_days"],
            appears=values["appears"],
            created_by=actor,
        )
        camera.owner, camera.place = values["owner"], values["place"]
        camera.kept_words = values["kept_words"]
        camera.save()
        vault_services.record_change(
            actor=actor,
            vault=locked,
            action="camera.added",
            obj=camera,
            content=camera_content(camera),
            detail={"number": camera.number, "kind": camera.kind, "incident": str(incident.pk)},
        )
    return camera


def _step(
    *,
    actor: User,
    camera: Camera,
    status: str,
    case: Case | None = None,
    note: str = "",
    now: datetime | None = None,
    **extra: Any,
) -> CameraStatusChange:
    """Append one step, inside the caller's transaction, with its ledger entry and audit."""
    ask = ask_by_for(camera)
    last = camera.changes.aggregate(last=Max("seq"))["last"] or 0
    change = CameraStatusChange(
        vault_id=camera.vault_id,
        camera=camera,
        seq=last + 1,
        status=status,
        case=case,
        ask_by=ask.date,
        in_time=_today(camera.vault, now) <= ask.date,
        by=actor,
        collected_at=extra.get("collected_at"),
        exhibit=extra.get("exhibit"),
    )
    change.note = note
    change.collected_from = extra.get("collected_from", "")
    change.collected_how = extra.get("collected_how", "")
    change.save()
    camera.status = status
    fields = ["status"]
    if case is not None and camera.case_id is None:
        camera.case = case
        fields.append("case")
    if extra.get("exhibit") is not None:
        camera.footage = extra["exhibit"]
        fields.append("footage")
    camera.save(update_fields=fields)
    vault_services.record_change(
        actor=actor,
        vault=camera.vault,
        action=f"camera.{status}",
        obj=change,
        content=change_content(change),
        detail={
            "camera": str(camera.pk),
            "number": camera.number,
            "status": status,
            "case": str(case.pk) if case else None,
            "ask_by": ask.date.isoformat(),
            "in_time": change.in_time,
            "exhibit": change.exhibit.reference if change.exhibit else None,
        },
    )
    return change


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [f"Keep the note under {NOTE_MAX:,} characters"]})
    return note


def record_her_step(
    *, actor: User, camera: Camera, status: str, note: str = "", now: datetime | None = None
) -> CameraStatusChange:
    """She asked for the footage herself, or was told it was not kept, or was refused."""
    vault_services.require_owner(actor, camera.vault)
    if status not in HER_STEPS:
        raise ValidationError(
            {"status": ["Choose what happened: you asked, it was not kept, or they refused"]}
        )
    note = _clean_note(note)
    with transaction.atomic():
        locked = (
            Camera.objects.select_for_update().select_related("vault", "incident").get(pk=camera.pk)
        )
        if locked.status in SETTLED:
            raise ValidationError({"status": ["This camera is settled already"]})
        if locked.status == status:
            raise ValidationError({"status": ["This is recorded already"]})
        return _step(actor=actor, camera=locked, status=status, note=note, now=now)


def case_shares(actor: User, vault: Vault) -> list[Share]:
    """Her live shares with cases: where a camera can be handed."""
    return list(
        case_access.shares_of_owner(actor, vault)
        .filter(withdrawn_at__isnull=True, case__isnull=False)
        .order_by("created_at")
    )


def hand_to_case(
    *, actor: User, camera: Camera, share: Share, now: datetime | None = None
) -> CameraStatusChange:
    """She asks the officers of the case her log is shared with to get the footage: one step.

    Her share must be live and with a case. If it covers chosen incidents only, and not this
    camera's, it is widened by exactly that incident (its exhibits go with it), through
    ``change_share``, so the widening is an entry in her ledger like any change of consent."""
    vault = camera.vault
    vault_services.require_owner(actor, vault)
    if share.vault_id != vault.pk or share.case_id is None:
        raise ValidationError({"share": ["Choose the police case your log is shared with"]})
    with transaction.atomic():
        locked_share = Share.objects.select_for_update().get(pk=share.pk)
        if locked_share.withdrawn_at is not None:
            raise ValidationError(
                {
                    "share": [
                        "You have stopped sharing your log with this case. Share it again first"
                    ]
                }
            )
        locked = (
            Camera.objects.select_for_update().select_related("vault", "incident").get(pk=camera.pk)
        )
        if locked.status not in (CameraStatus.NOT_ASKED, CameraStatus.SHE_ASKED):
            raise ValidationError(
                {"share": ["The police have this camera already, or it is settled"]}
            )
        if (
            locked_share.scope == ShareScope.CHOSEN
            and not locked_share.incidents.filter(pk=locked.incident_id).exists()
        ):
            case_services.change_share(
                actor=actor,
                share=locked_share,
                scope=ShareScope.CHOSEN,
                incident_ids=[
                    *locked_share.incidents.values_list("pk", flat=True),
                    locked.incident_id,
                ],
                exhibit_ids=list(locked_share.exhibits.values_list("pk", flat=True)),
            )
        return _step(
            actor=actor, camera=locked, status=CameraStatus.HANDED, case=locked_share.case, now=now
        )


# --- the police side ----------------------------------------------------------------------------


def _require_officer(actor: User, case: Case, camera: Camera) -> None:
    """An investigator or supervisor of the case's unit, reading this camera through the
    victim's live share with the case."""
    if not case_access.cases_readable_by(actor).filter(pk=case.pk).exists():
        raise PermissionDenied("Only the case's unit can record this")
    if not cameras_in_scope(actor, camera.vault, case).filter(pk=camera.pk).exists():
        raise PermissionDenied("This camera is not shared with this case")


def record_police_step(
    *,
    actor: User,
    case: Case,
    camera: Camera,
    status: str,
    note: str = "",
    now: datetime | None = None,
) -> CameraStatusChange:
    """The police requested the footage, or found it was not kept, or were refused."""
    _require_officer(actor, case, camera)
    if status not in POLICE_STEPS:
        raise ValidationError({"status": ["Choose requested, not kept or refused"]})
    note = _clean_note(note)
    with transaction.atomic():
        locked = (
            Camera.objects.select_for_update().select_related("vault", "incident").get(pk=camera.pk)
        )
        if locked.status == CameraStatus.COLLECTED:
            raise ValidationError({"status": ["The footage was collected already"]})
        if locked.status == status:
            raise ValidationError({"status": ["This is recorded already"]})
        return _step(actor=actor, camera=locked, status=status, case=case, note=note, now=now)


def record_collected(
    *,
    actor: User,
    case: Case,
    camera: Camera,
    collected_at: datetime,
    collected_from: str,
    stream: BinaryIO,
    file_name: str,
    collected_how: str = "",
    declared_type: str | None = None,
    now: datetime | None = None,
) -> CameraStatusChange:
    """Footage collected, with its continuity: who (``actor``), when (``collected_at``), from
    whom and how. The file becomes an exhibit of her vault, linked to the camera's incident,
    kept byte for byte with the next reference; the step names it and its SHA-256."""
    _require_officer(actor, case, camera)
    errors: dict[str, list[str]] = {}
    if collected_at is None or timezone.is_naive(collected_at):
        errors["collected_at"] = ["Enter when the footage was collected"]
    elif collected_at > (now or timezone.now()) + timeframe.FUTURE_TOLERANCE:
        errors["collected_at"] = ["The time cannot be in the future"]
    collected_from = _clean_text(
        errors, "collected_from", collected_from, TEXT_MAX, "Who it was collected from"
    )
    if not collected_from:
        errors["collected_from"] = ["Say who the footage was collected from"]
    collected_how = _clean_text(
        errors, "collected_how", collected_how, TEXT_MAX, "How it was collected"
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = (
            Camera.objects.select_for_update().select_related("vault", "incident").get(pk=camera.pk)
        )
        if locked.status == CameraStatus.COLLECTED:
            raise ValidationError({"file": ["The footage was collected already"]})
        local = collected_at.astimezone(ZoneInfo(locked.vault.time_zone))
        exhibit = vault_services.keep_exhibit(
            actor=actor,
            vault=locked.vault,
            stream=stream,
            original_name=file_name,
            declared_type=declared_type,
            incident=locked.incident,
            received_at=collected_at,
            description=(
                f"Footage from camera {locked.number}, collected by {actor} on "
                f"{local:%d %B %Y at %H:%M} from {collected_from}"
                + (f" ({collected_how})" if collected_how else "")
            ),
        )
        return _step(
            actor=actor,
            camera=locked,
            status=CameraStatus.COLLECTED,
            case=case,
            now=now,
            collected_at=collected_at,
            collected_from=collected_from,
            collected_how=collected_how,
            exhibit=exhibit,
        )


# --- when an incident is deleted ----------------------------------------------------------------


def erase_cameras_of(incident: Incident, actor: User) -> None:
    """Forget what she wrote of the cameras of a deleted incident, in the deletion's
    transaction, leaving each camera's number and an entry saying it was erased."""
    for camera in Camera.objects.filter(incident=incident, erased=False):
        camera.erase_sealed()
        camera.erased = True
        camera.save()
        for change in CameraStatusChange.objects.filter(camera=camera):
            change.erase_sealed()
            change.save()
        vault_services.record_change(
            actor=actor,
            vault=incident.vault,
            action="camera.erased",
            obj=camera,
            content={
                "id": str(camera.pk),
                "vault": str(camera.vault_id),
                "number": camera.number,
                "erased": True,
            },
            detail={"number": camera.number},
        )


def unasked_incidents(cameras: Iterable[Camera]) -> list[int]:
    """The numbers of the incidents with a camera nobody has asked for, in order."""
    return sorted({camera.incident.number for camera in cameras if camera.status in UNASKED})
