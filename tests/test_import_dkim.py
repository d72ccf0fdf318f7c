"""DKIM keys looked up in DNS at import, archived on the batch, and verified offline later
(issue 4). Against a real DNS server (dnsmasq, ``tests/dns.py``), never a mock and never the
real network: the lookup module, the parser given a lookup, the pipeline, and the CLI."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import click
import dkim
import pytest
from click.testing import CliRunner

from cairn.cli.imports import import_group
from cairn.cli.main import CairnGroup
from cairn.importers import services
from cairn.importers.dkim_dns import DEFAULT_TIMEOUT, DnsKeyLookup, parse_nameservers
from cairn.importers.models import ImportBatch, ImportedItem
from cairn.importers.parsers import email as email_parser
from cairn.importers.parsers.email import DkimKey
from tests.dns import closed_address


def signed(
    private_key: bytes,
    selector: str,
    *,
    body: str = "I know where you were tonight.",
    message_id: str = "1",
) -> bytes:
    message = (
        f"From: Sam Example <sam@example.org>\r\nTo: alex@example.net\r\n"
        f"Subject: I saw you\r\nDate: Sun, 3 Mar 2024 21:15:00 +0000\r\n"
        f"Message-ID: <{message_id}@example.org>\r\n\r\n{body}\r\n"
    ).encode()
    signature = dkim.sign(
        message,
        selector.encode(),
        b"example.org",
        private_key,
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
    )
    return signature + message


def dkim_of(data: bytes, **options) -> tuple[str, str]:
    (message,) = email_parser.parse(data, name="m.eml", **options).messages
    return message.extra["dkim"], message.extra["dkim_detail"]


# --- the lookup on its own -------------------------------------------------------------------


def test_the_lookup_joins_a_long_record_served_in_255_byte_strings(dkim_dns):
    _, record = dkim_dns.keys["long2024"]
    assert len(record) > 512
    lookup = DnsKeyLookup([dkim_dns.address])
    before = datetime.now(UTC)
    assert lookup(dkim_dns.name("long2024") + ".") == record
    fetched = lookup.fetched[dkim_dns.name("long2024")]
    assert fetched.record == record and before <= fetched.fetched_at <= datetime.now(UTC)
    assert lookup.failures == {}


def test_a_name_the_domain_never_published_fails_with_a_reason(dkim_dns):
    lookup = DnsKeyLookup([dkim_dns.address])
    assert lookup(dkim_dns.name("nosuch")) is None
    assert lookup.failures == {
        dkim_dns.name("nosuch"): "DNS has no such name (the key was withdrawn, or never published)"
    }
    assert lookup.fetched == {}


def test_an_unreachable_server_fails_within_the_timeout_and_is_not_asked_again():
    lookup = DnsKeyLookup([closed_address()])
    started = time.monotonic()
    assert lookup("a._domainkey.example.org") is None
    assert lookup("b._domainkey.example.org") is None
    assert time.monotonic() - started < DEFAULT_TIMEOUT + 1.5
    assert set(lookup.failures.values()) == {"no answer from DNS"}


def test_one_import_looks_up_at_most_max_names_keys(dkim_dns):
    lookup = DnsKeyLookup([dkim_dns.address], max_names=1)
    assert lookup(dkim_dns.name("nosuch")) is None
    assert lookup(dkim_dns.name("mar2024")) is None
    assert lookup.failures[dkim_dns.name("mar2024")] == (
        "too many different keys to look up in one import"
    )


def test_nameservers_are_ip_addresses_with_an_optional_port():
    assert parse_nameservers(["127.0.0.1", "127.0.0.1:5353", "[::1]:53", "::1"]) == [
        ("127.0.0.1", 53),
        ("127.0.0.1", 5353),
        ("::1", 53),
        ("::1", 53),
    ]
    for bad in ("dns.google", "127.0.0.1:0", "127.0.0.1:http", "[::1"):
        with pytest.raises(ValueError, match=r"is not an|has no valid port"):
            parse_nameservers([bad])


# --- the parser given a lookup ---------------------------------------------------------------


def test_a_signed_message_passes_against_the_key_looked_up(dkim_dns):
    private, _ = dkim_dns.keys["mar2024"]
    status, detail = dkim_of(
        signed(private, "mar2024"), dkim_lookup=DnsKeyLookup([dkim_dns.address])
    )
    assert status == "pass"
    assert detail == (
        "signature by d=example.org s=mar2024 verified against the key looked up at import"
    )


def test_an_altered_message_fails_against_the_key_looked_up(dkim_dns):
    private, _ = dkim_dns.keys["mar2024"]
    tampered = signed(private, "mar2024").replace(b"tonight", b"today")
    status, detail = dkim_of(tampered, dkim_lookup=DnsKeyLookup([dkim_dns.address]))
    assert status == "fail"
    assert "the key looked up at import for mar2024._domainkey.example.org" in detail


def test_a_selector_with_no_record_is_not_verified_and_says_why(dkim_dns):
    private, _ = dkim_dns.keys["mar2024"]
    status, detail = dkim_of(
        signed(private, "nosuch"), dkim_lookup=DnsKeyLookup([dkim_dns.address])
    )
    assert status == "not verified"
    assert detail == (
        "no archived key for nosuch._domainkey.example.org, and the key could "
        "not be looked up: DNS has no such name (the key was withdrawn, or "
        "never published)"
    )


def test_a_revoked_key_leaves_the_message_not_verified_rather_than_failed(dkim_dns):
    private, _ = dkim_dns.keys["mar2024"]
    status, detail = dkim_of(
        signed(private, "revoked"), dkim_lookup=DnsKeyLookup([dkim_dns.address])
    )
    assert status == "not verified"
    assert detail == (
        "the key looked up at import for revoked._domainkey.example.org was "
        "revoked by the domain (its key is empty)"
    )


def test_an_archived_record_that_is_not_a_dkim_key_is_not_a_failure(dkim_dns):
    private, _ = dkim_dns.keys["mar2024"]
    status, detail = dkim_of(
        signed(private, "mar2024"),
        dkim_keys={dkim_dns.name("mar2024"): b"google-site-verification"},
    )
    assert status == "not verified"
    assert detail.endswith("for mar2024._domainkey.example.org is not a DKIM key record")


def test_an_unreachable_server_leaves_a_mailbox_not_verified_quickly(dkim_dns):
    private, _ = dkim_dns.keys["mar2024"]
    mailbox = b"".join(
        b"From sam@example.org Sun Mar  3 21:15:00 2024\n"
        + signed(private, selector, message_id=str(n)).replace(b"\r\n", b"\n")
        + b"\n"
        for n, selector in enumerate(["mar2024", "long2024", "x"] * 3)
    )
    started = time.monotonic()
    messages = email_parser.parse(
        mailbox, name="inbox.mbox", dkim_lookup=DnsKeyLookup([closed_address()])
    ).messages
    assert time.monotonic() - started < DEFAULT_TIMEOUT + 1.5
    assert len(messages) == 9
    assert {m.extra["dkim"] for m in messages} == {"not verified"}
    assert (
        messages[0]
        .extra["dkim_detail"]
        .endswith("the key could not be looked up: no answer from DNS")
    )


def test_an_archived_key_is_used_without_a_lookup(dkim_dns):
    private, record = dkim_dns.keys["mar2024"]
    asked = []

    def lookup(name):
        asked.append(name)
        return None

    archived = DkimKey(record, datetime(2024, 3, 4, 9, 0, tzinfo=UTC))
    status, detail = dkim_of(
        signed(private, "mar2024"),
        dkim_lookup=lookup,
        dkim_keys={dkim_dns.name("mar2024"): archived},
    )
    assert (status, asked) == ("pass", [])
    assert detail == (
        "signature by d=example.org s=mar2024 verified against the key archived on 2024-03-04"
    )


def test_a_key_the_domain_replaced_under_the_same_selector_is_looked_up(dkim_dns):
    """An archived key that does not verify is not the last word when the domain now
    publishes another key under that selector and it verifies."""
    current, _ = dkim_dns.keys["rotated"]
    _, old_record = dkim_dns.keys["rotated-old"]
    archived = {dkim_dns.name("rotated"): [DkimKey(old_record, datetime(2023, 1, 1, tzinfo=UTC))]}
    message = signed(current, "rotated")
    status, detail = dkim_of(
        message, dkim_keys=archived, dkim_lookup=DnsKeyLookup([dkim_dns.address])
    )
    assert status == "pass"
    assert detail.endswith("looked up at import; a different key is archived for that selector")
    status, detail = dkim_of(message, dkim_keys=archived)
    assert status == "fail"
    assert "the key archived on 2023-01-01 for rotated._domainkey.example.org" in detail


# --- the pipeline ----------------------------------------------------------------------------


@pytest.fixture
def lookups_on(settings, dkim_dns):
    settings.CAIRN_DKIM_LOOKUP = True
    settings.CAIRN_DNS_SERVERS = [dkim_dns.address]
    return dkim_dns


def import_mail(vault, data: bytes, name: str = "message.eml", **options):
    return services.commit_import(
        actor=vault.owner, vault=vault, source=data, name=name, format="email", **options
    )


def dkim_result(batch: ImportBatch) -> tuple[str, str]:
    item = ImportedItem.objects.get(batch=batch)
    return item.details["extra"]["dkim"], item.details["extra"]["dkim_detail"]


def test_the_import_archives_the_key_it_looked_up_and_a_later_import_uses_it_offline(
    vault, lookups_on, settings
):
    private, record = lookups_on.keys["mar2024"]
    first = import_mail(vault, signed(private, "mar2024")).batch
    assert dkim_result(first)[0] == "pass"
    [(name, archived)] = first.dkim_keys.items()
    assert name == "mar2024._domainkey.example.org"
    assert archived["record"].encode() == record and archived["source"] == "dns"
    fetched_on = datetime.fromisoformat(archived["fetched_at"].replace("Z", "+00:00"))
    assert services.batch_content(first)["dkim_keys"] == first.dkim_keys
    assert services.verify_batch(first) == []

    settings.CAIRN_DKIM_LOOKUP = False
    settings.CAIRN_DNS_SERVERS = [closed_address()]
    later = import_mail(
        vault, signed(private, "mar2024", body="Outside again.", message_id="2"), name="later.eml"
    ).batch
    assert dkim_result(later) == (
        "pass",
        "signature by d=example.org s=mar2024 verified against the key archived on "
        f"{fetched_on.date().isoformat()}",
    )
    assert later.dkim_keys == {}
    assert "dkim_keys" not in services.batch_content(later)


def test_an_import_without_lookups_asks_nothing_and_archives_nothing(vault, settings, dkim_dns):
    settings.CAIRN_DNS_SERVERS = [dkim_dns.address]
    private, _ = dkim_dns.keys["mar2024"]
    batch = import_mail(vault, signed(private, "mar2024")).batch
    assert dkim_result(batch) == (
        "not verified",
        "no archived key for mar2024._domainkey.example.org",
    )
    assert batch.dkim_keys == {}


def test_verify_notices_a_changed_archived_key(vault, lookups_on):
    private, _ = lookups_on.keys["mar2024"]
    _, other_record = lookups_on.keys["rotated-old"]
    batch = import_mail(vault, signed(private, "mar2024")).batch
    keys = batch.dkim_keys
    keys["mar2024._domainkey.example.org"]["record"] = other_record.decode()
    batch.dkim_keys = keys
    batch.save()
    assert services.verify_batch(ImportBatch.objects.get(pk=batch.pk)) == [
        f"import {batch.number}: differs from its ledger entry"
    ]
    from cairn.integrity.verify import verify_vault

    failures = [str(f) for f in verify_vault(vault, record=False).failures]
    assert len(failures) == 1 and failures[0].startswith(
        f"import {batch.number}: differs from what entry"
    )


def test_a_dry_run_looks_up_but_keeps_nothing(vault, lookups_on):
    private, _ = lookups_on.keys["mar2024"]
    result = import_mail(vault, signed(private, "mar2024"), dry_run=True)
    assert result.dry_run and result.batch is None
    assert not ImportBatch.objects.filter(vault=vault).exists()


@click.group("cairn", cls=CairnGroup)
@click.pass_context
def root(ctx: click.Context) -> None:
    ctx.ensure_object(dict)


root.add_command(import_group)


def test_cairn_import_no_dkim_lookup_asks_dns_nothing(vault, lookups_on, tmp_path):
    private, _ = lookups_on.keys["mar2024"]
    path = tmp_path / "message.eml"
    path.write_bytes(signed(private, "mar2024"))
    result = CliRunner().invoke(root, ["import", str(path), "--no-dkim-lookup"])
    assert result.exit_code == 0, result.output
    batch = ImportBatch.objects.get(vault=vault)
    assert dkim_result(batch)[0] == "not verified" and batch.dkim_keys == {}

    path.write_bytes(signed(private, "mar2024", body="Outside again.", message_id="2"))
    result = CliRunner().invoke(root, ["import", str(path)])
    assert result.exit_code == 0, result.output
    later = ImportBatch.objects.get(vault=vault, number=2)
    assert dkim_result(later)[0] == "pass" and list(later.dkim_keys) == [
        "mar2024._domainkey.example.org"
    ]
