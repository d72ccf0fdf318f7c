"""The owner's integrity page shows the last signed tree head and the last verification;
reading it signs nothing, sealing the log is a POST that is audited."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cairn.audit.models import AuditRecord
from cairn.ledger import log
from cairn.ledger.models import TreeHead, Verification
from tests.factories import make_incident

pytestmark = pytest.mark.django_db


def integrity_url(vault):
    return reverse("integrity:page", args=[vault.pk])


def seal_url(vault):
    return reverse("integrity:seal", args=[vault.pk])


def test_reading_the_page_signs_nothing_and_offers_to_seal(owner_client, vault):
    make_incident(vault, description="Private words")
    response = owner_client.get(integrity_url(vault))
    assert response.status_code == 200
    assert not TreeHead.objects.filter(vault=vault).exists()
    html = response.content.decode()
    assert "has not been sealed yet" in html and "Seal my log now" in html
    assert "Private words" not in html


def test_sealing_is_a_post_that_signs_and_audits_the_head(owner_client, owner, vault):
    make_incident(vault, description="Private words")
    response = owner_client.post(seal_url(vault))
    assert response.status_code == 302 and response["Location"] == integrity_url(vault)
    head = TreeHead.objects.get(vault=vault)
    assert head.size == log.current_root(vault)[0]
    audit = AuditRecord.objects.get(action="ledger.head_signed")
    assert audit.actor == owner and audit.object_id == str(head.pk)
    assert audit.vault_id == vault.pk and audit.detail == {"size": head.size}
    html = owner_client.get(integrity_url(vault)).content.decode()
    assert f'<dd class="govuk-summary-list__value">{head.size}</dd>' in html
    assert bytes(head.root_hash).hex()[:8] in html
    assert "has not been checked yet" in html and "Seal my log now" not in html
    assert "<title>Cairn</title>" in html
    # Sealing again with nothing new signs nothing and audits nothing.
    owner_client.post(seal_url(vault))
    assert TreeHead.objects.filter(vault=vault).count() == 1
    assert AuditRecord.objects.filter(action="ledger.head_signed").count() == 1


def test_entries_after_the_seal_are_counted_and_can_be_sealed(owner_client, vault):
    owner_client.post(seal_url(vault))
    make_incident(vault)
    html = owner_client.get(integrity_url(vault)).content.decode()
    assert "1 entry added since this seal" in html and "Seal my log now" in html
    owner_client.post(seal_url(vault))
    assert TreeHead.objects.filter(vault=vault).count() == 2


def test_sealing_needs_the_csrf_token_and_get_is_refused(owner, vault):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.get(seal_url(vault)).status_code == 405
    assert browser.post(seal_url(vault)).status_code == 403
    assert not TreeHead.objects.exists()
    page = browser.get(integrity_url(vault)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post(seal_url(vault), {"csrfmiddlewaretoken": token}).status_code == 302
    assert TreeHead.objects.filter(vault=vault).count() == 1


def test_checking_now_records_a_verification_and_shows_when(owner_client, vault):
    make_incident(vault)
    response = owner_client.post(integrity_url(vault))
    assert response.status_code == 302
    assert Verification.objects.get(vault=vault).ok
    assert not TreeHead.objects.exists()
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


def test_the_checkpoint_downloads_the_last_seal_under_a_generic_name(owner_client, vault):
    url = reverse("integrity:checkpoint", args=[vault.pk])
    assert owner_client.get(url).status_code == 404  # never sealed: nothing to download
    owner_client.post(seal_url(vault))
    make_incident(vault)  # after the seal: the download is still the seal, signing nothing
    response = owner_client.get(url)
    assert response.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="cairn-[0-9a-f]{6}\.txt"', response["Content-Disposition"]
    )
    checkpoint = log.parse_checkpoint(response.content.decode())
    assert checkpoint.vault == str(vault.pk)
    assert checkpoint.size == TreeHead.objects.get(vault=vault).size
    assert TreeHead.objects.filter(vault=vault).count() == 1


@pytest.mark.parametrize("name", ["integrity:page", "integrity:checkpoint"])
def test_another_victim_gets_not_found(client, colleague, vault, name):
    client.force_login(colleague)
    assert client.get(reverse(name, args=[vault.pk])).status_code == 404
    assert client.post(integrity_url(vault)).status_code == 404
    assert client.post(seal_url(vault)).status_code == 404
    assert not Verification.objects.exists() and not TreeHead.objects.exists()


@pytest.mark.parametrize("name", ["integrity:page", "integrity:checkpoint"])
def test_signed_out_is_sent_to_sign_in(client, vault, name):
    response = client.get(reverse(name, args=[vault.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
