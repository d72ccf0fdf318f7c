"""Committing an import, all or nothing (DESIGN.md "Shape", ADR 0053).

A parser (``cairn.importers.parsers``) turns a file into plain data without touching the
database; ``commit_import`` then commits the whole batch or nothing, in one transaction:

1. the file itself is kept byte for byte as an exhibit (``vault.services.add_exhibit``,
   source "import"), and so is every attachment the export includes (``files``);
2. each sender is linked to a person through an identifier (E.164 phone, e-mail, handle,
   platform id) or, when the export gives only a name, through the person's name or an
   alias; a sender nobody matches becomes a ``CandidatePerson`` for the victim to confirm
   (``senders``);
3. each message, photo or diary row becomes an ``ImportedItem`` that says where it is in the
   original, unless an item with the same ``fingerprint`` (a keyed hash of who sent it, when,
   and what it says) is already in the vault: importing a file twice adds nothing, and a
   later export that overlaps an earlier one adds exactly the new messages (``drafts``);
4. the rules (``cairn.importers.rules``, docs/import-rules.md) propose incidents;
5. one ledger entry, ``import.committed``, records the batch with the SHA-256 of the
   canonical list of its new items, rather than one entry per message (``records``).

Items are saved a chunk at a time as the parser reads them: a parser that streams
(WhatsApp) is never held whole, so memory is bounded by a chunk, not by the file.

E-mail is checked for DKIM against the keys earlier batches archived and, where the network
allows (``CAIRN_DKIM_LOOKUP``), keys looked up in DNS; the keys looked up are archived on the
batch (``ImportBatch.dkim_keys``) and covered by its ledger entry, so a later import of mail
from the same selector verifies offline, even after the domain has changed its key.

Any ``ImportFailure`` (or refusal) rolls everything back, including the evidence files
written for the batch. Proposals become incidents only through ``review.accept_proposals``.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from cairn.accounts.models import User
from cairn.importers import rules
from cairn.importers.base import (
    ImportFailure,
    ParsedImport,
    StreamedImport,
)
from cairn.importers.dkim_dns import DnsKeyLookup, FetchedKey
from cairn.importers.models import (
    DateOrder,
    ImportBatch,
    ImportedItem,
    ImportFormat,
    ItemKind,
    ProposalStatus,
    ProposedIncident,
)
from cairn.importers.records import ItemsDigest, iso, item_record, parse_iso
from cairn.importers.services import parsing
from cairn.importers.services.batches import batch_content
from cairn.importers.services.drafts import (
    SAVE_CHUNK,
    Draft,
    Fingerprints,
    chunks,
    clean,
    count_items,
    drafts,
    positions,
)
from cairn.importers.services.files import Attachments, Blobs, keep_source_file
from cairn.importers.services.parsing import (
    Progress,
    archived_dkim_keys,
    local_copy,
    resolve_format,
)
from cairn.importers.services.senders import Linker
from cairn.store.rows import RowWriter
from cairn.store.sealed import seal
from cairn.vault import services as vault_services
from cairn.vault.models import Vault
from cairn.web import timeframe


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do). Counts only, never content."""

    batch: ImportBatch | None
    format: str
    assumed_time_zone: str
    items: int  # messages, photos and diary rows in the file (system lines included)
    new: int
    duplicates: int
    persons: int  # known persons the senders were linked to
    candidates: int  # new unknown senders to confirm or dismiss
    proposed_incidents: int
    exhibit_reference: str | None
    dry_run: bool = False
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "batch": str(self.batch.pk) if self.batch is not None else None,
            "batch_number": self.batch.number if self.batch is not None else None,
            "format": self.format, "time_zone": self.assumed_time_zone, "items": self.items,
            "new": self.new, "duplicates": self.duplicates, "persons": self.persons,
            "candidates": self.candidates, "proposed_incidents": self.proposed_incidents,
            "exhibit": self.exhibit_reference, "dry_run": self.dry_run,
            "notes": list(self.notes),
        }


class _DryRun(Exception):
    def __init__(self, result: ImportResult) -> None:
        super().__init__("dry run")
        self.result = result


def commit_import(*, actor: User, vault: Vault,
                  source: str | os.PathLike[str] | BinaryIO | bytes, name: str,
                  format: str = ImportFormat.AUTO, tz: str | None = None,
                  dry_run: bool = False, date_order: str | None = None,
                  progress: Progress | None = None, owner: str | None = None,
                  mapping: Mapping[str, int] | None = None,
                  dkim_lookup: bool | None = None) -> ImportResult:
    """Import one export file into the vault, all or nothing (see the module docstring).

    ``source`` is a path, an open binary stream or bytes; ``name`` is the file's name as the
    victim knows it (kept sealed on the exhibit). ``tz`` is the zone for times the file gives
    without one (default: the vault's). ``date_order`` settles the order of day, month and
    year when the file does not (a key of ``cairn.importers.dates.ORDERS``); without it, a
    file that leaves the order open raises ``AmbiguousDates``. ``owner`` is the victim's own
    name as the export shows it, for formats that cannot tell (WhatsApp). ``mapping`` is a
    CSV diary's confirmed columns (field name to 0-based column, see
    ``check_diary_columns``). ``dkim_lookup`` says whether e-mail DKIM keys may be looked up
    in DNS (default: ``CAIRN_DKIM_LOOKUP``). With ``dry_run`` everything is worked out and
    then rolled back.

    Raises ``ImportFailure`` (naming the file and line or entry) for a file that cannot be
    imported and ``ValidationError`` for a bad choice; nothing is stored in either case.
    """
    vault_services.require_owner(actor, vault)
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "the file"
    zone_name = (tz or vault.time_zone).strip()
    try:
        tzinfo = timeframe.zone(zone_name)
    except timeframe.TimeframeError as exc:
        raise ValidationError({"tz": [exc.message]}) from None
    if date_order not in (None, "", *DateOrder.values):
        raise ValidationError({"date_order": [f"Choose one of {', '.join(DateOrder.values)}"]})
    with local_copy(source, name) as (path, sha256, size), \
            tempfile.TemporaryDirectory(prefix="cairn-media-") as media_dir:
        if size == 0:
            raise ImportFailure(name, "the file is empty")
        if size > settings.CAIRN_MAX_UPLOAD_BYTES:
            limit = settings.CAIRN_MAX_UPLOAD_BYTES // (1024 * 1024)
            raise ImportFailure(name, f"the file is larger than the limit of {limit} MB")
        fmt = resolve_format(format, path, name)
        if progress is not None:
            progress("reading", 0, size)
        archived, lookup = None, None
        if fmt == ImportFormat.EMAIL:
            archived = archived_dkim_keys(vault)
            if settings.CAIRN_DKIM_LOOKUP if dkim_lookup is None else dkim_lookup:
                lookup = DnsKeyLookup(settings.CAIRN_DNS_SERVERS)
        parsed = parsing.parse(fmt, path, name, zone_name, date_order or None,
                               Path(media_dir), size, progress,
                               owner=(owner or "").strip() or None, mapping=mapping,
                               dkim_keys=archived, dkim_lookup=lookup)
        if not count_items(parsed):
            raise ImportFailure(name, "there are no messages or items in this file")
        blobs = Blobs(vault)
        if progress is not None:
            progress("saving", 0, None)
        try:
            with transaction.atomic():
                result = _commit(actor, vault, parsed, fmt, path, name, sha256, zone_name,
                                 tzinfo, date_order or "", Path(media_dir), blobs, progress,
                                 fetched_keys=lookup.fetched if lookup is not None else {})
                if dry_run:
                    raise _DryRun(result)
        except _DryRun as done:
            blobs.discard()
            done.result.dry_run = True
            done.result.batch = None
            return done.result
        except BaseException:
            blobs.discard()
            raise
    return result


def _commit(actor: User, vault: Vault, parsed: ParsedImport | StreamedImport, fmt: str,  # noqa: PLR0913 (one commit of a parsed or streamed import: what was read, where it goes, and how its dates read)
            path: Path, name: str, sha256: str, zone_name: str, tzinfo: ZoneInfo, date_order: str,
            media_dir: Path, blobs: Blobs, progress: Progress | None,
            fetched_keys: Mapping[str, FetchedKey]) -> ImportResult:
    """Save the batch, its items (a chunk at a time, as the parser reads them) and its
    proposals; memory holds a chunk of items, not the file (ADR 0053)."""
    source_exhibit = keep_source_file(actor, vault, path, name, sha256, fmt, blobs)
    number = (ImportBatch.objects.filter(vault=vault).aggregate(Max("number"))["number__max"]
              or 0) + 1
    batch = ImportBatch(vault=vault, number=number, format=fmt, source_exhibit=source_exhibit,
                        assumed_time_zone=parsed.assumed_time_zone or zone_name,
                        date_order=date_order, created_by=actor, items_sha256="")
    batch.notes = []
    batch.dkim_keys = {name: {"record": key.record.decode("latin-1"),
                              "fetched_at": iso(key.fetched_at), "source": "dns"}
                       for name, key in sorted(fetched_keys.items())}
    batch.save()
    linker = Linker(vault, [batch])
    saver = _ItemSaver(actor, vault, batch, path, name, media_dir, blobs, tzinfo)
    total = count_items(parsed)
    read = 0
    for chunk in chunks(drafts(parsed, linker), SAVE_CHUNK):
        saver.save(chunk)
        read += len(chunk)
        if progress is not None:
            progress("saving", read, total)
    saver.close()
    proposals = saver.proposals.proposals()
    _save_proposals(vault, batch, proposals, saver.item_ids)
    if progress is not None:
        progress("proposing", len(proposals), len(proposals))

    linked = {link.person.pk for link in linker.by_key.values() if link.person is not None}
    batch.notes = [clean(note) for note in parsed.notes]
    batch.items_sha256 = saver.contents.hexdigest()
    batch.item_count = read
    batch.new_count = saver.position
    batch.duplicate_count = read - saver.position
    batch.linked_person_count = len(linked)
    batch.candidate_count = len(linker.new_candidates)
    batch.proposal_count = len(proposals)
    batch.save()
    vault_services.record_change(
        actor=actor, vault=vault, action="import.committed", obj=batch,
        content=batch_content(batch),
        detail={"number": batch.number, "format": fmt, "items": batch.item_count,
                "new": batch.new_count, "duplicates": batch.duplicate_count,
                "proposals": batch.proposal_count})
    return ImportResult(
        batch=batch, format=fmt, assumed_time_zone=batch.assumed_time_zone,
        items=batch.item_count, new=batch.new_count, duplicates=batch.duplicate_count,
        persons=batch.linked_person_count, candidates=batch.candidate_count,
        proposed_incidents=batch.proposal_count, exhibit_reference=source_exhibit.reference,
        notes=tuple(batch.notes))


class _ItemSaver:
    """Saves the new items of a batch a chunk at a time: each draft not already in the vault
    (by fingerprint) is sealed and written, hashed into the batch's digest, and shown to the
    rules; only the new items' ids (16 bytes each) are kept for the proposals' links."""

    def __init__(self, actor: User, vault: Vault, batch: ImportBatch, path: Path, name: str,
                 media_dir: Path, blobs: Blobs, tzinfo: ZoneInfo) -> None:
        self.vault, self.batch = vault, batch
        self.fingerprints = Fingerprints(vault)
        self.attachments = Attachments(actor, vault, path, name, media_dir, batch, blobs)
        self.items = RowWriter(ImportedItem, _ITEM_COLUMNS)
        self.links = RowWriter(ImportedItem.attachments.through, ["importeditem", "exhibit"])
        self.contents = ItemsDigest()
        self.proposals = rules.ProposalBuilder(tzinfo)
        self.senders: dict[str, rules.SenderView] = {}
        self.item_ids = bytearray()  # the new items' ids, by position
        self.position = 0
        self.context = f"cairn:{ImportedItem._meta.db_table}:"

    def save(self, drafts: Sequence[Draft]) -> None:
        vault_pk, batch_pk, context = self.vault.pk, self.batch.pk, self.context
        prints = self.fingerprints.of(drafts)
        existing = set(ImportedItem.objects.filter(vault=self.vault, fingerprint__in=prints)
                       .values_list("fingerprint", flat=True))
        for draft, fingerprint in zip(drafts, prints, strict=True):
            if fingerprint in existing:
                continue
            position = self.position
            self.position += 1
            pk = uuid.uuid4()
            self.item_ids += pk.bytes
            origin = positions(draft.origin)
            secret = {"text": draft.text, "sender_name": draft.sender_name,
                      "member": draft.origin.member, "details": draft.details}
            exhibit_ids = self.attachments.for_draft(draft)
            link = draft.link
            self.items.add((pk, batch_pk, vault_pk, position, draft.kind, draft.sent_at,
                            draft.received_at, draft.captured_at, draft.channel,
                            link.person.pk if link and link.person else None,
                            link.candidate.pk if link and link.candidate else None,
                            draft.is_owner, draft.is_system, origin, fingerprint,
                            seal(vault_pk, f"{context}{pk}".encode(), secret)))
            for exhibit_id in exhibit_ids:
                self.links.add((pk, exhibit_id))
            self.contents.add(item_record(pk, position, draft.kind, draft.sent_at,
                                       draft.received_at, draft.captured_at, draft.channel,
                                       draft.is_system, secret, origin,
                                       [str(e) for e in exhibit_ids], fingerprint))
            self.proposals.add(_item_view(position, draft, self.senders))
        self.items.flush()

    def close(self) -> None:
        self.items.flush()
        self.links.flush()
        self.attachments.close()


def _item_view(index: int, draft: Draft, senders: dict[str, rules.SenderView]
               ) -> rules.ItemView:
    """What the rules see of a new item (``senders``: the views made so far, by key)."""
    sender = None
    link = draft.link
    if link is not None:
        sender = senders.get(link.key)
        if sender is None:
            sender = senders[link.key] = rules.SenderView(
                key=link.key, name=link.name,
                person_id=str(link.person.pk) if link.person else None,
                person_role=link.person.role if link.person else None,
                candidate_id=str(link.candidate.pk) if link.candidate else None,
                candidate_status=link.candidate.status if link.candidate else None)
    details = draft.details
    diary = draft.kind == ItemKind.DIARY
    return rules.ItemView(
        index=index, kind=draft.kind, when=draft.when, channel=draft.channel,
        text=draft.text, sender=sender, is_owner=draft.is_owner, is_system=draft.is_system,
        attachment_count=sum(1 for a in draft.attachments if not a.missing),
        name=draft.media_name, hints=str(details.get("camera") or ""),
        when_words=str(details.get("when_words") or ""),
        end=parse_iso(details.get("end")) if diary else None,
        precision=str(details.get("precision") or "") if diary else "",
        warning=str((details.get("extra") or {}).get("possible_spoof") or ""))


_ITEM_COLUMNS = ["id", "batch", "vault", "position", "kind", "sent_at", "received_at",
                 "captured_at", "channel", "person", "candidate", "is_owner", "is_system",
                 "origin", "fingerprint", "sealed"]


_PROPOSAL_COLUMNS = ["id", "batch", "vault", "number", "rule", "day", "start", "end",
                     "precision", "channel", "acts", "person", "candidate", "status",
                     "incident", "sealed", "decided_at", "decided_by"]


def _save_proposals(vault: Vault, batch: ImportBatch, proposals: Sequence[rules.Proposal],
                    item_ids: bytearray) -> None:
    """Write the proposals and their links to items (``item_ids``: 16 bytes per position)."""
    rows = RowWriter(ProposedIncident, _PROPOSAL_COLUMNS)
    links = RowWriter(ProposedIncident.items.through, ["proposedincident", "importeditem"])
    context = f"cairn:{ProposedIncident._meta.db_table}:"
    for number, proposal in enumerate(proposals, start=1):
        pk = uuid.uuid4()
        rows.add((pk, batch.pk, vault.pk, number, proposal.rule, proposal.day, proposal.start,
                  proposal.end, proposal.precision, proposal.channel,
                  "," + "".join(f"{a}," for a in proposal.acts), proposal.person_id,
                  proposal.candidate_id, ProposalStatus.PROPOSED, None,
                  seal(vault.pk, f"{context}{pk}".encode(),
                       {"description": proposal.description}), None, None))
        for index in proposal.item_indexes:
            links.add((pk, uuid.UUID(bytes=bytes(item_ids[16 * index:16 * index + 16]))))
    rows.flush()
    links.flush()
