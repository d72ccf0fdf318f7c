"""Redacted copies of exhibits (issue 6, point 3): what the copy holds and leaves out, what is
refused, how the ledger, verification and snapshots see copies, and the pages and command.

The photos with GPS in EXIF come from ianare/exif-py (``tests/resources/jpg``, commit 2adb9d1;
see tests/fixtures/third_party/SOURCES.md): ``gps/DSCN0010.jpg`` (Wikimedia Commons sample, GPS and
XMP) and ``jpg/Canon_40D.jpg`` (with an ICC profile).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from PIL import ExifTags, Image, ImageChops, ImageOps
from PIL.PngImagePlugin import PngInfo

from cairn.audit.models import AuditRecord
from cairn.cli.main import cli
from cairn.integrity.verify import verify_vault
from cairn.ledger import log
from cairn.ledger.models import LedgerEntry
from cairn.packs.selection import Selection, resolve
from cairn.store.blobs import default_store
from cairn.vault import access, redaction, redaction_services, services
from cairn.vault.choices import ExhibitSource
from cairn.vault.redaction import Rectangle, hide_spans, spans_for
from cairn.vault.snapshot_loader import take_snapshot
from tests.factories import make_incident

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "third_party" / "exif-py"
GPS_PHOTO = FIXTURES / "gps" / "DSCN0010.jpg"
ICC_PHOTO = FIXTURES / "jpg" / "Canon_40D.jpg"
PLACE = "Mill Lane"

CHAT = (
    "[01/07/2025, 21:04] Chris Example: I know you're at 14 Mill Lane\n"
    "[01/07/2025, 21:05] Chris Example: call me on 07700 900123 🙂\n"
    "[01/07/2025, 21:07] Me: Stop contacting me\n"
)


# --- files --------------------------------------------------------------------------------


def picture(width: int = 64, height: int = 48) -> Image.Image:
    """A picture whose pixels all differ from black and from each other's neighbours."""
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.linear_gradient("L").rotate(90).resize((width, height))
    blue = Image.new("L", (width, height), 128)
    return Image.merge("RGB", (red, green, blue))


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    return exif


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def stored(exhibit) -> bytes:
    return default_store().read(str(exhibit.vault_id), exhibit.sha256)


def keep(vault, data: bytes, name: str, **extra):
    return services.add_exhibit(
        actor=vault.owner, vault=vault, stream=io.BytesIO(data), original_name=name, **extra
    )


def footprint(vault, settings) -> tuple[int, int, int, int]:
    """Everything a refused redaction must leave as it was."""
    root = Path(settings.CAIRN_EVIDENCE_DIR)
    files = sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0
    return (
        access.exhibits_readable_by(vault.owner, vault).count(),
        LedgerEntry.objects.filter(vault=vault).count(),
        AuditRecord.objects.filter(vault_id=vault.pk).count(),
        files,
    )


@pytest.fixture
def incident(vault):
    return make_incident(vault)


@pytest.fixture
def png_exhibit(vault, incident):
    return keep(vault, encode(picture(), "PNG"), "gate.png", incident=incident)


@pytest.fixture
def chat_exhibit(vault, incident):
    return keep(vault, CHAT.encode(), "WhatsApp Chat with Chris.txt", incident=incident)


# --- pictures -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_png_copy_is_black_in_the_areas_and_unchanged_elsewhere(vault, owner, png_exhibit):
    areas = [Rectangle(4, 5, 10, 8), Rectangle(30, 20, 34, 28)]
    copy = redaction_services.redact_image(actor=owner, exhibit=png_exhibit, rectangles=areas)

    original, redacted = decoded(stored(png_exhibit)), decoded(stored(copy))
    assert redacted.size == original.size and redacted.mode == original.mode
    expected = original.copy()
    for area in areas:
        expected.paste((0, 0, 0), area.box)
    assert ImageChops.difference(expected, redacted).getbbox() is None
    for area in areas:
        assert redacted.crop(area.box).getextrema() == ((0, 0), (0, 0), (0, 0))
    assert copy.media_type == "image/png"
    assert copy.reference == "AB/2" and copy.derived_from == png_exhibit
    assert copy.incident == png_exhibit.incident
    assert copy.source == ExhibitSource.REDACTED
    assert copy.description == "Redacted copy of AB/1: 2 areas covered"
    assert copy.original_name == "AB-1-redacted.png"
    assert copy.derivation["rectangles"] == [a.as_dict() for a in areas]


@pytest.mark.django_db
def test_a_jpeg_copy_is_black_in_the_areas_and_otherwise_only_recompressed(vault, owner):
    photo = keep(vault, GPS_PHOTO.read_bytes(), "DSCN0010.jpg")
    area = Rectangle(96, 64, 160, 128)  # whole 16-pixel blocks, so no edge blurs into it
    copy = redaction_services.redact_image(actor=owner, exhibit=photo, rectangles=[area])

    original = decoded(stored(photo)).convert("RGB")
    redacted = decoded(stored(copy)).convert("RGB")
    assert redacted.size == original.size
    # Black throughout; only the outermost pixels pick up a little colour from the
    # neighbouring blocks when the decoder smooths the chroma.
    inside = (area.x + 1, area.y + 1, area.x + area.width - 1, area.y + area.height - 1)
    assert redacted.crop(inside).getextrema() == ((0, 0), (0, 0), (0, 0))
    assert max(high for _, high in redacted.crop(area.box).getextrema()) <= 16
    # Elsewhere only re-compression noise: the original's quantisation tables are reused.
    outside = Rectangle(320, 240, 300, 220).box
    difference = ImageChops.difference(original.crop(outside), redacted.crop(outside))
    histogram = difference.convert("L").histogram()
    mean = sum(value * count for value, count in enumerate(histogram)) / sum(histogram)
    assert mean < 2
    assert decoded(stored(copy)).quantization == decoded(stored(photo)).quantization


@pytest.mark.django_db
def test_the_copy_of_a_real_photo_carries_no_gps_xmp_or_exif(vault, owner):
    photo = keep(vault, GPS_PHOTO.read_bytes(), "DSCN0010.jpg")
    assert decoded(stored(photo)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it had them

    copy = redaction_services.redact_image(actor=owner, exhibit=photo, rectangles=[(0, 0, 10, 10)])

    data = stored(copy)
    image = decoded(data)
    assert len(image.getexif()) == 0
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "xmp", "comment"} & set(image.info)
    assert b"Exif\x00\x00" not in data and b"http://ns.adobe.com/xap" not in data


@pytest.mark.django_db
def test_a_photo_keeps_its_colour_profile_and_nothing_else(vault, owner):
    photo = keep(vault, ICC_PHOTO.read_bytes(), "Canon_40D.jpg")
    copy = redaction_services.redact_image(actor=owner, exhibit=photo, rectangles=[(0, 0, 5, 5)])
    image = decoded(stored(copy))
    assert image.info["icc_profile"] == decoded(stored(photo)).info["icc_profile"]
    assert len(image.getexif()) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fmt, params, media_type",
    [
        (
            "JPEG",
            {"xmp": f"<x:xmpmeta>{PLACE}</x:xmpmeta>".encode(), "comment": PLACE.encode()},
            "image/jpeg",
        ),
        ("PNG", {}, "image/png"),
        (
            "WEBP",
            {"lossless": True, "xmp": f"<x:xmpmeta>{PLACE}</x:xmpmeta>".encode()},
            "image/webp",
        ),
    ],
)
def test_every_format_loses_its_gps_text_and_xmp(vault, owner, fmt, params, media_type):
    if fmt == "PNG":
        text = PngInfo()
        text.add_text("Comment", PLACE)
        text.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{PLACE}</x:xmpmeta>")
        params = {"pnginfo": text}
    data = encode(picture(), fmt, exif=gps_exif(), **params)
    assert PLACE.encode() in data
    original = keep(vault, data, f"photo.{fmt.lower()}")

    copy = redaction_services.redact_image(actor=owner, exhibit=original, rectangles=[(0, 0, 8, 8)])

    copied = stored(copy)
    assert copy.media_type == media_type
    assert PLACE.encode() not in copied and b"PhoneMaker" not in copied
    image = decoded(copied)
    assert image.format == fmt and len(image.getexif()) == 0
    assert not getattr(image, "text", {})


@pytest.mark.django_db
def test_lossless_webp_stays_lossless_and_exact(vault, owner):
    original = keep(vault, encode(picture(), "WEBP", lossless=True), "photo.webp")
    copy = redaction_services.redact_image(actor=owner, exhibit=original, rectangles=[(0, 0, 8, 8)])
    expected = decoded(stored(original)).convert("RGB")
    expected.paste((0, 0, 0), (0, 0, 8, 8))
    assert ImageChops.difference(expected, decoded(stored(copy)).convert("RGB")).getbbox() is None


@pytest.mark.django_db
def test_areas_are_measured_on_the_upright_picture(vault, owner):
    """A phone photo stored sideways with EXIF orientation 6 (turn 90° clockwise to view):
    the copy is stored upright, without the orientation tag, and the area covers what the
    person saw at the top of the picture."""
    sideways = picture(64, 48)
    original = keep(vault, encode(sideways, "PNG", exif=gps_exif(orientation=6)), "side.png")
    upright = ImageOps.exif_transpose(decoded(stored(original))).convert("RGB")
    assert upright.size == (48, 64)
    assert redaction.upright_size(stored(original), "image/png") == (48, 64)

    copy = redaction_services.redact_image(
        actor=owner, exhibit=original, rectangles=[(0, 0, 48, 10)]
    )

    redacted = decoded(stored(copy))
    assert redacted.size == (48, 64) and len(redacted.getexif()) == 0
    expected = upright.copy()
    expected.paste((0, 0, 0), (0, 0, 48, 10))
    assert ImageChops.difference(expected, redacted.convert("RGB")).getbbox() is None
    assert "EXIF orientation 6 applied" in copy.derivation["coordinates"]
    # An area that fits the sideways picture but not the upright one is refused.
    with pytest.raises(ValidationError) as refused:
        redaction_services.redact_image(actor=owner, exhibit=original, rectangles=[(0, 0, 60, 10)])
    assert "48 by 64 pixels" in refused.value.message_dict["rectangles"][0]


@pytest.mark.django_db
def test_a_jpeg_taken_sideways_is_covered_upright(vault, owner):
    original = keep(
        vault, encode(picture(64, 48), "JPEG", exif=gps_exif(orientation=6), quality=95), "side.jpg"
    )
    copy = redaction_services.redact_image(
        actor=owner, exhibit=original, rectangles=[(0, 0, 48, 16)]
    )
    redacted = decoded(stored(copy)).convert("L")
    assert redacted.size == (48, 64)
    assert redacted.crop((0, 0, 48, 15)).getextrema() == (0, 0)
    assert redacted.crop((0, 0, 48, 16)).getextrema()[1] <= 16
    assert redacted.crop((0, 24, 48, 64)).getextrema()[0] > 8


# --- texts --------------------------------------------------------------------------------


def test_hidden_characters_become_blocks_and_everything_else_stays_in_place():
    text = "line one\nsecret across\nlines 🙂 end\n"
    start, end = text.index("secret"), text.index("🙂") + 1
    hidden, derivation = hide_spans(text, [(start, end)])

    assert len(hidden) == len(text)
    assert hidden.splitlines()[0] == "line one"
    assert hidden.count("\n") == text.count("\n")
    assert hidden[start:end] == "\u2588" * 13 + "\n" + "\u2588" * 7
    assert hidden[end:] == text[end:] and hidden[:start] == text[:start]
    assert derivation == {
        "method": "text-spans",
        "spans": [{"start": start, "end": end}],
        "coordinates": derivation["coordinates"],
        "summary": "1 passage hidden",
    }


def test_phrases_are_found_ignoring_case_everywhere_and_joined_where_they_overlap():
    text = "Chris Example wrote. CHRIS example again; chris\nexample on two lines. Chris."
    assert spans_for(text, ["chris example"]) == [(0, 13), (21, 34), (42, 55)]
    assert spans_for(text, ["Chris", "chris example"]) == [(0, 13), (21, 34), (42, 55), (70, 75)]
    assert spans_for("aaaa", ["aa"]) == [(0, 4)]
    assert spans_for(text, ["", "   ", "nobody"]) == []
    hidden, _ = hide_spans(text, spans_for(text, ["chris"]))
    assert "chris" not in hidden.lower() and len(hidden) == len(text)


@pytest.mark.django_db
def test_a_text_copy_hides_the_phrases_and_keeps_offsets_and_lines(vault, owner, chat_exhibit):
    text = redaction_services.exhibit_text(chat_exhibit)
    spans = spans_for(text, ["Chris Example", "mill lane", "07700 900123"])
    copy = redaction_services.redact_text(actor=owner, exhibit=chat_exhibit, spans=spans)

    hidden = stored(copy).decode("utf-8")
    assert "Chris" not in hidden and "Mill" not in hidden and "07700" not in hidden
    assert len(hidden) == len(CHAT)
    assert [len(line) for line in hidden.splitlines()] == [len(line) for line in CHAT.splitlines()]
    assert hidden.splitlines()[2] == CHAT.splitlines()[2]  # nothing hidden there
    assert "🙂" in hidden
    assert copy.media_type == chat_exhibit.media_type == "text/plain"
    assert copy.original_name == "AB-1-redacted.txt"
    assert copy.description == "Redacted copy of AB/1: 4 passages hidden"
    assert copy.derivation["spans"] == [{"start": s, "end": e} for s, e in spans]


@pytest.mark.django_db
def test_an_email_copy_stays_an_email(vault, owner):
    message = (
        "From: Chris Example <chris@example.com>\r\nTo: me@example.org\r\n"
        "Subject: hello\r\n\r\nI saw you on Mill Lane.\r\n"
    )
    email = keep(vault, message.encode(), "message.eml")
    assert email.media_type == "message/rfc822"
    text = redaction_services.exhibit_text(email)
    copy = redaction_services.redact_text(
        actor=owner, exhibit=email, spans=spans_for(text, ["chris example", "chris@example.com"])
    )
    assert copy.media_type == "message/rfc822" and copy.original_name == "AB-1-redacted.eml"
    assert stored(copy).count(b"\r\n") == message.encode().count(b"\r\n")


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rectangles, fragment",
    [
        ([], "at least one area"),
        ([(0, 0, 65, 10)], "goes outside the picture, which is 64 by 48 pixels"),
        ([(10, 40, 5, 9)], "Area 1 goes outside"),
        ([(0, 0, 4, 4), (-1, 0, 4, 4)], "Area 2 goes outside"),
        ([(0, 0, 0, 4)], "at least 1 pixel"),
        ([(0, 0, 4)], "four whole numbers"),
        ([(0, 0, 4.5, 4)], "four whole numbers"),
        ([(0, 0, True, 4)], "four whole numbers"),
    ],
)
def test_bad_areas_are_refused_and_nothing_is_stored(
    vault, owner, png_exhibit, settings, rectangles, fragment
):
    before = footprint(vault, settings)
    with pytest.raises(ValidationError) as refused:
        redaction_services.redact_image(actor=owner, exhibit=png_exhibit, rectangles=rectangles)
    assert fragment in refused.value.message_dict["rectangles"][0]
    assert footprint(vault, settings) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spans, fragment",
    [
        ([], "at least one passage"),
        ([(5, 5)], "is not within the text"),
        ([(0, len(CHAT) + 1)], f"which has {len(CHAT)} characters"),
        ([(-1, 3)], "is not within the text"),
        ([(0, 10), (9, 12)], "Passages overlap at character 9"),
        ([(0,)], "a start and an end"),
    ],
)
def test_bad_spans_are_refused_and_nothing_is_stored(
    vault, owner, chat_exhibit, settings, spans, fragment
):
    before = footprint(vault, settings)
    with pytest.raises(ValidationError) as refused:
        redaction_services.redact_text(actor=owner, exhibit=chat_exhibit, spans=spans)
    assert fragment in refused.value.message_dict["spans"][0]
    assert footprint(vault, settings) == before


@pytest.mark.django_db
def test_files_of_other_kinds_are_refused_with_a_clear_message(
    vault, owner, png_exhibit, chat_exhibit, settings
):
    pdf = keep(
        vault, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "letter.pdf"
    )
    gif = keep(vault, encode(picture(), "GIF"), "anim.gif")
    before = footprint(vault, settings)
    cases = [
        (
            lambda: redaction_services.redact_image(
                actor=owner, exhibit=pdf, rectangles=[(0, 0, 1, 1)]
            ),
            "AB/3 is a PDF document: redacted copies can be made of JPEG, PNG and WebP pictures "
            "and of text files",
        ),
        (
            lambda: redaction_services.redact_text(actor=owner, exhibit=gif, spans=[(0, 1)]),
            "AB/4 is a picture: redacted copies can be made of",
        ),
        (
            lambda: redaction_services.redact_text(
                actor=owner, exhibit=png_exhibit, spans=[(0, 1)]
            ),
            "AB/1 is a PNG image, not a text file",
        ),
        (
            lambda: redaction_services.redact_image(
                actor=owner, exhibit=chat_exhibit, rectangles=[(0, 0, 1, 1)]
            ),
            "AB/2 is plain text, not a JPEG, PNG or WebP picture",
        ),
    ]
    for attempt, message in cases:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.message_dict["exhibit"][0].startswith(message)
    assert footprint(vault, settings) == before


@pytest.mark.django_db
def test_text_that_is_not_utf8_is_refused(vault, owner, settings):
    latin1 = keep(vault, ("ok " * 3000 + "café").encode("latin-1"), "notes.txt")
    with pytest.raises(ValidationError) as refused:
        redaction_services.redact_text(actor=owner, exhibit=latin1, spans=[(0, 2)])
    assert "not UTF-8 text" in refused.value.message_dict["exhibit"][0]


@pytest.mark.django_db
def test_an_animated_picture_is_refused(vault, owner):
    frames = [picture(), picture().rotate(180)]
    animated = keep(
        vault, encode(frames[0], "WEBP", save_all=True, append_images=frames[1:]), "anim.webp"
    )
    assert animated.media_type == "image/webp"
    with pytest.raises(ValidationError) as refused:
        redaction_services.redact_image(actor=owner, exhibit=animated, rectangles=[(0, 0, 1, 1)])
    assert "several frames" in refused.value.message_dict["exhibit"][0]


@pytest.mark.django_db
def test_only_the_owner_can_make_a_copy(
    vault, colleague, outsider, png_exhibit, chat_exhibit, settings
):
    before = footprint(vault, settings)
    for user in (colleague, outsider, None):
        with pytest.raises(PermissionDenied):
            redaction_services.redact_image(
                actor=user, exhibit=png_exhibit, rectangles=[(0, 0, 1, 1)]
            )
        with pytest.raises(PermissionDenied):
            redaction_services.redact_text(actor=user, exhibit=chat_exhibit, spans=[(0, 1)])
    assert footprint(vault, settings) == before


# --- the ledger, verification and snapshots -----------------------------------------------


def entries(vault) -> list[dict]:
    return [
        json.loads(bytes(entry.entry))
        for entry in LedgerEntry.objects.filter(vault=vault).order_by("seq")
    ]


@pytest.mark.django_db
def test_an_exhibit_that_is_not_a_copy_hashes_exactly_as_before(vault, png_exhibit):
    """Existing ledgers recorded these twelve keys; adding the derivation must not change
    them, or every vault made before copies existed would fail verification."""
    e = png_exhibit
    before_copies = {
        "id": str(e.pk),
        "vault": str(e.vault_id),
        "reference": "AB/1",
        "incident": str(e.incident_id),
        "original_name": "gate.png",
        "media_type": "image/png",
        "size": e.size,
        "sha256": e.sha256,
        "source": "upload",
        "description": "",
        "captured_at": None,
        "received_at": None,
    }
    assert services.exhibit_content(e) == before_copies
    added = [body for body in entries(vault) if body["kind"] == "exhibit.added"]
    assert added[0]["content_sha256"] == log.content_hash(before_copies)
    assert verify_vault(vault).ok


@pytest.mark.django_db
def test_a_copy_is_in_the_ledger_with_its_original_and_verifies(
    vault, owner, png_exhibit, chat_exhibit
):
    picture_copy = redaction_services.redact_image(
        actor=owner, exhibit=png_exhibit, rectangles=[(1, 1, 5, 5)]
    )
    text_copy = redaction_services.redact_text(actor=owner, exhibit=chat_exhibit, spans=[(0, 4)])

    content = services.exhibit_content(picture_copy)
    assert content["derived_from"] == {"id": str(png_exhibit.pk), "sha256": png_exhibit.sha256}
    assert content["derivation"]["method"] == "image-rectangles"
    assert content["derivation"]["rectangles"] == [{"x": 1, "y": 1, "width": 5, "height": 5}]
    recorded = [body for body in entries(vault) if body["kind"] == "exhibit.derived"]
    assert [body["object"]["id"] for body in recorded] == [str(picture_copy.pk), str(text_copy.pk)]
    assert recorded[0]["content_sha256"] == log.content_hash(content)
    audit = AuditRecord.objects.filter(vault_id=vault.pk, action="exhibit.derived").first()
    assert audit.detail["derived_from"] == "AB/1" and audit.detail["method"] == ("image-rectangles")

    report = verify_vault(vault)
    assert report.ok, [str(failure) for failure in report.failures]
    assert report.files == 4


@pytest.mark.django_db
def test_verification_notices_a_copy_whose_origin_was_changed(
    vault, owner, png_exhibit, chat_exhibit
):
    copy = redaction_services.redact_image(
        actor=owner, exhibit=png_exhibit, rectangles=[(1, 1, 5, 5)]
    )
    type(copy).objects.filter(pk=copy.pk).update(derived_from=chat_exhibit)
    report = verify_vault(vault)
    assert [f"{f}" for f in report.failures if "exhibit AB/3" in str(f)]


@pytest.mark.django_db
def test_the_original_cannot_be_deleted_while_a_copy_refers_to_it(vault, owner, png_exhibit):
    from django.db.models import ProtectedError

    redaction_services.redact_image(actor=owner, exhibit=png_exhibit, rectangles=[(1, 1, 5, 5)])
    with pytest.raises(ProtectedError):
        png_exhibit.delete()


@pytest.mark.django_db
def test_a_snapshot_carries_what_a_copy_was_made_from_and_a_pack_can_use_it(
    vault, owner, incident, png_exhibit
):
    copy = redaction_services.redact_image(
        actor=owner, exhibit=png_exhibit, rectangles=[(1, 1, 5, 5), (10, 10, 2, 2)]
    )
    snapshot = take_snapshot(vault)
    by_id = {e.id: e for e in snapshot.exhibits}
    assert by_id[str(copy.pk)].derived_from == str(png_exhibit.pk)
    assert by_id[str(copy.pk)].derivation == "2 areas covered"
    assert by_id[str(png_exhibit.pk)].derived_from is None
    assert by_id[str(png_exhibit.pk)].derivation == ""

    disclosed = resolve(
        snapshot,
        Selection.of(incidents=[str(incident.pk)], redacted={str(png_exhibit.pk): str(copy.pk)}),
    )
    assert disclosed.exhibit_ids == {str(copy.pk)}
    assert disclosed.substitutions[0].original.reference == "AB/1"


@pytest.mark.django_db
def test_a_pack_carries_the_copy_instead_of_the_photo_and_still_verifies(vault, owner, tmp_path):
    from cairn.packs.services import build_pack, selection_for
    from cairn.packs.verify import verify_pack

    incident = make_incident(vault)
    photo = keep(vault, GPS_PHOTO.read_bytes(), "DSCN0010.jpg", incident=incident)
    copy = redaction_services.redact_image(actor=owner, exhibit=photo, rectangles=[(0, 0, 64, 64)])

    selection = selection_for(vault, None, use_redacted=True)
    assert selection.redacted == {str(photo.pk): str(copy.pk)}
    build_pack(actor=owner, vault=vault, selection=selection, out=tmp_path / "pack")

    assert [str(problem) for problem in verify_pack(tmp_path / "pack").problems] == []
    files = [path.read_bytes() for path in (tmp_path / "pack").rglob("*") if path.is_file()]
    assert any(data == stored(copy) for data in files)
    assert not any(data == stored(photo) for data in files)
    assert not any(b"DSCN0010" in data for data in files)


# --- the pages ----------------------------------------------------------------------------


@pytest.fixture
def colleague_client(client, colleague):
    client.force_login(colleague)
    return client


@pytest.mark.django_db
def test_the_exhibit_page_offers_a_copy_and_the_copy_names_its_original(
    owner_client, owner, png_exhibit
):
    page = owner_client.get(reverse("vault:exhibit", args=[png_exhibit.pk])).content.decode()
    assert reverse("vault:exhibit-redact", args=[png_exhibit.pk]) in page
    assert "Make a redacted copy" in page

    copy = redaction_services.redact_image(
        actor=owner, exhibit=png_exhibit, rectangles=[(1, 1, 5, 5)]
    )
    page = owner_client.get(reverse("vault:exhibit", args=[png_exhibit.pk])).content.decode()
    assert "Redacted copies" in page and "Exhibit AB/2" in page
    page = owner_client.get(reverse("vault:exhibit", args=[copy.pk])).content.decode()
    assert "Made from" in page and "Exhibit AB/1</a>: 1 area covered" in page


@pytest.mark.django_db
def test_no_copy_is_offered_for_a_pdf(owner_client, vault):
    pdf = keep(vault, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "letter.pdf")
    page = owner_client.get(reverse("vault:exhibit", args=[pdf.pk])).content.decode()
    assert "Make a redacted copy" not in page
    assert owner_client.get(reverse("vault:exhibit-redact", args=[pdf.pk])).status_code == 404
    assert owner_client.get(reverse("vault:exhibit-image", args=[pdf.pk])).status_code == 404


@pytest.mark.django_db
def test_the_picture_page_shows_the_picture_and_makes_the_copy(owner_client, vault, png_exhibit):
    url = reverse("vault:exhibit-redact", args=[png_exhibit.pk])
    response = owner_client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Cairn</title>" in page
    assert reverse("vault:exhibit-image", args=[png_exhibit.pk]) in page
    assert 'width="64" height="48"' in page and "vault/redaction.js" in page
    assert 'name="area_3_height"' in page and 'name="area_4_x"' not in page
    image = owner_client.get(reverse("vault:exhibit-image", args=[png_exhibit.pk]))
    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"] == 'inline; filename="AB-1.png"'
    assert b"".join(image.streaming_content) == stored(png_exhibit)

    # Adding a row keeps what was typed and saves nothing.
    typed = {
        "areas": "3",
        "area_1_x": "2",
        "area_1_y": "3",
        "area_1_width": "4",
        "area_1_height": "5",
    }
    more = owner_client.post(url, {**typed, "action": "add"})
    assert more.status_code == 200 and 'name="area_4_x"' in more.content.decode()
    assert 'value="2"' in more.content.decode()
    assert access.exhibits_readable_by(vault.owner, vault).count() == 1

    made = owner_client.post(
        url,
        {
            **typed,
            "area_2_x": "10",
            "area_2_y": "10",
            "area_2_width": "20",
            "area_2_height": "20",
            "action": "save",
        },
    )
    copy = access.exhibits_readable_by(vault.owner, vault).get(reference="AB/2")
    assert made.status_code == 302 and made["Location"] == reverse("vault:exhibit", args=[copy.pk])
    assert copy.derivation["rectangles"] == [
        {"x": 2, "y": 3, "width": 4, "height": 5},
        {"x": 10, "y": 10, "width": 20, "height": 20},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed, message",
    [
        (
            {"area_1_x": "60", "area_1_y": "0", "area_1_width": "10", "area_1_height": "5"},
            "Area 1 goes outside the picture",
        ),
        ({"area_2_x": "1", "area_2_y": "0"}, "Area 2: enter all four numbers"),
        ({}, "Enter at least one area to cover"),
        ({"area_1_x": "ten"}, "Area 1: enter whole pixels"),
    ],
)
def test_the_picture_page_refuses_bad_areas(owner_client, vault, png_exhibit, typed, message):
    url = reverse("vault:exhibit-redact", args=[png_exhibit.pk])
    response = owner_client.post(url, {"areas": "3", **typed, "action": "save"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and message in page
    assert page.count("<title>Error: Cairn</title>") == 1
    assert access.exhibits_readable_by(vault.owner, vault).count() == 1


@pytest.mark.django_db
def test_the_text_page_previews_then_makes_the_copy(owner_client, vault, chat_exhibit):
    url = reverse("vault:exhibit-redact", args=[chat_exhibit.pk])
    page = owner_client.get(url).content.decode()
    assert "Words or phrases to hide" in page and "14 Mill Lane" in page

    preview = owner_client.post(url, {"phrases": "chris example\r\nnobody", "action": "preview"})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "chris example: found 2 times" in page and "nobody: <strong>not found" in page
    assert "2 passages hidden on 2 lines" in page
    assert "\u2588" * 13 + ": I know you&#x27;re at 14 Mill Lane" in page
    assert access.exhibits_readable_by(vault.owner, vault).count() == 1

    # Words changed since the preview are previewed again, not saved unseen.
    again = owner_client.post(
        url, {"phrases": "mill lane", "checked": "chris example", "action": "save"}
    )
    assert again.status_code == 200 and "found 1 time" in again.content.decode()
    assert access.exhibits_readable_by(vault.owner, vault).count() == 1

    made = owner_client.post(
        url,
        {
            "phrases": "chris example\r\nnobody",
            "checked": "chris example\nnobody",
            "action": "save",
        },
    )
    copy = access.exhibits_readable_by(vault.owner, vault).get(reference="AB/2")
    assert made["Location"] == reverse("vault:exhibit", args=[copy.pk])
    assert b"Chris" not in stored(copy)


@pytest.mark.django_db
def test_the_text_page_says_when_nothing_matches(owner_client, vault, chat_exhibit):
    url = reverse("vault:exhibit-redact", args=[chat_exhibit.pk])
    response = owner_client.post(url, {"phrases": "nobody", "action": "preview"})
    assert response.status_code == 400
    assert "None of these words or phrases appear in the text" in response.content.decode()


@pytest.mark.django_db
def test_another_user_gets_not_found_for_every_redaction_url(
    colleague_client, other_vault, png_exhibit, chat_exhibit
):
    for exhibit in (png_exhibit, chat_exhibit):
        for name in ("vault:exhibit-redact", "vault:exhibit-image"):
            url = reverse(name, args=[exhibit.pk])
            assert colleague_client.get(url).status_code == 404
            assert colleague_client.post(
                url,
                {
                    "action": "save",
                    "phrases": "chris",
                    "checked": "chris",
                    "area_1_x": "0",
                    "area_1_y": "0",
                    "area_1_width": "1",
                    "area_1_height": "1",
                },
            ).status_code in (404, 405)
    assert access.exhibits_readable_by(png_exhibit.vault.owner, png_exhibit.vault).count() == 2


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client, png_exhibit):
    for name in ("vault:exhibit-redact", "vault:exhibit-image"):
        response = client.get(reverse(name, args=[png_exhibit.pk]))
        assert response.status_code == 302 and "sign-in" in response["Location"]


# --- the command --------------------------------------------------------------------------


@pytest.fixture
def cairn():
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, [str(arg) for arg in args])


@pytest.mark.django_db
def test_the_command_covers_areas_and_prints_the_new_reference(cairn, vault, png_exhibit):
    result = cairn("exhibit", "redact", "AB/1", "--rect", "1,2,3,4", "--rect", "10, 10, 5, 5")
    assert result.exit_code == 0, result.output
    copy = access.exhibits_readable_by(vault.owner, vault).get(reference="AB/2")
    assert result.stdout.splitlines() == [
        "Made exhibit AB/2, a redacted copy of AB/1 (2 areas covered).",
        f"SHA-256: {copy.sha256}",
    ]
    assert copy.derivation["rectangles"][1] == {"x": 10, "y": 10, "width": 5, "height": 5}


@pytest.mark.django_db
def test_the_command_hides_phrases_and_notes_those_not_found(cairn, vault, chat_exhibit):
    result = cairn(
        "exhibit", "redact", "1", "--hide", "Chris Example", "--hide", "nobody", "--vault", "My log"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Made exhibit AB/2, a redacted copy of AB/1 (2 passages hidden)."
    )
    assert "'nobody' does not appear in AB/1" in result.stderr
    copy = access.exhibits_readable_by(vault.owner, vault).get(reference="AB/2")
    assert b"Chris" not in stored(copy)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, fragment",
    [
        (["AB/1"], "give --rect areas for a picture or --hide phrases for a text"),
        (["AB/1", "--rect", "1,2,3,4", "--hide", "x"], "give --rect areas"),
        (["AB/1", "--rect", "1,2,3"], "rect: '1,2,3' is not X,Y,WIDTH,HEIGHT"),
        (["AB/9", "--rect", "1,2,3,4"], "exhibit: no exhibit 'AB/9' in this vault"),
        (["XY/1", "--rect", "1,2,3,4"], "exhibit: no exhibit 'XY/1'"),
        (["AB/1", "--rect", "0,0,100,4"], "rectangles: Area 1 goes outside the picture"),
        (["AB/1", "--hide", "Chris"], "exhibit: AB/1 is a PNG image, not a text file"),
        (["AB/2", "--hide", "nobody"], "hide: none of the phrases appear in AB/2"),
    ],
)
def test_the_command_refuses_in_one_line(
    cairn, vault, png_exhibit, chat_exhibit, settings, args, fragment
):
    before = footprint(vault, settings)
    result = cairn("exhibit", "redact", *args)
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cairn: ") and fragment in lines[0], lines
    assert footprint(vault, settings) == before
