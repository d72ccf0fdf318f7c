"""``cairn verify``, ``checkpoint``, ``key show``, ``keys rotate`` and ``vault destroy``."""

from __future__ import annotations

import base64
import os

import pytest
from click.testing import CliRunner

from cairn.cli.main import cli
from cairn.ledger.models import LedgerEntry
from cairn.store import keys
from cairn.store.models import VaultKey
from tests.factories import make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def cairn():
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, [str(arg) for arg in args], input=input)

    return invoke


def test_verify_passes_on_an_untouched_vault_and_exits_zero(cairn, vault):
    make_incident(vault)
    result = cairn("verify")
    assert result.exit_code == 0, result.output
    assert "verified" in result.stdout


def test_verify_names_a_changed_entry_and_exits_one(cairn, vault):
    make_incident(vault)
    entry = LedgerEntry.objects.filter(vault=vault).last()
    changed = bytearray(bytes(entry.entry))
    changed[10] ^= 1
    LedgerEntry.objects.filter(pk=entry.pk).update(entry=bytes(changed))
    result = cairn("verify")
    assert result.exit_code == 1
    assert f"FAIL entry {entry.seq}:" in result.stdout


def test_verify_checks_every_vault_when_none_is_chosen(cairn, vault, other_vault):
    result = cairn("verify")
    assert result.exit_code == 0
    assert str(vault.pk) in result.stdout and str(other_vault.pk) in result.stdout


def test_a_checkpoint_is_short_text_without_content(cairn, vault):
    make_incident(vault, description="Nothing of this may appear")
    result = cairn("checkpoint")
    assert result.exit_code == 0
    assert result.stdout.startswith("Cairn checkpoint\n")
    assert "Nothing" not in result.stdout
    assert len(result.stdout.splitlines()) == 7


def test_verify_against_a_checkpoint_proves_the_log_extends_it(cairn, vault, tmp_path):
    make_incident(vault)
    checkpoint = tmp_path / "checkpoint.txt"
    checkpoint.write_text(cairn("checkpoint").stdout)
    make_incident(vault)
    result = cairn("verify", "--against", checkpoint)
    assert result.exit_code == 0, result.output
    assert "consistency proof verified" in result.stdout


def test_verify_against_a_damaged_checkpoint_is_one_clear_line(cairn, vault, tmp_path):
    checkpoint = tmp_path / "checkpoint.txt"
    checkpoint.write_text("Cairn checkpoint\nvault: x\n")
    result = cairn("verify", "--against", checkpoint)
    assert result.exit_code != 0
    assert result.stderr.strip().startswith("cairn: against: not a Cairn checkpoint")


def test_key_show_prints_the_fingerprint(cairn, db):
    from cairn.ledger.signing import instance_key

    result = cairn("key", "show")
    assert result.exit_code == 0
    assert instance_key().fingerprint() in result.stdout
    assert "BEGIN PUBLIC KEY" in result.stdout


def test_vault_destroy_asks_first_and_does_nothing_when_refused(cairn, vault):
    result = cairn("vault", "destroy", input="n\n")
    assert result.exit_code != 0
    assert VaultKey.objects.get(vault=vault).destroyed_at is None


def test_vault_destroy_with_yes_destroys_the_key(cairn, vault):
    make_incident(vault)
    result = cairn("vault", "destroy", "--yes")
    assert result.exit_code == 0, result.output
    assert VaultKey.objects.get(vault=vault).wrapped == b""
    keys.forget_cached_keys()
    listing = cairn("incident", "list", "--format", "json")
    assert listing.exit_code != 0
    assert "destroyed" in listing.stderr


# Committed, as the real command runs (its own process, autocommit): a KEK rotation is
# not something a test transaction should hold open across several command runs.
@pytest.mark.django_db(transaction=True)
def test_keys_rotate_makes_a_new_local_kek(cairn, vault):
    make_incident(vault, description="still readable after rotation")
    before = keys.current_kek()
    result = cairn("keys", "rotate", "--yes")
    assert result.exit_code == 0, result.output
    assert "Re-wrapped 1 vault keys" in result.stdout
    keys.forget_cached_keys()
    assert keys.current_kek() != before
    assert "still readable" in cairn("incident", "list", "--format", "json").stdout


# Committed, as the real command runs (its own process, autocommit): a KEK rotation is
# not something a test transaction should hold open across several command runs.
@pytest.mark.django_db(transaction=True)
def test_keys_rotate_with_a_configured_kek_needs_the_new_file(cairn, vault, settings, tmp_path):
    # Move the vault from the local KEK file to a configured KEK, as an operator would.
    local = base64.b64decode(keys.local_kek_path().read_text())
    old = os.urandom(32)
    keys.rotate(old, old_kek=local)
    settings.CAIRN_KEK = base64.b64encode(old).decode()
    keys.forget_cached_keys()
    result = cairn("keys", "rotate", "--yes")
    assert result.exit_code != 0 and "new-kek-file" in result.stderr
    new_file = tmp_path / "new.kek"
    new = os.urandom(32)
    new_file.write_text(base64.b64encode(new).decode())
    result = cairn("keys", "rotate", "--yes", "--new-kek-file", new_file)
    assert result.exit_code == 0, result.output
    assert VaultKey.objects.get(vault=vault).kek_id == keys.kek_id(new)
    keys.forget_cached_keys()
