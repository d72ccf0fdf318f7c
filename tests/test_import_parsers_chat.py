"""The chat parsers (WhatsApp, Telegram, Facebook/Instagram, X), safe zips and the format
sniffer: pure, no database.

Real third-party files come from ``tests/fixtures/third_party/chat-miner`` (beside the
project): joweich/chat-miner ``test/whatsapp``, ``test/telegram`` and ``test/instagram`` @17c52a1
(MIT). Its ``target.json`` files list that project's expected (timestamp, author, message)
triples; we check ours agree and explain each intended difference where it is checked.

Everything else is generated here: every WhatsApp locale variant in formats.md (Android and
iOS), zips with media, each Facebook/Instagram folder layout, a Telegram full export and an X
archive, plus bad input of every kind listed in issue 4.
"""

from __future__ import annotations

import io
import json
import re
import stat
import struct
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.importers.base import AmbiguousDates, ImportFailure, Message, Origin, ParsedImport
from cairn.importers.detect import Rule, detect_format, detect_zip_format, register
from cairn.importers.parsers import meta, telegram, twitter, whatsapp
from cairn.importers.safezip import SafeZip, ZipLimits

CHAT_MINER = Path(__file__).resolve().parent / "fixtures" / "third_party" / "chat-miner"
LONDON = ZoneInfo("Europe/London")

FUZZ = settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _zip(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for member, content in files.items():
            archive.writestr(member, content)
    return buffer.getvalue()


def _local(moment: datetime | None) -> str:
    assert moment is not None
    return moment.astimezone(LONDON).replace(tzinfo=None).isoformat()


# --- chat-miner's real files ---------------------------------------------------------------

WHATSAPP_FIXTURES = sorted((CHAT_MINER / "whatsapp").glob("*.txt"))


def test_the_chat_miner_fixtures_are_where_the_tests_expect_them():
    assert len(WHATSAPP_FIXTURES) == 5, f"expected chat-miner's files under {CHAT_MINER}"


@pytest.mark.parametrize("path", WHATSAPP_FIXTURES, ids=lambda p: p.name)
def test_whatsapp_fixture_messages_agree_with_chat_miners_target(path):
    """chat-miner ``test/whatsapp/*.txt`` against its ``target.json`` (timestamps are local
    wall-clock times, which we read in Europe/London and give back in UTC).

    Intended differences: chat-miner drops system lines (``created group``, ``You were
    added``) and the malformed ``John Doe:.`` line (no ``": "`` after the name), which we keep
    as system messages; it joins a message's lines with a space where we keep the line break;
    and its list runs newest first.
    """
    target = json.loads((CHAT_MINER / "whatsapp" / "target.json").read_text("utf-8"))
    parsed = whatsapp.parse(path.read_bytes(), name=path.name)
    ours = sorted(
        (_local(m.sent_at), m.sender.display_name, m.text.replace("\n", " "))
        for m in parsed.messages
        if not m.is_system
    )
    theirs = sorted((t["timestamp"], t["author"], t["message"]) for t in target)
    assert ours == theirs
    system = [m for m in parsed.messages if m.is_system]
    assert [m.text for m in system] == [
        "John Doe:.",
        '+12 345 578 created group "Groupname"',
        "You were added",
    ]
    assert all(m.sender is None for m in system)
    assert parsed.assumed_time_zone == "Europe/London"


def test_whatsapp_fixture_lines_point_back_into_the_file():
    """chat-miner ``test/whatsapp/test_ddmmyy_24hrs.txt``: a two-line message spans lines 3-4."""
    path = CHAT_MINER / "whatsapp" / "test_ddmmyy_24hrs.txt"
    parsed = whatsapp.parse(path, name=path.name)
    lines = path.read_text("utf-8").split("\n")
    jahn = next(m for m in parsed.messages if m.sender and m.sender.display_name == "Jahn Doe")
    assert (jahn.origin.line_start, jahn.origin.line_end) == (3, 4)
    assert lines[2].startswith("30/01/19, 20:49 - Jahn Doe: ")
    assert parsed.notes == (
        "date order inferred: day-first (day, month, year): "
        "not month-first: no month 20 on line 2; "
        "not year-first: line 1 would be 19 January 2001, before WhatsApp "
        "existed; not month-year-day: no month 20 on line 2",
    )


@pytest.mark.parametrize(
    ("file_name", "order"),
    [
        ("test_ddmmyy_24hrs.txt", "day-first"),
        ("test_mmddyy_24hrs.txt", "month-first"),
        ("test_[mmddyy]_24hrs.txt", "month-first"),
        ("test_mmddyyyy_12hrs.txt", "month-first"),
    ],
)
def test_whatsapp_fixture_date_order_is_inferred_from_the_whole_file(file_name, order):
    """chat-miner ``test/whatsapp``: line 1 (01/01/19) settles nothing; a later day does."""
    parsed = whatsapp.parse(CHAT_MINER / "whatsapp" / file_name, name=file_name)
    assert parsed.notes[0].startswith(f"date order inferred: {order}")


@pytest.mark.parametrize("file_name", ["test_single_export.json", "test_batch_export.json"])
def test_telegram_fixtures_agree_with_chat_miners_target(file_name):
    """chat-miner ``test/telegram`` (a single-chat and a full "batch" export) against its
    ``target.json`` (UTC times from ``date_unixtime``).

    Intended difference: a text given as a list of entities is flattened by concatenation,
    because Telegram writes the spaces between entities as plain strings; chat-miner joins
    the entities with a space, so its fixture (which has no such strings) reads
    ``"Link: https://..."`` where we read ``"Link:https://..."``. Texts are compared with the
    whitespace removed, and the exact flattening is asserted separately.
    """
    target = json.loads((CHAT_MINER / "telegram" / "target.json").read_text("utf-8"))
    parsed = telegram.parse(CHAT_MINER / "telegram" / file_name, name=file_name)

    def squeeze(text: str) -> str:
        return re.sub(r"\s+", "", text)

    ours = [
        (m.sent_at.replace(tzinfo=None).isoformat(), m.sender.display_name, squeeze(m.text))
        for m in parsed.messages
    ]
    theirs = [(t["timestamp"], t["author"], squeeze(t["message"])) for t in target]
    assert ours == theirs
    assert parsed.messages[1].text == "Link:https://telegram.org/"
    prefix = "chats.list[0]." if "batch" in file_name else ""
    assert [m.origin.entry for m in parsed.messages] == [
        f"{prefix}messages[0]",
        f"{prefix}messages[1]",
    ]


def test_instagram_fixture_agrees_with_chat_miners_target():
    """chat-miner ``test/instagram/test_export.json`` against its ``target.json`` (UTC).

    The fixture's text is plain ASCII, so the mojibake repair must leave it exactly as it is;
    the repair itself is tested on generated files below.
    """
    target = json.loads((CHAT_MINER / "instagram" / "target.json").read_text("utf-8"))
    path = CHAT_MINER / "instagram" / "test_export.json"
    parsed = meta.parse(path, name=path.name, platform="instagram")
    assert parsed.format == "instagram"
    ours = [
        (m.sent_at.replace(tzinfo=None).isoformat(), m.sender.display_name, m.text)
        for m in parsed.messages
    ]
    assert ours == [(t["timestamp"], t["author"], t["message"]) for t in target]


def test_the_fixtures_are_detected_by_content():
    """chat-miner's WhatsApp, Telegram and Instagram files, sniffed from name and first bytes.
    The Instagram file has no platform marker in its name or content, so it reads as Facebook
    (the same JSON shape): the person picks Instagram, as the CLI's --format allows."""
    for path in WHATSAPP_FIXTURES:
        assert detect_format(path.name, path.read_bytes()[:8192]) == "whatsapp"
    for path in (CHAT_MINER / "telegram").glob("test_*.json"):
        assert detect_format(path.name, path.read_bytes()) == "telegram"
    instagram = (CHAT_MINER / "instagram" / "test_export.json").read_bytes()
    assert detect_format("test_export.json", instagram) == "facebook"
    assert detect_format("instagram_message_1.json", instagram) == "instagram"


# --- WhatsApp: every layout in formats.md ----------------------------------------------------

FIRST = datetime(2018, 6, 13, 21, 25, 15)  # a day of 13 settles day/month order
SECOND = datetime(2018, 7, 2, 9, 5, 7)  # and a day of 2 rules out year-first (2002)


def _h12(d: datetime) -> int:
    return d.hour % 12 or 12


WHATSAPP_LAYOUTS = {
    "android dd/mm/yy 24h": (lambda d: f"{d:%d/%m/%y}, {d:%H:%M} - ", False),
    "android mm/dd/yy 12h U+202F": (
        lambda d: f"{d.month}/{d.day}/{d:%y}, {_h12(d)}:{d:%M}\u202f{d:%p} - ",
        False,
    ),
    "android dd/mm/yyyy a. m./p. m.": (
        lambda d: f"{d:%d/%m/%Y}, {_h12(d)}:{d:%M}\u00a0{'p. m.' if d.hour >= 12 else 'a. m.'} - ",
        False,
    ),
    "android dd.mm.yy (German)": (lambda d: f"{d:%d.%m.%y}, {d:%H:%M} - ", False),
    "android hh.mm": (lambda d: f"{d:%d/%m/%Y}, {d:%H.%M} - ", False),
    "android year-first": (lambda d: f"{d:%Y/%m/%d}, {d:%H:%M} - ", False),
    "android d. m. yyyy. (Croatian)": (
        lambda d: f"{d.day}. {d.month}. {d.year}. {d:%H:%M} - ",
        False,
    ),
    "ios [dd/mm/yyyy, hh:mm:ss] with U+200E": (
        lambda d: f"\u200e[{d:%d/%m/%Y}, {d:%H:%M:%S}] ",
        True,
    ),
    "ios [mm/dd/yy hh:mm] no comma": (lambda d: f"[{d:%m/%d/%y} {d:%H:%M}] ", False),
    "ios [m/d/yy, h:mm:ss U+202F PM]": (
        lambda d: f"[{d.month}/{d.day}/{d:%y}, {_h12(d)}:{d:%M:%S}\u202f{d:%p}] ",
        True,
    ),
    "ios Finnish klo": (lambda d: f"[{d.day}.{d.month}.{d.year} klo {d:%H.%M.%S}] ", True),
    "ios Croatian d. m. yyyy.": (lambda d: f"[{d.day}. {d.month}. {d.year}. {d:%H:%M:%S}] ", True),
    "ios year-first with dashes": (lambda d: f"[{d:%Y-%m-%d}, {d:%H:%M:%S}] ", True),
}


@pytest.mark.parametrize("layout", WHATSAPP_LAYOUTS, ids=str)
def test_every_whatsapp_layout_gives_times_senders_lines_and_system_lines(layout):
    header, seconds = WHATSAPP_LAYOUTS[layout]
    text = (
        f"{header(FIRST)}Alex: first line\nsecond line\n"
        f"{header(SECOND)}+44 7700 900123: a reply: with a colon\n"
        f'{header(SECOND)}Alex created group "Plans"\n'
    )
    parsed = whatsapp.parse(text.encode("utf-8"), name="chat.txt")
    first, second, system = parsed.messages
    expected_first = FIRST if seconds else FIRST.replace(second=0)
    expected_second = SECOND if seconds else SECOND.replace(second=0)
    assert first.sent_at == expected_first.replace(tzinfo=LONDON).astimezone(UTC)
    assert second.sent_at == expected_second.replace(tzinfo=LONDON).astimezone(UTC)
    assert first.sent_at.tzinfo is UTC
    assert (first.sender.display_name, first.text) == ("Alex", "first line\nsecond line")
    assert (first.origin.line_start, first.origin.line_end) == (1, 2)
    assert (second.sender.display_name, second.sender.phone) == (
        "+44 7700 900123",
        "+44 7700 900123",
    )
    assert second.text == "a reply: with a colon"
    assert second.origin.line_start == 3
    assert system.is_system and system.sender is None
    assert system.text == 'Alex created group "Plans"'
    assert all(m.channel == "messaging_app" for m in parsed.messages)
    assert detect_format("WhatsApp Chat with Alex.txt", text.encode("utf-8")) == "whatsapp"


def test_dates_that_never_settle_the_order_raise_ambiguous_dates_unless_the_caller_says():
    data = b"01/02/19, 10:00 - Alex: hi\n03/04/19, 11:00 - Alex: again\n"
    with pytest.raises(AmbiguousDates) as caught:
        whatsapp.parse(data, name="chat.txt")
    assert caught.value.where == "chat.txt, line 1"
    assert caught.value.choices == ("day-first", "month-first")
    day_first = whatsapp.parse(data, name="chat.txt", date_order="day-first")
    month_first = whatsapp.parse(data, name="chat.txt", date_order="month-first")
    assert _local(day_first.messages[0].sent_at) == "2019-02-01T10:00:00"
    assert _local(month_first.messages[0].sent_at) == "2019-01-02T10:00:00"
    with pytest.raises(ImportFailure, match="date order must be one of day-first, month-first"):
        whatsapp.parse(data, name="chat.txt", date_order="sideways")


def test_a_file_that_is_both_day_first_and_month_first_is_refused():
    data = b"13/01/2019, 10:00 - Alex: hi\n01/13/2019, 11:00 - Alex: again\n"
    with pytest.raises(ImportFailure) as caught:
        whatsapp.parse(data, name="chat.txt")
    assert caught.value.where == "chat.txt, line 2"


def test_an_impossible_date_names_its_line_and_not_the_text():
    data = b"13/01/2019, 10:00 - Alex: secret words\n31/02/2019, 11:00 - Alex: more secrets\n"
    with pytest.raises(ImportFailure) as caught:
        whatsapp.parse(data, name="chat.txt")
    assert caught.value.where == "chat.txt, line 2"
    assert "impossible date" in str(caught.value)
    assert "secret" not in str(caught.value)


def test_a_caller_date_order_that_the_file_contradicts_fails_on_the_line():
    data = b"01/01/19, 10:00 - Alex: hi\n20/01/19, 11:00 - Alex: hi\n"
    with pytest.raises(ImportFailure) as caught:
        whatsapp.parse(data, name="chat.txt", date_order="month-first")
    assert caught.value.where == "chat.txt, line 2"


@pytest.mark.parametrize(
    "header", ["13/01/2019, 25:00 - ", "13/01/2019, 10:61 - ", "1/13/2019, 13:10 PM - "]
)
def test_an_impossible_time_names_its_line(header):
    data = f"13/01/2019, 10:00 - Alex: hi\n{header}Alex: hi\n".encode()
    if "PM" in header:
        data = f"1/13/2019, 10:00 AM - Alex: hi\n{header}Alex: hi\n".encode()
    with pytest.raises(ImportFailure) as caught:
        whatsapp.parse(data, name="chat.txt")
    assert caught.value.where == "chat.txt, line 2"


def test_the_skipped_spring_hour_is_read_with_the_offset_before_the_change():
    """31 March 2019, London: clocks went from 01:00 GMT to 02:00 BST; 01:30 never showed."""
    data = (
        b"31/03/2019, 00:30 - Alex: a\n31/03/2019, 01:30 - Alex: b\n31/03/2019, 02:30 - Alex: c\n"
    )
    parsed = whatsapp.parse(data, name="chat.txt")
    assert [m.sent_at for m in parsed.messages] == [
        datetime(2019, 3, 31, 0, 30, tzinfo=UTC),
        datetime(2019, 3, 31, 1, 30, tzinfo=UTC),
        datetime(2019, 3, 31, 1, 30, tzinfo=UTC),
    ]
    assert any("skipped" in note and "1 time(s)" in note for note in parsed.notes)


def test_the_repeated_autumn_hour_takes_the_first_occurrence():
    data = (
        b"27/10/2019, 00:30 - Alex: a\n27/10/2019, 01:30 - Alex: b\n27/10/2019, 12:00 - Alex: c\n"
    )
    parsed = whatsapp.parse(data, name="chat.txt")
    assert [m.sent_at for m in parsed.messages] == [
        datetime(2019, 10, 26, 23, 30, tzinfo=UTC),
        datetime(2019, 10, 27, 0, 30, tzinfo=UTC),
        datetime(2019, 10, 27, 12, 0, tzinfo=UTC),
    ]
    assert any("repeated" in note for note in parsed.notes)


def test_times_are_read_in_the_zone_given_and_it_is_recorded():
    data = b"13/07/2019, 10:00 - Alex: hi\n"
    parsed = whatsapp.parse(data, name="chat.txt", tz="America/New_York")
    assert parsed.messages[0].sent_at == datetime(2019, 7, 13, 14, 0, tzinfo=UTC)
    assert parsed.assumed_time_zone == "America/New_York"
    with pytest.raises(ImportFailure, match="unknown time zone"):
        whatsapp.parse(data, name="chat.txt", tz="Mars/Olympus_Mons")


def test_ios_notices_are_system_lines_but_calls_and_deletions_keep_their_sender():
    data = (
        "[13/01/2019, 10:00:00] Plans: \u200eMessages and calls are end-to-end encrypted.\n"
        "[13/01/2019, 10:01:00] Sam: \u200eMissed voice call\n"
        "[13/01/2019, 10:02:00] Sam: \u200eThis message was deleted.\n"
        '[13/01/2019, 10:03:00] Sam changed the subject to "Re: us"\n'
    ).encode()
    notice, call, deleted, subject = whatsapp.parse(data, name="_chat.txt").messages
    assert notice.is_system and notice.sender is None
    assert notice.text == "Plans: Messages and calls are end-to-end encrypted."
    assert call.sender.display_name == "Sam" and not call.is_system
    assert call.text == "\u200eMissed voice call"
    assert deleted.sender.display_name == "Sam"
    assert subject.is_system and subject.text == 'Sam changed the subject to "Re: us"'


def test_the_owner_is_marked_by_display_name():
    data = b"13/01/2019, 10:00 - Alex: hi\n13/01/2019, 10:01 - Sam: hello\n"
    alex, sam = whatsapp.parse(data, name="chat.txt", owner="Alex").messages
    assert alex.sender.is_owner and not sam.sender.is_owner


def test_an_ios_zip_with_media_matches_attachments_to_its_files():
    chat = (
        "[13/06/2020, 15:13:20] Sam: \u200e<attached: 00000042-PHOTO-2020-06-13-15-13-20.jpg>\n"
        "[13/06/2020, 15:14:00] Sam: \u200e<attached: 00000043-VIDEO-2020-06-13-15-14-00.mp4>\n"
        "[13/06/2020, 15:15:00] Sam: \u200eimage omitted\n"
        "[13/06/2020, 15:16:00] Sam: look\n"
    ).encode()
    data = _zip(
        {
            "_chat.txt": chat,
            "00000042-PHOTO-2020-06-13-15-13-20.jpg": b"\xff\xd8jpeg",
            "unrelated.opus": b"OggS",
        }
    )
    parsed = whatsapp.parse(data, name="WhatsApp Chat - Sam.zip")
    photo, video, omitted, text = parsed.messages
    assert photo.attachments[0].member == "00000042-PHOTO-2020-06-13-15-13-20.jpg"
    assert photo.attachments[0].media_type == "image/jpeg"
    assert not photo.attachments[0].missing and photo.text == ""
    assert video.attachments[0].missing and video.attachments[0].member is None
    assert omitted.attachments[0].missing and omitted.attachments[0].name == "image"
    assert text.attachments == () and text.text == "look"
    assert photo.origin == Origin(member="_chat.txt", line_start=1, line_end=1)
    assert any("1 file(s) in the export are not named" in note for note in parsed.notes)


def test_an_android_zip_with_media_keeps_captions_and_media_omitted(tmp_path):
    chat = (
        b"13/06/2020, 15:13 - Sam: IMG-20200613-WA0001.jpg (file attached)\nthis is you\n"
        b"13/06/2020, 15:14 - Sam: <Media omitted>\n"
    )
    files = {"WhatsApp Chat with Sam.txt": chat, "IMG-20200613-WA0001.jpg": b"\xff\xd8"}
    for parsed in (
        whatsapp.parse(_zip(files), name="WhatsApp Chat with Sam.zip"),
        whatsapp.parse(_folder(tmp_path, files), name="WhatsApp Chat with Sam"),
    ):
        photo, omitted = parsed.messages
        assert photo.text == "this is you"
        assert photo.attachments[0].member == "IMG-20200613-WA0001.jpg"
        assert (photo.origin.member, photo.origin.line_start, photo.origin.line_end) == (
            "WhatsApp Chat with Sam.txt",
            1,
            2,
        )
        assert omitted.attachments[0].missing and omitted.text == ""


def test_a_bare_txt_names_attachments_without_claiming_they_are_missing():
    data = b"13/06/2020, 15:13 - Sam: IMG-20200613-WA0001.jpg (file attached)\n"
    attachment = whatsapp.parse(data, name="chat.txt").messages[0].attachments[0]
    assert (attachment.name, attachment.member, attachment.missing) == (
        "IMG-20200613-WA0001.jpg",
        None,
        False,
    )


def _folder(root: Path, files: dict[str, bytes]) -> Path:
    for member, content in files.items():
        path = root / member
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def test_a_zip_with_two_chats_or_none_is_refused():
    one = b"13/01/2019, 10:00 - Alex: hi\n"
    with pytest.raises(ImportFailure, match="2 chats"):
        whatsapp.parse(_zip({"a/_chat.txt": one, "b/_chat.txt": one}), name="x.zip")
    with pytest.raises(ImportFailure, match="no WhatsApp chat"):
        whatsapp.parse(_zip({"photo.jpg": b"\xff\xd8"}), name="x.zip")


def test_crlf_utf8_bom_and_utf16_files_read_the_same():
    text = "13/01/2019, 10:00 - Alex: hi\r\nthere\r\n13/01/2019, 10:01 - Sam: ok\r\n"
    plain = whatsapp.parse(text.replace("\r\n", "\n").encode(), name="c.txt").messages
    for data in (text.encode(), b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16")):
        assert whatsapp.parse(data, name="c.txt").messages == plain
    assert plain[0].text == "hi\nthere"


def test_broken_utf8_is_read_with_replacement_characters_and_a_note():
    data = b"13/01/2019, 10:00 - Alex: hi\n13/01/2019, 10:01 - Sam: caf\xe9\n"
    parsed = whatsapp.parse(data, name="chat.txt")
    assert parsed.messages[1].text == "caf\ufffd"
    assert any(note.startswith("the file is not valid UTF-8 from line 2") for note in parsed.notes)


@pytest.mark.parametrize(
    ("data", "where", "reason"),
    [
        (b"", "chat.txt", "empty"),
        (b"\n\n  \n", "chat.txt", "empty"),
        (b"hello\x00\x01\x02binary", "chat.txt, line 1", "binary"),
        (b'{"messages": []}', "chat.txt", "no line starts with a date"),
        (b"Some notes\n13/01/2019, 10:00 - Alex: hi\n", "chat.txt, line 1", "does not start"),
    ],
)
def test_bad_whatsapp_input_fails_clearly(data, where, reason):
    with pytest.raises(ImportFailure) as caught:
        whatsapp.parse(data, name="chat.txt")
    assert caught.value.where == where
    assert reason in caught.value.message


def test_a_truncated_whatsapp_zip_fails_naming_the_zip():
    data = _zip({"_chat.txt": b"[13/01/2019, 10:00:00] Alex: hi\n" * 200})
    with pytest.raises(ImportFailure) as caught:
        whatsapp.parse(data[: len(data) // 2], name="chat.zip")
    assert caught.value.where == "chat.zip"


def test_the_fast_message_constructor_builds_what_the_dataclass_would():
    """The WhatsApp hot loop fills Message/Origin __dict__ directly (see whatsapp/reading.py); it
    must be in use, and must make objects equal to the ordinary constructors'."""
    from cairn.importers.parsers.whatsapp import reading

    assert reading._FAST
    at = datetime(2020, 1, 1, tzinfo=UTC)
    fast = reading._message_fast(at, None, "x", reading._origin_fast("m", 1, 2), (), True)
    slow = Message(at, None, "x", "messaging_app", Origin("m", 1, 2), (), True)
    assert fast == slow and repr(fast) == repr(slow) and fast.extra == {}
    assert fast.extra is not reading._message_fast(at, None, "x", fast.origin, (), True).extra


# --- Telegram ------------------------------------------------------------------------------


def _telegram_chat(**overrides: object) -> dict[str, object]:
    chat: dict[str, object] = {
        "name": "Sam",
        "type": "personal_chat",
        "id": 4242,
        "messages": [
            {
                "id": 1,
                "type": "message",
                "date": "2021-07-01T10:00:00",
                "date_unixtime": "1625130000",
                "from": "Sam",
                "from_id": "user777",
                "text": ["see ", {"type": "link", "text": "https://example.org"}, " now"],
            },
            {
                "id": 2,
                "type": "message",
                "date_unixtime": "1625130060",
                "from": "Sam",
                "from_id": "user777",
                "photo": "photos/photo_1@01-07-2021_10-01-00.jpg",
                "width": 10,
                "height": 10,
                "text": "",
            },
            {
                "id": 3,
                "type": "message",
                "date_unixtime": "1625130120",
                "from": "Alex",
                "from_id": "user1",
                "file": "files/letter.pdf",
                "mime_type": "application/pdf",
                "text": "",
                "edited_unixtime": "1625130130",
            },
            {
                "id": 4,
                "type": "service",
                "date_unixtime": "1625130180",
                "actor": "Sam",
                "actor_id": "user777",
                "action": "phone_call",
                "discard_reason": "missed",
                "text": "",
            },
            {
                "id": 5,
                "type": "service",
                "date_unixtime": "1625130240",
                "actor": "Sam",
                "actor_id": "user777",
                "action": "pin_message",
                "text": "",
            },
            {
                "id": 6,
                "type": "message",
                "date_unixtime": "1625130300",
                "from": "Sam",
                "from_id": "user777",
                "file": "(File not included. Change data exporting settings to download.)",
                "text": "voice",
            },
        ],
    }
    chat.update(overrides)
    return chat


def test_a_telegram_single_chat_gives_senders_ids_entities_attachments_and_calls():
    data = json.dumps(_telegram_chat()).encode()
    parsed = telegram.parse(data, name="result.json", owner="user1")
    link, photo, letter, call, pin, voice = parsed.messages
    assert link.text == "see https://example.org now"
    assert link.sent_at == datetime(2021, 7, 1, 9, 0, tzinfo=UTC)
    assert (link.sender.display_name, link.sender.platform_id) == ("Sam", "user777")
    assert link.extra == {"chat": "Sam", "chat_id": "4242", "id": "1"}
    assert photo.attachments[0].name == "photos/photo_1@01-07-2021_10-01-00.jpg"
    assert photo.attachments[0].media_type == "image/jpeg"
    assert letter.sender.is_owner and letter.attachments[0].media_type == "application/pdf"
    assert letter.extra["edited_unixtime"] == "1625130130"
    assert call.sender.display_name == "Sam" and not call.is_system
    assert call.extra["discard_reason"] == "missed" and call.text == "phone call"
    assert pin.is_system and pin.sender is None and pin.text == "pin_message"
    assert voice.attachments[0].missing
    assert [m.origin.entry for m in parsed.messages] == [f"messages[{i}]" for i in range(6)]
    assert parsed.assumed_time_zone == "Europe/London"


def test_a_telegram_full_export_reads_every_chat_and_marks_the_owner():
    other = _telegram_chat(
        name="Jo",
        id=99,
        messages=[
            {
                "id": 1,
                "type": "message",
                "date_unixtime": "1625130000",
                "from": "Jo",
                "from_id": "user55",
                "text": "hi",
            },
            {
                "id": 2,
                "type": "message",
                "date_unixtime": "1625130001",
                "from": "Me",
                "from_id": "user1",
                "text": "hello",
            },
        ],
    )
    export = {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": 1, "first_name": "Me"},
        "chats": {"about": "", "list": [_telegram_chat(), other]},
        "left_chats": {"about": "", "list": []},
        "sessions": {"list": [{"last_active": "2021-07-01T10:00:00"}]},
    }
    data = json.dumps(export).encode()
    parsed = telegram.parse(data, name="result.json")
    assert len(parsed.messages) == 8
    jo, me = parsed.messages[-2:]
    assert jo.origin.entry == "chats.list[1].messages[0]" and jo.extra["chat"] == "Jo"
    assert me.sender.is_owner and not jo.sender.is_owner
    assert detect_format("result.json", data[:4096]) == "telegram"


def test_a_telegram_export_folder_or_zip_matches_attachments(tmp_path):
    files = {
        "ChatExport_2021-07-01/result.json": json.dumps(_telegram_chat()).encode(),
        "ChatExport_2021-07-01/photos/photo_1@01-07-2021_10-01-00.jpg": b"\xff\xd8",
    }
    folder = _folder(tmp_path, files)
    for data, name in (
        (_zip(files), "export.zip"),
        (folder, "ChatExport"),
        (folder / "ChatExport_2021-07-01" / "result.json", "result.json"),
    ):
        parsed = telegram.parse(data, name=name)
        photo, letter = parsed.messages[1].attachments[0], parsed.messages[2].attachments[0]
        assert photo.member is not None and photo.member.endswith(
            "photos/photo_1@01-07-2021_10-01-00.jpg"
        )
        assert not photo.missing
        assert letter.missing and letter.member is None
    assert detect_zip_format("export.zip", files) == "telegram"


def test_an_old_telegram_export_without_unixtime_reads_date_in_the_zone():
    chat = _telegram_chat(
        messages=[
            {
                "id": 1,
                "type": "message",
                "date": "2021-07-01T10:00:00",
                "from": "Sam",
                "from_id": "user777",
                "text": "hi",
            }
        ]
    )
    parsed = telegram.parse(json.dumps(chat).encode(), name="result.json")
    assert parsed.messages[0].sent_at == datetime(2021, 7, 1, 9, 0, tzinfo=UTC)
    assert "1 message time(s) had no date_unixtime" in parsed.notes[0]


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ([], "result.json"),
        ({"name": "x"}, "result.json"),
        ({"messages": {}}, "result.json, messages"),
        (
            {
                "messages": [
                    {"type": "message", "date_unixtime": "soon", "from": "A", "text": "secret"}
                ]
            },
            "result.json, messages[0].date_unixtime",
        ),
        (
            {"messages": [{"type": "message", "from": "A", "text": "secret"}]},
            "result.json, messages[0]",
        ),
        (
            {"messages": [{"type": "message", "date_unixtime": "1", "from": "A", "text": 7}]},
            "result.json, messages[0].text",
        ),
        ({"chats": {"list": [{"messages": [1]}]}}, "result.json, chats.list[0].messages[0]"),
    ],
)
def test_bad_telegram_input_names_the_entry(doc, where):
    with pytest.raises(ImportFailure) as caught:
        telegram.parse(json.dumps(doc).encode(), name="result.json")
    assert caught.value.where == where
    assert "secret" not in str(caught.value)


# --- Facebook and Instagram ----------------------------------------------------------------


def _mojibake(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def _meta_thread(title: str = "Sam", *, uri_root: str = "messages/inbox/sam_1") -> bytes:
    doc = {
        "participants": [{"name": _mojibake("Zoë")}, {"name": "Alex"}],
        "messages": [
            {
                "sender_name": _mojibake("Zoë"),
                "timestamp_ms": 1579294140000,
                "content": _mojibake("Tu es où ? 😠"),
                "type": "Generic",
                "photos": [{"uri": f"{uri_root}/photos/1.jpg", "creation_timestamp": 1}],
            },
            {
                "sender_name": "Alex",
                "timestamp_ms": 1577186580000,
                "content": "Stop, please.",
                "share": {"link": "https://example.org/x"},
            },
            {
                "sender_name": _mojibake("Zoë"),
                "timestamp_ms": 1577186000000,
                "content": "Zoë called you.",
                "call_duration": 0,
                "type": "Call",
                "is_unsent": False,
                "audio_files": [{"uri": f"{uri_root}/audio/2.mp4"}],
            },
        ],
        "title": _mojibake(title),
        "thread_path": "inbox/sam_1",
    }
    return json.dumps(doc).encode()  # ensure_ascii, as Meta writes (\u00c3\u00a9)


def test_meta_mojibake_is_repaired_and_correct_text_is_left_alone():
    parsed = meta.parse(_meta_thread(), name="message_1.json")
    angry, stop, call = parsed.messages
    assert parsed.format == "facebook" and parsed.assumed_time_zone is None
    assert angry.text == "Tu es où ? 😠" and angry.sender.display_name == "Zoë"
    assert stop.text == "Stop, please." and stop.extra["share_link"] == "https://example.org/x"
    # Already-correct text (not Latin-1-encodable, or not UTF-8 when encoded) is untouched.
    assert call.text == "Zoë called you."
    assert call.extra["call_duration"] == "0" and call.extra["is_unsent"] == "false"
    assert meta.repair_mojibake("café") == "café"
    assert meta.repair_mojibake("😠 Ã©") == "😠 Ã©"
    assert angry.sent_at == datetime(2020, 1, 17, 20, 49, tzinfo=UTC)
    assert [m.origin.entry for m in parsed.messages] == [
        "messages[0]",
        "messages[1]",
        "messages[2]",
    ]


META_LAYOUTS = {
    "facebook old": ("facebook-alex.zip", "messages/inbox", "facebook"),
    "facebook 2022": (
        "facebook-alex.zip",
        "your_activity_across_facebook/messages/inbox",
        "facebook",
    ),
    "facebook 2024": ("facebook-alex.zip", "your_facebook_activity/messages/inbox", "facebook"),
    "facebook requests": (
        "export.zip",
        "your_facebook_activity/messages/message_requests",
        "facebook",
    ),
    "instagram old": ("instagram-alex.zip", "messages/inbox", "instagram"),
    "instagram 2023": ("export.zip", "your_instagram_activity/messages/inbox", "instagram"),
}


@pytest.mark.parametrize("layout", META_LAYOUTS, ids=str)
def test_every_meta_folder_layout_is_read_from_a_zip_and_a_folder(layout, tmp_path):
    zip_name, box, platform = META_LAYOUTS[layout]
    root = f"{box}/sam_1"
    files = {
        f"{root}/message_1.json": _meta_thread(uri_root=root),
        f"{root}/message_2.json": _meta_thread("Older", uri_root=root),
        f"{root}/photos/1.jpg": b"\xff\xd8",
        "security_and_login_information/account_activity.json": b"{}",
    }
    wrapped = {f"top/{k}": v for k, v in files.items()}  # zips often add a top folder
    for data, name in (
        (_zip(files), zip_name),
        (_zip(wrapped), zip_name),
        (_folder(tmp_path, files), zip_name.removesuffix(".zip")),
    ):
        parsed = meta.parse(data, name=name)
        assert parsed.format == platform
        assert len(parsed.messages) == 6
        first = parsed.messages[0]
        assert first.origin.member.endswith(f"{root}/message_1.json")
        assert parsed.messages[3].origin.member.endswith(f"{root}/message_2.json")
        assert first.attachments[0].member.endswith(f"{root}/photos/1.jpg")
        assert parsed.messages[2].attachments[0].missing  # audio not in the export
        assert first.extra["thread_title"] == "Sam"
        assert first.channel == "social_media"
    assert detect_zip_format(zip_name, files) == platform


def test_the_platform_can_be_given_and_is_checked():
    assert meta.parse(_meta_thread(), name="m.json", platform="instagram").format == "instagram"
    with pytest.raises(ImportFailure, match="facebook or instagram"):
        meta.parse(_meta_thread(), name="m.json", platform="myspace")


def test_a_meta_zip_without_message_files_is_refused():
    with pytest.raises(ImportFailure, match="no Facebook or Instagram message files"):
        meta.parse(_zip({"posts/your_posts_1.json": b"[]"}), name="facebook-alex.zip")


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({"participants": []}, "message_1.json"),
        (
            {"messages": [{"sender_name": "A", "timestamp_ms": "soon", "content": "secret"}]},
            "message_1.json, messages[0].timestamp_ms",
        ),
        (
            {"messages": [{"timestamp_ms": 1, "content": "secret"}]},
            "message_1.json, messages[0].sender_name",
        ),
        (
            {"messages": [{"sender_name": "A", "timestamp_ms": 1, "photos": [{"x": 1}]}]},
            "message_1.json, messages[0].photos[0]",
        ),
        ({"messages": [], "participants": "A"}, "message_1.json, participants"),
    ],
)
def test_bad_meta_input_names_the_entry(doc, where):
    with pytest.raises(ImportFailure) as caught:
        meta.parse(json.dumps(doc).encode(), name="message_1.json")
    assert caught.value.where == where
    assert "secret" not in str(caught.value)


# --- X (Twitter) ---------------------------------------------------------------------------


def _ytd(name: str, value: object) -> bytes:
    return f"window.YTD.{name}.part0 = ".encode() + json.dumps(value, indent=2).encode()


DMS = [
    {
        "dmConversation": {
            "conversationId": "111-222",
            "messages": [
                {
                    "messageCreate": {
                        "recipientId": "222",
                        "reactions": [],
                        "urls": [],
                        "text": "I know where you are https://t.co/abc",
                        "mediaUrls": ["https://ton.twitter.com/dm/9001/9001/abc.jpg"],
                        "senderId": "111",
                        "id": "9001",
                        "createdAt": "2022-03-01T10:00:00.000Z",
                    }
                },
                {
                    "messageCreate": {
                        "recipientId": "111",
                        "text": "Leave me alone",
                        "mediaUrls": [],
                        "senderId": "222",
                        "id": "9000",
                        "createdAt": "2022-03-01T09:59:00.000Z",
                    }
                },
            ],
        }
    }
]
GROUP_DMS = [
    {
        "dmConversation": {
            "conversationId": "g1",
            "messages": [
                {
                    "joinConversation": {
                        "initiatingUserId": "111",
                        "participantsSnapshot": ["222"],
                        "createdAt": "2022-03-02T10:00:00.000Z",
                    }
                },
                {
                    "messageCreate": {
                        "text": "everyone sees this",
                        "mediaUrls": [],
                        "senderId": "111",
                        "id": "9100",
                        "createdAt": "2022-03-02T10:01:00.000Z",
                    }
                },
            ],
        }
    }
]
ACCOUNT = [{"account": {"accountId": "222", "username": "alex"}}]


def test_an_x_dm_file_gives_account_ids_times_and_media():
    data = _ytd("direct_messages", DMS)
    parsed = twitter.parse(data, name="direct-messages.js")
    threat, reply = parsed.messages
    assert reply.sender.platform_id == "222" and reply.text == "Leave me alone"
    assert (threat.sender.platform_id, threat.sender.platform) == ("111", "x")
    assert threat.sent_at == datetime(2022, 3, 1, 10, 0, tzinfo=UTC)
    assert threat.text == "I know where you are https://t.co/abc"
    assert threat.extra == {"conversation_id": "111-222", "id": "9001", "recipient_id": "222"}
    assert threat.attachments[0].media_type == "image/jpeg"
    assert threat.origin.entry == "[0].dmConversation.messages[0]"
    assert parsed.format == "twitter" and parsed.assumed_time_zone is None
    assert detect_format("direct-messages.js", data[:100]) == "twitter"


def test_an_x_archive_zip_or_folder_reads_dms_groups_owner_and_media(tmp_path):
    files = {
        "data/direct-messages.js": _ytd("direct_messages", DMS),
        "data/direct-messages-group.js": _ytd("direct_messages_group", GROUP_DMS),
        "data/account.js": _ytd("account", ACCOUNT),
        "data/direct_messages_media/9001-abc.jpg": b"\xff\xd8",
        "data/ip-audit.js": _ytd("ip_audit", []),
    }
    for data in (_zip(files), _folder(tmp_path, files)):
        parsed = twitter.parse(data, name="twitter-2022.zip")
        group_join, group_message, threat, reply = parsed.messages
        assert group_join.is_system and group_join.text == "joinConversation"
        assert group_message.origin.member == "data/direct-messages-group.js"
        assert threat.attachments[0].member == "data/direct_messages_media/9001-abc.jpg"
        assert reply.sender.is_owner and not threat.sender.is_owner
    assert detect_zip_format("archive.zip", files) == "twitter"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b'[{"dmConversation": {}}]', "dm.js"),
        (_ytd("ip_audit", []), "dm.js"),
        (_ytd("direct_messages", {"x": 1}), "dm.js"),
        (
            _ytd(
                "direct_messages",
                [
                    {
                        "dmConversation": {
                            "messages": [
                                {
                                    "messageCreate": {
                                        "senderId": "1",
                                        "text": "secret",
                                        "createdAt": "yesterday",
                                    }
                                }
                            ]
                        }
                    }
                ],
            ),
            "dm.js, [0].dmConversation.messages[0].createdAt",
        ),
        (
            _ytd(
                "direct_messages",
                [
                    {
                        "dmConversation": {
                            "messages": [
                                {
                                    "messageCreate": {
                                        "text": "secret",
                                        "createdAt": "2022-03-01T10:00:00Z",
                                    }
                                }
                            ]
                        }
                    }
                ],
            ),
            "dm.js, [0].dmConversation.messages[0].messageCreate.senderId",
        ),
    ],
)
def test_bad_x_input_names_the_entry(data, where):
    with pytest.raises(ImportFailure) as caught:
        twitter.parse(data, name="dm.js")
    assert caught.value.where == where
    assert "secret" not in str(caught.value)


# --- JSON bombs and wrong formats, for every JSON parser --------------------------------------


@pytest.mark.parametrize("parse", [telegram.parse, meta.parse], ids=["telegram", "meta"])
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
        (b'{"messages": [' + b"9" * 5000 + b"]}", "not valid JSON"),
        (b"", "empty"),
        (b'{"messages": [1, 2', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid"),
        (b"13/01/2019, 10:00 - Alex: hi\n", "not valid JSON"),
    ],
)
def test_json_parsers_refuse_bombs_truncation_and_the_wrong_format(parse, data, reason):
    with pytest.raises(ImportFailure, match=reason):
        parse(data, name="x.json")


def test_the_x_parser_refuses_a_nesting_bomb():
    with pytest.raises(ImportFailure, match="nested too deeply"):
        twitter.parse(b"window.YTD.direct_messages.part0 = " + b"[" * 200_000, name="dm.js")


# --- Safe zips ------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_anything_is_unpacked():
    bomb = _zip({"chat.txt": b"\0" * (8 * 1024 * 1024)})
    assert len(bomb) < 20_000
    with pytest.raises(ImportFailure) as caught:
        SafeZip(bomb, name="bomb.zip")
    assert caught.value.where == "bomb.zip, member chat.txt"
    assert "zip bomb" in caught.value.message
    with pytest.raises(ImportFailure, match="zip bomb"):
        whatsapp.parse(bomb, name="bomb.zip")


def test_zip_size_and_count_caps_hold():
    files = {f"f{i}.txt": b"x" * 600 for i in range(4)}
    with pytest.raises(ImportFailure, match="more than 3 entries"):
        SafeZip(_zip(files), name="a.zip", limits=ZipLimits(max_members=3))
    with pytest.raises(ImportFailure, match="unpack to more than"):
        SafeZip(_zip(files), name="a.zip", limits=ZipLimits(max_total_size=2000))
    with pytest.raises(ImportFailure, match="member would unpack"):
        SafeZip(_zip(files), name="a.zip", limits=ZipLimits(max_member_size=500))


def _overlapping_zip(copies: int) -> bytes:
    """One compressed block, and ``copies`` central-directory entries that all point at it."""
    content = b"a" * 100_000
    packed = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = packed.compress(content) + packed.flush()
    crc = zlib.crc32(content)
    local = (
        struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), len(content), 5, 0)
        + b"f.txt"
        + data
    )
    central = b""
    for i in range(copies):
        name = f"f{i:04}.txt".encode()
        central += (
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                len(content),
                len(name),
                0,
                0,
                0,
                0,
                0,
                0,
            )
            + name
        )
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, copies, copies, len(central), len(local), 0)
    return local + central + end


def test_overlapping_entries_are_refused_as_a_bomb():
    with pytest.raises(ImportFailure, match="share their compressed data"):
        SafeZip(_overlapping_zip(50), name="overlap.zip")


@pytest.mark.parametrize(
    "member",
    [
        "../evil.txt",
        "a/../../evil.txt",
        "/etc/passwd",
        "C:/Windows/evil.txt",
        "a\\..\\evil.txt",
        "bad\x01name",
    ],
)
def test_path_traversal_names_are_refused_naming_the_member(member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_chat.txt", b"13/01/2019, 10:00 - A: hi\n")
        info = zipfile.ZipInfo("placeholder")
        info.filename = member  # ZipInfo would otherwise normalise the name
        archive.writestr(info, b"x")
    with pytest.raises(ImportFailure) as caught:
        whatsapp.parse(buffer.getvalue(), name="chat.zip")
    assert caught.value.where == f"chat.zip, member {member}"
    assert caught.value.message.startswith("refused")


def test_symlinks_encrypted_and_duplicate_members_are_refused():
    def archive_with(info: zipfile.ZipInfo) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(info, b"target")
        return buffer.getvalue()

    link = zipfile.ZipInfo("link")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(ImportFailure, match="symbolic link"):
        SafeZip(archive_with(link), name="a.zip")
    # zipfile will not write an encrypted member, so set the flag in the central directory.
    plain = bytearray(archive_with(zipfile.ZipInfo("locked.txt")))
    central = plain.index(b"PK\x01\x02")
    plain[central + 8] |= 0x1
    with pytest.raises(ImportFailure, match="encrypted"):
        SafeZip(bytes(plain), name="a.zip")
    buffer = io.BytesIO()
    with pytest.warns(UserWarning), zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("same.txt", b"one")
        archive.writestr("same.txt", b"two")
    with pytest.raises(ImportFailure, match="two members have this name"):
        SafeZip(buffer.getvalue(), name="a.zip")


def test_a_damaged_member_fails_naming_the_zip_and_member():
    data = bytearray(_zip({"_chat.txt": b"13/01/2019, 10:00 - A: hi\n" * 100}))
    start = 30 + len("_chat.txt")
    data[start + 5 : start + 15] = b"\x00" * 10
    with SafeZip(bytes(data), name="a.zip") as archive, pytest.raises(ImportFailure) as caught:
        archive.read_member("_chat.txt")
    assert caught.value.where == "a.zip, member _chat.txt"


def test_members_are_streamed_in_chunks_within_the_callers_cap(tmp_path):
    payload = bytes(range(256)) * 4096  # 1 MiB, incompressible enough
    path = tmp_path / "media.zip"
    path.write_bytes(_zip({"video.mp4": payload}, compression=zipfile.ZIP_STORED))
    with SafeZip(path, name="media.zip", limits=ZipLimits(chunk_size=65536)) as archive:
        chunks = list(archive.iter_member("video.mp4"))
        assert len(chunks) == 16 and b"".join(chunks) == payload
        assert archive.names == ("video.mp4",) and archive.size("video.mp4") == len(payload)
        with pytest.raises(ImportFailure, match="too large"):
            archive.read_member("video.mp4", max_size=1000)
        with pytest.raises(ImportFailure, match="no such member"):
            archive.read_member("other.mp4")


def test_not_a_zip_is_refused_clearly():
    with pytest.raises(ImportFailure) as caught:
        SafeZip(b"PK\x03\x04 but not really", name="x.zip")
    assert caught.value.where == "x.zip"


# --- The format sniffer ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("WhatsApp Chat with Sam.zip", b"PK\x03\x04rest", "whatsapp"),
        ("_chat.txt", "\u200e[13/01/2019, 10:00:00] Sam: hi\n".encode(), "whatsapp"),
        ("message_1.json", b'{\n  "participants": [{"name": "A"}],\n  "messages": [', "facebook"),
        (
            "your_instagram_activity/messages/inbox/a/message_1.json",
            b'{"participants": [], "messages": [{"sender_name": "A"',
            "instagram",
        ),
        ("result.json", b'{\n "name": "Sam",\n "type": "personal_chat",\n "id": 1', "telegram"),
        ("direct-messages-group.js", b"window.YTD.direct_messages_group.part0 = [", "twitter"),
        ("twitter-2022-01-01-abc.zip", b"PK\x03\x04", "twitter"),
        ("notes.txt", b"Dear diary, today", None),
        ("random.bin", b"\x00\x01\x02", None),
        ("data.json", b'{"a": 1}', None),
    ],
)
def test_detect_format_reads_names_and_first_bytes(name, head, expected):
    assert detect_format(name, head) == expected


def test_detection_is_table_driven_and_extensible(monkeypatch):
    from cairn.importers import detect

    monkeypatch.setattr(detect, "RULES", list(detect.RULES))
    register(Rule("sms", lambda name, head: head.startswith(b"<?xml") and b"<smses" in head))
    assert detect_format("sms.xml", b"<?xml version='1.0'?><smses count='1'>") == "sms"
    register(Rule("csv", lambda name, head: name.endswith(".csv")), first=True)
    assert detect.RULES[0].format == "csv"


# --- Fuzzing: every parser returns data or raises ImportFailure, nothing else ----------------


def _mutations(*seeds: bytes) -> st.SearchStrategy[bytes]:
    """A valid file with bytes changed, inserted or cut, or plain random bytes."""

    def mutate(args: tuple[bytes, list[tuple[int, bytes]], int]) -> bytes:
        seed, edits, cut = args
        data = bytearray(seed)
        for position, chunk in edits:
            at = position % (len(data) + 1)
            data[at : at + len(chunk) // 2] = chunk
        return bytes(data[: cut % (len(data) + 2)]) if cut else bytes(data)

    edits = st.lists(st.tuples(st.integers(0, 1 << 20), st.binary(max_size=6)), max_size=5)
    mutated = st.tuples(st.sampled_from(seeds), edits, st.integers(0, 1 << 20)).map(mutate)
    return st.one_of(mutated, st.binary(max_size=400))


def _only_data_or_import_failure(parse, data: bytes, **options: object) -> None:
    try:
        result = parse(data, name="fuzz", **options)
    except ImportFailure:
        return
    assert isinstance(result, ParsedImport)


_WHATSAPP_SEEDS = tuple(
    (header(FIRST) + "Alex: hi\nmore\n" + header(SECOND) + "Sam: <Media omitted>\n").encode()
    for header, _ in WHATSAPP_LAYOUTS.values()
)
_WHATSAPP_ZIP = _zip(
    {
        "_chat.txt": "[13/06/2020, 15:13:20] Sam: \u200e<attached: a.jpg>\n"
        "[13/06/2020, 15:14:00] Sam: hi\n".encode(),
        "a.jpg": b"\xff\xd8",
    }
)


@FUZZ
@given(
    _mutations(*_WHATSAPP_SEEDS, _WHATSAPP_ZIP)
    | st.text(alphabet="0123456789/.:-, []APMamp\u200e\u202f\nSam:klo").map(str.encode),
    st.sampled_from([None, "day-first", "month-first"]),
)
def test_fuzz_whatsapp(data, date_order):
    _only_data_or_import_failure(whatsapp.parse, data, date_order=date_order)


@FUZZ
@given(
    _mutations(
        json.dumps(_telegram_chat()).encode(),
        (CHAT_MINER / "telegram" / "test_batch_export.json").read_bytes(),
        _zip({"result.json": json.dumps(_telegram_chat()).encode()}),
    )
)
def test_fuzz_telegram(data):
    _only_data_or_import_failure(telegram.parse, data)


@FUZZ
@given(
    _mutations(
        _meta_thread(),
        (CHAT_MINER / "instagram" / "test_export.json").read_bytes(),
        _zip({"messages/inbox/a/message_1.json": _meta_thread()}),
    )
)
def test_fuzz_meta(data):
    _only_data_or_import_failure(meta.parse, data)


@FUZZ
@given(
    _mutations(
        _ytd("direct_messages", DMS),
        _ytd("direct_messages_group", GROUP_DMS),
        _zip(
            {
                "data/direct-messages.js": _ytd("direct_messages", DMS),
                "data/account.js": _ytd("account", ACCOUNT),
            }
        ),
    )
)
def test_fuzz_twitter(data):
    _only_data_or_import_failure(twitter.parse, data)


@FUZZ
@given(
    _mutations(
        _WHATSAPP_ZIP,
        _overlapping_zip(3),
        _zip(
            {"a/b.txt": b"hello" * 50, "c.bin": bytes(range(256))}, compression=zipfile.ZIP_STORED
        ),
    )
)
def test_fuzz_safezip(data):
    try:
        with SafeZip(data, name="fuzz.zip") as archive:
            for member in archive.names:
                archive.read_member(member)
    except ImportFailure:
        pass


@FUZZ
@given(st.text(max_size=40), st.binary(max_size=300))
def test_fuzz_detect_never_raises(name, head):
    assert detect_format(name, head) is None or isinstance(detect_format(name, head), str)


def test_the_fuzz_seeds_are_valid_files():
    for seed in _WHATSAPP_SEEDS:
        assert len(whatsapp.parse(seed, name="seed").messages) == 2
    assert whatsapp.parse(_WHATSAPP_ZIP, name="seed.zip").messages[0].attachments[0].member
