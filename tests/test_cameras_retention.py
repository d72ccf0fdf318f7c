"""The retention table and the ask-by rule (pure: no database).

Every figure of the table in the repository has a source (or is marked as Cairn's own with the
reason); the ask-by date of each kind, an incident known only to the day (and overnight, and
not sure when), her own figure, an overdue camera, and the words that always say "often"."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import yaml

from cairn.cameras import letters, retention
from cairn.cameras.retention import Kind, TableError

LONDON = ZoneInfo("Europe/London")
# 14:30 on Tuesday 10 March 2026, London (GMT).
AT = datetime(2026, 3, 10, 14, 30, tzinfo=LONDON)


def raw_table():
    with retention.TABLE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# --- the table ----------------------------------------------------------------------------------


def test_every_kind_has_a_figure_and_every_figure_a_source_or_the_reason_it_has_none():
    table = retention.table()
    assert set(table.figures) == set(Kind)
    for kind, figure in table.figures.items():
        assert 1 <= figure.days <= retention.MAX_KEPT_DAYS, kind
        if figure.cairn_own:
            assert "No source" in figure.no_figure, kind
        else:
            assert figure.sources, kind
        for source in figure.sources:
            assert source.url.startswith("https://"), (kind, source.title)
            assert source.says and source.title
            assert isinstance(source.checked, date)
    # The figures the issue asks for: real published ones, and Cairn's own only where none is.
    assert not table[Kind.SHOP].cairn_own and not table[Kind.BUS_OR_TRAIN].cairn_own
    assert not table[Kind.COUNCIL_OR_CAR_PARK].cairn_own
    assert table[Kind.TAXI].cairn_own and table[Kind.OTHER].cairn_own
    assert table.guidance and all(source.url for source in table.guidance)


def test_a_figure_without_a_source_is_refused_naming_the_kind():
    data = raw_table()
    data["kinds"]["shop"]["sources"] = []
    with pytest.raises(TableError, match=r"kinds\.shop: a figure needs a source"):
        retention.parse_table(data)


def test_a_missing_kind_and_a_bad_figure_are_refused():
    data = raw_table()
    del data["kinds"]["taxi"]
    with pytest.raises(TableError, match="no figure for taxi"):
        retention.parse_table(data)
    data = raw_table()
    data["kinds"]["bus_or_train"]["days"] = 0
    with pytest.raises(TableError, match=r"kinds\.bus_or_train\.days"):
        retention.parse_table(data)
    data = raw_table()
    data["kinds"]["taxi"]["no_figure"] = ""
    with pytest.raises(TableError, match=r"kinds\.taxi\.no_figure"):
        retention.parse_table(data)
    data = copy.deepcopy(raw_table())
    data["kinds"]["shop"]["sources"][0]["checked"] = ""
    with pytest.raises(TableError, match=r"kinds\.shop\.sources\[0\]: the source has no checked"):
        retention.parse_table(data)


# --- the ask-by date, for each kind -------------------------------------------------------------

# Written out by hand from the table's figures (days): the day before the footage may go.
EXPECTED_EXACT = {
    Kind.OWN_DOORBELL: date(2026, 4, 8),  # 30 days
    Kind.OWN_DASHCAM: date(2026, 3, 10),  # 1 day: the same day
    Kind.NEIGHBOUR_DOORBELL: date(2026, 4, 8),  # 30 days
    Kind.SHOP: date(2026, 3, 16),  # 7 days
    Kind.BUS_OR_TRAIN: date(2026, 3, 12),  # 3 days
    Kind.COUNCIL_OR_CAR_PARK: date(2026, 4, 8),  # 30 days
    Kind.TAXI: date(2026, 3, 12),  # 3 days, Cairn's own
    Kind.OTHER: date(2026, 3, 12),  # 3 days, Cairn's own
}
# Known only to the day: one day earlier, never before the day itself.
EXPECTED_DAY = {
    Kind.OWN_DOORBELL: date(2026, 4, 7),
    Kind.OWN_DASHCAM: date(2026, 3, 10),
    Kind.NEIGHBOUR_DOORBELL: date(2026, 4, 7),
    Kind.SHOP: date(2026, 3, 15),
    Kind.BUS_OR_TRAIN: date(2026, 3, 11),
    Kind.COUNCIL_OR_CAR_PARK: date(2026, 4, 7),
    Kind.TAXI: date(2026, 3, 11),
    Kind.OTHER: date(2026, 3, 11),
}


@pytest.mark.parametrize("kind", list(Kind))
def test_ask_by_for_each_kind_when_the_time_is_known(kind):
    ask = retention.work_out(kind, AT, "exact", LONDON)
    assert ask.date == EXPECTED_EXACT[kind]
    assert not ask.rough_time and not ask.from_her
    assert retention.work_out(kind, AT, "hour", LONDON).date == EXPECTED_EXACT[kind]


@pytest.mark.parametrize("kind", list(Kind))
def test_ask_by_for_each_kind_when_the_time_is_known_only_to_the_day(kind):
    start = datetime(2026, 3, 10, 0, 0, tzinfo=LONDON)  # as the incident form stores a day
    ask = retention.work_out(kind, start, "day", LONDON)
    assert ask.date == EXPECTED_DAY[kind]
    assert ask.rough_time
    assert "known only roughly, so the date is a day earlier" in retention.basis(ask)


def test_overnight_and_not_sure_when_take_the_cautious_date_from_the_earliest_moment():
    evening = datetime(2026, 3, 10, 18, 0, tzinfo=LONDON)
    assert retention.work_out(Kind.SHOP, evening, "overnight", LONDON).date == date(2026, 3, 15)
    assert retention.work_out(Kind.SHOP, AT, "unknown", LONDON).date == date(2026, 3, 15)


def test_the_day_is_the_local_day_of_the_incident_not_the_utc_one():
    # 23:30 UTC on 10 June 2026 is 00:30 on 11 June in London (BST).
    late = datetime(2026, 6, 10, 23, 30, tzinfo=UTC)
    assert retention.work_out(Kind.SHOP, late, "exact", LONDON).date == date(2026, 6, 17)


def test_her_own_figure_replaces_the_tables():
    ask = retention.work_out(Kind.SHOP, AT, "exact", LONDON, kept_days=14)
    assert ask.date == date(2026, 3, 23) and ask.days == 14 and ask.from_her
    assert retention.basis(ask).startswith("You said it keeps footage for about 14 days.")
    assert retention.basis(ask, officer=True).startswith("She said")


def test_an_overdue_camera_says_the_footage_may_be_gone_and_to_ask_anyway():
    ask = retention.work_out(Kind.BUS_OR_TRAIN, AT, "exact", LONDON)
    today = date(2026, 3, 20)
    assert ask.overdue(today) and ask.days_left(today) == -8 and ask.near(today)
    words = retention.deadline(ask, today)
    assert "The ask-by date was Thursday 12 March 2026: the footage may already be gone." in words
    assert "Ask today all the same" in words
    assert not ask.overdue(date(2026, 3, 12))
    assert retention.deadline(ask, date(2026, 3, 12)) == "Ask by today, Thursday 12 March 2026."
    assert retention.deadline(ask, date(2026, 3, 11)) == "Ask by tomorrow, Thursday 12 March 2026."
    assert retention.deadline(ask, date(2026, 3, 1)).endswith("(11 days from today).")


def test_the_words_always_say_often_never_certain():
    for kind in Kind:
        ask = retention.work_out(kind, AT, "exact", LONDON)
        text = retention.basis(ask)
        assert "often" in text or "Cairn assumes" in text, kind
        assert "will be" not in text and "certain" not in text
    own = retention.work_out(Kind.OWN_DASHCAM, AT, "exact", LONDON)
    assert retention.deadline(own, date(2026, 3, 9)).startswith("Save it by")


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        retention.ask_by(datetime(2026, 3, 10, 14, 30), "exact", LONDON, 7)


# --- the letters' words -------------------------------------------------------------------------


def test_when_words_are_honest_about_how_exactly_the_time_is_known():
    exact = letters.when_words(AT, None, "exact", LONDON)
    assert exact.clause == "on Tuesday 10 March 2026 at about 14:30"
    assert "half hour either side" in exact.note
    day = letters.when_words(datetime(2026, 3, 10, tzinfo=LONDON), None, "day", LONDON)
    assert day.clause == "on Tuesday 10 March 2026" and "whole day" in day.note
    hour = letters.when_words(datetime(2026, 3, 10, 14, tzinfo=LONDON), None, "hour", LONDON)
    assert hour.clause == "on Tuesday 10 March 2026, between about 14:00 and 15:00"
    night = letters.when_words(
        datetime(2026, 3, 10, 18, tzinfo=LONDON),
        datetime(2026, 3, 11, 9, tzinfo=LONDON),
        "overnight",
        LONDON,
    )
    assert night.clause == (
        "overnight, from 18:00 on Tuesday 10 March 2026 to 09:00 on Wednesday 11 March 2026"
    )


def test_a_letter_holds_only_what_she_chose():
    when = letters.when_words(AT, None, "exact", LONDON)
    built = datetime(2026, 3, 11, 9, tzinfo=UTC)
    bare = letters.access_letter(
        letters.LetterFacts(when=when), today=date(2026, 3, 11), built_at=built
    )
    text = " ".join([*bare.paragraphs, *bare.rights])
    assert "Article 15" in text and "one month" in text and "Article 12(5)" in text
    assert "at about 14:30" in text
    assert "To help you find me" not in text and "your camera made at" not in text
    assert bare.name == "" and bare.to == "" and bare.reply_to == ""
    full = letters.access_letter(
        letters.LetterFacts(when=when, where="Mill Road", looks="a red coat"),
        today=date(2026, 3, 11),
        built_at=built,
    )
    assert "your camera made at Mill Road, on Tuesday" in full.paragraphs[0]
    assert full.paragraphs[1] == "To help you find me: a red coat."
    keep = letters.preserve_letter(
        letters.LetterFacts(when=when, police_reference="NP/1"),
        today=date(2026, 3, 11),
        built_at=built,
    )
    assert "until the police collect them" in keep.paragraphs[0]
    assert "The police reference is NP/1." in keep.paragraphs
    assert "Article 18(1)(c)" in keep.paragraphs[-1]
    for document in (bare, full, keep):
        assert "Cairn" not in str(document.to_json()) and "stalk" not in str(document.to_json())
