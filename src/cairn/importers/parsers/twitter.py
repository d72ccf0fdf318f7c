"""X (Twitter) archive direct messages (pure, no Django).

``parse(data, *, name, tz="Europe/London", owner=None)`` where ``data`` is the bytes of
``direct-messages.js`` (or ``direct-messages-group.js``), or a path to such a file, to the
unpacked archive folder, or to the archive's zip.

The archive's ``data/*.js`` files are JavaScript assignments,
``window.YTD.<name>.partN = [ ... ]``, whose right-hand side is JSON. DMs are
``[{dmConversation: {conversationId, messages: [{messageCreate: {id, senderId, recipientId,
text, createdAt, mediaUrls, ...}}, ...]}}]``; group conversations also have events such as
``joinConversation`` and ``participantsLeave``. Rules:

- **Files read** from a folder or zip: ``data/direct-messages.js``,
  ``data/direct-messages-group.js`` and their ``-partN`` continuations. ``data/account.js``, if
  present, gives the archive owner's account id: their messages get ``Sender.is_owner``
  (``owner``, an account id, does the same when given).
- **Senders** are account ids (``Sender.platform_id``; the archive holds no names for others).
- **Time**: ``createdAt`` is ISO 8601 UTC; nothing is assumed (``assumed_time_zone`` None).
- **Media**: each ``mediaUrls`` entry is an ``Attachment``; in a folder or zip it is matched to
  ``data/direct_messages_media/<message id>-<file name>`` (or ``..._group_media``), and is
  ``missing`` when not there.
- **Other events** become system messages whose text is the event's kind.
- **Where**: ``Origin.member`` is the ``.js`` file, ``Origin.entry`` is
  ``[3].dmConversation.messages[12]``; the conversation id goes in ``Message.extra``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from cairn.importers.base import Attachment, ImportFailure, Message, Origin, ParsedImport, Sender
from cairn.importers.parsers._export import (
    ExportTree,
    Input,
    is_container,
    load_json,
    media_type_for,
    paused_gc,
    read_input,
    where,
    zone,
)

__all__ = ["parse", "strip_assignment"]

FORMAT = "twitter"
PLATFORM = "x"
CHANNEL = "social_media"
_ASSIGNMENT = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*window\.YTD\.(\w+)\.part(\d+)\s*=\s*")
_DM_FILE = re.compile(r"(?:^|/)data/direct-messages(?:-group)?(?:-part\d+)?\.js$")
_ACCOUNT_FILE = re.compile(r"(?:^|/)data/account\.js$")


def strip_assignment(raw: bytes, *, where_: str) -> tuple[str, bytes]:
    """(the YTD name, the JSON after ``window.YTD.<name>.partN = ``), or ImportFailure."""
    m = _ASSIGNMENT.match(raw)
    if m is None:
        raise ImportFailure(
            where_,
            "not an X archive data file (expected 'window.YTD.<name>.part0 = ' at the start)",
        )
    return m.group(1).decode("ascii"), raw[m.end() :]


def parse(
    data: Input, *, name: str, tz: str = "Europe/London", owner: str | None = None, **options: Any
) -> ParsedImport:
    """Parse X archive DMs. Unknown keyword options are ignored."""
    zone(tz, name=name)  # validated for a uniform interface; these times carry their zone
    with paused_gc():
        if not is_container(data, name=name):
            reader = _Reader(name, owner, None)
            messages = reader.file(read_input(data, name=name), None)
            return ParsedImport(
                format=FORMAT, source_name=name, assumed_time_zone=None, messages=tuple(messages)
            )
        with ExportTree(data, name=name) as tree:
            files = sorted(m for m in tree.members if _DM_FILE.search(m))
            if not files:
                raise ImportFailure(
                    name,
                    "no direct messages found in the archive (looked for data/direct-messages.js)",
                )
            accounts = [m for m in tree.members if _ACCOUNT_FILE.search(m)]
            if owner is None and accounts:
                owner = _account_id(tree, accounts[0])
            reader = _Reader(name, owner, tree)
            messages = []
            for member in files:
                messages.extend(reader.file(tree.read(member), member))
            return ParsedImport(
                format=FORMAT,
                source_name=name,
                assumed_time_zone=None,
                messages=tuple(messages),
                notes=(f"{len(files)} direct-message file(s) read",),
            )


def _account_id(tree: ExportTree, member: str) -> str | None:
    where_ = where(tree.name, member)
    _, body = strip_assignment(tree.read(member), where_=where_)
    doc = load_json(body, where_=where_)
    if isinstance(doc, list) and doc and isinstance(doc[0], dict):
        account = doc[0].get("account")
        if isinstance(account, dict) and isinstance(account.get("accountId"), str):
            return str(account["accountId"])
    return None


class _Reader:
    def __init__(self, name: str, owner: str | None, tree: ExportTree | None) -> None:
        self.name = name
        self.owner = owner
        self.tree = tree
        self.senders: dict[str, Sender] = {}

    def fail(self, member: str | None, entry: str | None, message: str) -> ImportFailure:
        return ImportFailure(where(self.name, member, entry=entry), message)

    def file(self, raw: bytes, member: str | None) -> list[Message]:
        where_ = where(self.name, member)
        ytd, body = strip_assignment(raw, where_=where_)
        if not ytd.startswith("direct_messages"):
            raise ImportFailure(where_, "this X archive file holds no direct messages")
        group = "group" in ytd
        doc = load_json(body, where_=where_)
        if not isinstance(doc, list):
            raise self.fail(member, None, "expected a list of conversations")
        out: list[Message] = []
        for ci, wrapper in enumerate(doc):
            conv = wrapper.get("dmConversation") if isinstance(wrapper, dict) else None
            prefix = f"[{ci}].dmConversation"
            if not isinstance(conv, dict) or not isinstance(conv.get("messages"), list):
                raise self.fail(member, prefix, "expected {conversationId, messages}")
            conv_id = conv.get("conversationId")
            extra = {"conversation_id": conv_id} if isinstance(conv_id, str) else {}
            for mi, event in enumerate(conv["messages"]):
                entry = f"{prefix}.messages[{mi}]"
                if not isinstance(event, dict) or len(event) != 1:
                    raise self.fail(member, entry, "expected one event")
                kind, body_ = next(iter(event.items()))
                if not isinstance(body_, dict):
                    raise self.fail(member, entry, "expected an event object")
                out.append(self.event(kind, body_, member, entry, extra, group))
        return out

    def event(
        self,
        kind: str,
        item: dict[str, Any],
        member: str | None,
        entry: str,
        conv_extra: dict[str, str],
        group: bool,
    ) -> Message:
        sent_at = self.time(item.get("createdAt"), member, entry)
        origin = Origin(member=member, entry=entry)
        extra = dict(conv_extra)
        message_id = item.get("id")
        if isinstance(message_id, str):
            extra["id"] = message_id
        if kind != "messageCreate":
            return Message(sent_at, None, kind, CHANNEL, origin, is_system=True, extra=extra)
        sender_id = item.get("senderId")
        text = item.get("text", "")
        if not isinstance(sender_id, str) or not sender_id:
            raise self.fail(member, f"{entry}.messageCreate.senderId", "expected an account id")
        if not isinstance(text, str):
            raise self.fail(member, f"{entry}.messageCreate.text", "expected text")
        recipient = item.get("recipientId")
        if isinstance(recipient, str):
            extra["recipient_id"] = recipient
        urls = item.get("mediaUrls", [])
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            raise self.fail(member, f"{entry}.messageCreate.mediaUrls", "expected a list of urls")
        attachments = tuple(self.attachment(u, message_id, member, group) for u in urls)
        return Message(
            sent_at, self.sender(sender_id), text, CHANNEL, origin, attachments, extra=extra
        )

    def time(self, value: Any, member: str | None, entry: str) -> datetime:
        if not isinstance(value, str):
            raise self.fail(member, f"{entry}.createdAt", "the event has no time")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(member, f"{entry}.createdAt", "not a valid date and time") from None
        if moment.tzinfo is None:
            raise self.fail(member, f"{entry}.createdAt", "the time has no zone")
        return moment.astimezone(UTC)

    def sender(self, account_id: str) -> Sender:
        sender = self.senders.get(account_id)
        if sender is None:
            sender = Sender(
                display_name=account_id,
                platform=PLATFORM,
                platform_id=account_id,
                is_owner=account_id == self.owner,
            )
            self.senders[account_id] = sender
        return sender

    def attachment(self, url: str, message_id: Any, member: str | None, group: bool) -> Attachment:
        file_name = url.rsplit("/", 1)[-1].split("?", 1)[0]
        media_type = media_type_for(file_name)
        if self.tree is None or member is None or not isinstance(message_id, str):
            return Attachment(name=url, media_type=media_type)
        data_dir = member.rsplit("/", 1)[0]
        folder = "direct_messages_group_media" if group else "direct_messages_media"
        candidate = f"{data_dir}/{folder}/{message_id}-{file_name}"
        found = candidate if candidate in self.tree else None
        return Attachment(name=url, member=found, media_type=media_type, missing=found is None)
