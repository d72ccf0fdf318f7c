"""Photos and videos as phones and cameras make them (issue 13, point 5): HEIC and HEIF are one
family, a zip of photos and videos is recognised, and a picture Cairn cannot read (JPEG XL) is
still kept byte for byte.

Real files: exif-py's HEIC samples (an iPhone 13 Pro Max photo whose major brand is ``heic``,
and ``spring_1440x960.heic`` whose major brand is ``mif1``, as many Android phones write
``.heif`` files), and its JPEGs (ianare/exif-py, see ``tests/fixtures/third_party/SOURCES.md``).
The JPEG XL files were made with libjxl's ``cjxl`` (``tests/fixtures/media/README.md``). The
rest is built from the formats' documents: ISO/IEC 14496-12 ``ftyp`` boxes with the brands of
ISO/IEC 23008-12 (HEIF) and of AVIF, ISO/IEC 18181-2's JPEG XL signature.

Each test fails on the code before issue 13: a ``.heif`` was refused as "content is
image/heic, but it was given as image/heif", a zip of photos was not recognised by ``--format
auto``, and a JPEG XL file was refused or skipped.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from cairn.importers.detect import detect_format, detect_path
from cairn.importers.parsers import media as media_parser
from cairn.web import media
from tests.test_import_email import cairn_in
from tests.test_import_parsers_other import _mp4

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HEIC = FIXTURES / "third_party" / "exif-py" / "heic"
IPHONE = HEIC / "iphone_13_pro_max.heic"  # major brand heic
SPRING = HEIC / "spring_1440x960.heic"  # major brand mif1, compatible heic
JPG = FIXTURES / "third_party" / "exif-py" / "jpg"
GPS = FIXTURES / "third_party" / "exif-py" / "gps"
JXL = FIXTURES / "media" / "drawing.jxl"  # a bare codestream
JXL_CONTAINER = FIXTURES / "media" / "photo-from-jpeg.jxl"  # the ISOBMFF-style container


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    """An ISO/IEC 14496-12 FileTypeBox, then the start of a ``meta`` box."""
    payload = major + struct.pack(">I", 0) + b"".join(compatible)
    return struct.pack(">I", 8 + len(payload)) + b"ftyp" + payload + b"\0\0\0\x21meta"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# == HEIC and HEIF are one family ==========================================================


BRANDS = [
    (ftyp(b"heic", b"mif1", b"heic"), "image/heic"),
    (ftyp(b"mif1", b"mif1", b"heic"), "image/heic"),  # HEVC-coded, the major brand generic
    (ftyp(b"mif1", b"mif1", b"miaf"), "image/heif"),  # not HEVC: HEIF, not HEIC
    (ftyp(b"msf1", b"msf1", b"iso8"), "image/heif-sequence"),
    (ftyp(b"hevc", b"msf1", b"hevc"), "image/heic-sequence"),
    (ftyp(b"avif", b"mif1", b"avif", b"miaf"), "image/avif"),
    (IPHONE.read_bytes()[:8192], "image/heic"),
    (SPRING.read_bytes()[:8192], "image/heic"),
]


def test_the_heif_family_is_told_by_its_ftyp_brands():
    assert [media.sniff(head) for head, _ in BRANDS] == [sniffed for _, sniffed in BRANDS]


@pytest.mark.parametrize("sample", [IPHONE, SPRING], ids=lambda p: p.name)
def test_a_heic_or_heif_photo_is_accepted_under_either_name(sample):
    head = sample.read_bytes()[:8192]
    for name, declared in [
        ("photo.heif", None),
        ("photo.HEIF", "image/heif"),
        ("photo.hif", None),
        ("photo.heic", "image/heic"),
        ("photo.heif", "image/heic"),
        ("photo.heic", "image/heif"),
    ]:
        assert media.detect(head, name, declared) in ("image/heic", "image/heif"), name


def test_a_jpeg_named_heif_is_still_refused():
    with pytest.raises(media.ContentMismatch) as caught:
        media.detect((JPG / "Canon_40D.jpg").read_bytes()[:8192], "photo.heif")
    assert "a JPEG image, but it was given as a HEIF image" in str(caught.value)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cairn-media")
    created = cairn_in(
        folder / "data", "vault", "create", "My log", "--initials", "AB", "--owner", "alex"
    )
    assert created.returncode == 0, created.stderr
    return folder / "data"


@pytest.mark.parametrize("sample", [IPHONE, SPRING], ids=lambda p: p.name)
def test_exhibit_add_keeps_a_real_heif_photo(data_dir, tmp_path, sample):
    photo = tmp_path / "IMG_0042.heif"
    photo.write_bytes(sample.read_bytes())
    added = cairn_in(data_dir, "exhibit", "add", photo)
    assert added.returncode == 0, added.stderr
    assert "image/heif" in added.stdout
    assert f"SHA-256: {sha256(photo)}" in added.stdout


def test_import_reads_a_real_heif_photo(data_dir, tmp_path):
    photo = tmp_path / "IMG_0043.heif"
    photo.write_bytes(IPHONE.read_bytes())
    done = cairn_in(data_dir, "import", photo, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["format"], summary["items"]) == ("media", 1)
    (item,) = media_parser.parse(photo).media
    assert item.media_type == "image/heic"
    assert item.captured_at == datetime(
        2022, 2, 16, 12, 55, 41, tzinfo=timezone(timedelta(hours=1))
    )
    assert item.camera == "Apple iPhone 13 Pro Max"


# == A zip of photos and videos ============================================================


def photos_zip(*, folder: str = "") -> bytes:
    """Photos from a camera and a phone, and a video, as a phone's "share" zips them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}IMG_20240601_101500.jpg", (GPS / "DSCN0010.jpg").read_bytes())
        archive.writestr(f"{folder}IMG_20240601_101600.jpg", (JPG / "Canon_40D.jpg").read_bytes())
        archive.writestr(f"{folder}IMG_0044.HEIC", SPRING.read_bytes())
        archive.writestr(
            f"{folder}VID_20240601_102000.mp4", _mp4(datetime(2024, 6, 1, 9, 20, tzinfo=UTC))
        )
        archive.writestr(f"{folder}.thumbnails/IMG_0044.jpg", b"not looked at")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("photos.zip", ""),
        ("Camera Roll.zip", "DCIM/Camera/"),
        ("drive-download-20240601.zip", "Photos/"),
    ],
)
def test_a_zip_of_photos_and_videos_is_recognised_as_media(tmp_path, name, folder):
    path = tmp_path / name
    path.write_bytes(photos_zip(folder=folder))
    assert detect_format(name, path.read_bytes()[:8192]) is None  # its name says nothing
    assert detect_path(path) == "media"  # its members do


def test_import_reads_a_zip_of_photos_and_videos_with_format_auto(data_dir, tmp_path):
    path = tmp_path / "photos.zip"
    path.write_bytes(photos_zip(folder="DCIM/"))
    done = cairn_in(data_dir, "import", path, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["format"], summary["items"]) == ("media", 4)


# == A picture Cairn cannot read is still kept =============================================


@pytest.mark.parametrize("path", [JXL, JXL_CONTAINER], ids=lambda p: p.name)
def test_jpeg_xl_is_recognised_by_its_signature(path):
    assert media.sniff(path.read_bytes()[:8192]) == "image/jxl"
    assert media.detect(path.read_bytes()[:8192], path.name, "image/jxl") == "image/jxl"
    assert detect_format("picture", path.read_bytes()[:8192]) == "media"


@pytest.mark.parametrize("path", [JXL, JXL_CONTAINER], ids=lambda p: p.name)
def test_exhibit_add_keeps_a_jpeg_xl_file_byte_for_byte(data_dir, path):
    added = cairn_in(data_dir, "exhibit", "add", path)
    assert added.returncode == 0, added.stderr
    assert "image/jxl" in added.stdout
    assert f"SHA-256: {sha256(path)}" in added.stdout
    assert f"{path.stat().st_size} bytes" in added.stdout


def test_import_keeps_a_jpeg_xl_picture_with_its_metadata_unknown(data_dir):
    result = media_parser.parse(JXL_CONTAINER)
    (item,) = result.media
    assert (item.media_type, item.captured_at) == ("image/jxl", None)
    assert any("JPEG XL" in note for note in result.notes)
    done = cairn_in(data_dir, "import", JXL, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["format"], summary["items"]) == ("media", 1)
    assert any("JPEG XL" in note for note in summary["notes"])


def test_a_type_nothing_here_can_check_is_kept_under_its_claim():
    """A binary glTF 3D model (Khronos glTF 2.0, 4.4: the magic "glTF", version 2, length),
    which nothing here recognises: the content cannot contradict the claim, so the file is
    kept under it rather than refused; a claim the content does contradict still is."""
    body = bytes(range(256)) * 8
    glb = b"glTF" + struct.pack("<II", 2, 12 + len(body)) + body
    assert media.sniff(glb) == media.OCTET_STREAM
    assert media.detect(glb, "scan.glb", "model/gltf-binary") == "model/gltf-binary"
    with pytest.raises(media.ContentMismatch):
        media.detect(glb, "picture.jxl")
    with pytest.raises(media.ContentMismatch):
        media.detect(glb, "notes.txt")
