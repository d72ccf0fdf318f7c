"""The backup keyring: why a destroyed vault stays destroyed in every backup.

What: a small file outside the data directory (``CAIRN_BACKUP_KEYRING``), holding one random
32-byte *backup key* per vault and the ids of the vaults that were destroyed. A backup
never holds a usable vault key: the database in it has every wrapped key blanked, and the
keys travel beside it, each KEK-wrapped key sealed once more under its vault's backup key
(AES-256-GCM, the vault id as associated data). Restoring needs three things from outside
the backup: the backup's passphrase or age identity, the KEK, and this keyring.

Why: the KEK and the backup secret open *every* old backup, so they cannot forget one vault.
The keyring can: destroying a vault deletes its backup key (``forget``, at once where the
keyring is on the same machine, otherwise at the next ``cairn backup``), and from then on
its key in every backup ever taken is sealed under a key that no longer exists, even for
someone holding the KEK and the backup secret. The destroyed ids are kept as tombstones, so
``cairn restore`` can tell "destroyed" (restored as destroyed) from "this keyring is older
than the backup" (refused: use the current keyring).

What the operator must do (docs/operations.md): keep the keyring like the KEK, away from
the backups, and *mirror* it rather than keep old versions of it: an old copy of the
keyring brings back the keys it held.

Format: JSON, ``{"format": "cairn-backup-keyring/1", "keys": {vault id: base64 key},
"destroyed": [vault id, ...]}``, mode 0600, rewritten atomically under an exclusive lock
(``fcntl.flock`` on ``<file>.lock``), fsynced.

Failures: ``KeyringError`` with a message naming the file; never key material.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "cairn-backup-keyring/1"
KEY_BYTES = 32
NONCE_BYTES = 12
SEAL_LABEL = b"cairn/backup-key/v1\x00"


class KeyringError(RuntimeError):
    """The backup keyring cannot be read or written, or does not hold a key a backup needs."""


@dataclass
class Keyring:
    keys: dict[str, bytes] = field(default_factory=dict)
    destroyed: set[str] = field(default_factory=set)

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "keys": {
                    vault: base64.b64encode(key).decode()
                    for vault, key in sorted(self.keys.items())
                },
                "destroyed": sorted(self.destroyed),
            },
            indent=1,
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes, where: str) -> Keyring:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError("not a Cairn backup keyring")
            keys = {str(v): base64.b64decode(k, validate=True) for v, k in data["keys"].items()}
            destroyed = {str(v) for v in data["destroyed"]}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyringError(f"{where}: {exc}") from None
        if any(len(key) != KEY_BYTES for key in keys.values()):
            raise KeyringError(f"{where}: a key has the wrong length")
        return cls(keys, destroyed)


def seal(backup_key: bytes, wrapped: bytes, vault_id: str) -> bytes:
    """Seal a vault's KEK-wrapped key under its backup key: nonce || AES-256-GCM(wrapped)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(backup_key).encrypt(nonce, wrapped, SEAL_LABEL + vault_id.encode())


def unseal(backup_key: bytes, sealed: bytes, vault_id: str) -> bytes:
    try:
        return AESGCM(backup_key).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], SEAL_LABEL + vault_id.encode()
        )
    except (InvalidTag, ValueError):
        raise KeyringError(
            f"vault {vault_id}: its key in the backup does not open with the "
            "keyring's key (another keyring, or the backup was damaged)"
        ) from None


class KeyringFile:
    """The keyring at ``path``, read and changed under a lock shared by every process."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self) -> Keyring:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Keyring()
        except OSError as exc:
            raise KeyringError(f"{self.path}: cannot read it: {exc.strerror}") from None
        return Keyring.from_json(raw, str(self.path))

    @contextlib.contextmanager
    def changing(self) -> Iterator[Keyring]:
        """Hold the lock, yield the keyring, and write it back (atomically) afterwards."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            lock = os.open(
                self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600
            )
        except OSError as exc:
            raise KeyringError(f"{self.path}: cannot use it: {exc.strerror}") from None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            keyring = self.read()
            yield keyring
            self._write(keyring)
        finally:
            os.close(lock)

    def _write(self, keyring: Keyring) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(keyring.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise KeyringError(f"{self.path}: cannot write it: {exc.strerror}") from None

    def keys_for(self, live: Iterable[str], destroyed: Iterable[str]) -> dict[str, bytes]:
        """Forget the destroyed vaults, make a key for each live vault that has none, and
        return the live vaults' keys (the one place backups get them)."""
        with self.changing() as keyring:
            for vault in destroyed:
                keyring.keys.pop(vault, None)
                keyring.destroyed.add(vault)
            chosen = {}
            for vault in live:
                if vault in keyring.destroyed:
                    raise KeyringError(
                        f"{self.path}: vault {vault} is marked destroyed here "
                        "but its key is live in the database (another "
                        "instance's keyring?)"
                    )
                chosen[vault] = keyring.keys.setdefault(vault, secrets.token_bytes(KEY_BYTES))
        return chosen

    def forget(self, vault_id: str) -> None:
        with self.changing() as keyring:
            keyring.keys.pop(vault_id, None)
            keyring.destroyed.add(vault_id)
