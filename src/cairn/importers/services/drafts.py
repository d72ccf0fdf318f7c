"""Each item of an import as a draft (what the rules and the fingerprint need), and the
fingerprints that make importing a file twice add nothing."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cairn.importers.base import (
    Attachment,
    DiaryRow,
    MediaItem,
    Message,
    Origin,
    ParsedImport,
    StreamedImport,
)
from cairn.importers.models import (
    ItemKind,
)
from cairn.importers.records import iso, plain
from cairn.importers.services.senders import Linker, SenderLink
from cairn.store import keys
from cairn.vault.choices import Channel
from cairn.vault.models import Vault

SAVE_CHUNK = 2000  # items saved per round of bulk writes
DIARY_CHANNEL = Channel.IN_PERSON  # a diary row says what happened, usually face to face


def clean(text: str | None) -> str:
    """Text as stored: a lone surrogate (broken UTF-16 in an export) becomes U+FFFD."""
    text = text or ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8").replace("?", "\ufffd")
    return text


def positions(origin: Origin) -> dict[str, Any]:
    found = {
        "line_start": origin.line_start,
        "line_end": origin.line_end,
        "byte_start": origin.byte_start,
        "byte_end": origin.byte_end,
        "entry": origin.entry,
    }
    return {key: value for key, value in found.items() if value is not None}


@dataclass
class Draft:
    """An item before it is saved, with what the rules and the fingerprint need."""

    kind: str
    when: datetime | None
    channel: str
    text: str
    origin: Origin
    link: SenderLink | None = None
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


def drafts(parsed: ParsedImport | StreamedImport, linker: Linker) -> Iterator[Draft]:
    """Each item of the file as a draft, in order (read as they are taken when streamed)."""
    for message in parsed.messages:
        yield _message_draft(message, linker)
    if isinstance(parsed, ParsedImport):
        for media in parsed.media:
            yield _media_draft(media)
        for row in parsed.diary:
            yield _diary_draft(row)


def chunks(drafts: Iterator[Draft], size: int) -> Iterator[list[Draft]]:
    while chunk := list(itertools.islice(drafts, size)):
        yield chunk


def count_items(parsed: ParsedImport | StreamedImport) -> int:
    if isinstance(parsed, StreamedImport):
        return parsed.count
    return len(parsed.messages) + len(parsed.media) + len(parsed.diary)


def _message_draft(message: Message, linker: Linker) -> Draft:
    link = linker.link(message.sender) if message.sender is not None else None
    details: dict[str, Any] = {}
    if message.attachments:
        details["attachments"] = [
            {"name": clean(a.name), "media_type": a.media_type, "missing": a.missing}
            for a in message.attachments
        ]
    if message.extra:
        details["extra"] = plain(dict(message.extra))
    return Draft(
        kind=ItemKind.MESSAGE,
        when=message.sent_at,
        channel=message.channel,
        text=clean(message.text),
        origin=message.origin,
        link=link,
        is_owner=bool(link and link.is_owner),
        is_system=message.is_system,
        sent_at=message.sent_at,
        received_at=message.received_at,
        sender_name=clean(message.sender.display_name) if message.sender else "",
        attachments=message.attachments,
        details=details,
        identity=link.identity if link else "system",
    )


def _media_draft(media: MediaItem) -> Draft:
    details = plain(
        {
            "name": media.name,
            "media_type": media.media_type,
            "offset_known": media.captured_at_offset_known,
            "latitude": media.latitude,
            "longitude": media.longitude,
            "duration_seconds": media.duration_seconds,
            "camera": media.camera,
        }
    )
    return Draft(
        kind=ItemKind.MEDIA,
        when=media.captured_at,
        channel="",
        text="",
        origin=media.origin,
        captured_at=media.captured_at,
        media_name=clean(media.name),
        details=details,
        identity=f"media:{media.origin.member or media.name}",
    )


def _diary_draft(row: DiaryRow) -> Draft:
    details = {
        "when_words": clean(row.when_words),
        "location": clean(row.location),
        "witnesses": clean(row.witnesses),
        "impact": clean(row.impact),
        "police_reference": clean(row.police_reference),
        "end": iso(getattr(row, "end", None)),
        "precision": getattr(row, "precision", "") or "",
    }
    return Draft(
        kind=ItemKind.DIARY,
        when=row.start,
        channel=DIARY_CHANNEL,
        text=clean(row.description),
        origin=row.origin,
        is_owner=True,
        sent_at=None,
        captured_at=None,
        details=details,
        identity="diary:" + json.dumps(details, sort_keys=True),
    )


class Fingerprints:
    """Keyed hashes of (who, when, what), with the n-th repeat of an identical message
    counted, so two identical "ok"s in the same minute stay two items. Fed a chunk at a
    time; remembers a short digest of each (who, when, what), not the text."""

    def __init__(self, vault: Vault) -> None:
        self.vault_pk = vault.pk
        self.seen: dict[bytes, int] = {}

    def of(self, drafts: Sequence[Draft]) -> list[str]:
        seen = self.seen
        prints = []
        index_key = keys.blind_index  # one lookup; the data key is cached per process
        for draft in drafts:
            words = " ".join(draft.text.split())
            base = "\x00".join((draft.kind, draft.identity, iso(draft.when) or "", words))
            short = hashlib.blake2b(base.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            occurrence = seen.get(short, 0)
            seen[short] = occurrence + 1
            prints.append(index_key(self.vault_pk, f"item\x00{base}\x00{occurrence}"))
        return prints
