"""Notes from imports in her words, with what to do (issue 16, point 5): every note the
parsers write reads as a plain sentence and a next step, and one Cairn does not know is never
shown as it is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cairn.importers.note_words import UNKNOWN, plain
from cairn.importers.parsers import whatsapp

CHAT_MINER = Path(__file__).parent / "fixtures" / "third_party" / "chat-miner" / "whatsapp"
# Words of the parsers' own that must never reach her page.
CODE_WORDS = re.compile(
    r"UTF-8|U\+FFFD|XML|MIME|metadata|date_unixtime|base64|header|"
    r"day-first|month-first|year-first|Europe/|inferred|wall-clock|"
    r"surrogate|<sms>|\.msg file|DKIM",
    re.I,
)

# One of each note the parsers write (their wording as in cairn/importers/parsers/*.py).
NOTES = [
    "read as utf-8, columns separated by commas",
    "date order inferred: day-first (day, month, year)",
    "date order inferred: day-first (day, month, year): not month-first: a month of 13 on line 9",
    "dates and times were read in Europe/London",
    "inbox.mbox, message 3: its MIME structure is damaged (a boundary is missing); it was "
    "read as far as its parts could be found",
    "mail.eml: the Date header is not a valid date; no sending time kept",
    "note.msg: read from an Outlook .msg file; its DKIM signature, if any, cannot be checked "
    "(save the message as .eml to keep it checkable)",
    "mail.eml: possible spoof: the sender's name shows the address boss@example.org, but the "
    "message was sent from mark@example.net",
    "IMG_0001.JXL: Cairn does not read the metadata of JPEG XL pictures yet; the file is kept "
    "as it is, capture time unknown",
    "IMG_0002.JPG: its metadata could not be read; capture time unknown",
    "IMG_0003.PNG: no capture time in its metadata",
    "3 emoji written as invalid XML character references (surrogate pairs) were read as the emoji",
    "2 characters that XML cannot hold (control characters, broken UTF-8) were read as U+FFFD",
    "4 elements other than <sms> and <mms> were skipped",
    "mms 12 part 2: the attachment's data is not valid base64 and was not extracted",
    "5 message time(s) had no date_unixtime and were read as wall-clock times in Europe/Paris",
    "the file is not valid UTF-8 from line 40: undecodable bytes were read as U+FFFD (the "
    "original file is kept unchanged)",
    "2 date(s) fall before 2009 or after today, first on line 7: the phone's clock may have "
    "been wrong",
    "the dates go back in time 1 time(s), first on line 12",
    "1 time(s) fell in the hour skipped when the clocks went forward in Europe/London; read "
    "with the offset before the change",
    "2 time(s) fell in the hour repeated when the clocks went back in Europe/London; the first "
    "occurrence was taken",
    "3 file(s) in the export are not named by any message",
]


@pytest.mark.parametrize("note", NOTES)
def test_each_note_reads_in_plain_words_with_what_to_do(note):
    words = plain(note)
    assert words is not UNKNOWN, note
    assert not CODE_WORDS.search(words.text), words.text
    assert not CODE_WORDS.search(words.todo), words.todo
    assert "(s)" not in words.text
    assert words.text.endswith(".") and words.todo.endswith(".")


def test_the_date_order_of_a_real_export_reads_as_words():
    parsed = whatsapp.parse(CHAT_MINER / "test_ddmmyy_24hrs.txt", name="chat.txt")
    order_notes = [note for note in parsed.notes if note.startswith("date order inferred")]
    assert order_notes, parsed.notes
    words = plain(order_notes[0])
    assert words.text.startswith("Dates in the file were read in the order day, month, year")
    assert "31/12/2024" in words.text or "31" in words.text
    for note in parsed.notes:
        assert plain(note) is not UNKNOWN, note


def test_times_read_in_a_zone_name_the_place_not_the_code():
    assert plain("dates and times were read in Europe/London").text == "Times were read as UK time."
    assert (
        "New York time"
        in plain(
            "2 message time(s) had no date_unixtime and were read as "
            "wall-clock times in America/New_York"
        ).text
    )


def test_a_note_cairn_does_not_know_is_not_shown_as_it_is():
    words = plain("frobnicated the x_field_id: 2025-11-26T23:33:20Z")
    assert words is UNKNOWN
    assert "x_field_id" not in words.text and "2025" not in words.text
