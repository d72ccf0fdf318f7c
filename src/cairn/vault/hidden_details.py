"""Which of her photos carry hidden details, read for her before a pack or a share leaves her
hands (issue 16, point 8; the reading itself is ``cairn.vault.revealing``, pure).

``photos_with_hidden_details`` reads the start of each picture among the given exhibits
(decrypted from the store, never written anywhere), and for each that carries a position, a
serial number or an owner's name says what, where (the nearest town, and whether it is near a
place she marked as hers), and whether Cairn can make a copy without them
(``cairn.vault.redaction_services.clean_copy``: JPEG, PNG and WebP; not HEIC).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cairn.store.blobs import StoreError, default_store
from cairn.vault import access, places, redaction, revealing
from cairn.vault.models import Exhibit, Vault


@dataclass(frozen=True)
class PhotoDetails:
    exhibit: Exhibit
    found: revealing.Revealing
    place: places.Place | None
    near_mark: str | None  # the place she marked that it is near
    can_copy: bool


# A WebP file keeps its EXIF at its end: read whole, up to this size.
WHOLE_TYPES = frozenset({"image/webp"})
WHOLE_LIMIT = 64 * 1024 * 1024


def _start_of(exhibit: Exhibit, limit: int = revealing.PREFIX_BYTES) -> bytes:
    """The first ``limit`` bytes of the decrypted file."""
    chunks: list[bytes] = []
    size = 0
    stream = default_store().iter_bytes(str(exhibit.vault_id), exhibit.sha256)
    try:
        for chunk in stream:
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    return b"".join(chunks)


def photos_with_hidden_details(
    user: Any, vault: Vault, exhibit_ids: Iterable[str], marks: Iterable[str] = ()
) -> list[PhotoDetails]:
    """The pictures among ``exhibit_ids`` (readable by ``user``) whose hidden details say
    where, or whose camera, and those whose details could not be read (never counted as
    "nothing found"); by reference. ``marks`` are the places she marked as hers."""
    places_marked = list(marks)
    pictures = (
        access.exhibits_readable_by(user, vault)
        .filter(pk__in=list(exhibit_ids), media_type__in=revealing.PHOTO_TYPES)
        .order_by("number")
    )
    found: list[PhotoDetails] = []
    for exhibit in pictures:
        whole = exhibit.media_type in WHOLE_TYPES and exhibit.size <= WHOLE_LIMIT
        try:
            details = revealing.read(
                _start_of(exhibit, WHOLE_LIMIT if whole else revealing.PREFIX_BYTES), whole=whole
            )
        except StoreError:
            details = revealing.Revealing(readable=False)
        if details.readable and not details.any:
            continue  # read, and nothing found: a picture that says nothing of where or who
        place = places.nearest(details.position) if details.position is not None else None
        found.append(
            PhotoDetails(
                exhibit=exhibit,
                found=details,
                place=place,
                near_mark=places.near_marked(place, places_marked) if place else None,
                can_copy=redaction.kind_of(exhibit.media_type) == "image",
            )
        )
    return found
