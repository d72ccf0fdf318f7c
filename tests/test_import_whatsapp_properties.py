"""A WhatsApp chat written in any layout and any order of day, month and year reads back
exactly, or is refused cleanly (issue 13, point 3): pure, no database.

Hypothesis writes chats through ``tests/whatsapp_export.py``: Android, iOS, older ``": "`` and
plain-space headers; 12- and 24-hour clocks with Latin and localised markers; two- and
four-digit years; ``/ . -`` and spaced separators; dotted times; direction marks between the
parts of a header and around names; system lines, attachments and multi-line texts. The
parser must give every timestamp, sender and text as written, or raise ``AmbiguousDates``
offering the order the chat was written in. It never gives different values.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.importers import dates
from cairn.importers.base import AmbiguousDates, ImportFailure
from cairn.importers.parsers import whatsapp
from cairn.importers.parsers import whatsapp_markers as markers
from tests.whatsapp_export import CLOCKS, LRM, MARK_PLACES, Chat, Entry, Layout, read_back, said

TODAY = date(2026, 1, 1)
ZONES = ("Europe/London", "America/New_York", "Asia/Seoul", "Australia/Sydney", "UTC")
NAMES = (
    "Mary",
    "Sam",
    "Jo",
    "Łukasz",
    "Мария",
    "李雷",
    "Zoë",
    "+44 7700 900123",
    "🤓",
    "John Doe 🤓",
    "O'Brien",
    "Nguyễn Văn An",
    "محمد",
    "Kim Min-jun",
)
# Text: letters of several scripts, digits and punctuation, never the characters that mark
# an attachment (< > ( ) and guillemets); each line starts with a letter or an emoji, so no
# line can look like a header.
LETTERS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüßøçłжщ漢字がعب"
    "\u05e2\u05d1\u05e8\u05d9\u05ea😡🙂"
)  # ... and Hebrew
TEXT_CHARS = LETTERS + "0123456789 .,!?'-:;/%&*+=@#\u200e"


_FAMILY = st.sampled_from(("android", "ios", "colon", "plain"))
_CLOCK = st.none() | st.sampled_from(CLOCKS)
_SEP = st.sampled_from(("/", ".", "-", ". "))
_TSEP = st.sampled_from((":", "."))
_ORDER = st.sampled_from(tuple(dates.ORDERS))
_YEAR_DIGITS = st.sampled_from((2, 4))
_JOIN = st.sampled_from((", ", " ", " klo "))
_SPACED_JOIN = st.sampled_from((" ", ", "))
_SUFFIX = st.sampled_from(("", "", " น."))


@st.composite
def layouts(draw) -> Layout:
    family = draw(_FAMILY)
    clock = draw(_CLOCK)
    sep = draw(_SEP)
    return Layout(
        family=family,
        order=draw(_ORDER),
        sep=sep,
        year_digits=draw(_YEAR_DIGITS),
        pad=draw(st.booleans()),
        join=draw(_JOIN if sep != ". " else _SPACED_JOIN),
        tsep=draw(_TSEP),
        seconds=draw(st.booleans()) or family == "plain",
        clock=clock,
        suffix=draw(_SUFFIX) if clock is None else "",
        lead=LRM if family == "ios" and draw(st.booleans()) else "",
    )


# Strategies are built once: building them inside each draw costs more than the parsing.
_LINES = st.lists(st.text(TEXT_CHARS, max_size=40).map(str.rstrip), min_size=1, max_size=3)
_LETTER = st.sampled_from(LETTERS)
_STEP = st.integers(0, 40 * 86400)
_PLACES = st.sets(st.sampled_from(MARK_PLACES), max_size=3)
_NAME = st.sampled_from(NAMES)
_KIND = st.sampled_from(("text", "text", "text", "text", "system", "attachment", "omitted"))
_ZONE = st.sampled_from(ZONES)
_COUNT = st.integers(1, 14)
_START = st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2025, 6, 1))
_SYSTEM = st.sampled_from(
    (
        '{name} created group "Plans"',
        "You were added",
        "{name} changed the subject to \u201cA: B\u201d",
        "{name} a créé le groupe « Famille : été »",
    )
)
_CAPTION = st.sampled_from(("", "\nlook at this"))
_IOS_WORD = st.sampled_from([row[1] for row in markers.IOS_ATTACHED])
_ANDROID_WORD = st.sampled_from(
    [row[1] for row in markers.ANDROID_ATTACHED] + ["fichier attaché", "soubor připojen"]
)
_OMITTED = st.sampled_from([row[1] for row in markers.OMITTED])


def lines(draw) -> str:
    parts = draw(_LINES)
    for index, part in enumerate(parts):
        if index > 0 or part:
            parts[index] = draw(_LETTER) + part
    return "\n".join(parts)


@st.composite
def chats(draw) -> tuple[Chat, str]:
    layout = draw(layouts())
    start = draw(_START)
    count = draw(_COUNT)
    chat = Chat(layout)
    at = start.replace(microsecond=0)
    for index in range(count):
        if index:
            at += timedelta(seconds=draw(_STEP))
        at = min(at, datetime(2025, 12, 31, 23, 59, 59))
        places = frozenset(draw(_PLACES))
        if layout.family == "ios":
            places -= {"before_close"} if layout.clock is None and not layout.suffix else set()
        name = draw(_NAME)
        kind = draw(_KIND)
        chat.entries.append(_entry(draw, layout, at, name, kind, places))
    return chat, draw(_ZONE)


def _entry(
    draw, layout: Layout, at: datetime, name: str, kind: str, marks: frozenset[str]
) -> Entry:
    ios = layout.family == "ios"
    if kind == "system":
        if ios:
            return Entry(
                at,
                None,
                f"Plans: {LRM}Messages and calls are end-to-end encrypted.",
                "Plans: Messages and calls are end-to-end encrypted.",
                marks=marks,
            )
        line = draw(_SYSTEM).format(name=name)
        return Entry(at, None, line, line, marks=marks)
    if kind == "attachment":
        caption = draw(_CAPTION)
        if ios:
            word = draw(_IOS_WORD)
            file_name = f"{at:%H%M%S}00-PHOTO-{at:%Y-%m-%d-%H-%M-%S}.jpg"
            spaced = draw(st.booleans())
            marker = f"< {word}: {file_name} >" if spaced else f"<{word}: {file_name}>"
            body = f"{name}: {LRM}{marker}{caption}"
            return Entry(at, name, body, caption.strip(), (file_name,), marks=marks)
        word = draw(_ANDROID_WORD)
        file_name = f"IMG-{at:%Y%m%d}-WA{at.second:04}.jpg"
        body = f"{name}: {LRM if draw(st.booleans()) else ''}{file_name} ({word}){caption}"
        return Entry(at, name, body, caption[1:], (file_name,), marks=marks)
    if kind == "omitted":
        if ios:
            return Entry(at, name, f"{name}: {LRM}image omitted", "", ("image",), marks=marks)
        marker = draw(_OMITTED)
        return Entry(at, name, f"{name}: {marker}", "", ("media",), marks=marks)
    text = lines(draw)
    if ios:
        text = text.lstrip(LRM)
    if text.partition("\n")[0].endswith(" omitted"):
        text = "x" + text
    return said(at, name, text, marks=marks)


@settings(
    max_examples=2000,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(chats())
def test_every_layout_and_date_order_reads_back_exactly_or_is_refused(chat_and_zone):
    chat, tz = chat_and_zone
    data = chat.text().encode("utf-8")
    expected = chat.expected(tz)
    note = chat.layout.describe()
    try:
        parsed = whatsapp.parse(data, name="chat.txt", tz=tz, today=TODAY)
    except ImportFailure as refusal:
        # A clean refusal: it says the order is open, and offers one that reads the chat as
        # written.
        assert isinstance(refusal, AmbiguousDates), f"{note}: {refusal}\n{chat.text()!r}"
        assert refusal.choices, note
        readings = []
        for choice in refusal.choices:
            readings.append(
                read_back(
                    whatsapp.parse(data, name="chat.txt", tz=tz, today=TODAY, date_order=choice)
                )
            )
        assert expected in readings, note
        parsed = whatsapp.parse(
            data, name="chat.txt", tz=tz, today=TODAY, date_order=chat.layout.order
        )
    assert read_back(parsed) == expected, note
    for message, entry in zip(parsed.messages, chat.entries, strict=True):
        assert message.is_system == (entry.sender is None), note
