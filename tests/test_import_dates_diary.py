"""A spreadsheet diary's dates: the order of day, month and year is settled from the whole
date column, as for chats (issue 13, point 2): pure, no database.

Before, every numeric date was read day-first unless told otherwise: ``03/04/2024`` became
3 April without a word, and a diary kept on a US or ISO-style phone was misdated.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from cairn.importers.base import AmbiguousDates, ImportFailure
from cairn.importers.parsers import diary

MAPPING = {"date": 0, "what_happened": 1}
TODAY = date(2026, 1, 1)
LONDON = ZoneInfo("Europe/London")


def _parse(rows: list[str], **options):
    data = ("Date,What happened\n" + "".join(f"{r},x\n" for r in rows)).encode()
    options.setdefault("today", TODAY)
    return diary.parse(data, name="diary.csv", mapping=MAPPING, **options)


def _days(parsed) -> list[date]:
    return [row.start.astimezone(LONDON).date() for row in parsed.diary]


def test_a_column_that_cannot_settle_asks_naming_the_row_and_column():
    with pytest.raises(AmbiguousDates) as caught:
        _parse(["03/04/2024", "05/06/2024"])
    refusal = caught.value
    assert refusal.where == "diary.csv, line 2, column 'Date'"
    assert refusal.choices == ("day-first", "month-first")
    assert refusal.readings == {"day-first": date(2024, 4, 3), "month-first": date(2024, 3, 4)}
    parsed = _parse(["03/04/2024", "05/06/2024"], date_order="month-first")
    assert _days(parsed) == [date(2024, 3, 4), date(2024, 5, 6)]


def test_a_us_diary_settles_month_first_and_says_so():
    parsed = _parse(["03/04/2024", "03/28/2024", "04/02/2024"])
    assert _days(parsed) == [date(2024, 3, 4), date(2024, 3, 28), date(2024, 4, 2)]
    assert "date order inferred: month-first (month, day, year)" in parsed.notes


def test_a_diary_kept_newest_first_settles_too():
    """A US diary, newest first: month-first keeps it in (reverse) time order."""
    parsed = _parse(["04/02/2024", "03/28/2024", "03/04/2024", "02/12/2024"])
    assert _days(parsed) == [
        date(2024, 4, 2),
        date(2024, 3, 28),
        date(2024, 3, 4),
        date(2024, 2, 12),
    ]


def test_year_first_two_digit_dates_are_read_year_first():
    parsed = _parse(["24-01-15", "24-01-28", "24-02-03"])
    assert _days(parsed) == [date(2024, 1, 15), date(2024, 1, 28), date(2024, 2, 3)]


def test_iso_and_written_dates_need_no_order_and_do_not_decide_it():
    parsed = _parse(["2024-03-05", "4th March 2024", "03/28/2024"])
    assert _days(parsed) == [date(2024, 3, 5), date(2024, 3, 4), date(2024, 3, 28)]


def test_a_date_that_is_real_in_no_order_names_its_row():
    with pytest.raises(ImportFailure) as caught:
        _parse(["13/01/2024", "31/02/2024"])
    assert caught.value.where == "diary.csv, line 3, column 'Date'"
    with pytest.raises(ImportFailure, match="not a real date read day-first"):
        _parse(["13/01/2024", "31/02/2024"], date_order="day-first")
