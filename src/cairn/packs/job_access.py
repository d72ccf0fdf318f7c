"""Who may follow and download a pack being made: the owner of its vault, and nobody else."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cairn.packs.models import PackJob, PackJobStatus
from cairn.vault import access as vault_access
from cairn.vault.models import Vault


def pack_jobs_readable_by(user: Any, vault: Vault | None = None) -> QuerySet[PackJob]:
    qs = PackJob.objects.filter(vault__in=vault_access.vaults_readable_by(user), created_by=user)
    return qs.filter(vault=vault) if vault is not None else qs


def get_pack_job_for_user(user: Any, job_id: Any) -> PackJob:
    try:
        return pack_jobs_readable_by(user).select_related("vault").get(pk=job_id)
    except (PackJob.DoesNotExist, ValueError):
        raise Http404("No such pack") from None


def ready_packs(user: Any, vault: Vault) -> QuerySet[PackJob]:
    """Her packs made and still waiting to be downloaded (the notice on the pack page)."""
    return (
        pack_jobs_readable_by(user, vault)
        .filter(status=PackJobStatus.DONE)
        .exclude(result_sha256="")
    )
