"""``cairn verify`` re-hashes incidents and revisions in a pool of processes (issue 19) and
finds exactly what one process finds: the installed command, on a data directory of its own,
with records changed behind the services' back."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

CAIRN = Path(sys.executable).with_name("cairn")


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Its own SQLite data directory, whichever database the suite runs on: the test edits it.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "CAIRN_DATA_DIR": str(root),
    }
    return subprocess.run(
        [str(CAIRN), *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_a_pool_of_processes_finds_what_one_process_finds(tmp_path):
    root = tmp_path / "data"
    made = _run(root, "demo")
    assert made.returncode == 0, made.stderr
    for workers in ("1", "2"):
        clean = _run(root, "verify", "--workers", workers)
        assert clean.returncode == 0, clean.stdout + clean.stderr
        assert "verified" in clean.stdout

    with sqlite3.connect(root / "cairn.sqlite3") as db:
        first, sealed = db.execute(
            "SELECT number, sealed FROM vault_incident ORDER BY number LIMIT 1"
        ).fetchone()
        (second,) = db.execute(
            "SELECT number FROM vault_incident ORDER BY number DESC LIMIT 1"
        ).fetchone()
        damaged = bytearray(sealed)
        damaged[-1] ^= 1
        db.execute("UPDATE vault_incident SET sealed = ? WHERE number = ?", (bytes(damaged), first))
        db.execute(
            "UPDATE vault_incident SET channel = CASE channel WHEN 'email' THEN 'in_person' "
            "ELSE 'email' END WHERE number = ?",
            (second,),
        )

    found = {}
    for workers in ("1", "2"):
        ran = _run(root, "verify", "--workers", workers)
        assert ran.returncode == 1, ran.stdout + ran.stderr
        found[workers] = sorted(line for line in ran.stdout.splitlines() if "FAIL" in line)
    assert found["2"] == found["1"]
    assert any(
        f"FAIL incident {first}: its encrypted text does not decrypt" in line for line in found["2"]
    )
    assert any(f"FAIL incident {second}: differs from what entry" in line for line in found["2"])
