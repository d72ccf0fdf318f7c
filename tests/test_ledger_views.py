"""The owner's integrity page shows the signed tree head and the last verification."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cairn.ledger import log
from cairn.ledger.models import TreeHead, Verification
from tests.factories import make_incident

pytestmark = pytest.mark.django_db


def integrity_url(vault):
    return reverse("ledger:integrity", args=[vault.pk])


def test_the_owner_sees_the_current_signed_tree_head(owner_client, vault):
    make_incident(vault, description="Private words")
    response = owner_client.get(integrity_url(vault))
    assert response.status_code == 200
    head = TreeHead.objects.get(vault=vault)
    html = response.content.decode()
    assert f"<dd class=\"govuk-summary-list__value\">{head.size}</dd>" in html
    assert bytes(head.root_hash).hex()[:8] in html
    assert "has not been checked yet" in html
    assert "Private words" not in html
    assert "<title>Cairn</title>" in html


def test_checking_now_records_a_verification_and_shows_when(owner_client, vault):
    make_incident(vault)
    response = owner_client.post(integrity_url(vault))
    assert response.status_code == 302
    assert Verification.objects.get(vault=vault).ok
    html = owner_client.get(integrity_url(vault)).content.decode()
    assert "exactly as they were recorded" in html
    overview = owner_client.get(reverse("vault:vault", args=[vault.pk])).content.decode()
    assert "all as recorded" in overview


def test_a_failed_check_is_shown_calmly_with_what_differs(owner_client, vault):
    from cairn.ledger.models import LedgerEntry

    make_incident(vault)
    entry = LedgerEntry.objects.filter(vault=vault).last()
    LedgerEntry.objects.filter(pk=entry.pk).update(leaf_hash=b"\x00" * 32)
    owner_client.post(integrity_url(vault))
    html = owner_client.get(integrity_url(vault)).content.decode()
    assert "something does not match" in html
    assert f"entry {entry.seq}:" in html


def test_the_checkpoint_downloads_under_a_generic_name(owner_client, vault):
    response = owner_client.get(reverse("ledger:checkpoint", args=[vault.pk]))
    assert response.status_code == 200
    assert re.fullmatch(r'attachment; filename="cairn-[0-9a-f]{6}\.txt"',
                        response["Content-Disposition"])
    assert log.parse_checkpoint(response.content.decode()).vault == str(vault.pk)


@pytest.mark.parametrize("name", ["ledger:integrity", "ledger:checkpoint"])
def test_another_victim_gets_not_found(client, colleague, vault, name):
    client.force_login(colleague)
    assert client.get(reverse(name, args=[vault.pk])).status_code == 404
    assert client.post(reverse("ledger:integrity", args=[vault.pk])).status_code == 404
    assert not Verification.objects.exists()


@pytest.mark.parametrize("name", ["ledger:integrity", "ledger:checkpoint"])
def test_signed_out_is_sent_to_sign_in(client, vault, name):
    response = client.get(reverse(name, args=[vault.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
