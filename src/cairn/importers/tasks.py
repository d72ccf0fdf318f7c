"""The background task that runs a web upload's import (docs/adr/0008-background-imports.md).

``enqueue_import`` hands a staged ``ImportJob`` to the configured django-tasks backend:
the database backend (``django_tasks_db``, run by the workers that ``cairn serve`` starts,
or by ``cairn worker`` services on a hosted instance), or the immediate backend in tests,
where the import runs before the upload's response is sent. Either way the job row carries
status and progress, so the progress page reads the same thing.

A worker that dies mid-import (killed, out of memory, its machine gone) is noticed by the
other workers or the next one to start (cairn/jobs/recovery.py), which call
``import_abandoned``: the import's transaction rolled back with the worker, so nothing of it
was saved; it is run again once, and if that dies too the job fails with a message saying
what to do. An upload left waiting for its columns is deleted after two days
(``expire_waiting_imports``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django_tasks import task

from cairn.importers import services
from cairn.importers.models import ImportJob, JobStatus

MAX_ATTEMPTS = 2
STOPPED_TWICE = (
    "The import stopped twice before it finished, because the server running it "
    "stopped. Nothing from this file was saved. Try uploading it again; if it "
    "stops again, tell whoever runs this service: the file may be too large for "
    "it."
)
STOPPED_FILE_GONE = (
    "The import stopped before it finished, because the server running it "
    "stopped. Nothing from this file was saved. Upload it again."
)
WAITED_TOO_LONG = (
    "This upload waited two days for you to check its columns, so it was "
    "deleted. Nothing from it was saved. Upload the file again to import it."
)


@task()
def import_file(job_id: str) -> None:
    services.run_import_job(job_id)


def enqueue_import(job: ImportJob) -> None:
    result = import_file.enqueue(str(job.pk))
    services.note_task(job, result.id)


def import_abandoned(result: Any) -> None:
    """The worker running ``result`` (an ``import_file`` task) died: retry or fail the job."""
    from django_tasks_db.models import DBTaskResult

    job_id = (result.args_kwargs.get("args") or [None])[0]
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return
    attempts = DBTaskResult.objects.filter(
        task_path=result.task_path, args_kwargs__args__0=str(job_id)
    ).count()
    if not services.staged_file_kept(job):
        services.fail_job(job, STOPPED_FILE_GONE)
    elif attempts >= MAX_ATTEMPTS:
        services.fail_job(job, STOPPED_TWICE)
    else:
        services.requeue_job(job)
        enqueue_import(job)


def expire_waiting_imports(cutoff: datetime) -> int:
    """Fail the uploads still waiting for their columns since before ``cutoff``."""
    expired = 0
    for job in ImportJob.objects.filter(status=JobStatus.QUEUED, task_id="", created_at__lt=cutoff):
        if services.awaiting_columns(job):
            services.fail_job(job, WAITED_TOO_LONG)
            expired += 1
    return expired
