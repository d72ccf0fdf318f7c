"""The operator's shell writes go through audited services: local accounts, passwords and the
rotation of the key-encryption key (cairn.accounts.operator_services)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied, ValidationError

from cairn.accounts import operator_services
from cairn.accounts.models import User
from cairn.audit.models import AuditRecord
from cairn.cli.main import cli
from cairn.store import keys
from cairn.store.models import VaultKey


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cairn():
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, [str(arg) for arg in args])


@pytest.fixture
def operator(db):
    return operator_services.create_local_account(actor=None, username="operator", operator=True)


def test_an_account_made_at_the_keyboard_is_its_own_actor(db):
    user = operator_services.create_local_account(actor=None, username="kim")
    assert not user.has_usable_password() and not user.is_superuser
    record = AuditRecord.objects.get(action="account.created")
    assert (record.actor, record.object_id, record.detail["by"]) == (user, str(user.pk), "cli")


def test_the_operator_makes_accounts_for_others_and_nobody_else_may(operator, owner):
    made = operator_services.create_local_account(actor=operator, username="officer")
    assert AuditRecord.objects.get(action="account.created", object_id=str(made.pk)).actor == (
        operator
    )
    with pytest.raises(PermissionDenied):
        operator_services.create_local_account(actor=owner, username="another")
    with pytest.raises(PermissionDenied):
        operator_services.create_local_account(actor=operator, username="root", operator=True)
    assert not User.objects.filter(username__in=["another", "root"]).exists()


def test_a_refused_username_makes_no_account_and_no_record(db):
    with pytest.raises(ValidationError):
        operator_services.create_local_account(actor=None, username="has space")
    assert not User.objects.exists() and not AuditRecord.objects.exists()


def test_setting_a_password_is_audited_and_a_weak_one_refused(owner, colleague):
    with pytest.raises(ValidationError) as refused:
        operator_services.set_local_password(actor=owner, user=owner, password="owner")
    assert "password" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        operator_services.set_local_password(
            actor=colleague, user=owner, password="a long and unusual passphrase"
        )
    assert not AuditRecord.objects.filter(action="password.set").exists()
    operator_services.set_local_password(
        actor=owner, user=owner, password="a long and unusual passphrase"
    )
    owner.refresh_from_db()
    assert owner.check_password("a long and unusual passphrase")
    assert AuditRecord.objects.get(action="password.set").actor == owner


def test_cli_user_and_org_commands_leave_audit_records(cairn, db, tmp_path):
    assert cairn("vault", "create", "Log", "--initials", "AB", "--owner", "alex").exit_code == 0
    alex = User.objects.get(username="alex")
    assert AuditRecord.objects.get(action="account.created", object_id=str(alex.pk)).actor == (alex)
    secret = tmp_path / "password"
    secret.write_text("a long and unusual passphrase\n", encoding="utf-8")
    assert cairn("user", "set-password", "alex", "--password-file", secret).exit_code == 0
    assert AuditRecord.objects.get(action="password.set").actor == alex
    assert cairn("org", "create", "Northshire Police", "--kind", "police").exit_code == 0
    operator = User.objects.get(username="operator")
    assert operator.is_superuser
    assert (
        AuditRecord.objects.get(action="account.created", object_id=str(operator.pk)).actor
        == operator
    )


# Committed, as the real command runs (its own process, autocommit).
@pytest.mark.django_db(transaction=True)
def test_cli_keys_rotate_is_audited_with_the_operator_as_actor(cairn, vault):
    before = VaultKey.objects.get(vault=vault).kek_id
    result = cairn("keys", "rotate", "--yes")
    assert result.exit_code == 0, result.output
    keys.forget_cached_keys()
    after = VaultKey.objects.get(vault=vault).kek_id
    assert after != before
    record = AuditRecord.objects.get(action="kek.rotated")
    assert record.actor.username == "operator" and record.object_id == after
    assert record.detail == {"vault_keys": 1, "source": "local-file"}


def test_only_the_operator_rotates_the_kek(owner, vault):
    with pytest.raises(PermissionDenied):
        operator_services.rotate_kek(actor=owner)
    assert not AuditRecord.objects.filter(action="kek.rotated").exists()


@pytest.mark.django_db(transaction=True)
def test_a_rotation_whose_audit_record_fails_changes_no_key(vault, operator, monkeypatch):
    before = VaultKey.objects.get(vault=vault).wrapped
    kek_file = keys.local_kek_path().read_bytes()

    def refuse(**kwargs):
        raise RuntimeError("the audit log is full")

    monkeypatch.setattr("cairn.accounts.operator_services.audit.record", refuse)
    with pytest.raises(RuntimeError):
        operator_services.rotate_kek(actor=operator)
    assert bytes(VaultKey.objects.get(vault=vault).wrapped) == bytes(before)
    assert keys.local_kek_path().read_bytes() == kek_file
    assert not keys.local_kek_path().with_name("kek.new").exists()
