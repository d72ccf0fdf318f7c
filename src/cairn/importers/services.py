"""Committing an import, and the victim's review of what it proposes (DESIGN.md "Shape").

A parser (``cairn.importers.parsers``) turns a file into plain data without touching the
database; ``commit_import`` then commits the whole batch or nothing, in one transaction:

1. the file itself is kept byte for byte as an exhibit (``vault.services.add_exhibit``,
   source "import"), and so is every attachment the export includes;
2. each sender is linked to a person through an identifier (E.164 phone, e-mail, handle,
   platform id) or, when the export gives only a name, through the person's name or an
   alias; a sender nobody matches becomes a ``CandidatePerson`` for the victim to confirm;
3. each message, photo or diary row becomes an ``ImportedItem`` that says where it is in the
   original, unless an item with the same ``fingerprint`` (a keyed hash of who sent it, when,
   and what it says) is already in the vault: importing a file twice adds nothing, and a
   later export that overlaps an earlier one adds exactly the new messages;
4. the rules (``cairn.importers.rules``, docs/import-rules.md) propose incidents;
5. one ledger entry, ``import.committed``, records the batch with the SHA-256 of the
   canonical list of its new items, rather than one entry per message.

E-mail is checked for DKIM against the keys earlier batches archived and, where the network
allows (``CAIRN_DKIM_LOOKUP``), keys looked up in DNS; the keys looked up are archived on the
batch (``ImportBatch.dkim_keys``) and covered by its ledger entry, so a later import of mail
from the same selector verifies offline, even after the domain has changed its key.

Any ``ImportFailure`` (or refusal) rolls everything back, including the evidence files
written for the batch. Proposals become incidents only through ``accept_proposals``.

Every function takes the acting user as ``actor`` and records its change through
``cairn.vault.services.record_change``. Bad input raises ``ImportFailure`` (the file) or
``django.core.exceptions.ValidationError`` (a choice), and changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import inspect
import json
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from cairn.audit import services as audit
from cairn.importers import rules
from cairn.importers.base import (
    AmbiguousDates,
    Attachment,
    DiaryRow,
    ImportFailure,
    MediaItem,
    Message,
    Origin,
    ParsedImport,
    Sender,
)
from cairn.importers.dkim_dns import DnsKeyLookup, FetchedKey
from cairn.importers.models import (
    CandidatePerson,
    CandidateStatus,
    DateOrder,
    ImportBatch,
    ImportedItem,
    ImportFormat,
    ImportJob,
    ItemKind,
    JobStatus,
    ProposalStatus,
    ProposedIncident,
)
from cairn.ledger.log import content_hash
from cairn.store import keys
from cairn.store.blobs import EmptyFile, StoreError, TooLarge, default_store
from cairn.store.rows import RowWriter, set_each
from cairn.store.sealed import seal, unseal
from cairn.vault import services as vault_services
from cairn.vault import timeframe
from cairn.vault.choices import Channel, ExhibitSource, IdentifierKind, PersonRole, Relationship
from cairn.vault.models import Exhibit, Incident, Person, PersonIdentifier, Vault

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int | None], None]  # (phase, done, total)

# Which parser module reads each format (cairn/importers/parsers/<module>.py).
PARSER_MODULES = {
    ImportFormat.WHATSAPP: "whatsapp", ImportFormat.SMS: "sms", ImportFormat.EMAIL: "email",
    ImportFormat.FACEBOOK: "meta", ImportFormat.INSTAGRAM: "meta",
    ImportFormat.TELEGRAM: "telegram", ImportFormat.TWITTER: "twitter",
    ImportFormat.MEDIA: "media", ImportFormat.CSV: "diary",
}
HEAD_BYTES = 64 * 1024
SAVE_CHUNK = 2000
DIARY_CHANNEL = Channel.IN_PERSON  # a diary row says what happened, usually face to face


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


# --- reading the file ---------------------------------------------------------------------

@contextlib.contextmanager
def _local_copy(source: str | os.PathLike[str] | BinaryIO | bytes,
                name: str) -> Iterator[tuple[Path, str, int]]:
    """The input as a file on disk (a copy for a stream), with its SHA-256 and size."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
        yield path, digest.hexdigest(), size
        return
    folder = tempfile.mkdtemp(prefix="cairn-import-")
    try:
        path = Path(folder) / "upload"
        digest = hashlib.sha256()
        size = 0
        with path.open("wb") as out:
            if isinstance(source, bytes | bytearray):
                out.write(source)
                digest.update(source)
                size = len(source)
            else:
                while chunk := source.read(1024 * 1024):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        yield path, digest.hexdigest(), size
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _resolve_format(fmt: str, path: Path, name: str) -> str:
    if fmt not in ImportFormat.values:
        raise ValidationError({"format": [f"Choose a format ({', '.join(ImportFormat.values)})"]})
    if fmt != ImportFormat.AUTO:
        return fmt
    from cairn.importers.detect import detect_path

    # A zip that no name rule settles is told by its members' names.
    detected = detect_path(path, name, head_size=HEAD_BYTES)
    if detected is None or detected not in PARSER_MODULES:
        raise ImportFailure(name, "Cairn cannot tell what kind of export this is; choose the "
                                  "format (WhatsApp, SMS, e-mail...) and try again")
    return detected


def _parse(fmt: str, path: Path, name: str, zone_name: str, date_order: str | None,
           media_dir: Path, size: int, progress: Progress | None,
           owner: str | None = None,
           mapping: Mapping[str, int] | None = None,
           dkim_keys: Mapping[str, Any] | None = None,
           dkim_lookup: Callable[[str], bytes | None] | None = None) -> ParsedImport:
    """Run the format's parser with whichever of our options it takes."""
    module = importlib.import_module(f"cairn.importers.parsers.{PARSER_MODULES[fmt]}")
    parse = module.parse
    accepted = inspect.signature(parse).parameters
    offered: dict[str, Any] = {
        "name": name, "tz": zone_name, "time_zone": zone_name, "zone": zone_name,
        "date_order": date_order, "media_dir": media_dir, "format": fmt, "platform": fmt,
        "owner": owner, "dkim_keys": dkim_keys, "dkim_lookup": dkim_lookup,
    }
    if progress is not None:
        offered["on_progress"] = lambda done: progress("reading", int(done), size)
        offered["progress"] = offered["on_progress"]
    kwargs = {key: value for key, value in offered.items()
              if key in accepted and value is not None}
    if "mapping" in accepted and mapping is not None:
        # A diary's columns, as the victim confirmed them (``check_diary_columns``).
        kwargs["mapping"] = dict(mapping)
    elif "mapping" in accepted and hasattr(module, "inspect"):
        # No confirmed columns (a library caller): the parser's suggestion from the header.
        # The CLI and the web pages always ask the victim to confirm first.
        preview = module.inspect(path, name=name)
        missing = [f for f in getattr(module, "REQUIRED", ()) if f not in
                   preview.suggested_mapping]
        if missing:
            raise ImportFailure(name, "no column was recognised for "
                                f"{', '.join(m.replace('_', ' ') for m in missing)}; name the "
                                "columns in the first row, for example 'Date' and 'What "
                                "happened'")
        kwargs["mapping"] = preview.suggested_mapping
    source: Any = path
    first = next(iter(accepted.values()), None)
    if first is not None and first.annotation in ("bytes", bytes):
        source = path.read_bytes()
    try:
        parsed: ParsedImport = parse(source, **kwargs)
    except ImportFailure:
        raise
    except (MemoryError, RecursionError):
        raise ImportFailure(name, "the file is too large or too deeply nested to read") from None
    return parsed


# --- who sent it ----------------------------------------------------------------------------

@dataclass
class _SenderLink:
    key: str
    name: str
    identifiers: list[dict[str, str]]
    identity: str
    person: Person | None = None
    candidate: CandidatePerson | None = None
    is_owner: bool = False


def _sender_identifiers(sender: Sender) -> list[dict[str, str]]:
    """The sender's identifiers, normalised as ``PersonIdentifier`` keeps them."""
    found: list[dict[str, str]] = []
    platform = (sender.platform or "").strip().lower()
    candidates: list[tuple[str, str | None, str]] = [
        (IdentifierKind.PHONE, sender.phone, ""), (IdentifierKind.EMAIL, sender.email, ""),
        (IdentifierKind.HANDLE, sender.handle, platform),
        (IdentifierKind.HANDLE, sender.platform_id, platform),
    ]
    name = (sender.display_name or "").strip()
    if not sender.phone and name and sum(ch.isdigit() for ch in name) >= 7 and all(
            ch.isdigit() or ch in "+()- \u00a0\u202f\u2011" for ch in name):
        # WhatsApp names a sender who is not in the phone's contacts by their number.
        candidates.insert(0, (IdentifierKind.PHONE, name, ""))
    for kind, raw, where in candidates:
        if not raw:
            continue
        try:
            value = vault_services.normalise_identifier(kind, str(raw))
        except ValueError:
            continue
        entry = {"kind": kind, "value": value, "platform": where}
        if entry not in found:
            found.append(entry)
    return found


class _Linker:
    """Links each distinct sender of a batch to a person, a candidate, or the victim."""

    def __init__(self, vault: Vault, batch_holder: list[ImportBatch]) -> None:
        self.vault = vault
        self.batch_holder = batch_holder
        self.links: dict[Sender, _SenderLink] = {}
        self.by_key: dict[str, _SenderLink] = {}
        self.new_candidates: list[CandidatePerson] = []
        self._persons: list[tuple[Person, set[str]]] | None = None

    def _names(self) -> list[tuple[Person, set[str]]]:
        if self._persons is None:
            self._persons = [
                (person, {n.casefold() for n in [person.name, *person.aliases] if n})
                for person in Person.objects.filter(vault=self.vault)]
        return self._persons

    def link(self, sender: Sender) -> _SenderLink:
        known = self.links.get(sender)
        if known is not None:
            return known
        identifiers = _sender_identifiers(sender)
        name = (sender.display_name or "").strip()
        if identifiers:
            first = identifiers[0]
            identity = f"{first['kind']}:{first['platform']}:{first['value']}"
        else:
            identity = "name:" + " ".join(name.casefold().split())
        key = keys.blind_index(self.vault.pk, "sender\x00" + identity)
        link = self.by_key.get(key)
        if link is None:
            link = _SenderLink(key=key, name=name, identifiers=identifiers, identity=identity,
                               is_owner=sender.is_owner)
            if not sender.is_owner:
                self._resolve(link)
            self.by_key[key] = link
        self.links[sender] = link
        return link

    def _resolve(self, link: _SenderLink) -> None:
        for entry in link.identifiers:
            lookup = vault_services.identifier_lookup(self.vault.pk, entry["kind"],
                                                      entry["value"])
            match = (PersonIdentifier.objects.filter(vault=self.vault, kind=entry["kind"],
                                                     lookup=lookup)
                     .select_related("person").first())
            if match is not None:
                link.person = match.person
                return
        candidate = CandidatePerson.objects.filter(vault=self.vault, key=link.key).first()
        if candidate is not None:
            if candidate.status == CandidateStatus.OWNER:
                link.is_owner = True
            elif candidate.status == CandidateStatus.CONFIRMED and candidate.person_id:
                link.person = candidate.person
            else:
                link.candidate = candidate
            return
        if not link.identifiers and link.name:
            wanted = " ".join(link.name.casefold().split())
            matches = [person for person, names in self._names() if wanted in names]
            if len(matches) == 1:
                link.person = matches[0]
                return
        candidate = CandidatePerson(vault=self.vault, batch=self.batch_holder[0], key=link.key)
        candidate.display_name = link.name
        candidate.identifiers = link.identifiers
        candidate.save()
        self.new_candidates.append(candidate)
        link.candidate = candidate


# --- items ----------------------------------------------------------------------------------

def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _parse_iso(value: Any) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _clean(text: str | None) -> str:
    """Text as stored: a lone surrogate (broken UTF-16 in an export) becomes U+FFFD."""
    text = text or ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8").replace("?", "\ufffd")
    return text


def _positions(origin: Origin) -> dict[str, Any]:
    found = {"line_start": origin.line_start, "line_end": origin.line_end,
             "byte_start": origin.byte_start, "byte_end": origin.byte_end,
             "entry": origin.entry}
    return {key: value for key, value in found.items() if value is not None}


def _plain(value: Any) -> Any:
    """Metadata made safe for canonical JSON: floats as their shortest decimal string."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


@dataclass
class _Draft:
    """An item before it is saved, with what the rules and the fingerprint need."""

    kind: str
    when: datetime | None
    channel: str
    text: str
    origin: Origin
    link: _SenderLink | None = None
    is_owner: bool = False
    is_system: bool = False
    sent_at: datetime | None = None
    received_at: datetime | None = None
    captured_at: datetime | None = None
    sender_name: str = ""
    attachments: tuple[Attachment, ...] = ()
    media_name: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    identity: str = ""  # the part of the fingerprint that says who or what


def _drafts(parsed: ParsedImport, linker: _Linker) -> list[_Draft]:
    drafts: list[_Draft] = []
    for message in parsed.messages:
        drafts.append(_message_draft(message, linker))
    for media in parsed.media:
        drafts.append(_media_draft(media))
    for row in parsed.diary:
        drafts.append(_diary_draft(row))
    return drafts


def _message_draft(message: Message, linker: _Linker) -> _Draft:
    link = linker.link(message.sender) if message.sender is not None else None
    details: dict[str, Any] = {}
    if message.attachments:
        details["attachments"] = [
            {"name": _clean(a.name), "media_type": a.media_type, "missing": a.missing}
            for a in message.attachments]
    if message.extra:
        details["extra"] = _plain(dict(message.extra))
    return _Draft(
        kind=ItemKind.MESSAGE, when=message.sent_at, channel=message.channel,
        text=_clean(message.text), origin=message.origin, link=link,
        is_owner=bool(link and link.is_owner), is_system=message.is_system,
        sent_at=message.sent_at, received_at=message.received_at,
        sender_name=_clean(message.sender.display_name) if message.sender else "",
        attachments=message.attachments, details=details,
        identity=link.identity if link else "system")


def _media_draft(media: MediaItem) -> _Draft:
    details = _plain({
        "name": media.name, "media_type": media.media_type,
        "offset_known": media.captured_at_offset_known, "latitude": media.latitude,
        "longitude": media.longitude, "duration_seconds": media.duration_seconds,
        "camera": media.camera})
    return _Draft(kind=ItemKind.MEDIA, when=media.captured_at, channel="", text="",
                  origin=media.origin, captured_at=media.captured_at,
                  media_name=_clean(media.name), details=details,
                  identity=f"media:{media.origin.member or media.name}")


def _diary_draft(row: DiaryRow) -> _Draft:
    details = {"when_words": _clean(row.when_words), "location": _clean(row.location),
               "witnesses": _clean(row.witnesses), "impact": _clean(row.impact),
               "police_reference": _clean(row.police_reference),
               "end": _iso(getattr(row, "end", None)),
               "precision": getattr(row, "precision", "") or ""}
    return _Draft(kind=ItemKind.DIARY, when=row.start, channel=DIARY_CHANNEL,
                  text=_clean(row.description), origin=row.origin, is_owner=True,
                  sent_at=None, captured_at=None, details=details,
                  identity="diary:" + json.dumps(details, sort_keys=True))


def _fingerprints(vault: Vault, drafts: Sequence[_Draft]) -> list[str]:
    """Keyed hashes of (who, when, what), with the n-th repeat of an identical message
    counted, so two identical "ok"s in the same minute stay two items."""
    seen: dict[str, int] = {}
    prints = []
    index_key = keys.blind_index  # one lookup; the data key is cached per process
    for draft in drafts:
        words = " ".join(draft.text.split())
        base = "\x00".join((draft.kind, draft.identity, _iso(draft.when) or "", words))
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        prints.append(index_key(vault.pk, f"item\x00{base}\x00{occurrence}"))
    return prints


def item_content(item: ImportedItem, attachment_ids: Sequence[str]) -> dict[str, Any]:
    """The canonical content of an imported item, as the batch's ledger entry covers it.

    Links to persons and candidates, and whether it is the victim's own, are left out: they
    are interpretations that change when the victim confirms a sender, and each such change
    has its own ledger entry.
    """
    secret = {"text": item.text, "sender_name": item.sender_name, "member": item.member,
              "details": item.details}
    return _content(item.pk, item.position, item.kind, item.sent_at, item.received_at,
                    item.captured_at, item.channel, item.is_system, secret, item.origin,
                    attachment_ids, item.fingerprint)


def _content(pk: Any, position: int, kind: str, sent_at: datetime | None,
             received_at: datetime | None, captured_at: datetime | None, channel: str,
             is_system: bool, secret: dict[str, Any], origin: dict[str, Any],
             attachment_ids: Sequence[str], fingerprint: str) -> dict[str, Any]:
    return {
        "id": str(pk), "position": position, "kind": kind, "sent_at": _iso(sent_at),
        "received_at": _iso(received_at), "captured_at": _iso(captured_at),
        "channel": channel, "is_system": is_system, "sender_name": secret["sender_name"],
        "text": secret["text"], "member": secret["member"], "origin": origin,
        "details": secret["details"], "attachments": sorted(attachment_ids),
        "fingerprint": fingerprint,
    }


_ITEM_COLUMNS = ["id", "batch", "vault", "position", "kind", "sent_at", "received_at",
                 "captured_at", "channel", "person", "candidate", "is_owner", "is_system",
                 "origin", "fingerprint", "sealed"]
_PROPOSAL_COLUMNS = ["id", "batch", "vault", "number", "rule", "day", "start", "end",
                     "precision", "channel", "acts", "person", "candidate", "status",
                     "incident", "sealed", "decided_at", "decided_by"]


def items_digest(contents: Sequence[dict[str, Any]]) -> str:
    """SHA-256 of the RFC 8785 canonical JSON of the item list.

    For these values (strings, integers, booleans, null, ASCII keys; floats are turned into
    strings by ``_plain``) ``json.dumps`` with sorted keys, no spaces and no ASCII escaping
    writes exactly the bytes RFC 8785 prescribes, about ten times faster than the general
    canonicaliser; tests/test_import_pipeline.py checks the two agree.
    """
    digest = ItemsDigest()
    for content in contents:
        digest.add(content)
    return digest.hexdigest()


class ItemsDigest:
    """``items_digest`` fed one item at a time, so an import need not hold every item's
    content: the list's bytes are ``[``, the items' bytes joined by ``,``, then ``]``, exactly
    what ``json.dumps`` writes for the whole list with these options."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(b"[")
        self._first = True

    def add(self, content: dict[str, Any]) -> None:
        text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                          allow_nan=False)
        self._hash.update((text if self._first else "," + text).encode("utf-8"))
        self._first = False

    def hexdigest(self) -> str:
        done = self._hash.copy()
        done.update(b"]")
        return done.hexdigest()


# --- committing -------------------------------------------------------------------------------

class _Blobs:
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


def commit_import(*, actor: Any, vault: Vault,
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
    with _local_copy(source, name) as (path, sha256, size), \
            tempfile.TemporaryDirectory(prefix="cairn-media-") as media_dir:
        if size == 0:
            raise ImportFailure(name, "the file is empty")
        if size > settings.CAIRN_MAX_UPLOAD_BYTES:
            limit = settings.CAIRN_MAX_UPLOAD_BYTES // (1024 * 1024)
            raise ImportFailure(name, f"the file is larger than the limit of {limit} MB")
        fmt = _resolve_format(format, path, name)
        if progress is not None:
            progress("reading", 0, size)
        archived, lookup = None, None
        if fmt == ImportFormat.EMAIL:
            archived = archived_dkim_keys(vault)
            if settings.CAIRN_DKIM_LOOKUP if dkim_lookup is None else dkim_lookup:
                lookup = DnsKeyLookup(settings.CAIRN_DNS_SERVERS)
        parsed = _parse(fmt, path, name, zone_name, date_order or None, Path(media_dir), size,
                        progress, owner=(owner or "").strip() or None, mapping=mapping,
                        dkim_keys=archived, dkim_lookup=lookup)
        if not (parsed.messages or parsed.media or parsed.diary):
            raise ImportFailure(name, "there are no messages or items in this file")
        blobs = _Blobs(vault)
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


def _commit(actor: Any, vault: Vault, parsed: ParsedImport, fmt: str, path: Path, name: str,  # noqa: PLR0913 (importers/services/ split: issue 20 point 4)
            sha256: str, zone_name: str, tzinfo: Any, date_order: str, media_dir: Path,
            blobs: _Blobs, progress: Progress | None,
            fetched_keys: Mapping[str, FetchedKey]) -> ImportResult:
    source_exhibit = _source_exhibit(actor, vault, path, name, sha256, fmt, blobs)
    number = (ImportBatch.objects.filter(vault=vault).aggregate(Max("number"))["number__max"]
              or 0) + 1
    batch = ImportBatch(vault=vault, number=number, format=fmt, source_exhibit=source_exhibit,
                        assumed_time_zone=parsed.assumed_time_zone or zone_name,
                        date_order=date_order, created_by=actor, items_sha256="")
    batch.notes = [_clean(note) for note in parsed.notes]
    batch.dkim_keys = {name: {"record": key.record.decode("latin-1"),
                              "fetched_at": _iso(key.fetched_at), "source": "dns"}
                       for name, key in sorted(fetched_keys.items())}
    batch.save()
    linker = _Linker(vault, [batch])
    drafts = _drafts(parsed, linker)
    prints = _fingerprints(vault, drafts)
    existing = set(ImportedItem.objects.filter(vault=vault)
                   .values_list("fingerprint", flat=True).iterator(SAVE_CHUNK))
    fresh = [(draft, fp) for draft, fp in zip(drafts, prints, strict=True)
             if fp not in existing]
    attachments = _Attachments(actor, vault, path, name, media_dir, batch, blobs)
    items = RowWriter(ImportedItem, _ITEM_COLUMNS)
    links = RowWriter(ImportedItem.attachments.through, ["importeditem", "exhibit"])
    contents = ItemsDigest()
    context = f"cairn:{ImportedItem._meta.db_table}:"
    batch_pk, vault_pk = batch.pk, vault.pk
    for position, (draft, fingerprint) in enumerate(fresh):
        pk = uuid.uuid4()
        origin = _positions(draft.origin)
        secret = {"text": draft.text, "sender_name": draft.sender_name,
                  "member": draft.origin.member, "details": draft.details}
        exhibit_ids = attachments.for_draft(draft)
        link = draft.link
        items.add((pk, batch_pk, vault_pk, position, draft.kind, draft.sent_at,
                   draft.received_at, draft.captured_at, draft.channel,
                   link.person.pk if link and link.person else None,
                   link.candidate.pk if link and link.candidate else None,
                   draft.is_owner, draft.is_system, origin, fingerprint,
                   seal(vault_pk, f"{context}{pk}".encode(), secret)))
        for exhibit_id in exhibit_ids:
            links.add((pk, exhibit_id))
        contents.add(_content(pk, position, draft.kind, draft.sent_at, draft.received_at,
                              draft.captured_at, draft.channel, draft.is_system, secret,
                              origin, [str(e) for e in exhibit_ids], fingerprint))
        if items.pending >= SAVE_CHUNK:  # in chunks, with progress between them
            items.flush()
            if progress is not None:
                progress("saving", position + 1, len(fresh))
    items.flush()
    links.flush()
    attachments.close()

    views = _item_views([draft for draft, _ in fresh])
    proposals = rules.build_proposals(views, tzinfo)
    _save_proposals(vault, batch, proposals, fresh)
    if progress is not None:
        progress("proposing", len(proposals), len(proposals))

    linked = {link.person.pk for link in linker.by_key.values() if link.person is not None}
    batch.items_sha256 = contents.hexdigest()
    batch.item_count = len(drafts)
    batch.new_count = len(fresh)
    batch.duplicate_count = len(drafts) - len(fresh)
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


def batch_content(batch: ImportBatch) -> dict[str, Any]:
    """What the ``import.committed`` entry hashes: the batch, the digest of its items, and
    the DKIM keys it archived (only when there are some, so that the content of batches
    recorded before keys were archived is unchanged)."""
    content = {
        "id": str(batch.pk), "vault": str(batch.vault_id), "number": batch.number,
        "format": batch.format, "source_exhibit": str(batch.source_exhibit_id),
        "source_sha256": batch.source_exhibit.sha256,
        "assumed_time_zone": batch.assumed_time_zone, "date_order": batch.date_order,
        "items": batch.new_count, "items_sha256": batch.items_sha256,
        "duplicates": batch.duplicate_count, "notes": batch.notes,
        "candidates": sorted(str(pk) for pk in
                             CandidatePerson.objects.filter(batch=batch)
                             .values_list("pk", flat=True)),
        "proposals": [{"id": str(pk), "rule": rule, "number": number} for pk, rule, number in
                      ProposedIncident.objects.filter(batch=batch).order_by("number")
                      .values_list("pk", "rule", "number")],
    }
    if keys := batch.dkim_keys:
        content["dkim_keys"] = keys
    return content


def archived_dkim_keys(vault: Vault) -> dict[str, list[Any]]:
    """Every DKIM key the vault's earlier e-mail imports archived, for the e-mail parser:
    name to the records (``DkimKey``, oldest first) fetched for it."""
    from cairn.importers.parsers.email import DkimKey

    found: dict[str, list[Any]] = {}
    for batch in ImportBatch.objects.filter(vault=vault,
                                            format=ImportFormat.EMAIL).order_by("number"):
        for name, key in batch.dkim_keys.items():
            found.setdefault(name, []).append(DkimKey(
                record=str(key["record"]).encode("latin-1"),
                fetched_at=_parse_iso(key.get("fetched_at"))))
    return found


def batch_items_digest(batch: ImportBatch) -> str:
    """Recompute a batch's item digest from the stored rows, decrypting each (verification).

    Reads columns rather than model instances, for the same reason ``RowWriter`` writes
    them: a batch can hold 100,000 items.
    """
    attached: dict[Any, list[str]] = {}
    Through = ImportedItem.attachments.through
    for item_id, exhibit_id in Through.objects.filter(importeditem__batch=batch).values_list(
            "importeditem_id", "exhibit_id"):
        attached.setdefault(item_id, []).append(str(exhibit_id))
    context = f"cairn:{ImportedItem._meta.db_table}:"
    contents = ItemsDigest()
    for row in (ImportedItem.objects.filter(batch=batch).order_by("position")
                .values_list("pk", "position", "kind", "sent_at", "received_at", "captured_at",
                             "channel", "is_system", "origin", "fingerprint", "sealed")
                .iterator(SAVE_CHUNK)):
        pk, position, kind, sent, received, captured, channel, system, origin, fp, blob = row
        stored = unseal(batch.vault_id, f"{context}{pk}".encode(), bytes(blob)) if blob else {}
        secret = {"text": stored.get("text", ""), "sender_name": stored.get("sender_name", ""),
                  "member": stored.get("member"), "details": stored.get("details", {})}
        contents.add(_content(pk, position, kind, sent, received, captured, channel, system,
                              secret, origin, attached.get(pk, []), fp))
    return contents.hexdigest()


def verify_batch(batch: ImportBatch) -> list[str]:
    """Problems found re-hashing a batch against its ledger entry (empty when it holds)."""
    from cairn.ledger.models import LedgerEntry

    problems = []
    if batch_items_digest(batch) != batch.items_sha256:
        problems.append(f"import {batch.number}: its items differ from what was recorded")
    recorded = None
    for raw in LedgerEntry.objects.filter(vault_id=batch.vault_id).order_by("seq") \
            .values_list("entry", flat=True):
        body = json.loads(bytes(raw))
        if body.get("kind") == "import.committed" and body["object"]["id"] == str(batch.pk):
            recorded = body.get("content_sha256")
    if recorded is None:
        problems.append(f"import {batch.number}: is not in the ledger")
    elif recorded != content_hash(batch_content(batch)):
        problems.append(f"import {batch.number}: differs from its ledger entry")
    return problems


def _source_exhibit(actor: Any, vault: Vault, path: Path, name: str, sha256: str, fmt: str,
                    blobs: _Blobs) -> Exhibit:
    """The imported file as an exhibit; the same file imported again keeps its first one."""
    earlier = Exhibit.objects.filter(vault=vault, sha256=sha256,
                                     source=ExhibitSource.IMPORT).order_by("number").first()
    if earlier is not None:
        return earlier
    blobs.before_put(sha256)
    with path.open("rb") as handle:
        return _add_exhibit(actor, vault, handle, name, name,
                            description=f"Imported export ({ImportFormat(fmt).label})")


def _add_exhibit(actor: Any, vault: Vault, stream: BinaryIO, original_name: str, where: str,
                 **kwargs: Any) -> Exhibit:
    try:
        return vault_services.add_exhibit(actor=actor, vault=vault, stream=stream,
                                          original_name=original_name,
                                          source=ExhibitSource.IMPORT, **kwargs)
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


class _Attachments:
    """Keeps each file an item points at (a zip member, an extracted MMS part, the imported
    photo itself) as an exhibit, once per batch."""

    def __init__(self, actor: Any, vault: Vault, path: Path, name: str, media_dir: Path,
                 batch: ImportBatch, blobs: _Blobs) -> None:
        self.actor, self.vault, self.path, self.name = actor, vault, path, name
        self.media_dir, self.batch, self.blobs = media_dir, batch, blobs
        self.done: dict[str, Any] = {}
        self._zip: Any = None

    def for_draft(self, draft: _Draft) -> list[Any]:
        found = []
        if draft.kind == ItemKind.MEDIA:
            member = draft.origin.member
            exhibit_id = (self._member(member, draft.media_name, draft.captured_at)
                          if member else self.batch.source_exhibit_id)
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

    def _zipfile(self) -> Any:
        if self._zip is None:
            from cairn.importers.safezip import SafeZip

            self._zip = SafeZip(self.path, name=self.name)
        return self._zip

    def _member(self, member: str, shown_name: str, captured_at: datetime | None) -> Any:
        if member in self.done:
            return self.done[member]
        archive = self._zipfile()
        where = f"{self.name}, member {member}"
        digest = hashlib.sha256()
        for chunk in archive.iter_member(member):
            digest.update(chunk)
        self.blobs.before_put(digest.hexdigest())
        exhibit = _add_exhibit(self.actor, self.vault, _IterStream(archive.iter_member(member)),
                               shown_name or member, where,
                               description=f"From import {self.batch.number}",
                               captured_at=captured_at)
        self.done[member] = exhibit.pk
        return exhibit.pk

    def _extracted(self, relative: str, shown_name: str) -> Any:
        if relative in self.done:
            return self.done[relative]
        path = (self.media_dir / relative).resolve()
        if self.media_dir.resolve() not in path.parents or not path.is_file():
            return None
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        self.blobs.before_put(digest)
        with path.open("rb") as handle:
            exhibit = _add_exhibit(self.actor, self.vault, handle, shown_name or path.name,
                                   f"{self.name}, attachment {shown_name}",
                                   description=f"From import {self.batch.number}")
        self.done[relative] = exhibit.pk
        return exhibit.pk


def _item_views(drafts: Sequence[_Draft]) -> list[rules.ItemView]:
    views = []
    senders: dict[str, rules.SenderView] = {}
    for index, draft in enumerate(drafts):
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
        views.append(rules.ItemView(
            index=index, kind=draft.kind, when=draft.when, channel=draft.channel,
            text=draft.text, sender=sender, is_owner=draft.is_owner, is_system=draft.is_system,
            attachment_count=sum(1 for a in draft.attachments if not a.missing),
            name=draft.media_name, hints=str(details.get("camera") or ""),
            when_words=str(details.get("when_words") or ""),
            end=_parse_iso(details.get("end")) if diary else None,
            precision=str(details.get("precision") or "") if diary else "",
            warning=str((details.get("extra") or {}).get("possible_spoof") or "")))
    return views


def _save_proposals(vault: Vault, batch: ImportBatch, proposals: Sequence[rules.Proposal],
                    fresh: Sequence[tuple[_Draft, str]]) -> None:
    item_ids = list(ImportedItem.objects.filter(batch=batch).order_by("position")
                    .values_list("pk", flat=True))
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
            links.add((pk, item_ids[index]))
    rows.flush()
    links.flush()


# --- review: proposals ----------------------------------------------------------------------

def proposal_content(proposal: ProposedIncident,
                     item_ids: Iterable[Any] | None = None) -> dict[str, Any]:
    """What a proposal's ledger entries hash; ``item_ids`` are its items' ids when the caller
    has read them already."""
    if item_ids is None:
        item_ids = proposal.items.values_list("pk", flat=True)
    return {
        "id": str(proposal.pk), "batch": str(proposal.batch_id), "number": proposal.number,
        "rule": proposal.rule, "status": proposal.status,
        "incident": str(proposal.incident_id) if proposal.incident_id else None,
        "items": sorted(str(pk) for pk in item_ids),
    }


def accept_proposals(*, actor: Any, batch: ImportBatch,
                     ids: Iterable[Any] | None = None, all: bool = False
                     ) -> list[Incident]:
    """Log incidents from proposals (all still proposed, or the ones named by id or number).

    Each becomes an incident through ``vault.services.log_incident``, with the sender linked
    as a person when known, and the files attached to its messages attached to it.
    """
    vault = batch.vault
    vault_services.require_owner(actor, vault)
    pending = ProposedIncident.objects.filter(batch=batch, status=ProposalStatus.PROPOSED)
    if not all:
        wanted = [str(value).strip() for value in (ids or []) if str(value).strip()]
        if not wanted:
            raise ValidationError({"proposals": ["Choose at least one proposal to accept"]})
        chosen = []
        every = {str(p.pk): p for p in ProposedIncident.objects.filter(batch=batch)}
        by_number = {str(p.number): p for p in every.values()}
        for ref in wanted:
            proposal = every.get(ref) or by_number.get(ref)
            if proposal is None:
                raise ValidationError({"proposals": [f"No proposal {ref} in import "
                                                     f"{batch.number}"]})
            if proposal.status != ProposalStatus.PROPOSED:
                raise ValidationError({"proposals": [
                    f"Proposal {proposal.number} was already {proposal.status}"]})
            chosen.append(proposal.pk)
        pending = pending.filter(pk__in=chosen)
    incidents: list[Incident] = []
    with transaction.atomic():
        chosen_rows = list(pending.select_for_update(of=("self",)).order_by("number")
                           .select_related("person"))
        for begin in range(0, len(chosen_rows), ACCEPT_CHUNK):
            incidents += _accept_many(actor, vault, batch, chosen_rows[begin:begin + ACCEPT_CHUNK])
    return incidents


# Proposals accepted per round of bulk writes: bounds the memory of one round.
ACCEPT_CHUNK = 2000


def _accept_many(actor: Any, vault: Vault, batch: ImportBatch,
                 proposals: list[ProposedIncident]) -> list[Incident]:
    """Accept ``proposals`` with the writes made in bulk: the same incidents, attachments,
    audit records and ledger entries, in the same order, as accepting them one by one
    (each proposal's incident, then its files attached, then the proposal accepted)."""
    wanted = {p.pk for p in proposals}
    items_of: dict[Any, list[Any]] = {pk: [] for pk in wanted}
    link = ProposedIncident.items.through
    for proposal_id, item_id in link.objects.filter(
            proposedincident__batch=batch).values_list("proposedincident_id", "importeditem_id"
                                                       ).iterator(5000):
        if proposal_id in wanted:
            items_of[proposal_id].append(item_id)
    diary = {p.pk for p in proposals if p.rule == rules.DIARY_ROW}
    first_item: dict[Any, ImportedItem] = {}
    if diary:
        needed = {item for pk in diary for item in items_of[pk]}
        by_id: dict[Any, ImportedItem] = {}
        ordered = list(needed)
        for start in range(0, len(ordered), 500):
            for item in ImportedItem.objects.filter(pk__in=ordered[start:start + 500]):
                by_id[item.pk] = item
        for pk in diary:
            mine = [by_id[i] for i in items_of[pk]]
            if mine:
                first_item[pk] = min(mine, key=lambda item: (item.position, item.pk))
    files_of: dict[Any, list[Any]] = {}
    for item_id, exhibit_id in ImportedItem.attachments.through.objects.filter(
            importeditem__batch=batch).values_list("importeditem_id", "exhibit_id"):
        files_of.setdefault(item_id, []).append(exhibit_id)
    exhibit_ids = {e for pk in wanted for i in items_of[pk] for e in files_of.get(i, ())}
    free: dict[Any, Exhibit] = {}
    ordered_ids = list(exhibit_ids)
    for start in range(0, len(ordered_ids), 500):
        for exhibit in Exhibit.objects.filter(vault=vault, incident__isnull=True,
                                              pk__in=ordered_ids[start:start + 500]
                                              ).select_related("derived_from"):
            free[exhibit.pk] = exhibit

    data = []
    for proposal in proposals:
        item = first_item.get(proposal.pk)
        words = ""
        # Read-only: sealed_value skips the copy attribute access makes.
        details = item.sealed_value("details") or {} if item is not None else {}
        if proposal.rule == rules.DIARY_ROW and item is not None:
            words = str(details.get("when_words") or "")
        one = vault_services.IncidentInput(
            start=proposal.start, end=proposal.end, precision=proposal.precision,
            channel=proposal.channel, acts=proposal.act_codes, description=proposal.description,
            when_words=words, persons=[proposal.person] if proposal.person is not None else [])
        if proposal.rule == rules.DIARY_ROW and item is not None:
            one.location = str(details.get("location") or "")
            one.witnesses = str(details.get("witnesses") or "")
            one.impact = str(details.get("impact") or "")
            reference = str(details.get("police_reference") or "")
            one.police_reference = reference
            one.reported_to_police = bool(reference)
        data.append(one)

    changes = vault_services.Changes(actor=actor, vault=vault)
    attached: list[Exhibit] = []
    now = timezone.now()

    def then(index: int, incident: Incident) -> None:
        proposal = proposals[index]
        mine = {e for i in items_of[proposal.pk] for e in files_of.get(i, ())}
        for exhibit in sorted((free.pop(e) for e in mine if e in free),
                              key=lambda exhibit: exhibit.number):
            exhibit.incident = incident
            attached.append(exhibit)
            changes.add(action="exhibit.attached", obj=exhibit,
                        content=vault_services.exhibit_content(exhibit))
        proposal.status = ProposalStatus.ACCEPTED
        proposal.incident = incident
        proposal.decided_at = now
        proposal.decided_by = actor
        changes.add(action="import.proposal.accepted", obj=proposal,
                    content=proposal_content(proposal, items_of[proposal.pk]),
                    detail={"proposal": proposal.number, "incident": incident.number})

    incidents = vault_services.log_incidents(actor=actor, vault=vault, data=data,
                                             changes=changes, then=then)
    set_each(Exhibit, "incident", [(e.pk, e.incident_id) for e in attached])
    ProposedIncident.objects.filter(pk__in=[p.pk for p in proposals]).update(
        status=ProposalStatus.ACCEPTED, decided_at=now, decided_by=actor)
    set_each(ProposedIncident, "incident", [(p.pk, p.incident_id) for p in proposals])
    changes.write()
    return incidents


def dismiss_proposal(*, actor: Any, proposal: ProposedIncident) -> ProposedIncident:
    vault = proposal.batch.vault
    vault_services.require_owner(actor, vault)
    with transaction.atomic():
        current = ProposedIncident.objects.select_for_update().get(pk=proposal.pk)
        if current.status != ProposalStatus.PROPOSED:
            raise ValidationError({"proposals": [
                f"Proposal {current.number} was already {current.status}"]})
        _dismiss(actor, vault, current, reason="dismissed")
    return current


def _dismiss(actor: Any, vault: Vault, proposal: ProposedIncident, *, reason: str) -> None:
    proposal.status = ProposalStatus.DISMISSED
    proposal.decided_at = timezone.now()
    proposal.decided_by = actor
    proposal.save()
    vault_services.record_change(
        actor=actor, vault=vault, action="import.proposal.dismissed", obj=proposal,
        content=proposal_content(proposal),
        detail={"proposal": proposal.number, "reason": reason})


# --- review: unknown senders ----------------------------------------------------------------

def candidate_content(candidate: CandidatePerson) -> dict[str, Any]:
    return {
        "id": str(candidate.pk), "vault": str(candidate.vault_id),
        "batch": str(candidate.batch_id), "status": candidate.status,
        "person": str(candidate.person_id) if candidate.person_id else None,
        "display_name": candidate.display_name, "identifiers": candidate.identifiers,
    }


def _decide(actor: Any, candidate: CandidatePerson) -> CandidatePerson:
    vault_services.require_owner(actor, candidate.vault)
    current = CandidatePerson.objects.select_for_update().get(pk=candidate.pk)
    if current.status != CandidateStatus.PENDING:
        raise ValidationError({"candidate": ["This person was already confirmed or dismissed"]})
    current.decided_at = timezone.now()
    current.decided_by = actor
    return current


def _dismiss_pending(actor: Any, candidate: CandidatePerson, reason: str) -> int:
    pending = ProposedIncident.objects.filter(candidate=candidate,
                                              status=ProposalStatus.PROPOSED)
    count = 0
    for proposal in pending.select_related("batch").order_by("batch", "number"):
        _dismiss(actor, candidate.vault, proposal, reason=reason)
        count += 1
    return count


def confirm_candidate(*, actor: Any, candidate: CandidatePerson, name: str = "",
                      role: str = PersonRole.SUSPECT,
                      relationship: str = Relationship.UNKNOWN) -> Person:
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
            actor=actor, vault=vault, name=chosen, role=role, relationship=relationship,
            aliases=[shown] if shown and shown != chosen else [],
            identifiers=[vault_services.IdentifierInput(kind=i["kind"], value=i["value"],
                                                        platform=i.get("platform", ""))
                         for i in current.identifiers])
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
            actor=actor, vault=vault, action="import.candidate.confirmed", obj=current,
            content=candidate_content(current),
            detail={"items": relinked, "incidents_revised": revised, "role": role})
    return person


def _add_person_to_accepted(actor: Any, candidate: CandidatePerson, person: Person) -> int:
    count = 0
    accepted = ProposedIncident.objects.filter(
        candidate=candidate, status=ProposalStatus.ACCEPTED, incident__isnull=False,
        incident__deleted_at__isnull=True).select_related("incident")
    for proposal in accepted:
        incident = proposal.incident
        assert incident is not None
        data = vault_services.IncidentInput(
            start=incident.start, end=incident.end, precision=incident.precision,
            when_words=incident.when_words, location=incident.location,
            latitude=incident.latitude, longitude=incident.longitude,
            channel=incident.channel, acts=incident.act_codes, other_act=incident.other_act,
            description=incident.description, impact=incident.impact,
            feared_violence=incident.feared_violence, witnesses=incident.witnesses,
            reported_to_police=incident.reported_to_police,
            police_reference=incident.police_reference,
            persons=[*incident.persons.all(), person])
        vault_services.revise_incident(actor=actor, incident=incident, data=data)
        count += 1
    return count


def dismiss_candidate(*, actor: Any, candidate: CandidatePerson,
                      is_me: bool = False) -> CandidatePerson:
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
            actor=actor, vault=candidate.vault, action="import.candidate.dismissed",
            obj=current, content=candidate_content(current),
            detail={"proposals_dismissed": dismissed, "is_me": is_me})
    return current


# --- background imports from the web ----------------------------------------------------------

def stage_import(*, actor: Any, vault: Vault, stream: BinaryIO, name: str,
                 format: str = ImportFormat.AUTO, tz: str | None = None,
                 date_order: str | None = None, owner: str | None = None) -> ImportJob:
    """Keep an uploaded export (encrypted, in the vault's store) for the background task.

    The job is not evidence: ``run_import_job`` deletes the staged file when it ends, and a
    failed import leaves only the job's status and message.
    """
    vault_services.require_owner(actor, vault)
    errors: dict[str, list[str]] = {}
    if format not in ImportFormat.values:
        errors["format"] = ["Choose what kind of file it is"]
    zone_name = (tz or vault.time_zone).strip()
    try:
        timeframe.zone(zone_name)
    except timeframe.TimeframeError:
        errors["time_zone"] = ["Enter a time zone such as Europe/London"]
    if date_order not in (None, "", *DateOrder.values):
        errors["date_order"] = ["Choose how dates are written in the file"]
    if errors:
        raise ValidationError(errors)
    store = default_store()
    try:
        blob = store.put(str(vault.pk), stream, max_bytes=settings.CAIRN_MAX_UPLOAD_BYTES)
    except EmptyFile:
        raise ValidationError({"file": ["The selected file is empty"]}) from None
    except (TooLarge, StoreError) as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    try:
        with transaction.atomic():
            job = ImportJob(vault=vault, format=format, time_zone=zone_name,
                            date_order=date_order or "", staged_sha256=blob.sha256,
                            staged_created=blob.created, size=blob.size, created_by=actor)
            job.source_name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
            job.owner_name = (owner or "").strip()
            job.save()
            audit.record(actor=actor, action="import.queued", object_type="importjob",
                         object_id=job.pk, vault_id=vault.pk, detail={"size": blob.size})
    except BaseException:
        if blob.created and not Exhibit.objects.filter(vault=vault, sha256=blob.sha256).exists():
            store.delete(str(vault.pk), blob.sha256)
        raise
    return job


def run_import_job(job_id: Any) -> None:
    """Run a staged import (called by the background task). Never raises for bad input:
    the job records the failure message, and the staged file is deleted either way, except
    when the file leaves the order of day, month and year open: then the job waits
    ("asking", with ``date_question``) for ``answer_date_order`` and keeps its file."""
    job = ImportJob.objects.select_related("vault", "created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED or awaiting_columns(job):
        return  # already run, or a diary whose columns the victim has not confirmed yet
    _set_job(job, status=JobStatus.RUNNING)
    store = default_store()
    namespace = str(job.vault_id)

    def report(phase: str, done: int, total: int | None) -> None:
        # Inside the import's transaction an update would only be seen once it commits.
        if connection.in_atomic_block:
            return
        status = JobStatus.SAVING if phase in ("saving", "proposing") else JobStatus.RUNNING
        ImportJob.objects.filter(pk=job.pk).update(status=status, done=done, total=total)

    asking = False
    try:
        with tempfile.TemporaryDirectory(prefix="cairn-job-") as folder:
            path = Path(folder) / "staged"
            with path.open("wb") as out:
                for chunk in store.iter_bytes(namespace, job.staged_sha256):
                    out.write(chunk)
            result = commit_import(
                actor=job.created_by, vault=job.vault, source=path, name=job.source_name,
                format=job.format, tz=job.time_zone, date_order=job.date_order or None,
                progress=report, owner=job.owner_name or None, mapping=job_columns(job))
        _set_job(job, status=JobStatus.DONE, batch=result.batch)
    except AmbiguousDates as exc:
        asking = True
        job.date_question = date_question(exc)
        _set_job(job, status=JobStatus.ASKING)
    except ImportFailure as exc:
        _set_job(job, status=JobStatus.FAILED, error=str(exc))
    except ValidationError as exc:
        _set_job(job, status=JobStatus.FAILED, error="; ".join(exc.messages))
    except Exception as exc:
        # The type only: a message could quote the file (DESIGN.md invariant 5).
        logger.error("import job %s failed: %s", job.pk, type(exc).__name__)
        _set_job(job, status=JobStatus.FAILED,
                 error="Something went wrong while importing this file. Nothing was saved.")
    finally:
        if not asking:
            _discard_staged(job)


def date_question(refusal: AmbiguousDates) -> dict[str, Any]:
    """What the "How are dates written?" page shows: the line, its date as written, and
    what that date would be in each order the file leaves open (ISO dates)."""
    line = refusal.where.rsplit(", line ", 1)[-1]
    return {"line": int(line) if line.isdigit() else None, "written": refusal.written,
            "readings": {order: refusal.readings[order].isoformat()
                         for order in refusal.choices if order in refusal.readings}}


def awaiting_date_order(job: ImportJob) -> bool:
    """A job whose file left the order of day, month and year open, waiting for the victim."""
    return job.status == JobStatus.ASKING


def answer_date_order(*, actor: Any, job: ImportJob, order: str) -> ImportJob:
    """Record how the victim says the file's dates are written; the job can then run again.

    ``order`` must be one of the orders the file left open (``job.date_question``). Raises
    ``ValidationError`` (on ``date_order``) otherwise, or when the job is not asking."""
    vault_services.require_owner(actor, job.vault)
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().get(pk=job.pk)
        question = current.date_question or {}
        if current.status != JobStatus.ASKING:
            raise ValidationError({"date_order": ["The dates of this file were already "
                                                  "settled"]})
        if order not in question.get("readings", {}):
            raise ValidationError({"date_order": ["Choose how dates are written in the "
                                                  "file"]})
        current.date_order = order
        current.status = JobStatus.QUEUED
        current.save()
        audit.record(actor=actor, action="import.dates.answered", object_type="importjob",
                     object_id=current.pk, vault_id=current.vault_id,
                     detail={"date_order": order})
    return current


def _discard_staged(job: ImportJob) -> None:
    """Delete a job's staged upload, unless it was already in the store as an exhibit."""
    if job.staged_created and not Exhibit.objects.filter(
            vault_id=job.vault_id, sha256=job.staged_sha256).exists():
        default_store().delete(str(job.vault_id), job.staged_sha256)


def note_task(job: ImportJob, task_id: str) -> None:
    """Keep the background task's id on the job, for an operator looking at the queue."""
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(task_id)[:64])


def _set_job(job: ImportJob, *, status: str, batch: ImportBatch | None = None,
             error: str = "") -> None:
    job.status = status
    if batch is not None:
        job.batch = batch
    if error:
        job.error = error
    if status in (JobStatus.DONE, JobStatus.FAILED):
        job.finished_at = timezone.now()
    job.save()


# --- a CSV diary's columns: suggested, shown, confirmed ---------------------------------------
#
# Only the victim knows what the columns of her spreadsheet mean, so a diary is imported
# with the columns she confirmed: the CLI asks for ``--columns``, the web shows a "Check the
# columns" page between the upload and the background task. The confirmed mapping (field
# name to 0-based column) is kept sealed with the job's other options
# (``ImportJob.column_mapping``).


def diary_preview(source: str | os.PathLike[str] | BinaryIO | bytes, *,
                  name: str) -> Any:
    """The diary's header, sample rows and suggested columns (``parsers.diary.inspect``).

    Raises ``ImportFailure`` for a file that cannot be read as a CSV spreadsheet."""
    from cairn.importers.parsers import diary

    preview: Any = diary.inspect(source, name=name)
    return preview


def check_diary_columns(preview: Any, mapping: Mapping[str, Any]) -> dict[str, int]:
    """A mapping (field name to 0-based column) checked against the diary's columns.

    Raises ``ValidationError`` on ``columns`` with one line: a field a diary does not have,
    a column the file does not have (numbered from 1, as people count them), or no column
    for a field every diary row needs (date, what happened).
    """
    from cairn.importers.parsers import diary

    width = max([len(preview.header), *(len(row) for row in preview.sample_rows)])
    for field_name, column in mapping.items():
        if field_name not in diary.FIELDS:
            raise ValidationError({"columns": [
                f"a diary has no field called {field_name!r}; the fields are "
                + ", ".join(diary.FIELDS)]})
        if isinstance(column, bool) or not isinstance(column, int) \
                or not 0 <= column < width:
            shown = column + 1 if isinstance(column, int) else column
            raise ValidationError({"columns": [
                f"there is no column {shown} (for {field_name}): the file has {width} "
                f"column{'s' if width != 1 else ''}, numbered 1 to {width}"]})
    missing = [f for f in diary.REQUIRED if f not in mapping]
    if missing:
        raise ValidationError({"columns": [
            "say which column holds " + " and ".join(missing)]})
    return {f: int(mapping[f]) for f in diary.FIELDS if f in mapping}


def job_columns(job: ImportJob) -> dict[str, int] | None:
    """The columns the victim confirmed for a staged diary, or None."""
    value = job.column_mapping
    return {str(k): int(v) for k, v in value.items()} if value else None


def wants_columns(job: ImportJob) -> bool:
    """Whether a staged upload is a CSV diary (said, or detected from its name and head)."""
    if job.format == ImportFormat.CSV:
        return True
    if job.format != ImportFormat.AUTO or not job.staged_sha256:
        return False
    from cairn.importers.detect import detect_format

    try:
        head = _staged_bytes(job, HEAD_BYTES)
    except (StoreError, OSError):
        return False  # the staged file is gone: running the job will say so
    return detect_format(job.source_name, head) == ImportFormat.CSV


def awaiting_columns(job: ImportJob) -> bool:
    """A staged diary still waiting for the victim to confirm its columns."""
    return (job.status == JobStatus.QUEUED and job_columns(job) is None
            and wants_columns(job))


def _staged_bytes(job: ImportJob, limit: int) -> bytes:
    """Up to ``limit`` decrypted bytes of a job's staged upload (a diary is small)."""
    parts: list[bytes] = []
    size = 0
    for chunk in default_store().iter_bytes(str(job.vault_id), job.staged_sha256):
        parts.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(parts)[:limit]


def staged_diary_preview(job: ImportJob) -> Any:
    """``diary_preview`` of a job's staged upload.

    A file that cannot be read as a diary fails the job (its message names the file and
    line) and its staged copy is deleted; the ``ImportFailure`` is raised again."""
    from cairn.importers.parsers import diary

    try:
        return diary_preview(_staged_bytes(job, diary.MAX_SIZE + 1), name=job.source_name)
    except ImportFailure as exc:
        _set_job(job, status=JobStatus.FAILED, error=str(exc))
        _discard_staged(job)
        raise


def confirm_diary_columns(*, actor: Any, job: ImportJob,
                          mapping: Mapping[str, Any]) -> ImportJob:
    """Record the columns the victim confirmed for a staged diary; the job can then run.

    Raises ``ValidationError`` (on ``columns``) for a bad mapping or a job that is not
    waiting for its columns, ``ImportFailure`` for a file that is not a readable diary."""
    vault_services.require_owner(actor, job.vault)
    preview = staged_diary_preview(job)
    confirmed = check_diary_columns(preview, mapping)
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().get(pk=job.pk)
        if current.status != JobStatus.QUEUED or job_columns(current) is not None:
            raise ValidationError({"columns": ["The columns of this file were already "
                                               "confirmed"]})
        current.format = ImportFormat.CSV
        current.column_mapping = confirmed
        current.save()
        audit.record(actor=actor, action="import.columns.confirmed", object_type="importjob",
                     object_id=current.pk, vault_id=current.vault_id,
                     detail={"columns": confirmed})
    return current


# --- jobs whose worker died, and uploads left waiting (cairn/importers/tasks.py) ------------

def requeue_job(job: ImportJob) -> None:
    """Put an import whose worker died back in the queue (its transaction rolled back)."""
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, done=0, total=None)


def fail_job(job: ImportJob, message: str) -> None:
    """End an import that cannot go on, with a message for the victim, and delete its upload."""
    job = ImportJob.objects.get(pk=job.pk)
    _set_job(job, status=JobStatus.FAILED, error=message)
    _discard_staged(job)


def staged_file_kept(job: ImportJob) -> bool:
    return bool(job.staged_sha256) and default_store().exists(str(job.vault_id),
                                                               job.staged_sha256)
