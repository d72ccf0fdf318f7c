"""WhatsApp chat exports: the ``.txt`` file, or the ``.zip`` "with media" (pure, no Django).

``parse(data, *, name, tz="Europe/London", date_order=None, owner=None, today=None)`` where
``data`` is the file's ``bytes`` or a path (a ``.txt``, a ``.zip``, or the folder a zip was
unpacked into).

**Layouts** (``docs/import-rules.md`` lists each with an example). A message line starts with
a header: the date, the time, and then

- ``" - "`` (Android: ``20/01/19, 11:23 - Name: text``),
- ``"] "`` after a bracketed date (iOS: ``[20/01/19, 11:23:45] Name: text``),
- ``": "`` (older phones: ``13.06.18 21.25.15: Name: text``), or
- a plain space (``13. 6. 2018. 21:25:15 Name: text``).

The date is three numbers separated by ``/``, ``.`` or ``-``, with or without a space after
each separator and a trailing dot (``13. 6. 2018.``), in any order of day, month and year,
with two- or four-digit years; then a comma, a space, a short word (``klo``) or nothing; the
time is ``h:mm`` or ``h.mm``, with or without seconds, on a 24- or 12-hour clock. 12-hour
markers are Latin ``AM``/``PM`` in any spelling (``a. m.``, ``p.m.``, with a space, a no-break
space or U+202F before it) and the localised ones in ``whatsapp_markers.AM_PM`` (after the
time, or before it as in Korean ``오후 2:22``). U+200E and U+200F may stand anywhere in the
header, around the name and after its colon; U+FEFF at the start. The layout is taken from
the first lines of the file and then held for the whole file, so that a continuation line
that merely starts with a number stays text.

Rules, each chosen so that nothing is silently lost or guessed:

- **Encoding**: UTF-8 (a BOM is dropped; UTF-16 with a BOM is accepted). Invalid UTF-8 is read
  with U+FFFD in place of each bad byte and a note names the first line affected: the original
  file is kept byte for byte anyway. NUL bytes mean a binary file: refused.
- **Lines** end at ``\\n`` (``\\r\\n`` too); a line that does not start with a header
  continues the message before it, and the message keeps its line breaks.
- **The order of day, month and year** is settled from the whole file by
  ``cairn.importers.dates.settle``: every date must be real, within 2009 (WhatsApp's release)
  to two days after ``today``, and the messages in time order. A note says which order and what
  ruled out the others. When the file leaves more than one order open, ``AmbiguousDates`` is
  raised naming a line that reads differently under them, unless the caller passes
  ``date_order`` (a key of ``dates.ORDERS``). A date that is real in no order fails with its
  line. Two-digit years are 20yy.
- **Time zone**: the file has none. Times are read in ``tz`` (a zoneinfo key) and returned as
  aware UTC; ``ParsedImport.assumed_time_zone`` records the key. Clock changes follow PEP 495
  ``fold=0`` (see ``_export.local_to_utc``); a note counts the times that fell in a skipped or
  repeated hour.
- **Senders**: ``Name: text`` (the first ``": "``, up to 100 characters in). A line with no
  ``": "`` is a system line (``is_system``, no sender, the whole line as text); so is a
  would-be name holding a quotation mark (``X changed the subject to "A: B"``, ``« A : B »``).
  In bracketed (iOS) layouts WhatsApp marks its notices with U+200E after the name (``Chat:
  ‎Messages and calls are end-to-end encrypted``): those are system lines with the whole line
  as text, except calls and deletions (``‎Missed voice call``, ``‎This message was deleted``),
  which are acts of the sender and keep it. Elsewhere a U+200E after the name changes nothing.
  A name that is a phone number (``+44 7700 900123``) is also put in ``Sender.phone`` as
  written. ``owner`` (a display name) marks the victim's own messages.
- **Attachments** (``whatsapp_markers`` lists the words in each language and their sources):
  iOS ``<attached: 00000042-PHOTO-….jpg>`` (``< attached: … >``, localised words, and any word
  before a file name iOS generated), older iOS ``NAME <attached>`` (also in single guillemets,
  U+2039 and U+203A), and Android ``IMG-….jpg (file attached)`` (localised words, and any
  short words in brackets after a file name WhatsApp generated: ``IMG-20180613-WA0001.jpg
  (Datei angehängt)``, or after a file that is in the export). They become
  ``Attachment``s (the marker is taken out of the text; a caption stays). In a zip or folder
  they are matched to the files by name (NFC); one that is named but not there has
  ``missing=True``. ``<Media omitted>``, ``image omitted`` and the like become
  ``Attachment(name=<kind>, missing=True)``. From a bare ``.txt`` nothing can be matched, so
  ``member`` is None and ``missing`` False.

**Streaming.** A chat is read in two passes and never held whole (``stream``): the first
(``survey``) reads only each message's date, to settle the order of day, month and year from
the whole file, and the second (``reading``) turns the text into messages a block at a time.
The modules: ``text`` (the file's bytes, checked, as text in pieces), ``layout`` (headers,
times, clock changes), ``survey``, ``reading``, ``attachments`` (senders, notices, files).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cairn.importers import dates
from cairn.importers.base import ImportFailure, ParsedImport, StreamedImport
from cairn.importers.parsers._export import (
    ExportTree,
    Input,
    is_container,
    where,
    zone,
)
from cairn.importers.parsers.whatsapp.layout import is_header_line
from cairn.importers.parsers.whatsapp.reading import messages
from cairn.importers.parsers.whatsapp.survey import RELEASED, survey
from cairn.importers.parsers.whatsapp.text import ChatText

__all__ = ["DATE_ORDERS", "RELEASED", "is_header_line", "parse", "stream"]

FORMAT = "whatsapp"
DATE_ORDERS = tuple(dates.ORDERS)
LATEST_SLACK = timedelta(days=2)  # a local date can run ahead of the importer's own day


def parse(
    data: Input,
    *,
    name: str,
    tz: str = "Europe/London",
    date_order: str | None = None,
    owner: str | None = None,
    today: date | None = None,
    **options: Any,
) -> ParsedImport:
    """Parse a WhatsApp export (``.txt`` bytes or path, ``.zip``, or unpacked folder).

    ``today`` bounds the dates the file can hold (default: today in ``tz``). Unknown
    keyword options are ignored, so a caller can pass every parser the same ones. Raises
    ``ImportFailure`` (``AmbiguousDates`` when the order of day, month and year is not settled).
    """
    chat = stream(data, name=name, tz=tz, date_order=date_order, owner=owner, today=today)
    found = tuple(chat.messages)
    return ParsedImport(
        format=FORMAT,
        source_name=name,
        assumed_time_zone=tz,
        messages=found,
        notes=tuple(chat.notes),
    )


def stream(
    data: Input,
    *,
    name: str,
    tz: str = "Europe/London",
    date_order: str | None = None,
    owner: str | None = None,
    today: date | None = None,
    **options: Any,
) -> StreamedImport:
    """``parse``, with the messages read as they are taken (``StreamedImport``): the dates
    are settled (and any ``ImportFailure`` about them raised) before this returns. Use it as
    zip export's chat is read into memory (compressed, it was small); its media are not."""
    zone_ = zone(tz, name=name)
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ImportFailure(name, f"the date order must be one of {', '.join(DATE_ORDERS)}")
    latest = (today or datetime.now(zone_).date()) + LATEST_SLACK
    member, media = None, None
    if is_container(data, name=name):
        with ExportTree(data, name=name) as tree:
            member = _find_chat(tree)
            raw: bytes | Path = tree.read(member)
            media = {
                unicodedata.normalize("NFC", m.rsplit("/", 1)[-1]): m
                for m in tree.members
                if m != member
            }
    else:
        raw = bytes(data) if isinstance(data, bytes | bytearray | memoryview) else Path(data)
    where_ = where(name, member)
    text = ChatText(raw, where=where_, name=name)
    notes = list(text.notes)
    found = survey(text, where_=where_, date_order=date_order, latest=latest, notes=notes)
    return StreamedImport(
        format=FORMAT,
        source_name=name,
        assumed_time_zone=tz,
        count=found.count,
        messages=messages(
            text,
            found,
            where_=where_,
            member=member,
            zone_=zone_,
            tz=tz,
            owner=owner,
            media=media,
            notes=notes,
        ),
        notes=notes,
    )


def _find_chat(tree: ExportTree) -> str:
    texts = [m for m in tree.members if m.lower().endswith(".txt")]
    if len(texts) == 1:
        return texts[0]
    named = [m for m in texts if m.rsplit("/", 1)[-1] == "_chat.txt"]
    if len(named) == 1:
        return named[0]
    # Android names the chat "WhatsApp Chat with X.txt" (localised); a .txt sent in the chat is
    # a media file. Keep the ones whose first line is a WhatsApp header.
    chats = [m for m in texts if is_header_line(_head_text(tree.read(m, max_size=1 << 30)))]
    if len(chats) == 1:
        return chats[0]
    if not chats:
        raise ImportFailure(tree.name, "no WhatsApp chat (.txt) found in the export")
    raise ImportFailure(tree.name, f"the export holds {len(chats)} chats; import them one by one")


def _head_text(raw: bytes) -> str:
    return raw[:512].decode("utf-8", errors="replace").lstrip("\ufeff")
