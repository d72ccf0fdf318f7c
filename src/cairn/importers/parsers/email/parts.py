"""The parts of an e-mail: its text body (HTML reduced to text) and its attachments
(pure, no Django)."""

from __future__ import annotations

import contextlib
import mimetypes
import re
from email.message import EmailMessage
from html.parser import HTMLParser

from cairn.importers.base import Attachment

_MAX_DEPTH = 40


def unfold_header(value: str) -> str:
    return " ".join(clean_text(value).split())


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Undecodable 8-bit bytes arrive as surrogate escapes: show them as U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def body_of(msg: EmailMessage) -> tuple[EmailMessage | None, str]:
    """The text/plain body if it says anything, else the HTML one with its tags stripped."""
    first: EmailMessage | None = None
    for preference in ("plain", "html"):
        part = msg.get_body(preferencelist=(preference,))
        if (
            part is None
            and not msg.is_multipart()
            and msg.get_content_type() == "text/" + preference
        ):
            part = msg
        if not isinstance(part, EmailMessage):
            continue
        first = first or part
        text = _text(part)
        if preference == "html":
            text = strip_html(text)
        if text.strip():
            return part, text
    return first, ""


def _text(part: EmailMessage) -> str:
    # A charset or transfer encoding the library cannot read falls back to the raw bytes.
    with contextlib.suppress(LookupError, ValueError, UnicodeError, AssertionError, KeyError):
        content = part.get_content()
        if isinstance(content, str):
            return content
    payload = part.get_payload(decode=True)
    return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def attachments_of(msg: EmailMessage, body_part: EmailMessage | None) -> list[Attachment]:
    found: list[Attachment] = []

    def visit(part: EmailMessage, depth: int) -> None:
        if part is body_part or depth > _MAX_DEPTH:
            return
        content_type = part.get_content_type()
        file_name = part.get_filename()
        if content_type == "message/rfc822":
            fallback = f"attached-message-{len(found)}.eml"
            found.append(
                Attachment(name=clean_text(file_name or fallback), media_type=content_type)
            )
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
        alternative_text = (
            content_type in ("text/plain", "text/html") and disposition != "attachment"
        )
        if disposition == "attachment" or file_name or content_id or not alternative_text:
            name = (
                file_name
                or _content_id_name(content_id, content_type)
                or f"attachment-{len(found)}{mimetypes.guess_extension(content_type) or ''}"
            )
            found.append(Attachment(name=clean_text(name), media_type=content_type))

    visit(msg, 0)
    return found


def _content_id(part: EmailMessage) -> str:
    value = part.get("Content-ID")
    return unfold_header(str(value)).strip().strip("<>").strip() if value is not None else ""


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
    _BREAK = frozenset(
        {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"}
    )

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


def strip_html(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    text = "".join(parser.pieces)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
