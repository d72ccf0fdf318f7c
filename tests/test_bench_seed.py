"""The benchmarks' bulk loader writes exactly what the services would: verify passes on it."""

from __future__ import annotations

import pytest
from bench.seed import seed_incidents

from cairn.integrity.verify import verify_vault
from tests.factories import make_incident

pytestmark = pytest.mark.django_db


def test_a_seeded_vault_verifies_and_takes_further_writes(vault):
    make_incident(vault)
    seed_incidents(vault, 250, batch=100)
    make_incident(vault)
    report = verify_vault(vault)
    assert report.ok, [str(f) for f in report.failures[:5]]
    assert vault.incidents.count() == 252
    assert report.entries == 1 + 5 + 250 + 1 + 1  # vault, persons, seeded, two logged
