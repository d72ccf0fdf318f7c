"""Evidence packs made in the background, with progress, and kept until downloaded.

``request_pack`` records what she chose (sealed) as a ``PackJob`` and hands it to the task
queue: the background workers make it (``run_pack_job``, through ``build_pack``, reporting
the phase and the exhibits copied so far), and keep the finished file in her vault's
encrypted store. The page polls the job and offers the download when it is ready; with the
immediate backend (tests, a single process) the pack is made before the page answers.

A worker that dies mid-pack is noticed by the others (cairn/jobs/recovery.py): the pack is
made again once, then the job fails saying what to do. A finished pack is deleted from the
store after ``RESULT_HOURS`` (cairn/jobs/housekeeping.py).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cairn.audit import services as audit
from cairn.packs.builder import PackBuildError
from cairn.packs.crypt import PackCryptError
from cairn.packs.models import PackJob, PackJobStatus
from cairn.packs.selection import Selection, SelectionError
from cairn.store.blobs import StoreError, default_store
from cairn.vault import services as vault_services
from cairn.vault.models import Exhibit, Vault
from cairn.web.downloads import neutral_name

logger = logging.getLogger(__name__)

RESULT_HOURS = 24
MAX_ATTEMPTS = 2
PHASES = {
    "": "Waiting to start",
    "reading": "Reading your log",
    "exhibits": "Copying exhibits",
    "encrypting": "Encrypting",
    "saving": "Saving",
}
STOPPED_TWICE = (
    "Making the pack stopped twice before it finished, because the server "
    "making it stopped. Try again; if it stops again, tell whoever runs this "
    "service."
)
WENT_WRONG = "Something went wrong while making the pack. Nothing was changed. Try again."


def _selection_options(selection: Selection) -> dict[str, Any]:
    return {
        "incidents": sorted(selection.incident_ids) if selection.incident_ids is not None else None,
        "exhibits": sorted(selection.exhibit_ids) if selection.exhibit_ids is not None else None,
        "redacted": dict(selection.redacted),
        "also": sorted(selection.also),
    }


def _selection(options: dict[str, Any]) -> Selection:
    return Selection.of(
        options["incidents"], options["exhibits"], options["redacted"], options["also"]
    )


def request_pack(
    *,
    actor: Any,
    vault: Vault,
    selection: Selection,
    protection: str = "none",
    recipient: str = "",
    passphrase: str = "",
    statement: str = "none",
) -> PackJob:
    """Queue a pack of ``selection`` for the vault's owner; returns the job to follow."""
    vault_services.require_owner(actor, vault)
    if protection == "recipient" and not recipient.strip():
        raise PackBuildError("give the police unit's key to encrypt the pack to")
    if protection == "passphrase" and not passphrase:
        raise PackBuildError("give a passphrase to encrypt the pack with")
    with transaction.atomic():
        job = PackJob(vault=vault, created_by=actor, encrypted=protection != "none")
        job.options = {
            "selection": _selection_options(selection),
            "statement": statement,
            "recipients": [recipient.strip()] if protection == "recipient" else [],
            "passphrase": passphrase if protection == "passphrase" else "",
        }
        job.save()
        audit.record(
            actor=actor,
            action="pack.requested",
            object_type="vault",
            object_id=vault.pk,
            vault_id=vault.pk,
            detail={"job": str(job.pk)},
        )
    _enqueue(job)  # after the commit: a worker elsewhere must find the job
    return job


def _enqueue(job: PackJob) -> None:
    result = make_pack.enqueue(str(job.pk))
    PackJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


@task()
def make_pack(job_id: str) -> None:
    run_pack_job(job_id)


def run_pack_job(job_id: Any) -> None:
    """Make the pack (called by the background task). Never raises for a refused pack: the
    job says what went wrong."""
    from cairn.packs.services import build_pack

    job = PackJob.objects.select_related("vault", "created_by").get(pk=job_id)
    if job.status != PackJobStatus.QUEUED:
        return
    _update(job, status=PackJobStatus.RUNNING, phase="reading", done=0, total=None)

    def report(phase: str, done: int, total: int | None) -> None:
        _update(job, phase=phase, done=done, total=total)

    options = job.options or {}
    name = neutral_name(".zip.age" if job.encrypted else ".zip")  # says nothing (issue 16)
    work = Path(tempfile.mkdtemp(prefix="cairn-pack-job-"))
    try:
        out = work / ("pack.zip.age" if job.encrypted else "pack.zip")
        build_pack(
            actor=job.created_by,
            vault=job.vault,
            selection=_selection(options["selection"]),
            out=out,
            recipients=options.get("recipients", []),
            passphrase=options.get("passphrase") or None,
            statement=options.get("statement", "none"),
            progress=report,
        )
        _update(job, phase="saving", done=0, total=None)
        with out.open("rb") as handle:
            stored = default_store().put(str(job.vault_id), handle)
        _finish(
            job,
            status=PackJobStatus.DONE,
            result_sha256=stored.sha256,
            result_name=name,
            result_size=stored.size,
        )
    except (PackBuildError, PackCryptError, SelectionError) as exc:
        _finish(job, status=PackJobStatus.FAILED, error=str(exc)[:500])
    except Exception as exc:
        logger.error("pack job %s failed: %s", job.pk, type(exc).__name__)
        _finish(job, status=PackJobStatus.FAILED, error=WENT_WRONG)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _update(job: PackJob, **fields: Any) -> None:
    PackJob.objects.filter(pk=job.pk).update(**fields)


def _finish(job: PackJob, *, status: str, error: str = "", **fields: Any) -> None:
    """End the job, and wipe what she chose (with any passphrase) from it."""
    job.refresh_from_db()
    job.status = status
    job.error = error
    job.options = None
    job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()


def state(job: PackJob) -> dict[str, Any]:
    """What the progress page shows and polls: status and counts only, never content."""
    return {
        "status": job.status,
        "finished": job.finished,
        "label": PHASES.get(job.phase, "Making the pack")
        if not job.finished
        else job.get_status_display(),
        "done": job.done,
        "total": job.total,
    }


def result_chunks(job: PackJob) -> Iterator[bytes]:
    return default_store().iter_bytes(str(job.vault_id), job.result_sha256)


def pack_abandoned(result: Any) -> None:
    """The worker making a pack died (cairn/jobs/recovery.py): make it again once, or fail."""
    from django_tasks_db.models import DBTaskResult

    job_id = (result.args_kwargs.get("args") or [None])[0]
    job = PackJob.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return
    attempts = DBTaskResult.objects.filter(
        task_path=result.task_path, args_kwargs__args__0=str(job_id)
    ).count()
    if attempts >= MAX_ATTEMPTS or not job.options:
        _finish(job, status=PackJobStatus.FAILED, error=STOPPED_TWICE)
        return
    _update(job, status=PackJobStatus.QUEUED, phase="", done=0, total=None)
    _enqueue(job)


def expire_results(cutoff: datetime | None = None) -> int:
    """Delete the finished packs made before ``cutoff`` (default: ``RESULT_HOURS`` ago)."""
    cutoff = cutoff or timezone.now() - timedelta(hours=RESULT_HOURS)
    expired = 0
    for job in PackJob.objects.filter(status=PackJobStatus.DONE, finished_at__lt=cutoff).exclude(
        result_sha256=""
    ):
        try:
            if not Exhibit.objects.filter(vault_id=job.vault_id, sha256=job.result_sha256).exists():
                default_store().delete(str(job.vault_id), job.result_sha256)
        except StoreError:
            continue
        PackJob.objects.filter(pk=job.pk).update(result_sha256="", result_size=0)
        expired += 1
    return expired
