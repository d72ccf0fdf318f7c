"""Encrypting a pack with age (age-encryption.org/v1), to a unit's key or a passphrase.

age is a documented format with independent implementations (the ``age`` and ``rage``
command-line tools, and ``pyrage`` used here), so whoever receives a pack can open it without
Cairn: ``age -d -i unit-key.txt pack.age > pack.zip``, or ``age -d pack.age`` for a
passphrase. Recipients are X25519 public keys (``age1...``); an identity file holds the
matching ``AGE-SECRET-KEY-1...`` lines (comments and blank lines allowed).

To a recipient the file is encrypted in a stream; pyrage encrypts to a passphrase only in
memory, so a passphrase pack is read whole once (its size is bounded by the vault's files).
A pack can be encrypted to recipients or to a passphrase, not both at once (age's scrypt
stanza must stand alone).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyrage

MAGIC = b"age-encryption.org/v1\n"


class PackCryptError(ValueError):
    """A recipient, identity or passphrase is unusable, or decryption failed."""


def parse_recipients(recipients: Iterable[str]) -> list[Any]:
    parsed = []
    for number, text in enumerate(recipients, 1):
        try:
            parsed.append(pyrage.x25519.Recipient.from_str(text.strip()))
        except Exception:
            raise PackCryptError(f"recipient {number} is not an age public key (age1...)") from None
    return parsed


def parse_identities(text: str) -> list[Any]:
    identities = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(pyrage.x25519.Identity.from_str(line))
        except Exception:
            raise PackCryptError(f"identity file, line {number}: not an age secret key") from None
    if not identities:
        raise PackCryptError("the identity file holds no age secret key")
    return identities


def encrypt_file(source: Path, target: Path, recipients: list[Any], passphrase: str | None) -> None:
    if recipients and passphrase:
        raise PackCryptError("encrypt to recipients or to a passphrase, not both")
    if passphrase:
        target.write_bytes(pyrage.passphrase.encrypt(source.read_bytes(), passphrase))
    elif recipients:
        pyrage.encrypt_file(str(source), str(target), recipients)
    else:
        raise PackCryptError("nothing to encrypt to")


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def decrypt_file(
    source: Path,
    target: Path,
    *,
    identities: list[Any] | None = None,
    passphrase: str | None = None,
) -> None:
    try:
        if identities:
            pyrage.decrypt_file(str(source), str(target), identities)
        elif passphrase is not None:
            target.write_bytes(pyrage.passphrase.decrypt(source.read_bytes(), passphrase))
        else:
            raise PackCryptError(
                "the pack is encrypted: give the identity file (--identity) or the passphrase"
            )
    except pyrage.DecryptError:
        raise PackCryptError(
            "the pack does not decrypt with this key or passphrase (or it was damaged)"
        ) from None
