"""Who may read what the flags and leads are built from: imported messages and unknown
senders of a vault. Built on ``cairn.vault.access.vaults_readable_by``, like
``cairn.importers.access``; the pages call these, never ``Model.objects``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cairn.importers.models import CandidatePerson, CandidateStatus, ImportedItem, ItemKind
from cairn.vault.access import vaults_readable_by
from cairn.vault.models import Vault


def messages_readable_by(user: Any, vault: Vault) -> QuerySet[ImportedItem]:
    """Imported messages others sent (not the victim's own, not system lines), oldest first."""
    return ImportedItem.objects.filter(
        vault__in=vaults_readable_by(user),
        vault=vault,
        kind=ItemKind.MESSAGE,
        is_owner=False,
        is_system=False,
    ).order_by("sent_at", "batch__number", "position")


def open_candidates_readable_by(user: Any, vault: Vault) -> QuerySet[CandidatePerson]:
    """Unknown senders not yet made a person (waiting, or dismissed), and not the victim."""
    return (
        CandidatePerson.objects.filter(vault__in=vaults_readable_by(user), vault=vault)
        .filter(status__in=(CandidateStatus.PENDING, CandidateStatus.DISMISSED))
        .order_by("batch__number", "id")
    )
