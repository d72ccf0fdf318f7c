"""Reading damaged or 8-bit MIME as far as the standard library allows. Pure.

Two repairs, each made only when the standard parser shows the problem, so a well-formed
message is read exactly as ``email.parser.BytesParser`` reads it:

- **8-bit headers** (``headers_of``). RFC 5322 headers are ASCII; RFC 6532 allows UTF-8; older
  mailers wrote raw ISO-8859 or Windows bytes. The standard parser turns every non-ASCII header
  byte into U+FFFD. When the header block has such bytes, it is decoded as UTF-8 if it is
  valid UTF-8, else with the charset the message declares for its text (RFC 2045
  ``Content-Type: ...; charset=``), and parsed again as text. With no declared charset, the
  bytes stay U+FFFD: the charset is never guessed.
- **Broken boundaries** (``recover_multipart``), RFC 2046 5.1.1. A multipart message whose
  parts are separated by a boundary other than the one it declares (or that declares none):
  the boundary its body does use (the ``--`` line repeated most, at least twice, made of the
  characters RFC 2046 allows) replaces the declared one. A message that closes its parts
  (``--boundary--``) and then goes on with more parts: the early closing lines become
  separators, so the later parts (often the attachments) are read. A last part that is never
  closed is read to the end of the message (the standard parser does that itself). Only the
  top-level boundary is repaired; a broken nested part is read as the standard parser reads it.
"""

from __future__ import annotations

import re
from collections import Counter
from email import errors, policy
from email.message import EmailMessage
from email.parser import BytesParser, Parser

__all__ = ["headers_of", "recover_multipart"]

_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
# RFC 2046 5.1.1 bchars (space allowed, but not last), 1 to 70 of them.
_BOUNDARY = re.compile(rb"^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$")
_CONTENT_TYPE = re.compile(rb"(?im)^content-type[ \t]*:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*")
_BOUNDARY_PARAM = re.compile(rb'(?i)(boundary\s*=\s*)("[^"]*"|[^;\s]+)')


def _parse(raw: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)  # policy.default's message factory
    return parsed


def _head_and_body(raw: bytes) -> tuple[bytes, bytes, bytes]:
    match = _BLANK_LINE.search(raw)
    if match is None:
        return raw, b"", b""
    return raw[: match.start()], raw[match.start() : match.end()], raw[match.end() :]


def declared_charset(msg: EmailMessage) -> str | None:
    """The charset the message declares: its own, else its first text part's."""
    charset = msg.get_content_charset()
    if charset:
        return charset
    for part in msg.walk():
        if part.get_content_maintype() == "text" and part.get_content_charset():
            return part.get_content_charset()
    return None


def headers_of(raw: bytes, msg: EmailMessage) -> EmailMessage:
    """``msg`` itself when its header block is ASCII; else the header block decoded (UTF-8,
    else the declared charset) and parsed as text, for reading From, Subject, To and Cc."""
    head = _head_and_body(raw)[0]
    if head.isascii():
        return msg
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        charset = declared_charset(msg)
        if charset is None:
            return msg
        try:
            text = head.decode(charset, "replace")
        except LookupError:
            return msg
    parsed = Parser(policy=policy.default).parsestr(text + "\n\n", headersonly=True)
    assert isinstance(parsed, EmailMessage)  # policy.default's message factory
    return parsed


def _boundary_used(body: bytes) -> bytes | None:
    """The boundary the body's ``--`` lines use most (at least twice), if any."""
    seen: Counter[bytes] = Counter()
    for line in body.split(b"\n"):
        if not line.startswith(b"--"):
            continue
        value = line[2:].rstrip(b" \t\r")
        if value.endswith(b"--"):
            value = value[:-2]
        if _BOUNDARY.match(value):
            seen[value] += 1
    if not seen:
        return None
    value, count = seen.most_common(1)[0]
    return value if count >= 2 else None


def _with_boundary(head: bytes, boundary: bytes) -> bytes:
    match = _CONTENT_TYPE.search(head)
    if match is None:
        return head
    field = match.group(0)
    if _BOUNDARY_PARAM.search(field):
        fixed = _BOUNDARY_PARAM.sub(lambda m: m.group(1) + b'"' + boundary + b'"', field, count=1)
    else:
        fixed = field.rstrip(b"; \t") + b'; boundary="' + boundary + b'"'
    return head[: match.start()] + fixed + head[match.end() :]


def _reopen_early_closes(body: bytes, boundary: bytes) -> tuple[bytes, bool]:
    """Close-delimiter lines followed later by a delimiter line become delimiter lines."""
    delimiter = b"--" + boundary
    lines = body.split(b"\n")
    stripped = [line.rstrip(b" \t\r") for line in lines]
    opens = [i for i, line in enumerate(stripped) if line == delimiter]
    if not opens:
        return body, False
    last_open = opens[-1]
    changed = False
    for index, line in enumerate(stripped):
        if index < last_open and line == delimiter + b"--":
            lines[index] = lines[index].replace(delimiter + b"--", delimiter, 1)
            changed = True
    return b"\n".join(lines), changed


def _unclosed(msg: EmailMessage) -> bool:
    return any(isinstance(d, errors.CloseBoundaryNotFoundDefect) for d in msg.defects)


def recover_multipart(raw: bytes, msg: EmailMessage) -> tuple[EmailMessage, tuple[str, ...]]:
    """``msg`` read again after repairing its top-level boundary, with what was wrong; or
    ``msg`` itself and no problems when its structure is sound (or not multipart). A sound
    message costs a look at its defects and its epilogue, nothing more."""
    if msg.get_content_maintype() != "multipart":
        return msg, ()
    problems: list[str] = []
    boundary_text = msg.get_boundary()
    boundary = boundary_text.encode("ascii", "surrogateescape") if boundary_text else None
    head, blank, body = b"", b"", b""
    repaired = msg
    if not msg.is_multipart() or boundary is None:
        head, blank, body = _head_and_body(raw)
        used = _boundary_used(body)
        if used is None:
            return msg, ("its parts could not be found (the boundary it declares is not in it)",)
        head, boundary = _with_boundary(head, used), used
        problems.append(
            "its parts are separated by a boundary other than the one it declares"
            if boundary_text
            else "it declares no boundary"
        )
        repaired = _parse(head + blank + body)
    delimiter = "--" + boundary.decode("ascii", "surrogateescape")
    if delimiter in (repaired.epilogue or ""):
        if not body:
            head, blank, body = _head_and_body(raw)
        body, reopened = _reopen_early_closes(body, boundary)
        if reopened:
            problems.append("it closes its parts and then goes on with more")
            repaired = _parse(head + blank + body)
    if _unclosed(repaired):
        problems.append("its last part is not closed")
    return repaired, tuple(problems)
