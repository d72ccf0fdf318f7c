"""The background task that runs a web upload's import (docs/adr/0008-background-imports.md).

``enqueue_import`` hands a staged ``ImportJob`` to the configured django-tasks backend:
the database backend (``django_tasks_db``, run by the worker process that ``cairn serve``
starts, or by ``db_worker`` services on a hosted instance), or the immediate backend in tests,
where the import runs before the upload's response is sent. Either way the job row carries
status and progress, so the progress page reads the same thing.
"""

from __future__ import annotations

from django_tasks import task

from cairn.importers import services
from cairn.importers.models import ImportJob


@task()
def import_file(job_id: str) -> None:
    services.run_import_job(job_id)


def enqueue_import(job: ImportJob) -> None:
    result = import_file.enqueue(str(job.pk))
    services.note_task(job, result.id)
