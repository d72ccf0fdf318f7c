"""The order of day, month and year, settled from a whole file (``cairn.importers.dates``):
pure, no database.

Every order is tried on dates rendered in that order; a file that settles must settle on the
order it was written in, and one that does not must offer it among the choices. Issue 13: a
year-first chat with two-digit years (``20-01-15, 02:22 - Mary: ...``, 15 January 2020) was
read as 20 January 2015.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.importers import dates

EARLIEST = date(2009, 1, 1)
LATEST = date(2026, 1, 1)


def render(day: date, order: str, *, year_digits: int = 4, sep: str = "/", pad: bool = True) -> str:
    year = f"{day.year:04}" if year_digits == 4 else f"{day.year % 100:02}"
    month = f"{day.month:02}" if pad else str(day.month)
    day_ = f"{day.day:02}" if pad else str(day.day)
    fields = {"y": year, "m": month, "d": day_}
    return sep.join(fields[letter] for letter in dates.ORDERS[order])


def written_of(texts: list[str], sep: str = "/") -> dict[str, dates.Written]:
    out: dict[str, dates.Written] = {}
    for text in texts:
        a, b, c = text.split(sep)
        out[text] = (a, b, c)
    return out


def settle(texts: list[str], **options) -> dates.Verdict:
    options.setdefault("earliest", EARLIEST)
    options.setdefault("latest", LATEST)
    return dates.settle(texts, written_of(texts), **options)


# A chat of three months: days above 12, and the month moving on twice.
SPRING = [date(2020, 1, 15) + timedelta(days=n) for n in range(0, 90, 3)]


@pytest.mark.parametrize("order", dates.ORDERS)
@pytest.mark.parametrize("year_digits", [2, 4])
def test_a_long_chat_settles_on_the_order_it_was_written_in(order, year_digits):
    texts = [render(d, order, year_digits=year_digits) for d in SPRING]
    verdict = settle(texts)
    assert (verdict.kind, verdict.order) == ("settled", order)


def test_the_issue_13_chat_is_year_first_with_two_digit_years():
    """``20-01-15`` is 15 January 2020 (Korean, Swedish, ISO-style phones), not 20 January
    2015: read day-first, the chat jumps to 2001 when January becomes February."""
    texts = ["20-01-15", "20-01-25", "20-02-01", "20-02-14", "20-03-01"]
    verdict = dates.settle(
        texts, {t: tuple(t.split("-")) for t in texts}, earliest=EARLIEST, latest=LATEST
    )
    assert verdict.order == "year-first"
    day_first = verdict.readings["day-first"]
    assert day_first.impossible_at is None  # every date is real read day-first...
    assert day_first.outside_at == 2  # ...but 20 February 2001 is before WhatsApp
    assert verdict.readings["year-first"].dates["20-01-15"] == date(2020, 1, 15)


def test_going_back_in_time_rules_an_order_out():
    """Both orders give real dates in range; only day-first keeps them in time order
    (12/01 then 01/02: 12 January then 1 February; month-first it is 1 December then
    2 January of the same year)."""
    texts = ["10/01/2019", "12/01/2019", "01/02/2019", "03/02/2019"]
    verdict = settle(texts)
    assert verdict.order == "day-first"
    month_first = verdict.readings["month-first"]
    assert (month_first.backwards, month_first.backwards_at) == (1, 2)


def test_a_file_that_never_settles_is_open_and_names_a_date_that_shows_it():
    texts = ["01/02/2019", "01/02/2019", "03/04/2019"]
    verdict = settle(texts)
    assert verdict.kind == "open" and verdict.order is None
    assert verdict.choices == ("day-first", "month-first")
    assert verdict.shown_at == 0
    assert {o: verdict.readings[o].dates["01/02/2019"] for o in verdict.choices} == {
        "day-first": date(2019, 2, 1),
        "month-first": date(2019, 1, 2),
    }


def test_a_two_digit_year_first_chat_within_one_month_is_open():
    """15-25 January 2020 written yy-mm-dd could as well be 20 January 2015, 2016, ... 2025:
    nothing in the file rules that out, so the person importing must say."""
    texts = [render(date(2020, 1, d), "year-first", year_digits=2) for d in range(15, 26)]
    verdict = settle(texts)
    assert verdict.kind == "open"
    assert set(verdict.choices) == {"day-first", "year-first"}


def test_orders_that_read_every_date_alike_are_one():
    verdict = settle(["05/05/2020", "06/06/2020"])
    assert verdict.kind == "settled" and verdict.order == "day-first"


def test_no_order_giving_real_dates_is_impossible_and_says_where():
    verdict = settle(["13/01/2019", "31/02/2019"])
    assert verdict.kind == "impossible"
    assert verdict.impossible_at == 1
    assert dates.why_impossible(("31", "02", "2019"), "day-first") == (
        "no 31 February 2019 (it has 28 days)"
    )
    assert dates.why_impossible(("13", "01", "2019"), "month-first") == "no month 13"
    assert dates.why_impossible(("2019", "1", "3"), "day-first") == "3 is not a year"


def test_a_year_has_two_or_four_digits_and_a_day_or_month_at_most_two():
    assert dates.read(("2019", "1", "3"), "year-first") == date(2019, 1, 3)
    assert dates.read(("19", "1", "3"), "year-first") == date(2019, 1, 3)
    assert dates.read(("9", "1", "3"), "year-first") is None
    assert dates.read(("019", "1", "3"), "year-first") is None
    assert dates.read(("2019", "001", "3"), "year-first") is None
    assert dates.read(("29", "02", "2020"), "day-first") == date(2020, 2, 29)
    assert dates.read(("29", "02", "2019"), "day-first") is None


def test_when_every_order_leaves_the_bounds_the_file_is_open_not_settled():
    """A phone whose clock was wrong: 01/01/70 is 2070 in every order. The person importing
    must say, even though only the usual orders read the rest of the file."""
    verdict = settle(["13/01/2019", "01/01/70"])
    assert verdict.kind == "open"
    assert "day-first" in verdict.choices


def test_a_diary_may_run_newest_first():
    texts = ["03/02/2019", "01/02/2019", "12/01/2019", "10/01/2019"]
    assert settle(texts).kind == "open"  # going back in time every step, whichever order
    verdict = settle(texts, direction="either")
    assert verdict.order == "day-first"


def test_a_wrong_clock_now_and_then_is_tolerated_only_when_asked():
    days = [date(2020, month, day) for month in range(1, 7) for day in (1, 4, 8, 12)]
    texts = [render(d, "day-first") for d in days]  # real dates month-first too
    texts.insert(10, render(date(2019, 12, 3), "day-first"))  # one message out of order
    assert settle(texts).kind == "open"
    verdict = settle(texts, tolerate_disorder=True)
    assert verdict.order == "day-first"
    assert verdict.readings["day-first"].backwards == 1


def test_the_note_says_what_ruled_each_other_order_out():
    texts = ["20-01-15", "20-01-25", "20-02-01"]
    written = {t: tuple(t.split("-")) for t in texts}
    verdict = dates.settle(texts, written, earliest=EARLIEST, latest=LATEST)
    note = dates.explain(
        verdict, line=lambda at: at + 1, too_early="before WhatsApp existed", earliest=EARLIEST
    )
    assert note == (
        "date order inferred: year-first (year, month, day): not day-first: "
        "line 3 would be 20 February 2001, before WhatsApp existed; "
        "not year-day-month: no month 15 on line 1"
    )


@st.composite
def chats(draw):
    start = draw(st.dates(min_value=date(2010, 1, 1), max_value=date(2025, 6, 1)))
    steps = draw(st.lists(st.integers(0, 40), min_size=0, max_size=25))
    days = [start]
    for step in steps:
        days.append(min(days[-1] + timedelta(days=step), date(2025, 12, 31)))
    order = draw(st.sampled_from(tuple(dates.ORDERS)))
    year_digits = draw(st.sampled_from([2, 4]))
    pad = draw(st.booleans())
    return days, [render(d, order, year_digits=year_digits, pad=pad) for d in days], order


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chats())
def test_settle_never_picks_an_order_that_changes_a_date(chat):
    """Whatever the order and the dates: a settled order reads every date as written; an
    open verdict offers an order that does."""
    days, texts, _order = chat
    verdict = settle(texts, tolerate_disorder=True)
    assert verdict.kind != "impossible"
    if verdict.kind == "settled":
        reading = verdict.readings[verdict.order]
        assert [reading.dates[t] for t in texts] == days
    else:
        assert any([verdict.readings[c].dates[t] for t in texts] == days for c in verdict.choices)
        assert verdict.shown_at is not None
