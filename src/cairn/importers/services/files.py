"""The evidence files of an import: the file itself and every file its items point at,
kept as exhibits once per batch, and deleted again if the import does not commit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError

from cairn.accounts.models import User
from cairn.importers.base import (
    ImportFailure,
)
from cairn.importers.models import (
    ImportBatch,
    ImportFormat,
    ItemKind,
)
from cairn.importers.safezip import SafeZip
from cairn.importers.services.drafts import Draft
from cairn.store.blobs import Readable, default_store
from cairn.vault import services as vault_services
from cairn.vault.choices import ExhibitSource
from cairn.vault.models import Exhibit, Vault


class Blobs:
    """Evidence files written during an import, to delete again if it does not commit."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.store = default_store()
        self.written: set[str] = set()

    def before_put(self, sha256: str) -> None:
        if not self.store.exists(str(self.vault.pk), sha256):
            self.written.add(sha256)

    def discard(self) -> None:
        for sha256 in self.written:
            if not Exhibit.objects.filter(vault=self.vault, sha256=sha256).exists():
                self.store.delete(str(self.vault.pk), sha256)


def keep_source_file(
    actor: User, vault: Vault, path: Path, name: str, sha256: str, fmt: str, blobs: Blobs
) -> Exhibit:
    """The imported file as an exhibit; the same file imported again keeps its first one."""
    earlier = (
        Exhibit.objects.filter(vault=vault, sha256=sha256, source=ExhibitSource.IMPORT)
        .order_by("number")
        .first()
    )
    if earlier is not None:
        return earlier
    blobs.before_put(sha256)
    with path.open("rb") as handle:
        return _add_exhibit(
            actor,
            vault,
            handle,
            name,
            name,
            description=f"Imported export ({ImportFormat(fmt).label})",
        )


def _add_exhibit(
    actor: User, vault: Vault, stream: Readable, original_name: str, where: str, **kwargs: Any
) -> Exhibit:
    try:
        return vault_services.add_exhibit(
            actor=actor,
            vault=vault,
            stream=stream,
            original_name=original_name,
            source=ExhibitSource.IMPORT,
            **kwargs,
        )
    except ValidationError as exc:
        raise ImportFailure(where, "; ".join(exc.messages)) from None


class _IterStream:
    """A read-only binary stream over chunks (a zip member read through SafeZip)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.buffer = b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self.buffer) < n:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        if n < 0:
            data, self.buffer = self.buffer, b""
        else:
            data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data


class Attachments:
    """Keeps each file an item points at (a zip member, an extracted MMS part, the imported
    photo itself) as an exhibit, once per batch."""

    def __init__(
        self,
        actor: User,
        vault: Vault,
        path: Path,
        name: str,
        media_dir: Path,
        batch: ImportBatch,
        blobs: Blobs,
    ) -> None:
        self.actor, self.vault, self.path, self.name = actor, vault, path, name
        self.media_dir, self.batch, self.blobs = media_dir, batch, blobs
        self.done: dict[str, UUID] = {}
        self._zip: SafeZip | None = None

    def for_draft(self, draft: Draft) -> list[UUID]:
        found: list[UUID | None] = []
        if draft.kind == ItemKind.MEDIA:
            member = draft.origin.member
            exhibit_id = (
                self._member(member, draft.media_name, draft.captured_at)
                if member
                else self.batch.source_exhibit_id
            )
            found.append(exhibit_id)
        for attachment in draft.attachments:
            if attachment.missing:
                continue
            extracted = getattr(attachment, "extracted_to", None)
            if attachment.member:
                found.append(self._member(attachment.member, attachment.name, None))
            elif extracted:
                found.append(self._extracted(str(extracted), attachment.name))
        return [pk for pk in dict.fromkeys(found) if pk is not None]

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def _zipfile(self) -> SafeZip:
        if self._zip is None:
            self._zip = SafeZip(self.path, name=self.name)
        return self._zip

    def _member(self, member: str, shown_name: str, captured_at: datetime | None) -> UUID:
        if member in self.done:
            return self.done[member]
        archive = self._zipfile()
        where = f"{self.name}, member {member}"
        digest = hashlib.sha256()
        for chunk in archive.iter_member(member):
            digest.update(chunk)
        self.blobs.before_put(digest.hexdigest())
        exhibit = _add_exhibit(
            self.actor,
            self.vault,
            _IterStream(archive.iter_member(member)),
            shown_name or member,
            where,
            description=f"From import {self.batch.number}",
            captured_at=captured_at,
        )
        self.done[member] = exhibit.pk
        return exhibit.pk

    def _extracted(self, relative: str, shown_name: str) -> UUID | None:
        if relative in self.done:
            return self.done[relative]
        path = (self.media_dir / relative).resolve()
        if self.media_dir.resolve() not in path.parents or not path.is_file():
            return None
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        self.blobs.before_put(digest)
        with path.open("rb") as handle:
            exhibit = _add_exhibit(
                self.actor,
                self.vault,
                handle,
                shown_name or path.name,
                f"{self.name}, attachment {shown_name}",
                description=f"From import {self.batch.number}",
            )
        self.done[relative] = exhibit.pk
        return exhibit.pk
