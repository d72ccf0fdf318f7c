"""What every importer returns: plain data, pointing back into the original file.

An importer is a parser: it reads the bytes of one export (a WhatsApp chat, an SMS backup, an
e-mail, a folder of photos...) and returns a ``ParsedImport`` without touching the database.
A service then commits the whole batch or nothing (DESIGN.md "Shape", invariant 4).

Every item records where it came from in the original (``Origin``: the member of a zip, and
the line range or byte range), so anyone can find it in the untouched file.

The only exception a parser may raise for bad input is ``ImportFailure`` (or a subclass),
whose message names the file and the line or entry at fault and never quotes message content.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


class ImportFailure(Exception):
    """Bad input: the file cannot be imported. ``where`` names the file and line or entry."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class AmbiguousDates(ImportFailure):
    """The file leaves the order of day, month and year open: ask (``cairn.importers.dates``).

    ``where`` names the file and a line whose date reads differently in each of ``choices``
    (keys of ``dates.ORDERS``); ``written`` is that date as written and ``readings`` what it
    would be in each order."""

    def __init__(
        self,
        where: str,
        choices: tuple[str, ...] = ("day-first", "month-first"),
        *,
        written: str = "",
        readings: Mapping[str, date] | None = None,
    ) -> None:
        super().__init__(
            where,
            f"the dates could be read {' or '.join(choices)}; say which "
            f"({' or '.join(f'--date-order {c}' for c in choices)})",
        )
        self.choices = choices
        self.written = written
        self.readings = dict(readings or {})


@dataclass(frozen=True)
class Origin:
    """Where an item is in the original: optional zip member, then lines or bytes."""

    member: str | None = None  # path inside a zip export, if any
    line_start: int | None = None  # 1-based, inclusive
    line_end: int | None = None
    byte_start: int | None = None  # 0-based, end exclusive
    byte_end: int | None = None
    entry: str | None = None  # e.g. "messages[12]" for JSON, "sms[40]" for XML


@dataclass(frozen=True)
class Attachment:
    name: str  # file name as the export gives it
    member: str | None = None  # the zip member holding it, when the export includes media
    media_type: str | None = None
    missing: bool = False  # "<Media omitted>": referenced but not exported
    # A file the parser decoded the attachment into, relative to the directory the caller
    # gave it (SMS backups carry MMS media inline as base64).
    extracted_to: str | None = None


@dataclass(frozen=True)
class Sender:
    """Who a message is from, as the export names them, with any identifiers it gives."""

    display_name: str
    phone: str | None = None  # as written; normalised to E.164 by the service
    email: str | None = None
    handle: str | None = None
    platform: str | None = None  # "whatsapp", "instagram", "telegram", "x"...
    platform_id: str | None = None  # a stable id in the source (Telegram from_id, X senderId)
    is_owner: bool = False  # the victim's own messages, kept for context


@dataclass(frozen=True)
class Message:
    sent_at: datetime | None  # aware; None when the export gives no time
    sender: Sender | None  # None for system lines
    text: str
    channel: str  # cairn.vault.choices.Channel value: messaging_app, text_message, email...
    origin: Origin
    attachments: tuple[Attachment, ...] = ()
    is_system: bool = False
    received_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)  # e.g. DKIM result, MMS subject


@dataclass(frozen=True)
class MediaItem:
    """A photo or video from a folder or zip, with what its metadata says."""

    name: str
    origin: Origin
    media_type: str
    captured_at: datetime | None  # aware when the offset is known
    captured_at_offset_known: bool
    latitude: float | None = None
    longitude: float | None = None
    duration_seconds: float | None = None
    camera: str | None = None


@dataclass(frozen=True)
class DiaryRow:
    """A row of a spreadsheet diary after the columns were mapped."""

    origin: Origin
    start: datetime | None
    when_words: str
    location: str
    description: str
    witnesses: str
    impact: str
    police_reference: str
    end: datetime | None = None  # for an interval such as "overnight"
    precision: str = "unknown"  # a cairn.web.timeframe.Precision value


@dataclass(frozen=True)
class ParsedImport:
    format: str  # "whatsapp", "sms", "email", "facebook", "instagram", "telegram", "twitter", ...
    source_name: str  # the file's base name
    assumed_time_zone: str | None  # the zone used for times the file gave without one
    messages: tuple[Message, ...] = ()
    media: tuple[MediaItem, ...] = ()
    diary: tuple[DiaryRow, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. "date order inferred: day-first (a day of 23 on line 4)"


@dataclass
class StreamedImport:
    """An import whose messages are read as they are taken, so a long export is never held
    whole (``parsers.whatsapp.stream``). ``messages`` can be read once; ``notes`` are
    complete when it is exhausted. ``count`` is how many messages a first pass found."""

    format: str
    source_name: str
    assumed_time_zone: str | None
    count: int
    messages: Iterator[Message]
    notes: list[str]
