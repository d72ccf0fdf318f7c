"""The write path: every service validates, stores, and writes its audit record."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cairn.audit.models import AuditRecord
from cairn.vault import services
from cairn.vault.choices import Channel, IdentifierKind
from cairn.vault.models import Exhibit, Incident, IncidentRevision, Person
from cairn.vault.services import IdentifierInput, IncidentInput
from cairn.vault.services import exhibits as exhibit_services
from tests.factories import make_incident

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def audit_actions(vault):
    return list(AuditRecord.objects.filter(vault_id=vault.pk).values_list("action", flat=True))


def test_creating_a_vault_writes_an_audit_record(vault, owner):
    record = AuditRecord.objects.get(action="vault.created")
    assert record.actor == owner
    assert record.vault_id == vault.pk


def test_a_vault_needs_letters_for_initials(owner):
    with pytest.raises(ValidationError) as excinfo:
        services.create_vault(actor=owner, name="Log", initials="4!")
    assert "initials" in excinfo.value.message_dict


def test_a_vault_refuses_an_unknown_time_zone(owner):
    with pytest.raises(ValidationError) as excinfo:
        services.create_vault(actor=owner, name="Log", initials="AB", time_zone="Mars/Olympus")
    assert "time_zone" in excinfo.value.message_dict


def test_logging_an_incident_stores_it_with_its_first_revision_and_audit(vault):
    incident = make_incident(vault, acts=["b", "a"], channel=Channel.TEXT_MESSAGE)
    assert incident.number == 1
    assert incident.act_codes == ["a", "b"]
    revision = IncidentRevision.objects.get(incident=incident)
    assert revision.number == 1
    assert revision.content["acts"] == ["a", "b"]
    assert audit_actions(vault) == ["vault.created", "incident.created"]


def test_incident_numbers_count_up_per_vault(vault, other_vault):
    assert [make_incident(vault).number for _ in range(3)] == [1, 2, 3]
    assert make_incident(other_vault).number == 1


def test_an_end_before_the_start_is_refused_and_nothing_is_stored(vault):
    start = timezone.now() - timedelta(days=2)
    with pytest.raises(ValidationError) as excinfo:
        services.log_incident(
            actor=vault.owner,
            vault=vault,
            data=IncidentInput(
                start=start, end=start - timedelta(hours=1), channel=Channel.IN_PERSON, acts=["a"]
            ),
        )
    assert excinfo.value.message_dict == {"end": ["The end must be after the start"]}
    assert not Incident.objects.exists()
    assert audit_actions(vault) == ["vault.created"]


def test_a_date_in_the_future_is_refused(vault):
    with pytest.raises(ValidationError) as excinfo:
        services.log_incident(
            actor=vault.owner,
            vault=vault,
            data=IncidentInput(
                start=timezone.now() + timedelta(days=1), channel=Channel.IN_PERSON, acts=["a"]
            ),
        )
    assert "start" in excinfo.value.message_dict
    assert not Incident.objects.exists()


def test_an_unknown_act_code_is_refused_naming_the_code(vault):
    with pytest.raises(ValidationError) as excinfo:
        make_incident(vault, acts=["a", "z"])
    assert "'z'" in excinfo.value.message_dict["acts"][0]
    assert not Incident.objects.exists()


def test_the_other_act_needs_words(vault):
    with pytest.raises(ValidationError) as excinfo:
        make_incident(vault, acts=["other"])
    assert "other_act" in excinfo.value.message_dict


def test_a_naive_time_is_refused(vault):
    with pytest.raises(ValidationError) as excinfo:
        services.log_incident(
            actor=vault.owner,
            vault=vault,
            data=IncidentInput(
                start=timezone.now().replace(tzinfo=None), channel=Channel.IN_PERSON, acts=["a"]
            ),
        )
    assert "start" in excinfo.value.message_dict


def test_only_the_owner_may_write_to_a_vault(vault, colleague):
    with pytest.raises(PermissionDenied):
        services.log_incident(
            actor=colleague,
            vault=vault,
            data=IncidentInput(start=timezone.now(), channel=Channel.IN_PERSON, acts=["a"]),
        )
    assert not Incident.objects.exists()


def test_revising_makes_a_new_revision_and_keeps_the_old_one(vault):
    incident = make_incident(vault, description="He was at the bus stop.")
    data = IncidentInput(
        start=incident.start,
        end=incident.end,
        precision=incident.precision,
        channel=incident.channel,
        acts=["a", "e"],
        description="He was at the bus stop, and waited there.",
    )
    revised = services.revise_incident(actor=vault.owner, incident=incident, data=data)
    assert revised.revision == 2
    revisions = list(IncidentRevision.objects.filter(incident=incident).order_by("number"))
    assert [r.content["description"] for r in revisions] == [
        "He was at the bus stop.",
        "He was at the bus stop, and waited there.",
    ]
    assert revisions[1].changed_fields == ["acts", "description"]
    assert audit_actions(vault)[-1] == "incident.revised"
    record = AuditRecord.objects.get(action="incident.revised")
    assert record.detail == {"revision": 2, "fields": ["acts", "description"]}


def test_a_revision_that_changes_nothing_is_not_recorded(vault):
    incident = make_incident(vault)
    data = IncidentInput(
        start=incident.start,
        end=incident.end,
        precision=incident.precision,
        channel=incident.channel,
        acts=incident.act_codes,
        description=incident.description,
    )
    services.revise_incident(actor=vault.owner, incident=incident, data=data)
    assert IncidentRevision.objects.filter(incident=incident).count() == 1


def test_deleting_leaves_a_tombstone_with_the_content_erased(vault):
    incident = make_incident(vault, description="Something private")
    services.delete_incident(actor=vault.owner, incident=incident)
    tombstone = Incident.objects.get(pk=incident.pk)
    assert tombstone.is_deleted
    assert tombstone.description == ""
    assert tombstone.number == 1
    revision = IncidentRevision.objects.get(incident=incident)
    assert revision.erased and revision.content == {}
    assert audit_actions(vault)[-1] == "incident.deleted"
    assert "Something private" not in str(AuditRecord.objects.values_list("detail", flat=True))


def test_a_deleted_incident_cannot_be_revised(vault):
    incident = make_incident(vault)
    services.delete_incident(actor=vault.owner, incident=incident)
    with pytest.raises(ValidationError):
        services.revise_incident(
            actor=vault.owner,
            incident=incident,
            data=IncidentInput(start=timezone.now(), channel=Channel.IN_PERSON, acts=["a"]),
        )


def test_an_exhibit_keeps_the_bytes_and_their_sha256(vault):
    exhibit = services.add_exhibit(
        actor=vault.owner, vault=vault, stream=io.BytesIO(PNG), original_name="screenshot.png"
    )
    assert exhibit.sha256 == hashlib.sha256(PNG).hexdigest()
    assert exhibit.size == len(PNG)
    assert exhibit.media_type == "image/png"
    assert exhibit.reference == "AB/1"
    assert exhibit.captured_at is None and exhibit.received_at is None
    assert audit_actions(vault)[-1] == "exhibit.added"


def test_exhibit_references_count_up(vault):
    refs = [
        services.add_exhibit(
            actor=vault.owner,
            vault=vault,
            stream=io.BytesIO(f"note {n}".encode()),
            original_name=f"note{n}.txt",
        ).reference
        for n in range(3)
    ]
    assert refs == ["AB/1", "AB/2", "AB/3"]


def test_an_empty_file_is_refused_and_nothing_is_stored(vault, settings):
    with pytest.raises(ValidationError) as excinfo:
        services.add_exhibit(
            actor=vault.owner, vault=vault, stream=io.BytesIO(b""), original_name="empty.txt"
        )
    assert excinfo.value.message_dict == {"file": ["The selected file is empty"]}
    assert not Exhibit.objects.exists()
    assert not any(p.is_file() for p in settings.CAIRN_EVIDENCE_DIR.rglob("*"))


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(vault, settings):
    settings.CAIRN_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError) as excinfo:
        services.add_exhibit(
            actor=vault.owner, vault=vault, stream=io.BytesIO(b"x" * 2048), original_name="big.txt"
        )
    assert "larger than the limit" in excinfo.value.message_dict["file"][0]
    assert not Exhibit.objects.exists()
    assert not any(p.is_file() for p in settings.CAIRN_EVIDENCE_DIR.rglob("*"))


def test_content_that_contradicts_its_name_is_refused(vault, settings):
    with pytest.raises(ValidationError) as excinfo:
        services.add_exhibit(
            actor=vault.owner,
            vault=vault,
            stream=io.BytesIO(b"%PDF-1.7\n%\xe2"),
            original_name="photo.jpg",
        )
    message = excinfo.value.message_dict["file"][0]
    assert "PDF" in message and "JPEG" in message
    assert not Exhibit.objects.exists()
    assert not any(p.is_file() for p in settings.CAIRN_EVIDENCE_DIR.rglob("*"))


def test_identical_files_are_stored_once_per_vault(vault, settings):
    for name in ("a.png", "b.png"):
        services.add_exhibit(
            actor=vault.owner, vault=vault, stream=io.BytesIO(PNG), original_name=name
        )
    assert Exhibit.objects.count() == 2
    assert len([p for p in settings.CAIRN_EVIDENCE_DIR.rglob("*") if p.is_file()]) == 1


def test_a_failed_database_write_leaves_no_orphan_file(vault, settings, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exhibit_services, "record_change", boom)
    with pytest.raises(RuntimeError):
        services.add_exhibit(
            actor=vault.owner, vault=vault, stream=io.BytesIO(PNG), original_name="a.png"
        )
    assert not Exhibit.objects.exists()
    assert not any(p.is_file() for p in settings.CAIRN_EVIDENCE_DIR.rglob("*"))


def test_a_person_has_normalised_identifiers(vault):
    person = services.create_person(
        actor=vault.owner,
        vault=vault,
        name="Mark",
        relationship="ex_colleague",
        aliases=["M", "Marky"],
        identifiers=[
            IdentifierInput(IdentifierKind.PHONE, "07700 900123"),
            IdentifierInput(IdentifierKind.PHONE, "+44 7700 900123"),
            IdentifierInput(IdentifierKind.EMAIL, "Mark@Example.COM"),
            IdentifierInput(IdentifierKind.HANDLE, "@MarkW", platform="Instagram"),
            IdentifierInput(IdentifierKind.VEHICLE, "ab12 cde"),
        ],
    )
    values = sorted((i.kind, i.value) for i in person.identifiers.all())
    assert values == [
        ("email", "mark@example.com"),
        ("handle", "markw"),
        ("phone", "+447700900123"),
        ("vehicle", "AB12CDE"),
    ]
    assert audit_actions(vault)[-1] == "person.created"


def test_one_phone_number_written_two_ways_has_one_lookup(vault):
    first = services.create_person(
        actor=vault.owner,
        vault=vault,
        name="A",
        identifiers=[IdentifierInput(IdentifierKind.PHONE, "07700 900123")],
    )
    second = services.create_person(
        actor=vault.owner,
        vault=vault,
        name="B",
        identifiers=[IdentifierInput(IdentifierKind.PHONE, "+447700900123")],
    )
    third = services.create_person(
        actor=vault.owner,
        vault=vault,
        name="C",
        identifiers=[IdentifierInput(IdentifierKind.PHONE, "07700 900124")],
    )
    lookups = [p.identifiers.get().lookup for p in (first, second, third)]
    assert lookups[0] == lookups[1] != lookups[2]


def test_a_bad_phone_number_is_refused_naming_the_identifier(vault):
    with pytest.raises(ValidationError) as excinfo:
        services.create_person(
            actor=vault.owner,
            vault=vault,
            name="Mark",
            identifiers=[IdentifierInput(IdentifierKind.PHONE, "12")],
        )
    assert "identifier_1" in excinfo.value.message_dict
    assert not Person.objects.exists()


def test_updating_a_person_is_audited(vault):
    person = services.create_person(actor=vault.owner, vault=vault, name="Mark")
    services.update_person(
        actor=vault.owner, person=person, name="Mark W", role="suspect", relationship="ex_colleague"
    )
    person.refresh_from_db()
    assert person.name == "Mark W"
    assert audit_actions(vault)[-1] == "person.changed"


def test_an_incident_links_persons_of_its_own_vault_only(vault, other_vault):
    stranger = services.create_person(actor=other_vault.owner, vault=other_vault, name="X")
    with pytest.raises(ValidationError) as excinfo:
        make_incident(vault, persons=[stranger])
    assert "persons" in excinfo.value.message_dict


def test_audit_records_cannot_be_changed_or_deleted(vault):
    record = AuditRecord.objects.first()
    with pytest.raises(RuntimeError):
        record.save()
    with pytest.raises(RuntimeError):
        record.delete()
