"""Redacted copies of exhibits, stored: the service half of ``cairn.vault.redaction``.

What: reads the decrypted original from the blob store, checks that the actor owns the vault
and that the file is a kind that can be redacted, runs the pure redaction of
``cairn.vault.redaction`` and stores the result as a new exhibit derived from the original
through ``services.add_exhibit`` (one transaction, ledger kind ``exhibit.derived``).

Failures: ``django.core.exceptions.ValidationError`` naming the field (``exhibit``,
``rectangles``, ``spans``) and ``PermissionDenied``; nothing is stored when one is raised.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError

from cairn.accounts.models import User
from cairn.store.blobs import StoreError, default_store
from cairn.vault import access, services
from cairn.vault.choices import ExhibitSource
from cairn.vault.models import Exhibit
from cairn.vault.redaction import (
    MAX_IMAGE_BYTES,
    MAX_TEXT_BYTES,
    METADATA_METHOD,
    Rectangle,
    RedactionError,
    black_out,
    copy_name,
    decode_text,
    hide_spans,
    kind_of,
    unsupported_message,
    without_metadata,
)
from cairn.web import media


def _validation_error(exc: RedactionError) -> Exception:
    return ValidationError({exc.field: [exc.message]})


def _read_original(exhibit: Exhibit, limit: int) -> bytes:
    if exhibit.size > limit:
        raise ValidationError(
            {
                "exhibit": [
                    f"{exhibit.reference} is larger than {limit // (1024 * 1024)} MB: too large to "
                    "redact here"
                ]
            }
        )
    try:
        return default_store().read(str(exhibit.vault_id), exhibit.sha256)
    except StoreError as exc:
        raise ValidationError({"exhibit": [f"{exhibit.reference} cannot be read: {exc}"]}) from None


def _require(actor: User, exhibit: Exhibit, kind: str) -> None:
    services.require_owner(actor, exhibit.vault)
    if kind_of(exhibit.media_type) != kind:
        what = "a JPEG, PNG or WebP picture" if kind == "image" else "a text file"
        message = (
            unsupported_message(exhibit.reference, exhibit.media_type)
            if kind_of(exhibit.media_type) is None
            else f"{exhibit.reference} is {media.describe(exhibit.media_type)}, not {what}"
        )
        raise ValidationError({"exhibit": [message]})


def _store_copy(
    *,
    actor: User,
    original: Exhibit,
    data: bytes,
    media_type: str,
    derivation: dict[str, Any],
    description: str = "",
) -> Exhibit:
    incident = original.incident
    if incident is not None and incident.is_deleted:
        incident = None
    return services.add_exhibit(
        actor=actor,
        vault=original.vault,
        stream=io.BytesIO(data),
        original_name=copy_name(original.reference, media_type),
        declared_type=media_type,
        incident=incident,
        source=ExhibitSource.REDACTED,
        description=description
        or f"Redacted copy of {original.reference}: {derivation['summary']}",
        captured_at=original.captured_at,
        received_at=original.received_at,
        derived_from=original,
        derivation=derivation,
    )


def redact_image(
    *,
    actor: User,
    exhibit: Exhibit,
    rectangles: Iterable[Rectangle | Sequence[int] | Mapping[str, int]],
) -> Exhibit:
    """Make a redacted copy of a picture with each rectangle (x, y, width, height, in
    pixels of the upright picture) covered in black, and return the new exhibit.

    Only the vault's owner may; the copy is stored and recorded in one transaction by
    ``services.add_exhibit`` (ledger kind ``exhibit.derived``). Raises ValidationError
    (``exhibit``: not a supported picture; ``rectangles``: none, or one outside the
    picture) and PermissionDenied, storing nothing.
    """
    _require(actor, exhibit, "image")
    data = _read_original(exhibit, MAX_IMAGE_BYTES)
    try:
        redacted, derivation = black_out(data, exhibit.media_type, rectangles)
    except RedactionError as exc:
        raise _validation_error(exc) from None
    return _store_copy(
        actor=actor,
        original=exhibit,
        data=redacted,
        media_type=exhibit.media_type,
        derivation=derivation,
    )


def clean_copy(*, actor: User, exhibit: Exhibit) -> Exhibit:
    """A copy of a picture without its hidden details (``without_metadata``), made once: an
    earlier such copy is returned instead of a second. The original stays in the vault for the
    police to ask for. Raises ValidationError and PermissionDenied as ``redact_image`` does.
    """
    _require(actor, exhibit, "image")
    earlier = (
        access.exhibits_readable_by(actor, exhibit.vault)
        .filter(derived_from=exhibit)
        .order_by("-number")
    )
    for copy in earlier:
        if (copy.derivation or {}).get("method") == METADATA_METHOD:
            return copy
    data = _read_original(exhibit, MAX_IMAGE_BYTES)
    try:
        clean, derivation = without_metadata(data, exhibit.media_type)
    except RedactionError as exc:
        raise _validation_error(exc) from None
    return _store_copy(
        actor=actor,
        original=exhibit,
        data=clean,
        media_type=exhibit.media_type,
        derivation=derivation,
        description=f"Copy of {exhibit.reference} without the details hidden in the file",
    )


def exhibit_text(exhibit: Exhibit) -> str:
    """The decoded text of a text exhibit the caller may already read (through
    ``cairn.vault.access``). Raises ValidationError (``exhibit``) for other files."""
    if kind_of(exhibit.media_type) != "text":
        raise ValidationError(
            {
                "exhibit": [
                    f"{exhibit.reference} is {media.describe(exhibit.media_type)}, not a text file"
                ]
            }
        )
    try:
        return decode_text(_read_original(exhibit, MAX_TEXT_BYTES))
    except RedactionError as exc:
        raise _validation_error(exc) from None


def redact_text(
    *, actor: User, exhibit: Exhibit, spans: Iterable[Sequence[int] | Mapping[str, int]]
) -> Exhibit:
    """Make a redacted copy of a text exhibit with each span [start, end) of characters
    replaced by "█" (line breaks kept), and return the new exhibit.

    Only the vault's owner may; stored and recorded as ``redact_image`` is. Raises
    ValidationError (``exhibit``: not a UTF-8 text file; ``spans``: none, outside the text,
    or overlapping) and PermissionDenied, storing nothing.
    """
    _require(actor, exhibit, "text")
    text = exhibit_text(exhibit)
    try:
        redacted, derivation = hide_spans(text, spans)
    except RedactionError as exc:
        raise _validation_error(exc) from None
    return _store_copy(
        actor=actor,
        original=exhibit,
        data=redacted.encode("utf-8"),
        media_type=exhibit.media_type,
        derivation=derivation,
    )
