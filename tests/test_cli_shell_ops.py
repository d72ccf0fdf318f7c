"""``cairn backup``, ``cairn restore`` and ``cairn worker`` as an operator runs them: the
installed command in a subprocess, on data directories of their own (``tests/shell.py``).
Bad input is one line naming what is wrong, and changes nothing.

The backups keep the key-encryption key and the backup keyring outside every data directory,
as docs/operations.md asks (``cairn backup`` refuses a KEK kept inside it). The fuller cases
(writes during the backup, destroyed vaults, incremental backups, object storage) are in
tests/test_backup.py; a killed worker's import in tests/test_serve_worker.py.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import shell
from tests.shell import DataDir, Ran, bad_input, ok, one_line_error, usual
from tests.test_import_pipeline import CHAT
from tests.test_serve_worker import DATABASE_TASKS, ENQUEUE

PASSPHRASE = "a long backup passphrase"
ROOT = Path(__file__).resolve().parents[1]


class Operated(DataDir):
    """A data directory whose KEK and backup keyring live in ``secrets``, outside it."""

    def __init__(self, root: Path, database: str | None, secrets: Path) -> None:
        super().__init__(root, database)
        self.secrets = secrets

    @property
    def env(self) -> dict[str, str]:
        return {
            **super().env,
            "CAIRN_KEK_FILE": str(self.secrets / "kek"),
            "CAIRN_BACKUP_KEYRING": str(self.secrets / "keyring.json"),
            "CAIRN_BACKUP_PASSPHRASE": PASSPHRASE,
        }


@pytest.fixture
def operated(tmp_path) -> Iterator[object]:
    """Makes operated data directories (a database of their own on the PostgreSQL run) that
    share one KEK and keyring, as an instance and its restored copy do."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "kek").write_text(base64.b64encode(os.urandom(32)).decode())
    databases: list[str] = []

    def make(name: str) -> Operated:
        database = shell._new_database() if shell.SERVER_URL is not None else None
        if database is not None:
            databases.append(database)
        return Operated(tmp_path / name, database, secrets)

    yield make
    for database in databases:
        shell._drop_database(database)


def _with_a_vault(make, name: str = "source") -> Operated:
    source = make(name)
    ok(source("vault", "create", "My log", "--initials", "AB", "--owner", "alex"))
    ok(
        source(
            "incident",
            "add",
            "--start",
            "2026-11-02T08:15",
            "--channel",
            "in_person",
            "--acts",
            "a",
            "--description",
            "He was at the school gate",
        )
    )
    return source


@usual("backup", "restore")
def test_a_backup_restores_into_a_new_data_directory_and_verifies(operated, tmp_path):
    source = _with_a_vault(operated)
    backup = tmp_path / "instance.cairn"
    written = ok(source("backup", "--out", backup)).stdout
    assert "1 vaults" in written and backup.is_file()

    target = operated("restored")
    restored = ok(target("restore", backup)).stdout
    assert "Restored backup" in restored and "Now run: cairn verify" in restored
    ok(target("verify"))
    listed = json.loads(
        ok(target("incident", "list", "--vault", "My log", "--format", "json")).stdout
    )
    assert [incident["description"] for incident in listed] == ["He was at the school gate"]


@bad_input("backup")
def test_backup_refuses_a_kek_in_the_data_directory_a_missing_folder_and_a_bad_recipient(
    shell_demo, operated, tmp_path
):
    # The demo keeps its KEK in the data directory: a backup without it would be unreadable.
    inside = shell_demo(
        "backup", "--out", tmp_path / "demo.cairn", env={"CAIRN_BACKUP_PASSPHRASE": PASSPHRASE}
    )
    one_line_error(inside, "key-encryption key in the data directory")

    source = _with_a_vault(operated)
    one_line_error(
        source("backup", "--out", tmp_path / "nowhere" / "b.cairn"), "out:", "does not exist"
    )
    one_line_error(source("backup", "--out", tmp_path / "b.cairn", "--to", "not-a-key"), "to:")
    one_line_error(
        source("backup", "--out", tmp_path / "b.cairn", env={"CAIRN_BACKUP_PASSPHRASE": ""}),
        "passphrase:",
        "CAIRN_BACKUP_PASSPHRASE",
    )
    assert not list(tmp_path.glob("*.cairn*"))


@bad_input("restore")
def test_restore_refuses_a_data_directory_in_use_and_a_wrong_passphrase(operated, tmp_path):
    source = _with_a_vault(operated)
    backup = tmp_path / "instance.cairn"
    ok(source("backup", "--out", backup))

    one_line_error(source("restore", backup), "is not empty")
    ok(source("verify"))

    target = operated("restored")
    wrong = target("restore", backup, env={"CAIRN_BACKUP_PASSPHRASE": "not the passphrase"})
    assert one_line_error(wrong) == "cairn: restore: the passphrase does not open this backup"
    assert not target.root.exists() or not any(target.root.iterdir())
    one_line_error(target("restore", tmp_path / "no-such.cairn"), "no-such.cairn")


@contextmanager
def _worker(data: DataDir) -> Iterator[subprocess.Popen[str]]:
    """``cairn worker`` running until the block ends; then stopped with SIGTERM, as a
    service manager stops it, and recorded as a run of ``cairn worker``."""
    worker = subprocess.Popen(
        [str(shell.CAIRN), "worker"],
        env=data.env,
        cwd=data.root.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)
        started = time.monotonic()
        stdout, stderr = worker.communicate(timeout=shell.TIMEOUT)
        stopped_in = time.monotonic() - started
    ran = Ran(("worker",), "worker", worker.returncode, stdout, stderr, stopped=True)
    with shell._runs_lock:
        shell._runs.append(ran)
    assert "Traceback" not in stdout + stderr, str(ran)
    assert worker.returncode in (0, -signal.SIGTERM, 128 + signal.SIGTERM), str(ran)
    assert stopped_in < 30, f"cairn worker took {stopped_in:.0f} s to stop\n{ran}"


@usual("worker")
def test_a_worker_runs_an_import_queued_by_another_process_and_stops_on_sigterm(shell_empty):
    ok(shell_empty("vault", "create", "My log", "--initials", "AB", "--owner", "alex"))
    with _worker(shell_empty):
        enqueued = subprocess.run(
            [sys.executable, "-c", ENQUEUE],
            env={**shell_empty.env, "CAIRN_TASKS_BACKEND": DATABASE_TASKS},
            input=CHAT.encode(),
            capture_output=True,
            cwd=ROOT,
            timeout=shell.TIMEOUT,
            check=False,
        )
        assert enqueued.returncode == 0, enqueued.stderr.decode()
    result = json.loads(enqueued.stdout.decode().strip().splitlines()[-1])
    assert result == {"queued": "queued", "final": "done", "batch": True}


@bad_input("worker")
def test_a_worker_refuses_a_task_backend_that_is_not_the_database_queue(shell_empty):
    immediate = shell_empty(
        "worker", env={"CAIRN_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    )
    one_line_error(immediate, "worker: CAIRN_TASKS_BACKEND must be the database queue")
