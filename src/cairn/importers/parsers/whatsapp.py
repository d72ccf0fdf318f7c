"""WhatsApp chat exports: the ``.txt`` file, or the ``.zip`` "with media" (pure, no Django).

``parse(data, *, name, tz="Europe/London", date_order=None, owner=None)`` where ``data`` is the
file's ``bytes`` or a path (a ``.txt``, a ``.zip``, or the folder a zip was unpacked into).

Layouts understood (see ``docs/formats.md``): Android ``20/01/19, 11:23 - Name: text``
and iOS ``[20/01/19, 11:23:45] Name: text`` (often with U+200E before the bracket), with the
locale variants seen in the wild: ``/``, ``.``, ``-`` and ``. `` date separators, a trailing
dot (``13. 6. 2018. 21:25:15``), ``klo`` (``13.6.2018 klo 21.25.15``), ``hh.mm`` times,
year-first dates, and 12-hour clocks (``AM``, ``a. m.``, with a space, a no-break space or
U+202F before it). The layout is taken from the first lines of the file and then held for the
whole file, so that a continuation line that merely starts with a number stays text.

Rules, each chosen so that nothing is silently lost or guessed:

- **Encoding**: UTF-8 (a BOM is dropped; UTF-16 with a BOM is accepted). Invalid UTF-8 is read
  with U+FFFD in place of each bad byte and a note names the first line affected: the original
  file is kept byte for byte anyway. NUL bytes mean a binary file: refused.
- **Lines** end at ``\\n`` (``\\r\\n`` too); a line that does not start with a date and time
  continues the message before it, and the message keeps its line breaks.
- **Day or month first** is decided for the whole file: a first number above 12 settles
  day-first, a second number above 12 settles month-first (a note names the line); when nothing
  settles it, ``AmbiguousDates`` is raised unless the caller passes ``date_order``
  (``"day-first"`` or ``"month-first"``). Four-digit first numbers are year-first
  (year/month/day). Two-digit years are 20yy. An impossible date or time (31/02, 25:00) fails
  with the line number.
- **Time zone**: the file has none. Times are read in ``tz`` (a zoneinfo key) and returned as
  aware UTC; ``ParsedImport.assumed_time_zone`` records the key. Clock changes follow PEP 495
  ``fold=0`` (see ``_export.local_to_utc``); a note counts the times that fell in a skipped or
  repeated hour.
- **Senders**: ``Name: text`` (first ``": "``). A line with no ``": "`` is a system line
  (``is_system``, no sender, the whole line as text); so is a would-be name holding a quotation
  mark (``X changed the subject to "A: B"``). iOS marks its notices with U+200E after the name
  (``Chat: ‎Messages and calls are end-to-end encrypted``): those are system lines with the whole
  line as text, except calls and deletions (``‎Missed voice call``, ``‎This message was
  deleted``), which are acts of the sender and keep it. A name that is a phone number
  (``+44 7700 900123``) is also put in ``Sender.phone`` as written. ``owner`` (a display name)
  marks the victim's own messages.
- **Attachments**: iOS ``<attached: 00000042-PHOTO-….jpg>`` and Android
  ``IMG-….jpg (file attached)`` become ``Attachment``s (the marker is taken out of the text; a
  caption stays). In a zip or folder they are matched to the files by name; one that is named
  but not there has ``missing=True``. ``<Media omitted>``, ``image omitted`` and the like become
  ``Attachment(name=<kind>, missing=True)``. From a bare ``.txt`` nothing can be matched, so
  ``member`` is None and ``missing`` False.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from cairn.importers.base import (
    AmbiguousDates,
    Attachment,
    ImportFailure,
    Message,
    Origin,
    ParsedImport,
    Sender,
)
from cairn.importers.parsers._export import (
    ExportTree,
    Input,
    is_container,
    local_to_utc,
    media_type_for,
    paused_gc,
    read_input,
    where,
    zone,
)

__all__ = ["DATE_ORDERS", "is_header_line", "parse"]

FORMAT = "whatsapp"
CHANNEL = "messaging_app"
DATE_ORDERS = ("day-first", "month-first")
MAX_NAME_LENGTH = 100

_S = "[ \u00a0\u202f]"  # a space as WhatsApp writes it: plain, no-break, or narrow no-break
_LEAD = "[\u200e\u200f\ufeff]*"
_AMPM = r"[AaPp]\.?[ \u00a0\u202f]?[Mm]\.?"

# Any header line of any layout; used only to learn the file's layout from its first lines.
_GENERIC = re.compile(
    rf"{_LEAD}(?P<open>\[)?"
    r"(?P<a>\d{1,4})(?P<sep>[./-])(?P<sp>[ \u00a0]?)(?P<b>\d{1,2})(?P=sep)(?P=sp)(?P<c>\d{1,4})"
    r"(?P<dot>\.?)"
    rf"(?P<join>,?{_S}(?:klo{_S})?|,)"
    r"(?P<h>\d{1,2})(?P<tsep>[:.])(?P<mi>\d{2})(?:(?P=tsep)(?P<s>\d{2}))?"
    rf"(?P<ampm>{_S}?{_AMPM})?"
    rf"(?(open)\]{_S}?|{_S}[-\u2013]{_S})"
)

_PHONE = re.compile(r"\+?\d[\d \u00a0().\-]{5,}\d")
_NAME_MARKS = "\u200e\u200f\u202a\u202b\u202c\u2066\u2067\u2068\u2069 \u00a0"
_IOS_ATTACHED = re.compile(r"\u200e?<attached: ([^>\n]+)>")
_FILE_ATTACHED = re.compile(
    r"^\u200e?(?P<file>[^\n]+?) \((?:file attached|Datei angehängt|archivo adjunto|"
    r"fichier joint|file allegato|bestand bijgevoegd|arquivo anexado|plik załączony|"
    r"dosya ekli|tiedosto liitetty|fil vedhæftet|fil bifogad)\)$"
)
_OMITTED = re.compile(
    r"^\u200e?(?:<(?P<media>Media omitted|Médias omis|Medien ausgeschlossen|"
    r"Multimedia omitido|Media weggelaten|Media omessi|Mídia oculta|Arquivo de mídia oculto)>"
    r"|(?P<kind>image|video|audio|sticker|GIF|document|Contact card|"
    r"(?P<doc>[^\n]+?) • [^\n]*document) omitted)$"
)
# iOS notices after U+200E that are still something the sender did.
_IOS_SENDER_ACTS = re.compile(
    r"^\u200e(?:Missed (?:voice|video|group voice|group video) call|Voice call|Video call|"
    r"This message was deleted\.?|You deleted this message\.?|"
    r"This message was edited|View once (?:photo|video|voice message))"
)


def is_header_line(line: str) -> bool:
    """True when ``line`` starts like a WhatsApp message line in any known layout."""
    return _GENERIC.match(line) is not None


def parse(data: Input, *, name: str, tz: str = "Europe/London", date_order: str | None = None,
          owner: str | None = None, **options: Any) -> ParsedImport:
    """Parse a WhatsApp export (``.txt`` bytes or path, ``.zip``, or unpacked folder).

    Unknown keyword options are ignored, so a caller can pass every parser the same ones.
    Raises ``ImportFailure`` (``AmbiguousDates`` when the day/month order is not settled).
    """
    zone_ = zone(tz, name=name)
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ImportFailure(name, "the date order must be day-first or month-first")
    with paused_gc():
        return _parse(data, name=name, zone_=zone_, tz=tz, date_order=date_order, owner=owner)


def _parse(data: Input, *, name: str, zone_: ZoneInfo, tz: str, date_order: str | None,
           owner: str | None) -> ParsedImport:
    if is_container(data, name=name):
        with ExportTree(data, name=name) as tree:
            chat = _find_chat(tree)
            raw = tree.read(chat)
            media = {m.rsplit("/", 1)[-1]: m for m in tree.members if m != chat}
            return _parse_text(raw, name=name, member=chat, zone_=zone_, tz=tz,
                               date_order=date_order, owner=owner, media=media)
    raw = read_input(data, name=name)
    return _parse_text(raw, name=name, member=None, zone_=zone_, tz=tz, date_order=date_order,
                       owner=owner, media=None)


def _find_chat(tree: ExportTree) -> str:
    texts = [m for m in tree.members if m.lower().endswith(".txt")]
    if len(texts) == 1:
        return texts[0]
    named = [m for m in texts if m.rsplit("/", 1)[-1] == "_chat.txt"]
    if len(named) == 1:
        return named[0]
    # Android names the chat "WhatsApp Chat with X.txt" (localised); a .txt sent in the chat is
    # a media file. Keep the ones whose first line is a WhatsApp header.
    chats = [m for m in texts if _GENERIC.match(_head_text(tree.read(m, max_size=1 << 30)))]
    if len(chats) == 1:
        return chats[0]
    if not chats:
        raise ImportFailure(tree.name, "no WhatsApp chat (.txt) found in the export")
    raise ImportFailure(tree.name, f"the export holds {len(chats)} chats; import them one by one")


def _head_text(raw: bytes) -> str:
    return raw[:512].decode("utf-8", errors="replace").lstrip("\ufeff")


def _decode(raw: bytes, where_: str) -> tuple[str, list[str]]:
    notes: list[str] = []
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), notes
        except UnicodeDecodeError:
            raise ImportFailure(where_, "the file claims UTF-16 but is not valid UTF-16") from None
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    if not raw.strip():
        raise ImportFailure(where_, "the file is empty")
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise ImportFailure(f"{where_}, line {line}", "not a text file (binary data)")
    try:
        return raw.decode("utf-8"), notes
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
    text = raw.decode("utf-8", errors="replace")
    notes.append(f"the file is not valid UTF-8 from line {line}: undecodable bytes were read as "
                 "U+FFFD (the original file is kept unchanged)")
    return text, notes


def _layout(text: str, where_: str) -> re.Pattern[str]:
    """The header pattern of this file: the most common layout among its first header lines."""
    seen: Counter[tuple[str, ...]] = Counter()
    for line in text[:200_000].split("\n", 2000)[:2000]:
        m = _GENERIC.match(line)
        if m is None:
            continue
        g = m.groupdict(default="")
        key = (g["open"], g["sep"], " " if g["sp"] else "", g["dot"],
               re.sub(_S, " ", g["join"]), g["tsep"], "s" if g["s"] else "",
               "ampm" if g["ampm"] else "")
        seen[key] += 1
        if len(seen) == 1 and seen[key] >= 50:
            break
    if not seen:
        raise ImportFailure(where_, "not a WhatsApp chat export: no line starts with a date "
                                    "and time")
    open_, sep, sp, dot, join, tsep, secs, ampm = seen.most_common(1)[0][0]

    def lit(s: str) -> str:
        return "".join(_S if ch in " \u00a0\u202f" else re.escape(ch) for ch in s)

    date = rf"\d{{1,4}}{lit(sep + sp)}\d{{1,2}}{lit(sep + sp)}\d{{1,4}}{lit(dot)}"
    hm = rf"\d{{1,2}}{lit(tsep)}\d{{2}}"
    seconds = rf"{lit(tsep)}\d{{2}}" if secs else ""
    ap = rf"{_S}?{_AMPM}" if ampm else ""
    time = hm + seconds + ap
    close = rf"\]{_S}?" if open_ else rf"{_S}[-\u2013]{_S}"
    header = rf"{_LEAD}{lit(open_)}{date}{lit(join)}{time}{close}"
    # One match per message: the sender is everything up to the first ": " (at most
    # MAX_NAME_LENGTH characters), and the text runs on over every following line that is not
    # a header. Hours and minutes (with AM/PM) repeat a lot and are cached together; seconds
    # are added. The parsing loop takes these six groups, in this order, from findall().
    pattern = (rf"^{_LEAD}{lit(open_)}(?P<date>{date}){lit(join)}(?P<hm>{hm})"
               rf"{lit(tsep) if secs else ''}(?P<s>\d{{2}}|)(?P<ap>{ap}){close}"
               rf"(?:(?P<name>[^\n]{{1,{MAX_NAME_LENGTH}}}?): )?"
               rf"(?P<rest>[^\n]*(?:\n(?!{header})[^\n]*)*)")
    return re.compile(pattern, re.MULTILINE)


_NUM = re.compile(r"\d+")
_SECONDS = {f"{n:02}": timedelta(seconds=n) for n in range(60)}
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:[ \u00a0\u202f]?([AaPp]))?")


class _Clock:
    """Turns the header's date and time strings into aware UTC, with caches: a long chat has
    few distinct days and minutes compared with its messages."""

    def __init__(self, zone_: ZoneInfo, order: str) -> None:
        self.zone = zone_
        self.order = order
        self.gaps = 0
        self.folds = 0

    def day(self, key: str) -> tuple[datetime, datetime | None] | None:
        """(the UTC instant of local midnight, local midnight if the offset changes that day),
        or None for an impossible date."""
        nums = _NUM.findall(key)
        a, b, c = (int(x) for x in nums[:3])
        if len(nums[0]) == 4:
            y, mo, d = a, b, c
        else:
            if len(nums[0]) > 2 or len(nums[2]) not in (2, 4):
                return None
            y = c + 2000 if len(nums[2]) == 2 else c
            d, mo = (a, b) if self.order == "day-first" else (b, a)
        try:
            midnight = datetime(y, mo, d)  # noqa: DTZ001 - local wall clock, zone applied below
        except ValueError:
            return None
        offsets = {self.zone.utcoffset(midnight + timedelta(hours=h)) for h in (0, 12, 24)}
        first = self.zone.utcoffset(midnight)
        assert first is not None
        return midnight.replace(tzinfo=UTC) - first, (midnight if len(offsets) > 1 else None)

    def time(self, key: str) -> timedelta | None:
        m = _TIME.match(key)
        if m is None:
            return None
        h, mi, sec = int(m[1]), int(m[2]), int(m[3] or 0)
        if m[4]:
            if h > 12:
                return None
            if m[4] in "Pp" and h < 12:
                h += 12
            elif m[4] in "Aa" and h == 12:
                h = 0
        if h > 23 or mi > 59 or sec > 59:
            return None
        return timedelta(hours=h, minutes=mi, seconds=sec)

    def on_changing_day(self, midnight: datetime, since_midnight: timedelta) -> datetime:
        naive = midnight + since_midnight
        aware = naive.replace(tzinfo=self.zone)
        if aware.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) != naive:
            self.gaps += 1
        elif aware.replace(fold=1).utcoffset() != aware.utcoffset():
            self.folds += 1
        return local_to_utc(naive, self.zone)


def _infer_order(keys: dict[str, None], where_: str, locate: Any) -> tuple[str, str | None]:
    """("day-first" | "month-first" | "year-first", note or None) from all dates in the file."""
    day_first = month_first = None
    for key in keys:
        nums = _NUM.findall(key)
        if len(nums[0]) == 4:
            return "year-first", None
        if int(nums[0]) > 12 and day_first is None:
            day_first = key
        if int(nums[1]) > 12 and month_first is None:
            month_first = key
    if day_first and month_first:
        raise ImportFailure(f"{where_}, line {locate(month_first)}",
                            "the dates are neither consistently day/month nor month/day")
    if day_first:
        return "day-first", (f"date order inferred: day-first (a day of "
                             f"{int(_NUM.findall(day_first)[0])} on line {locate(day_first)})")
    if month_first:
        return "month-first", (f"date order inferred: month-first (a day of "
                               f"{int(_NUM.findall(month_first)[1])} on line "
                               f"{locate(month_first)})")
    raise AmbiguousDates(where_)


def _parse_text(raw: bytes, *, name: str, member: str | None, zone_: ZoneInfo, tz: str,
                date_order: str | None, owner: str | None,
                media: dict[str, str] | None) -> ParsedImport:
    where_ = where(name, member)
    text, notes = _decode(raw, where_)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    text = text.rstrip("\n")
    rx = _layout(text, where_)
    head = rx.search(text)
    if head is None:
        raise ImportFailure(where_, "not a WhatsApp chat export: no line starts with a date and "
                                    "time")
    first = head.start()
    if text[:first].strip(" \n\t\u200e\ufeff"):
        raise ImportFailure(f"{where_}, line 1", "does not start with a dated WhatsApp line")
    # (date, hh:mm, seconds, am/pm, name or "", text with its continuation lines), one per
    # message, in order.
    found: list[tuple[str, str, str, str, str, str]] = rx.findall(text, first)

    def locate(key: str) -> int:
        """The line of the first message dated ``key`` (only for error messages)."""
        for m in rx.finditer(text, first):
            if m.group("date") == key:
                return text.count("\n", 0, m.start()) + 1
        return 0

    keys = dict.fromkeys(map(itemgetter(0), found))
    if date_order is None:
        order, note = _infer_order(keys, where_, locate)
        if note:
            notes.append(note)
    else:
        order = date_order
    clock = _Clock(zone_, order)
    days: dict[str, tuple[datetime, datetime | None]] = {}
    for key in keys:
        day = clock.day(key)
        if day is None:
            raise ImportFailure(f"{where_}, line {locate(key)}", "impossible date")
        days[key] = day
    times: dict[str, timedelta] = {}

    senders: dict[str, Sender] = {}
    messages: list[Message] = []
    append = messages.append
    line = text.count("\n", 0, first) + 1
    # The hot loop: about 100,000 turns for a long chat, so locals and few calls. Messages and
    # Origins are built as in _message_fast / _origin_fast, inline (see the note there).
    fast = _FAST
    new, set_ = object.__new__, object.__setattr__
    message_cls, origin_cls = Message, Origin
    for dkey, tkey, sec, ampm, sender_name, content in found:
        if ampm:
            tkey += ampm
        since_midnight = times.get(tkey)
        if since_midnight is None:
            since_midnight = clock.time(tkey)
            if since_midnight is None:
                raise ImportFailure(f"{where_}, line {line}", "impossible time")
            times[tkey] = since_midnight
        if sec:
            extra_seconds = _SECONDS.get(sec)
            if extra_seconds is None:
                raise ImportFailure(f"{where_}, line {line}", "impossible time")
            since_midnight += extra_seconds
        base, changing = days[dkey]
        sent_at = (base + since_midnight if changing is None
                   else clock.on_changing_day(changing, since_midnight))
        end_line = line + content.count("\n") if "\n" in content else line
        if fast:
            origin = new(origin_cls)
            set_(origin, "__dict__", {"member": member, "line_start": line, "line_end": end_line,
                                      "byte_start": None, "byte_end": None, "entry": None})
        else:
            origin = Origin(member, line, end_line)
        line = end_line + 1

        if not sender_name:
            if content.endswith(":") and 0 < len(content) <= MAX_NAME_LENGTH + 1 \
                    and "\n" not in content and '"' not in content:
                sender_name, content = content[:-1], ""  # "Name:" with an empty first line
            else:
                append(_new_message(sent_at, None, content, origin, (), True))
                continue
        sender = senders.get(sender_name)
        if sender is None:
            if '"' in sender_name or "\u201c" in sender_name:  # 'X changed the subject to "A: B"'
                append(_new_message(sent_at, None, f"{sender_name}: {content}", origin, (), True))
                continue
            sender = senders[sender_name] = _sender(sender_name, owner)
        if "<" in content or "omitted" in content or "(" in content or "\u200e" in content:
            if content.startswith("\u200e") and _is_ios_notice(content):
                append(_new_message(sent_at, None,
                                    f"{sender_name}: {content}".replace("\u200e", ""),
                                    origin, (), True))
                continue
            content, attachments = _attachments(content, media)
            append(_new_message(sent_at, sender, content, origin, attachments, False))
        elif fast:
            message = new(message_cls)
            set_(message, "__dict__", {
                "sent_at": sent_at, "sender": sender, "text": content, "channel": CHANNEL,
                "origin": origin, "attachments": (), "is_system": False, "received_at": None,
                "extra": {}})
            append(message)
        else:
            append(Message(sent_at, sender, content, CHANNEL, origin, (), False))

    if clock.gaps:
        notes.append(f"{clock.gaps} time(s) fell in the hour skipped when the clocks went forward "
                     f"in {tz}; read with the offset before the change")
    if clock.folds:
        notes.append(f"{clock.folds} time(s) fell in the hour repeated when the clocks went back "
                     f"in {tz}; the first occurrence was taken")
    if media is not None:
        used = {a.member for msg in messages for a in msg.attachments if a.member}
        unused = len(set(media.values()) - used)
        if unused:
            notes.append(f"{unused} file(s) in the export are not named by any message")
    return ParsedImport(format=FORMAT, source_name=name, assumed_time_zone=tz,
                        messages=tuple(messages), notes=tuple(notes))


# A long chat makes 100,000 Messages and Origins, and a frozen dataclass's __init__ sets each
# field through object.__setattr__: about half the parse time. These build the same objects by
# filling __dict__ in one step. They are used only while base.py's classes have exactly the
# fields below, no __slots__ and no __post_init__; otherwise (say a field was added) the
# ordinary constructors are used. tests/test_import_parsers_chat.py checks they agree.
_MESSAGE_FIELDS = ("sent_at", "sender", "text", "channel", "origin", "attachments", "is_system",
                   "received_at", "extra")
_ORIGIN_FIELDS = ("member", "line_start", "line_end", "byte_start", "byte_end", "entry")


def _plain(cls: type, names: tuple[str, ...]) -> bool:
    return (tuple(f.name for f in dataclasses.fields(cls)) == names
            and "__slots__" not in vars(cls) and not hasattr(cls, "__post_init__"))


def _message_slow(sent_at: datetime, sender: Sender | None, text: str, origin: Origin,
                  attachments: tuple[Attachment, ...], is_system: bool) -> Message:
    return Message(sent_at, sender, text, CHANNEL, origin, attachments, is_system)


def _origin_slow(member: str | None, start: int, end: int) -> Origin:
    return Origin(member, start, end)


def _message_fast(sent_at: datetime, sender: Sender | None, text: str, origin: Origin,
                  attachments: tuple[Attachment, ...], is_system: bool,
                  _new: Any = object.__new__, _set: Any = object.__setattr__) -> Message:
    message: Message = _new(Message)
    _set(message, "__dict__", {
        "sent_at": sent_at, "sender": sender, "text": text, "channel": CHANNEL,
        "origin": origin, "attachments": attachments, "is_system": is_system,
        "received_at": None, "extra": {}})
    return message


def _origin_fast(member: str | None, start: int, end: int, _new: Any = object.__new__,
                 _set: Any = object.__setattr__) -> Origin:
    origin: Origin = _new(Origin)
    _set(origin, "__dict__", {"member": member, "line_start": start, "line_end": end,
                              "byte_start": None, "byte_end": None, "entry": None})
    return origin


_FAST = _plain(Message, _MESSAGE_FIELDS) and _plain(Origin, _ORIGIN_FIELDS)
_new_message = _message_fast if _FAST else _message_slow
_new_origin = _origin_fast if _FAST else _origin_slow


def _is_ios_notice(content: str) -> bool:
    return not (_IOS_SENDER_ACTS.match(content) or _IOS_ATTACHED.match(content)
                or _OMITTED.match(content))


def _sender(raw_name: str, owner: str | None) -> Sender:
    display = raw_name.strip(_NAME_MARKS)
    phone = display if _PHONE.fullmatch(display) else None
    return Sender(display_name=display, phone=phone, platform=FORMAT,
                  is_owner=owner is not None and display == owner)


def _attachments(content: str, media: dict[str, str] | None
                 ) -> tuple[str, tuple[Attachment, ...]]:
    found: list[Attachment] = []
    named = _IOS_ATTACHED.findall(content)
    if named:
        for file_name in named:
            found.append(_attachment(file_name.strip(), media))
        content = _IOS_ATTACHED.sub("", content).strip()
        return content, tuple(found)
    first, _, caption = content.partition("\n")
    m = _FILE_ATTACHED.match(first)
    if m:
        return caption, (_attachment(m["file"].strip(), media),)
    m = _OMITTED.match(first)
    if m:
        kind = m["doc"] or ("media" if m["media"] else m["kind"])
        return caption, (Attachment(name=kind, missing=True),)
    return content, ()


def _attachment(file_name: str, media: dict[str, str] | None) -> Attachment:
    media_type = media_type_for(file_name)
    if media is None:
        return Attachment(name=file_name, media_type=media_type)
    member = media.get(file_name)
    return Attachment(name=file_name, member=member, media_type=media_type,
                      missing=member is None)

