"""The tamper-evident ledger and verification (issue 3).

- any sequence of writes verifies;
- changing any single byte of a ledger row, a tree head or an encrypted file makes
  verification fail and name that entry, head or file;
- checkpoints prove that a later log extends an earlier one, and catch a rewrite;
- tree heads countersigned by a time-stamping authority verify in Cairn and with
  ``openssl ts -verify``.
"""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.integrity.verify import verify_vault
from cairn.ledger import log
from cairn.ledger.models import LedgerEntry, LedgerState, TreeHead
from cairn.ledger.proofs import verify_against
from cairn.store.blobs import default_store
from cairn.vault import services
from cairn.vault.choices import Channel, IdentifierKind
from cairn.vault.models import Exhibit, Incident
from cairn.vault.services import IdentifierInput, IncidentInput
from tests.factories import make_incident, make_vault

pytestmark = pytest.mark.django_db

OPERATIONS = st.lists(
    st.sampled_from(["log", "revise", "delete", "exhibit", "person", "person_update", "attach"]),
    max_size=12,
)


def apply(vault, operation: str, step: int) -> None:
    owner = vault.owner
    live = list(Incident.objects.filter(vault=vault, deleted_at__isnull=True))
    if operation == "log" or (not live and operation in {"revise", "delete", "attach"}):
        make_incident(vault, days_ago=step + 1, description=f"Step {step}: he was there")
    elif operation == "revise":
        incident = live[step % len(live)]
        services.revise_incident(
            actor=owner,
            incident=incident,
            data=IncidentInput(
                start=incident.start,
                precision=incident.precision,
                channel=Channel.TEXT_MESSAGE,
                acts=["b"],
                description=f"Revised at step {step}",
            ),
        )
    elif operation == "delete":
        services.delete_incident(actor=owner, incident=live[step % len(live)])
    elif operation == "exhibit":
        services.add_exhibit(
            actor=owner,
            vault=vault,
            stream=io.BytesIO(f"note {step}".encode()),
            original_name=f"note-{step}.txt",
            incident=live[0] if live else None,
        )
    elif operation == "attach":
        exhibit = Exhibit.objects.filter(vault=vault).first()
        if exhibit is not None:
            services.attach_exhibit(actor=owner, exhibit=exhibit, incident=live[-1])
    elif operation == "person":
        services.create_person(
            actor=owner,
            vault=vault,
            name=f"Person {step}",
            identifiers=[IdentifierInput(IdentifierKind.PHONE, f"07700 900{step:03d}")],
        )
    elif operation == "person_update":
        person = vault.persons.first()
        if person is not None:
            services.update_person(
                actor=owner,
                person=person,
                name=f"Renamed {step}",
                role="suspect",
                relationship="neighbour",
            )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_any_sequence_of_writes_verifies(owner, operations):
    with transaction.atomic():
        vault = make_vault(owner, initials="PT")
        for step, operation in enumerate(operations):
            apply(vault, operation, step)
            if step % 4 == 3:
                log.sign_head(vault)
        report = verify_vault(vault)
        assert report.ok, [str(f) for f in report.failures]
        assert report.entries == LedgerEntry.objects.filter(vault=vault).count()
        transaction.set_rollback(True)


@pytest.fixture
def busy_vault(vault):
    """A vault with incidents, a revision, a deletion, a person and two exhibits, and two
    signed tree heads."""
    for step, operation in enumerate(["log", "log", "exhibit", "person", "revise", "log"]):
        apply(vault, operation, step)
    log.sign_head(vault)
    for step, operation in enumerate(["delete", "exhibit", "person_update"], start=10):
        apply(vault, operation, step)
    log.sign_head(vault)
    assert verify_vault(vault).ok
    return vault


def failures_of(vault) -> list[str]:
    return [str(f) for f in verify_vault(vault).failures]


def flip(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position % len(changed)] ^= 0x01
    return bytes(changed)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_changing_any_byte_of_any_entry_names_that_entry(busy_vault, data):
    entries = list(LedgerEntry.objects.filter(vault=busy_vault).order_by("seq"))
    entry = data.draw(st.sampled_from(entries))
    column = data.draw(st.sampled_from(["entry", "leaf_hash"]))
    position = data.draw(st.integers(min_value=0, max_value=10_000))
    with transaction.atomic():
        original = bytes(getattr(entry, column))
        LedgerEntry.objects.filter(pk=entry.pk).update(**{column: flip(original, position)})
        failures = failures_of(busy_vault)
        transaction.set_rollback(True)
    assert failures, "a changed entry went unnoticed"
    assert any(f.startswith(f"entry {entry.seq}:") for f in failures), failures


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_changing_any_byte_of_a_tree_head_names_that_head(busy_vault, data):
    head = data.draw(st.sampled_from(list(TreeHead.objects.filter(vault=busy_vault))))
    column = data.draw(
        st.sampled_from(["root_hash", "signature", "timestamp", "key_fingerprint", "size"])
    )
    position = data.draw(st.integers(min_value=0, max_value=1000))
    value = getattr(head, column)
    if column == "size":
        changed = value - 1
    elif column in {"timestamp", "key_fingerprint"}:
        index = position % len(value)
        replacement = "1" if value[index] != "1" else "2"
        changed = value[:index] + replacement + value[index + 1 :]
    else:
        changed = flip(bytes(value), position)
    with transaction.atomic():
        TreeHead.objects.filter(pk=head.pk).update(**{column: changed})
        failures = failures_of(busy_vault)
        transaction.set_rollback(True)
    where = changed if column == "size" else head.size
    assert any(f.startswith(f"tree head of size {where}") for f in failures), failures


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_changing_any_byte_of_an_evidence_file_names_that_file(busy_vault, data):
    exhibit = data.draw(st.sampled_from(list(Exhibit.objects.filter(vault=busy_vault))))
    path = default_store().path_for(str(busy_vault.pk), exhibit.sha256)
    original = path.read_bytes()
    position = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
    path.write_bytes(flip(original, position))
    try:
        failures = failures_of(busy_vault)
    finally:
        path.write_bytes(original)
    assert any(f.startswith(f"file {exhibit.reference}:") for f in failures), failures


def test_a_missing_file_is_named(busy_vault):
    exhibit = Exhibit.objects.filter(vault=busy_vault).first()
    default_store().path_for(str(busy_vault.pk), exhibit.sha256).unlink()
    assert any(
        f.startswith(f"file {exhibit.reference}:") and "missing" in f
        for f in failures_of(busy_vault)
    )


def test_changing_sealed_text_names_the_incident(busy_vault):
    incident = Incident.objects.filter(vault=busy_vault, deleted_at__isnull=True).first()
    Incident.objects.filter(pk=incident.pk).update(sealed=flip(bytes(incident.sealed), 30))
    assert any(
        f.startswith(f"incident {incident.number}:") and "decrypt" in f
        for f in failures_of(busy_vault)
    )


def test_moving_sealed_text_between_rows_is_caught(busy_vault):
    first, second = Incident.objects.filter(vault=busy_vault, deleted_at__isnull=True)[:2]
    Incident.objects.filter(pk=first.pk).update(sealed=bytes(second.sealed))
    assert any(f.startswith(f"incident {first.number}:") for f in failures_of(busy_vault))


def test_a_change_made_outside_the_services_is_named(busy_vault):
    incident = Incident.objects.filter(vault=busy_vault, deleted_at__isnull=True).first()
    Incident.objects.filter(pk=incident.pk).update(channel=Channel.EMAIL)
    failures = failures_of(busy_vault)
    assert any(
        f.startswith(f"incident {incident.number}: differs from what entry") for f in failures
    ), failures


def test_a_removed_entry_is_named(busy_vault):
    LedgerEntry.objects.filter(vault=busy_vault, seq=3).delete()
    failures = failures_of(busy_vault)
    assert any(f.startswith("entry 4: out of sequence") for f in failures), failures


def test_a_damaged_ledger_state_is_named(busy_vault):
    state = LedgerState.objects.get(vault=busy_vault)
    LedgerState.objects.filter(pk=state.pk).update(frontier=flip(bytes(state.frontier), 5))
    assert any(f.startswith("the ledger state") for f in failures_of(busy_vault))


def test_a_checkpoint_is_extended_by_later_writes(busy_vault):
    checkpoint = log.parse_checkpoint(log.checkpoint_text(log.sign_head(busy_vault)))
    make_incident(busy_vault, description="Later")
    assert verify_against(busy_vault, checkpoint) == []


def test_a_checkpoint_exposes_a_rewritten_history(busy_vault):
    checkpoint = log.parse_checkpoint(log.checkpoint_text(log.sign_head(busy_vault)))
    # An insider rewrites entry 2 and recomputes its leaf hash, so the leaves agree again.
    from cairn.ledger import merkle

    entry = LedgerEntry.objects.get(vault=busy_vault, seq=2)
    forged = bytes(entry.entry).replace(b'"kind":"', b'"kind":"x')
    LedgerEntry.objects.filter(pk=entry.pk).update(entry=forged, leaf_hash=merkle.leaf_hash(forged))
    failures = verify_against(busy_vault, checkpoint)
    assert failures and "rewritten" in str(failures[0])


def test_a_checkpoint_that_was_edited_is_refused(busy_vault):
    head = log.sign_head(busy_vault)
    text = log.checkpoint_text(head)
    edited = text.replace(f"size: {head.size}", "size: 3")
    assert edited != text
    failures = verify_against(busy_vault, log.parse_checkpoint(edited))
    assert failures and "signature" in str(failures[0])


def test_a_checkpoint_survives_being_quoted_in_an_email(busy_vault):
    text = log.checkpoint_text(log.sign_head(busy_vault))
    quoted = "Hi,\n\nhere is my checkpoint:\n\n" + "".join(
        f"> {line}\n" for line in text.splitlines()
    )
    assert verify_against(busy_vault, log.parse_checkpoint(quoted)) == []


def test_a_head_signed_with_another_key_is_named(busy_vault, settings, tmp_path):
    settings.CAIRN_SIGNING_KEY_FILE = str(tmp_path / "other.pem")
    assert any("signed by key" in f for f in failures_of(busy_vault))


def test_signing_the_same_size_twice_gives_the_same_head(busy_vault):
    assert log.sign_head(busy_vault).pk == log.sign_head(busy_vault).pk


def test_a_write_appends_in_the_same_transaction(vault):
    before = LedgerEntry.objects.filter(vault=vault).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_incident(vault)
        raise RuntimeError("the request failed after the write")
    assert LedgerEntry.objects.filter(vault=vault).count() == before


def test_entries_hold_no_content(busy_vault):
    for entry in LedgerEntry.objects.filter(vault=busy_vault):
        assert b"he was there" not in bytes(entry.entry)
        assert b"Person" not in bytes(entry.entry)


# --- timestamps ----------------------------------------------------------------------------


def test_a_countersigned_head_verifies_in_cairn_and_with_openssl(
    vault, settings, local_tsa, tmp_path
):
    settings.CAIRN_TSA_URL = local_tsa.url
    settings.CAIRN_TSA_CERT_FILE = str(local_tsa.tsa_cert_path)
    settings.CAIRN_TSA_CA_FILE = str(local_tsa.ca_cert_path)
    make_incident(vault)
    head = log.sign_head(vault)
    assert head.timestamp_token is not None
    report = verify_vault(vault)
    assert report.ok and report.tokens == 1, [str(f) for f in report.failures]

    data = tmp_path / "head.json"
    data.write_bytes(log.stamped_bytes(head))
    token = tmp_path / "head.tsr"
    token.write_bytes(bytes(head.timestamp_token))
    result = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-data",
            str(data),
            "-in",
            str(token),
            "-CAfile",
            str(local_tsa.ca_cert_path),
            "-untrusted",
            str(local_tsa.tsa_cert_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "Verification: OK" in result.stdout, result.stderr


def test_a_token_for_another_hash_is_named(vault, settings, local_tsa):
    settings.CAIRN_TSA_URL = local_tsa.url
    settings.CAIRN_TSA_CERT_FILE = str(local_tsa.tsa_cert_path)
    settings.CAIRN_TSA_CA_FILE = str(local_tsa.ca_cert_path)
    make_incident(vault)
    first = log.sign_head(vault)
    make_incident(vault)
    second = log.sign_head(vault)
    # Swap the second head's token for the first's and re-sign nothing: both checks object.
    TreeHead.objects.filter(pk=second.pk).update(timestamp_token=bytes(first.timestamp_token))
    failures = failures_of(vault)
    assert any(
        f.startswith(f"tree head of size {second.size}") and "timestamp token" in f
        for f in failures
    ), failures


def test_a_head_is_still_signed_when_the_authority_is_down(vault, settings):
    settings.CAIRN_TSA_URL = "http://127.0.0.1:9/unreachable"
    make_incident(vault)
    head = log.sign_head(vault)
    assert head.timestamp_token is None
    assert verify_vault(vault).ok


def test_verification_is_recorded_without_content(busy_vault):
    from cairn.ledger.models import Verification

    verify_vault(busy_vault)
    record = Verification.objects.filter(vault=busy_vault).first()
    assert record.ok and record.entries > 0 and record.files == 2


def test_an_old_incident_keeps_its_place_after_many_writes(vault):
    first = make_incident(vault, days_ago=30)
    for step in range(20):
        make_incident(vault, days_ago=step / 10 + 1)
    tree_size = LedgerState.objects.get(vault=vault).size
    assert tree_size == LedgerEntry.objects.filter(vault=vault).count()
    assert Incident.objects.get(pk=first.pk).number == 1
    assert connection.vendor in {"sqlite", "postgresql"}
    assert timezone.now() - timedelta(days=31) < first.start
