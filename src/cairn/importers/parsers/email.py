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
import mimetypes
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import BinaryIO

import dkim  # type: ignore[import-untyped]

from cairn.importers.base import Attachment, ImportFailure, Message, Origin, ParsedImport, Sender
from cairn.importers.parsers import _outlook
from cairn.importers.parsers._input import Source, open_binary, source_name
from cairn.importers.parsers._mime import headers_of, recover_multipart

__all__ = ["CHANNEL", "FORMAT", "DkimKey", "DkimResult", "KeyLookup", "parse",
           "verify_dkim"]

FORMAT = "email"
CHANNEL = "email"
DKIM_PASS, DKIM_FAIL, DKIM_NOT_VERIFIED = "pass", "fail", "not verified"

# Headers any real message has at least one of.
_KNOWN_HEADERS = ("from", "date", "message-id", "subject", "to", "received", "return-path",
                  "mime-version", "delivered-to", "sender", "reply-to", "cc")
_HEADER_NAME = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:")
_MAX_DEPTH = 40
# An address written in a display name: enough of RFC 5322 addr-spec to see one.
_NAME_ADDR = re.compile(r"^(?P<name>[^<>]*)<(?P<address>[^<>\s]+)>\s*$")
_ADDRESS_IN_NAME = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def parse(source: Source, *, name: str | None = None,
          dkim_keys: Mapping[str, ArchivedKeys] | None = None,
          dkim_lookup: KeyLookup | None = None,
          owner_addresses: Collection[str] = ()) -> ParsedImport:
    """Parse an ``.eml`` message or an ``.mbox`` mailbox (see the module docstring).

    ``dkim_keys``: archived key records by ``"selector._domainkey.domain"`` (bytes, a
    ``DkimKey``, or several ``DkimKey`` when the vault archived more than one).
    ``dkim_lookup``: called with such a name when no archived key verifies a signature.
    ``owner_addresses``: the victim's own addresses; messages from them get
    ``Sender.is_owner``. Raises ``ImportFailure`` for bad input.
    """
    file_name = source_name(source, name)
    keys = _archived(dkim_keys or {})
    lookup = _AskOnce(dkim_lookup) if dkim_lookup is not None else None
    owners = {a.strip().lower() for a in owner_addresses}
    messages: list[Message] = []
    notes: list[str] = []
    with open_binary(source) as stream:
        start = stream.read(len(_outlook.OLE_MAGIC))
        if start == _outlook.OLE_MAGIC:
            message = _outlook_message(stream.read(), file_name, owners, notes)
            return ParsedImport(format=FORMAT, source_name=file_name, assumed_time_zone=None,
                                messages=(message,), notes=tuple(notes))
        for index, (raw, byte_start, line_start, line_end, is_mbox) in enumerate(
                _split(_Rewound(start, stream), file_name)):
            entry = f"message[{index}]"
            where = f"{file_name}, {entry}" if is_mbox else file_name
            origin = Origin(entry=entry, byte_start=byte_start,
                            byte_end=byte_start + len(raw.envelope) + len(raw.message),
                            line_start=line_start, line_end=line_end)
            messages.append(_message(raw.message, origin, where, keys, lookup, owners, notes))
    return ParsedImport(format=FORMAT, source_name=file_name, assumed_time_zone=None,
                        messages=tuple(messages), notes=tuple(notes))


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


def _message(raw: bytes, origin: Origin, where: str, keys: Mapping[str, tuple[DkimKey, ...]],
             lookup: KeyLookup | None, owners: set[str], notes: list[str]) -> Message:
    head = raw[: raw.find(b"\n\n") if b"\n\n" in raw else 4096]
    if b"\x00" in head:
        raise ImportFailure(where, "this is a binary file, not e-mail")
    first_line = raw.lstrip(b"\r\n").split(b"\n", 1)[0]
    if not _HEADER_NAME.match(first_line):
        raise ImportFailure(where, "this is not an e-mail message (it does not start with "
                                   "headers)")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        if not any(k.lower() in _KNOWN_HEADERS for k in msg):
            raise ImportFailure(where, "this is not an e-mail message (none of From, Date, "
                                       "To, Subject or Message-ID)")
        msg, damage = recover_multipart(raw, msg)
        if damage:
            notes.append(f"{where}: its MIME structure is damaged ({'; '.join(damage)}); it "
                         "was read as far as its parts could be found")
        return _read(msg, raw, origin, where, keys, lookup, owners, notes, damage)
    except ImportFailure:
        raise
    except Exception:  # the stdlib parser has crash bugs on hostile input
        raise ImportFailure(where, "the message is damaged and could not be read") from None


def _read(msg: EmailMessage, raw: bytes, origin: Origin, where: str,
          keys: Mapping[str, tuple[DkimKey, ...]], lookup: KeyLookup | None, owners: set[str],
          notes: list[str], damage: tuple[str, ...] = ()) -> Message:
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

    body_part, text = _body(msg)
    if body_part is not None and body_part.get_content_type() == "text/html":
        extra["body_from"] = "text/html"
    sender = _sender(headers, owners, extra, where, notes)
    return Message(sent_at=sent_at, sender=sender, text=_clean(text.strip()),
                   channel=CHANNEL, origin=origin, attachments=tuple(_attachments(msg,
                                                                                  body_part)),
                   received_at=received_at, extra=extra)


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
            extra[key] = _unfold(value)
    extra["dkim"] = DKIM_NOT_VERIFIED
    extra["dkim_detail"] = ("an Outlook .msg keeps the message's headers and text but not its "
                            "original bytes, so its DKIM signature cannot be checked")
    extra["read_from"] = "Outlook .msg"
    notes.append(f"{where}: read from an Outlook .msg file; its DKIM signature, if any, cannot "
                 "be checked (save the message as .eml to keep it checkable)")
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
        text, body_from = _strip_html(outlook.html.decode("utf-8", "replace")), "text/html"
    if body_from:
        extra["body_from"] = body_from
    attachments = tuple(
        Attachment(name=_clean(a.name), media_type=a.media_type) for a in outlook.attachments)
    size = len(_outlook.OLE_MAGIC) + len(rest)
    return Message(sent_at=sent_at, sender=sender, text=_clean(text.strip()), channel=CHANNEL,
                   origin=Origin(entry="message[0]", byte_start=0, byte_end=size),
                   attachments=attachments,
                   received_at=_received_date(received[0]) if received else None, extra=extra)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _header(msg: EmailMessage, name: str) -> str | None:
    """A header decoded (encoded words and all), unfolded."""
    value = msg.get(name)
    return None if value is None else _unfold(str(value))


def _raw_headers(msg: EmailMessage, name: str) -> list[str]:
    """Every ``name`` header as written in the message (unfolded), first first."""
    wanted = name.lower()
    return [_unfold(str(value)) for key, value in msg.raw_items() if key.lower() == wanted]


def _unfold(value: str) -> str:
    return " ".join(_clean(value).split())


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(value: str) -> str:
    """Undecodable 8-bit bytes arrive as surrogate escapes: show them as U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def _sender(msg: EmailMessage, owners: set[str], extra: dict[str, str], where: str,
            notes: list[str]) -> Sender | None:
    header = msg.get("From")
    if header is None:
        return None
    written = _mailbox(_raw_headers(msg, "From")[0])
    if written is not None:
        return _sender_from(*written, owners, extra, where, notes)
    addresses = getattr(header, "addresses", ())
    if addresses:
        address = addresses[0]
        return _sender_from(address.display_name, address.addr_spec, owners, extra, where,
                            notes)
    return _sender_from(_unfold(str(header)), "", owners, extra, where, notes)


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


def _sender_of(written: str, owners: set[str], extra: dict[str, str], where: str,
               notes: list[str]) -> Sender | None:
    """A sender written as ``Name <address>`` (Outlook's PR_SENDER without headers)."""
    if not written.strip():
        return None
    mailbox = _mailbox(_unfold(written))
    if mailbox is None:
        (display, address), *_ = getaddresses([written]) or [("", "")]
        mailbox = (display or ("" if address else written), address)
    return _sender_from(*mailbox, owners, extra, where, notes)


def _sender_from(display: str, address: str, owners: set[str], extra: dict[str, str],
                 where: str, notes: list[str]) -> Sender:
    """The sender is the address; the name as written is kept beside it. A name that is (or
    holds) another address is how a spoofed message looks, and is said to be."""
    email = _clean(address.strip()) or None
    display = _unfold(display)
    if email is None:
        return Sender(display_name=display or "unknown", platform="email")
    if display and display.casefold() != email.casefold():
        extra["from_name"] = display
        shown = [a for a in _ADDRESS_IN_NAME.findall(display) if a.casefold() != email.casefold()]
        if shown:
            extra["possible_spoof"] = (
                f"The name shown for the sender, \u201c{display}\u201d, is the address "
                f"{shown[0]}, but the message was sent from {email}: a possible spoof.")
            notes.append(f"{where}: possible spoof: the sender's name shows the address "
                         f"{shown[0]}, but the message was sent from {email}")
    return Sender(display_name=email, email=email, platform="email",
                  is_owner=email.lower() in owners)


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


def _body(msg: EmailMessage) -> tuple[EmailMessage | None, str]:
    """The text/plain body if it says anything, else the HTML one with its tags stripped."""
    first: EmailMessage | None = None
    for preference in ("plain", "html"):
        part = msg.get_body(preferencelist=(preference,))
        if part is None and not msg.is_multipart() and msg.get_content_type() == "text/" + \
                preference:
            part = msg
        if not isinstance(part, EmailMessage):
            continue
        first = first or part
        text = _text(part)
        if preference == "html":
            text = _strip_html(text)
        if text.strip():
            return part, text
    return first, ""


def _text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except (LookupError, ValueError, UnicodeError, AssertionError, KeyError):
        pass
    payload = part.get_payload(decode=True)
    return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _attachments(msg: EmailMessage, body_part: EmailMessage | None) -> list[Attachment]:
    found: list[Attachment] = []

    def visit(part: EmailMessage, depth: int) -> None:
        if part is body_part or depth > _MAX_DEPTH:
            return
        content_type = part.get_content_type()
        file_name = part.get_filename()
        if content_type == "message/rfc822":
            fallback = f"attached-message-{len(found)}.eml"
            found.append(Attachment(name=_clean(file_name or fallback), media_type=content_type))
            return
        if part.is_multipart():
            for child in part.iter_parts():
                if isinstance(child, EmailMessage):
                    visit(child, depth + 1)
            return
        if part.get_content_maintype() == "multipart":
            return  # a container whose parts could not be found: nothing in it to keep
        content_id = _content_id(part)
        disposition = part.get_content_disposition()
        alternative_text = (content_type in ("text/plain", "text/html")
                            and disposition != "attachment")
        if disposition == "attachment" or file_name or content_id or not alternative_text:
            name = file_name or _content_id_name(content_id, content_type) or \
                f"attachment-{len(found)}{mimetypes.guess_extension(content_type) or ''}"
            found.append(Attachment(name=_clean(name), media_type=content_type))

    visit(msg, 0)
    return found


def _content_id(part: EmailMessage) -> str:
    value = part.get("Content-ID")
    return _unfold(str(value)).strip().strip("<>").strip() if value is not None else ""


def _content_id_name(content_id: str, content_type: str) -> str:
    """A file name for an inline part known only by its Content-ID (RFC 2392): the part of
    the id before ``@`` (``image001.png@01D9...`` gives ``image001.png``), with an extension
    from its type when the id has none."""
    local = content_id.split("@", 1)[0].strip().replace("/", "_").replace("\\", "_")
    if not local:
        return ""
    if "." not in local.lstrip("."):
        local += mimetypes.guess_extension(content_type) or ""
    return local


class _TextOnly(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "title"})
    _BREAK = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                        "blockquote", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAK:
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BREAK:
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.pieces.append(data)


def _strip_html(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    text = "".join(parser.pieces)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# -- DKIM ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DkimKey:
    """A DKIM key as archived: the DNS TXT record's bytes, and when it was fetched."""

    record: bytes
    fetched_at: datetime | None = None


KeyLookup = Callable[[str], bytes | None]
ArchivedKeys = bytes | DkimKey | Iterable[DkimKey]


class DkimResult:
    """The outcome of checking a message's DKIM signatures."""

    __slots__ = ("detail", "status")

    def __init__(self, status: str, detail: str) -> None:
        self.status = status
        self.detail = detail

    def __repr__(self) -> str:
        return f"DkimResult({self.status!r}, {self.detail!r})"


def _key_name(name: str | bytes) -> str:
    if isinstance(name, bytes):
        name = name.decode("ascii", "replace")
    return name.strip().rstrip(".").lower()


def _archived(keys: Mapping[str, ArchivedKeys]) -> dict[str, tuple[DkimKey, ...]]:
    """Archived keys by lower-case name, each name's records in the order given."""
    found: dict[str, list[DkimKey]] = {}
    for name, value in keys.items():
        if isinstance(value, bytes | bytearray):
            records: Iterable[DkimKey] = [DkimKey(bytes(value))]
        elif isinstance(value, DkimKey):
            records = [value]
        else:
            records = value
        known = found.setdefault(_key_name(name), [])
        for record in records:
            if record.record not in [k.record for k in known]:
                known.append(record)
    return {name: tuple(records) for name, records in found.items()}


class _AskOnce:
    """The caller's lookup, asked at most once per name (a mailbox has many messages per
    selector), with the caller's reasons for failed lookups if it keeps them
    (``DnsKeyLookup.failures``)."""

    def __init__(self, lookup: KeyLookup) -> None:
        self.lookup = lookup
        self.answers: dict[str, bytes | None] = {}
        failures = getattr(lookup, "failures", None)
        self.failures: Mapping[str, str] = failures if failures is not None else {}

    def __call__(self, name: str) -> bytes | None:
        if name not in self.answers:
            self.answers[name] = self.lookup(name)
        return self.answers[name]


def _signature_tags(value: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in value.split(";"):
        key, equals, tag_value = item.partition("=")
        if equals:
            tags[key.strip()] = "".join(tag_value.split())
    return tags


def _verifies(raw: bytes, index: int, record: bytes) -> bool:
    """Whether signature ``index`` of ``raw`` verifies against ``record``, offline."""

    def given_key(name: bytes, timeout: int = 5) -> bytes | None:
        return record

    try:
        return bool(dkim.DKIM(raw).verify(idx=index, dnsfunc=given_key))
    except (dkim.DKIMException, ValueError, IndexError, KeyError, TypeError):
        return False


def _unusable(record: bytes) -> str | None:
    """Why a key record cannot verify anything (so a signature is not called altered)."""
    tags = _signature_tags(record.decode("ascii", "replace"))
    if "p" not in tags:
        return "is not a DKIM key record"
    if not tags["p"]:
        return "was revoked by the domain (its key is empty)"
    return None


def _archived_on(key: DkimKey) -> str:
    if key.fetched_at is None:
        return "the archived key"
    return f"the key archived on {key.fetched_at.astimezone(UTC).date().isoformat()}"


def verify_dkim(raw: bytes, msg: EmailMessage, keys: Mapping[str, ArchivedKeys], *,
                lookup: KeyLookup | None = None) -> DkimResult:
    """Verify each DKIM-Signature of ``raw`` against archived keys, else looked-up ones.

    Inputs: the message's exact bytes (any re-encoding breaks the signature), the parsed
    message (to find the signatures' ``d=``/``s=``), the archived TXT records keyed by
    ``"selector._domainkey.domain"`` (see ``parse``) and, optionally, ``lookup``: a function
    from such a name to the record's bytes, or None when it cannot be fetched. dkimpy sees
    keys only through the function given here, never DNS itself.

    Archived keys always come first: ``lookup`` is called for a signature only when none of
    its archived keys verifies it, so a message whose key is archived costs no lookup (and
    a key the domain has since replaced under the same selector can still pass).

    Output: "pass" if any signature verifies, saying against which key; "fail" if usable
    keys were found for signatures and none verifies; otherwise "not verified", saying why
    (no archived key, the lookup's reason when it failed, a revoked key or a record that is
    not a DKIM key: none of these says the message was changed).
    """
    signatures = msg.get_all("DKIM-Signature") or []
    if not signatures:
        return DkimResult(DKIM_NOT_VERIFIED, "the message has no DKIM-Signature header")
    archive = _archived(keys)

    tried: list[str] = []  # usable keys that did not verify
    missing: list[str] = []  # names with no archived key (and no lookup)
    why_not: list[str] = []  # other reasons a signature could not be checked
    for index, header in enumerate(signatures):
        tags = _signature_tags(str(header))
        domain, selector = tags.get("d", ""), tags.get("s", "")
        if not domain or not selector:
            why_not.append(f"signature {index + 1} names no domain or selector")
            continue
        key_name = _key_name(f"{selector}._domainkey.{domain}")
        signer = f"signature by d={domain} s={selector}"
        archived = archive.get(key_name, ())
        for key in archived:
            if problem := _unusable(key.record):
                why_not.append(f"{_archived_on(key)} for {key_name} {problem}")
            elif _verifies(raw, index, key.record):
                return DkimResult(DKIM_PASS, f"{signer} verified against {_archived_on(key)}")
            else:
                tried.append(f"{_archived_on(key)} for {key_name}")
        if lookup is None:
            if not archived:
                missing.append(key_name)
            continue
        record = lookup(key_name)
        if record is None:
            if not archived:
                reasons: Mapping[str, str] = getattr(lookup, "failures", {})
                reason = reasons.get(key_name)
                why_not.append(f"no archived key for {key_name}, and the key could not be "
                               f"looked up{': ' + reason if reason else ''}")
        elif any(key.record == record for key in archived):
            pass  # the domain still publishes the key already tried
        elif problem := _unusable(record):
            why_not.append(f"the key looked up at import for {key_name} {problem}")
        elif _verifies(raw, index, record):
            other = "; a different key is archived for that selector" if archived else ""
            return DkimResult(DKIM_PASS, f"{signer} verified against the key looked up at "
                                         f"import{other}")
        else:
            tried.append(f"the key looked up at import for {key_name}")
    if tried:
        return DkimResult(DKIM_FAIL, f"the signature does not verify against "
                                     f"{', '.join(tried)}: the message or its signature was "
                                     "changed")
    parts = [f"no archived key for {', '.join(missing)}"] if missing else []
    return DkimResult(DKIM_NOT_VERIFIED, "; ".join([*parts, *why_not]))
