"""Everything Cairn makes on disk is its user's alone: folders 0700, files 0600 (issue 18).

The installed command is run with a login's usual umask (022) on a fresh data directory:
a log, an incident, an exhibit, a checkpoint (the signing key), a session's secret key, the
static files, an evidence pack written elsewhere. Then every folder and file Cairn made is
checked. An existing data folder left open by an older Cairn is closed at the next start.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import PNG, entry_point

LOGIN_UMASK = 0o022


@pytest.fixture
def data_dir_env(tmp_path):
    """A subprocess's environment on a fresh data dir of its own (SQLite there)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CAIRN_", "DATABASE_URL", "DJANGO_"))
    }
    env["CAIRN_DATA_DIR"] = str(tmp_path / "data")
    return env


def run(env, *args):
    return subprocess.run(
        [*map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        preexec_fn=lambda: os.umask(LOGIN_UMASK),
    )


def cairn(env, *args):
    done = run(env, *entry_point(), *args)
    assert done.returncode == 0, done.stderr
    return done


def open_to_others(root: Path) -> list[str]:
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            continue
        if mode & 0o077:
            found.append(f"{path.relative_to(root.parent)} {oct(mode)}")
    return found


def test_what_cairn_makes_is_closed_to_other_users(data_dir_env, tmp_path):
    data = Path(data_dir_env["CAIRN_DATA_DIR"])
    cairn(data_dir_env, "vault", "create", "My log", "--initials", "AB", "--owner", "alex")
    cairn(
        data_dir_env,
        "incident",
        "add",
        "--start",
        "2025-07-01T14:00",
        "--channel",
        "in_person",
        "--acts",
        "a",
        "--description",
        "He was at the gate",
    )
    photo = tmp_path / "gate.png"
    photo.write_bytes(PNG)
    cairn(data_dir_env, "exhibit", "add", str(photo), "--incident", "1")
    cairn(data_dir_env, "checkpoint")
    collected = run(
        {**data_dir_env, "DJANGO_SETTINGS_MODULE": "cairn.settings"},
        sys.executable,
        "-m",
        "django",
        "collectstatic",
        "--noinput",
        "--verbosity",
        "0",
    )
    assert collected.returncode == 0, collected.stderr
    out = tmp_path / "out"
    out.mkdir()
    cairn(data_dir_env, "pack", "--out", str(out / "pack.zip"))

    made = {p.relative_to(data).parts[0] for p in data.rglob("*")}
    assert {"cairn.sqlite3", "evidence", "keys", "static", "secret_key"} <= made
    assert open_to_others(data) == []
    assert stat.S_IMODE((out / "pack.zip").stat().st_mode) == 0o600


def test_an_open_data_folder_is_closed_at_the_next_start(data_dir_env):
    data = Path(data_dir_env["CAIRN_DATA_DIR"])
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    cairn(data_dir_env, "vault", "list")
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
