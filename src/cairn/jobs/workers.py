"""Which background workers are alive, so that a task a dead worker held is not lost.

Each worker (``cairn worker``, or those ``cairn serve`` starts) registers a ``WorkerLease``
before it claims any task, under the id it claims tasks with. A worker is alive if:

- it runs on this host: its process id still names a process with the same start time
  (immediate, and proof against a reused process id);
- it runs elsewhere (PostgreSQL only): its heartbeat is younger than ``LEASE_SECONDS``.

A worker that stopped in order says so (``stopped_at``). On SQLite every worker runs on one
host, so the process check alone decides, and no heartbeat is written (it would queue
behind the running task's write transaction).
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.utils import timezone

from cairn.jobs.models import WorkerLease

HEARTBEAT_SECONDS = 5
LEASE_SECONDS = 45


def this_host() -> str:
    return socket.gethostname()[:255]


def process_started(pid: int) -> str:
    """The start time of process ``pid`` in clock ticks since boot, or "" if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":
        return ""
    return fields[19]


def new_worker_id() -> str:
    return f"{this_host()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"[:64]


def register(worker_id: str) -> WorkerLease:
    now = timezone.now()
    lease, _ = WorkerLease.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": this_host(),
            "pid": os.getpid(),
            "pid_started": process_started(os.getpid()),
            "beat_at": now,
            "stopped_at": None,
        },
    )
    return lease


def beat(worker_id: str) -> None:
    if connection.vendor != "sqlite":
        WorkerLease.objects.filter(pk=worker_id).update(beat_at=timezone.now())


def stopped(worker_id: str) -> None:
    WorkerLease.objects.filter(pk=worker_id).update(stopped_at=timezone.now())


def is_alive(lease: WorkerLease | None) -> bool:
    if lease is None or lease.stopped_at is not None:
        return False  # every worker registers before it claims a task
    if lease.host == this_host():
        return process_started(lease.pid) == lease.pid_started
    if connection.vendor == "sqlite":
        return True  # another host sharing a SQLite file: it cannot be checked from here
    return timezone.now() - lease.beat_at < timedelta(seconds=LEASE_SECONDS)


def forget_old(days: int = 7) -> None:
    """Drop the leases of workers that stopped or died long ago."""
    cutoff = timezone.now() - timedelta(days=days)
    WorkerLease.objects.filter(beat_at__lt=cutoff).delete()
