"""Telegram Desktop JSON exports (pure, no Django).

``parse(data, *, name, tz="Europe/London", owner=None)`` where ``data`` is the bytes of
``result.json``, or a path to it, to the export folder holding it, or to a zip of that folder.

Two shapes: a single chat ``{name, type, id, messages: [...]}`` and a full export whose chats
are in ``chats.list[]`` (and ``left_chats.list[]``). Rules:

- **Time**: ``date_unixtime`` (UTC seconds) is trusted. Exports from before it existed carry only
  ``date``, a wall-clock time of the exporting computer: that is read in ``tz`` (fold=0 at clock
  changes) and a note says how many times were read that way.
- **Text**: a string, or a list of strings and entities ``{type, text}`` that is flattened by
  concatenation: Telegram writes the spaces between entities as plain strings, so nothing is
  added between them.
- **Sender**: ``from`` (display name; ``None`` for a deleted account) and ``from_id``
  (``user123``, ``channel456``) as ``Sender.platform_id``. The export's own user
  (``personal_information.user_id`` in a full export) or ``owner`` (a display name or a
  ``from_id``) marks the victim's own messages.
- **Service messages** (``type: "service"``) are system messages with the ``action`` as text,
  except calls (``phone_call``, ``group_call``), which keep their ``actor`` as the sender
  because a call, missed or not, is something that person did.
- **Attachments**: ``photo`` and ``file`` paths (relative to the export folder) become
  ``Attachment``s; in a folder or zip they point at the member when it is there and are
  ``missing`` when not (or when the export says the file was not included).
- **Where**: ``Origin.entry`` is ``messages[12]`` or ``chats.list[3].messages[12]``; the chat's
  name and id go in ``Message.extra``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cairn.importers.base import Attachment, ImportFailure, Message, Origin, ParsedImport, Sender
from cairn.importers.parsers._export import (
    ExportTree,
    Input,
    from_unix,
    is_container,
    load_json,
    local_to_utc,
    media_type_for,
    paused_gc,
    read_input,
    where,
    zone,
)

__all__ = ["parse"]

FORMAT = "telegram"
CHANNEL = "messaging_app"
_CALL_ACTIONS = {"phone_call", "group_call"}
_NOT_INCLUDED = "(File not included"
_ATTACHMENT_KEYS = ("photo", "file")
# Largest plausible unixtime (year 9999): beyond it the export is damaged.
_MAX_UNIXTIME = 253_402_300_799


def parse(
    data: Input, *, name: str, tz: str = "Europe/London", owner: str | None = None, **options: Any
) -> ParsedImport:
    """Parse a Telegram Desktop JSON export. Unknown keyword options are ignored."""
    zone_ = zone(tz, name=name)
    with paused_gc():
        if is_container(data, name=name):
            with ExportTree(data, name=name) as tree:
                member = _find_result(tree)
                raw = tree.read(member)
                prefix = member[: -len("result.json")]
                files = {m[len(prefix) :] for m in tree.members if m.startswith(prefix)}
                return _Parser(name, member, zone_, tz, owner, files, prefix).run(raw)
        parser = _Parser(name, None, zone_, tz, owner, None, "")
        if not isinstance(data, bytes | bytearray | memoryview):
            parser.folder = Path(data).parent  # result.json on its own: files sit beside it
        return parser.run(read_input(data, name=name))


def _inside(folder: Path, relative: str) -> bool:
    parts = relative.replace("\\", "/").split("/")
    if relative.startswith("/") or ".." in parts or ":" in parts[0]:
        return False
    try:
        candidate = folder / relative
        return not candidate.is_symlink() and candidate.is_file()
    except (OSError, ValueError):
        return False


def _find_result(tree: ExportTree) -> str:
    found = sorted(
        (m for m in tree.members if m.rsplit("/", 1)[-1] == "result.json"),
        key=lambda m: m.count("/"),
    )
    if not found:
        raise ImportFailure(tree.name, "no Telegram export (result.json) found")
    return found[0]


class _Parser:
    def __init__(
        self,
        name: str,
        member: str | None,
        zone_: ZoneInfo,
        tz: str,
        owner: str | None,
        files: set[str] | None,
        prefix: str,
    ) -> None:
        self.name = name
        self.member = member
        self.zone = zone_
        self.tz = tz
        self.owner = owner
        self.files = files
        self.prefix = prefix
        self.folder: Path | None = None
        self.local_times = 0
        self.senders: dict[tuple[str | None, str | None], Sender] = {}

    def fail(self, entry: str | None, message: str) -> ImportFailure:
        return ImportFailure(where(self.name, self.member, entry=entry), message)

    def run(self, raw: bytes) -> ParsedImport:
        doc = load_json(raw, where_=where(self.name, self.member))
        if not isinstance(doc, dict):
            raise self.fail(None, "not a Telegram export: expected a JSON object")
        personal = doc.get("personal_information")
        if isinstance(personal, dict) and self.owner is None:
            user_id = personal.get("user_id")
            if isinstance(user_id, int | str) and not isinstance(user_id, bool):
                self.owner = f"user{user_id}"
        messages: list[Message] = []
        chats = doc.get("chats")
        if "messages" in doc:
            self.chat(doc, "", messages)
        elif isinstance(chats, dict) and "list" in chats:
            for key in ("chats", "left_chats"):
                section = doc.get(key)
                if section is None:
                    continue
                listed = section.get("list") if isinstance(section, dict) else None
                if not isinstance(listed, list):
                    raise self.fail(f"{key}.list", "expected a list of chats")
                for index, chat in enumerate(listed):
                    self.chat(chat, f"{key}.list[{index}].", messages)
        else:
            raise self.fail(None, "not a Telegram export: no messages and no chats.list")
        notes: list[str] = []
        if self.local_times:
            notes.append(
                f"{self.local_times} message time(s) had no date_unixtime and were read "
                f"as wall-clock times in {self.tz}"
            )
        return ParsedImport(
            format=FORMAT,
            source_name=self.name,
            assumed_time_zone=self.tz,
            messages=tuple(messages),
            notes=tuple(notes),
        )

    def chat(self, chat: Any, prefix: str, out: list[Message]) -> None:
        if not isinstance(chat, dict):
            raise self.fail(prefix.rstrip(".") or None, "expected a chat object")
        items = chat.get("messages")
        if not isinstance(items, list):
            raise self.fail(f"{prefix}messages", "expected a list of messages")
        chat_name = chat.get("name")
        chat_id = chat.get("id")
        extra: dict[str, str] = {}
        if isinstance(chat_name, str):
            extra["chat"] = chat_name
        if isinstance(chat_id, int | str) and not isinstance(chat_id, bool):
            extra["chat_id"] = str(chat_id)
        for index, item in enumerate(items):
            entry = f"{prefix}messages[{index}]"
            if not isinstance(item, dict):
                raise self.fail(entry, "expected a message object")
            out.append(self.message(item, entry, extra))

    def message(self, item: dict[str, Any], entry: str, chat_extra: dict[str, str]) -> Message:
        sent_at = self.time(item, entry)
        extra = dict(chat_extra)
        message_id = item.get("id")
        if isinstance(message_id, int | str) and not isinstance(message_id, bool):
            extra["id"] = str(message_id)
        for key in ("edited_unixtime", "reply_to_message_id", "forwarded_from"):
            value = item.get(key)
            if isinstance(value, int | str) and not isinstance(value, bool):
                extra[key] = str(value)
        text = self.text(item.get("text", ""), entry)
        origin = Origin(member=self.member, entry=entry)
        kind = item.get("type", "message")
        if kind == "service":
            action = item.get("action")
            action = action if isinstance(action, str) else "service"
            extra["action"] = action
            if action not in _CALL_ACTIONS:
                actor = item.get("actor")
                if isinstance(actor, str):
                    extra["actor"] = actor
                return Message(
                    sent_at, None, text or action, CHANNEL, origin, is_system=True, extra=extra
                )
            for key in ("discard_reason", "duration_seconds"):
                value = item.get(key)
                if isinstance(value, int | str) and not isinstance(value, bool):
                    extra[key] = str(value)
            sender = self.sender(item.get("actor"), item.get("actor_id"), entry)
            return Message(
                sent_at, sender, text or action.replace("_", " "), CHANNEL, origin, extra=extra
            )
        if kind != "message":
            raise self.fail(entry, "unknown message type")
        sender = self.sender(item.get("from"), item.get("from_id"), entry)
        return Message(
            sent_at, sender, text, CHANNEL, origin, self.attachments(item, entry), extra=extra
        )

    def time(self, item: dict[str, Any], entry: str) -> datetime:
        unix = item.get("date_unixtime")
        if unix is not None:
            if isinstance(unix, str) and unix.isascii() and unix.isdigit():
                unix = int(unix)
            if (
                not isinstance(unix, int)
                or isinstance(unix, bool)
                or not 0 <= unix <= _MAX_UNIXTIME
            ):
                raise self.fail(f"{entry}.date_unixtime", "not a valid time")
            return from_unix(unix)
        local = item.get("date")
        if not isinstance(local, str):
            raise self.fail(entry, "the message has no time (date_unixtime or date)")
        try:
            naive = datetime.fromisoformat(local)
        except ValueError:
            raise self.fail(f"{entry}.date", "not a valid date and time") from None
        if naive.tzinfo is not None:
            return naive
        self.local_times += 1
        return local_to_utc(naive, self.zone)

    def text(self, value: Any, entry: str) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, list):
            parts: list[str] = []
            for part in value:
                if isinstance(part, str):
                    parts.append(part)
                elif isinstance(part, dict) and isinstance(part.get("text", ""), str):
                    parts.append(part.get("text", ""))
                else:
                    raise self.fail(f"{entry}.text", "unexpected text entity")
            return "".join(parts)
        raise self.fail(f"{entry}.text", "expected text or a list of text entities")

    def sender(self, display: Any, from_id: Any, entry: str) -> Sender:
        if display is not None and not isinstance(display, str):
            raise self.fail(f"{entry}.from", "expected a name")
        if from_id is not None and not isinstance(from_id, str):
            from_id = str(from_id) if isinstance(from_id, int) else None
        key = (display, from_id)
        sender = self.senders.get(key)
        if sender is None:
            owner = self.owner is not None and self.owner in (display, from_id)
            sender = Sender(
                display_name=display or from_id or "Deleted Account",
                platform=FORMAT,
                platform_id=from_id,
                is_owner=owner,
            )
            self.senders[key] = sender
        return sender

    def attachments(self, item: dict[str, Any], entry: str) -> tuple[Attachment, ...]:
        found: list[Attachment] = []
        for key in _ATTACHMENT_KEYS:
            path = item.get(key)
            if path is None:
                continue
            if not isinstance(path, str):
                raise self.fail(f"{entry}.{key}", "expected a file path")
            mime = item.get("mime_type")
            media_type = mime if isinstance(mime, str) and key == "file" else None
            media_type = media_type or media_type_for(path)
            if path.startswith(_NOT_INCLUDED):
                found.append(Attachment(name=key, media_type=media_type, missing=True))
            elif self.files is None and self.folder is not None:
                present = _inside(self.folder, path)
                found.append(
                    Attachment(
                        name=path,
                        member=path if present else None,
                        media_type=media_type,
                        missing=not present,
                    )
                )
            elif self.files is None:
                found.append(Attachment(name=path, media_type=media_type))
            elif path in self.files:
                found.append(
                    Attachment(name=path, member=self.prefix + path, media_type=media_type)
                )
            else:
                found.append(Attachment(name=path, media_type=media_type, missing=True))
        return tuple(found)
