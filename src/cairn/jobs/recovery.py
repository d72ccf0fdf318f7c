"""Tasks whose worker died: found, and handed to their task's own recovery.

A worker killed while running a task (SIGKILL, out of memory, a machine that went down)
leaves its task result "running" for ever. ``recover_abandoned`` finds every running task
whose worker is no longer alive (cairn/jobs/workers.py), marks it failed, and calls the
handler its task names in ``HANDLERS``, which retries it or tells the person what happened
(an import: cairn/importers/tasks.py). A conditional update makes sure that of two workers
recovering at once, only one handles each task.

Every worker runs this when it starts and then every ``RECOVERY_SECONDS``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from cairn.jobs import workers
from cairn.jobs.models import WorkerLease

logger = logging.getLogger(__name__)

RECOVERY_SECONDS = 30
WORKER_DIED = "cairn.jobs.recovery.WorkerDied"
HANDLERS = {
    "cairn.importers.tasks.import_file": "cairn.importers.tasks.import_abandoned",
    "cairn.packs.jobs.make_pack": "cairn.packs.jobs.pack_abandoned",
}


class WorkerDied(Exception):
    """Recorded on a task result whose worker stopped before the task finished."""


def _running() -> Any:
    from django_tasks.base import TaskResultStatus

    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)


def abandoned_results() -> list[DBTaskResult]:
    leases = {lease.worker_id: lease for lease in WorkerLease.objects.all()}
    found = []
    for result in _running():
        worker = result.worker_ids[-1] if result.worker_ids else None
        if not workers.is_alive(leases.get(worker) if worker else None):
            found.append(result)
    return found


def recover_abandoned() -> int:
    """Mark the tasks of dead workers failed and let each task's handler act. Returns how
    many were recovered."""
    from django_tasks.base import TaskResultStatus

    count = 0
    for result in abandoned_results():
        with transaction.atomic():
            claimed = (
                _running()
                .filter(pk=result.pk)
                .update(
                    status=TaskResultStatus.FAILED,
                    finished_at=timezone.now(),
                    exception_class_path=WORKER_DIED,
                    traceback="The worker running this task stopped before it finished.",
                )
            )
        if not claimed:
            continue  # another worker recovered it first
        count += 1
        logger.warning("task %s: its worker stopped while running it", result.pk)
        handler = HANDLERS.get(result.task_path)
        if handler is not None:
            import_string(handler)(result)
    return count
