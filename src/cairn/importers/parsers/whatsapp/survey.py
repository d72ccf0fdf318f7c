"""The first reading of a chat: its layout, where its first message starts, and the order of
day, month and year, settled from every date of the file (pure, no Django).

Only the dates are kept (each distinct date once, and the line where each run of one date
starts, for the notes and error messages): the messages are read in a second pass
(``reading``), so a long chat is never held whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from cairn.importers import dates
from cairn.importers.base import AmbiguousDates, ImportFailure
from cairn.importers.parsers.whatsapp.layout import (
    _MARKS,
    DATE_NUMBERS,
    Layout,
    learn_layout,
)
from cairn.importers.parsers.whatsapp.text import ChatText

RELEASED = date(2009, 1, 1)  # WhatsApp was first released in 2009: no chat is older
LAYOUT_CHARS = 200_000  # the layout is learned from the lines in this much of the start
_BLANK = " \n\t\u200e\u200f\ufeff"


@dataclass
class Survey:
    """What the first reading found."""

    layout: Layout
    header: re.Pattern[str]  # a line that starts a message
    head_piece: int  # the piece of text (``ChatText.pieces``) where the first message starts
    head_at: int  # and where in it
    first_line: int
    count: int  # messages
    days: dict[str, date]  # each date as written, as a date


def survey(
    text: ChatText, *, where_: str, date_order: str | None, latest: date, notes: list[str]
) -> Survey:
    """Read the whole chat once for its layout and dates. Raises ``ImportFailure`` (and
    ``AmbiguousDates`` when the order of day, month and year is left open)."""
    start = ""
    for piece in text.pieces():
        start += piece
        if len(start) >= LAYOUT_CHARS:
            break
    layout = learn_layout(start, where_)
    del start
    header = re.compile(rf"^{layout.header(True)}", re.MULTILINE)
    found = Survey(layout, header, 0, 0, 1, 0, {})
    run_lines: dict[int, int] = {}  # the line of each message where a run of one date starts

    def keys() -> Iterator[str]:
        line = 1  # the line at the start of the piece
        index = 0
        previous = None
        head, blank = False, True
        for number, piece in enumerate(text.pieces()):
            at = 0
            if not head:
                m = header.search(piece)
                if m is None:
                    blank = blank and not piece.strip(_BLANK)
                    line += piece.count("\n")
                    continue
                if not blank or piece[: m.start()].strip(_BLANK):
                    raise ImportFailure(
                        f"{where_}, line 1", "does not start with a dated WhatsApp line"
                    )
                head, found.head_piece, found.head_at = True, number, m.start()
                found.first_line = line + piece.count("\n", 0, m.start())
                at = m.start()
            counted, counted_line = 0, line
            for m in header.finditer(piece, at):
                key = m["date"]
                if key != previous:
                    counted_line += piece.count("\n", counted, m.start())
                    counted = m.start()
                    run_lines[index] = counted_line
                    previous = key
                yield key
                index += 1
            line += piece.count("\n")
        if not head:
            raise ImportFailure(
                where_, "not a WhatsApp chat export: no line starts with a date and time"
            )
        found.count = index

    found.days = _settle(
        keys(),
        where_=where_,
        date_order=date_order,
        latest=latest,
        line_of=run_lines.__getitem__,
        notes=notes,
    )
    return found


def _settle(
    keys: Iterator[str],
    *,
    where_: str,
    date_order: str | None,
    latest: date,
    line_of: Callable[[int], int],
    notes: list[str],
) -> dict[str, date]:
    """Every date of the file as a ``date``: in the caller's order, or the one the file
    settles (a note says how); raises ``AmbiguousDates`` when the file leaves it open."""
    if date_order is not None:
        verdict = dates.settle(
            keys, _numbers, earliest=RELEASED, latest=latest, orders=(date_order,)
        )
        reading = verdict.readings[date_order]
        if reading.impossible_at is not None:
            at = reading.impossible_at
            why = dates.why_impossible(verdict.written[verdict.key_at(at)], date_order)
            raise ImportFailure(
                f"{where_}, line {line_of(at)}", f"impossible date ({why} when read {date_order})"
            )
        _note_odd_dates(reading, notes, line_of)
        return dict(reading.dates)
    verdict = dates.settle(keys, _numbers, earliest=RELEASED, latest=latest, tolerate_disorder=True)
    if verdict.kind == "impossible":
        at = verdict.impossible_at or 0
        raise ImportFailure(
            f"{where_}, line {line_of(at)}",
            "impossible date: no order of day, month and year reads this date "
            "and the ones before it as real dates",
        )
    if verdict.kind == "open":
        at = verdict.shown_at or 0
        key = verdict.key_at(at)
        raise AmbiguousDates(
            f"{where_}, line {line_of(at)}",
            verdict.choices,
            written=re.sub(f"[{_MARKS}]", "", key).strip(),
            readings={o: verdict.readings[o].dates[key] for o in verdict.choices},
        )
    assert verdict.order is not None
    notes.append(
        dates.explain(
            verdict,
            line=line_of,
            too_early="before WhatsApp existed",
            too_late="after today",
            earliest=RELEASED,
        )
    )
    reading = verdict.readings[verdict.order]
    _note_odd_dates(reading, notes, line_of)
    return dict(reading.dates)


def _numbers(key: str) -> dates.Written:
    """The three numbers of a header's date (three empty ones when it has not three)."""
    numbers = DATE_NUMBERS.findall(key)
    return (numbers[0], numbers[1], numbers[2]) if len(numbers) == 3 else ("", "", "")


def _note_odd_dates(
    reading: dates.Reading, notes: list[str], line_of: Callable[[int], int]
) -> None:
    if reading.outside_at is not None:
        notes.append(
            f"{reading.outside} date(s) fall before 2009 or after today, first on line "
            f"{line_of(reading.outside_at)}: the phone's clock may have been wrong"
        )
    if reading.backwards_at is not None:
        notes.append(
            f"the dates go back in time {reading.backwards} time(s), first on line "
            f"{line_of(reading.backwards_at)}"
        )
