"""The backup file: a plain tar that any ``tar`` lists, holding an age-encrypted payload.

Members, in this order::

    cairn-backup.json   the catalogue, in the clear: the backup's id, time, the backup it
                        continues (``since``), the files of that chain, and which backup
                        holds each evidence file (by content address), so the next
                        incremental backup needs neither the secret nor the old payload
    identity.age        passphrase backups only: a fresh age X25519 identity, encrypted with
                        the passphrase (age's scrypt recipient; ``age -d -i identity.age``
                        asks for the passphrase)
    payload.tar.age     the payload, a tar streamed through age (to the --to recipients, or
                        to the identity above): manifest.json first, then the vault keys,
                        the instance keys, the database and the evidence files

Why a fresh identity for passphrases: age's passphrase mode (in pyrage) encrypts only in
memory, and a payload can be hundreds of gigabytes; the identity is 74 bytes. Why the size
is patched in afterwards: tar needs a member's size before its bytes, and the payload is
encrypted as it is made, in constant memory. The file is written to ``<out>.partial`` and
renamed when whole, so a backup that failed leaves no file that looks complete.

Opening it without Cairn: ``tar xf backup.cairn && age -d -i identity.age payload.tar.age |
tar x`` (or ``-i`` the recipient's identity file).

Failures: ``BackupFormatError`` (not a Cairn backup, a damaged catalogue) and
``BackupSecretError`` (wrong passphrase or identity, or a damaged payload).
"""

from __future__ import annotations

import json
import os
import tarfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

import pyrage

FORMAT = "cairn-backup/1"
CATALOGUE = "cairn-backup.json"
IDENTITY = "identity.age"
PAYLOAD = "payload.tar.age"
BLOCK = tarfile.BLOCKSIZE
RECORD = tarfile.RECORDSIZE


class BackupFormatError(ValueError):
    """The file is not a Cairn backup, or not one this version reads."""


class BackupSecretError(ValueError):
    """The backup does not open with the identity or passphrase given."""


@dataclass
class Catalogue:
    id: str
    created_at: str
    encryption: str  # "passphrase" or "recipients"
    since: str | None = None
    files: dict[str, str] = field(default_factory=dict)  # backup id -> file name in the chain
    evidence: dict[str, str] = field(default_factory=dict)  # "ns/sha" -> id of its backup

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "id": self.id,
                "created_at": self.created_at,
                "encryption": self.encryption,
                "since": self.since,
                "files": self.files,
                "evidence": self.evidence,
            },
            indent=1,
            sort_keys=True,
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes, where: str) -> Catalogue:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError(f"not a {FORMAT} catalogue")
            return cls(
                id=str(data["id"]),
                created_at=str(data["created_at"]),
                encryption=str(data["encryption"]),
                since=data.get("since"),
                files={str(k): str(v) for k, v in data["files"].items()},
                evidence={str(k): str(v) for k, v in data["evidence"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupFormatError(f"{where}: {exc}") from None


def _member_header(name: str, size: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(time.time())
    # GNU format: sizes past 8 GiB fit in the one 512-byte block (base-256), so the
    # payload's header can be written in place once its size is known.
    header = info.tobuf(format=tarfile.GNU_FORMAT)
    if len(header) != BLOCK:
        raise BackupFormatError(f"{name}: header is not one block")
    return header


def _pad(out: BinaryIO, size: int) -> None:
    remainder = size % BLOCK
    if remainder:
        out.write(b"\0" * (BLOCK - remainder))


class BackupWriter:
    """Write a backup file: ``payload()`` gives the tar to fill, ``close()`` finishes it."""

    def __init__(
        self,
        path: Path,
        catalogue: Catalogue,
        *,
        recipients: list[Any] | None = None,
        passphrase: str | None = None,
    ) -> None:
        if bool(recipients) == bool(passphrase):
            raise BackupSecretError("encrypt to recipients or to a passphrase")
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.out: BinaryIO = self.partial.open("wb")
        self._add(CATALOGUE, catalogue.to_json())
        if passphrase:
            identity = pyrage.x25519.Identity.generate()
            self._add(IDENTITY, pyrage.passphrase.encrypt(str(identity).encode(), passphrase))
            recipients = [identity.to_public()]
        self.header_at = self.out.tell()
        self.out.write(b"\0" * BLOCK)  # the payload's header, written once its size is known
        self.data_at = self.out.tell()
        read_fd, write_fd = os.pipe()
        self._pipe_in = os.fdopen(read_fd, "rb")
        self._pipe_out = os.fdopen(write_fd, "wb")
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._encrypt, args=(recipients,), name="cairn-backup-encrypt", daemon=True
        )
        self._thread.start()
        self.tar = tarfile.open(  # noqa: SIM115 - closed by close()
            fileobj=self._pipe_out,
            mode="w|",
            format=tarfile.PAX_FORMAT,
        )

    def _add(self, name: str, data: bytes) -> None:
        self.out.write(_member_header(name, len(data)))
        self.out.write(data)
        _pad(self.out, len(data))

    def _encrypt(self, recipients: list[Any]) -> None:
        try:
            pyrage.encrypt_io(self._pipe_in, self.out, recipients)
        except BaseException as exc:
            self._error = exc
        finally:
            self._pipe_in.close()

    def add_bytes(self, name: str, data: bytes) -> None:
        import io

        self.add_stream(name, io.BytesIO(data), len(data))

    def add_stream(self, name: str, stream: IO[bytes], size: int) -> None:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mode = 0o600
        info.mtime = int(time.time())
        self.tar.addfile(info, stream)

    def close(self) -> None:
        """Finish the payload, write its header, end the tar, and give the file its name."""
        self.tar.close()
        self._pipe_out.close()
        self._thread.join()
        if self._error is not None:
            raise BackupSecretError(f"encrypting the backup failed: {self._error}")
        end = self.out.tell()
        size = end - self.data_at
        _pad(self.out, size)
        self.out.write(b"\0" * (2 * BLOCK))
        total = self.out.tell()
        if total % RECORD:
            self.out.write(b"\0" * (RECORD - total % RECORD))
        self.out.seek(self.header_at)
        self.out.write(_member_header(PAYLOAD, size))
        self.out.flush()
        os.fsync(self.out.fileno())
        self.out.close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        for closing in (self.tar.close, self._pipe_out.close):
            with suppress(Exception):  # tearing down after the real error
                closing()
        self._thread.join(timeout=30)
        self.out.close()
        self.partial.unlink(missing_ok=True)


def read_catalogue(path: Path) -> Catalogue:
    try:
        with tarfile.open(path, "r:") as tar:
            member = tar.extractfile(CATALOGUE)
            if member is None:
                raise KeyError(CATALOGUE)
            return Catalogue.from_json(member.read(), str(path))
    except (tarfile.TarError, KeyError):
        raise BackupFormatError(f"{path}: not a Cairn backup (no {CATALOGUE})") from None


def identities_for(
    path: Path, *, passphrase: str | None = None, identity_text: str | None = None
) -> list[Any]:
    """The age identities that open this backup: from its passphrase, or given."""
    if identity_text is not None:
        from cairn.packs.crypt import PackCryptError, parse_identities

        try:
            return parse_identities(identity_text)
        except PackCryptError as exc:
            raise BackupSecretError(str(exc)) from None
    if passphrase is None:
        raise BackupSecretError("this backup needs its passphrase")
    with tarfile.open(path, "r:") as tar:
        try:
            member = tar.extractfile(IDENTITY)
        except KeyError:
            raise BackupSecretError(
                "this backup was encrypted to a recipient: give its identity file (--identity)"
            ) from None
        assert member is not None
        sealed = member.read()
    try:
        text = pyrage.passphrase.decrypt(sealed, passphrase).decode()
        return [pyrage.x25519.Identity.from_str(text.strip())]
    except Exception:
        raise BackupSecretError("the passphrase does not open this backup") from None


@contextmanager
def open_payload(path: Path, identities: list[Any]) -> Iterator[tarfile.TarFile]:
    """The payload as a tar read in one pass, decrypted as it is read."""
    with tarfile.open(path, "r:") as outer:
        try:
            member = outer.extractfile(PAYLOAD)
        except KeyError:
            raise BackupFormatError(f"{path}: no payload (the backup did not finish)") from None
        assert member is not None
        read_fd, write_fd = os.pipe()
        pipe_in = os.fdopen(read_fd, "rb")
        pipe_out = os.fdopen(write_fd, "wb")
        errors: list[BaseException] = []

        def decrypt() -> None:
            try:
                pyrage.decrypt_io(member, pipe_out, identities)
            except BaseException as exc:
                errors.append(exc)
            finally:
                with suppress(OSError):
                    pipe_out.close()

        thread = threading.Thread(target=decrypt, name="cairn-backup-decrypt", daemon=True)
        thread.start()
        try:
            try:
                with tarfile.open(fileobj=pipe_in, mode="r|") as tar:
                    yield tar
                while pipe_in.read(1 << 16):  # the rest, so that age checks the very end
                    pass
            except tarfile.TarError as exc:
                thread.join(timeout=60)
                if errors:
                    raise BackupSecretError(
                        "the backup does not decrypt with this passphrase "
                        "or identity, or it was damaged"
                    ) from None
                raise BackupFormatError(f"{path}: the payload is damaged: {exc}") from None
        finally:
            pipe_in.close()
            thread.join(timeout=60)
        if errors and not isinstance(errors[0], BrokenPipeError):
            raise BackupSecretError(
                "the backup does not decrypt with this passphrase or "
                "identity, or it was damaged (its end failed to check)"
            )
