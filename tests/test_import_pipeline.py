"""The import pipeline (issue 4): commit a batch, link senders, propose, review, and refuse
bad input without leaving anything behind. Through the library API (the services); the
pages and the CLI have their own files."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.importers import rules, services
from cairn.importers.base import (
    AmbiguousDates,
    ImportFailure,
    MediaItem,
    Message,
    Origin,
    ParsedImport,
    Sender,
)
from cairn.importers.models import (
    CandidatePerson,
    CandidateStatus,
    ImportBatch,
    ImportedItem,
    ProposalStatus,
    ProposedIncident,
)
from cairn.integrity.verify import verify_vault
from cairn.ledger.canonical import canonical_json
from cairn.ledger.models import LedgerEntry
from cairn.vault import services as vault_services
from cairn.vault.choices import PersonRole
from cairn.vault.models import Exhibit, Incident, Person

CHAT = """\
01/03/2025, 09:15 - Mark: Why are you ignoring me
01/03/2025, 09:16 - Mark: I saw you at the station
01/03/2025, 09:20 - Alex: Please stop messaging me
01/03/2025, 23:58 - Mark: Answer me
02/03/2025, 07:01 - Mark: Good morning
02/03/2025, 07:02 - +44 7700 900123: Who is this
02/03/2025, 07:03 - Messages and calls are end-to-end encrypted.
13/03/2025, 18:40 - Mark: I know where you work
"""
LATER = """\
02/03/2025, 07:01 - Mark: Good morning
02/03/2025, 07:02 - +44 7700 900123: Who is this
02/03/2025, 07:03 - Messages and calls are end-to-end encrypted.
13/03/2025, 18:40 - Mark: I know where you work
14/03/2025, 08:00 - Mark: Outside your flat
14/03/2025, 08:05 - Mark: Come down
"""


def evidence_files(settings_) -> list[Path]:
    root = Path(settings_.CAIRN_EVIDENCE_DIR)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def item_with_text(batch, text: str) -> ImportedItem:
    [item] = [i for i in ImportedItem.objects.filter(batch=batch) if i.text == text]
    return item


def import_text(vault, text: str, *, name: str = "WhatsApp Chat with Mark.txt", **kwargs):
    kwargs.setdefault("format", "whatsapp")
    kwargs.setdefault("owner", "Alex")
    return services.commit_import(
        actor=vault.owner, vault=vault, source=text.encode(), name=name, **kwargs
    )


@pytest.fixture
def mark(vault):
    return vault_services.create_person(
        actor=vault.owner, vault=vault, name="Mark", role=PersonRole.SUSPECT
    )


# --- committing ------------------------------------------------------------------------------


def test_a_batch_keeps_the_file_as_an_exhibit_byte_for_byte(vault, mark, settings):
    result = import_text(vault, CHAT)
    batch = result.batch
    exhibit = batch.source_exhibit
    assert exhibit.source == "import"
    assert exhibit.size == len(CHAT.encode())
    assert exhibit.original_name == "WhatsApp Chat with Mark.txt"
    from cairn.store.blobs import default_store

    assert default_store().read(str(vault.pk), exhibit.sha256) == CHAT.encode()


def test_items_record_where_they_are_in_the_original(vault, mark):
    batch = import_text(vault, CHAT).batch
    items = list(ImportedItem.objects.filter(batch=batch).order_by("position"))
    assert len(items) == 8
    first = items[0]
    assert first.origin["line_start"] == 1
    assert first.text == "Why are you ignoring me"
    assert first.sent_at == datetime(2025, 3, 1, 9, 15, tzinfo=UTC)  # GMT in March
    assert first.kind == "message"
    assert first.channel == "messaging_app"
    # Sealed: the text is not in the row in clear.
    assert b"ignoring" not in bytes(first.sealed)


def test_known_senders_are_linked_and_unknown_ones_become_candidates(vault, mark):
    result = import_text(vault, CHAT)
    items = list(ImportedItem.objects.filter(batch=result.batch).order_by("position"))
    assert items[0].person == mark
    assert items[2].is_owner  # Alex, the victim, kept for context
    assert items[2].person is None and items[2].candidate is None
    stranger = items[5]
    assert stranger.person is None
    candidate = stranger.candidate
    assert candidate.display_name == "+44 7700 900123"
    assert candidate.identifiers == [{"kind": "phone", "value": "+447700900123", "platform": ""}]
    assert result.persons == 1
    assert result.candidates == 1


def test_a_sender_is_linked_by_phone_number_written_another_way(vault):
    person = vault_services.create_person(
        actor=vault.owner,
        vault=vault,
        name="Unknown number",
        identifiers=[vault_services.IdentifierInput(kind="phone", value="07700 900123")],
    )
    batch = import_text(vault, CHAT).batch
    item = ImportedItem.objects.get(batch=batch, position=5)
    assert item.person == person
    assert item.candidate is None


def test_the_suspects_messages_on_one_day_become_one_contact_proposal(vault, mark):
    result = import_text(vault, CHAT)
    proposals = list(ProposedIncident.objects.filter(batch=result.batch).order_by("number"))
    from_mark = [p for p in proposals if p.person_id == mark.pk]
    assert [(p.day.isoformat(), p.items.count()) for p in from_mark] == [
        ("2025-03-01", 3),
        ("2025-03-02", 1),
        ("2025-03-13", 1),
    ]
    first = from_mark[0]
    assert first.rule == "contact-day"
    assert first.act_codes == ["b"]
    assert first.channel == "messaging_app"
    assert first.start == datetime(2025, 3, 1, 9, 15, tzinfo=UTC)
    assert first.end == datetime(2025, 3, 1, 23, 58, tzinfo=UTC)
    assert "3 messages from Mark" in first.description
    assert "09:16 I saw you at the station" in first.description
    assert "Please stop" not in first.description  # the victim's reply is not the incident
    # The unconfirmed stranger's message is proposed too, until the victim decides.
    assert any(p.candidate_id and p.day.isoformat() == "2025-03-02" for p in proposals)
    assert result.proposed_incidents == len(proposals) == 4
    assert Incident.objects.filter(vault=vault).count() == 0  # nothing without accepting


def test_a_witness_proposes_nothing(vault):
    vault_services.create_person(
        actor=vault.owner, vault=vault, name="Mark", role=PersonRole.WITNESS
    )
    batch = import_text(vault, CHAT).batch
    assert not ProposedIncident.objects.filter(batch=batch, person__isnull=False).exists()


def test_the_zone_assumed_is_recorded_and_clock_changes_are_honoured(vault, mark):
    summer = "01/07/2025, 09:15 - Mark: Hello\n13/07/2025, 09:15 - Mark: Again\n"
    result = import_text(vault, summer)
    assert result.batch.assumed_time_zone == "Europe/London"
    item = ImportedItem.objects.get(batch=result.batch, position=0)
    assert item.sent_at == datetime(2025, 7, 1, 8, 15, tzinfo=UTC)  # BST
    other = import_text(vault, summer.replace("Hello", "Hi"), tz="America/New_York")
    assert other.batch.assumed_time_zone == "America/New_York"
    assert other.assumed_time_zone == "America/New_York"


# --- idempotency -----------------------------------------------------------------------------


def test_importing_the_same_file_twice_adds_nothing(vault, mark):
    first = import_text(vault, CHAT)
    second = import_text(vault, CHAT)
    assert (second.new, second.duplicates, second.proposed_incidents) == (0, 8, 0)
    assert ImportedItem.objects.filter(vault=vault).count() == first.new == 8
    # The same file keeps its first exhibit.
    assert second.batch.source_exhibit == first.batch.source_exhibit
    assert Exhibit.objects.filter(vault=vault).count() == 1


def test_an_overlapping_later_export_adds_exactly_the_new_messages(vault, mark):
    import_text(vault, CHAT)
    later = import_text(vault, LATER, name="WhatsApp Chat with Mark (2).txt")
    assert later.items == 6
    assert later.new == 2
    assert later.duplicates == 4
    new = ImportedItem.objects.filter(batch=later.batch).order_by("position")
    assert [item.text for item in new] == ["Outside your flat", "Come down"]
    assert later.proposed_incidents == 1


def test_two_identical_messages_in_one_minute_stay_two(vault, mark):
    text = (
        "01/03/2025, 09:15 - Mark: ok\n01/03/2025, 09:15 - Mark: ok\n13/03/2025, 09:15 - Mark: x\n"
    )
    assert import_text(vault, text).new == 3
    assert import_text(vault, text).new == 0


def test_a_renamed_export_of_the_same_chat_is_matched_on_content_not_the_file(vault, mark):
    import_text(vault, CHAT)
    again = import_text(vault, CHAT.replace("\n", "\r\n"), name="copy.txt")
    assert again.new == 0
    assert (
        again.batch.source_exhibit.sha256 != ImportBatch.objects.get(number=1).source_exhibit.sha256
    )


# --- dry run ---------------------------------------------------------------------------------


def test_a_dry_run_reports_and_stores_nothing(vault, mark, settings):
    before = LedgerEntry.objects.filter(vault=vault).count()
    result = import_text(vault, CHAT, dry_run=True)
    assert result.dry_run and result.batch is None
    assert (result.new, result.proposed_incidents) == (8, 4)
    assert ImportBatch.objects.count() == ImportedItem.objects.count() == 0
    assert Exhibit.objects.count() == 0
    assert LedgerEntry.objects.filter(vault=vault).count() == before
    assert evidence_files(settings) == []


# --- bad input -------------------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return buffer.getvalue()


BAD_INPUTS = {
    "empty": (b"", "whatsapp", "the file is empty"),
    "binary": (bytes(range(256)) * 8, "whatsapp", "chat.txt"),
    "wrong format": (b'{"messages": []}', "whatsapp", "chat.txt"),
    "impossible date": (
        b"31/02/2025, 09:15 - Mark: hi\n13/02/2025, 09:15 - Mark: hi\n",
        "whatsapp",
        "line 1",
    ),
    "truncated zip": (_zip({"_chat.txt": CHAT.encode()})[:60], "whatsapp", "chat.txt"),
    "path traversal": (_zip({"../../etc/_chat.txt": CHAT.encode()}), "whatsapp", "chat.txt"),
    "zip bomb": (_zip({"_chat.txt": b"0" * (64 * 1024 * 1024)}), "whatsapp", "chat.txt"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_names_the_file_and_stores_nothing(vault, mark, settings, case):
    data, fmt, expected = BAD_INPUTS[case]
    before = LedgerEntry.objects.filter(vault=vault).count()
    with pytest.raises(ImportFailure) as failure:
        services.commit_import(
            actor=vault.owner, vault=vault, source=data, name="chat.txt", format=fmt
        )
    message = str(failure.value)
    assert "chat.txt" in message
    assert expected in message
    assert ImportBatch.objects.count() == ImportedItem.objects.count() == 0
    assert CandidatePerson.objects.count() == ProposedIncident.objects.count() == 0
    assert Exhibit.objects.count() == 0
    assert LedgerEntry.objects.filter(vault=vault).count() == before
    assert evidence_files(settings) == []
    # And the next import works.
    assert import_text(vault, CHAT).new == 8


def test_a_failure_after_the_file_was_stored_leaves_no_evidence_file(
    vault, mark, settings, monkeypatch
):
    def broken(*args, **kwargs):
        raise ImportFailure("chat.txt, line 3", "something in the middle is wrong")

    monkeypatch.setattr(rules.ProposalBuilder, "proposals", broken)
    with pytest.raises(ImportFailure, match="line 3"):
        import_text(vault, CHAT)
    assert Exhibit.objects.count() == ImportedItem.objects.count() == 0
    assert evidence_files(settings) == []


def test_a_bad_line_read_after_items_were_saved_undoes_the_whole_import(vault, mark, settings):
    """A chat is read as it is saved (ADR 0053): a time that does not exist, found after
    thousands of messages were written, still leaves nothing behind."""
    good = "".join(
        f"13/01/2025, {n // 60 % 24:02d}:{n % 60:02d} - Mark: hi {n}\n"
        for n in range(3 * services.SAVE_CHUNK)
    )
    with pytest.raises(ImportFailure, match=f"line {3 * services.SAVE_CHUNK + 1}: impossible"):
        import_text(vault, good + "13/01/2025, 25:61 - Mark: never\n")
    assert Exhibit.objects.count() == ImportedItem.objects.count() == 0
    assert ImportBatch.objects.count() == ProposedIncident.objects.count() == 0
    assert evidence_files(settings) == []


def test_a_streamed_chat_is_saved_as_the_whole_parsed_chat_was(vault, mark, monkeypatch):
    """The WhatsApp parser streams (ADR 0053); given the whole ``ParsedImport`` instead, the
    import saves it as before. Both give the same items, proposals and notes, and both
    vaults verify."""
    from cairn.importers.parsers import whatsapp
    from tests.factories import make_vault

    chat = "".join(
        f"{13 + n // 3000:02d}/01/2025, {n // 60 % 24:02d}:{n % 60:02d} - "
        f"{'Alex' if n % 5 == 0 else 'Mark'}: {'ok' if n % 7 == 0 else f'hi {n}'}"
        f"{chr(10) + 'and more' if n % 11 == 0 else ''}\n"
        for n in range(services.SAVE_CHUNK + 300)
    )
    streamed = import_text(vault, chat).batch
    other = make_vault(vault.owner, name="Other", initials="OT")
    vault_services.create_person(
        actor=other.owner, vault=other, name="Mark", role=PersonRole.SUSPECT
    )
    parsed = whatsapp.parse(
        chat.encode(), name="WhatsApp Chat with Mark.txt", tz=other.time_zone, owner="Alex"
    )
    monkeypatch.setattr(services.parsing, "parse", lambda *a, **k: parsed)
    whole = import_text(other, chat).batch

    def items(batch):
        return [
            (
                i.position,
                i.kind,
                i.sent_at,
                i.text,
                i.sender_name,
                i.is_system,
                i.is_owner,
                i.origin,
                i.channel,
            )
            for i in ImportedItem.objects.filter(batch=batch).order_by("position")
        ]

    def proposals(batch):
        return [
            (
                p.number,
                p.rule,
                p.day,
                p.start,
                p.end,
                p.acts,
                p.description,
                sorted(p.items.values_list("position", flat=True)),
            )
            for p in ProposedIncident.objects.filter(batch=batch).order_by("number")
        ]

    assert items(streamed) == items(whole)
    assert proposals(streamed) == proposals(whole)
    assert streamed.notes == whole.notes and streamed.item_count == whole.item_count
    assert verify_vault(vault).ok and verify_vault(other).ok


def test_ambiguous_dates_ask_which_order_and_the_answer_settles_it(vault, mark):
    text = "01/03/2025, 09:15 - Mark: hi\n02/03/2025, 09:15 - Mark: again\n"
    with pytest.raises(AmbiguousDates):
        import_text(vault, text)
    result = import_text(vault, text, date_order="month-first")
    item = ImportedItem.objects.get(batch=result.batch, position=0)
    assert item.sent_at.month == 1 and item.sent_at.day == 3
    assert result.batch.date_order == "month-first"


def test_an_unknown_zone_or_format_is_refused(vault):
    with pytest.raises(ValidationError):
        import_text(vault, CHAT, tz="Mars/Olympus")
    with pytest.raises(ValidationError):
        import_text(vault, CHAT, format="fax")


def test_only_the_owner_can_import(vault, colleague):
    with pytest.raises(PermissionDenied):
        services.commit_import(
            actor=colleague, vault=vault, source=CHAT.encode(), name="chat.txt", format="whatsapp"
        )


# --- zip with media --------------------------------------------------------------------------

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def test_attachments_in_a_zip_are_kept_as_exhibits_and_follow_the_accepted_incident(vault, mark):
    chat = (
        "01/03/2025, 09:15 - Mark: IMG-20250301-WA0001.png (file attached)\n"
        "01/03/2025, 09:16 - Mark: look\n13/03/2025, 09:15 - Mark: x\n"
    )
    data = _zip({"WhatsApp Chat with Mark.txt": chat.encode(), "IMG-20250301-WA0001.png": PNG})
    result = services.commit_import(
        actor=vault.owner,
        vault=vault,
        source=data,
        name="WhatsApp Chat with Mark.zip",
        format="whatsapp",
    )
    item = ImportedItem.objects.get(batch=result.batch, position=0)
    photo = item.attachments.get()
    assert photo.media_type == "image/png" and photo.size == len(PNG)
    assert photo.source == "import"
    proposal = ProposedIncident.objects.get(batch=result.batch, day="2025-03-01")
    [incident] = services.accept_proposals(actor=vault.owner, batch=result.batch, ids=[proposal.pk])
    photo.refresh_from_db()
    assert photo.incident == incident


# --- review ----------------------------------------------------------------------------------


def test_accepting_a_proposal_logs_an_incident_through_the_vault_services(vault, mark):
    batch = import_text(vault, CHAT).batch
    proposal = ProposedIncident.objects.filter(batch=batch, person=mark).order_by("number")[0]
    [incident] = services.accept_proposals(actor=vault.owner, batch=batch, ids=[proposal.pk])
    assert incident.act_codes == ["b"]
    assert incident.channel == "messaging_app"
    assert incident.precision == "exact"
    assert incident.start == proposal.start and incident.end == proposal.end
    assert list(incident.persons.all()) == [mark]
    assert "I saw you at the station" in incident.description
    assert incident.revisions.count() == 1
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.incident == incident
    with pytest.raises(ValidationError):
        services.accept_proposals(actor=vault.owner, batch=batch, ids=[proposal.pk])


def test_accepting_all_and_by_number(vault, mark):
    batch = import_text(vault, CHAT).batch
    services.accept_proposals(actor=vault.owner, batch=batch, ids=["2"])
    incidents = services.accept_proposals(actor=vault.owner, batch=batch, all=True)
    assert len(incidents) == 3
    assert Incident.objects.filter(vault=vault).count() == 4
    assert not ProposedIncident.objects.filter(batch=batch, status="proposed").exists()


def test_dismissing_a_proposal_logs_nothing(vault, mark):
    batch = import_text(vault, CHAT).batch
    proposal = ProposedIncident.objects.filter(batch=batch).first()
    services.dismiss_proposal(actor=vault.owner, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISMISSED
    assert Incident.objects.count() == 0
    with pytest.raises(ValidationError):
        services.accept_proposals(actor=vault.owner, batch=batch, ids=[proposal.pk])


def test_confirming_a_candidate_makes_a_person_and_relinks_their_items(vault, mark):
    batch = import_text(vault, CHAT).batch
    candidate = CandidatePerson.objects.get(batch=batch)
    proposal = ProposedIncident.objects.get(batch=batch, candidate=candidate)
    [incident] = services.accept_proposals(actor=vault.owner, batch=batch, ids=[proposal.pk])
    assert list(incident.persons.all()) == []
    person = services.confirm_candidate(
        actor=vault.owner, candidate=candidate, name="Mark's friend"
    )
    assert person.name == "Mark's friend" and person.aliases == ["+44 7700 900123"]
    assert [(i.kind, i.value) for i in person.identifiers.all()] == [("phone", "+447700900123")]
    assert ImportedItem.objects.get(batch=batch, position=5).person == person
    incident.refresh_from_db()
    assert list(incident.persons.all()) == [person]
    assert incident.revision == 2
    # A later export links the number straight to the person.
    later = import_text(vault, LATER.replace("Who is this", "Still me"), name="b.txt")
    assert item_with_text(later.batch, "Still me").person == person


def test_dismissing_a_candidate_dismisses_their_waiting_proposals(vault, mark):
    batch = import_text(vault, CHAT).batch
    candidate = CandidatePerson.objects.get(batch=batch)
    services.dismiss_candidate(actor=vault.owner, candidate=candidate)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.DISMISSED
    assert ProposedIncident.objects.get(candidate=candidate).status == "dismissed"
    assert not Person.objects.filter(vault=vault).exclude(pk=mark.pk).exists()
    # Their messages in a later import propose nothing.
    later = import_text(vault, LATER.replace("Who is this", "Again"), name="c.txt")
    assert not ProposedIncident.objects.filter(batch=later.batch, candidate=candidate).exists()


def test_this_is_me_marks_a_sender_as_the_victim(vault, mark):
    batch = import_text(vault, CHAT, owner=None).batch
    candidates = {c.display_name: c for c in CandidatePerson.objects.filter(batch=batch)}
    services.dismiss_candidate(actor=vault.owner, candidate=candidates["Alex"], is_me=True)
    assert ImportedItem.objects.get(batch=batch, position=2).is_owner
    later = import_text(
        vault, CHAT.replace("Please stop messaging me", "Stop"), owner=None, name="d.txt"
    )
    assert item_with_text(later.batch, "Stop").is_owner


def test_another_user_cannot_review(vault, mark, colleague):
    batch = import_text(vault, CHAT).batch
    with pytest.raises(PermissionDenied):
        services.accept_proposals(actor=colleague, batch=batch, all=True)
    with pytest.raises(PermissionDenied):
        services.dismiss_candidate(
            actor=colleague, candidate=CandidatePerson.objects.get(batch=batch)
        )


# --- the ledger ------------------------------------------------------------------------------


def test_one_ledger_entry_records_the_whole_batch_and_the_vault_verifies(vault, mark):
    before = LedgerEntry.objects.filter(vault=vault).count()
    batch = import_text(vault, CHAT).batch
    kinds = [
        json.loads(bytes(e.entry))["kind"]
        for e in LedgerEntry.objects.filter(vault=vault, seq__gte=before).order_by("seq")
    ]
    assert kinds == ["exhibit.added", "import.committed"]
    assert services.verify_batch(batch) == []
    services.accept_proposals(actor=vault.owner, batch=batch, all=True)
    services.confirm_candidate(
        actor=vault.owner, candidate=CandidatePerson.objects.get(batch=batch)
    )
    import_text(vault, LATER, name="later.txt")
    report = verify_vault(vault)
    assert report.ok, report.failures
    assert services.verify_batch(batch) == []


def test_verify_batch_notices_an_altered_item(vault, mark):
    batch = import_text(vault, CHAT).batch
    item = ImportedItem.objects.get(batch=batch, position=1)
    item.text = "something else"
    item.save()
    assert services.verify_batch(batch) == [
        f"import {batch.number}: its items differ from what was recorded"
    ]
    report = verify_vault(vault, record=False)
    assert [str(f) for f in report.failures] == [
        f"import {batch.number}: its items differ from what was recorded"
    ]


text_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet="abcdefghij_", max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.text(alphabet="abcdefghij_", max_size=8), text_values, max_size=5),
        max_size=4,
    )
)
def test_the_fast_item_digest_is_the_rfc_8785_digest(contents):
    import hashlib

    try:
        expected = hashlib.sha256(canonical_json(contents)).hexdigest()
    except ValueError:
        return  # lone surrogates: refused by both; items are cleaned before hashing
    assert services.items_digest(contents) == expected


# --- the rules on their own ------------------------------------------------------------------


def test_a_photo_whose_name_suggests_damage_is_proposed_as_act_f():
    from zoneinfo import ZoneInfo

    when = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    views = [
        rules.ItemView(index=0, kind="media", when=when, channel="", name="car_scratched.jpg"),
        rules.ItemView(index=1, kind="media", when=when, channel="", name="IMG_0001.jpg"),
        rules.ItemView(index=2, kind="media", when=None, channel="", name="damage.jpg"),
    ]
    [proposal] = rules.build_proposals(views, ZoneInfo("Europe/London"))
    assert (proposal.rule, proposal.acts, proposal.item_indexes) == ("media-damage", ("f",), (0,))


def test_media_items_from_a_parsed_import_become_items_and_proposals(vault, monkeypatch):
    when = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    parsed = ParsedImport(
        format="media",
        source_name="damage.png",
        assumed_time_zone="Europe/London",
        media=(
            MediaItem(
                name="damage.png",
                origin=Origin(),
                media_type="image/png",
                captured_at=when,
                captured_at_offset_known=True,
                latitude=51.5,
                longitude=-0.1,
            ),
        ),
    )
    monkeypatch.setattr(services.parsing, "parse", lambda *a, **k: parsed)
    result = services.commit_import(
        actor=vault.owner, vault=vault, source=PNG, name="damage.png", format="media"
    )
    item = ImportedItem.objects.get(batch=result.batch)
    assert item.captured_at == when
    assert item.details["latitude"] == "51.5"
    assert list(item.attachments.all()) == [result.batch.source_exhibit]
    proposal = ProposedIncident.objects.get(batch=result.batch)
    assert proposal.act_codes == ["f"] and proposal.channel == "property"
    assert services.verify_batch(result.batch) == []


def test_messages_with_identifiers_are_linked_by_handle_and_platform_id(vault, monkeypatch):
    person = vault_services.create_person(
        actor=vault.owner,
        vault=vault,
        name="M",
        identifiers=[
            vault_services.IdentifierInput(kind="handle", value="@mark_99", platform="telegram")
        ],
    )
    when = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    parsed = ParsedImport(
        format="telegram",
        source_name="result.json",
        assumed_time_zone=None,
        messages=(
            Message(
                sent_at=when,
                text="hi",
                channel="messaging_app",
                origin=Origin(entry="m[0]"),
                sender=Sender(display_name="Mark", handle="Mark_99", platform="telegram"),
            ),
            Message(
                sent_at=when,
                text="yo",
                channel="messaging_app",
                origin=Origin(entry="m[1]"),
                sender=Sender(display_name="Other", platform="telegram", platform_id="user42"),
            ),
        ),
    )
    monkeypatch.setattr(services.parsing, "parse", lambda *a, **k: parsed)
    result = services.commit_import(
        actor=vault.owner, vault=vault, source=b"{}", name="result.json", format="telegram"
    )
    first, second = ImportedItem.objects.filter(batch=result.batch).order_by("position")
    assert first.person == person
    assert first.origin == {"entry": "m[0]"}
    assert second.candidate.identifiers == [
        {"kind": "handle", "value": "user42", "platform": "telegram"}
    ]
