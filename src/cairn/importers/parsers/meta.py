"""Facebook Messenger and Instagram direct messages from "Download your information" (pure).

``parse(data, *, name, tz="Europe/London", platform=None, owner=None)`` where ``data`` is the
bytes of one ``message_N.json``, or a path to such a file, to an unpacked export folder, or to
the export's zip. ``platform`` is ``"facebook"`` or ``"instagram"``; when not given it is
``"instagram"`` if the name or the folder layout says so (``your_instagram_activity/``,
``instagram`` in the name), else ``"facebook"``.

In a folder or zip, every ``message_N.json`` under a ``messages/<box>/<thread>/`` folder is
read, whatever sits above it, which covers the layouts of every export version seen:
``messages/inbox/``, ``your_activity_across_facebook/messages/inbox/``,
``your_facebook_activity/messages/inbox/``, ``your_instagram_activity/messages/inbox/``; the
boxes are ``inbox``, ``message_requests`` (where a blocked or unknown sender's messages land),
``filtered_threads``, ``archived_threads`` and ``e2ee_cutover``.

Rules:

- **Time**: ``timestamp_ms`` is UTC milliseconds; nothing is assumed about a zone
  (``assumed_time_zone`` is None).
- **Mojibake**: these exports write UTF-8 bytes as if each were a Latin-1 character
  (``"Ã©"`` for ``"é"``). Each string is repaired with ``s.encode("latin-1").decode("utf-8")``
  only where that round trip is possible: a string with a character above U+00FF, or whose
  Latin-1 bytes are not valid UTF-8, was not mis-encoded and is kept as it is. ASCII is
  untouched either way.
- **Content**: ``content`` is the text; photos, videos, audio files, files, GIFs and a sticker
  become ``Attachment``s (``uri`` as the name, matched to the export's files in a folder or zip,
  ``missing`` when not there); a ``share`` link, a call's duration, ``is_unsent`` and the
  thread's title go in ``Message.extra``.
- **Order and where**: messages keep the file's order (newest first, as exported);
  ``Origin.member`` is the JSON file inside the folder or zip, ``Origin.entry`` is
  ``messages[i]``.
"""

from __future__ import annotations

import re
from typing import Any

from cairn.importers.base import Attachment, ImportFailure, Message, Origin, ParsedImport, Sender
from cairn.importers.parsers._export import (
    ExportTree,
    Input,
    from_unix,
    is_container,
    load_json,
    media_type_for,
    paused_gc,
    read_input,
    where,
    zone,
)

__all__ = ["PLATFORMS", "parse", "repair_mojibake"]

PLATFORMS = ("facebook", "instagram")
CHANNEL = "social_media"
_THREAD_FILE = re.compile(
    r"(?:^|/)messages/(?:inbox|message_requests|filtered_threads|archived_threads|e2ee_cutover)"
    r"/[^/]+/message_\d+\.json$"
)
_MEDIA_KEYS = ("photos", "videos", "audio_files", "files", "gifs")
_MAX_MS = 253_402_300_799_999


def repair_mojibake(text: str) -> str:
    """Undo Meta's UTF-8-read-as-Latin-1, where (and only where) that is what happened."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def parse(
    data: Input,
    *,
    name: str,
    tz: str = "Europe/London",
    platform: str | None = None,
    owner: str | None = None,
    **options: Any,
) -> ParsedImport:
    """Parse Facebook or Instagram message JSON. Unknown keyword options are ignored."""
    zone(tz, name=name)  # validated for a uniform interface; these times carry their zone
    if platform is not None and platform not in PLATFORMS:
        raise ImportFailure(name, "the platform must be facebook or instagram")
    with paused_gc():
        if not is_container(data, name=name):
            raw = read_input(data, name=name)
            chosen = platform or ("instagram" if "instagram" in name.lower() else "facebook")
            reader = _Reader(name, chosen, owner, None)
            messages = reader.thread(raw, None)
            return ParsedImport(
                format=chosen, source_name=name, assumed_time_zone=None, messages=tuple(messages)
            )
        with ExportTree(data, name=name) as tree:
            threads = sorted((m for m in tree.members if _THREAD_FILE.search(m)), key=_thread_order)
            if not threads:
                raise ImportFailure(
                    name,
                    "no Facebook or Instagram message files found (looked "
                    "for messages/inbox/<thread>/message_1.json)",
                )
            instagram = "instagram" in name.lower() or any(
                "your_instagram_activity/" in m for m in threads
            )
            chosen = platform or ("instagram" if instagram else "facebook")
            reader = _Reader(name, chosen, owner, tree)
            messages = []
            for member in threads:
                messages.extend(reader.thread(tree.read(member), member))
            notes = (f"{len(threads)} message file(s) read",)
            return ParsedImport(
                format=chosen,
                source_name=name,
                assumed_time_zone=None,
                messages=tuple(messages),
                notes=notes,
            )


def _thread_order(member: str) -> tuple[str, int]:
    folder, _, file_name = member.rpartition("/")
    return folder, int(file_name[len("message_") : -len(".json")])


class _Reader:
    def __init__(
        self, name: str, platform: str, owner: str | None, tree: ExportTree | None
    ) -> None:
        self.name = name
        self.platform = platform
        self.owner = owner
        self.tree = tree
        self.senders: dict[str, Sender] = {}
        self.by_suffix: dict[str, str] | None = None

    def fail(self, member: str | None, entry: str | None, message: str) -> ImportFailure:
        return ImportFailure(where(self.name, member, entry=entry), message)

    def thread(self, raw: bytes, member: str | None) -> list[Message]:
        doc = load_json(raw, where_=where(self.name, member))
        if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
            raise self.fail(
                member, None, "not a Facebook or Instagram message file: no messages list"
            )
        thread_extra: dict[str, str] = {}
        title = doc.get("title")
        if isinstance(title, str):
            thread_extra["thread_title"] = repair_mojibake(title)
        path = doc.get("thread_path")
        if isinstance(path, str):
            thread_extra["thread_path"] = path
        participants = doc.get("participants", [])
        if not isinstance(participants, list) or not all(
            isinstance(p, dict) and isinstance(p.get("name"), str) for p in participants
        ):
            raise self.fail(member, "participants", "expected a list of {name}")
        out: list[Message] = []
        for index, item in enumerate(doc["messages"]):
            entry = f"messages[{index}]"
            if not isinstance(item, dict):
                raise self.fail(member, entry, "expected a message object")
            out.append(self.message(item, member, entry, thread_extra))
        return out

    def message(
        self, item: dict[str, Any], member: str | None, entry: str, thread_extra: dict[str, str]
    ) -> Message:
        stamp = item.get("timestamp_ms")
        if not isinstance(stamp, int) or isinstance(stamp, bool) or not 0 <= stamp <= _MAX_MS:
            raise self.fail(member, f"{entry}.timestamp_ms", "not a valid time")
        sender_name = item.get("sender_name")
        if not isinstance(sender_name, str):
            raise self.fail(member, f"{entry}.sender_name", "expected a name")
        content = item.get("content", "")
        if not isinstance(content, str):
            raise self.fail(member, f"{entry}.content", "expected text")
        extra = dict(thread_extra)
        share = item.get("share")
        if isinstance(share, dict):
            for key in ("link", "share_text"):
                value = share.get(key)
                if isinstance(value, str):
                    extra[f"share_{key}"] = repair_mojibake(value)
        for key in ("call_duration", "type", "is_unsent"):
            value = item.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                extra[key] = str(value)
            elif isinstance(value, bool):
                extra[key] = "true" if value else "false"
        return Message(
            sent_at=from_unix(stamp / 1000),
            sender=self.sender(sender_name),
            text=repair_mojibake(content),
            channel=CHANNEL,
            origin=Origin(member=member, entry=entry),
            attachments=self.attachments(item, member, entry),
            extra=extra,
        )

    def sender(self, raw_name: str) -> Sender:
        sender = self.senders.get(raw_name)
        if sender is None:
            display = repair_mojibake(raw_name)
            sender = Sender(
                display_name=display,
                platform=self.platform,
                is_owner=self.owner is not None and display == self.owner,
            )
            self.senders[raw_name] = sender
        return sender

    def attachments(
        self, item: dict[str, Any], member: str | None, entry: str
    ) -> tuple[Attachment, ...]:
        uris: list[str] = []
        for key in _MEDIA_KEYS:
            listed = item.get(key)
            if listed is None:
                continue
            if not isinstance(listed, list):
                raise self.fail(member, f"{entry}.{key}", "expected a list")
            for index, media in enumerate(listed):
                uri = media.get("uri") if isinstance(media, dict) else None
                if not isinstance(uri, str):
                    raise self.fail(member, f"{entry}.{key}[{index}]", "expected {uri}")
                uris.append(uri)
        sticker = item.get("sticker")
        if isinstance(sticker, dict) and isinstance(sticker.get("uri"), str):
            uris.append(sticker["uri"])
        return tuple(self.attachment(uri) for uri in uris)

    def attachment(self, uri: str) -> Attachment:
        media_type = media_type_for(uri)
        if self.tree is None or uri.startswith(("http://", "https://")):
            return Attachment(name=uri, media_type=media_type)
        found = self.find(uri)
        return Attachment(name=uri, member=found, media_type=media_type, missing=found is None)

    def find(self, uri: str) -> str | None:
        """The export's file for a uri: the same path, or the same path under a top folder
        (zips often add one), or failing that the same tail after ``messages/``."""
        assert self.tree is not None
        if uri in self.tree:
            return uri
        if self.by_suffix is None:
            self.by_suffix = {}
            for m in self.tree.members:
                _, found, tail = m.partition("messages/")
                if found:
                    self.by_suffix.setdefault(tail, m)
        for candidate in (uri.split("/", 1)[-1], uri):
            _, found, tail = candidate.partition("messages/")
            if found and tail in self.by_suffix:
                return self.by_suffix[tail]
        return None
