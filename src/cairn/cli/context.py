"""Which vault, incident or person a command is about.

``--vault`` is accepted before the command (``cairn --vault V incident list``) and on each
vault-scoped command; the nearer one wins. It may be left out when the data directory holds
exactly one vault. A vault is named by its id, a prefix of its id, or its name.

The CLI is the local operator of the data directory and acts as the chosen vault's owner:
every read below goes through ``cairn.vault.access`` for that owner.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cairn.cli.errors import CairnError
from cairn.cli.runtime import ensure_database

if TYPE_CHECKING:
    from cairn.vault.models import Incident, Vault

F = TypeVar("F", bound=Callable[..., Any])

MIN_PREFIX = 6


def vault_option(command: F) -> F:
    return click.option(
        "--vault",
        "vault_ref",
        metavar="V",
        help="The vault: its id, an id prefix or its name (needed only with several vaults).",
    )(command)


def all_vaults() -> list[Vault]:
    """Every vault in the data directory: those of each local user, read as that user."""
    from cairn.cli.users import vault_owners
    from cairn.vault import access

    vaults: list[Vault] = []
    for owner in vault_owners():
        vaults.extend(access.vaults_readable_by(owner).select_related("owner"))
    return sorted(vaults, key=lambda vault: (vault.created_at, str(vault.pk)))


def _hex(text: str) -> str | None:
    digits = text.replace("-", "").lower()
    if digits and all(c in "0123456789abcdef" for c in digits):
        return digits
    return None


def _hyphenated_prefix(digits: str) -> str:
    """A hex prefix in the canonical UUID layout (8-4-4-4-12), as far as it reaches.

    PostgreSQL compares a UUID's text form with its hyphens; Django strips them again for
    databases that store UUIDs as bare hex, so this form works on both.
    """
    parts, position = [], 0
    for length in (8, 4, 4, 4, 12):
        piece = digits[position : position + length]
        if not piece:
            break
        parts.append(piece)
        position += length
    return "-".join(parts)


def current_vault(vault_ref: str | None) -> Vault:
    """The vault a command works on: from its own ``--vault``, the group's, or the only one."""
    ensure_database()
    ctx = click.get_current_context()
    ref = vault_ref or (ctx.find_root().obj or {}).get("vault_ref")
    vaults = all_vaults()
    if not vaults:
        raise CairnError(
            "there is no vault yet; create one with: cairn vault create NAME --initials XX"
        )
    if not ref:
        if len(vaults) == 1:
            return vaults[0]
        raise CairnError(
            f"there are {len(vaults)} vaults; choose one with --vault ID or "
            "--vault NAME (see: cairn vault list)"
        )
    ref = ref.strip()
    digits = _hex(ref)
    if digits is not None and len(digits) == 32:
        matches = [v for v in vaults if v.pk.hex == digits]
    else:
        matches = [v for v in vaults if v.name.casefold() == ref.casefold()]
        if not matches and digits is not None and len(digits) >= 4:
            matches = [v for v in vaults if v.pk.hex.startswith(digits)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CairnError(
            f"vault: {ref!r} matches {len(matches)} vaults; give more of the id "
            "(see: cairn vault list)"
        )
    raise CairnError(f"vault: no vault matches {ref!r} (see: cairn vault list)")


def find_incident(vault: Vault, ref: str, *, field: str = "incident") -> Incident:
    """An incident of the vault by number, full id, or an id prefix of 6 or more hex digits."""
    from cairn.vault import access

    incidents = access.incidents_readable_by(vault.owner, vault)
    ref = (ref or "").strip()
    if ref.isdigit():
        found = incidents.filter(number=int(ref)).first()
        if found is not None:
            return found
    digits = _hex(ref)
    if digits is not None and len(digits) == 32:
        found = incidents.filter(pk=uuid.UUID(digits)).first()
        if found is not None:
            return found
    elif digits is not None and len(digits) >= MIN_PREFIX:
        matches = list(incidents.filter(pk__startswith=_hyphenated_prefix(digits))[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise CairnError(
                f"{field}: {ref!r} matches more than one incident; give more of "
                "the id, or the incident's number"
            )
    elif digits is not None and not ref.isdigit():
        raise CairnError(
            f"{field}: give the incident's number, its id, or at least "
            f"{MIN_PREFIX} characters of the id"
        )
    raise CairnError(f"{field}: no incident {ref!r} in this vault (see: cairn incident list)")
