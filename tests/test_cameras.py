"""Cameras (issue 22): noted on an incident (one question per page), sealed and in the ledger;
her home page's reminders, most urgent first; the two letters as PDF with only what she chose;
handing a camera to the officer through her share; the officer's steps and the footage kept as
an exhibit with its continuity; the closure guard, the dashboard and the pattern page."""

from __future__ import annotations

import json
import logging
import re
import struct
import subprocess
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cairn.audit.models import AuditRecord
from cairn.cameras import access, services
from cairn.cameras.models import Camera, CameraStatus
from cairn.cases import services as cases
from cairn.cases.models import Share
from cairn.integrity.verify import verify_vault
from cairn.ledger.models import LedgerEntry
from cairn.vault import services as vault_services
from cairn.vault.models import Exhibit
from tests.factories import make_incident
from tests.orgs import sign_in_verified
from tests.test_access_matrix import normalised

pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")
LONDON = ZoneInfo("Europe/London")
OWNER_TEXT = "Costcutter on Mill Road"


def mp4() -> bytes:
    """The smallest MP4 the media check reads as one: an ftyp box and an empty mdat."""
    payload = b"isom" + struct.pack(">I", 512) + b"isommp41"
    return (
        struct.pack(">I", 8 + len(payload))
        + b"ftyp"
        + payload
        + struct.pack(">I", 40)
        + b"mdat"
        + bytes(32)
    )


def kinds_in_ledger(vault) -> list[str]:
    return [
        json.loads(bytes(entry))["kind"]
        for entry in LedgerEntry.objects.filter(vault=vault)
        .order_by("seq")
        .values_list("entry", flat=True)
    ]


def add(incident, kind="shop", **extra):
    return services.add_camera(actor=incident.vault.owner, incident=incident, kind=kind, **extra)


def officer_client(user, case):
    client = Client()
    sign_in_verified(client, user)
    session = client.session
    session[f"purpose:{case.pk}"] = "investigation"
    session.save()
    return client


# --- noting a camera ----------------------------------------------------------------------------


def test_a_camera_is_sealed_in_the_ledger_and_audited_without_its_words(owner, vault):
    incident = make_incident(vault, days_ago=2)
    camera = add(
        incident,
        owner=OWNER_TEXT,
        place="above the door",
        kept_days=14,
        kept_words="the sign says two weeks",
        appears="yes",
    )
    raw = bytes(Camera.objects.filter(pk=camera.pk).values_list("sealed", flat=True)[0])
    for words in (b"Costcutter", b"above the door", b"two weeks"):
        assert words not in raw
    fresh = Camera.objects.get(pk=camera.pk)
    assert (fresh.owner, fresh.place, fresh.kept_days) == (OWNER_TEXT, "above the door", 14)
    assert kinds_in_ledger(vault)[-1] == "camera.added"
    record = AuditRecord.objects.get(action="camera.added")
    assert "Costcutter" not in json.dumps(record.detail)
    assert record.detail["kind"] == "shop" and record.detail["number"] == 1
    assert add(incident, kind="bus_or_train").number == 2
    assert verify_vault(vault).ok


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "helicopter"}, "kind"),
        ({"kind": "shop", "kept_days": 0}, "kept_days"),
        ({"kind": "shop", "kept_days": 400}, "kept_days"),
        ({"kind": "shop", "owner": "x" * 201}, "owner"),
        ({"kind": "shop", "appears": "perhaps"}, "appears"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_stores_nothing(owner, vault, fields, field):
    incident = make_incident(vault)
    before = LedgerEntry.objects.filter(vault=vault).count()
    with pytest.raises(ValidationError) as refused:
        services.add_camera(actor=owner, incident=incident, **fields)
    assert list(refused.value.message_dict) == [field]
    assert not Camera.objects.exists()
    assert LedgerEntry.objects.filter(vault=vault).count() == before


def test_only_the_owner_notes_a_camera_and_only_on_a_live_incident(owner, colleague, vault):
    incident = make_incident(vault)
    with pytest.raises(PermissionDenied):
        services.add_camera(actor=colleague, incident=incident, kind="shop")
    vault_services.delete_incident(actor=owner, incident=incident)
    incident.refresh_from_db()
    with pytest.raises(ValidationError):
        services.add_camera(actor=owner, incident=incident, kind="shop")


def test_noting_a_camera_asks_one_question_per_page_and_saves_only_at_the_end(owner_client, vault):
    incident = make_incident(vault, days_ago=2)
    url = reverse("cameras:new", args=[incident.pk])
    first = owner_client.get(url)
    assert first.status_code == 200
    assert b"<title>Cairn</title>" in first.content  # her pages name nothing (issue 16)
    assert b"Whose camera might have recorded it?" in first.content
    answers = {"kind": "shop"}
    page = owner_client.post(url, {**answers, "step": "kind"})
    assert b"Whose camera is it?" in page.content and b'name="kind" value="shop"' in page.content
    answers["owner"] = "Spar"
    page = owner_client.post(url, {**answers, "step": "owner"})
    assert b"Where is the camera?" in page.content
    answers["place"] = "above the door"
    page = owner_client.post(url, {**answers, "step": "place"})
    assert b"How long does it keep footage?" in page.content
    refused = owner_client.post(url, {**answers, "kept_days": "a fortnight", "step": "kept"})
    assert refused.status_code == 400 and b"Enter a number of days, like 14" in refused.content
    answers.update(kept_days="14", kept_words="")
    page = owner_client.post(url, {**answers, "step": "kept"})
    assert b"Might you be in the footage?" in page.content
    answers["appears"] = "yes"
    check = owner_client.post(url, {**answers, "step": "appears"})
    assert b"Check your answers" in check.content and b"Spar" in check.content
    # Change one answer from the check page: back to that question, then straight back.
    change = owner_client.post(url, {**answers, "goto": "owner", "step": "check"})
    assert b"Whose camera is it?" in change.content and b'name="review"' in change.content
    answers["owner"] = OWNER_TEXT
    check = owner_client.post(url, {**answers, "step": "owner", "review": "1"})
    assert b"Check your answers" in check.content
    assert not Camera.objects.exists()  # nothing is kept until she saves
    saved = owner_client.post(url, {**answers, "step": "check"})
    camera = Camera.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse(
        "cameras:camera", args=[camera.pk]
    )
    assert (camera.owner, camera.kept_days, camera.appears) == (OWNER_TEXT, 14, "yes")


def test_her_own_camera_skips_whose_it_is_and_whether_she_is_in_it(owner_client, vault):
    incident = make_incident(vault)
    url = reverse("cameras:new", args=[incident.pk])
    page = owner_client.post(url, {"kind": "own_doorbell", "step": "kind"})
    assert b"Where is the camera?" in page.content
    page = owner_client.post(url, {"kind": "own_doorbell", "place": "front door", "step": "place"})
    check = owner_client.post(
        url, {"kind": "own_doorbell", "place": "front door", "kept_days": "", "step": "kept"}
    )
    assert b"Check your answers" in check.content and b"You might be in it" not in check.content
    owner_client.post(
        url, {"kind": "own_doorbell", "place": "front door", "kept_days": "", "step": "check"}
    )
    camera = Camera.objects.get()
    page = owner_client.get(reverse("cameras:camera", args=[camera.pk]))
    assert b"Save it by" in page.content and b"Keep the footage now" in page.content
    assert owner_client.get(reverse("cameras:letter-access", args=[camera.pk])).status_code == 404


# --- her home page ------------------------------------------------------------------------------


def test_the_home_page_lists_cameras_to_ask_for_soon_most_urgent_first(owner_client, vault):
    shop = add(make_incident(vault, days_ago=2), kind="shop", place="Spar")  # 4 days left
    bus = add(make_incident(vault, days_ago=1), kind="bus_or_train", place="the 38")  # 1 day
    gone = add(make_incident(vault, days_ago=10), kind="bus_or_train", place="the 12")
    add(make_incident(vault, days_ago=1), kind="council_or_car_park", place="car park")
    asked = add(make_incident(vault, days_ago=1), kind="shop", place="Boots")
    services.record_her_step(actor=vault.owner, camera=asked, status=CameraStatus.SHE_ASKED)
    page = owner_client.get("/").content.decode()
    banner = page[page.index("Footage to ask for soon") :]
    banner = banner[: banner.index("All cameras")]
    order = [banner.index(f"Camera {camera.number}<") for camera in (gone, bus, shop)]
    assert order == sorted(order)
    assert "car park" not in banner and "Boots" not in banner  # not near; asked already
    assert "May be gone" in banner and "the footage may already be gone" in banner
    today = timezone.localdate()
    assert f"{(today + timedelta(days=4)).day} " in banner and "(4 days from today)" in banner


def test_the_incident_page_shows_its_cameras_and_the_way_to_note_one(owner_client, vault):
    incident = make_incident(vault, days_ago=2)
    page = owner_client.get(reverse("vault:incident", args=[incident.pk]))
    assert reverse("cameras:new", args=[incident.pk]).encode() in page.content
    add(incident, place="Spar")
    page = owner_client.get(reverse("vault:incident", args=[incident.pk]))
    assert b"Camera 1" in page.content and b"Ask by" in page.content


def test_the_pattern_pages_camera_suggestion_links_to_the_cameras(owner_client, vault):
    make_incident(vault, days_ago=3)  # in person, recent: cameras may have seen it
    page = owner_client.get(reverse("analysis:topic", args=[vault.pk, "test"]))
    assert reverse("cameras:list", args=[vault.pk]).encode() in page.content
    assert b"Note the cameras that may have seen them, and by when to ask" in page.content


# --- the letters --------------------------------------------------------------------------------


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_access_letter_names_when_where_and_her_rights_and_nothing_she_left_out(
    owner_client, vault, tmp_path
):
    start = timezone.now().astimezone(LONDON).replace(second=0, microsecond=0) - timedelta(days=2)
    mark = vault_services.create_person(actor=vault.owner, vault=vault, name="Mark Jones")
    incident = vault_services.log_incident(
        actor=vault.owner,
        vault=vault,
        data=vault_services.IncidentInput(
            start=start,
            channel="property",
            acts=["f"],
            location="Mill Road car park",
            description="He slashed my tyres again",
            witnesses="Mrs Patel at number 4",
            reported_to_police=True,
            police_reference="NP/26/999",
            persons=[mark],
        ),
    )
    camera = add(incident, owner=OWNER_TEXT, place="above the shop door", appears="yes")
    url = reverse("cameras:letter-access", args=[camera.pk])
    form = owner_client.get(url)
    assert form.status_code == 200 and OWNER_TEXT.encode() in form.content  # offered, editable
    response = owner_client.post(
        url,
        {
            "to": "",
            "where": "Mill Road car park",
            "looks": "a red coat",
            "name": "",
            "reply_to": "",
        },
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="letter-\d{4}-\d{2}-\d{2}\.pdf"', response["Content-Disposition"]
    )
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert f"on {start:%A} {start.day} {start:%B %Y} at about {start:%H:%M}" in text
    assert "Mill Road car park" in text and "a red coat" in text
    for right in (
        "Article 15",
        "within one month",
        "Article 12(5)",
        "section 173",
        "Information Commissioner's Office",
    ):
        assert right in text
    for left_out in (
        "slashed",
        "tyres",
        "Mark",
        "Patel",
        "NP/26/999",
        "Costcutter",
        "above the shop door",
        "My log",
        "Cairn",
        "stalk",
    ):
        assert left_out not in text, left_out
    keep = owner_client.post(
        reverse("cameras:letter-keep", args=[camera.pk]),
        {"where": "", "police_reference": "NP/26/999"},
    )
    keep_text = " ".join(pdf_text(keep.content, tmp_path).split())
    assert "until the police collect them" in keep_text and "NP/26/999" in keep_text
    assert "Mill Road" not in keep_text and "Article 18(1)(c)" in keep_text


def test_no_access_letter_for_footage_she_is_not_in(owner_client, vault):
    camera = add(make_incident(vault), appears="no")
    assert owner_client.get(reverse("cameras:letter-access", args=[camera.pk])).status_code == 404
    assert owner_client.get(reverse("cameras:letter-keep", args=[camera.pk])).status_code == 200


# --- to the officer, and back -------------------------------------------------------------------


def test_she_hands_a_camera_to_the_officer_who_collects_the_footage_as_an_exhibit(
    partly_shared_case, incidents, owner, owner_client, vault, investigator, caplog
):
    caplog.set_level(logging.DEBUG)
    case = partly_shared_case
    camera = add(incidents[3], owner=OWNER_TEXT, place="above the door", appears="yes")
    officer = officer_client(investigator, case)
    page_url = reverse("case-cameras:camera", args=[case.pk, camera.pk])
    assert officer.get(page_url).status_code == 404  # incident 4 is not shared yet

    handed = owner_client.post(reverse("cameras:hand", args=[camera.pk]))
    assert handed.status_code == 302
    share = Share.objects.get(vault=vault, case=case)
    assert incidents[3] in share.incidents.all()  # her consent widened by exactly this one
    assert kinds_in_ledger(vault)[-2:] == ["share.changed", "camera.handed"]
    camera.refresh_from_db()
    assert camera.status == CameraStatus.HANDED and camera.case_id == case.pk

    case_page = officer.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Camera 1" in case_page
    assert (
        "Nobody has asked for the footage of cameras that may have recorded incident 4" in case_page
    )
    assert AuditRecord.objects.filter(
        action="vault.read", object_type="cameras", actor=investigator
    ).exists()
    page = officer.get(page_url)
    assert page.status_code == 200 and OWNER_TEXT.encode() in page.content
    assert b"<title>Camera \xe2\x80\x93 Cairn</title>" in page.content

    requested = officer.post(
        reverse("case-cameras:step", args=[case.pk, camera.pk]),
        {"status": "requested", "note": "Asked the manager by phone"},
    )
    assert requested.status_code == 302
    collected_at = timezone.now().astimezone(LONDON) - timedelta(hours=2)
    done = officer.post(
        reverse("case-cameras:collected", args=[case.pk, camera.pk]),
        {
            "collected_at": collected_at.strftime("%d/%m/%Y %H:%M"),
            "collected_from": "Priya Shah, the shop's manager",
            "collected_how": "exported to sealed USB stick, bag NP123",
            "file": _upload(),
        },
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    camera.refresh_from_db()
    assert camera.status == CameraStatus.COLLECTED
    exhibit = Exhibit.objects.get(pk=camera.footage_id)
    assert exhibit.vault_id == vault.pk and exhibit.incident_id == incidents[3].pk
    assert exhibit.added_by_id == investigator.pk and exhibit.media_type == "video/mp4"
    assert exhibit.received_at == collected_at.replace(second=0, microsecond=0)
    assert "Priya Shah" in exhibit.description
    step = access.changes_of(camera).last()
    # Incident 4 was 10 days ago and a shop often keeps 7 days: collected, but not in time.
    assert (step.by_id, step.collected_from, step.exhibit_id, step.in_time) == (
        investigator.pk,
        "Priya Shah, the shop's manager",
        exhibit.pk,
        False,
    )
    assert kinds_in_ledger(vault)[-3:] == ["camera.requested", "exhibit.added", "camera.collected"]
    continuity = officer.get(page_url).content.decode()
    assert "Priya Shah" in continuity and exhibit.reference in continuity
    assert exhibit.sha256 in continuity
    mine = owner_client.get(reverse("cameras:camera", args=[camera.pk])).content.decode()
    assert "The police have the footage" in mine and exhibit.reference in mine
    assert verify_vault(vault).ok
    assert "Costcutter" not in caplog.text and "Priya" not in caplog.text


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("export.mp4", mp4(), content_type="video/mp4")


def test_a_camera_outside_her_share_is_not_found_for_officers(
    partly_shared_case, incidents, investigator, foreign_investigator
):
    camera = add(incidents[3])
    shared = add(incidents[0])
    officer = officer_client(investigator, partly_shared_case)
    outside = officer.get(reverse("case-cameras:camera", args=[partly_shared_case.pk, camera.pk]))
    nowhere = officer.get(
        reverse(
            "case-cameras:camera",
            args=[partly_shared_case.pk, "0" * 8 + "-0000-4000-8000-" + "0" * 12],
        )
    )
    assert outside.status_code == nowhere.status_code == 404
    assert normalised(outside.content) == normalised(nowhere.content)  # CSRF tokens differ
    assert (
        officer.get(
            reverse("case-cameras:camera", args=[partly_shared_case.pk, shared.pk])
        ).status_code
        == 200
    )
    with pytest.raises(PermissionDenied):
        services.record_police_step(
            actor=investigator, case=partly_shared_case, camera=camera, status="requested"
        )
    with pytest.raises(PermissionDenied):
        services.record_police_step(
            actor=foreign_investigator, case=partly_shared_case, camera=shared, status="requested"
        )


def test_closing_a_case_with_cameras_nobody_asked_needs_a_sign_off(
    shared_case, incidents, investigator
):
    camera = add(incidents[1])
    with pytest.raises(ValidationError) as refused:
        cases.change_status(actor=investigator, case=shared_case, status="closed")
    message = refused.value.message_dict["status"][0]
    assert (
        "Also, nobody has asked for the footage of cameras that may have recorded incident 2."
    ) in message
    assert AuditRecord.objects.filter(
        action="vault.read", object_type="cameras", detail__purpose="supervision"
    ).exists()
    services.record_police_step(
        actor=investigator, case=shared_case, camera=camera, status="requested"
    )
    with pytest.raises(ValidationError) as refused:
        cases.change_status(actor=investigator, case=shared_case, status="closed")
    assert "footage" not in refused.value.message_dict["status"][0]  # the recurrence warning


def test_a_request_after_the_ask_by_date_is_late_and_the_dashboard_counts_it(
    shared_case, incidents, investigator, analyst
):
    late = add(incidents[3], kind="shop")  # 10 days ago: a shop's 7 days have passed
    in_time = add(incidents[2], kind="council_or_car_park")  # 20 days ago: 30 days
    lost = add(incidents[1], kind="bus_or_train")
    services.record_police_step(
        actor=investigator, case=shared_case, camera=late, status="requested"
    )
    services.record_police_step(
        actor=investigator, case=shared_case, camera=in_time, status="requested"
    )
    services.record_police_step(
        actor=investigator, case=shared_case, camera=lost, status="not_kept"
    )
    assert [c.in_time for c in (late.changes.get(), in_time.changes.get())] == [False, True]
    client = Client()
    sign_in_verified(client, analyst)
    page = client.get(reverse("dashboard:home")).content.decode()
    table = page[page.index('id="footage-table"') :]
    row = table[table.index("Stalking Unit") :]
    row = row[: row.index("</tr>")]
    assert re.findall(r">(\d+)</td>", row) == ["0", "1", "1", "0", "1", "0"]


def test_deleting_an_incident_erases_what_she_wrote_of_its_cameras(owner, vault):
    incident = make_incident(vault)
    camera = add(incident, owner=OWNER_TEXT)
    vault_services.delete_incident(actor=owner, incident=incident)
    camera = Camera.objects.get(pk=camera.pk)
    assert camera.erased and camera.owner == "" and camera.place == ""
    assert "camera.erased" in kinds_in_ledger(vault)
    assert not access.cameras_of(owner, vault).exists()
    assert verify_vault(vault).ok
