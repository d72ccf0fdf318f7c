"""What a WhatsApp header looks like: the layouts, the date and time parts, the clock (pure).

The layout is learned from the first lines of a file (``learn_layout``) and then held for the
whole file, so that a continuation line that merely starts with a number stays text.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from cairn.importers.base import ImportFailure
from cairn.importers.parsers import whatsapp_markers as markers
from cairn.importers.parsers._export import local_to_utc

MAX_NAME_LENGTH = 100

_S = "[ \u00a0\u202f]"  # a space as WhatsApp writes it: plain, no-break, or narrow no-break
_M = "[\u200e\u200f]*"  # direction marks, which may stand anywhere in a header
_LEAD = "[\u200e\u200f\ufeff]*"
_MARKS = "\u200e\u200f"
SPACE, MARK = _S, _M  # for the attachment patterns


def _one_of(texts: list[str]) -> str:
    return "|".join(re.escape(t) for t in sorted(set(texts), key=len, reverse=True))


_LATIN_AMPM = r"[AaPp]\.?[ \u00a0\u202f]?[Mm]\.?"
_AFTER = (
    f"(?:{_LATIN_AMPM}|{_one_of([t for row in markers.AM_PM if not row[3] for t in row[1:3]])})"
)
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


def is_header_line(line: str) -> bool:
    """True when ``line`` starts like a WhatsApp message line in any known layout.

    For the layouts whose header ends in a plain space or ``": "`` (which other text files
    share, "2024-01-05 10:00 Meeting"), only when a sender's ``"Name: "`` follows."""
    m = _GENERIC.match(line)
    if m is None or not (m["comma"] or m["space"] or m["word"] is not None or m["pre"] is not None):
        return False
    if m["open"] or unmarked(m["close"]).startswith(("-", "\u2013")):
        return True
    return ": " in line[m.end() : m.end() + MAX_NAME_LENGTH + 2]


@dataclasses.dataclass(frozen=True)
class Layout:
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
        date_ = rf"\d{{1,4}}{_M}{sep}\d{{1,4}}{_M}{sep}\d{{1,4}}{re.escape(self.dot)}"
        join = (
            f"[{re.escape(self.comma)} \u00a0\u202f\u200e\u200f]+"
            if (self.comma or self.space)
            else _M
        )
        if self.word:
            join += rf"{re.escape(self.word)}{_SM}+"
        before = group("pre", rf"(?:{_BEFORE}){_SM}*") if self.before else group("pre", "")
        time = group("hm", rf"\d{{1,2}}{re.escape(self.tsep)}\d{{2}}")
        seconds = (re.escape(self.tsep) + group("s", r"\d{2}")) if self.seconds else group("s", "")
        after = group("ap", rf"{_SM}*{_AFTER}") if self.after else group("ap", "")
        suffix = f"{_S}{re.escape(self.suffix)}" if self.suffix else ""
        close = rf"{_M}\]{_S}?" if self.bracketed else _CLOSES[self.close]
        return (
            rf"{_LEAD}{re.escape('[') if self.bracketed else ''}{_M}{group('date', date_)}"
            rf"{join}{before}{time}{seconds}{after}{suffix}{close}"
        )

    def pattern(self) -> re.Pattern[str]:
        # One match per message: the sender is everything up to the first ": " (at most
        # MAX_NAME_LENGTH characters), and the text runs on over every following line that is
        # not a header. Hours and minutes (with a 12-hour marker) repeat a lot and are cached
        # together; seconds are added. The parsing loop takes these seven groups, in this
        # order, from findall().
        return re.compile(
            rf"^{self.header(True)}"
            rf"(?:(?P<name>[^\n]{{1,{MAX_NAME_LENGTH}}}?):{_M} )?"
            rf"(?P<rest>[^\n]*(?:\n(?!{self.header(False)})[^\n]*)*)",
            re.MULTILINE,
        )


def learn_layout(text: str, where_: str) -> Layout:
    """The layout of this file: the most common one among its first header lines."""
    seen: Counter[Layout] = Counter()
    for line in text[:200_000].split("\n", 2000)[:2000]:
        m = _GENERIC.match(line)
        if m is None:
            continue
        close = "]" if m["open"] else unmarked(m["close"]).replace("\u2013", "-") or " "
        close = {"-": " - ", ":": ": "}.get(close, close)
        key = Layout(
            bool(m["open"]),
            m["sep"],
            bool(m["sp"]),
            m["dot"],
            m["comma"],
            bool(m["space"]),
            m["word"] or "",
            m["pre"] is not None,
            m["tsep"],
            m["s"] is not None,
            m["post"] is not None,
            (m["suffix"] or "").strip(),
            close,
        )
        if not (key.comma or key.space or key.word or key.before):
            continue  # "1.2.3.4" (a version number, an address) is not a date and a time
        seen[key] += 1
        if len(seen) == 1 and seen[key] >= 50:
            break
    if not seen:
        raise ImportFailure(
            where_, "not a WhatsApp chat export: no line starts with a date and time"
        )
    return seen.most_common(1)[0][0]


DATE_NUMBERS = re.compile(r"\d+")
SECONDS = {f"{n:02}": timedelta(seconds=n) for n in range(60)}
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")


def time_of_day(key: str) -> timedelta | None:
    """``[marker] h:mm [marker]`` as the time since midnight, or None if impossible."""
    key = key.translate(NO_MARKS)
    m = _TIME.search(key)
    if m is None:
        return None
    h, mi = int(m[1]), int(m[2])
    marker = (key[: m.start()] + key[m.end() :]).strip(" \u00a0\u202f" + _MARKS).lower()
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


class Clock:
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


NO_MARKS = str.maketrans("", "", _MARKS)


def unmarked(line: str) -> str:
    """A line without direction marks, its spaces made plain, trimmed (for matching only)."""
    return line.translate(NO_MARKS).replace("\u00a0", " ").replace("\u202f", " ").strip()
