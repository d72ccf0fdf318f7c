"""The order of day, month and year in dates written as numbers, settled from the whole file.

Pure (no Django). An export that writes its dates as three numbers (``20-01-15``,
``13/06/18``, ``2018. 6. 13.``) does not say which is the day, the month or the year: the
phone's language and region chose. ``settle`` reads the whole file in each of the six orders
(``ORDERS``) and keeps the ones the file does not contradict:

1. **Real dates.** An order under which any date of the file does not exist is out: a month of
   20, 31 February, a year written with one or three digits, a day or month with four.
2. **Possible dates.** ``earliest`` and ``latest`` bound the dates the file can hold (a WhatsApp
   chat cannot be older than WhatsApp, nor dated after the import). An order that puts a date
   outside them is out, unless every order does.
3. **Time order.** A chat export lists its messages in the order they were sent, so the right
   order keeps the dates in time order: the day is the field that varies fastest and starts
   again each time the month moves on; read another way, the same file jumps back in time at
   those places. An order under which the dates go back in time is out when another order
   keeps them in order. ``direction="either"`` accepts a file that runs newest first (a diary).
   With ``tolerate_disorder`` a file in which every order goes back somewhere (a phone whose
   clock was wrong for a while) is still settled by the order that goes back far less often
   than any other (at most half as often, less one); without it such a file stays open.
4. **Same dates.** Orders that read every date of this file alike (``05/05/20``) are one.

When exactly one order is left, and it keeps every date within the bounds, the file has
settled it (``Verdict.order``). Otherwise the verdict is open: ``Verdict.choices`` lists the
orders left (never empty, and always holding the true order when the file is a real, time
ordered export) and ``Verdict.shown_at`` a date that reads differently under them, for the
question "how are dates written in this file?". When no order reads every date as a real
date, ``Verdict.impossible_at`` is where the last order to survive fails. Nothing here guesses:
a verdict that is not settled must be answered by the person importing.

Two-digit years are read as 20yy. Positions (``*_at``) are indexes into the sequence given,
so the caller can name the line.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any, Literal, TypeVar

__all__ = [
    "EXAMPLES",
    "LABELS",
    "ORDERS",
    "Reading",
    "Verdict",
    "Written",
    "explain",
    "read",
    "settle",
    "why_impossible",
]

Written = tuple[str, str, str]  # the three numbers of a date as written, left to right
K = TypeVar("K", bound=Hashable)

# Each order names, left to right, which field each number is.
ORDERS: dict[str, str] = {
    "day-first": "dmy",
    "month-first": "mdy",
    "year-first": "ymd",
    "year-day-month": "ydm",
    "day-year-month": "dym",
    "month-year-day": "myd",
}
LABELS: dict[str, str] = {
    "day-first": "Day, month, year",
    "month-first": "Month, day, year",
    "year-first": "Year, month, day",
    "year-day-month": "Year, day, month",
    "day-year-month": "Day, year, month",
    "month-year-day": "Month, year, day",
}
EXAMPLES: dict[str, str] = {  # 31 December 2024, written in each order
    "day-first": "31/12/2024",
    "month-first": "12/31/2024",
    "year-first": "2024/12/31",
    "year-day-month": "2024/31/12",
    "day-year-month": "31/2024/12",
    "month-year-day": "12/2024/31",
}
CENTURY = 2000


def read(written: Written, order: str) -> date | None:
    """The date ``written`` means in ``order``, or None when it is not a real date."""
    letters = ORDERS[order]
    year_text = written[letters.index("y")]
    month_text = written[letters.index("m")]
    day_text = written[letters.index("d")]
    if len(year_text) == 4:
        year = int(year_text)
    elif len(year_text) == 2:
        year = CENTURY + int(year_text)
    else:
        return None
    if len(month_text) > 2 or len(day_text) > 2:
        return None
    try:
        return date(year, int(month_text), int(day_text))
    except ValueError:
        return None


def why_impossible(written: Written, order: str) -> str:
    """Why ``written`` is not a real date in ``order``, in a few words ("no month 20")."""
    letters = ORDERS[order]
    year_text = written[letters.index("y")]
    month_text = written[letters.index("m")]
    day_text = written[letters.index("d")]
    if len(year_text) not in (2, 4):
        return f"{year_text} is not a year"
    if len(month_text) > 2 or not 1 <= int(month_text) <= 12:
        return f"no month {int(month_text)}"
    year = CENTURY + int(year_text) if len(year_text) == 2 else int(year_text)
    month = int(month_text)
    if len(day_text) > 2 or int(day_text) == 0:
        return f"no day {int(day_text)}"
    last = calendar.monthrange(year, month)[1] if 1 <= year <= 9999 else 31
    return f"no {int(day_text)} {calendar.month_name[month]} {year} (it has {last} days)"


@dataclass(frozen=True)
class Reading:
    """The whole file read in one order."""

    order: str
    impossible_at: int | None  # the first date that is not a real date in this order
    outside: int  # runs of dates outside the bounds
    outside_at: int | None
    backwards: int  # steps back in time from one date to the next
    backwards_at: int | None
    dates: Mapping[Any, date] = field(repr=False)  # every date of the file (if real)


@dataclass(frozen=True)
class Verdict:
    kind: Literal["settled", "open", "impossible"]
    order: str | None  # the order the file settles ("settled")
    choices: tuple[str, ...]  # the orders left open ("open"), in ORDERS order
    shown_at: int | None  # a date that reads differently under the choices ("open")
    impossible_at: int | None  # where the last order to read real dates fails ("impossible")
    readings: Mapping[str, Reading] = field(repr=False)
    # Where each run of one date starts in the sequence given, and the numbers of each date.
    runs: Sequence[tuple[int, Any]] = field(repr=False, default=())
    written: Mapping[Any, Written] = field(repr=False, default_factory=dict)

    def key_at(self, position: int) -> Any:
        """The date (as the caller keyed it) at ``position`` of the sequence given."""
        starts = [at for at, _ in self.runs]
        return self.runs[bisect_right(starts, position) - 1][1]


def settle(
    keys: Iterable[K],
    written: Mapping[K, Written] | Callable[[K], Written],
    *,
    earliest: date | None = None,
    latest: date | None = None,
    direction: Literal["forward", "either"] = "forward",
    tolerate_disorder: bool = False,
    orders: Sequence[str] = tuple(ORDERS),
) -> Verdict:
    """Weigh every order in ``orders`` against the dates of a file (see the module docstring).

    ``keys`` are the file's dates in file order (repeats allowed, e.g. one per message);
    ``written`` gives the three numbers of each distinct key (a mapping, or a function called
    once per distinct key; numbers that are not three make the date real in no order).
    """
    runs: list[tuple[int, K]] = []
    position = 0
    for key, group in groupby(keys):
        runs.append((position, key))
        position += len(list(group))
    if callable(written):
        split = written
        written = {key: split(key) for key in dict.fromkeys(key for _, key in runs)}
    readings = {
        order: _reading(order, runs, written, earliest, latest, direction) for order in orders
    }
    real = [r for r in readings.values() if r.impossible_at is None]
    if not real:
        failing = [r.impossible_at for r in readings.values() if r.impossible_at is not None]
        return Verdict(
            "impossible", None, (), None, max(failing, default=0), readings, runs, written
        )
    within = [r for r in real if r.outside == 0]
    pool = within or real
    in_order = [r for r in pool if r.backwards == 0]
    if in_order:
        left = in_order
    elif tolerate_disorder:
        fewest = min(pool, key=lambda r: r.backwards)
        others = [r for r in pool if r is not fewest]
        left = [fewest] if all(r.backwards >= 2 * fewest.backwards + 2 for r in others) else pool
    else:
        left = pool
    left = _distinct(left, written)
    if len(left) == 1 and within:
        return Verdict("settled", left[0].order, (), None, None, readings, runs, written)
    shown = _differs_at(left, runs)
    if shown is None:  # one order left, with dates outside the bounds: ask anyway
        shown = left[0].outside_at
    return Verdict("open", None, tuple(r.order for r in left), shown, None, readings, runs, written)


def _reading(
    order: str,
    runs: Sequence[tuple[int, Any]],
    written: Mapping[Any, Written],
    earliest: date | None,
    latest: date | None,
    direction: str,
) -> Reading:
    read_as = {key: read(numbers, order) for key, numbers in written.items()}
    if any(value is None for value in read_as.values()):
        bad = next((at for at, key in runs if read_as[key] is None), 0)
        return Reading(order, bad, 0, None, 0, None, {})
    dates: dict[Any, date] = {k: v for k, v in read_as.items() if v is not None}
    outside, outside_at = 0, None
    back, back_at, ahead, ahead_at = 0, None, 0, None
    previous: date | None = None
    for at, key in runs:
        value = dates[key]
        if (earliest is not None and value < earliest) or (latest is not None and value > latest):
            outside += 1
            outside_at = at if outside_at is None else outside_at
        if previous is not None:
            if value < previous:
                back += 1
                back_at = at if back_at is None else back_at
            elif value > previous:
                ahead += 1
                ahead_at = at if ahead_at is None else ahead_at
        previous = value
    if direction == "either" and ahead < back:
        back, back_at = ahead, ahead_at
    return Reading(order, None, outside, outside_at, back, back_at, dates)


def _distinct(readings: list[Reading], written: Mapping[Any, Written]) -> list[Reading]:
    """One reading for each different set of dates (the first in ORDERS order)."""
    kept: list[Reading] = []
    for reading in readings:
        if not any(all(reading.dates[k] == other.dates[k] for k in written) for other in kept):
            kept.append(reading)
    return kept


def _differs_at(readings: list[Reading], runs: Sequence[tuple[int, Hashable]]) -> int | None:
    """The first date that the readings do not all read alike; one that every reading reads
    differently if there is one."""
    if len(readings) < 2:
        return None
    some: int | None = None
    for at, key in runs:
        values = {r.dates[key] for r in readings}
        if len(values) == len(readings):
            return at
        if len(values) > 1 and some is None:
            some = at
    return some


def explain(
    verdict: Verdict,
    *,
    line: Callable[[int], int],
    too_early: str = "too early",
    too_late: str = "too late",
    earliest: date | None = None,
) -> str:
    """The note for a settled verdict: the order, and for each other order that could read
    the file's first date or takes the year from the same place, the first place the file
    rules it out."""
    assert verdict.order is not None
    written = verdict.written
    first = verdict.runs[0][1] if verdict.runs else None
    key_at = verdict.key_at
    reasons = []
    for order, reading in verdict.readings.items():
        if order == verdict.order:
            continue
        same_year = ORDERS[order].index("y") == ORDERS[verdict.order].index("y")
        if first is not None and read(written[first], order) is None and not same_year:
            continue  # out from the first date, for its year alone: no need to say
        if reading.impossible_at is not None:
            at = reading.impossible_at
            reasons.append(
                f"not {order}: {why_impossible(written[key_at(at)], order)} on line {line(at)}"
            )
        elif reading.outside_at is not None:
            at = reading.outside_at
            value = reading.dates[key_at(at)]
            when = too_early if earliest is not None and value < earliest else too_late
            reasons.append(f"not {order}: line {line(at)} would be {_words(value)}, {when}")
        elif reading.backwards_at is not None:
            at = reading.backwards_at
            reasons.append(
                f"not {order}: line {line(at)} would go back in time to "
                f"{_words(reading.dates[key_at(at)])}"
            )
    head = f"date order inferred: {verdict.order} ({LABELS[verdict.order].lower()})"
    return f"{head}: {'; '.join(reasons)}" if reasons else head


def _words(value: date) -> str:
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"
