"""Write WhatsApp exports in any layout and date order, for the WhatsApp tests.

Independent of the parser: a ``Layout`` is written out field by field from what the phones
write (see ``docs/import-rules.md``), and ``Chat.expected`` says what a parser must read back
(local wall-clock times, senders, texts, system lines, attachments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cairn.importers import dates
from cairn.importers.parsers import whatsapp_markers as markers

LRM, RLM = "\u200e", "\u200f"

# 12-hour clocks: (am, pm, written before the time?, space between marker and time).
LATIN_CLOCKS = (
    ("AM", "PM", False, " "),
    ("am", "pm", False, " "),
    ("a. m.", "p. m.", False, "\u00a0"),
    ("a.m.", "p.m.", False, " "),
    ("AM", "PM", False, "\u202f"),
    ("a.\u202fm.", "p.\u202fm.", False, " "),
)
LOCAL_CLOCKS = tuple(
    (am, pm, before, "" if lang in ("ja", "zh", "yue") else " ")
    for lang, am, pm, before, _ in markers.AM_PM
)
CLOCKS = LATIN_CLOCKS + LOCAL_CLOCKS

# Where a direction mark may be written in a header.
MARK_PLACES = (
    "lead",
    "after_open",
    "date1",
    "date2",
    "after_date",
    "after_comma",
    "before_marker",
    "before_close",
    "after_close",
    "before_colon",
    "after_colon",
)


@dataclass(frozen=True)
class Layout:
    family: str  # "android" (" - "), "ios" ("[...] "), "colon" (": "), "plain" (" ")
    order: str  # a key of dates.ORDERS
    sep: str = "/"  # "/", ".", "-", or ". " (spaced, with a trailing dot)
    year_digits: int = 4
    pad: bool = True
    join: str = ", "  # between date and time: ", ", " ", " klo "
    tsep: str = ":"
    seconds: bool = False
    clock: tuple[str, str, bool, str] | None = None  # a 12-hour clock from CLOCKS
    suffix: str = ""  # " น." after a 24-hour time
    lead: str = ""  # U+200E before every header (iOS)

    def date_text(self, day: date, marks: frozenset[str] = frozenset()) -> str:
        year = f"{day.year:04}" if self.year_digits == 4 else f"{day.year % 100:02}"
        month = f"{day.month:02}" if self.pad else str(day.month)
        day_ = f"{day.day:02}" if self.pad else str(day.day)
        a, b, c = ({"y": year, "m": month, "d": day_}[f] for f in dates.ORDERS[self.order])
        a += LRM if "date1" in marks else ""
        b += RLM if "date2" in marks else ""
        if self.sep == ". ":
            return f"{a}. {b}. {c}."
        return f"{a}{self.sep}{b}{self.sep}{c}"

    def time_text(self, at: datetime, marks: frozenset[str] = frozenset()) -> str:
        hour = at.hour
        if self.clock is not None:
            hour = hour % 12 or 12
        text = (
            f"{hour}{self.tsep}{at.minute:02}"
            if not self.pad
            else f"{hour:02}{self.tsep}{at.minute:02}"
        )
        if self.seconds:
            text += f"{self.tsep}{at.second:02}"
        if self.clock is not None:
            am, pm, before, space = self.clock
            marker = pm if at.hour >= 12 else am
            mark = LRM if "before_marker" in marks else ""
            text = f"{marker}{space}{text}" if before else f"{text}{space}{mark}{marker}"
        return text + self.suffix

    def header(self, at: datetime, marks: frozenset[str] = frozenset()) -> str:
        def m(place: str) -> str:
            return LRM if place in marks else ""

        join = self.join
        if "after_comma" in marks and join.startswith(","):
            join = "," + LRM + join[1:]
        date_ = self.date_text(at.date(), marks) + m("after_date")
        time = self.time_text(at, marks) + m("before_close")
        lead = self.lead + m("lead")
        if self.family == "ios":
            return f"{lead}[{m('after_open')}{date_}{join}{time}] {m('after_close')}"
        close = {"android": " - ", "colon": ": ", "plain": " "}[self.family]
        if self.family == "android" and "after_close" in marks:
            close = " -" + LRM + " "
        return f"{lead}{date_}{join}{time}{close}"

    def describe(self) -> str:
        return (
            f"{self.family} {self.order} sep={self.sep!r} yy={self.year_digits} "
            f"pad={self.pad} join={self.join!r} tsep={self.tsep!r} s={self.seconds} "
            f"clock={self.clock} suffix={self.suffix!r}"
        )


@dataclass(frozen=True)
class Entry:
    """One message as written, and what it must read as."""

    at: datetime  # local wall clock
    sender: str | None  # display name; None for a system line
    body: str  # what follows the header (name, colon and text, or the system line)
    text: str  # the text a parser must give
    attachments: tuple[str, ...] = ()
    marks: frozenset[str] = frozenset()


@dataclass
class Chat:
    layout: Layout
    entries: list[Entry] = field(default_factory=list)

    def text(self) -> str:
        return "".join(f"{self.layout.header(e.at, e.marks)}{e.body}\n" for e in self.entries)

    def expected(self, tz: str) -> list[tuple[datetime, str | None, str, tuple[str, ...]]]:
        zone = ZoneInfo(tz)
        out = []
        for e in self.entries:
            at = e.at if self.layout.seconds else e.at.replace(second=0)
            out.append((at.replace(tzinfo=zone).astimezone(UTC), e.sender, e.text, e.attachments))
        return out


def said(at: datetime, name: str, text: str, *, marks: frozenset[str] = frozenset()) -> Entry:
    """A person's message: ``Name: text`` (marks around the name and colon if asked)."""
    before = LRM if "before_colon" in marks else ""
    after = LRM if "after_colon" in marks else ""
    return Entry(at, name, f"{name}{before}:{after} {text}", text, marks=marks)


def read_back(parsed) -> list[tuple[datetime, str | None, str, tuple[str, ...]]]:
    return [
        (
            m.sent_at,
            m.sender.display_name if m.sender else None,
            m.text,
            tuple(a.name for a in m.attachments),
        )
        for m in parsed.messages
    ]
