from __future__ import annotations

from django.db import models


class WorkerLease(models.Model):
    """A background worker process that is, or was, running tasks (cairn/jobs/workers.py).

    A task result names the worker that claimed it; this row says whether that worker is
    still alive: on the same host by its process id and start time, on any host by its
    heartbeat (``beat_at``, PostgreSQL only: on SQLite a heartbeat would queue behind the
    task's own write transaction, and SQLite instances have one host anyway).
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    pid_started = models.CharField(
        max_length=32,
        help_text="The process's start time, so a "
        "reused process id is not taken for the same worker.",
    )
    started_at = models.DateTimeField(auto_now_add=True)
    beat_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "worker lease"
