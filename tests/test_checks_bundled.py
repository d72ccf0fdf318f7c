"""The phone check works out of the box (issue 16, point 3): Echap's stalkerware indicators
ship with Cairn as package data, with their licence and credit, and are loaded on first use;
a newer copy loaded by the operator is used instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from cairn.audit.models import AuditRecord
from cairn.checks import bundled, services
from cairn.checks.models import IndicatorSet

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "third_party" / "stalkerware-indicators"


def test_the_shipped_files_are_echaps_unchanged_with_their_licence():
    for name in ("ioc.yaml", "watchware.yaml", "LICENSE.md"):
        assert (bundled.FOLDER / name).read_bytes() == (FIXTURES / name).read_bytes(), name
    licence = (bundled.FOLDER / "LICENSE.md").read_text(encoding="utf-8")
    assert "CC-BY 4.0" in licence and "Credit: Echap, stalkerware-indicators." in licence


def test_her_first_check_loads_the_shipped_set_and_finds_stalkerware(owner_client, vault, owner):
    assert not IndicatorSet.objects.exists()
    page = owner_client.get(reverse("checks:check", args=[vault.pk])).content.decode()
    assert "the set that comes with Cairn, dated 21 June 2026" in page
    assert not IndicatorSet.objects.exists()  # reading the page changes nothing
    answer = owner_client.post(
        reverse("checks:apps", args=[vault.pk]),
        {"pasted": "com.android.chrome\ncom.apspy.app\n", "format": "auto"},
    )
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "com.apspy.app" in page and "Echap, stalkerware-indicators" in page
    loaded = IndicatorSet.objects.get()
    assert loaded.version == "ioc.yaml a04c5c1, watchware.yaml a04c5c1"
    assert str(loaded.data_date) == "2026-06-21" and loaded.app_count > 170
    record = AuditRecord.objects.get(action="indicators.loaded")
    assert record.actor_id == owner.pk


def test_a_newer_set_from_the_operator_is_the_one_used(operator, owner):
    first = services.indicators_in_use(actor=owner)
    newer = services.load_indicators(
        actor=operator,
        files=[("ioc.yaml", b"- name: Newspy\n  type: stalkerware\n  packages:\n  - com.newspy\n")],
        source="test",
        version="b0b0b0b",
    )
    assert services.indicators_in_use(actor=owner) == newer != first
    assert IndicatorSet.objects.count() == 2


def test_nobody_signed_out_loads_anything(db):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.indicators_in_use(actor=AnonymousUser())
    assert not IndicatorSet.objects.exists()
