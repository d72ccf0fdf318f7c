"""Keeping exhibits (the file in the content-addressed store, the row and the ledger entry)
and attaching them to incidents."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.store.blobs import EmptyFile, Readable, StoreError, TooLarge, default_store
from cairn.vault.choices import (
    ExhibitSource,
)
from cairn.vault.models import (
    Exhibit,
    Incident,
    Vault,
)
from cairn.vault.services.common import lock_vault, record_change, require_owner
from cairn.web import media, timeframe


def add_exhibit(
    *,
    actor: User,
    vault: Vault,
    stream: Readable,
    original_name: str,
    declared_type: str | None = None,
    incident: Incident | None = None,
    source: str = ExhibitSource.UPLOAD,
    description: str = "",
    captured_at: datetime | None = None,
    received_at: datetime | None = None,
    derived_from: Exhibit | None = None,
    derivation: Mapping[str, Any] | None = None,
) -> Exhibit:
    """Keep a file byte for byte and give it the next reference (``XX/n``).

    Refuses an empty file, a file over the size limit, and content that contradicts the
    type its name or uploader claims. Capture and receipt times are kept only when known:
    never filled in with the upload time. A derived copy (``cairn.vault.redaction``) names
    its original and how it was made; its ledger entry is ``exhibit.derived``.
    """
    require_owner(actor, vault)
    return keep_exhibit(
        actor=actor,
        vault=vault,
        stream=stream,
        original_name=original_name,
        declared_type=declared_type,
        incident=incident,
        source=source,
        description=description,
        captured_at=captured_at,
        received_at=received_at,
        derived_from=derived_from,
        derivation=derivation,
    )


def keep_exhibit(
    *,
    actor: User,
    vault: Vault,
    stream: Readable,
    original_name: str,
    declared_type: str | None = None,
    incident: Incident | None = None,
    source: str = ExhibitSource.UPLOAD,
    description: str = "",
    captured_at: datetime | None = None,
    received_at: datetime | None = None,
    derived_from: Exhibit | None = None,
    derivation: Mapping[str, Any] | None = None,
) -> Exhibit:
    """``add_exhibit`` without its owner check, for a service of a higher layer that checked
    the actor's authority itself: an officer keeping footage collected for a case the vault is
    shared with, through the victim's consent (``cairn.cameras.services``). All else is the
    same: the file byte for byte, the next reference, the ledger entry and audit record."""
    if derived_from is not None and (derived_from.vault_id != vault.pk or not derivation):
        raise ValidationError(
            {"derived_from": ["A copy is made from an exhibit in this vault, and says how"]}
        )
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
            locked = lock_vault(vault)
            locked.last_exhibit_number += 1
            locked.save(update_fields=["last_exhibit_number"])
            number = locked.last_exhibit_number
            exhibit = Exhibit(
                vault=locked,
                incident=incident,
                number=number,
                reference=f"{locked.initials}/{number}",
                media_type=media_type,
                size=blob.size,
                sha256=blob.sha256,
                source=source,
                captured_at=captured_at,
                received_at=received_at,
                added_by=actor,
            )
            exhibit.original_name = original_name
            exhibit.description = description.strip()
            detail: dict[str, Any] = {"reference": exhibit.reference, "size": blob.size}
            if derived_from is not None:
                exhibit.derived_from = derived_from
                exhibit.derivation = dict(derivation or {})
                detail.update(
                    derived_from=derived_from.reference, method=exhibit.derivation.get("method")
                )
            exhibit.save()
            record_change(
                actor=actor,
                vault=locked,
                action="exhibit.derived" if derived_from else "exhibit.added",
                obj=exhibit,
                content=exhibit_content(exhibit),
                detail=detail,
            )
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
        "id": str(exhibit.pk),
        "vault": str(exhibit.vault_id),
        "reference": exhibit.reference,
        "incident": str(exhibit.incident_id) if exhibit.incident_id else None,
        "original_name": exhibit.original_name,
        "media_type": exhibit.media_type,
        "size": exhibit.size,
        "sha256": exhibit.sha256,
        "source": exhibit.source,
        "description": exhibit.description,
        "captured_at": iso(exhibit.captured_at),
        "received_at": iso(exhibit.received_at),
    }
    # The original is protected from deletion, so it is always there to name.
    original = exhibit.derived_from
    if original is not None:
        content["derived_from"] = {
            "id": str(exhibit.derived_from_id),
            "sha256": original.sha256,
        }
        content["derivation"] = exhibit.derivation
    return content


def _discard_blob(vault: Vault, sha256: str, created: bool) -> None:
    """Undo a file write whose database change failed, unless another exhibit shares it."""
    if created and not Exhibit.objects.filter(vault=vault, sha256=sha256).exists():
        default_store().delete(str(vault.pk), sha256)


def attach_exhibit(*, actor: User, exhibit: Exhibit, incident: Incident | None) -> Exhibit:
    vault = exhibit.vault
    require_owner(actor, vault)
    if incident is not None and (incident.vault_id != vault.pk or incident.is_deleted):
        raise ValidationError({"incident": ["Choose an incident in this vault"]})
    with transaction.atomic():
        exhibit.incident = incident
        exhibit.save(update_fields=["incident"])
        record_change(
            actor=actor,
            vault=vault,
            action="exhibit.attached",
            obj=exhibit,
            content=exhibit_content(exhibit),
        )
    return exhibit
