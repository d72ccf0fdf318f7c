"""WhatsApp exports in the layouts phones write, read right or refused (issue 13): pure.

Differential tests: chat-miner's real files (``tests/fixtures/third_party/chat-miner``,
MIT) against its ``target.json``, every file and every message, and the same chat written
again in every layout and every order of day, month and year; the locale layouts other
parsers document (Pustur/whatsapp-chat-parser's test list, CLDR's date and time patterns);
the attachment markers of ``whatsapp_markers``; direction marks; system lines.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cairn.importers import dates
from cairn.importers.base import AmbiguousDates, ImportFailure
from cairn.importers.detect import detect_format
from cairn.importers.parsers import whatsapp
from cairn.importers.parsers import whatsapp_markers as markers
from tests.whatsapp_export import LRM, RLM, Chat, Entry, Layout, read_back, said

CHAT_MINER = Path(__file__).resolve().parent / "fixtures" / "third_party" / "chat-miner"
LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 1, 1)
DAY = timedelta(days=1)


def _utc(*fields: int, tz: ZoneInfo = LONDON) -> datetime:
    return datetime(*fields, tzinfo=tz).astimezone(UTC)  # type: ignore[misc]


def _parse(text: str, **options):
    options.setdefault("today", TODAY)
    return whatsapp.parse(text.encode("utf-8"), name="chat.txt", **options)


# --- chat-miner: every file, every message --------------------------------------------------

TARGET = json.loads((CHAT_MINER / "whatsapp" / "target.json").read_text("utf-8"))
# The three lines chat-miner leaves out of its target, as they stand in its files.
CHAT_MINER_SYSTEM = [
    ("2019-01-20T11:23:00", "John Doe:."),
    ("2020-06-20T00:08:00", '+12 345 578 created group "Groupname"'),
    ("2020-06-30T09:10:00", "You were added"),
]


def _chat_miner_expected() -> list[tuple[str, str | None, str]]:
    people = [(t["timestamp"], t["author"], t["message"]) for t in TARGET]
    system = [(at, None, text) for at, text in CHAT_MINER_SYSTEM]
    return sorted(people + system, key=lambda row: row[0])


def _local_rows(parsed) -> list[tuple[str, str | None, str]]:
    return [
        (
            m.sent_at.astimezone(LONDON).replace(tzinfo=None).isoformat(),
            m.sender.display_name if m.sender else None,
            m.text.replace("\n", " "),
        )
        for m in parsed.messages
    ]


def _chat_miner_chat(layout: Layout) -> Chat:
    chat = Chat(layout)
    for at, sender, text in _chat_miner_expected():
        moment = datetime.fromisoformat(at)
        if sender is None:
            chat.entries.append(Entry(moment, None, text, text))
        else:
            chat.entries.append(said(moment, sender, text))
    return chat


CHAT_MINER_LAYOUTS = (
    [
        Layout("android", order, sep=sep, year_digits=digits, join=", ")
        for order in dates.ORDERS
        for sep in ("/", "-", ".")
        for digits in (2, 4)
    ]
    + [
        Layout("ios", order, sep=sep, year_digits=digits, seconds=True, lead=LRM)
        for order in dates.ORDERS
        for sep in ("/", ". ")
        for digits in (2, 4)
    ]
    + [
        Layout("colon", "day-first", sep=".", year_digits=2, join=" ", tsep=".", seconds=True),
        Layout("plain", "day-first", sep=". ", pad=False, join=" ", seconds=True),
        Layout(
            "android",
            "year-first",
            sep=". ",
            year_digits=2,
            pad=False,
            join=" ",
            clock=("오전", "오후", True, " "),
        ),
    ]
)


@pytest.mark.parametrize(
    "path", sorted((CHAT_MINER / "whatsapp").glob("*.txt")), ids=lambda p: p.name
)
def test_chat_miner_files_and_their_chat_in_every_layout_and_order(path):
    """Each of chat-miner's five files gives its nine messages: the six people's messages of
    ``target.json`` (whose list runs newest first and joins lines with a space) and the three
    system lines it leaves out, with no sender; the note says what settled the date order.
    Then the same chat, written again in every layout and order of day, month and year (the
    file's own among them), reads back the same, or is refused with a question whose choices
    include the order it was written in."""
    parsed = whatsapp.parse(path.read_bytes(), name=path.name, today=TODAY)
    assert _local_rows(parsed) == _chat_miner_expected()
    assert [m.is_system for m in parsed.messages] == [
        sender is None for _, sender, _ in _chat_miner_expected()
    ]
    assert parsed.notes[0].startswith("date order inferred: ")
    for layout in CHAT_MINER_LAYOUTS:
        chat = _chat_miner_chat(layout)
        expected = chat.expected("Europe/London")
        try:
            again = _parse(chat.text())
        except AmbiguousDates as refusal:
            assert layout.order in refusal.choices or any(
                read_back(_parse(chat.text(), date_order=c)) == expected for c in refusal.choices
            ), layout.describe()
            again = _parse(chat.text(), date_order=layout.order)
        assert read_back(again) == expected, layout.describe()


# --- the layouts phones write ----------------------------------------------------------------

# (layout, lines, the local time of each line). Sources: Pustur/whatsapp-chat-parser's test
# list of formats found in WhatsApp chats; CLDR 49 short date and time patterns (ko
# "yy. M. d. a h:mm", ja "y/MM/dd H:mm", ar "d‏/M‏/y h:mm a", sv "y-MM-dd", hu "y. MM. dd.").
DOCUMENTED = {
    "issue 13 year-first, two-digit year (Korean, Swedish, ISO)": (
        [
            "20-01-15, 02:22 - Mary: hi",
            "20-01-28, 10:00 - Mary: hello",
            "20-02-03, 09:00 - Sam: ok",
        ],
        [(2020, 1, 15, 2, 22), (2020, 1, 28, 10, 0), (2020, 2, 3, 9, 0)],
    ),
    "dotted date and time, ': ' after the time": (
        ["13.06.18 21.25.15: a: m", "02.07.18 09.05.07: b: n"],
        [(2018, 6, 13, 21, 25, 15), (2018, 7, 2, 9, 5, 7)],
    ),
    "spaced separators with a trailing dot, a plain space after the time": (
        ["13. 6. 2018. 21:25:15 a: m", "2. 7. 2018. 09:05:07 b: n"],
        [(2018, 6, 13, 21, 25, 15), (2018, 7, 2, 9, 5, 7)],
    ),
    "bracketed month-first with dots": (
        ["[06.13.18 21:25:15] a: m", "[07.02.18 09:05:07] b: n"],
        [(2018, 6, 13, 21, 25, 15), (2018, 7, 2, 9, 5, 7)],
    ),
    "Finnish klo": (["13.6.2018 klo 21.25.15 - a: m"], [(2018, 6, 13, 21, 25, 15)]),
    "bracketed 12-hour with 'p. m.'": (
        ["[3/6/18 1:55:00 p. m.] a: m", "[13/6/18 9:05:07 a. m.] b: n"],
        [(2018, 6, 3, 13, 55, 0), (2018, 6, 13, 9, 5, 7)],
    ),
    "bracketed year-first": (["[2018/06/13, 21:25:15] a: m"], [(2018, 6, 13, 21, 25, 15)]),
    "bracketed month, year, day": (["[06/2018/13, 21:25:15] a: m"], [(2018, 6, 13, 21, 25, 15)]),
    "Android 'p.m.' without spaces": (
        ["3/6/18, 1:55 p.m. - a: m", "13/6/18, 9:05 a.m. - b: n"],
        [(2018, 6, 3, 13, 55), (2018, 6, 13, 9, 5)],
    ),
    "dashes and a dotted 12-hour time": (
        ["03-06-2018, 01.55 PM - a: m", "13-06-2018, 09.05 AM - b: n"],
        [(2018, 6, 3, 13, 55), (2018, 6, 13, 9, 5)],
    ),
    "Korean: two-digit year first, spaced, marker before the time": (
        ["20. 1. 15. 오후 2:22 - Mary: hi", "20. 2. 3. 오전 9:05 - Sam: ok"],
        [(2020, 1, 15, 14, 22), (2020, 2, 3, 9, 5)],
    ),
    "Japanese: year first, marker before the time, no space": (
        ["2020/01/15 午後2:22 - Mary: hi"],
        [(2020, 1, 15, 14, 22)],
    ),
    "Arabic: right-to-left marks after each number, Arabic comma, 'م' for pm": (
        ["15\u200f/1\u200f/2020، 2:22 م - Mary: hi"],
        [(2020, 1, 15, 14, 22)],
    ),
    "Swedish ISO dates": (["2020-01-15 14:22 - Mary: hi"], [(2020, 1, 15, 14, 22)]),
    "Hungarian: year first, spaced, 'du.' before the time": (
        ["2020. 01. 15. du. 2:22 - Mary: hi"],
        [(2020, 1, 15, 14, 22)],
    ),
    "Greek 'μ.μ.'": (["15/1/2020, 2:22 μ.μ. - Mary: hi"], [(2020, 1, 15, 14, 22)]),
    "Arabic-Indic digits": (
        ["\u0661\u0665/\u0661/\u0662\u0660\u0662\u0660\u060c \u0662:\u0662\u0662 م - Mary: hi"],
        [(2020, 1, 15, 14, 22)],
    ),
    "Turkish 'ÖS' before the time": (["15.01.2020 ÖS 2:22 - Mary: hi"], [(2020, 1, 15, 14, 22)]),
    "Chinese: year first, '下午' before the time": (
        ["2020/1/15 下午2:22 - Mary: hi"],
        [(2020, 1, 15, 14, 22)],
    ),
    "Thai 'น.' after a 24-hour time": (["15/1/2020 14:22 น. - Mary: hi"], [(2020, 1, 15, 14, 22)]),
    "iOS with U+200E before the bracket and a narrow no-break space before PM": (
        ["\u200e[1/15/20, 2:22:05\u202fPM] Mary: hi", "\u200e[2/3/20, 9:05:00\u202fAM] Sam: ok"],
        [(2020, 1, 15, 14, 22, 5), (2020, 2, 3, 9, 5, 0)],
    ),
}


def test_documented_layouts_read_right():
    """... and are recognised by their first line, where a text file that merely starts with
    a date and a time is not taken for a chat."""
    assert detect_format("notes.txt", b"2024-01-05 10:00 Meeting with Sam\n") is None
    for name, (lines, expected) in DOCUMENTED.items():
        parsed = _parse("\n".join(lines) + "\n")
        assert [m.sent_at for m in parsed.messages] == [_utc(*e) for e in expected], name
        assert all(m.sender is not None and not m.is_system for m in parsed.messages), name
        assert detect_format("WhatsApp Chat with Mary.txt", lines[0].encode()) == "whatsapp", name


def test_three_months_of_chat_settle_on_the_order_they_were_written_in():
    """A chat over three months (days above 12, months moving on) is never refused, in any
    family of layout, any order, with two- or four-digit years."""
    for family in ("android", "ios", "colon", "plain"):
        for order in dates.ORDERS:
            for year_digits in (2, 4):
                layout = Layout(family, order, year_digits=year_digits, seconds=family != "android")
                chat = Chat(
                    layout,
                    [
                        said(datetime(2020, 1, 15, 9, 30, 5) + DAY * n, "Mary", f"day {n}")
                        for n in range(0, 90, 4)
                    ],
                )
                parsed = _parse(chat.text())
                assert read_back(parsed) == chat.expected("Europe/London"), layout.describe()
                assert parsed.notes[0].startswith(f"date order inferred: {order} "), (
                    layout.describe()
                )


def test_a_year_first_chat_that_cannot_settle_asks_naming_a_line():
    """Eleven days of January 2020 written yy-mm-dd could be 20 January of eleven years."""
    text = "".join(f"20-01-{day}, 10:00 - Mary: secret words\n" for day in range(15, 26))
    with pytest.raises(AmbiguousDates) as caught:
        _parse(text)
    refusal = caught.value
    assert refusal.where == "chat.txt, line 1"
    assert refusal.choices == ("day-first", "year-first")
    assert refusal.written == "20-01-15"
    assert refusal.readings == {"day-first": date(2015, 1, 20), "year-first": date(2020, 1, 15)}
    assert "secret" not in str(refusal) and "Mary" not in str(refusal)
    parsed = _parse(text, date_order="year-first")
    assert parsed.messages[0].sent_at == _utc(2020, 1, 15, 10, 0)


def test_dates_outside_whatsapps_lifetime_in_every_order_are_refused():
    """A Persian-calendar phone (1399/10/25): every reading is before 2009."""
    with pytest.raises(AmbiguousDates) as caught:
        _parse("1399/10/25, 10:00 - Mary: hi\n")
    assert caught.value.choices == ("year-first",)
    parsed = _parse("1399/10/25, 10:00 - Mary: hi\n", date_order="year-first")
    assert parsed.notes == (
        "1 date(s) fall before 2009 or after today, first on line 1: the "
        "phone's clock may have been wrong",
    )


def test_a_date_after_today_rules_an_order_out():
    text = "13/01/19, 10:00 - Mary: hi\n13/01/19, 10:05 - Mary: there\n"
    # Read year-first, 13/01/19 is 19 January 2013: possible, so the file cannot settle...
    with pytest.raises(AmbiguousDates):
        _parse(text)
    # ... until a date read year-first would be after the import: 28/01/19 is 2028.
    parsed = _parse(text + "28/01/19, 11:00 - Mary: later\n")
    assert parsed.messages[2].sent_at == _utc(2019, 1, 28, 11, 0)
    assert "not year-first: line 3 would be 19 January 2028, after today" in parsed.notes[0]


def test_an_order_the_file_contradicts_is_refused_on_its_line():
    with pytest.raises(ImportFailure) as caught:
        _parse(
            "01/01/2019, 10:00 - Mary: hi\n20/01/2019, 11:00 - Mary: hi\n", date_order="month-first"
        )
    assert caught.value.where == "chat.txt, line 2"
    assert "no month 20" in caught.value.message


# --- attachments -------------------------------------------------------------------------------


def test_every_attachment_marker_in_the_tables_and_seen_in_real_exports():
    """Every row of ``whatsapp_markers``; spaces inside iOS's angle brackets; guillemets; a
    language not in the table recognised around a file name the app generated (``liite``,
    Finnish); a document's page count between the name and the marker."""
    photo = "00000042-PHOTO-2018-06-13-21-25-15.jpg"
    cases = [
        (f"{LRM}IMG-20180613-WA0001.jpg ({word})", "IMG-20180613-WA0001.jpg")
        for _, word, _ in markers.ANDROID_ATTACHED
    ]
    cases += [(f"{LRM}<{word}: {photo}>", photo) for _, word, _ in markers.IOS_ATTACHED]
    cases += [(f"IMG_0001.JPG <{word}>", "IMG_0001.JPG") for _, word, _ in markers.IOS_ATTACHED]
    cases += [
        (f"< attached: {photo} >", photo),
        ("IMG_0042.JPG \u2039attached\u203a", "IMG_0042.JPG"),
        (f"<liite: {photo}>", photo),
        ("IMG-20180613-WA0001.jpg (tiedosto liitetty)", "IMG-20180613-WA0001.jpg"),
        ("Rapport.pdf \u2022 \u200e3 pages \u200e(fichier joint)", "Rapport.pdf"),
    ]
    for line, file_name in cases:
        for header in ("[13/06/2018, 21:25:15] ", "13/06/2018, 21:25 - "):
            (message,) = _parse(f"{header}Sam: {line}\nlook\n").messages
            assert [a.name for a in message.attachments] == [file_name], line
            assert message.sender.display_name == "Sam", line
            assert message.text in ("look", ""), line


def test_a_file_in_the_export_is_an_attachment_whatever_the_words():
    chat = "13/06/2018, 21:25 - Sam: Bericht.pdf (Anlage beigefügt)\n".encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("WhatsApp Chat mit Sam.txt", chat)
        archive.writestr("Bericht.pdf", b"%PDF-1.4")
    (message,) = whatsapp.parse(buffer.getvalue(), name="chat.zip", today=TODAY).messages
    assert message.attachments[0].member == "Bericht.pdf"
    # Without the file, unknown words after a name the app did not make stay text.
    (bare,) = whatsapp.parse(chat, name="chat.txt", today=TODAY).messages
    assert bare.attachments == () and bare.text == "Bericht.pdf (Anlage beigefügt)"


def test_every_media_omitted_marker_in_the_table():
    for _, marker, _ in markers.OMITTED:
        (message,) = _parse(f"13/06/2018, 21:25 - Sam: {marker}\n").messages
        assert message.attachments[0].missing and message.text == "", marker


# --- direction marks, senders and system lines -----------------------------------------------

DIRECTION_MARKS = [
    "13/06/2018, 21:25 - Sam\u200e: hello",
    "13/06/2018, 21:25 - Sam:\u200e hello",
    "13/06/2018, 21:25 - \u200eSam: hello",
    "13/06/2018,\u200e 21:25 - Sam: hello",
    "13\u200e/06\u200e/2018, 21:25\u200e - Sam: hello",
    "\u200f13/06/2018, 21:25 -\u200f Sam: hello",
    "\u200e[13/06/2018, 21:25:00\u200e] \u200eSam\u200e: hello",
]


def test_direction_marks_anywhere_in_the_header_keep_the_sender():
    for line in DIRECTION_MARKS:
        (message,) = _parse(line + "\n").messages
        assert message.sender is not None and message.sender.display_name == "Sam", line
        assert not message.is_system and message.text == "hello", line
        assert message.sent_at == _utc(2018, 6, 13, 21, 25), line


def test_a_text_starting_with_u200e_is_the_senders_except_for_ios_notices():
    """Issue 13: on Android a U+200E after "Name: " made the message a system line with no
    sender. Only iOS marks its notices that way (``Chat: ‎Sam added Mary``)."""
    (android,) = _parse("13/06/2018, 21:25 - Sam: \u200eI know where you are\n").messages
    assert android.sender.display_name == "Sam" and not android.is_system
    assert android.text == "\u200eI know where you are"
    text = (
        "[13/06/2018, 21:25:00] Plans: \u200eSam added Mary\n"
        f"[13/06/2018, 21:25:05] Sam: {RLM}\u05e9\u05dc\u05d5\u05dd\n"
    )
    notice, hebrew = _parse(text).messages
    assert notice.is_system and notice.text == "Plans: Sam added Mary"
    assert hebrew.sender.display_name == "Sam" and not hebrew.is_system


SYSTEM_LINES = [
    '13/06/2018, 21:25 - Sam changed the subject from "A" to "B: C"',
    "13/06/2018, 21:25 - Marie a créé le groupe « Famille : été »",
    "13/06/2018, 21:25 - Sam changed the subject to \u201cplans: tonight\u201d",
    "13/06/2018, 21:25 - Messages and calls are end-to-end encrypted. No one outside of this "
    "chat, not even WhatsApp, can read or listen to them.",
]


def test_system_lines_are_kept_apart_from_peoples_messages():
    for line in SYSTEM_LINES:
        (message,) = _parse(line + "\n").messages
        assert message.is_system and message.sender is None, line
        assert message.text == line.split(" - ", 1)[1], line
