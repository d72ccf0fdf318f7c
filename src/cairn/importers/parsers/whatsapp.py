"""WhatsApp chat exports: the ``.txt`` file, or the ``.zip`` "with media" (pure, no Django).

``parse(data, *, name, tz="Europe/London", date_order=None, owner=None, today=None)`` where
``data`` is the file's ``bytes`` or a path (a ``.txt``, a ``.zip``, or the folder a zip was
unpacked into).

**Layouts** (``docs/import-rules.md`` lists each with an example). A message line starts with
a header: the date, the time, and then

- ``" - "`` (Android: ``20/01/19, 11:23 - Name: text``),
- ``"] "`` after a bracketed date (iOS: ``[20/01/19, 11:23:45] Name: text``),
- ``": "`` (older phones: ``13.06.18 21.25.15: Name: text``), or
- a plain space (``13. 6. 2018. 21:25:15 Name: text``).

The date is three numbers separated by ``/``, ``.`` or ``-``, with or without a space after
each separator and a trailing dot (``13. 6. 2018.``), in any order of day, month and year,
with two- or four-digit years; then a comma, a space, a short word (``klo``) or nothing; the
time is ``h:mm`` or ``h.mm``, with or without seconds, on a 24- or 12-hour clock. 12-hour
markers are Latin ``AM``/``PM`` in any spelling (``a. m.``, ``p.m.``, with a space, a no-break
space or U+202F before it) and the localised ones in ``whatsapp_markers.AM_PM`` (after the
time, or before it as in Korean ``오후 2:22``). U+200E and U+200F may stand anywhere in the
header, around the name and after its colon; U+FEFF at the start. The layout is taken from
the first lines of the file and then held for the whole file, so that a continuation line
that merely starts with a number stays text.

Rules, each chosen so that nothing is silently lost or guessed:

- **Encoding**: UTF-8 (a BOM is dropped; UTF-16 with a BOM is accepted). Invalid UTF-8 is read
  with U+FFFD in place of each bad byte and a note names the first line affected: the original
  file is kept byte for byte anyway. NUL bytes mean a binary file: refused.
- **Lines** end at ``\\n`` (``\\r\\n`` too); a line that does not start with a header
  continues the message before it, and the message keeps its line breaks.
- **The order of day, month and year** is settled from the whole file by
  ``cairn.importers.dates.settle``: every date must be real, within 2009 (WhatsApp's release)
  to two days after ``today``, and the messages in time order. A note says which order and what
  ruled out the others. When the file leaves more than one order open, ``AmbiguousDates`` is
  raised naming a line that reads differently under them, unless the caller passes
  ``date_order`` (a key of ``dates.ORDERS``). A date that is real in no order fails with its
  line. Two-digit years are 20yy.
- **Time zone**: the file has none. Times are read in ``tz`` (a zoneinfo key) and returned as
  aware UTC; ``ParsedImport.assumed_time_zone`` records the key. Clock changes follow PEP 495
  ``fold=0`` (see ``_export.local_to_utc``); a note counts the times that fell in a skipped or
  repeated hour.
- **Senders**: ``Name: text`` (the first ``": "``, up to 100 characters in). A line with no
  ``": "`` is a system line (``is_system``, no sender, the whole line as text); so is a
  would-be name holding a quotation mark (``X changed the subject to "A: B"``, ``« A : B »``).
  In bracketed (iOS) layouts WhatsApp marks its notices with U+200E after the name (``Chat:
  ‎Messages and calls are end-to-end encrypted``): those are system lines with the whole line
  as text, except calls and deletions (``‎Missed voice call``, ``‎This message was deleted``),
  which are acts of the sender and keep it. Elsewhere a U+200E after the name changes nothing.
  A name that is a phone number (``+44 7700 900123``) is also put in ``Sender.phone`` as
  written. ``owner`` (a display name) marks the victim's own messages.
- **Attachments** (``whatsapp_markers`` lists the words in each language and their sources):
  iOS ``<attached: 00000042-PHOTO-….jpg>`` (``< attached: … >``, localised words, and any word
  before a file name iOS generated), older iOS ``NAME <attached>`` (also in single guillemets,
  U+2039 and U+203A), and Android ``IMG-….jpg (file attached)`` (localised words, and any
  short words in brackets after a file name WhatsApp generated: ``IMG-20180613-WA0001.jpg
  (Datei angehängt)``, or after a file that is in the export). They become
  ``Attachment``s (the marker is taken out of the text; a caption stays). In a zip or folder
  they are matched to the files by name (NFC); one that is named but not there has
  ``missing=True``. ``<Media omitted>``, ``image omitted`` and the like become
  ``Attachment(name=<kind>, missing=True)``. From a bare ``.txt`` nothing can be matched, so
  ``member`` is None and ``missing`` False.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from cairn.importers import dates
from cairn.importers.base import (
    AmbiguousDates,
    Attachment,
    ImportFailure,
    Message,
    Origin,
    ParsedImport,
    Sender,
)
from cairn.importers.parsers import whatsapp_markers as markers
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

__all__ = ["DATE_ORDERS", "RELEASED", "is_header_line", "parse"]

FORMAT = "whatsapp"
CHANNEL = "messaging_app"
DATE_ORDERS = tuple(dates.ORDERS)
MAX_NAME_LENGTH = 100
RELEASED = date(2009, 1, 1)  # WhatsApp was first released in 2009: no chat is older
LATEST_SLACK = timedelta(days=2)  # a local date can run ahead of the importer's own day

_S = "[ \u00a0\u202f]"  # a space as WhatsApp writes it: plain, no-break, or narrow no-break
_M = "[\u200e\u200f]*"  # direction marks, which may stand anywhere in a header
_LEAD = "[\u200e\u200f\ufeff]*"
_MARKS = "\u200e\u200f"


def _one_of(texts: list[str]) -> str:
    return "|".join(re.escape(t) for t in sorted(set(texts), key=len, reverse=True))


_LATIN_AMPM = r"[AaPp]\.?[ \u00a0\u202f]?[Mm]\.?"
_AFTER = (f"(?:{_LATIN_AMPM}|"
          f"{_one_of([t for row in markers.AM_PM if not row[3] for t in row[1:3]])})")
_BEFORE = _one_of([t for row in markers.AM_PM if row[3] for t in row[1:3]])
_SUFFIX = _one_of([row[1] for row in markers.TIME_SUFFIXES])
_PM = {t.lower() for row in markers.AM_PM for t in row[2:3]}
_AM = {t.lower() for row in markers.AM_PM for t in row[1:2]}

# Any header line of any layout; used only to learn the file's layout from its first lines.
_GENERIC = re.compile(
    rf"{_LEAD}(?P<open>\[)?{_M}"
    rf"(?P<a>\d{{1,4}}){_M}(?P<sep>[./-])(?P<sp>[ \u00a0]?)(?P<b>\d{{1,4}}){_M}(?P=sep)"
    rf"(?P=sp)(?P<c>\d{{1,4}})(?P<dot>\.?){_M}"
    rf"(?P<comma>[,\u060c]?){_M}(?P<space>{_S}*){_M}"
    rf"(?:(?!{_BEFORE})(?P<word>[^\W\d_]{{1,4}}\.?,?){_S}+)?(?:(?P<pre>{_BEFORE}){_S}?)?{_M}"
    rf"(?P<h>\d{{1,2}})(?P<tsep>[:.])(?P<mi>\d{{2}})(?:(?P=tsep)(?P<s>\d{{2}}))?"
    rf"(?P<post>{_S}?{_M}{_AFTER})?(?P<suffix>{_S}(?:{_SUFFIX}))?{_M}"
    rf"(?(open)\]{_S}?|(?P<close>{_S}{_M}[-\u2013]{_M}{_S}|:{_M}{_S}|{_S}))"
)
_SM = "[ \u00a0\u202f\u200e\u200f]"  # a space or a direction mark
_CLOSES = {" - ": rf"{_SM}+[-\u2013]{_SM}+", ": ": rf"{_M}:{_M}{_S}", " ": rf"{_M}{_S}"}

_PHONE = re.compile(r"\+?\d[\d \u00a0().\-]{5,}\d")
_NAME_MARKS = "\u200e\u200f\u202a\u202b\u202c\u2066\u2067\u2068\u2069 \u00a0"
_QUOTES = "\"\u201c\u201d\u201e\u00ab\u00bb\u2039\u203a\u300c\u300d\u300e\u300f"


def is_header_line(line: str) -> bool:
    """True when ``line`` starts like a WhatsApp message line in any known layout.

    For the layouts whose header ends in a plain space or ``": "`` (which other text files
    share, "2024-01-05 10:00 Meeting"), only when a sender's ``"Name: "`` follows."""
    m = _GENERIC.match(line)
    if m is None or not (m["comma"] or m["space"] or m["word"] is not None
                         or m["pre"] is not None):
        return False
    if m["open"] or _unmarked(m["close"]).startswith(("-", "\u2013")):
        return True
    return ": " in line[m.end():m.end() + MAX_NAME_LENGTH + 2]


def parse(data: Input, *, name: str, tz: str = "Europe/London", date_order: str | None = None,
          owner: str | None = None, today: date | None = None, **options: Any) -> ParsedImport:
    """Parse a WhatsApp export (``.txt`` bytes or path, ``.zip``, or unpacked folder).

    ``today`` bounds the dates the file can hold (default: today in ``tz``). Unknown
    keyword options are ignored, so a caller can pass every parser the same ones. Raises
    ``ImportFailure`` (``AmbiguousDates`` when the order of day, month and year is not settled).
    """
    zone_ = zone(tz, name=name)
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ImportFailure(name, f"the date order must be one of {', '.join(DATE_ORDERS)}")
    latest = (today or datetime.now(zone_).date()) + LATEST_SLACK
    with paused_gc():
        return _parse(data, name=name, zone_=zone_, tz=tz, date_order=date_order, owner=owner,
                      latest=latest)


def _parse(data: Input, *, name: str, zone_: ZoneInfo, tz: str, date_order: str | None,
           owner: str | None, latest: date) -> ParsedImport:
    if is_container(data, name=name):
        with ExportTree(data, name=name) as tree:
            chat = _find_chat(tree)
            raw = tree.read(chat)
            media = {unicodedata.normalize("NFC", m.rsplit("/", 1)[-1]): m
                     for m in tree.members if m != chat}
            return _parse_text(raw, name=name, member=chat, zone_=zone_, tz=tz,
                               date_order=date_order, owner=owner, media=media, latest=latest)
    raw = read_input(data, name=name)
    return _parse_text(raw, name=name, member=None, zone_=zone_, tz=tz, date_order=date_order,
                       owner=owner, media=None, latest=latest)


def _find_chat(tree: ExportTree) -> str:
    texts = [m for m in tree.members if m.lower().endswith(".txt")]
    if len(texts) == 1:
        return texts[0]
    named = [m for m in texts if m.rsplit("/", 1)[-1] == "_chat.txt"]
    if len(named) == 1:
        return named[0]
    # Android names the chat "WhatsApp Chat with X.txt" (localised); a .txt sent in the chat is
    # a media file. Keep the ones whose first line is a WhatsApp header.
    chats = [m for m in texts if is_header_line(_head_text(tree.read(m, max_size=1 << 30)))]
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


@dataclasses.dataclass(frozen=True)
class _Layout:
    """What every header of one file looks like (learned from its first lines)."""

    bracketed: bool
    sep: str
    spaced: bool  # a space after each date separator ("13. 6. 2018.")
    dot: str  # a dot after the date
    comma: str
    space: bool  # white space between the date and the time
    word: str  # a word between them ("klo")
    before: bool  # a 12-hour marker before the time (Korean, Japanese, Chinese...)
    tsep: str
    seconds: bool
    after: bool  # a 12-hour marker after the time
    suffix: str  # a word after the time ("น.")
    close: str  # "]", " - ", ": " or " "

    def header(self, groups: bool) -> str:
        """The header pattern; with ``groups`` the named groups the parser reads."""
        def group(name_: str, body: str) -> str:
            return f"(?P<{name_}>{body})" if groups else f"(?:{body})"

        # Direction marks are allowed after each number of the date and around every other
        # part; white space, commas and marks between the date and the time are one class.
        sep = re.escape(self.sep) + ("[ \u00a0]" if self.spaced else "")
        date_ = (rf"\d{{1,4}}{_M}{sep}\d{{1,4}}{_M}{sep}\d{{1,4}}{re.escape(self.dot)}")
        join = f"[{re.escape(self.comma)} \u00a0\u202f\u200e\u200f]+" if (
            self.comma or self.space) else _M
        if self.word:
            join += rf"{re.escape(self.word)}{_SM}+"
        before = group("pre", rf"(?:{_BEFORE}){_SM}*") if self.before else group("pre", "")
        time = group("hm", rf"\d{{1,2}}{re.escape(self.tsep)}\d{{2}}")
        seconds = (re.escape(self.tsep) + group("s", r"\d{2}")) if self.seconds else \
            group("s", "")
        after = group("ap", rf"{_SM}*{_AFTER}") if self.after else group("ap", "")
        suffix = f"{_S}{re.escape(self.suffix)}" if self.suffix else ""
        close = rf"{_M}\]{_S}?" if self.bracketed else _CLOSES[self.close]
        return (rf"{_LEAD}{re.escape('[') if self.bracketed else ''}{_M}{group('date', date_)}"
                rf"{join}{before}{time}{seconds}{after}{suffix}{close}")

    def pattern(self) -> re.Pattern[str]:
        # One match per message: the sender is everything up to the first ": " (at most
        # MAX_NAME_LENGTH characters), and the text runs on over every following line that is
        # not a header. Hours and minutes (with a 12-hour marker) repeat a lot and are cached
        # together; seconds are added. The parsing loop takes these seven groups, in this
        # order, from findall().
        return re.compile(
            rf"^{self.header(True)}"
            rf"(?:(?P<name>[^\n]{{1,{MAX_NAME_LENGTH}}}?):{_M} )?"
            rf"(?P<rest>[^\n]*(?:\n(?!{self.header(False)})[^\n]*)*)", re.MULTILINE)


def _layout(text: str, where_: str) -> _Layout:
    """The layout of this file: the most common one among its first header lines."""
    seen: Counter[_Layout] = Counter()
    for line in text[:200_000].split("\n", 2000)[:2000]:
        m = _GENERIC.match(line)
        if m is None:
            continue
        close = "]" if m["open"] else _unmarked(m["close"]).replace("\u2013", "-") or " "
        close = {"-": " - ", ":": ": "}.get(close, close)
        key = _Layout(bool(m["open"]), m["sep"], bool(m["sp"]), m["dot"], m["comma"],
                      bool(m["space"]), m["word"] or "", m["pre"] is not None, m["tsep"],
                      m["s"] is not None, m["post"] is not None, (m["suffix"] or "").strip(),
                      close)
        if not (key.comma or key.space or key.word or key.before):
            continue  # "1.2.3.4" (a version number, an address) is not a date and a time
        seen[key] += 1
        if len(seen) == 1 and seen[key] >= 50:
            break
    if not seen:
        raise ImportFailure(where_, "not a WhatsApp chat export: no line starts with a date "
                                    "and time")
    return seen.most_common(1)[0][0]


_NUM = re.compile(r"\d+")
_SECONDS = {f"{n:02}": timedelta(seconds=n) for n in range(60)}
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")


def _time_of_day(key: str) -> timedelta | None:
    """``[marker] h:mm [marker]`` as the time since midnight, or None if impossible."""
    key = key.translate(_NO_MARKS)
    m = _TIME.search(key)
    if m is None:
        return None
    h, mi = int(m[1]), int(m[2])
    marker = (key[:m.start()] + key[m.end():]).strip(" \u00a0\u202f" + _MARKS).lower()
    if marker:
        folded = re.sub(f"[ \u00a0\u202f{_MARKS}]", "", marker)
        if folded in _PM or (folded[:1] == "p" and folded.rstrip(".").endswith("m")):
            pm = True
        elif folded in _AM or (folded[:1] == "a" and folded.rstrip(".").endswith("m")):
            pm = False
        else:
            return None
        if h > 12:
            return None
        if pm and h < 12:
            h += 12
        elif not pm and h == 12:
            h = 0
    if h > 23 or mi > 59:
        return None
    return timedelta(hours=h, minutes=mi)


class _Clock:
    """Turns a date and a time of day into aware UTC; counts times in a clock change."""

    def __init__(self, zone_: ZoneInfo) -> None:
        self.zone = zone_
        self.gaps = 0
        self.folds = 0

    def day(self, day: date) -> tuple[datetime, datetime | None]:
        """(the UTC instant of local midnight, local midnight if the offset changes that day)."""
        midnight = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - zone applied below
        offsets = {self.zone.utcoffset(midnight + timedelta(hours=h)) for h in (0, 12, 24)}
        first = self.zone.utcoffset(midnight)
        assert first is not None
        return midnight.replace(tzinfo=UTC) - first, (midnight if len(offsets) > 1 else None)

    def on_changing_day(self, midnight: datetime, since_midnight: timedelta) -> datetime:
        naive = midnight + since_midnight
        aware = naive.replace(tzinfo=self.zone)
        if aware.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) != naive:
            self.gaps += 1
        elif aware.replace(fold=1).utcoffset() != aware.utcoffset():
            self.folds += 1
        return local_to_utc(naive, self.zone)


def _settle_dates(found: Sequence[tuple[str, ...]], *, where_: str, date_order: str | None,
                  latest: date, line_of: Callable[[int], int],
                  notes: list[str]) -> dict[str, date]:
    """Every date of the file as a ``date``: in the caller's order, or the one the file
    settles (a note says how); raises ``AmbiguousDates`` when the file leaves it open."""
    keys = map(itemgetter(0), found)
    if date_order is not None:
        verdict = dates.settle(keys, _numbers, earliest=RELEASED, latest=latest,
                               orders=(date_order,))
        reading = verdict.readings[date_order]
        if reading.impossible_at is not None:
            at = reading.impossible_at
            why = dates.why_impossible(verdict.written[verdict.key_at(at)], date_order)
            raise ImportFailure(f"{where_}, line {line_of(at)}",
                                f"impossible date ({why} when read {date_order})")
        _note_odd_dates(reading, notes, line_of)
        return dict(reading.dates)
    verdict = dates.settle(keys, _numbers, earliest=RELEASED, latest=latest,
                           tolerate_disorder=True)
    if verdict.kind == "impossible":
        at = verdict.impossible_at or 0
        raise ImportFailure(f"{where_}, line {line_of(at)}",
                            "impossible date: no order of day, month and year reads this date "
                            "and the ones before it as real dates")
    if verdict.kind == "open":
        at = verdict.shown_at or 0
        key = verdict.key_at(at)
        raise AmbiguousDates(
            f"{where_}, line {line_of(at)}", verdict.choices,
            written=re.sub(f"[{_MARKS}]", "", key).strip(),
            readings={o: verdict.readings[o].dates[key] for o in verdict.choices})
    assert verdict.order is not None
    notes.append(dates.explain(verdict, line=line_of, too_early="before WhatsApp existed",
                               too_late="after today", earliest=RELEASED))
    reading = verdict.readings[verdict.order]
    _note_odd_dates(reading, notes, line_of)
    return dict(reading.dates)


def _numbers(key: str) -> dates.Written:
    """The three numbers of a header's date (three empty ones when it has not three)."""
    numbers = _NUM.findall(key)
    return (numbers[0], numbers[1], numbers[2]) if len(numbers) == 3 else ("", "", "")


def _note_odd_dates(reading: dates.Reading, notes: list[str],
                    line_of: Callable[[int], int]) -> None:
    if reading.outside_at is not None:
        notes.append(f"{reading.outside} date(s) fall before 2009 or after today, first on line "
                     f"{line_of(reading.outside_at)}: the phone's clock may have been wrong")
    if reading.backwards_at is not None:
        notes.append(f"the dates go back in time {reading.backwards} time(s), first on line "
                     f"{line_of(reading.backwards_at)}")


def _parse_text(raw: bytes, *, name: str, member: str | None, zone_: ZoneInfo, tz: str,  # noqa: C901, PLR0912, PLR0915 (streaming parser split: issue 20, ww)
                date_order: str | None, owner: str | None,
                media: dict[str, str] | None, latest: date) -> ParsedImport:
    where_ = where(name, member)
    text, notes = _decode(raw, where_)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    text = text.rstrip("\n")
    layout = _layout(text, where_)
    rx = layout.pattern()
    head = rx.search(text)
    if head is None:
        raise ImportFailure(where_, "not a WhatsApp chat export: no line starts with a date and "
                                    "time")
    first = head.start()
    if text[:first].strip(" \n\t\u200e\u200f\ufeff"):
        raise ImportFailure(f"{where_}, line 1", "does not start with a dated WhatsApp line")
    # (date, marker before, h:mm, seconds, marker after, name or "", text with its
    # continuation lines), one per message, in order.
    found: list[tuple[str, str, str, str, str, str, str]] = rx.findall(text, first)
    first_line = text.count("\n", 0, first) + 1

    def line_of(index: int) -> int:
        """The line of the message ``found[index]`` (for notes and error messages)."""
        return first_line + index + sum(m[6].count("\n") for m in found[:index])

    days: dict[str, tuple[datetime, datetime | None]] = {}
    clock = _Clock(zone_)
    for key, day in _settle_dates(found, where_=where_, date_order=date_order, latest=latest,
                                  line_of=line_of, notes=notes).items():
        days[key] = clock.day(day)
    times: dict[str, timedelta] = {}
    ios = layout.bracketed

    senders: dict[str, Sender] = {}
    messages: list[Message] = []
    append = messages.append
    line = first_line
    # The hot loop: about 100,000 turns for a long chat, so locals and few calls. Messages and
    # Origins are built as in _message_fast / _origin_fast, inline (see the note there).
    fast = _FAST
    new, set_ = object.__new__, object.__setattr__
    message_cls, origin_cls = Message, Origin
    for dkey, before, tkey, sec, after, sender_name, content in found:
        if before or after:
            tkey = before + tkey + after
        since_midnight = times.get(tkey)
        if since_midnight is None:
            since_midnight = _time_of_day(tkey)
            if since_midnight is None:
                raise ImportFailure(f"{where_}, line {line}", "impossible time")
            times[tkey] = since_midnight
        if sec:
            extra_seconds = _SECONDS.get(sec)
            if extra_seconds is None:
                if not sec.isdigit() or int(sec) > 59:
                    raise ImportFailure(f"{where_}, line {line}", "impossible time")
                extra_seconds = timedelta(seconds=int(sec))
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
                    and "\n" not in content and not _has_quote(content):
                sender_name, content = content[:-1], ""  # "Name:" with an empty first line
            else:
                append(_new_message(sent_at, None, content, origin, (), True))
                continue
        sender = senders.get(sender_name)
        if sender is None:
            if _has_quote(sender_name):  # 'X changed the subject to "A: B"'
                append(_new_message(sent_at, None, f"{sender_name}: {content}", origin, (), True))
                continue
            sender = senders[sender_name] = _sender(sender_name, owner)
        if "<" in content or "omitted" in content or "(" in content or "\u200e" in content \
                or "\u2039" in content:
            if ios and content.startswith("\u200e") and _is_ios_notice(content, media):
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


def _has_quote(name_: str) -> bool:
    return any(q in name_ for q in _QUOTES)


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


# -- attachments ----------------------------------------------------------------------------

def _fold(words: str) -> str:
    return " ".join(words.replace("\u00a0", " ").replace("\u202f", " ").split()).casefold()


_IOS_WORDS = {_fold(row[1]) for row in markers.IOS_ATTACHED}
_ANDROID_WORDS = {_fold(row[1]) for row in markers.ANDROID_ATTACHED}
_OMITTED_MEDIA = {row[1] for row in markers.OMITTED}
# Names the apps give the files they export: iOS "00000042-PHOTO-2020-06-07-15-13-20.jpg",
# Android "IMG-20200607-WA0001.jpg" (VID, AUD, PTT for voice notes, STK, DOC).
_IOS_FILE = re.compile(r"\d{8}-[A-Z]+(?:-[A-Z]+)*-\d{4}(?:-\d{2}){5}\.\w{1,5}")
_ANDROID_FILE = re.compile(r"(?:IMG|VID|AUD|PTT|STK|DOC)-\d{8}-WA\d{4,}(?:\.\w{0,5})?")
_EXTENSION = re.compile(r"\.\w{1,5}(?:\s|$)")
# "<attached: FILE>", "< attached: FILE >", "<Anhang: FILE>" (a full-width colon in CJK)
_IOS_ATTACHED = re.compile(
    rf"{_M}<{_M}{_S}*(?P<word>[^<>:\uff1a\n]{{1,30}}?){_S}*{_M}[:\uff1a]{_M}{_S}*"
    rf"(?P<file>[^<>\n]+?){_S}*{_M}>")
# The whole first line: "FILE (file attached)", "FILE <attached>" (or in guillemets).
_ANDROID_ATTACHED = re.compile(r"(?P<file>[^\n]+?) *\((?P<word>[^()\n]{1,40})\)")
_OLD_IOS_ATTACHED = re.compile(r"(?P<file>[^\n<>\u2039\u203a]+?) *[<\u2039\u00ab]"
                               r"(?P<word>[^<>\u2039\u203a\u00ab\u00bb\n]{1,30})[>\u203a\u00bb]")
_OMITTED_KIND = re.compile(r"(?P<kind>image|video|audio|sticker|GIF|document|Contact card|"
                           r"(?P<doc>[^\n]+?) • [^\n]*document) omitted")
# iOS notices after U+200E that are still something the sender did.
_IOS_SENDER_ACTS = re.compile(
    r"^\u200e(?:Missed (?:voice|video|group voice|group video) call|Voice call|Video call|"
    r"This message was deleted\.?|You deleted this message\.?|"
    r"This message was edited|View once (?:photo|video|voice message))"
)
_NO_MARKS = str.maketrans("", "", _MARKS)


def _unmarked(line: str) -> str:
    """A line without direction marks, its spaces made plain, trimmed (for matching only)."""
    return line.translate(_NO_MARKS).replace("\u00a0", " ").replace("\u202f", " ").strip()


def _ios_marker(m: re.Match[str]) -> str | None:
    """The file an iOS ``<word: FILE>`` names, or None when it is not an attachment marker."""
    word = _fold(m["word"].translate(_NO_MARKS))
    file_name = m["file"].translate(_NO_MARKS).strip()
    if word in _IOS_WORDS or _IOS_FILE.fullmatch(file_name):
        return file_name
    return None


def _omitted(plain: str) -> str | None:
    """The kind of media a "media omitted" line stands for, or None."""
    if plain in _OMITTED_MEDIA:
        return "media"
    m = _OMITTED_KIND.fullmatch(plain)
    if m is None:
        return None
    return m["doc"] or m["kind"]


def _file_attached(plain: str, media: dict[str, str] | None) -> str | None:
    """The file an Android ``FILE (words)`` or old iOS ``FILE <attached>`` line names."""
    m = _ANDROID_ATTACHED.fullmatch(plain)
    if m is not None:
        file_name = m["file"].split(" \u2022 ", 1)[0].strip()
        word = _fold(m["word"])
        if word in _ANDROID_WORDS and _EXTENSION.search(file_name + " "):
            return file_name
        if _ANDROID_FILE.fullmatch(file_name) and not any(c.isdigit() for c in word) \
                and len(word.split()) <= 4:
            return file_name  # WhatsApp's own file name, in a language not in the table
        if media is not None and unicodedata.normalize("NFC", file_name) in media:
            return file_name  # the file is in the export
    m = _OLD_IOS_ATTACHED.fullmatch(plain)
    if m is not None and _fold(m["word"]) in _IOS_WORDS:
        return m["file"].strip()
    return None


def _is_ios_notice(content: str, media: dict[str, str] | None) -> bool:
    if _IOS_SENDER_ACTS.match(content):
        return False
    if any(_ios_marker(m) for m in _IOS_ATTACHED.finditer(content)):
        return False
    first = _unmarked(content.partition("\n")[0])
    return _omitted(first) is None and _file_attached(first, media) is None


def _sender(raw_name: str, owner: str | None) -> Sender:
    display = raw_name.strip(_NAME_MARKS)
    phone = display if _PHONE.fullmatch(display) else None
    return Sender(display_name=display, phone=phone, platform=FORMAT,
                  is_owner=owner is not None and display == owner)


def _attachments(content: str, media: dict[str, str] | None
                 ) -> tuple[str, tuple[Attachment, ...]]:
    found: list[Attachment] = []
    spans: list[tuple[int, int]] = []
    for m in _IOS_ATTACHED.finditer(content):
        file_name = _ios_marker(m)
        if file_name is not None:
            found.append(_attachment(file_name, media))
            spans.append(m.span())
    if found:
        for start, end in reversed(spans):
            content = content[:start] + content[end:]
        return content.strip(), tuple(found)
    first, _, caption = content.partition("\n")
    plain = _unmarked(first)
    file_name = _file_attached(plain, media)
    if file_name is not None:
        return caption, (_attachment(file_name, media),)
    kind = _omitted(plain)
    if kind is not None:
        return caption, (Attachment(name=kind, missing=True),)
    return content, ()


def _attachment(file_name: str, media: dict[str, str] | None) -> Attachment:
    media_type = media_type_for(file_name)
    if media is None:
        return Attachment(name=file_name, media_type=media_type)
    member = media.get(unicodedata.normalize("NFC", file_name))
    return Attachment(name=file_name, member=member, media_type=media_type,
                      missing=member is None)
