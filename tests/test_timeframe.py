"""When an incident happened: intervals, precision, zones and clock changes (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cairn.web.timeframe import Precision, TimeframeError, from_local, validate, zone

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_an_exact_time_in_summer_is_stored_an_hour_earlier_in_utc():
    start, end, precision = from_local(date(2026, 7, 1), time(8, 15), LONDON)
    frame = validate(start, end, precision, now=NOW)
    assert frame.start == datetime(2026, 7, 1, 7, 15, tzinfo=UTC)
    assert frame.precision is Precision.EXACT


def test_an_exact_time_in_winter_is_the_same_in_utc():
    start, end, precision = from_local(date(2026, 1, 10), time(8, 15), LONDON)
    assert validate(start, end, precision, now=NOW).start == datetime(
        2026, 1, 10, 8, 15, tzinfo=UTC
    )


def test_overnight_runs_from_evening_to_next_morning_across_the_clock_change():
    # The clocks went back at 02:00 on 25 October 2026: that night is 16 hours long.
    start, end, precision = from_local(date(2026, 10, 24), None, LONDON, overnight=True)
    frame = validate(start, end, precision, now=NOW)
    assert frame.precision is Precision.OVERNIGHT
    assert frame.start == datetime(2026, 10, 24, 17, 0, tzinfo=UTC)
    assert frame.end == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)


def test_a_day_without_a_time_covers_the_whole_local_day():
    start, end, precision = from_local(date(2026, 6, 3), None, LONDON)
    frame = validate(start, end, precision, now=NOW)
    assert frame.precision is Precision.DAY
    assert frame.start == datetime(2026, 6, 2, 23, 0, tzinfo=UTC)
    assert frame.end == datetime(2026, 6, 3, 22, 59, 59, tzinfo=UTC)


def test_today_without_a_time_ends_no_later_than_now():
    start, end, precision = from_local(NOW.astimezone(LONDON).date(), None, LONDON)
    frame = validate(start, end, precision, now=NOW)
    assert frame.end == NOW


def test_an_end_before_the_start_names_the_end_field():
    start = datetime(2026, 5, 1, 10, tzinfo=UTC)
    with pytest.raises(TimeframeError) as excinfo:
        validate(start, start - timedelta(minutes=1), "exact", now=NOW)
    assert excinfo.value.field == "end"


def test_a_start_in_the_future_is_refused():
    with pytest.raises(TimeframeError) as excinfo:
        validate(NOW + timedelta(hours=1), None, "exact", now=NOW)
    assert excinfo.value.field == "start"


def test_a_phone_clock_a_minute_fast_is_tolerated():
    assert validate(NOW + timedelta(minutes=1), None, "exact", now=NOW).start > NOW


def test_an_unknown_precision_is_refused():
    with pytest.raises(TimeframeError) as excinfo:
        validate(NOW, None, "roughly", now=NOW)
    assert excinfo.value.field == "precision"


def test_an_unknown_zone_is_refused():
    with pytest.raises(TimeframeError):
        zone("Europe/Atlantis")


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2026, 11, 27)),
    at=st.one_of(st.none(), st.times()),
    overnight=st.booleans(),
)
def test_any_past_local_day_gives_a_valid_utc_interval(day, at, overnight):
    start, end, precision = from_local(day, at, LONDON, overnight=overnight)
    frame = validate(start, end, precision, now=NOW)
    assert frame.start.utcoffset() == timedelta(0)
    assert frame.end is None or frame.end >= frame.start
