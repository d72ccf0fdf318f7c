"""``python -m django cairn_db_worker``: django-tasks-db's worker, with a lease and recovery.

The same worker as ``db_worker`` (same options), which before claiming any task registers
its lease (cairn/jobs/workers.py), recovers the tasks of dead workers and cleans up partial
files (cairn/jobs/recovery.py, housekeeping.py), then keeps doing both, with its heartbeat,
from a thread of its own. ``cairn worker`` and ``cairn serve`` run it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from cairn.jobs import housekeeping, recovery, workers

logger = logging.getLogger(__name__)


class LeasedWorker(Worker):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._stop = threading.Event()

    def run(self) -> None:
        workers.register(self.worker_id)
        self._look_after()
        keeper = threading.Thread(target=self._keep, name="cairn-worker-lease", daemon=True)
        keeper.start()
        try:
            super().run()
        finally:
            self._stop.set()
            workers.stopped(self.worker_id)

    def _look_after(self) -> None:
        """Recover dead workers' tasks and clean up; a failure is logged and tried again."""
        try:
            recovery.recover_abandoned()
            housekeeping.run()
        except Exception as exc:
            logger.warning("recovery and cleanup did not finish: %s", type(exc).__name__)

    def _keep(self) -> None:
        since_recovery = 0.0
        try:
            while not self._stop.wait(workers.HEARTBEAT_SECONDS):
                close_old_connections()
                try:
                    workers.beat(self.worker_id)
                except Exception as exc:
                    logger.warning("heartbeat failed: %s", type(exc).__name__)
                since_recovery += workers.HEARTBEAT_SECONDS
                if since_recovery >= recovery.RECOVERY_SECONDS:
                    since_recovery = 0.0
                    self._look_after()
        finally:
            connection.close()


class Command(DatabaseWorkerCommand):
    help = "Run a background worker that recovers the tasks of workers that died"

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=workers.new_worker_id())

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        worker = LeasedWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        worker.run()
