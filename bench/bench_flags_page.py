"""The Flags page's reads on a vault with 10,000 imported messages (pytest-benchmark).

Run: ``.venv/bin/pytest bench/bench_flags_page.py --benchmark-enable -q``. A generated WhatsApp
export (bench/bench_import_whatsapp.py: three senders, words that raise flags now and then) is
imported into a vault with one named suspect; the benchmark times what the page reads: every
flagged incident and message (decrypting each message), and the account leads.
"""

from __future__ import annotations

import pytest

from bench.bench_import_whatsapp import generate
from cairn.flags import reading
from cairn.importers import services as imports
from cairn.vault import services as vault_services

MESSAGES = 10_000


@pytest.fixture
def big_vault(owner, vault):
    vault_services.create_person(
        actor=owner,
        vault=vault,
        name="Mark Ellis",
        identifiers=[vault_services.IdentifierInput("phone", "+447700900123")],
    )
    imports.commit_import(
        actor=owner,
        vault=vault,
        source=generate("android", MESSAGES),
        name="chat.txt",
        format="whatsapp",
        owner="Alex",
        date_order="day-first",
    )
    return vault


def test_the_flagged_items_of_10000_messages(benchmark, owner, big_vault):
    items = benchmark.pedantic(reading.flagged_items, args=(owner, big_vault), rounds=3)
    benchmark.extra_info["flagged"] = len(items)
    assert items


def test_the_account_leads_of_10000_messages(benchmark, owner, big_vault):
    groups, _ = benchmark.pedantic(reading.account_leads, args=(owner, big_vault), rounds=3)
    assert groups
