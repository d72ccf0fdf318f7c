"""What an Outlook ``.msg`` file holds, read with ``extract-msg`` (GPL-3.0, which AGPL-3.0
code may use). The e-mail parser turns it into a ``Message`` as it does an ``.eml``.

An Outlook ``.msg`` is an OLE2 compound file ([MS-CFB]) of MAPI properties ([MS-OXMSG]), not
RFC 5322 text: it keeps the transport headers of a received message as one property (absent
from drafts and from messages never sent), the text body and the HTML body separately, and
each attachment with its name, type and Content-ID. The message's original bytes are gone, so
its DKIM signature cannot be checked.

Raises ``OutlookUnreadable`` (with no detail from the library, which may quote content) when
the file is not an Outlook message or is damaged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import Parser

__all__ = ["OLE_MAGIC", "OutlookAttachment", "OutlookMessage", "OutlookUnreadable", "read"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# extract-msg reports odd properties through logging, sometimes with their values.
logging.getLogger("extract_msg").setLevel(logging.CRITICAL)

HOW_TO_SAVE_AS_EML = (
    "save the message as an .eml file and import that instead (Outlook on the web or the "
    "new Outlook: open the message, then More actions > Download or Save as; classic "
    "Outlook: forward it to yourself as an attachment and save that attachment)"
)


class OutlookUnreadable(Exception):
    """The file cannot be read as an Outlook message; ``reason`` says why, in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OutlookAttachment:
    name: str
    media_type: str | None
    content_id: str | None


@dataclass(frozen=True)
class OutlookMessage:
    headers: EmailMessage | None  # the transport headers, parsed; None when there are none
    sender: str  # PR_SENDER as extract-msg renders it ("Name <address>"), when no headers
    to: str
    cc: str
    subject: str
    sent_at: datetime | None  # the client's submit time, when no Date header
    body: str
    html: bytes | None
    attachments: tuple[OutlookAttachment, ...]


def read(data: bytes) -> OutlookMessage:
    """Read an Outlook ``.msg`` from its bytes."""
    import extract_msg  # a heavy import, needed only for Outlook files
    from extract_msg.enums import AttachmentType
    from extract_msg.msg_classes.message_base import MessageBase

    try:
        opened = extract_msg.openMsg(data, delayAttachments=False)
    except Exception:  # the library raises many kinds on damaged or foreign OLE files
        raise OutlookUnreadable("this Outlook file is damaged or is not an Outlook item") from None
    try:
        if not isinstance(opened, MessageBase):
            raise OutlookUnreadable(
                "this Outlook file is not an e-mail (it may be a contact, a meeting or a task)"
            )
        try:
            return _message(opened, AttachmentType)
        except OutlookUnreadable:
            raise
        except Exception:
            raise OutlookUnreadable("this Outlook message is damaged") from None
    finally:
        opened.close()


def _message(opened: object, kinds: object) -> OutlookMessage:
    header = getattr(opened, "header", None)
    headers = None
    text = header.as_string() if header is not None and len(header.keys()) else ""
    if text.strip():
        headers = Parser(policy=policy.default).parsestr(text, headersonly=True)
    attachments = []
    for number, attachment in enumerate(getattr(opened, "attachments", ()) or ()):
        kind = getattr(attachment, "type", None)
        name = (
            getattr(attachment, "longFilename", None)
            or getattr(attachment, "shortFilename", None)
            or getattr(attachment, "displayName", None)
            or f"attachment-{number}"
        )
        media_type = getattr(attachment, "mimetype", None) or None
        if kind == getattr(kinds, "MSG", None):
            media_type = "application/vnd.ms-outlook"
            if not str(name).lower().endswith(".msg"):
                name = f"{name}.msg"
        content_id = getattr(attachment, "contentId", None) or None
        attachments.append(
            OutlookAttachment(
                str(name), media_type and str(media_type), content_id and str(content_id)
            )
        )
    html = getattr(opened, "htmlBody", None)
    sent_at = getattr(opened, "date", None)
    return OutlookMessage(
        headers=headers,
        sender=str(getattr(opened, "sender", "") or ""),
        to=str(getattr(opened, "to", "") or ""),
        cc=str(getattr(opened, "cc", "") or ""),
        subject=str(getattr(opened, "subject", "") or ""),
        sent_at=sent_at if isinstance(sent_at, datetime) else None,
        body=str(getattr(opened, "body", "") or ""),
        html=html if isinstance(html, bytes) else None,
        attachments=tuple(attachments),
    )
