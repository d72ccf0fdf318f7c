"""Where her photos were taken (issue 16, point 8): before a pack leaves her hands, the check
page names every photo that carries a position, a camera's serial number or an owner's name,
says where (and whether it is near a place she marked as hers), and offers copies without
those details in their place; the original stays in her log.

The GPS photo is a real camera's (tests/fixtures/third_party/exif-py/gps, a Nikon's
DSCN0010.jpg, taken near Arezzo); the serial number and owner's name are written by Pillow.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import exifread
import pytest
from django.urls import reverse
from PIL import Image

from cairn.checks import services as check_services
from cairn.checks.models import MarkKind
from cairn.packs.verify import verify_pack
from cairn.vault import revealing, services
from cairn.vault.models import Exhibit
from tests.factories import make_incident
from tests.test_pack_web import made_pack

pytestmark = pytest.mark.django_db

GPS_PHOTO = Path(__file__).parent / "fixtures" / "third_party" / "exif-py" / "gps" / "DSCN0010.jpg"


def _picture(fmt: str, *, gps: bool = True, serial: str = "", owner: str = "") -> bytes:
    picture = Image.new("RGB", (40, 30), (120, 40, 40))
    exif = Image.Exif()
    if gps:  # Leeds
        position = exif.get_ifd(0x8825)
        position[1], position[2] = "N", (53.0, 47.0, 48.0)
        position[3], position[4] = "W", (1.0, 32.0, 52.0)
    more = exif.get_ifd(0x8769)
    if serial:
        more[0xA431] = serial
    if owner:
        more[0xA430] = owner
    out = io.BytesIO()
    picture.save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


def _add(vault, incident, data: bytes, name: str, description: str = ""):  # type: ignore[no-untyped-def]
    return services.add_exhibit(
        actor=vault.owner,
        vault=vault,
        stream=io.BytesIO(data),
        original_name=name,
        incident=incident,
        description=description,
    )


def _url(vault) -> str:  # type: ignore[no-untyped-def]
    return reverse("packs:pack", args=[vault.pk])


CHOICES = {"scope": "all", "statement": "none", "protection": "none"}


def test_a_gps_photo_is_named_before_the_pack_is_built_and_its_copy_carries_no_exif(
    owner_client, vault, tmp_path
):
    incident = make_incident(vault, description="Photo of the car outside")
    photo = _add(
        vault,
        incident,
        GPS_PHOTO.read_bytes(),
        "DSCN0010.jpg",
        description="The car outside the flat",
    )
    check_services.mark_own(
        actor=vault.owner, vault=vault, kind=MarkKind.PLACE, value="Arezzo, Tuscany, IT"
    )
    # Continue: the check page names the photo, where it was taken, and that it is near a
    # place she marked as hers. Nothing is built yet.
    check = owner_client.post(_url(vault), {**CHOICES, "action": "preview"})
    assert check.status_code == 200
    page = check.content.decode()
    listed = page.split('id="photos-with-details"')[1].split("\n</ul>")[0]
    assert f"{photo.reference}</a>: The car outside the flat" in listed
    assert "Where it was taken: 43.4674, 11.8851, near Arezzo, Italy" in listed
    assert "This is near a place you marked as yours</strong> (Arezzo, Tuscany, IT)" in listed
    assert "Copies without these details (recommended)" in page
    assert not Exhibit.objects.filter(derived_from=photo).exists()

    # Making it without answering is refused, on the same page.
    refused = owner_client.post(_url(vault), {**CHOICES, "action": "build"})
    assert refused.status_code == 400
    assert "Choose whether the pack holds copies without these details" in refused.content.decode()

    # She chooses copies: the pack holds the copy, with no EXIF at all.
    response = made_pack(
        owner_client.post(_url(vault), {**CHOICES, "action": "build", "hidden_details": "copies"})
    )
    assert response.status_code == 200
    saved = tmp_path / "pack.zip"
    saved.write_bytes(b"".join(response.streaming_content))
    assert verify_pack(saved).ok
    copy = Exhibit.objects.get(derived_from=photo)
    assert copy.derivation["method"] == "image-metadata-removed"
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        carried = [n for n in names if re.search(r"data/exhibits/.*\.jpe?g$", n, re.I)]
        assert len(carried) == 1, names
        assert copy.reference.replace("/", "-") in carried[0]
        data = archive.read(carried[0])
    assert exifread.process_file(io.BytesIO(data), details=False) == {}
    with Image.open(io.BytesIO(data)) as picture:
        assert len(picture.getexif()) == 0
    # The original is kept, unchanged, for the police to ask for.
    photo.refresh_from_db()
    assert revealing.read(GPS_PHOTO.read_bytes()).position is not None
    assert Exhibit.objects.filter(pk=photo.pk).exists()


def test_the_originals_can_be_chosen_and_a_second_pack_reuses_the_copy(
    owner_client, vault, tmp_path
):
    incident = make_incident(vault)
    photo = _add(vault, incident, GPS_PHOTO.read_bytes(), "DSCN0010.jpg")
    response = made_pack(
        owner_client.post(
            _url(vault), {**CHOICES, "action": "build", "hidden_details": "originals"}
        )
    )
    assert response.status_code == 200
    saved = tmp_path / "pack.zip"
    saved.write_bytes(b"".join(response.streaming_content))
    with zipfile.ZipFile(saved) as archive:
        carried = [n for n in archive.namelist() if n.lower().endswith(".jpg")]
        assert exifread.process_file(io.BytesIO(archive.read(carried[0])), details=False).get(
            "GPS GPSLatitude"
        )
    for _ in range(2):
        owner_client.post(_url(vault), {**CHOICES, "action": "build", "hidden_details": "copies"})
    assert Exhibit.objects.filter(derived_from=photo).count() == 1  # made once


def test_a_serial_number_and_an_owners_name_are_named_too(owner_client, vault):
    incident = make_incident(vault)
    _add(
        vault,
        incident,
        _picture("JPEG", gps=False, serial="SN-1234567", owner="A. Morgan"),
        "camera.jpg",
    )
    _add(vault, incident, _picture("PNG", gps=False), "plain.png")  # says nothing
    page = owner_client.post(_url(vault), {**CHOICES, "action": "preview"}).content.decode()
    listed = page.split('id="photos-with-details"')[1].split("\n</ul>")[0]
    assert "The camera's serial number: SN-1234567" in listed
    assert "An owner's name: A. Morgan" in listed
    assert "AB/2" not in page.split('id="photos-with-details"')[1]


def test_a_photo_cairn_cannot_copy_is_named_and_the_way_to_leave_it_out_given(
    owner_client, vault, tmp_path
):
    incident = make_incident(vault)
    _add(vault, incident, _picture("TIFF"), "scan.tif")
    page = owner_client.post(_url(vault), {**CHOICES, "action": "preview"}).content.decode()
    assert "near Leeds, United Kingdom" in page
    assert "Cairn cannot make a copy without these details of AB/1" in page
    assert "leave out the incidents it belongs to" in page
    assert "Copies without these details (recommended)" not in page  # nothing to choose


def test_a_pack_with_no_telling_photos_is_made_at_once(owner_client, vault, tmp_path):
    incident = make_incident(vault)
    _add(vault, incident, _picture("PNG", gps=False), "plain.png")
    check = owner_client.post(_url(vault), {**CHOICES, "action": "preview"}).content.decode()
    assert "What your photos say" not in check
    response = made_pack(owner_client.post(_url(vault), {**CHOICES, "action": "build"}))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"


def test_the_passphrase_is_typed_on_the_check_page(owner_client, vault):
    make_incident(vault)
    choices = {**CHOICES, "protection": "passphrase"}
    check = owner_client.post(_url(vault), {**choices, "action": "preview"})
    assert check.status_code == 200
    assert 'name="passphrase" type="password"' in check.content.decode()
    short = owner_client.post(_url(vault), {**choices, "action": "build", "passphrase": "short"})
    assert short.status_code == 400
    html = short.content.decode()
    assert "Check what the pack will hold" in html and "at least 12 characters" in html


def test_changing_her_choices_goes_back_with_them_kept(owner_client, vault):
    incidents = [make_incident(vault, days_ago=n + 1) for n in range(3)]
    response = owner_client.post(
        _url(vault),
        {
            "scope": "chosen",
            "incidents": [str(incidents[0].number), str(incidents[2].number)],
            "statement": "none",
            "protection": "none",
            "action": "change",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Make an evidence pack" in html
    assert re.search(r'value="chosen" checked', html)
    assert len(re.findall(r'name="incidents" type="checkbox" value="\d+" checked', html)) == 2


def test_the_exhibit_page_says_what_the_file_says_and_makes_a_copy_without_it(owner_client, vault):
    incident = make_incident(vault)
    photo = _add(vault, incident, GPS_PHOTO.read_bytes(), "DSCN0010.jpg")
    page = owner_client.get(reverse("vault:exhibit", args=[photo.pk])).content.decode()
    assert "Where it was taken: 43.4674, 11.8851, near Arezzo, Italy" in page
    response = owner_client.post(reverse("vault:exhibit-clean-copy", args=[photo.pk]))
    copy = Exhibit.objects.get(derived_from=photo)
    assert response.status_code == 302 and response["Location"] == reverse(
        "vault:exhibit", args=[copy.pk]
    )
    copy_page = owner_client.get(response["Location"]).content.decode()
    assert "without the details hidden in the file" in copy_page
    assert "What the details hidden in the file say" not in copy_page  # the copy has none
    assert owner_client.get(reverse("vault:exhibit-clean-copy", args=[photo.pk])).status_code == 405


def test_someone_else_cannot_copy_her_photo(client, colleague, vault):
    incident = make_incident(vault)
    photo = _add(vault, incident, GPS_PHOTO.read_bytes(), "DSCN0010.jpg")
    client.force_login(colleague)
    assert client.post(reverse("vault:exhibit-clean-copy", args=[photo.pk])).status_code == 404
    assert not Exhibit.objects.filter(derived_from=photo).exists()


def test_the_share_check_names_the_photos_before_she_shares(
    owner_client, vault, case, investigator
):
    from cairn.cases import services as case_services

    incident = make_incident(vault)
    _add(vault, incident, GPS_PHOTO.read_bytes(), "DSCN0010.jpg", description="The car")
    code = case_services.issue_share_code(actor=investigator, case=case)
    page = owner_client.post(
        reverse("sharing:link", args=[vault.pk]), {"code": code, "scope": "all", "action": "check"}
    )
    html = page.content.decode()
    assert "Check who will see your log" in html
    listed = html.split('id="photos-with-details"')[1].split("\n</ul>")[0]
    assert "The car" in listed and "near Arezzo, Italy" in listed
    assert "Make a copy without the hidden details" in html
