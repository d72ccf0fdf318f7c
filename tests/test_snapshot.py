"""A vault snapshot is plain data with every sealed field decrypted, deleted incidents left out."""

from __future__ import annotations

import dataclasses
import io

import pytest

from cairn.vault import services
from cairn.vault.snapshot import VaultSnapshot
from cairn.vault.snapshot_loader import take_snapshot
from tests.factories import make_incident

pytestmark = pytest.mark.django_db


def test_a_snapshot_holds_plain_data_and_leaves_deleted_incidents_out(vault):
    mark = services.create_person(actor=vault.owner, vault=vault, name="Mark")
    kept = make_incident(
        vault, days_ago=3, description="At the bus stop", persons=[mark], acts=["a", "e"]
    )
    gone = make_incident(vault, days_ago=2)
    services.delete_incident(actor=vault.owner, incident=gone)
    services.add_exhibit(
        actor=vault.owner,
        vault=vault,
        stream=io.BytesIO(b"note"),
        original_name="note.txt",
        incident=kept,
    )
    snapshot = take_snapshot(vault)
    assert isinstance(snapshot, VaultSnapshot)
    [incident] = snapshot.incidents
    assert incident.description == "At the bus stop"
    assert incident.acts == ("a", "e")
    assert incident.person_ids == (str(mark.pk),)
    assert snapshot.suspects()[0].name == "Mark"
    assert snapshot.exhibits[0].incident_id == incident.id
    assert incident.exhibit_ids == (snapshot.exhibits[0].id,)
    assert snapshot.deleted_incidents == 1
    assert snapshot.ledger_size > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        incident.description = "changed"  # type: ignore[misc]
