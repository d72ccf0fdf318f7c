"""Background imports from the web: the upload staged (encrypted) for the task, the task
run, the "How are dates written?" question, and jobs whose worker died."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.audit import services as audit
from cairn.importers.base import (
    AmbiguousDates,
    ImportFailure,
)
from cairn.importers.models import (
    DateOrder,
    ImportBatch,
    ImportFormat,
    ImportJob,
    JobStatus,
)
from cairn.importers.services.commit import commit_import
from cairn.importers.services.parsing import HEAD_BYTES
from cairn.store.blobs import EmptyFile, StoreError, TooLarge, default_store
from cairn.vault import services as vault_services
from cairn.vault.models import Exhibit, Vault
from cairn.web import timeframe

logger = logging.getLogger(__name__)


def stage_import(
    *,
    actor: User,
    vault: Vault,
    stream: BinaryIO,
    name: str,
    format: str = ImportFormat.AUTO,
    tz: str | None = None,
    date_order: str | None = None,
    owner: str | None = None,
) -> ImportJob:
    """Keep an uploaded export (encrypted, in the vault's store) for the background task.

    The job is not evidence: ``run_import_job`` deletes the staged file when it ends, and a
    failed import leaves only the job's status and message.
    """
    vault_services.require_owner(actor, vault)
    errors: dict[str, list[str]] = {}
    if format not in ImportFormat.values:
        errors["format"] = ["Choose what kind of file it is"]
    zone_name = (tz or vault.time_zone).strip()
    try:
        timeframe.zone(zone_name)
    except timeframe.TimeframeError:
        errors["time_zone"] = ["Enter a time zone such as Europe/London"]
    if date_order not in (None, "", *DateOrder.values):
        errors["date_order"] = ["Choose how dates are written in the file"]
    if errors:
        raise ValidationError(errors)
    store = default_store()
    try:
        blob = store.put(str(vault.pk), stream, max_bytes=settings.CAIRN_MAX_UPLOAD_BYTES)
    except EmptyFile:
        raise ValidationError({"file": ["The selected file is empty"]}) from None
    except (TooLarge, StoreError) as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    try:
        with transaction.atomic():
            job = ImportJob(
                vault=vault,
                format=format,
                time_zone=zone_name,
                date_order=date_order or "",
                staged_sha256=blob.sha256,
                staged_created=blob.created,
                size=blob.size,
                created_by=actor,
            )
            job.source_name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
            job.owner_name = (owner or "").strip()
            job.save()
            audit.record(
                actor=actor,
                action="import.queued",
                object_type="importjob",
                object_id=job.pk,
                vault_id=vault.pk,
                detail={"size": blob.size},
            )
    except BaseException:
        if blob.created and not Exhibit.objects.filter(vault=vault, sha256=blob.sha256).exists():
            store.delete(str(vault.pk), blob.sha256)
        raise
    return job


def run_import_job(job_id: Any) -> None:
    """Run a staged import (called by the background task). Never raises for bad input:
    the job records the failure message, and the staged file is deleted either way, except
    when the file leaves the order of day, month and year open: then the job waits
    ("asking", with ``date_question``) for ``answer_date_order`` and keeps its file."""
    job = ImportJob.objects.select_related("vault", "created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED or awaiting_columns(job):
        return  # already run, or a diary whose columns the victim has not confirmed yet
    set_job(job, status=JobStatus.RUNNING)
    store = default_store()
    namespace = str(job.vault_id)

    def report(phase: str, done: int, total: int | None) -> None:
        # Inside the import's transaction an update would only be seen once it commits.
        if connection.in_atomic_block:
            return
        status = JobStatus.SAVING if phase in ("saving", "proposing") else JobStatus.RUNNING
        ImportJob.objects.filter(pk=job.pk).update(status=status, done=done, total=total)

    asking = False
    try:
        with tempfile.TemporaryDirectory(prefix="cairn-job-") as folder:
            path = Path(folder) / "staged"
            with path.open("wb") as out:
                for chunk in store.iter_bytes(namespace, job.staged_sha256):
                    out.write(chunk)
            result = commit_import(
                actor=job.created_by,
                vault=job.vault,
                source=path,
                name=job.source_name,
                format=job.format,
                tz=job.time_zone,
                date_order=job.date_order or None,
                progress=report,
                owner=job.owner_name or None,
                mapping=job_columns(job),
            )
        set_job(job, status=JobStatus.DONE, batch=result.batch)
    except AmbiguousDates as exc:
        asking = True
        job.date_question = date_question(exc)
        set_job(job, status=JobStatus.ASKING)
    except ImportFailure as exc:
        set_job(job, status=JobStatus.FAILED, error=str(exc))
    except ValidationError as exc:
        set_job(job, status=JobStatus.FAILED, error="; ".join(exc.messages))
    except Exception as exc:
        # The type only: a message could quote the file (DESIGN.md invariant 5).
        logger.error("import job %s failed: %s", job.pk, type(exc).__name__)
        set_job(
            job,
            status=JobStatus.FAILED,
            error="Something went wrong while importing this file. Nothing was saved.",
        )
    finally:
        if not asking:
            discard_staged(job)


def date_question(refusal: AmbiguousDates) -> dict[str, Any]:
    """What the "How are dates written?" page shows: the line, its date as written, and
    what that date would be in each order the file leaves open (ISO dates)."""
    line = refusal.where.rsplit(", line ", 1)[-1]
    return {
        "line": int(line) if line.isdigit() else None,
        "written": refusal.written,
        "readings": {
            order: refusal.readings[order].isoformat()
            for order in refusal.choices
            if order in refusal.readings
        },
    }


def awaiting_date_order(job: ImportJob) -> bool:
    """A job whose file left the order of day, month and year open, waiting for the victim."""
    return job.status == JobStatus.ASKING


def answer_date_order(*, actor: User, job: ImportJob, order: str) -> ImportJob:
    """Record how the victim says the file's dates are written; the job can then run again.

    ``order`` must be one of the orders the file left open (``job.date_question``). Raises
    ``ValidationError`` (on ``date_order``) otherwise, or when the job is not asking."""
    vault_services.require_owner(actor, job.vault)
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().get(pk=job.pk)
        question = current.date_question or {}
        if current.status != JobStatus.ASKING:
            raise ValidationError({"date_order": ["The dates of this file were already settled"]})
        if order not in question.get("readings", {}):
            raise ValidationError({"date_order": ["Choose how dates are written in the file"]})
        current.date_order = order
        current.status = JobStatus.QUEUED
        current.save()
        audit.record(
            actor=actor,
            action="import.dates.answered",
            object_type="importjob",
            object_id=current.pk,
            vault_id=current.vault_id,
            detail={"date_order": order},
        )
    return current


def discard_staged(job: ImportJob) -> None:
    """Delete a job's staged upload, unless it was already in the store as an exhibit."""
    if (
        job.staged_created
        and not Exhibit.objects.filter(vault_id=job.vault_id, sha256=job.staged_sha256).exists()
    ):
        default_store().delete(str(job.vault_id), job.staged_sha256)


def note_task(job: ImportJob, task_id: str) -> None:
    """Keep the background task's id on the job, for an operator looking at the queue."""
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(task_id)[:64])


def set_job(
    job: ImportJob, *, status: str, batch: ImportBatch | None = None, error: str = ""
) -> None:
    job.status = status
    if batch is not None:
        job.batch = batch
    if error:
        job.error = error
    if status in (JobStatus.DONE, JobStatus.FAILED):
        job.finished_at = timezone.now()
    job.save()


def job_columns(job: ImportJob) -> dict[str, int] | None:
    """The columns the victim confirmed for a staged diary, or None."""
    value = job.column_mapping
    return {str(k): int(v) for k, v in value.items()} if value else None


def wants_columns(job: ImportJob) -> bool:
    """Whether a staged upload is a CSV diary (said, or detected from its name and head)."""
    if job.format == ImportFormat.CSV:
        return True
    if job.format != ImportFormat.AUTO or not job.staged_sha256:
        return False
    from cairn.importers.detect import detect_format

    try:
        head = staged_bytes(job, HEAD_BYTES)
    except (StoreError, OSError):
        return False  # the staged file is gone: running the job will say so
    return detect_format(job.source_name, head) == ImportFormat.CSV


def awaiting_columns(job: ImportJob) -> bool:
    """A staged diary still waiting for the victim to confirm its columns."""
    return job.status == JobStatus.QUEUED and job_columns(job) is None and wants_columns(job)


def staged_bytes(job: ImportJob, limit: int) -> bytes:
    """Up to ``limit`` decrypted bytes of a job's staged upload (a diary is small)."""
    parts: list[bytes] = []
    size = 0
    for chunk in default_store().iter_bytes(str(job.vault_id), job.staged_sha256):
        parts.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(parts)[:limit]


def requeue_job(job: ImportJob) -> None:
    """Put an import whose worker died back in the queue (its transaction rolled back)."""
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, done=0, total=None)


def fail_job(job: ImportJob, message: str) -> None:
    """End an import that cannot go on, with a message for the victim, and delete its upload."""
    job = ImportJob.objects.get(pk=job.pk)
    set_job(job, status=JobStatus.FAILED, error=message)
    discard_staged(job)


def staged_file_kept(job: ImportJob) -> bool:
    return bool(job.staged_sha256) and default_store().exists(str(job.vault_id), job.staged_sha256)
