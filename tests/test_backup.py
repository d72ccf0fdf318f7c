"""``cairn backup`` and ``cairn restore``, as an operator runs them: the installed command in
subprocesses, on instances of their own (SQLite, or a database of their own on the
PostgreSQL server of the run), with a KEK file and a backup keyring outside the data
directory."""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.test_cli import entry_point

PASSPHRASE = "a long backup passphrase"

# Writes incidents and exhibits as fast as it can until the stop file appears (at most 600):
# the backup is taken while this runs.
WRITER = """
import io, os, sys, time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from cairn.cli.runtime import setup_django
setup_django()
from cairn.vault import services
from cairn.vault.models import Vault

vault = Vault.objects.select_related("owner").get(initials="AB")
stop = Path(sys.argv[1])
start = datetime(2026, 1, 1, 8, tzinfo=UTC)
for n in range(600):
    if stop.exists():
        break
    incident = services.log_incident(actor=vault.owner, vault=vault, data=services.IncidentInput(
        start=start + timedelta(hours=n), channel="in_person", acts=["a"],
        description=f"Seen again {n}"))
    services.add_exhibit(actor=vault.owner, vault=vault, stream=io.BytesIO(os.urandom(20000)),
                         original_name=f"photo-{n}.bin", incident=incident)
    print(n, flush=True)
"""


def _new_database(tmp_path: Path) -> str | None:
    """A database of its own on the run's PostgreSQL server, or None on the SQLite run."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    import psycopg

    name = f"backup_{secrets.token_hex(6)}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


class Instance:
    def __init__(self, root: Path, kek: Path, keyring: Path) -> None:
        self.root = root
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CAIRN_", "DATABASE_URL", "DJANGO_"))
        }
        self.env.update(
            {
                "CAIRN_DATA_DIR": str(root / "data"),
                "CAIRN_KEK_FILE": str(kek),
                "CAIRN_BACKUP_KEYRING": str(keyring),
                "CAIRN_BACKUP_PASSPHRASE": PASSPHRASE,
            }
        )
        database = _new_database(root)
        if database:
            self.env["DATABASE_URL"] = database

    def cairn(self, *args: str, ok: bool = True, **extra: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*entry_point(), *args],
            env={**self.env, **extra},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if ok:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def vault_ids(self) -> dict[str, str]:
        listed = self.cairn("vault", "list", "--format", "json").stdout
        return {vault["name"]: vault["id"] for vault in json.loads(listed)}


@pytest.fixture
def secrets_dir(tmp_path):
    """The KEK and the keyring, kept apart from every data directory."""
    folder = tmp_path / "secrets"
    folder.mkdir()
    (folder / "kek").write_text(base64.b64encode(os.urandom(32)).decode())
    return folder


@pytest.fixture
def make_instance(tmp_path, secrets_dir):
    made = 0

    def make(keyring: Path | None = None) -> Instance:
        nonlocal made
        made += 1
        root = tmp_path / f"instance-{made}"
        root.mkdir()
        return Instance(root, secrets_dir / "kek", keyring or secrets_dir / "keyring.json")

    return make


def _verified(instance: Instance) -> str:
    result = instance.cairn("verify", ok=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_backup_taken_during_writes_restores_elsewhere_and_verifies(make_instance, tmp_path):
    source = make_instance()
    source.cairn("vault", "create", "My log", "--initials", "AB", "--owner", "alex")
    stop = tmp_path / "stop-writing"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop)],
        env=source.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        assert writer.stdout is not None
        for _ in range(3):  # a few writes done before the backup starts
            line = writer.stdout.readline()
            assert line, writer.stderr.read() if writer.stderr else ""
        backup = tmp_path / "during-writes.cairn"
        source.cairn("backup", "--out", str(backup))
        assert writer.poll() is None, (
            writer.stderr.read()
            if writer.stderr
            else "the writer should still be writing after the backup"
        )
    finally:
        stop.touch()
        writer.wait(timeout=120)
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""

    with tarfile.open(backup) as outer:
        assert outer.getnames() == ["cairn-backup.json", "identity.age", "payload.tar.age"]
    target = make_instance()
    restored = target.cairn("restore", str(backup))
    assert "Restored backup" in restored.stdout
    report = _verified(target)
    assert "verified" in report and "content not checked" not in report

    # Every incident restored reads, and each has its exhibit, except perhaps the last one
    # (the writer logs an incident, then adds its exhibit: two transactions).
    incidents = json.loads(target.cairn("incident", "list", "--format", "json").stdout)
    assert len(incidents) >= 3
    assert all(item["description"].startswith("Seen again") for item in incidents)
    assert sum(1 for item in incidents if item["exhibits"]) >= len(incidents) - 1
    written = json.loads(source.cairn("incident", "list", "--format", "json").stdout)
    assert len(incidents) <= len(written)


def test_a_vault_destroyed_after_a_backup_stays_destroyed_when_it_is_restored(
    make_instance, tmp_path, secrets_dir
):
    source = make_instance()
    source.cairn("vault", "create", "Kept", "--initials", "KP", "--owner", "kim")
    source.cairn("vault", "create", "Closed", "--initials", "CL", "--owner", "cal")
    ids = source.vault_ids()
    kept, closed = ids["Kept"], ids["Closed"]
    for vault in (kept, closed):
        source.cairn(
            "--vault",
            vault,
            "incident",
            "add",
            "--start",
            "2026-11-20T08:10",
            "--channel",
            "in_person",
            "--acts",
            "a",
            "--description",
            "At the door",
        )
    backup = tmp_path / "before.cairn"
    source.cairn("backup", "--out", str(backup))
    keyring = json.loads((secrets_dir / "keyring.json").read_text())
    assert set(keyring["keys"]) == {kept, closed}

    source.cairn("--vault", closed, "vault", "destroy", "--yes")
    keyring = json.loads((secrets_dir / "keyring.json").read_text())
    assert closed not in keyring["keys"] and closed in keyring["destroyed"]

    target = make_instance()
    restored = target.cairn("restore", str(backup))
    assert "1 destroyed vault(s) stay destroyed" in restored.stdout
    report = _verified(target)
    lines = {line.split(":")[0].removeprefix("Vault "): line for line in report.splitlines()}
    assert "content not checked: this vault's key was destroyed" in lines[closed]
    assert "content not checked" not in lines[kept]
    read = target.cairn("--vault", closed, "incident", "list", ok=False)
    assert read.returncode != 0 and "destroyed" in read.stderr


def test_the_keyring_forgets_a_destroyed_vault_at_the_next_backup_when_it_is_elsewhere(
    make_instance, tmp_path, secrets_dir
):
    """A web server without the keyring destroys a vault; the backup host forgets its key."""
    source = make_instance()
    source.cairn("vault", "create", "Closed", "--initials", "CL", "--owner", "cal")
    [closed] = source.vault_ids().values()
    source.cairn("backup", "--out", str(tmp_path / "first.cairn"))
    source.cairn(
        "--vault",
        closed,
        "vault",
        "destroy",
        "--yes",
        CAIRN_BACKUP_KEYRING=str(tmp_path / "nowhere" / "keyring.json"),
    )
    assert closed in json.loads((secrets_dir / "keyring.json").read_text())["keys"]
    source.cairn("backup", "--out", str(tmp_path / "second.cairn"))
    keyring = json.loads((secrets_dir / "keyring.json").read_text())
    assert closed not in keyring["keys"] and closed in keyring["destroyed"]


def test_restore_refuses_a_data_directory_in_use_a_wrong_passphrase_and_an_old_keyring(
    make_instance, tmp_path, secrets_dir
):
    source = make_instance()
    source.cairn("vault", "create", "My log", "--initials", "AB", "--owner", "alex")
    backup = tmp_path / "b.cairn"
    source.cairn("backup", "--out", str(backup))

    in_use = source.cairn("restore", str(backup), ok=False)
    assert in_use.returncode == 1
    assert "is not empty" in in_use.stderr

    target = make_instance()
    wrong = target.cairn(
        "restore", str(backup), ok=False, CAIRN_BACKUP_PASSPHRASE="not the passphrase"
    )
    assert wrong.returncode == 1
    assert wrong.stderr.strip().splitlines() == [
        "cairn: restore: the passphrase does not open this backup"
    ]
    assert not (target.root / "data").exists() or not any((target.root / "data").iterdir())

    empty_keyring = tmp_path / "old-keyring.json"
    old = make_instance(keyring=empty_keyring)
    refused = old.cairn("restore", str(backup), ok=False)
    assert refused.returncode == 1
    assert "has no key for 1 vault(s)" in refused.stderr

    other_kek = tmp_path / "other-kek"
    other_kek.write_text(base64.b64encode(os.urandom(32)).decode())
    wrong_kek = make_instance()
    refused = wrong_kek.cairn("restore", str(backup), ok=False, CAIRN_KEK_FILE=str(other_kek))
    assert refused.returncode == 1
    assert "does not open this backup's vault keys" in refused.stderr


def test_an_incremental_backup_holds_only_new_files_and_restores_with_its_chain(
    make_instance, tmp_path
):
    source = make_instance()
    source.cairn("vault", "create", "My log", "--initials", "AB", "--owner", "alex")
    first_file = tmp_path / "first.bin"
    first_file.write_bytes(os.urandom(50_000))
    source.cairn("exhibit", "add", str(first_file))
    chain = tmp_path / "chain"
    chain.mkdir()
    source.cairn("backup", "--out", str(chain / "monday.cairn"))
    second_file = tmp_path / "second.bin"
    second_file.write_bytes(os.urandom(50_000))
    source.cairn("exhibit", "add", str(second_file))
    made = source.cairn(
        "backup", "--out", str(chain / "tuesday.cairn"), "--since", str(chain / "monday.cairn")
    )
    assert "2 evidence files (1 in this file" in made.stdout

    target = make_instance()
    target.cairn("restore", str(chain / "tuesday.cairn"))
    assert "2 files: verified" in _verified(target)

    shutil.move(chain / "monday.cairn", tmp_path / "monday.cairn")
    alone = make_instance()
    refused = alone.cairn("restore", str(chain / "tuesday.cairn"), ok=False)
    assert refused.returncode == 1
    assert "continues monday.cairn" in refused.stderr


def test_a_backup_to_an_age_recipient_restores_with_its_identity(make_instance, tmp_path):
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    identity_file = tmp_path / "unit.key"
    identity_file.write_text(f"# the backup key\n{identity}\n")
    source = make_instance()
    source.cairn("vault", "create", "My log", "--initials", "AB", "--owner", "alex")
    backup = tmp_path / "b.cairn"
    source.cairn(
        "backup",
        "--out",
        str(backup),
        "--to",
        str(identity.to_public()),
        CAIRN_BACKUP_PASSPHRASE="",
    )
    with tarfile.open(backup) as outer:
        assert "identity.age" not in outer.getnames()
    target = make_instance()
    needs = target.cairn("restore", str(backup), ok=False)
    assert "give its identity file with --identity" in needs.stderr
    target.cairn("restore", str(backup), "--identity", str(identity_file))
    assert "verified" in _verified(target)


def test_a_backup_refuses_a_kek_kept_inside_the_data_directory(tmp_path, make_instance):
    source = make_instance()
    source.env.pop("CAIRN_KEK_FILE")
    source.cairn("vault", "create", "My log", "--initials", "AB", "--owner", "alex")
    refused = source.cairn("backup", "--out", str(tmp_path / "b.cairn"), ok=False)
    assert refused.returncode == 1
    assert "keeps its key-encryption key in the data directory" in refused.stderr
    assert not (tmp_path / "b.cairn").exists()
    assert not list(tmp_path.glob("b.cairn*"))


def test_an_instance_on_object_storage_backs_up_and_restores_onto_object_storage(
    make_instance, tmp_path, seaweedfs
):
    source = make_instance()
    source.env.update(seaweedfs.env())
    source.cairn("vault", "create", "My log", "--initials", "AB", "--owner", "alex")
    video = tmp_path / "doorbell.bin"
    video.write_bytes(os.urandom(9 * 1024 * 1024))  # more than one upload part
    source.cairn("exhibit", "add", str(video))
    backup = tmp_path / "b.cairn"
    source.cairn("backup", "--out", str(backup))

    target = make_instance()
    target.env.update(seaweedfs.env())
    target.cairn("restore", str(backup))
    assert "1 files: verified" in _verified(target)

    in_use = make_instance()
    in_use.env.update(seaweedfs.env())
    in_use.env["CAIRN_STORAGE_URL"] = source.env["CAIRN_STORAGE_URL"]
    refused = in_use.cairn("restore", str(backup), ok=False)
    assert refused.returncode == 1
    assert "the evidence store is not empty" in refused.stderr


def test_an_object_store_that_does_not_answer_is_named_in_one_line(make_instance, tmp_path):
    instance = make_instance()
    instance.env.update(
        {
            "CAIRN_STORAGE_URL": "s3://nowhere?endpoint=http://127.0.0.1:9",
            "CAIRN_STORAGE_ACCESS_KEY": "a",
            "CAIRN_STORAGE_SECRET_KEY": "b",
        }
    )
    instance.cairn("vault", "create", "My log", "--initials", "AB", "--owner", "alex")
    photo = tmp_path / "photo.bin"
    photo.write_bytes(b"photo")
    failed = instance.cairn("exhibit", "add", str(photo), ok=False)
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [
        "cairn: file: the object store could not look up a file: EndpointConnectionError"
    ]
