"""The SMS, e-mail, photo/video and CSV diary parsers: pure, no database.

Real third-party files come from ``tests/fixtures/third_party`` (beside the project):

- ``mail-parser/mail_*``: SpamScope/mail-parser ``tests/mails`` @01c177f (Apache-2.0), raw
  e-mails with attachments, odd encodings and one malformed message;
- ``exif-py/gps/*.jpg`` and ``exif-py/jpg/*.jpg``: ianare/exif-py ``tests/resources/jpg``
  @2adb9d1 (Wikimedia Commons / gaia-gis sample photos), JPEGs with GPS and DateTimeOriginal.

Everything else (SMS backups, DKIM-signed mail, mailboxes, photos with and without offsets,
MP4s, CSV diaries) is generated here, one variant of formats.md per test.
"""

from __future__ import annotations

import base64
import io
import struct
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from cairn.importers.base import ImportFailure, ParsedImport
from cairn.importers.parsers import diary, media, sms
from cairn.importers.parsers import email as email_parser

THIRD_PARTY = Path(__file__).resolve().parent / "fixtures" / "third_party"
MAIL = THIRD_PARTY / "mail-parser"
EXIF = THIRD_PARTY / "exif-py"
LONDON = ZoneInfo("Europe/London")

FUZZ = settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    """A real file with a few bytes changed and maybe cut short, or plain random bytes."""
    edits = st.lists(
        st.tuples(st.integers(0, max(len(seed) - 1, 0)), st.integers(0, 255)), max_size=6
    )

    def apply(args: tuple[list[tuple[int, int]], int]) -> bytes:
        changes, cut = args
        data = bytearray(seed)
        for position, value in changes:
            data[position] = value
        return bytes(data[:cut])

    mutated = st.tuples(edits, st.integers(0, len(seed))).map(apply)
    return st.one_of(mutated, st.binary(max_size=600))


# == SMS Backup & Restore ===================================================================


@pytest.fixture
def media_dir(tmp_path):
    folder = tmp_path / "mms-media"
    folder.mkdir()
    return folder


JPEG_BYTES = b"\xff\xd8\xff\xe0fake-jpeg-for-tests\xff\xd9"


def _element(tag: str, attributes: dict[str, str], *, close: bool = True) -> str:
    """One element on one line, as the app writes it; values are already XML-escaped."""
    pairs = " ".join(f'{key}="{value}"' for key, value in attributes.items())
    return f"<{tag} {pairs}{' /' if close else ''}>"


def _sms_backup(*, extra: str = "") -> bytes:
    sam = {"address": "+447700900123", "contact_name": "Sam"}
    common = {
        "protocol": "0",
        "subject": "null",
        "toa": "null",
        "sc_toa": "null",
        "service_center": "null",
        "read": "1",
        "status": "-1",
        "locked": "0",
    }
    received = _element(
        "sms",
        {
            **common,
            **sam,
            "date": "1709500000000",
            "type": "1",
            "body": "Why won't you answer me &#55357;&#56864;",
            "date_sent": "1709499990000",
            "readable_date": "3 Mar 2024 21:06:40",
        },
    )
    sent = _element(
        "sms",
        {
            **common,
            **sam,
            "date": "1709500100000",
            "type": "2",
            "body": "Please stop contacting me.",
            "date_sent": "0",
            "readable_date": "3 Mar 2024 21:08:20",
        },
    )
    mms = _element(
        "mms",
        {
            **sam,
            "date": "1709500200000",
            "msg_box": "1",
            "sub": "null",
            "ct_t": "application/vnd.wap.multipart.related",
            "rr": "null",
            "date_sent": "1709500190",
            "readable_date": "3 Mar 2024 21:10:00",
        },
        close=False,
    )
    smil = _element(
        "part",
        {
            "seq": "-1",
            "ct": "application/smil",
            "name": "null",
            "cl": "smil.xml",
            "text": "&lt;smil&gt;&lt;/smil&gt;",
        },
    )
    text = _element(
        "part",
        {
            "seq": "0",
            "ct": "text/plain",
            "name": "null",
            "chset": "106",
            "cl": "text_0.txt",
            "text": "Outside your house &#55357;&#56384;",
        },
    )
    photo = _element(
        "part",
        {
            "seq": "0",
            "ct": "image/jpeg",
            "fn": "null",
            "name": "../../../etc/IMG_0001.jpg",
            "cl": "IMG_0001.jpg",
            "data": base64.b64encode(JPEG_BYTES).decode(),
        },
    )
    group = _element(
        "mms",
        {
            "address": "+447700900123~+447700900456",
            "contact_name": "Sam, Jo",
            "date": "1709500300000",
            "msg_box": "2",
            "sub": "Stop",
            "date_sent": "0",
        },
        close=False,
    )
    group_text = _element(
        "part", {"seq": "0", "ct": "text/plain", "name": "null", "text": "Leave us alone"}
    )

    def addr(address: str, kind: str) -> str:
        return _element("addr", {"address": address, "type": kind, "charset": "106"})

    lines = [
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>",
        "<!--File Created By SMS Backup & Restore v10.20.002-->",
        '<smses count="4" backup_set="x" backup_date="1709500000000" type="full">',
        f"  {received}",
        f"  {sent}",
        f"  {mms}",
        "    <parts>",
        f"      {smil}",
        f"      {text}",
        f"      {photo}",
        "    </parts>",
        "    <addrs>",
        f"      {addr('+447700900123', '137')}",
        f"      {addr('insert-address-token', '151')}",
        "    </addrs>",
        "  </mms>",
        f"  {group}",
        f"    <parts>{group_text}</parts>",
        "    <addrs>",
        f"      {addr('insert-address-token', '137')}",
        f"      {addr('+447700900123', '151')}",
        f"      {addr('+447700900456', '151')}",
        "    </addrs>",
        f"  </mms>{extra}",
        "</smses>",
        "",
    ]
    return "\n".join(lines).encode()


def test_sms_backup_gives_received_and_sent_texts_with_their_times(media_dir):
    result = sms.parse(_sms_backup(), name="sms-20240303.xml", media_dir=media_dir)

    assert isinstance(result, ParsedImport)
    assert result.format == "sms" and result.source_name == "sms-20240303.xml"
    received, sent, _picture, _group = result.messages
    assert {m.channel for m in result.messages} == {"text_message"}

    assert received.sender.display_name == "Sam" and received.sender.phone == "+447700900123"
    assert not received.sender.is_owner
    assert received.received_at == datetime(2024, 3, 3, 21, 6, 40, tzinfo=UTC)
    assert received.sent_at == datetime(2024, 3, 3, 21, 6, 30, tzinfo=UTC)
    assert received.origin.entry == "sms[0]"

    assert sent.sender.is_owner and sent.text == "Please stop contacting me."
    assert sent.sent_at == datetime(2024, 3, 3, 21, 8, 20, tzinfo=UTC)
    assert sent.received_at is None
    assert sent.extra["to"] == "+447700900123" and sent.extra["status"] == "sent"


def test_mms_text_parts_become_the_text_and_media_parts_are_written_to_files(media_dir):
    result = sms.parse(_sms_backup(), name="backup.xml", media_dir=media_dir)
    picture, group = result.messages[2:]
    assert picture.origin.entry == "mms[0]"
    assert picture.text == "Outside your house \U0001f440"
    assert picture.sender.phone == "+447700900123" and not picture.sender.is_owner
    assert picture.sent_at == datetime(2024, 3, 3, 21, 9, 50, tzinfo=UTC)  # date_sent: seconds
    (attachment,) = picture.attachments
    assert attachment.name == "../../../etc/IMG_0001.jpg"  # as the backup names it
    assert attachment.media_type == "image/jpeg"
    # ...but the file written never climbs out of the caller's directory
    written = media_dir / attachment.extracted_to
    assert written.parent == media_dir and written.read_bytes() == JPEG_BYTES

    assert group.sender.is_owner and group.text == "Leave us alone"
    assert group.extra["to"] == "+447700900123, +447700900456"
    assert group.extra["subject"] == "Stop"


def test_mms_attachments_are_listed_but_not_decoded_without_a_media_directory():
    picture = sms.parse(_sms_backup(), name="backup.xml").messages[2]
    assert picture.attachments[0].extracted_to is None
    assert picture.attachments[0].missing is False


def test_invalid_emoji_references_are_repaired_rather_than_failing_the_file():
    """The app's "store emoji" option writes surrogate pairs as character references."""
    result = sms.parse(_sms_backup(), name="backup.xml")
    assert result.messages[0].text == "Why won't you answer me \U0001f620"
    assert any("2 emoji" in note for note in result.notes)


def test_lone_surrogates_and_control_characters_become_replacement_characters():
    backup = (
        b'<smses><sms address="1" date="1709500000000" type="1" '
        b'body="a&#55357;b&#1;c\x02d\xffe" /></smses>'
    )
    (message,) = sms.parse(backup, name="b.xml").messages
    assert message.text == "a\ufffdb\ufffdc\ufffdd\ufffde"


def test_byte_and_line_ranges_point_at_each_element_in_the_untouched_file():
    backup = _sms_backup().replace(b"Please stop", b"Please&#1;&#2; stop")  # shifts offsets
    result = sms.parse(backup, name="backup.xml")
    for message, tag in zip(result.messages, (b"<sms", b"<sms", b"<mms", b"<mms"), strict=True):
        origin = message.origin
        chunk = backup[origin.byte_start : origin.byte_end]
        assert chunk.startswith(tag)
        assert chunk.rstrip().endswith((b"/>", b"</mms>"))
        lines = backup.split(b"\n")[origin.line_start - 1 : origin.line_end]
        assert lines[0].lstrip().startswith(tag)


def test_reading_in_tiny_chunks_gives_the_same_result(monkeypatch):
    backup = _sms_backup()
    whole = sms.parse(backup, name="b.xml")
    for size in (1, 3, 7, 64):
        monkeypatch.setattr(sms, "CHUNK_SIZE", size)
        assert sms.parse(backup, name="b.xml") == whole


def test_a_backup_is_read_from_a_path_or_a_stream(tmp_path):
    path = tmp_path / "sms.xml"
    path.write_bytes(_sms_backup())
    from_path = sms.parse(path)
    with open(path, "rb") as stream:
        from_stream = sms.parse(stream)
    assert from_path.source_name == "sms.xml" and from_path == from_stream


def test_entity_expansion_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE smses [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<smses><sms address="1" date="1" type="1" body="&b;" /></smses>'
    )
    with pytest.raises(ImportFailure) as failure:
        sms.parse(bomb, name="bomb.xml")
    assert failure.value.where.startswith("bomb.xml, line 1")
    assert "refused" in failure.value.message


def test_external_entities_are_refused():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE smses [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<smses><sms address="1" date="1" type="1" body="&x;" /></smses>'
    )
    with pytest.raises(ImportFailure):
        sms.parse(xxe, name="x.xml")


def test_a_truncated_backup_fails_naming_the_line():
    backup = _sms_backup()
    with pytest.raises(ImportFailure) as failure:
        sms.parse(backup[: len(backup) // 2], name="cut.xml")
    assert failure.value.where.startswith("cut.xml, line ")
    assert "truncated" in failure.value.message


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (b'{"messages": []}', "not well-formed"),
        (b"<calls><call number='1' /></calls>", "not an SMS Backup"),
        (bytes(range(256)) * 4, "not well-formed"),
    ],
)
def test_wrong_kinds_of_file_fail_clearly(content, says):
    with pytest.raises(ImportFailure) as failure:
        sms.parse(content, name="bad.xml")
    assert failure.value.where.startswith("bad.xml")
    assert says in failure.value.message


def test_an_impossible_timestamp_names_the_entry_and_never_quotes_the_text():
    backup = _sms_backup(extra='\n  <sms address="1" date="soon" type="1" body="SECRET words" />')
    with pytest.raises(ImportFailure) as failure:
        sms.parse(backup, name="b.xml")
    assert failure.value.where.endswith("sms[2]")
    assert "SECRET" not in str(failure.value)


def test_damaged_base64_media_is_noted_and_the_rest_imported(media_dir):
    backup = _sms_backup().replace(base64.b64encode(JPEG_BYTES), b"abc")
    result = sms.parse(backup, name="b.xml", media_dir=media_dir)
    assert result.messages[2].attachments[0].extracted_to is None
    assert any("mms[0] part 2" in note for note in result.notes)
    assert list(media_dir.iterdir()) == []


@FUZZ
@given(_mutations(_sms_backup()))
def test_fuzzed_sms_backups_only_parse_or_fail_cleanly(data):
    try:
        assert isinstance(sms.parse(data, name="fuzz.xml"), ParsedImport)
    except ImportFailure as failure:
        assert failure.where.startswith("fuzz.xml")


# == E-mail =================================================================================


@pytest.mark.parametrize("path", sorted(MAIL.glob("mail_*")), ids=lambda p: p.name)
def test_every_real_mail_parser_sample_is_read(path):
    """SpamScope/mail-parser tests/mails @01c177f (Apache-2.0), including mail_malformed_1
    and the Outlook mail_outlook_1.msg."""
    result = email_parser.parse(path)
    (message,) = result.messages
    assert message.channel == "email"
    assert message.sender is not None and message.sender.email
    assert message.extra["dkim"] in ("pass", "fail", "not verified")
    assert message.origin.byte_start == 0 and message.origin.byte_end == path.stat().st_size


def test_a_real_message_gives_its_headers_received_chain_and_attachments():
    """mail_test_3 from SpamScope/mail-parser @01c177f: a spam with a text attachment."""
    (message,) = email_parser.parse(MAIL / "mail_test_3").messages
    assert message.sender.display_name == message.sender.email == "Oneil.844@randtelekom.com.tr"
    assert message.extra["from_name"] == "Ava Oneil" and "possible_spoof" not in message.extra
    assert message.sent_at == datetime(2016, 8, 22, 16, 56, 9, tzinfo=timezone(timedelta(hours=3)))
    assert message.extra["subject"] == "Hi there"
    assert message.extra["message_id"].startswith("<8AF5A2192C2A46BE")
    assert message.extra["received"].count("\n") >= 1
    assert message.received_at is not None and message.received_at >= message.sent_at
    assert [a.name for a in message.attachments] == ["message.txt"]


def test_the_malformed_sample_keeps_its_sender_and_time():
    """mail_malformed_1 from SpamScope/mail-parser @01c177f."""
    (message,) = email_parser.parse(MAIL / "mail_malformed_1").messages
    assert message.sender.email == "femucca@tin.it"
    assert message.sent_at == datetime(2016, 5, 24, 12, 9, 41, tzinfo=UTC)


def test_a_signature_without_an_archived_key_is_not_verified():
    """mail_test_5 from SpamScope/mail-parser @01c177f carries a DKIM-Signature (d=rmh2.net)."""
    (message,) = email_parser.parse(MAIL / "mail_test_5").messages
    assert message.extra["dkim"] == "not verified"
    assert "k._domainkey.rmh2.net" in message.extra["dkim_detail"]


def test_an_html_only_body_is_read_as_text():
    """mail_test_1 from SpamScope/mail-parser @01c177f: HTML body, Cyrillic, a zip attached."""
    (message,) = email_parser.parse(MAIL / "mail_test_1").messages
    assert message.extra["body_from"] == "text/html"
    assert "<br>" not in message.text and message.text.startswith("Налогоплательщик")
    assert [a.media_type for a in message.attachments] == ["application/octet-stream"]


@pytest.fixture(scope="module")
def dkim_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def _signed_message(private_key: bytes) -> bytes:
    message = (
        b"From: Sam Example <sam@example.org>\r\nTo: alex@example.net\r\n"
        b"Subject: I saw you\r\nDate: Sun, 3 Mar 2024 21:15:00 +0000\r\n"
        b"Message-ID: <20240303211500.1@example.org>\r\n"
        b"Received: from mx.example.org by mx.example.net; Sun, 3 Mar 2024 21:15:04 +0000"
        b"\r\nAuthentication-Results: mx.example.net; dkim=pass header.d=example.org\r\n"
        b"\r\nI know where you were tonight.\r\n"
    )
    signature = dkim.sign(
        message,
        b"mar2024",
        b"example.org",
        private_key,
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
    )
    return signature + message


def test_dkim_passes_against_the_archived_key(dkim_key):
    private, txt = dkim_key
    keys = {"mar2024._domainkey.example.org": txt}
    (message,) = email_parser.parse(_signed_message(private), name="m.eml", dkim_keys=keys).messages
    assert message.extra["dkim"] == "pass"
    assert message.extra["authentication_results"].startswith("mx.example.net; dkim=pass")
    assert message.received_at == datetime(2024, 3, 3, 21, 15, 4, tzinfo=UTC)


def test_dkim_fails_when_the_message_was_altered(dkim_key):
    private, txt = dkim_key
    tampered = _signed_message(private).replace(b"tonight", b"today")
    (message,) = email_parser.parse(
        tampered, name="m.eml", dkim_keys={"mar2024._domainkey.example.org.": txt}
    ).messages
    assert message.extra["dkim"] == "fail"


def test_dkim_is_not_verified_without_an_archived_key(dkim_key, monkeypatch):
    private, _ = dkim_key

    def no_network(*args, **kwargs):
        raise AssertionError("the parser must never look keys up in DNS")

    monkeypatch.setattr(dkim, "get_txt", no_network)
    (message,) = email_parser.parse(_signed_message(private), name="m.eml").messages
    assert message.extra["dkim"] == "not verified"


def _mbox() -> bytes:
    return (
        b"From sam@example.org Sun Mar  3 21:15:00 2024\n"
        b"From: Sam <sam@example.org>\nTo: alex@example.net\nSubject: one\n"
        b"Date: Sun, 3 Mar 2024 21:15:00 +0000\nMessage-ID: <1@example.org>\n\n"
        b"First.\n>From the start I knew.\n\n"
        b"From alex@example.net Sun Mar  3 21:20:00 2024\n"
        b"From: Alex <Alex@Example.net>\nTo: sam@example.org\nSubject: two\n"
        b"Date: Sun, 3 Mar 2024 21:20:00 +0000\n\nStop.\n\n"
        b"From sam@example.org Mon Mar  4 08:00:00 2024\n"
        b"From: Sam <sam@example.org>\nSubject: three\nDate: not a date at all\n"
        b"Content-Type: text/html; charset=utf-8\n\n"
        b"<html><style>p{}</style><p>Good <b>morning</b></p></html>\n"
    )


def test_an_mbox_gives_each_message_with_its_byte_and_line_range():
    data = _mbox()
    result = email_parser.parse(data, name="inbox.mbox", owner_addresses={"alex@example.net"})
    one, two, three = result.messages
    assert [m.extra["subject"] for m in result.messages] == ["one", "two", "three"]
    assert [m.origin.entry for m in result.messages] == ["message[0]", "message[1]", "message[2]"]
    for message in result.messages:
        chunk = data[message.origin.byte_start : message.origin.byte_end]
        assert chunk.startswith(b"From ")
        assert message.extra["subject"].encode() in chunk
    assert one.origin.line_start == 1 and two.origin.line_start == 11
    assert one.origin.byte_end == two.origin.byte_start
    assert three.origin.byte_end == len(data)
    assert "From the start" in one.text
    assert two.sender.is_owner and not one.sender.is_owner
    assert three.text == "Good morning"
    assert three.sent_at is None and three.extra["date_header"] == "not a date at all"
    assert any("message[2]" in note and "Date" in note for note in result.notes)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"From: a@b.c\x00\nSubject: x\n\nbody", "binary"),
        (b"just some words\nand more\n", "not an e-mail"),
        (b'{"From": "json"}', "not an e-mail"),
    ],
)
def test_files_that_are_not_e_mail_fail_clearly(content, says):
    with pytest.raises(ImportFailure) as failure:
        email_parser.parse(content, name="x.eml")
    assert failure.value.where == "x.eml" and says in failure.value.message


def test_a_bad_message_inside_an_mbox_is_named_by_its_entry():
    data = _mbox() + b"\nFrom x Mon Mar  4 09:00:00 2024\n\x00\x01binary\n"
    with pytest.raises(ImportFailure) as failure:
        email_parser.parse(data, name="inbox.mbox")
    assert failure.value.where == "inbox.mbox, message[3]"


@FUZZ
@given(_mutations((MAIL / "mail_test_3").read_bytes()) | _mutations(_mbox()))
def test_fuzzed_e_mail_only_parses_or_fails_cleanly(data):
    try:
        assert isinstance(email_parser.parse(data, name="fuzz.eml"), ParsedImport)
    except ImportFailure as failure:
        assert failure.where.startswith("fuzz.eml")


# == Photos and videos ======================================================================


def _jpeg(
    *, when: str | None = "2024:03:03 21:15:00", offset: str | None = None, gps: bool = False
) -> bytes:
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x010F] = "Cairn"
    exif[0x0110] = "TestCam 1"
    if when is not None:
        exif_ifd = exif.get_ifd(0x8769)
        exif_ifd[0x9003] = when
        if offset is not None:
            exif_ifd[0x9011] = offset
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd.update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 30.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


MP4_EPOCH = datetime(1904, 1, 1, tzinfo=UTC)


def _mp4(created: datetime | None, *, duration_ms: int = 12_500) -> bytes:
    """A minimal MP4 (ftyp + moov with mvhd and one video trak), built box by box."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    def full(kind: bytes, payload: bytes) -> bytes:
        return box(kind, b"\0\0\0\0" + payload)  # version 0, no flags

    seconds = int((created - MP4_EPOCH).total_seconds()) if created else 0
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = full(
        b"mvhd",
        struct.pack(">IIII", seconds, seconds, 1000, duration_ms)
        + struct.pack(">IH", 0x10000, 0x100)
        + b"\0" * 10
        + matrix
        + b"\0" * 24
        + struct.pack(">I", 2),
    )
    tkhd = full(
        b"tkhd",
        struct.pack(">IIIII", seconds, seconds, 1, 0, duration_ms)
        + b"\0" * 8
        + b"\0" * 8
        + matrix
        + struct.pack(">II", 320 << 16, 240 << 16),
    )
    mdhd = full(b"mdhd", struct.pack(">IIIIHH", seconds, seconds, 1000, duration_ms, 0x55C4, 0))
    hdlr = full(b"hdlr", b"\0\0\0\0vide" + b"\0" * 12 + b"VideoHandler\0")
    trak = box(b"trak", tkhd + box(b"mdia", mdhd + hdlr))
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    return ftyp + box(b"moov", mvhd + trak) + box(b"mdat", b"")


def test_real_photos_give_capture_time_place_and_camera():
    """exif-py gps/DSCN0010.jpg (ianare/exif-py @2adb9d1; gaia-gis sample): GPS, no offset."""
    (item,) = media.parse(EXIF / "gps" / "DSCN0010.jpg").media
    assert item.media_type == "image/jpeg"
    assert item.captured_at == datetime(2008, 10, 22, 16, 28, 39, tzinfo=LONDON)
    assert item.captured_at_offset_known is False
    assert item.latitude == pytest.approx(43.46745, abs=1e-4)
    assert item.longitude == pytest.approx(11.88513, abs=1e-4)
    assert item.camera == "NIKON COOLPIX P6000"


def test_a_folder_of_real_photos_is_walked_and_other_files_skipped():
    """exif-py gps/, jpg/ and heic/ (ianare/exif-py): camera photos beside README files."""
    result = media.parse(EXIF)
    names = {item.origin.member: item for item in result.media}
    assert set(names) == {
        "gps/DSCN0010.jpg",
        "gps/DSCN0012.jpg",
        "gps/DSCN0021.jpg",
        "jpg/Canon_40D.jpg",
        "jpg/Nikon_D70.jpg",
        "jpg/Sony_HDR-HC3.jpg",
        "heic/iphone_13_pro_max.heic",
        "heic/spring_1440x960.heic",
    }
    assert names["jpg/Canon_40D.jpg"].camera == "Canon EOS 40D"
    assert names["jpg/Canon_40D.jpg"].captured_at == datetime(2008, 5, 30, 15, 56, 1, tzinfo=LONDON)
    assert result.assumed_time_zone == "Europe/London"
    assert any("not photos or videos were skipped" in n for n in result.notes)


def test_a_photo_with_an_offset_is_exact_and_its_gps_is_signed():
    (item,) = media.parse(_jpeg(offset="+01:00", gps=True), name="IMG_1.jpg").media
    assert item.captured_at == datetime(2024, 3, 3, 20, 15, tzinfo=UTC)
    assert item.captured_at_offset_known is True
    assert (item.latitude, item.longitude) == (51.5, -0.125)
    assert item.camera == "Cairn TestCam 1"


def test_a_photo_without_an_offset_is_read_in_the_given_zone():
    result = media.parse(_jpeg(when="2024:07:01 09:00:00"), name="a.jpg", tz="Europe/Paris")
    (item,) = result.media
    assert item.captured_at == datetime(2024, 7, 1, 7, 0, tzinfo=UTC)
    assert item.captured_at_offset_known is False and item.latitude is None
    assert result.assumed_time_zone == "Europe/Paris"


def test_a_photo_without_a_capture_time_stays_unknown_never_the_file_time(tmp_path):
    path = tmp_path / "no-exif.jpg"
    path.write_bytes(_jpeg(when=None))
    result = media.parse(path)
    (item,) = result.media
    assert item.captured_at is None and item.captured_at_offset_known is False
    assert any("no capture time" in note for note in result.notes)


def test_an_impossible_exif_date_is_unknown():
    (item,) = media.parse(_jpeg(when="2024:02:31 10:00:00"), name="a.jpg").media
    assert item.captured_at is None


def test_a_video_gives_its_creation_time_and_duration(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(_mp4(datetime(2024, 3, 3, 21, 15, 30, tzinfo=UTC)))
    (item,) = media.parse(path).media
    assert item.media_type == "video/mp4"
    assert item.captured_at == datetime(2024, 3, 3, 21, 15, 30, tzinfo=UTC)
    assert item.captured_at_offset_known is True
    assert item.duration_seconds == pytest.approx(12.5)


def test_a_video_with_a_zero_creation_time_has_an_unknown_capture_time():
    (item,) = media.parse(_mp4(None), name="clip.mp4").media
    assert item.captured_at is None and item.duration_seconds == pytest.approx(12.5)


def test_a_zip_of_photos_and_videos_names_each_member():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("Camera/IMG_0001.jpg", _jpeg(offset="+00:00"))
        archive.writestr("Camera/VID_0002.mp4", _mp4(datetime(2024, 3, 4, tzinfo=UTC)))
        archive.writestr("notes.txt", "not media")
    result = media.parse(out.getvalue(), name="phone.zip")
    assert [(i.origin.member, i.name) for i in result.media] == [
        ("Camera/IMG_0001.jpg", "IMG_0001.jpg"),
        ("Camera/VID_0002.mp4", "VID_0002.mp4"),
    ]


def test_a_zip_with_a_path_traversal_name_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("../../evil.jpg", _jpeg())
    with pytest.raises(ImportFailure) as failure:
        media.parse(out.getvalue(), name="photos.zip")
    assert failure.value.where.startswith("photos.zip")


def test_a_zip_bomb_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.jpg", b"\0" * (50 * 1024 * 1024))
    with pytest.raises(ImportFailure) as failure:
        media.parse(out.getvalue(), name="photos.zip")
    assert "zip bomb" in failure.value.message


@pytest.mark.parametrize("content", [b"", b"hello", b"PK\x03\x04broken zip"])
def test_input_with_no_photos_or_videos_fails_clearly(content):
    with pytest.raises(ImportFailure) as failure:
        media.parse(content, name="stuff")
    assert failure.value.where == "stuff"


def test_a_damaged_photo_is_kept_with_unknown_metadata():
    photo = _jpeg(offset="+01:00")
    damaged = photo[:30] + b"\xff" * 40 + photo[70:]
    result = media.parse(damaged, name="a.jpg")
    (item,) = result.media
    assert item.media_type == "image/jpeg"


@FUZZ
@given(
    _mutations(_jpeg(offset="+01:00", gps=True))
    | _mutations(_mp4(datetime(2024, 1, 1, tzinfo=UTC)))
)
def test_fuzzed_photos_and_videos_only_parse_or_fail_cleanly(data):
    try:
        result = media.parse(data, name="fuzz.bin")
    except ImportFailure as failure:
        assert failure.where.startswith("fuzz.bin")
    else:
        assert isinstance(result, ParsedImport)
        for item in result.media:
            assert item.captured_at is None or item.captured_at.tzinfo is not None


# == CSV diary ==============================================================================

DIARY = (
    "Date,Time,Where,What happened,Witness(es),How it made me feel,Crime ref\n"
    '03/03/2024,21:15,Outside work,"He was waiting, again",Jo,Scared,CR/123/24\n'
    "4th March 2024,about 9pm,Home,Flowers on the step,,Sick,\n"
    '2024-03-05,overnight,Home,"Calls all night\nfrom a withheld number",,,\n'
    ",,,,,,\n"
    "6 Mar 24,,Bus stop,Followed me,A stranger,,\n"
)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_inspect_detects_the_delimiter_and_suggests_a_mapping(delimiter):
    rows = [
        ["Date", "Time", "Location", "Description", "Witnesses", "Impact", "Police reference"],
        ["01/02/2024", "10:00", "Park", "Shouted", "", "", ""],
    ]
    data = "\n".join(delimiter.join(r) for r in rows).encode()
    preview = diary.inspect(data, name="diary.csv")
    assert preview.delimiter == delimiter
    assert preview.suggested_mapping == {
        "date": 0,
        "time": 1,
        "place": 2,
        "what_happened": 3,
        "witnesses": 4,
        "impact": 5,
        "police_reference": 6,
    }
    assert preview.row_count == 1


def test_headers_are_matched_whatever_their_case_spacing_and_wording():
    header = (
        "  DATE of incident ",
        "approx. time",
        "WHERE",
        "What  happened?",
        "Who saw",
        "How did it make you feel",
        "Crime Number",
    )
    assert diary.suggest_mapping(header) == {
        "date": 0,
        "time": 1,
        "place": 2,
        "what_happened": 3,
        "witnesses": 4,
        "impact": 5,
        "police_reference": 6,
    }


def test_unknown_headers_get_no_suggestion():
    preview = diary.inspect(b"Colour;Shape\nred;round\n", name="d.csv")
    assert preview.suggested_mapping == {}


def test_a_windows_1252_diary_as_excel_saves_it_is_decoded():
    words = "He said \u201cI\u2019ll find you\u201d \u2013 caf\u00e9"
    data = f"Date,What happened\n13/02/2024,{words}\n".encode("cp1252")
    preview = diary.inspect(data, name="d.csv")
    assert preview.encoding == "windows-1252"
    (row,) = diary.parse(data, name="d.csv", mapping=preview.suggested_mapping).diary
    assert row.description == words


def test_a_utf8_bom_and_utf16_are_read():
    text = "Date\tWhat happened\n01/02/2024\tStood outside\n"
    for data in (b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16")):
        preview = diary.inspect(data, name="d.csv")
        assert preview.header == ("Date", "What happened")


def test_diary_rows_are_read_with_uk_dates_times_and_precision():
    data = DIARY.encode()
    preview = diary.inspect(data, name="diary.csv")
    result = diary.parse(data, name="diary.csv", mapping=preview.suggested_mapping)
    first, second, third, fourth = result.diary
    assert first.start == datetime(2024, 3, 3, 21, 15, tzinfo=UTC) and first.precision == "exact"
    assert first.description == "He was waiting, again" and first.police_reference == "CR/123/24"
    assert first.when_words == "03/03/2024 21:15" and first.origin.line_start == 2
    assert second.start == datetime(2024, 3, 4, 21, 0, tzinfo=UTC) and second.precision == "hour"
    assert third.precision == "overnight"
    assert (third.start, third.end) == (
        datetime(2024, 3, 5, 18, 0, tzinfo=UTC),
        datetime(2024, 3, 6, 9, 0, tzinfo=UTC),
    )
    assert (third.origin.line_start, third.origin.line_end) == (4, 5)
    assert fourth.start == datetime(2024, 3, 6, tzinfo=UTC) and fourth.precision == "day"
    assert fourth.origin.line_start == 7 and fourth.witnesses == "A stranger"
    assert result.assumed_time_zone == "Europe/London"


def test_summer_times_are_read_in_british_summer_time():
    data = b"Date,Time,What happened\n13/07/2024,14:30,Rang the doorbell\n"
    (row,) = diary.parse(
        data, name="d.csv", mapping={"date": 0, "time": 1, "what_happened": 2}
    ).diary
    assert row.start == datetime(2024, 7, 13, 13, 30, tzinfo=UTC)


def test_month_first_dates_when_asked():
    data = b"Date,What happened\n03/04/2024,x\n"
    mapping = {"date": 0, "what_happened": 1}
    (row,) = diary.parse(data, name="d.csv", mapping=mapping, date_order="month-first").diary
    assert row.start.date().isoformat() == "2024-03-04"


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("31/02/2024", "not a real date"),
        ("2024-13-01", "not a real date"),
        ("29 February 2023", "not a real date"),
        ("next tuesday", "not in a recognised form"),
        ("3 Smarch 2024", "month name"),
    ],
)
def test_an_impossible_or_unreadable_date_names_the_line_and_column(cell, says):
    data = f"When it was,What happened\n01/01/2024,fine\n{cell},SECRET text\n".encode()
    with pytest.raises(ImportFailure) as failure:
        diary.parse(data, name="d.csv", mapping={"date": 0, "what_happened": 1})
    assert failure.value.where == "d.csv, line 3, column 'When it was'"
    assert says in failure.value.message and "SECRET" not in str(failure.value)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary\x00\x00\x05\x06" * 20, "binary"),
        (b"\xef\xbb\xbfDate\n\xff\xfe\xfa", "not valid UTF-8"),
    ],
)
def test_files_that_are_not_a_diary_fail_clearly(content, says):
    with pytest.raises(ImportFailure) as failure:
        diary.inspect(content, name="d.csv")
    assert failure.value.where == "d.csv" and says in failure.value.message


def test_a_mapping_must_name_the_date_and_what_happened_columns_that_exist():
    with pytest.raises(ImportFailure, match="what_happened"):
        diary.parse(DIARY.encode(), name="d.csv", mapping={"date": 0})
    with pytest.raises(ImportFailure, match="not in the file"):
        diary.parse(DIARY.encode(), name="d.csv", mapping={"date": 0, "what_happened": 40})


@FUZZ
@given(
    st.text(
        alphabet=st.sampled_from(list('0123456789/:-., ;\t|\n"abcmpMarchDte')), max_size=300
    ).map(str.encode)
    | _mutations(DIARY.encode())
)
def test_fuzzed_diaries_only_preview_parse_or_fail_cleanly(data):
    try:
        preview = diary.inspect(data, name="fuzz.csv")
        assert isinstance(preview, diary.DiaryPreview)
        mapping = {"date": 0, "what_happened": min(1, len(preview.header) - 1), "time": 0}
        assert isinstance(diary.parse(data, name="fuzz.csv", mapping=mapping), ParsedImport)
    except ImportFailure as failure:
        assert failure.where.startswith("fuzz.csv")


# == Format detection =======================================================================


def test_these_formats_are_recognised_from_their_first_bytes():
    """mail_test_8 from SpamScope/mail-parser @01c177f; Canon_40D.jpg from exif-py @2adb9d1."""
    from cairn.importers.detect import detect_format, detect_zip_format

    assert detect_format("sms-20240303.xml", _sms_backup()[:8192]) == "sms"
    assert detect_format("mail_test_8", (MAIL / "mail_test_8").read_bytes()[:8192]) == "email"
    assert detect_format("inbox", _mbox()[:8192]) == "email"
    assert detect_format("photo", (EXIF / "jpg" / "Canon_40D.jpg").read_bytes()[:8192]) == "media"
    assert detect_format("clip", _mp4(datetime(2024, 1, 1, tzinfo=UTC))) == "media"
    assert detect_format("diary.csv", DIARY.encode()) == "csv"
    assert detect_zip_format("phone.zip", ["DCIM/IMG_1.JPG", "DCIM/VID_2.mp4"]) == "media"
