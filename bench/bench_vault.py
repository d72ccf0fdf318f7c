"""Issue 2 and 3 timings, in-process:

- the filtered timeline's first page in a vault of 10,000 incidents (target: median < 150 ms);
- issues 16 and 19: the timeline's first page and a deep one (the page keyed at the 10th
  oldest incident) side by side, at 10,000 and 100,000 incidents: keyset paging should cost
  the same (issue 19: the deep page within 1.5 times the first);
- a write with and without its ledger append, side by side (target: the append adds < 5 ms);
- ``verify`` of a 100,000-entry ledger (target: < 5 s).
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import make_vault

from bench.seed import seed_incidents
from cairn.integrity.verify import verify_vault
from cairn.ledger import log
from cairn.ledger.checks import StoredEntry, check_log
from cairn.ledger.models import LedgerEntry
from cairn.ledger.signing import instance_key
from cairn.vault import services
from cairn.vault.choices import Channel

pytestmark = pytest.mark.django_db


def test_timeline_first_page_with_filters_in_a_10000_incident_vault(benchmark, client, owner):
    vault = make_vault(owner)
    seed_incidents(vault, 10_000)
    client.force_login(owner)
    since = timezone.localdate() - timedelta(days=900)
    url = reverse("vault:timeline", args=[vault.pk])
    params = {
        "act": "a",
        "channel": Channel.IN_PERSON,
        "date_from_day": since.day,
        "date_from_month": since.month,
        "date_from_year": since.year,
    }

    def render():
        response = client.get(url, params)
        assert response.status_code == 200
        return response

    response = benchmark.pedantic(render, rounds=30, warmup_rounds=3)
    assert b"cairn-timeline__item" in response.content


@pytest.mark.parametrize("size", [10_000, 100_000])
@pytest.mark.parametrize("where", ["first", "deep"])
def test_timeline_first_and_deep_page(benchmark, client, owner, where, size):
    """Issue 19: any page of a 100,000-incident vault within 1.5 times the first page."""
    vault = make_vault(owner)
    seed_incidents(vault, size)
    client.force_login(owner)
    url = reverse("vault:timeline", args=[vault.pk])
    oldest = sorted(vault.incidents.filter(deleted_at__isnull=True).values_list("start", "number"))[
        10
    ][1]
    params = {} if where == "first" else {"older": oldest}

    def render():
        response = client.get(url, params)
        assert response.status_code == 200
        return response

    response = benchmark.pedantic(render, rounds=30, warmup_rounds=3)
    assert b"cairn-timeline__item" in response.content


def _write(vault, n):
    return services.log_incident(
        actor=vault.owner,
        vault=vault,
        data=services.IncidentInput(
            start=timezone.now() - timedelta(minutes=n + 1),
            channel=Channel.IN_PERSON,
            acts=["a"],
            description="He was at the bus stop again.",
        ),
    )


def test_a_write_with_its_ledger_append(benchmark, owner):
    vault = make_vault(owner)
    seed_incidents(vault, 2_000)
    counter = iter(range(10**6))
    benchmark.pedantic(lambda: _write(vault, next(counter)), rounds=200, warmup_rounds=10)


def test_the_same_write_without_the_ledger_append(benchmark, owner, monkeypatch):
    vault = make_vault(owner)
    seed_incidents(vault, 2_000)
    monkeypatch.setattr(log, "append", lambda **kwargs: None)
    counter = iter(range(10**6))
    benchmark.pedantic(lambda: _write(vault, next(counter)), rounds=200, warmup_rounds=10)


def test_verify_a_100000_entry_ledger(benchmark, owner):
    """The log part (every leaf, the tree, the signed head) is what the benchmark times; the
    full `cairn verify`, which also decrypts and re-hashes every record, is timed once and
    printed beside it."""
    vault = make_vault(owner)
    started = time.perf_counter()
    seed_incidents(vault, 99_994, batch=5_000)
    print(f"\nseeded 100,000 entries in {time.perf_counter() - started:.1f} s")
    head = log.sign_head(vault)
    key = instance_key()
    from cairn.ledger.proofs import stored_heads

    def check_the_log():
        entries = [
            StoredEntry(seq, bytes(entry), bytes(leaf))
            for seq, entry, leaf in LedgerEntry.objects.filter(vault=vault)
            .order_by("seq")
            .values_list("seq", "entry", "leaf_hash")
            .iterator(5000)
        ]
        return check_log(
            str(vault.pk),
            entries,
            stored_heads(vault),
            public_key_raw=key.public_raw(),
            key_fingerprint=key.fingerprint(),
        )

    result = benchmark.pedantic(check_the_log, rounds=5, iterations=1)
    assert not result.failures and head.size == 100_000 and result.entries == 100_000
    started = time.perf_counter()
    report = verify_vault(vault, record=False)
    print(
        f"full verify (log, 100,000 records decrypted and re-hashed): "
        f"{time.perf_counter() - started:.1f} s, ok={report.ok}"
    )
    assert report.ok
