"""``cairn backup`` and ``cairn restore``: a whole instance, consistent, while it runs.

A backup holds, in one age-encrypted payload (archive.py): the database at one moment
(database.py) with every wrapped vault key blanked; the vault keys, each sealed under its
vault's key in the backup keyring (store/keyring.py); the instance's keys folder without
the KEK; the secret key; and the evidence files as they are stored (already encrypted with
the vault keys), by content address. With ``since`` it holds only the evidence files that
the previous backup of its chain did not, and the restore reads them from there.

What a restore needs from outside the backup: the passphrase or age identity, the KEK in
use when it was taken, and the backup keyring. What it refuses: a data directory (or
database, or object store) that is not empty; a KEK that does not open the keys; a keyring
that has never heard of a vault in the backup. A vault the keyring says was destroyed is
restored destroyed: its rows come back (the ledger still proves what it held), its key and
its files do not. docs/operations.md and docs/adr/0048-backups-and-crypto-shredding.md say
why, and what that guarantees.
"""

from __future__ import annotations

import base64
import json
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from cairn.backup import archive, database
from cairn.backup.archive import Catalogue
from cairn.store import keyring as keyring_module
from cairn.store import keys as vault_keys
from cairn.store.blobs import default_store

MANIFEST = "manifest.json"
VAULT_KEYS = "vault-keys.json"
MANIFEST_FORMAT = "cairn-backup-manifest/1"
SKIPPED_KEY_FILES = {"kek", "kek.new"}

Progress = Callable[[str, int, int], None]


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def _quiet(step: str, done: int, total: int) -> None:
    del step, done, total


def keyring_file() -> keyring_module.KeyringFile:
    configured = getattr(settings, "CAIRN_BACKUP_KEYRING", "")
    if not configured:
        raise BackupError("CAIRN_BACKUP_KEYRING is not set: name a file outside the data "
                          "directory for the backup keyring (see docs/operations.md)")
    path = Path(configured).resolve()
    data_dir = Path(settings.DATA_DIR).resolve()
    if path == data_dir or data_dir in path.parents:
        raise BackupError("CAIRN_BACKUP_KEYRING must be outside the data directory: a keyring "
                          "inside it would be copied with it")
    return keyring_module.KeyringFile(path)


def _require_kek_outside() -> str:
    source = vault_keys.kek_source()
    if source == "local-file":
        raise BackupError(
            "this instance keeps its key-encryption key in the data directory (keys/kek), and "
            "a backup never holds the KEK: copy that file somewhere safe outside the data "
            "directory, set CAIRN_KEK_FILE to the copy, check that Cairn still opens "
            "(cairn verify), then delete keys/kek and back up")
    return source


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _version() -> str:
    try:
        return metadata.version("cairn")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass
class BackupSummary:
    id: str
    vaults: int
    destroyed: int
    files: int
    files_new: int
    bytes_new: int


def take_backup(out: Path, *, recipients: list[Any] | None = None,
                passphrase: str | None = None, since: Path | None = None,
                progress: Progress = _quiet) -> BackupSummary:
    """Write a backup of the whole instance to ``out`` (see the module docstring)."""
    kek_source = _require_kek_outside()
    ring = keyring_file()
    out = Path(out).resolve()
    if out.exists():
        raise BackupError(f"out: {out} already exists")
    previous = archive.read_catalogue(since) if since else None
    backup_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + secrets.token_hex(4)
    store = default_store()
    db = settings.DATABASES["default"]
    with tempfile.TemporaryDirectory(prefix=".cairn-backup-", dir=out.parent) as work:
        progress("database", 0, 1)
        if db["ENGINE"].endswith("sqlite3"):
            dump = Path(work) / "cairn.sqlite3"
            rows = database.snapshot_sqlite(Path(db["NAME"]), dump)
        else:
            dump = Path(work) / "cairn.pgdump"
            rows = database.snapshot_postgresql(db, dump)
        progress("database", 1, 1)
        live = [k for k in rows.keys if k.wrapped and k.destroyed_at is None]
        destroyed = [k.vault_id for k in rows.keys if not (k.wrapped and k.destroyed_at is None)]
        backup_keys = ring.keys_for([k.vault_id for k in live], destroyed)

        live_ids = {k.vault_id for k in live}
        objects = [o for o in store.backend.objects() if o.namespace in live_ids]
        present = {(o.namespace, o.sha256) for o in objects}
        missing = sorted(e for e in rows.exhibits if e[0] in live_ids and e not in present)
        if missing:
            raise BackupError(f"{len(missing)} exhibit files are missing from the store "
                              f"(first: vault {missing[0][0]}, file {missing[0][1][:16]}…): "
                              "run cairn verify")
        catalogue = Catalogue(id=backup_id, created_at=_now(),
                              encryption="recipients" if recipients else "passphrase",
                              since=previous.id if previous else None,
                              files=dict(previous.files) if previous else {})
        catalogue.files[backup_id] = out.name
        new = []
        for obj in objects:
            name = f"{obj.namespace}/{obj.sha256}"
            held = previous.evidence.get(name) if previous else None
            if held is not None and held in catalogue.files:
                catalogue.evidence[name] = held
            else:
                catalogue.evidence[name] = backup_id
                new.append(obj)

        manifest = {
            "format": MANIFEST_FORMAT, "id": backup_id, "created_at": catalogue.created_at,
            "cairn": _version(), "since": catalogue.since,
            "database": {"engine": rows.engine, "file": dump.name,
                         "migrations": rows.migrations},
            "kek_source": kek_source,
            "kek_ids": sorted({k.kek_id for k in live}),
            "secret_key": "file" if (Path(settings.DATA_DIR) / "secret_key").exists()
            else "environment",
            "vaults": {k.vault_id: {"key": "live" if k.vault_id in live_ids else "destroyed",
                                    "destroyed_at": k.destroyed_at,
                                    "ledger": rows.heads.get(k.vault_id, {})}
                       for k in rows.keys},
            "evidence": [{"namespace": o.namespace, "sha256": o.sha256, "size": o.size,
                          "in": catalogue.evidence[f"{o.namespace}/{o.sha256}"]}
                         for o in objects],
        }
        sealed = {k.vault_id: {"kek_id": k.kek_id, "created_at": k.created_at,
                               "sealed": base64.b64encode(keyring_module.seal(
                                   backup_keys[k.vault_id], k.wrapped, k.vault_id)).decode()}
                  for k in live}

        writer = archive.BackupWriter(out, catalogue, recipients=recipients,
                                      passphrase=passphrase)
        try:
            writer.add_bytes(MANIFEST, json.dumps(manifest, indent=1).encode())
            writer.add_bytes(VAULT_KEYS, json.dumps(sealed, indent=1).encode())
            for name, data in _instance_files().items():
                writer.add_bytes(name, data)
            with dump.open("rb") as handle:
                writer.add_stream(f"database/{dump.name}", handle, dump.stat().st_size)
            for number, obj in enumerate(new, 1):
                with store.backend.open(obj.namespace, obj.sha256) as handle:
                    writer.add_stream(f"evidence/{obj.namespace}/{obj.sha256}", handle,
                                      obj.size)
                progress("evidence", number, len(new))
            writer.close()
        except BaseException:
            writer.abort()
            raise
    return BackupSummary(id=backup_id, vaults=len(live), destroyed=len(destroyed),
                         files=len(objects), files_new=len(new),
                         bytes_new=sum(o.size for o in new))


def _instance_files() -> dict[str, bytes]:
    """The keys folder (never the KEK) and the secret key file."""
    found: dict[str, bytes] = {}
    keys_dir = Path(settings.CAIRN_KEYS_DIR)
    if keys_dir.is_dir():
        for path in sorted(keys_dir.iterdir()):
            if path.is_file() and path.name not in SKIPPED_KEY_FILES \
                    and not path.name.endswith((".tmp", ".lock")):
                found[f"keys/{path.name}"] = path.read_bytes()
    secret = Path(settings.DATA_DIR) / "secret_key"
    if secret.exists():
        found["secret_key"] = secret.read_bytes()
    return found


# --- restore ---------------------------------------------------------------------------------

@dataclass
class RestoreSummary:
    id: str
    vaults: int
    destroyed: list[str] = field(default_factory=list)
    files: int = 0
    mismatched_heads: list[str] = field(default_factory=list)


def store_is_empty() -> bool:
    backend = default_store().backend
    return next(iter(backend.objects()), None) is None


def restore(path: Path, *, passphrase: str | None = None, identity_text: str | None = None,
            progress: Progress = _quiet) -> RestoreSummary:
    """Restore a backup into this (empty) instance. The caller checked the data directory."""
    ring = keyring_file().read()
    path = Path(path).resolve()
    catalogue = archive.read_catalogue(path)
    identities = archive.identities_for(path, passphrase=passphrase,
                                        identity_text=identity_text)
    db = settings.DATABASES["default"]
    sqlite = db["ENGINE"].endswith("sqlite3")
    if not sqlite and not database.postgresql_is_empty(db):
        raise BackupError("restore: the database DATABASE_URL names is not empty")
    if not store_is_empty():
        raise BackupError("restore: the evidence store is not empty")
    store = default_store()
    summary = RestoreSummary(id=catalogue.id, vaults=0)
    state: dict[str, Any] = {"passphrase": passphrase}
    from_earlier: dict[str, list[dict[str, Any]]] = {}

    with archive.open_payload(path, identities) as tar, \
            tempfile.TemporaryDirectory(prefix=".cairn-restore-",
                                        dir=Path(settings.DATA_DIR)) as work:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None:
                continue
            name = member.name
            if name == MANIFEST:
                state["manifest"] = _manifest(handle.read())
            elif name == VAULT_KEYS:
                state["keys"] = _vault_keys(json.loads(handle.read()), state, ring, summary)
            elif name.startswith("keys/") or name == "secret_key":
                state.setdefault("files", {})[name] = handle.read()
            elif name.startswith("database/"):
                _restore_database(handle, Path(work), state, sqlite, db)
            elif name.startswith("evidence/"):
                _restore_file(store, name, handle, state, summary)
                progress("evidence", summary.files, len(state["manifest"]["evidence"]))
        manifest = state.get("manifest")
        if manifest is None or "database_done" not in state:
            raise BackupError(f"{path}: the payload is incomplete")
        for entry in manifest["evidence"]:
            if entry["in"] != manifest["id"] and entry["namespace"] not in summary.destroyed:
                from_earlier.setdefault(entry["in"], []).append(entry)
    for earlier, entries in sorted(from_earlier.items()):
        _restore_from_earlier(path, catalogue, earlier, entries, identities, state, store,
                              summary)
    _finish(state, summary)
    return summary


def _manifest(raw: bytes) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(raw)
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError("restore: the payload's manifest is not one this Cairn reads")
    return manifest


def _vault_keys(sealed: dict[str, Any], state: dict[str, Any], ring: Any,
                summary: RestoreSummary) -> dict[str, tuple[bytes, str]]:
    manifest = state["manifest"]
    unknown = [v for v in sealed if v not in ring.keys and v not in ring.destroyed]
    if unknown:
        raise BackupError(
            f"restore: the backup keyring has no key for {len(unknown)} vault(s) of this "
            f"backup and does not say they were destroyed (first: {unknown[0]}): it is older "
            "than the backup, or another instance's. Use the current keyring "
            "(CAIRN_BACKUP_KEYRING)")
    opened: dict[str, tuple[bytes, str]] = {}
    for vault, item in sealed.items():
        if vault in ring.destroyed:
            summary.destroyed.append(vault)
            continue
        wrapped = keyring_module.unseal(ring.keys[vault], base64.b64decode(item["sealed"]),
                                        vault)
        opened[vault] = (wrapped, item["kek_id"], item["created_at"])
    summary.destroyed.extend(v for v, info in manifest["vaults"].items()
                             if info["key"] == "destroyed" and v not in summary.destroyed)
    summary.vaults = len(opened)
    return opened


def _write_instance_files(files: dict[str, bytes]) -> None:
    keys_dir = Path(settings.CAIRN_KEYS_DIR)
    for name, data in files.items():
        if name == "secret_key":
            target = Path(settings.DATA_DIR) / "secret_key"
        else:
            keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            target = keys_dir / Path(name).name
        target.write_bytes(data)
        target.chmod(0o600)


def _check_kek(state: dict[str, Any]) -> None:
    wanted = set(state["manifest"]["kek_ids"])
    if not wanted:
        return
    try:
        kek = vault_keys.current_kek()
    except vault_keys.KekError as exc:
        raise BackupError(f"restore: {exc}") from None
    if vault_keys.kek_id(kek) not in wanted:
        raise BackupError(
            f"restore: the configured key-encryption key (KEK {vault_keys.kek_id(kek)}) does "
            f"not open this backup's vault keys, wrapped by KEK {', '.join(sorted(wanted))}: "
            "set CAIRN_KEK_FILE (or CAIRN_PASSPHRASE) to the KEK in use when it was taken")


def _restore_database(handle: IO[bytes], work: Path, state: dict[str, Any], sqlite: bool,
                      db: dict[str, Any]) -> None:
    if "keys" not in state:
        raise BackupError("restore: the payload is out of order (no keys before the database)")
    if vault_keys.kek_source() == "local-file":
        raise BackupError("restore: set CAIRN_KEK_FILE (or CAIRN_PASSPHRASE) to the KEK in use "
                          "when the backup was taken; a backup never holds it")
    _write_instance_files(state.get("files", {}))
    _check_kek(state)
    dump = work / "dump"
    with dump.open("wb") as out:
        while chunk := handle.read(1024 * 1024):
            out.write(chunk)
    if sqlite:
        database.restore_sqlite(dump, Path(db["NAME"]))
    else:
        database.restore_postgresql(dump, db)
    state["database_done"] = True


def _restore_file(store: Any, name: str, handle: IO[bytes], state: dict[str, Any],
                  summary: RestoreSummary) -> None:
    _, namespace, sha256 = name.split("/")
    if namespace in summary.destroyed:
        return  # encrypted under a key that no longer exists anywhere
    store.backend.put_raw(namespace, sha256, handle)
    summary.files += 1


def _restore_from_earlier(path: Path, catalogue: Catalogue, earlier: str,
                          entries: list[dict[str, Any]], identities: list[Any],
                          state: dict[str, Any], store: Any, summary: RestoreSummary) -> None:
    name = catalogue.files.get(earlier)
    if name is None:
        raise BackupError(f"restore: the chain does not name backup {earlier}")
    other = path.parent / name
    if not other.exists():
        raise BackupError(f"restore: this backup continues {name}, which holds "
                          f"{len(entries)} of its files: put it beside {path.name}")
    wanted = {f"evidence/{e['namespace']}/{e['sha256']}" for e in entries}
    if archive.read_catalogue(other).encryption == "passphrase" and \
            catalogue.encryption == "passphrase":
        identities = _same_passphrase_identities(other, state)
    with archive.open_payload(other, identities) as tar:
        for member in tar:
            if member.name in wanted:
                handle = tar.extractfile(member)
                assert handle is not None
                _restore_file(store, member.name, handle, state, summary)
                wanted.discard(member.name)
    if wanted:
        raise BackupError(f"restore: {name} lacks {len(wanted)} files this backup expects")


def _same_passphrase_identities(other: Path, state: dict[str, Any]) -> list[Any]:
    passphrase = state.get("passphrase")
    if passphrase is None:
        raise BackupError("restore: the earlier backups of this chain need the passphrase")
    return archive.identities_for(other, passphrase=passphrase)


def _finish(state: dict[str, Any], summary: RestoreSummary) -> None:
    """Put the vault keys back, bring the schema up to date, and compare the ledgers."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils.dateparse import parse_datetime

    from cairn.ledger.frontier import frontier_root, split
    from cairn.ledger.models import LedgerState
    from cairn.store.models import VaultKey

    # The schema of this release over the restored one (a no-op when they match). Here, not
    # through the CLI's ensure_database: backup sits below cli in the layers (ADR 0055).
    call_command("migrate", interactive=False, verbosity=0)
    opened: dict[str, tuple[bytes, str, str]] = state["keys"]
    vaults = state["manifest"]["vaults"]

    def when(text: str | None) -> datetime:
        parsed = parse_datetime(text or "")
        if parsed is None:
            return datetime.now(UTC)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    with transaction.atomic():
        for vault, (wrapped, kek, created) in opened.items():
            VaultKey.objects.update_or_create(vault_id=vault, defaults={
                "wrapped": wrapped, "kek_id": kek, "destroyed_at": None})
            VaultKey.objects.filter(vault_id=vault).update(created_at=when(created))
        for vault in summary.destroyed:
            destroyed_at = when(vaults.get(vault, {}).get("destroyed_at"))
            row, _ = VaultKey.objects.get_or_create(vault_id=vault, defaults={
                "wrapped": b"", "kek_id": "", "destroyed_at": destroyed_at})
            if row.destroyed_at is None or row.wrapped:
                VaultKey.objects.filter(pk=row.pk).update(wrapped=b"", destroyed_at=destroyed_at)
    for vault, info in state["manifest"]["vaults"].items():
        expected = info.get("ledger", {})
        ledger = LedgerState.objects.filter(vault_id=vault).first()
        if ledger is None or not expected:
            continue
        root = frontier_root(split(bytes(ledger.frontier))).hex()
        if ledger.size != expected.get("entries") or root != expected.get("root"):
            summary.mismatched_heads.append(vault)
    vault_keys.forget_cached_keys()
