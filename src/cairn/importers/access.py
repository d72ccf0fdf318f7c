"""Who may read what an import left in a vault: the one place those rows are looked up.

Built on ``cairn.vault.access.vaults_readable_by``, so sharing a vault later widens these
too. Anything a user may not read is reported as not found (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from cairn.importers.models import (
    CandidatePerson,
    ImportBatch,
    ImportedItem,
    ImportJob,
    ProposedIncident,
)
from cairn.vault.access import vaults_readable_by
from cairn.vault.models import Vault


def batches_readable_by(user: Any, vault: Vault | None = None) -> QuerySet[ImportBatch]:
    qs = ImportBatch.objects.filter(vault__in=vaults_readable_by(user))
    return qs.filter(vault=vault) if vault is not None else qs


def get_batch_for_user(user: Any, pk: Any) -> ImportBatch:
    try:
        return batches_readable_by(user).select_related("vault", "source_exhibit").get(pk=pk)
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404("No such import") from None


def jobs_readable_by(user: Any, vault: Vault | None = None) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.filter(vault__in=vaults_readable_by(user))
    return qs.filter(vault=vault) if vault is not None else qs


def get_job_for_user(user: Any, pk: Any) -> ImportJob:
    try:
        return jobs_readable_by(user).select_related("vault").get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("No such import") from None


def proposals_of(batch: ImportBatch) -> QuerySet[ProposedIncident]:
    """Proposals of a batch the caller has already obtained through an access function."""
    return ProposedIncident.objects.filter(batch=batch)


def proposals_with_items(batch: ImportBatch) -> QuerySet[ProposedIncident]:
    """A batch's proposals for the review page, each with its items and their attachments."""
    items = Prefetch(
        "items", queryset=ImportedItem.objects.order_by("position").prefetch_related("attachments")
    )
    return (
        proposals_of(batch)
        .select_related("person", "candidate", "incident")
        .prefetch_related(items)
        .order_by("number")
    )


def get_proposal_for_user(user: Any, pk: Any) -> ProposedIncident:
    try:
        return (
            ProposedIncident.objects.filter(vault__in=vaults_readable_by(user))
            .select_related("batch", "batch__vault")
            .get(pk=pk)
        )
    except (ProposedIncident.DoesNotExist, ValueError, TypeError):
        raise Http404("No such proposal") from None


def candidates_of(batch: ImportBatch) -> QuerySet[CandidatePerson]:
    """Unknown senders first found by a batch the caller has already obtained."""
    return CandidatePerson.objects.filter(batch=batch)


def get_candidate_for_user(user: Any, pk: Any) -> CandidatePerson:
    try:
        return (
            CandidatePerson.objects.filter(vault__in=vaults_readable_by(user))
            .select_related("batch", "vault")
            .get(pk=pk)
        )
    except (CandidatePerson.DoesNotExist, ValueError, TypeError):
        raise Http404("No such person") from None


def items_of(batch: ImportBatch) -> QuerySet[ImportedItem]:
    """Items of a batch the caller has already obtained through an access function."""
    return ImportedItem.objects.filter(batch=batch)
