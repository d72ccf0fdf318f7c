"""A consistent copy of the database while the instance runs, and putting one back.

SQLite: the online backup API copies every page under one read transaction (WAL lets the
writers carry on), into a file of our own; in that copy every wrapped vault key is blanked
with ``secure_delete`` on, and the file is vacuumed, so no page of it still holds a key.

PostgreSQL: a REPEATABLE READ transaction exports its snapshot; the rows this module reads
(keys, heads, exhibits) and ``pg_dump --snapshot`` see exactly the same moment. The dump
(custom format) leaves out the rows of ``store_vaultkey``, so no wrapped key is ever in it.

Either way the caller gets the rows it needs from the same moment as the dump (``Rows``),
and the wrapped keys only from here, to seal under the backup keyring.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEY_TABLE = "store_vaultkey"


class DatabaseBackupError(RuntimeError):
    """The database could not be copied or restored: the message says why."""


@dataclass
class KeyRow:
    vault_id: str
    wrapped: bytes
    kek_id: str
    created_at: str
    destroyed_at: str | None


@dataclass
class Rows:
    """What the backup needs to know about the database, at the moment of the dump."""

    engine: str
    keys: list[KeyRow] = field(default_factory=list)
    heads: dict[str, dict[str, Any]] = field(default_factory=dict)  # vault -> ledger state
    exhibits: set[tuple[str, str]] = field(default_factory=set)  # (vault, sha256)
    migrations: int = 0


def _vault(value: Any) -> str:
    return str(uuid.UUID(str(value)))


def _read_rows(cursor: Any, engine: str) -> Rows:
    from cairn.ledger.frontier import frontier_root, split

    rows = Rows(engine=engine)
    cursor.execute("SELECT vault_id, wrapped, kek_id, created_at, destroyed_at FROM store_vaultkey")
    for vault_id, wrapped, kek, created, destroyed in cursor.fetchall():
        rows.keys.append(
            KeyRow(
                _vault(vault_id),
                bytes(wrapped or b""),
                str(kek),
                str(created),
                None if destroyed is None else str(destroyed),
            )
        )
    cursor.execute("SELECT vault_id, size, frontier FROM ledger_ledgerstate")
    for vault_id, size, frontier in cursor.fetchall():
        rows.heads[_vault(vault_id)] = {
            "entries": int(size),
            "root": frontier_root(split(bytes(frontier))).hex(),
        }
    cursor.execute(
        "SELECT vault_id, size, root_hash, timestamp FROM ledger_treehead ORDER BY vault_id, size"
    )
    for vault_id, size, root, timestamp in cursor.fetchall():
        rows.heads.setdefault(_vault(vault_id), {})["signed"] = {
            "size": int(size),
            "root": bytes(root).hex(),
            "timestamp": str(timestamp),
        }
    cursor.execute("SELECT vault_id, sha256 FROM vault_exhibit")
    rows.exhibits = {(_vault(v), str(s)) for v, s in cursor.fetchall()}
    cursor.execute("SELECT count(*) FROM django_migrations")
    rows.migrations = int(cursor.fetchone()[0])
    return rows


# --- SQLite ----------------------------------------------------------------------------------


def snapshot_sqlite(source: Path, target: Path) -> Rows:
    """Copy the live database to ``target`` (keys blanked) and read its rows."""
    live = sqlite3.connect(str(source), timeout=60)
    copy = sqlite3.connect(str(target))
    try:
        live.backup(copy)  # all pages in one step: one consistent moment
    finally:
        live.close()
    try:
        rows = _read_rows(copy.cursor(), "sqlite")
        copy.execute("PRAGMA secure_delete = ON")
        copy.execute("UPDATE store_vaultkey SET wrapped = X''")
        copy.commit()
        copy.execute("PRAGMA journal_mode = DELETE")
        copy.execute("VACUUM")
    finally:
        copy.close()
    return rows


def restore_sqlite(dump: Path, target: Path) -> None:
    if target.exists():
        raise DatabaseBackupError(f"{target} already exists")
    shutil.copyfile(dump, target)


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    """The newest PostgreSQL client tool installed (a dump needs one at least as new as the
    server)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if found:
        return str(found[-1])
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise DatabaseBackupError(f"{name} is not installed (Debian: the postgresql-client package)")


def _pg_environment(database: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    return env


def _pg_connect(database: dict[str, Any]) -> Any:
    import psycopg

    options = {
        "dbname": database.get("NAME"),
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }
    return psycopg.connect(**{k: v for k, v in options.items() if v is not None})


def snapshot_postgresql(database: dict[str, Any], target: Path) -> Rows:
    import psycopg

    connection = _pg_connect(database)
    try:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            rows = _read_rows(cursor, "postgresql")
            result = subprocess.run(
                [
                    _pg_tool("pg_dump"),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--exclude-table-data={KEY_TABLE}",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={target}",
                ],
                env=_pg_environment(database),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise DatabaseBackupError(f"pg_dump failed: {result.stderr.strip()[-500:]}")
        connection.rollback()
    finally:
        connection.close()
    return rows


def postgresql_is_empty(database: dict[str, Any]) -> bool:
    connection = _pg_connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
            return int(cursor.fetchone()[0]) == 0
    finally:
        connection.close()


def restore_postgresql(dump: Path, database: dict[str, Any]) -> None:
    result = subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={database.get('NAME')}",
            str(dump),
        ],
        env=_pg_environment(database),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DatabaseBackupError(f"pg_restore failed: {result.stderr.strip()[-500:]}")
