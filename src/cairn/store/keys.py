"""The key hierarchy: a key-encryption key (KEK) from the deployment wraps one data key per
vault; the data key encrypts that vault's files and free-text fields.

What and why:
- The KEK never touches the database. It comes, in order of preference, from
  ``CAIRN_KEK`` / ``CAIRN_KEK_FILE`` (32 bytes, base64), from ``CAIRN_PASSPHRASE`` stretched
  with Argon2id (local mode; salt and cost parameters in ``keys/kek-params.json``), or, for a
  first local run with neither, from a random key made once in ``keys/kek`` in the data
  directory. Only the first two keep a stolen data directory unreadable; docs/security.md
  says so.
- Each vault's data key is stored only wrapped by the KEK (AES-256-GCM, the vault id as
  associated data), in ``VaultKey``. Destroying it (``destroy``) makes the vault's files and
  fields unrecoverable by anyone; backups hold the key only sealed under the backup keyring,
  which forgets it too (``cairn.store.keyring``, ADR 0048).
- ``rotate`` re-wraps every vault key under a new KEK without touching any file.
- One more data key belongs to no vault: the credential key (``CredentialKey``, one row,
  made on first use), wrapped the same way. Its purpose subkeys (``credential_subkey``) key
  the hash each session is stored under, the hash of each API token, and the encryption of
  each authenticator app's secret, so a copy of the database gives no working session, token
  or code (ADR 0035). It is re-wrapped with the vault keys.

Failures: ``KeyUnavailable`` when a vault's key was destroyed or the configured KEK does not
open it (wrong passphrase, wrong key file). Messages never contain key material.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from threading import Lock
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cairn.store import crypto
from cairn.store.models import CaseKey, CredentialKey, VaultKey

KEK_BYTES = 32
logger = logging.getLogger(__name__)


class KeyUnavailable(RuntimeError):
    pass


class KekError(RuntimeError):
    pass


def kek_id(kek: bytes) -> str:
    """A short public name for a KEK (which KEK wrapped a key), revealing nothing about it."""
    return hashlib.sha256(b"cairn-kek-id\x00" + kek).hexdigest()[:16]


def _decode_kek(raw: str, where: str) -> bytes:
    try:
        kek = base64.b64decode(raw.strip(), validate=True)
    except ValueError:
        raise KekError(f"{where} is not base64") from None
    if len(kek) != KEK_BYTES:
        raise KekError(f"{where} must hold {KEK_BYTES} bytes, not {len(kek)}")
    return kek


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _passphrase_kek(passphrase: str) -> bytes:
    params_file = Path(settings.CAIRN_KEYS_DIR) / "kek-params.json"
    if params_file.exists():
        stored = json.loads(params_file.read_text(encoding="utf-8"))
        params = crypto.KekParams(**stored["params"])
        salt = base64.b64decode(stored["salt"])
    else:
        params = crypto.KekParams()
        salt = secrets.token_bytes(16)
        _write_private(
            params_file,
            json.dumps(
                {"salt": base64.b64encode(salt).decode(), "params": params.__dict__}
            ).encode(),
        )
    return crypto.kek_from_passphrase(passphrase, salt, params=params)


_kek_cache: dict[str, bytes] = {}
_lock = Lock()


def current_kek() -> bytes:
    """The deployment's KEK, from the first source configured (see the module docstring)."""
    configured = getattr(settings, "CAIRN_KEK", "")
    if configured:
        return _decode_kek(configured, "CAIRN_KEK")
    passphrase = getattr(settings, "CAIRN_PASSPHRASE", "")
    if passphrase:
        with _lock:
            cache_key = hashlib.sha256(passphrase.encode()).hexdigest()
            if cache_key not in _kek_cache:
                _kek_cache[cache_key] = _passphrase_kek(passphrase)
            return _kek_cache[cache_key]
    path = local_kek_path()
    _finish_local_rotation(path)
    if not path.exists():
        _write_private(path, base64.b64encode(secrets.token_bytes(KEK_BYTES)))
    return _decode_kek(path.read_text(encoding="ascii"), str(path))


def local_kek_path() -> Path:
    return Path(settings.CAIRN_KEYS_DIR) / "kek"


def _finish_local_rotation(path: Path) -> None:
    """Complete or abandon a rotation of the local KEK file that was interrupted.

    ``rotate_local`` writes the new KEK to ``kek.new`` before re-wrapping the vault keys and
    renames it over ``kek`` after the transaction commits. If the process died in between,
    the database says which KEK the keys are wrapped with: keep the new file if it is that
    one, otherwise the rotation never committed and the pending file is discarded.
    """
    pending = path.with_name(path.name + ".new")
    if not pending.exists():
        return
    new = _decode_kek(pending.read_text(encoding="ascii"), str(pending))
    if (
        VaultKey.objects.filter(kek_id=kek_id(new)).exists()
        or CredentialKey.objects.filter(kek_id=kek_id(new)).exists()
        or CaseKey.objects.filter(kek_id=kek_id(new)).exists()
    ):
        os.replace(pending, path)
    else:
        pending.unlink()


# --- vault data keys -----------------------------------------------------------------------

_data_keys: dict[str, bytes] = {}


def _context(vault_id: object) -> bytes:
    return f"cairn:vault-key:{vault_id}".encode()


def create_vault_key(vault: Any) -> VaultKey:
    """Make and store (wrapped) a new data key for a vault, inside the caller's transaction."""
    kek = current_kek()
    data_key = crypto.generate_data_key()
    row = VaultKey.objects.create(
        vault=vault,
        wrapped=crypto.wrap_key(kek, data_key, context=_context(vault.pk)),
        kek_id=kek_id(kek),
    )
    _data_keys[str(vault.pk)] = data_key
    return row


def data_key(vault_id: object) -> bytes:
    """The vault's data key, unwrapped with the current KEK (cached per process)."""
    cache_key = str(vault_id)
    cached = _data_keys.get(cache_key)
    if cached is not None:
        return cached
    try:
        row = VaultKey.objects.get(vault_id=vault_id)
    except VaultKey.DoesNotExist:
        raise KeyUnavailable("this vault has no key") from None
    if row.destroyed_at is not None or not row.wrapped:
        raise KeyUnavailable("this vault's key was destroyed: its content cannot be read")
    kek = current_kek()
    try:
        key = crypto.unwrap_key(kek, bytes(row.wrapped), context=_context(vault_id))
    except crypto.UnwrapError:
        raise KeyUnavailable(
            "the configured key-encryption key does not open this vault "
            f"(it was wrapped by KEK {row.kek_id}, this is {kek_id(kek)})"
        ) from None
    _data_keys[cache_key] = key
    return key


def blind_index(vault_id: object, text: str) -> str:
    """A keyed hash of ``text`` for equality lookups inside one vault (HMAC-SHA256 with a key
    derived from the vault's data key). Equal inputs give equal outputs; nothing about the
    input can be learnt without the key, and the same text in two vaults hashes differently."""
    index_key = hmac.new(data_key(vault_id), b"cairn/index/v1", hashlib.sha256).digest()
    return hmac.new(index_key, text.encode("utf-8"), hashlib.sha256).hexdigest()


# --- case keys: the police side ------------------------------------------------------------

_case_keys: dict[str, bytes] = {}


def _case_context(case_id: object) -> bytes:
    return f"cairn:case-key:{case_id}".encode()


def case_key(case_id: object) -> bytes:
    """The case's data key, unwrapped with the current KEK; made on first use.

    Cached per process once the transaction that read or made it has committed.

    Raises:
        KeyUnavailable: the configured KEK does not open it.
    """
    cache_key = str(case_id)
    cached = _case_keys.get(cache_key)
    if cached is not None:
        return cached
    kek = current_kek()
    row = CaseKey.objects.filter(case_id=case_id).first()
    if row is None:
        key = crypto.generate_data_key()
        try:
            with transaction.atomic():
                CaseKey.objects.create(
                    case_id=case_id,
                    wrapped=crypto.wrap_key(kek, key, context=_case_context(case_id)),
                    kek_id=kek_id(kek),
                )
        except IntegrityError:  # another process made it first: use theirs
            row = CaseKey.objects.get(case_id=case_id)
    if row is not None:
        try:
            key = crypto.unwrap_key(kek, bytes(row.wrapped), context=_case_context(case_id))
        except crypto.UnwrapError:
            raise KeyUnavailable(
                "the configured key-encryption key does not open this case's key "
                f"(it was wrapped by KEK {row.kek_id}, this is {kek_id(kek)})"
            ) from None
    transaction.on_commit(lambda: _case_keys.__setitem__(cache_key, key))
    return key


def quote_key(case_id: object, vault_ids: Iterable[object]) -> bytes:
    """The key for what a case holds that quotes the given vaults: HMAC-SHA256 keyed with
    the case key over a label and each vault's data key (in the order of the vaults' ids).
    The case key alone when no vault is quoted.

    Raises:
        KeyUnavailable: a quoted vault's key was destroyed (or the KEK does not open a key).
    """
    ids = sorted({str(v) for v in vault_ids})
    key = case_key(case_id)
    if not ids:
        return key
    material = b"cairn/quote-key/v1" + b"".join(
        b"\x00" + v.encode() + b"\x00" + data_key(v) for v in ids
    )
    return hmac.new(key, material, hashlib.sha256).digest()


# --- the credential key: secrets of accounts, not of any vault ------------------------------

_CREDENTIAL_CONTEXT = b"cairn:credential-key"
_credential: dict[str, bytes] = {}


def _remember_credential_key(key: bytes) -> None:
    _credential["key"] = key


def _make_credential_key(kek: bytes) -> bytes:
    """Make and store the credential key (first use on this instance).

    Refused when the instance's live vault keys were wrapped by another KEK: that means the
    configured KEK is the wrong one (a forgotten passphrase variable, a new local key file),
    and a credential key wrapped by it would be lost as soon as the right one is back.
    """
    others = (
        VaultKey.objects.filter(destroyed_at__isnull=True)
        .exclude(kek_id=kek_id(kek))
        .values_list("kek_id", flat=True)
        .first()
    )
    if others is not None:
        raise KeyUnavailable(
            f"the configured key-encryption key (KEK {kek_id(kek)}) is not the one this "
            f"instance's vault keys use (KEK {others}): configure that one"
        )
    key = crypto.generate_data_key()
    try:
        with transaction.atomic():
            CredentialKey.objects.create(
                id=1,
                wrapped=crypto.wrap_key(kek, key, context=_CREDENTIAL_CONTEXT),
                kek_id=kek_id(kek),
            )
    except IntegrityError:  # another process made it first: use theirs
        row = CredentialKey.objects.get(id=1)
        return _unwrap_credential_key(kek, row)
    return key


def _unwrap_credential_key(kek: bytes, row: CredentialKey) -> bytes:
    try:
        return crypto.unwrap_key(kek, bytes(row.wrapped), context=_CREDENTIAL_CONTEXT)
    except crypto.UnwrapError:
        raise KeyUnavailable(
            "the configured key-encryption key does not open the credential key "
            f"(it was wrapped by KEK {row.kek_id}, this is {kek_id(kek)})"
        ) from None


def credential_key() -> bytes:
    """The instance's credential key, unwrapped with the current KEK; made on first use.

    Cached per process only once the transaction that read or made it has committed, so a
    key made in a transaction that is then rolled back is never used again.

    Raises:
        KeyUnavailable: the configured KEK does not open it (or, when it is made, is not the
            KEK of the existing vault keys).
    """
    cached = _credential.get("key")
    if cached is not None:
        return cached
    kek = current_kek()
    row = CredentialKey.objects.filter(id=1).first()
    key = _make_credential_key(kek) if row is None else _unwrap_credential_key(kek, row)
    transaction.on_commit(lambda: _remember_credential_key(key))
    return key


def credential_subkey(purpose: str) -> bytes:
    """The credential key's subkey for one purpose (``crypto.derive_subkey``), cached with
    the key."""
    name = f"subkey:{purpose}"
    cached = _credential.get(name)
    if cached is not None:
        return cached
    subkey = crypto.derive_subkey(credential_key(), purpose)
    if "key" in _credential:
        _credential[name] = subkey
    return subkey


def forget_credential_key() -> None:
    _credential.clear()


def forget_cached_keys() -> None:
    _data_keys.clear()
    _case_keys.clear()
    _kek_cache.clear()
    forget_credential_key()
    crypto.forget_field_keys()


def destroy(vault: Any) -> None:
    """Crypto-shred a vault: overwrite its wrapped key. Irreversible by design.

    On SQLite the freed bytes are zeroed too (``secure_delete``), so the old wrapped key
    does not linger in a free page of the database file. Where the backup keyring is on
    this machine, the vault's backup key is deleted from it at once (otherwise the next
    ``cairn backup`` does it): from then on no backup can bring the vault back
    (cairn/store/keyring.py).
    """
    with transaction.atomic():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA secure_delete = ON")
        row = VaultKey.objects.select_for_update().get(vault=vault)
        row.wrapped = b""
        row.destroyed_at = timezone.now()
        row.save(update_fields=["wrapped", "destroyed_at"])
        transaction.on_commit(lambda: _forget_backup_key(str(vault.pk)))
    _data_keys.pop(str(vault.pk), None)
    crypto.forget_field_keys()


def _forget_backup_key(vault_id: str) -> None:
    configured = getattr(settings, "CAIRN_BACKUP_KEYRING", "")
    if not configured or not Path(configured).exists():
        return  # no keyring here: the next backup forgets the key
    from cairn.store.keyring import KeyringError, KeyringFile

    try:
        KeyringFile(Path(configured)).forget(vault_id)
    except KeyringError as exc:
        logger.warning("the backup keyring was not updated (the next backup will): %s", exc)


def kek_source() -> str:
    """Where the KEK comes from: "configured", "passphrase" or "local-file"."""
    if getattr(settings, "CAIRN_KEK", ""):
        return "configured"
    if getattr(settings, "CAIRN_PASSPHRASE", ""):
        return "passphrase"
    return "local-file"


def passphrase_kek(passphrase: str) -> bytes:
    """The KEK a passphrase gives with this instance's stored salt and cost parameters."""
    return _passphrase_kek(passphrase)


def rotate_local(*, record: Callable[[int, str], object] | None = None) -> tuple[int, str]:
    """Rotate the local KEK file: a new random KEK, every vault key re-wrapped under it.

    Crash-safe: see ``_finish_local_rotation``. Returns the count and the new KEK's id.
    ``record`` as for ``rotate``.
    """
    path = local_kek_path()
    old = current_kek()  # also settles an older interrupted rotation first
    new = secrets.token_bytes(KEK_BYTES)
    pending = path.with_name(path.name + ".new")
    _write_private(pending, base64.b64encode(new))
    try:
        count = rotate(new, old_kek=old, record=record)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    os.replace(pending, path)
    forget_cached_keys()
    return count, kek_id(new)


def rotate(
    new_kek: bytes,
    *,
    old_kek: bytes | None = None,
    record: Callable[[int, str], object] | None = None,
) -> int:
    """Re-wrap every live vault key, the credential key and every case key under ``new_kek``
    in one transaction. Returns the count of vault keys.

    Files are not re-encrypted: they are encrypted with the data keys, which do not change.
    ``record(count, new KEK id)`` is called inside the transaction: the audited service
    (``cairn.accounts.operator_services.rotate_kek``; the audit app sits above this one)
    writes its audit record there, so the record and the re-wrapped keys commit together.
    """
    old = old_kek if old_kek is not None else current_kek()
    count = 0
    with transaction.atomic():
        for row in VaultKey.objects.select_for_update().filter(destroyed_at__isnull=True):
            key = crypto.unwrap_key(old, bytes(row.wrapped), context=_context(row.vault_id))
            row.wrapped = crypto.wrap_key(new_kek, key, context=_context(row.vault_id))
            row.kek_id = kek_id(new_kek)
            row.save(update_fields=["wrapped", "kek_id"])
            count += 1
        credential = CredentialKey.objects.select_for_update().filter(id=1).first()
        if credential is not None:
            key = _unwrap_credential_key(old, credential)
            credential.wrapped = crypto.wrap_key(new_kek, key, context=_CREDENTIAL_CONTEXT)
            credential.kek_id = kek_id(new_kek)
            credential.save(update_fields=["wrapped", "kek_id"])
        for row in CaseKey.objects.select_for_update():
            key = crypto.unwrap_key(old, bytes(row.wrapped), context=_case_context(row.case_id))
            row.wrapped = crypto.wrap_key(new_kek, key, context=_case_context(row.case_id))
            row.kek_id = kek_id(new_kek)
            row.save(update_fields=["wrapped", "kek_id"])
        if record is not None:
            record(count, kek_id(new_kek))
    forget_cached_keys()
    return count
