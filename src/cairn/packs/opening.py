"""Opening a pack to check it: a folder as it is, a zip unpacked safely, an age file decrypted
first (``cairn verify-pack``; no Django)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cairn.importers.base import ImportFailure
from cairn.importers.safezip import SafeZip
from cairn.packs import crypt


class PackError(Exception):
    """The pack cannot be read at all (not a folder, zip or age file; no key given)."""


@contextmanager
def opened(path: Path, *, identity: str | None, passphrase: str | None) -> Iterator[Path]:
    """The pack at ``path`` as a folder: a folder as it is; a zip unpacked (safely) into a
    temporary folder that is removed afterwards; an age file decrypted first."""
    if path.is_dir():
        yield path
        return
    if not path.is_file():
        raise PackError(f"{path.name}: no such file or folder")
    work = Path(tempfile.mkdtemp(prefix="cairn-verify-"))
    try:
        source = path
        if crypt.is_encrypted(path):
            source = work / "pack.zip"
            try:
                crypt.decrypt_file(
                    path,
                    source,
                    passphrase=passphrase,
                    identities=crypt.parse_identities(identity) if identity else None,
                )
            except crypt.PackCryptError as exc:
                raise PackError(f"{path.name}: {exc}") from None
        yield _unzip(source, work / "bag", path.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _unzip(source: Path, target: Path, name: str) -> Path:
    try:
        with SafeZip(source, name=name) as archive:
            for member in archive.members:
                out = target / member.name
                out.parent.mkdir(parents=True, exist_ok=True)
                with out.open("wb") as handle:
                    for chunk in archive.iter_member(member.name):
                        handle.write(chunk)
    except ImportFailure as exc:
        raise PackError(str(exc)) from None
    tops = [p for p in target.iterdir()] if target.exists() else []
    if len(tops) == 1 and tops[0].is_dir() and (tops[0] / "bagit.txt").exists():
        return tops[0]
    if (target / "bagit.txt").exists():
        return target
    raise PackError(f"{name}: the zip does not hold a bag (no bagit.txt)")
