"""SMS Backup & Restore (Android app) XML: texts and picture messages, read as a stream.

Input: a ``Source`` (bytes, a path or a binary stream; see ``_input``). A path or stream is
read in 1 MiB chunks and fed to expat, so memory stays flat however large the backup is: no
tree is built, each ``<sms>``/``<mms>`` becomes a ``Message`` as soon as it closes, and an
MMS attachment's base64 data is decoded straight to a file in ``media_dir`` (when given)
and dropped. The largest single attachment bounds the peak, not the file.

Layout (formats.md)::

    <smses count="2">
      <sms address="+447700900123" date="1700000000000" type="1" body="..."
           contact_name="Sam" date_sent="1699999999000" readable_date="..." />
      <mms date="1700000000000" msg_box="1" sub="null" address="+447700900123" ...>
        <parts><part seq="0" ct="text/plain" text="..." /><part ct="image/jpeg" name="a.jpg"
              data="(base64)" /></parts>
        <addrs><addr address="+447700900123" type="137" /><addr address="..." type="151" /></addrs>
      </mms>
    </smses>

Times: ``date`` is milliseconds since the epoch in UTC (MMS ``date_sent`` is in seconds), so
every time is exact and no zone is assumed. For a *received* message ``date`` is when the
phone received it (``received_at``); ``sent_at`` is the network's ``date_sent`` when the
backup has one, otherwise None: receipt time never stands in for sending time (invariant 3).
For the owner's own messages (type 2 sent, and 4-6 outbox/failed/queued) ``sent_at`` is
``date``; drafts (type 3) have no sending time.

Repairs: with "store emoji" the app writes emoji as UTF-16 surrogate pairs in character
references (``&#55357;&#56832;``), which XML forbids, and can leave control characters or
broken UTF-8 in bodies. A filter in front of expat rewrites a surrogate pair into the one
reference it stands for (``&#0000000128512;``, zero-padded to the same length so byte offsets
stay put) and anything else XML cannot hold into U+FFFD, counting what it changed in
``ParsedImport.notes``. Offsets reported in ``Origin`` are those of the untouched file.

Security: the XML goes through ``defusedxml``'s parser with DTDs, entity declarations and
external references refused, so entity-expansion ("billion laughs") and external-entity
attacks fail with ``ImportFailure``. Attachment names from the file are never used as paths.
"""

from __future__ import annotations

import binascii
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ErrorString

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import DefusedXMLParser  # type: ignore[import-untyped]

from cairn.importers.base import Attachment, ImportFailure, Message, Origin, ParsedImport, Sender
from cairn.importers.parsers._input import Source, open_binary, source_name
from cairn.importers.parsers.sms.repair import MAX_CHUNK, RepairingStream

__all__ = ["CHANNEL", "FORMAT", "OWNER", "parse"]

FORMAT = "sms"
CHANNEL = "text_message"
OWNER = Sender(display_name="me", platform="sms", is_owner=True)

CHUNK_SIZE = 1 << 20

SMS_STATUS = {
    "1": "received",
    "2": "sent",
    "3": "draft",
    "4": "outbox",
    "5": "failed",
    "6": "queued",
}
MMS_BOX = {"1": "received", "2": "sent", "3": "draft", "4": "outbox"}
ADDR_FROM, ADDR_TO, ADDR_CC, ADDR_BCC = "137", "151", "130", "129"
# The app writes this in place of the owner's own number as the sender of a sent MMS.
_OWNER_TOKEN = "insert-address-token"  # noqa: S105 - not a secret
_NULLS = {"", "null", "(Unknown)"}


def parse(
    source: Source,
    *,
    name: str | None = None,
    media_dir: Path | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ParsedImport:
    """Parse an SMS Backup & Restore XML backup.

    ``media_dir``: an existing directory where MMS attachments are written, one file per
    part, named ``mms<N>-part<M>-<safe name>``; each ``Attachment.extracted_to`` gives the
    file name inside it. Without it, attachments are listed but not decoded.
    ``on_progress`` is called with the number of bytes read so far after each chunk.

    Raises ``ImportFailure`` naming the file and line (and the ``sms[N]``/``mms[N]`` entry
    where one is at fault) for an empty, truncated, non-XML or non-backup file, a DTD or
    entity declaration, or an impossible timestamp.
    """
    file_name = source_name(source, name)
    with open_binary(source) as stream:
        return _Reader(stream, file_name, media_dir, on_progress).run()


@dataclass
class _Pending:
    """A message that has closed but whose byte range ends where the next element starts."""

    message: Message
    byte_start: int
    line_start: int
    line_end: int


@dataclass
class _Mms:
    attrib: dict[str, str]
    byte_start: int
    line_start: int
    entry: str
    texts: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    addresses: list[tuple[str, str]] = field(default_factory=list)
    part_index: int = 0


class _Reader:
    """Feeds the repaired stream to expat and turns closed elements into messages.

    The ``start``/``end`` methods are the ElementTree parser-target protocol; no tree is built.
    """

    def __init__(
        self,
        stream: BinaryIO,
        name: str,
        media_dir: Path | None,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        self.name = name
        self.media_dir = media_dir
        self.on_progress = on_progress
        self.stream = RepairingStream(stream)
        self.parser = DefusedXMLParser(target=self, encoding="utf-8", forbid_dtd=True)
        self.expat = self.parser.parser
        self.depth = 0
        self.counts = {"sms": 0, "mms": 0}
        self.other_elements = 0
        self.seen_root = False
        self.events = 0
        self.mms: _Mms | None = None
        self.pending: _Pending | None = None
        self.messages: list[Message] = []
        self.senders: dict[tuple[str, str], Sender] = {}
        self.notes: list[str] = []

    # -- driving the parser --------------------------------------------------------------

    def run(self) -> ParsedImport:
        fed = 0
        size = CHUNK_SIZE
        try:
            while chunk := self.stream.read(size):
                fed += len(chunk)
                events = self.events
                self.parser.feed(chunk)
                # Inside one long token (a base64 attachment) expat re-scans the token from
                # its start on every feed: doubling the chunk keeps that linear overall.
                size = min(size * 2, MAX_CHUNK) if self.events == events else CHUNK_SIZE
                if self.on_progress:
                    self.on_progress(self.stream.bytes_read)
            if fed == 0:
                raise ImportFailure(self.name, "the file is empty")
            self.parser.close()
        except ParseError as error:
            line = error.position[0] if error.position else self.expat.CurrentLineNumber
            if self.stream.bytes_read and self.expat.ErrorCode in (3, 5, 6):
                # no element found / unclosed token / partial character
                raise ImportFailure(
                    f"{self.name}, line {line}",
                    "the file ends in the middle of the backup: it looks truncated",
                ) from None
            raise ImportFailure(
                f"{self.name}, line {line}",
                f"this is not well-formed XML ({ErrorString(error.code)})",
            ) from None
        except DefusedXmlException:
            raise ImportFailure(
                f"{self.name}, line {self.expat.CurrentLineNumber}",
                "the file declares a DTD or XML entities, which SMS Backup & "
                "Restore never writes; refused as unsafe",
            ) from None
        except RecursionError:  # pragma: no cover - expat does not recurse; belt and braces
            raise ImportFailure(self.name, "the XML is nested too deeply") from None
        if self.depth != 0 or not self.seen_root:
            raise ImportFailure(self.name, "the file ends before the backup does")
        return ParsedImport(
            format=FORMAT,
            source_name=self.name,
            assumed_time_zone=None,
            messages=tuple(self.messages),
            notes=tuple(self._notes()),
        )

    def _notes(self) -> list[str]:
        notes = list(self.notes)
        if self.stream.references_repaired:
            notes.append(
                f"{self.stream.references_repaired} emoji written as invalid XML "
                "character references (surrogate pairs) were read as the emoji"
            )
        if self.stream.characters_replaced:
            notes.append(
                f"{self.stream.characters_replaced} characters that XML cannot hold "
                "(control characters, broken UTF-8) were read as U+FFFD"
            )
        if self.other_elements:
            notes.append(f"{self.other_elements} elements other than <sms> and <mms> were skipped")
        return notes

    def _where(self, entry: str | None = None) -> str:
        where = f"{self.name}, line {self.expat.CurrentLineNumber}"
        return f"{where}, {entry}" if entry else where

    # -- parser target -------------------------------------------------------------------

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        self.events += 1
        depth = self.depth
        if depth <= 2:
            self._close_pending()
        if depth == 1:
            if tag != "smses":
                raise ImportFailure(
                    self._where(),
                    "this is not an SMS Backup & Restore backup (its outer element is not <smses>)",
                )
            self.seen_root = True
        elif depth == 2:
            if tag == "sms":
                self._sms(attrib)
            elif tag == "mms":
                entry = f"mms[{self.counts['mms']}]"
                self.counts["mms"] += 1
                self.mms = _Mms(attrib, self._byte_index(), self.expat.CurrentLineNumber, entry)
            else:
                self.other_elements += 1
        elif self.mms is not None:
            if tag == "part" and depth == 4:
                self._part(self.mms, attrib)
            elif tag == "addr" and depth == 4:
                self.mms.addresses.append((attrib.get("type", ""), attrib.get("address", "")))

    def end(self, tag: str) -> None:
        if self.depth == 2 and tag == "mms" and self.mms is not None:
            mms, self.mms = self.mms, None
            self.pending = _Pending(
                self._mms_message(mms), mms.byte_start, mms.line_start, self.expat.CurrentLineNumber
            )
        elif self.depth == 1:
            self._close_pending()
        self.depth -= 1

    def close(self) -> None:
        return None

    # -- building messages ---------------------------------------------------------------

    def _byte_index(self) -> int:
        return self.stream.original_offset(self.expat.CurrentByteIndex)

    def _close_pending(self) -> None:
        if self.pending is None:
            return
        pending, self.pending = self.pending, None
        origin = Origin(
            entry=pending.message.origin.entry,
            line_start=pending.line_start,
            line_end=pending.line_end,
            byte_start=pending.byte_start,
            byte_end=self._byte_index(),
        )
        self.messages.append(_with_origin(pending.message, origin))

    def _sms(self, attrib: dict[str, str]) -> None:
        entry = f"sms[{self.counts['sms']}]"
        self.counts["sms"] += 1
        line = self.expat.CurrentLineNumber
        byte_start = self._byte_index()
        kind = attrib.get("type", "")
        status = SMS_STATUS.get(kind, "unknown")
        address = attrib.get("address", "")
        date = self._time(attrib.get("date"), entry)
        extra = {"status": status}
        if status == "received":
            sender = self._sender(address, _value(attrib.get("contact_name")))
            sent_at, received_at = self._time(attrib.get("date_sent"), entry), date
        else:
            sender = OWNER
            extra["to"] = address
            if contact := _value(attrib.get("contact_name")):
                extra["to_name"] = contact
            sent_at, received_at = (None if status == "draft" else date), None
            if status == "draft" and date:
                extra["saved_at"] = date.isoformat()
        if subject := _value(attrib.get("subject")):
            extra["subject"] = subject
        message = Message(
            sent_at=sent_at,
            sender=sender,
            text=attrib.get("body", ""),
            channel=CHANNEL,
            origin=Origin(entry=entry),
            received_at=received_at,
            extra=extra,
        )
        self.pending = _Pending(message, byte_start, line, line)

    def _mms_message(self, mms: _Mms) -> Message:
        attrib = mms.attrib
        status = MMS_BOX.get(attrib.get("msg_box", ""), "unknown")
        date = self._time(attrib.get("date"), mms.entry)
        from_address = next((a for t, a in mms.addresses if t == ADDR_FROM), "")
        recipients = [a for t, a in mms.addresses if t in (ADDR_TO, ADDR_CC, ADDR_BCC)]
        extra = {"status": status}
        owner = status != "received" or from_address == _OWNER_TOKEN
        if owner:
            sender = OWNER
            sent_at = None if status == "draft" else date
            received_at = None
        else:
            thread = attrib.get("address", "")
            # For a group thread the contact name lists everyone: name the sender by number.
            name = _value(attrib.get("contact_name")) if "~" not in thread else None
            sender = self._sender(from_address or thread, name)
            sent_at, received_at = self._time(attrib.get("date_sent"), mms.entry), date
        recipients = [a for a in recipients if a != _OWNER_TOKEN]
        if recipients:
            extra["to"] = ", ".join(recipients)
        if subject := _value(attrib.get("sub")):
            extra["subject"] = subject
        return Message(
            sent_at=sent_at,
            sender=sender,
            text="\n".join(mms.texts),
            channel=CHANNEL,
            origin=Origin(entry=mms.entry),
            attachments=tuple(mms.attachments),
            received_at=received_at,
            extra=extra,
        )

    def _part(self, mms: _Mms, attrib: dict[str, str]) -> None:
        index = mms.part_index
        mms.part_index += 1
        media_type = (attrib.get("ct") or "application/octet-stream").lower()
        if media_type == "application/smil":
            return
        data = attrib.get("data")
        if media_type == "text/plain" and not data:
            text = attrib.get("text", "")
            if text and text != "null":
                mms.texts.append(text)
            return
        name = (
            next((v for k in ("name", "cl", "fn") if (v := _value(attrib.get(k)))), None)
            or f"part-{index}{mimetypes.guess_extension(media_type) or '.bin'}"
        )
        if not data:
            mms.attachments.append(Attachment(name=name, media_type=media_type, missing=True))
            return
        extracted = None
        if self.media_dir is not None:
            extracted = (
                f"{mms.entry.replace('[', '').replace(']', '')}-part{index}-{_safe_file_name(name)}"
            )
            if not _write_base64(data, self.media_dir / extracted):
                self.notes.append(
                    f"{mms.entry} part {index}: the attachment's data is not "
                    "valid base64 and was not extracted"
                )
                extracted = None
        mms.attachments.append(Attachment(name=name, media_type=media_type, extracted_to=extracted))

    def _sender(self, address: str, contact_name: str | None) -> Sender:
        key = (address, contact_name or "")
        sender = self.senders.get(key)
        if sender is None:
            sender = Sender(
                display_name=contact_name or address or "unknown",
                phone=address or None,
                platform="sms",
            )
            self.senders[key] = sender
        return sender

    def _time(self, value: str | None, entry: str) -> datetime | None:
        if value is None or value.strip() in ("", "0", "null"):
            return None
        try:
            number = int(value.strip())
            if number < 0:
                raise ValueError
            # MMS date_sent is in seconds; everything else in milliseconds.
            seconds = number if number < 100_000_000_000 else number / 1000
            return datetime.fromtimestamp(seconds, UTC)
        except (ValueError, OverflowError, OSError):
            raise ImportFailure(
                self._where(entry),
                "a date is not a possible time (it should be milliseconds since 1970)",
            ) from None


def _value(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return None if text in _NULLS else text


def _with_origin(message: Message, origin: Origin) -> Message:
    return Message(
        sent_at=message.sent_at,
        sender=message.sender,
        text=message.text,
        channel=message.channel,
        origin=origin,
        attachments=message.attachments,
        is_system=message.is_system,
        received_at=message.received_at,
        extra=message.extra,
    )


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _safe_file_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME.sub("_", base).strip("._")[:80]
    return base or "attachment"


def _write_base64(data: str, path: Path) -> bool:
    """Decode base64 to a new file a few MiB at a time; False (and no file) if it is not base64."""
    if any(c in data for c in " \n\r\t"):
        data = "".join(data.split())
    step = 4 << 20  # a multiple of 4, so each slice decodes on its own
    try:
        with open(path, "xb") as out:
            for i in range(0, len(data), step):
                out.write(binascii.a2b_base64(data[i : i + step]))
    except (binascii.Error, ValueError):
        path.unlink(missing_ok=True)
        return False
    return True
