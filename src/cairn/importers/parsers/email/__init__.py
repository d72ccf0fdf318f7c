"""E-mail: one ``.eml`` message or an ``.mbox`` mailbox, with DKIM checked offline.

Input: a ``Source`` (bytes, a path or a binary stream; see ``_input``). A file whose first
line is an mbox separator (``From sender date``) is read as an mbox, one message at a time,
so a large mailbox never has to fit in memory; anything else is one RFC 5322 message. The
raw bytes stay the original: each ``Message.origin`` gives the message's byte and line range
(for an mbox, from its ``From`` separator line to the next one) and ``message[N]``.

An Outlook ``.msg`` (an OLE2 file, told by its first bytes) is read with ``extract-msg``
(``_outlook``): its transport headers, text (or HTML) body and attachments become the same
``Message``; DKIM cannot be checked (the original bytes are gone), and a note says so. One
that cannot be read is refused with a message saying how to save the mail as ``.eml``.

Per message (stdlib ``email`` with ``policy.default``): the sender from ``From``: always its
address (``Sender.display_name`` and ``Sender.email``), with the display name as written kept
beside it in ``extra["from_name"]``; when that display name is itself an address (or holds
one) other than the real one, as in ``From: alice@example.com <bob@example.com>``,
``extra["possible_spoof"]`` says so in words and a note names the message. ``sent_at`` from
``Date`` (a ``-0000`` zone is read as UTC, RFC 5322 3.3), ``received_at`` from the newest
``Received`` header's date, the text body (``text/plain`` preferred, else HTML with the tags
stripped; each part decoded with its declared charset), attachments listed by name and type
(not decoded): every part that is not the body, including inline parts known only by their
``Content-ID`` (RFC 2392; named after it), and in ``extra``: ``message_id``, ``subject``,
``to``, ``cc``, ``date_header`` (as written), ``received`` (the chain, newest first, one
header a line), ``authentication_results``, ``dkim``, and ``mime_damage`` when the MIME
structure had to be repaired (``_mime``: 8-bit headers read with the declared charset, broken
boundaries recovered as far as the standard library allows).

DKIM (RFC 6376) is verified with ``dkimpy``, first against keys the caller archived:
``dkim_keys`` maps ``"selector._domainkey.domain"`` to the DNS TXT record's bytes as fetched at
an earlier import (a ``DkimKey`` also says when; keys rotate, so a later lookup can fail for an
honest message). Only when no archived key verifies does the parser call ``dkim_lookup``, if
the caller gives one, with that name; it returns the record's bytes or None (the import
pipeline passes ``cairn.importers.dkim_dns.DnsKeyLookup``, which asks DNS and remembers what
it fetched so the key can be archived). The parser itself never touches the network, and asks
the lookup at most once per name. ``extra["dkim"]`` is ``"pass"`` when a signature verifies,
``"fail"`` when usable keys were found for the signatures and none verifies (the message or
the signature was altered), and ``"not verified"`` when there is no signature, or no usable
key for it archived or looked up (none, revoked, not a DKIM record);
``extra["dkim_detail"]`` says which, and which key was used.

A malformed Date header does not fail the mailbox: ``sent_at`` is None, the header is kept
as written, and a note says so. What fails (``ImportFailure``, naming the file and the
message): an empty file, a file that is not e-mail (no headers; binary), an unreadable
message.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Collection, Iterator, Mapping
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import BinaryIO

from cairn.importers.base import Attachment, ImportFailure, Message, Origin, ParsedImport, Sender
from cairn.importers.parsers import _outlook
from cairn.importers.parsers._input import Source, open_binary, source_name
from cairn.importers.parsers._mime import headers_of, recover_multipart
from cairn.importers.parsers.email.parts import (
    attachments_of,
    body_of,
    clean_text,
    strip_html,
    unfold_header,
)
from cairn.importers.parsers.email.signatures import (
    DKIM_NOT_VERIFIED,
    ArchivedKeys,
    AskOnce,
    DkimKey,
    DkimResult,
    KeyLookup,
    archived_keys,
    verify_dkim,
)

__all__ = ["CHANNEL", "FORMAT", "DkimKey", "DkimResult", "KeyLookup", "parse", "verify_dkim"]

FORMAT = "email"
CHANNEL = "email"

# Headers any real message has at least one of.
_KNOWN_HEADERS = (
    "from",
    "date",
    "message-id",
    "subject",
    "to",
    "received",
    "return-path",
    "mime-version",
    "delivered-to",
    "sender",
    "reply-to",
    "cc",
)
_HEADER_NAME = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:")
# An address written in a display name: enough of RFC 5322 addr-spec to see one.
_NAME_ADDR = re.compile(r"^(?P<name>[^<>]*)<(?P<address>[^<>\s]+)>\s*$")
_ADDRESS_IN_NAME = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def parse(
    source: Source,
    *,
    name: str | None = None,
    dkim_keys: Mapping[str, ArchivedKeys] | None = None,
    dkim_lookup: KeyLookup | None = None,
    owner_addresses: Collection[str] = (),
) -> ParsedImport:
    """Parse an ``.eml`` message or an ``.mbox`` mailbox (see the module docstring).

    ``dkim_keys``: archived key records by ``"selector._domainkey.domain"`` (bytes, a
    ``DkimKey``, or several ``DkimKey`` when the vault archived more than one).
    ``dkim_lookup``: called with such a name when no archived key verifies a signature.
    ``owner_addresses``: the victim's own addresses; messages from them get
    ``Sender.is_owner``. Raises ``ImportFailure`` for bad input.
    """
    file_name = source_name(source, name)
    keys = archived_keys(dkim_keys or {})
    lookup = AskOnce(dkim_lookup) if dkim_lookup is not None else None
    owners = {a.strip().lower() for a in owner_addresses}
    messages: list[Message] = []
    notes: list[str] = []
    with open_binary(source) as stream:
        start = stream.read(len(_outlook.OLE_MAGIC))
        if start == _outlook.OLE_MAGIC:
            message = _outlook_message(stream.read(), file_name, owners, notes)
            return ParsedImport(
                format=FORMAT,
                source_name=file_name,
                assumed_time_zone=None,
                messages=(message,),
                notes=tuple(notes),
            )
        for index, (raw, byte_start, line_start, line_end, is_mbox) in enumerate(
            _split(_Rewound(start, stream), file_name)
        ):
            entry = f"message[{index}]"
            where = f"{file_name}, {entry}" if is_mbox else file_name
            origin = Origin(
                entry=entry,
                byte_start=byte_start,
                byte_end=byte_start + len(raw.envelope) + len(raw.message),
                line_start=line_start,
                line_end=line_end,
            )
            messages.append(_message(raw.message, origin, where, keys, lookup, owners, notes))
    return ParsedImport(
        format=FORMAT,
        source_name=file_name,
        assumed_time_zone=None,
        messages=tuple(messages),
        notes=tuple(notes),
    )


class _Raw:
    __slots__ = ("envelope", "message")

    def __init__(self, envelope: bytes, message: bytes) -> None:
        self.envelope = envelope  # the mbox "From " line, or b""
        self.message = message


class _Rewound:
    """A stream with its first bytes, already read, put back in front (the caller's stream
    need not be seekable)."""

    def __init__(self, start: bytes, stream: BinaryIO) -> None:
        self._start = io.BytesIO(start)
        self._stream = stream

    def readline(self) -> bytes:
        line = self._start.readline()
        if not line.endswith(b"\n"):
            line += self._stream.readline()
        return line

    def read(self) -> bytes:
        return self._start.read() + self._stream.read()

    def __iter__(self) -> Iterator[bytes]:
        while self._start.tell() < len(self._start.getbuffer()):
            line = self.readline()
            if not line:
                return
            yield line
        yield from self._stream


def _split(stream: _Rewound, name: str) -> Iterator[tuple[_Raw, int, int, int, bool]]:
    """Yield (raw, byte start, first line, last line, is mbox) per message, reading lines."""
    first = stream.readline()
    if not first:
        raise ImportFailure(name, "the file is empty")
    is_mbox = first.startswith(b"From ")
    if not is_mbox:
        rest = stream.read()
        data = first + rest
        if not data.strip():
            raise ImportFailure(name, "the file is empty")
        yield _Raw(b"", data), 0, 1, data.count(b"\n") + (not data.endswith(b"\n")), False
        return
    envelope, lines = first, list[bytes]()
    start, line_no, line_start, previous_blank = 0, 1, 1, False
    position = len(first)
    for line in stream:
        line_no += 1
        if line.startswith(b"From ") and previous_blank:
            yield _Raw(envelope, b"".join(lines)), start, line_start, line_no - 1, True
            envelope, lines, start, line_start = line, [], position, line_no
        else:
            lines.append(line)
        previous_blank = line in (b"\n", b"\r\n")
        position += len(line)
    yield _Raw(envelope, b"".join(lines)), start, line_start, line_no, True


def _message(
    raw: bytes,
    origin: Origin,
    where: str,
    keys: Mapping[str, tuple[DkimKey, ...]],
    lookup: KeyLookup | None,
    owners: set[str],
    notes: list[str],
) -> Message:
    head = raw[: raw.find(b"\n\n") if b"\n\n" in raw else 4096]
    if b"\x00" in head:
        raise ImportFailure(where, "this is a binary file, not e-mail")
    first_line = raw.lstrip(b"\r\n").split(b"\n", 1)[0]
    if not _HEADER_NAME.match(first_line):
        raise ImportFailure(where, "this is not an e-mail message (it does not start with headers)")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        if not any(k.lower() in _KNOWN_HEADERS for k in msg):
            raise ImportFailure(
                where,
                "this is not an e-mail message (none of From, Date, To, Subject or Message-ID)",
            )
        msg, damage = recover_multipart(raw, msg)
        if damage:
            notes.append(
                f"{where}: its MIME structure is damaged ({'; '.join(damage)}); it "
                "was read as far as its parts could be found"
            )
        return _read(msg, raw, origin, where, keys, lookup, owners, notes, damage)
    except ImportFailure:
        raise
    except Exception:  # the stdlib parser has crash bugs on hostile input
        raise ImportFailure(where, "the message is damaged and could not be read") from None


def _read(
    msg: EmailMessage,
    raw: bytes,
    origin: Origin,
    where: str,
    keys: Mapping[str, tuple[DkimKey, ...]],
    lookup: KeyLookup | None,
    owners: set[str],
    notes: list[str],
    damage: tuple[str, ...] = (),
) -> Message:
    headers = headers_of(raw, msg)
    extra, received = _header_extra(headers)
    if damage:
        extra["mime_damage"] = "; ".join(damage)
    sent_at = _date(headers)
    if sent_at is None and "date_header" in extra:
        notes.append(f"{where}: the Date header is not a valid date; no sending time kept")
    received_at = _received_date(received[0]) if received else None

    result = verify_dkim(raw, msg, keys, lookup=lookup)
    extra["dkim"], extra["dkim_detail"] = result.status, result.detail

    body_part, text = body_of(msg)
    if body_part is not None and body_part.get_content_type() == "text/html":
        extra["body_from"] = "text/html"
    sender = _sender(headers, owners, extra, where, notes)
    return Message(
        sent_at=sent_at,
        sender=sender,
        text=clean_text(text.strip()),
        channel=CHANNEL,
        origin=origin,
        attachments=tuple(attachments_of(msg, body_part)),
        received_at=received_at,
        extra=extra,
    )


def _header_extra(msg: EmailMessage) -> tuple[dict[str, str], list[str]]:
    """The headers kept in ``extra``, and the Received chain (newest first)."""
    extra: dict[str, str] = {}
    for key, header in (("subject", "Subject"), ("to", "To"), ("cc", "Cc")):
        if (value := _header(msg, header)) is not None:
            extra[key] = value
    for key, header in (("message_id", "Message-ID"), ("date_header", "Date")):
        if values := _raw_headers(msg, header):
            extra[key] = values[0]
    received = _raw_headers(msg, "Received")
    if received:
        extra["received"] = "\n".join(received)
    if results := _raw_headers(msg, "Authentication-Results"):
        extra["authentication_results"] = "\n".join(results)
    return extra, received


# -- Outlook .msg ----------------------------------------------------------------------------


def _outlook_message(rest: bytes, where: str, owners: set[str], notes: list[str]) -> Message:
    data = _outlook.OLE_MAGIC + rest
    try:
        outlook = _outlook.read(data)
    except _outlook.OutlookUnreadable as exc:
        raise ImportFailure(where, f"{exc.reason}; {_outlook.HOW_TO_SAVE_AS_EML}") from None
    headers = outlook.headers
    extra, received = _header_extra(headers) if headers is not None else ({}, [])
    for key, value in (("subject", outlook.subject), ("to", outlook.to), ("cc", outlook.cc)):
        if value.strip() and key not in extra:
            extra[key] = unfold_header(value)
    extra["dkim"] = DKIM_NOT_VERIFIED
    extra["dkim_detail"] = (
        "an Outlook .msg keeps the message's headers and text but not its "
        "original bytes, so its DKIM signature cannot be checked"
    )
    extra["read_from"] = "Outlook .msg"
    notes.append(
        f"{where}: read from an Outlook .msg file; its DKIM signature, if any, cannot "
        "be checked (save the message as .eml to keep it checkable)"
    )
    sent_at = _date(headers) if headers is not None else None
    if sent_at is None and "date_header" not in extra and outlook.sent_at is not None:
        sent_at = _aware(outlook.sent_at)
    if sent_at is None and "date_header" in extra:
        notes.append(f"{where}: the Date header is not a valid date; no sending time kept")
    if headers is not None and headers.get("From") is not None:
        sender = _sender(headers, owners, extra, where, notes)
    else:
        sender = _sender_of(outlook.sender, owners, extra, where, notes)
    text, body_from = outlook.body, ""
    if not text.strip() and outlook.html:
        text, body_from = strip_html(outlook.html.decode("utf-8", "replace")), "text/html"
    if body_from:
        extra["body_from"] = body_from
    attachments = tuple(
        Attachment(name=clean_text(a.name), media_type=a.media_type) for a in outlook.attachments
    )
    size = len(_outlook.OLE_MAGIC) + len(rest)
    return Message(
        sent_at=sent_at,
        sender=sender,
        text=clean_text(text.strip()),
        channel=CHANNEL,
        origin=Origin(entry="message[0]", byte_start=0, byte_end=size),
        attachments=attachments,
        received_at=_received_date(received[0]) if received else None,
        extra=extra,
    )


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _header(msg: EmailMessage, name: str) -> str | None:
    """A header decoded (encoded words and all), unfolded."""
    value = msg.get(name)
    return None if value is None else unfold_header(str(value))


def _raw_headers(msg: EmailMessage, name: str) -> list[str]:
    """Every ``name`` header as written in the message (unfolded), first first."""
    wanted = name.lower()
    return [unfold_header(str(value)) for key, value in msg.raw_items() if key.lower() == wanted]


def _sender(
    msg: EmailMessage, owners: set[str], extra: dict[str, str], where: str, notes: list[str]
) -> Sender | None:
    header = msg.get("From")
    if header is None:
        return None
    written = _mailbox(_raw_headers(msg, "From")[0])
    if written is not None:
        return _sender_from(*written, owners, extra, where, notes)
    addresses = getattr(header, "addresses", ())
    if addresses:
        address = addresses[0]
        return _sender_from(address.display_name, address.addr_spec, owners, extra, where, notes)
    return _sender_from(unfold_header(str(header)), "", owners, extra, where, notes)


def _mailbox(value: str) -> tuple[str, str] | None:
    """(display name, address) of a From written ``name <address>``, the address being what
    is in the angle brackets (RFC 5322 3.4 name-addr), whatever the name holds. The standard
    library reads an unquoted address in the name (``alice@example.com <bob@example.com>``)
    as the sender, which is exactly how a spoofed message looks; this does not."""
    match = _NAME_ADDR.match(value)
    if match is None or "@" not in match.group("address"):
        return None
    name = match.group("name").strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    with contextlib.suppress(HeaderParseError, LookupError, UnicodeError, ValueError):
        name = str(make_header(decode_header(name)))
    return name, match.group("address").strip()


def _sender_of(
    written: str, owners: set[str], extra: dict[str, str], where: str, notes: list[str]
) -> Sender | None:
    """A sender written as ``Name <address>`` (Outlook's PR_SENDER without headers)."""
    if not written.strip():
        return None
    mailbox = _mailbox(unfold_header(written))
    if mailbox is None:
        (display, address), *_ = getaddresses([written]) or [("", "")]
        mailbox = (display or ("" if address else written), address)
    return _sender_from(*mailbox, owners, extra, where, notes)


def _sender_from(
    display: str,
    address: str,
    owners: set[str],
    extra: dict[str, str],
    where: str,
    notes: list[str],
) -> Sender:
    """The sender is the address; the name as written is kept beside it. A name that is (or
    holds) another address is how a spoofed message looks, and is said to be."""
    email = clean_text(address.strip()) or None
    display = unfold_header(display)
    if email is None:
        return Sender(display_name=display or "unknown", platform="email")
    if display and display.casefold() != email.casefold():
        extra["from_name"] = display
        shown = [a for a in _ADDRESS_IN_NAME.findall(display) if a.casefold() != email.casefold()]
        if shown:
            extra["possible_spoof"] = (
                f"The name shown for the sender, \u201c{display}\u201d, is the address "
                f"{shown[0]}, but the message was sent from {email}: a possible spoof."
            )
            notes.append(
                f"{where}: possible spoof: the sender's name shows the address "
                f"{shown[0]}, but the message was sent from {email}"
            )
    return Sender(
        display_name=email, email=email, platform="email", is_owner=email.lower() in owners
    )


def _date(msg: EmailMessage) -> datetime | None:
    header = msg.get("Date")
    value = getattr(header, "datetime", None)
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _received_date(header: str) -> datetime | None:
    _, semicolon, when = header.rpartition(";")
    if not semicolon:
        return None
    try:
        value = parsedate_to_datetime(when.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# -- DKIM ------------------------------------------------------------------------------------
