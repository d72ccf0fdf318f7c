"""The second reading of a chat: its messages, a block at a time (pure, no Django).

``messages`` reads the text again in pieces (``text.ChatText``), cuts each at the start of
its last message (which may go on in the next piece), and turns the complete messages into
``Message``s with one ``findall`` of the layout's pattern per block, so memory is bounded by
a piece of text or the longest message, not by the file.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cairn.importers.base import Attachment, ImportFailure, Message, Origin, Sender
from cairn.importers.parsers._export import paused_gc
from cairn.importers.parsers.whatsapp.attachments import (
    attachments,
    has_quote,
    is_ios_notice,
    sender,
)
from cairn.importers.parsers.whatsapp.layout import (
    MAX_NAME_LENGTH,
    SECONDS,
    Clock,
    time_of_day,
)
from cairn.importers.parsers.whatsapp.survey import Survey
from cairn.importers.parsers.whatsapp.text import ChatText

CHANNEL = "messaging_app"


def messages(
    text: ChatText,
    survey: Survey,
    *,
    where_: str,
    member: str | None,
    zone_: ZoneInfo,
    tz: str,
    owner: str | None,
    media: dict[str, str] | None,
    notes: list[str],
) -> Iterator[Message]:
    """Every message of the chat in order; when they are all read, the notes on clock
    changes and unused media are added to ``notes``."""
    reader = _Reader(survey, where_=where_, member=member, zone_=zone_, owner=owner, media=media)
    rx = survey.layout.pattern()
    header = survey.header
    buffer = ""
    for number, piece in enumerate(text.pieces()):
        if number < survey.head_piece:
            continue
        if number == survey.head_piece:
            piece = piece[survey.head_at :]
        searched = len(buffer)
        buffer += piece
        cut = _last_start(buffer, header, searched)
        if cut:
            # The block ends before the line break that precedes the next message.
            with paused_gc():
                block = reader.read(rx.findall(buffer, 0, cut - 1))
            yield from block
            buffer = buffer[cut:]
    buffer = buffer.rstrip("\n")
    if buffer:
        with paused_gc():
            block = reader.read(rx.findall(buffer))
        yield from block
    clock = reader.clock
    if clock.gaps:
        notes.append(
            f"{clock.gaps} time(s) fell in the hour skipped when the clocks went forward "
            f"in {tz}; read with the offset before the change"
        )
    if clock.folds:
        notes.append(
            f"{clock.folds} time(s) fell in the hour repeated when the clocks went back "
            f"in {tz}; the first occurrence was taken"
        )
    if media is not None:
        unused = len(set(media.values()) - reader.used)
        if unused:
            notes.append(f"{unused} file(s) in the export are not named by any message")


def _last_start(buffer: str, header: re.Pattern[str], searched: int) -> int:
    """Where the last message in ``buffer`` starts (0 when only the first one does); lines
    before ``searched`` were looked at already."""
    end = len(buffer)
    floor = max(searched - 1, 0)
    while True:
        newline = buffer.rfind("\n", floor, end)
        if newline < 0:
            return 0
        if header.match(buffer, newline + 1):
            return newline + 1
        end = newline


class _Reader:
    """Turns blocks of matched messages into ``Message``s, carrying the line number, the
    senders, the times of day and the clock from one block to the next."""

    def __init__(
        self,
        survey: Survey,
        *,
        where_: str,
        member: str | None,
        zone_: ZoneInfo,
        owner: str | None,
        media: dict[str, str] | None,
    ) -> None:
        self.where, self.member, self.owner, self.media = where_, member, owner, media
        self.clock = Clock(zone_)
        self.days = {key: self.clock.day(day) for key, day in survey.days.items()}
        self.ios = survey.layout.bracketed
        self.line = survey.first_line
        self.times: dict[str, timedelta] = {}
        self.senders: dict[str, Sender] = {}
        self.used: set[str] = set()  # media members named by a message

    def read(self, found: list[tuple[str, str, str, str, str, str, str]]) -> list[Message]:
        """``found``: (date, marker before, h:mm, seconds, marker after, name or "", text
        with its continuation lines), one per message, in order."""
        where_, member, owner, media, ios = (
            self.where,
            self.member,
            self.owner,
            self.media,
            self.ios,
        )
        days, times, senders, clock = self.days, self.times, self.senders, self.clock
        out: list[Message] = []
        append = out.append
        line = self.line
        # The hot loop: about 100,000 turns for a long chat, so locals and few calls. Messages
        # and Origins are built as in _message_fast / _origin_fast, inline (see the note there).
        fast = _FAST
        new, set_ = object.__new__, object.__setattr__
        message_cls, origin_cls = Message, Origin
        for dkey, before, tkey, sec, after, sender_name, content in found:
            if before or after:
                tkey = before + tkey + after
            since_midnight = times.get(tkey)
            if since_midnight is None:
                since_midnight = time_of_day(tkey)
                if since_midnight is None:
                    raise ImportFailure(f"{where_}, line {line}", "impossible time")
                times[tkey] = since_midnight
            if sec:
                extra_seconds = SECONDS.get(sec)
                if extra_seconds is None:
                    if not sec.isdigit() or int(sec) > 59:
                        raise ImportFailure(f"{where_}, line {line}", "impossible time")
                    extra_seconds = timedelta(seconds=int(sec))
                since_midnight += extra_seconds
            base, changing = days[dkey]
            sent_at = (
                base + since_midnight
                if changing is None
                else clock.on_changing_day(changing, since_midnight)
            )
            end_line = line + content.count("\n") if "\n" in content else line
            if fast:
                origin = new(origin_cls)
                set_(
                    origin,
                    "__dict__",
                    {
                        "member": member,
                        "line_start": line,
                        "line_end": end_line,
                        "byte_start": None,
                        "byte_end": None,
                        "entry": None,
                    },
                )
            else:
                origin = Origin(member, line, end_line)
            line = end_line + 1

            if not sender_name:
                if (
                    content.endswith(":")
                    and 0 < len(content) <= MAX_NAME_LENGTH + 1
                    and "\n" not in content
                    and not has_quote(content)
                ):
                    sender_name, content = content[:-1], ""  # "Name:" with an empty first line
                else:
                    append(_new_message(sent_at, None, content, origin, (), True))
                    continue
            who = senders.get(sender_name)
            if who is None:
                if has_quote(sender_name):  # 'X changed the subject to "A: B"'
                    append(
                        _new_message(sent_at, None, f"{sender_name}: {content}", origin, (), True)
                    )
                    continue
                who = senders[sender_name] = sender(sender_name, owner)
            if (
                "<" in content
                or "omitted" in content
                or "(" in content
                or "\u200e" in content
                or "\u2039" in content
            ):
                if ios and content.startswith("\u200e") and is_ios_notice(content, media):
                    append(
                        _new_message(
                            sent_at,
                            None,
                            f"{sender_name}: {content}".replace("\u200e", ""),
                            origin,
                            (),
                            True,
                        )
                    )
                    continue
                content, found_files = attachments(content, media)
                self.used.update(a.member for a in found_files if a.member)
                append(_new_message(sent_at, who, content, origin, found_files, False))
            elif fast:
                message = new(message_cls)
                set_(
                    message,
                    "__dict__",
                    {
                        "sent_at": sent_at,
                        "sender": who,
                        "text": content,
                        "channel": CHANNEL,
                        "origin": origin,
                        "attachments": (),
                        "is_system": False,
                        "received_at": None,
                        "extra": {},
                    },
                )
                append(message)
            else:
                append(Message(sent_at, who, content, CHANNEL, origin, (), False))
        self.line = line
        return out


# A long chat makes 100,000 Messages and Origins, and a frozen dataclass's __init__ sets each
# field through object.__setattr__: about half the parse time. These build the same objects by
# filling __dict__ in one step. They are used only while base.py's classes have exactly the
# fields below, no __slots__ and no __post_init__; otherwise (say a field was added) the
# ordinary constructors are used. tests/test_import_parsers_chat.py checks they agree.
_MESSAGE_FIELDS = (
    "sent_at",
    "sender",
    "text",
    "channel",
    "origin",
    "attachments",
    "is_system",
    "received_at",
    "extra",
)
_ORIGIN_FIELDS = ("member", "line_start", "line_end", "byte_start", "byte_end", "entry")


def _plain(cls: type, names: tuple[str, ...]) -> bool:
    return (
        tuple(f.name for f in dataclasses.fields(cls)) == names
        and "__slots__" not in vars(cls)
        and not hasattr(cls, "__post_init__")
    )


def _message_slow(
    sent_at: datetime,
    sender: Sender | None,
    text: str,
    origin: Origin,
    attachments: tuple[Attachment, ...],
    is_system: bool,
) -> Message:
    return Message(sent_at, sender, text, CHANNEL, origin, attachments, is_system)


def _origin_slow(member: str | None, start: int, end: int) -> Origin:
    return Origin(member, start, end)


def _message_fast(
    sent_at: datetime,
    sender: Sender | None,
    text: str,
    origin: Origin,
    attachments: tuple[Attachment, ...],
    is_system: bool,
    _new: Any = object.__new__,
    _set: Any = object.__setattr__,
) -> Message:
    message: Message = _new(Message)
    _set(
        message,
        "__dict__",
        {
            "sent_at": sent_at,
            "sender": sender,
            "text": text,
            "channel": CHANNEL,
            "origin": origin,
            "attachments": attachments,
            "is_system": is_system,
            "received_at": None,
            "extra": {},
        },
    )
    return message


def _origin_fast(
    member: str | None,
    start: int,
    end: int,
    _new: Any = object.__new__,
    _set: Any = object.__setattr__,
) -> Origin:
    origin: Origin = _new(Origin)
    _set(
        origin,
        "__dict__",
        {
            "member": member,
            "line_start": start,
            "line_end": end,
            "byte_start": None,
            "byte_end": None,
            "entry": None,
        },
    )
    return origin


_FAST = _plain(Message, _MESSAGE_FIELDS) and _plain(Origin, _ORIGIN_FIELDS)
_new_message = _message_fast if _FAST else _message_slow
_new_origin = _origin_fast if _FAST else _origin_slow
