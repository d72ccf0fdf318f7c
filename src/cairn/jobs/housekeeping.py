"""Cleaning up after interrupted work, run by the workers (and reported by cairn verify).

- Partial files: a write that was interrupted (a killed ``cairn exhibit add``, a web
  server stopped mid-upload, a worker killed mid-import) leaves an ``.incoming-*`` file
  on disk or an unfinished upload in object storage. One not touched for
  ``PARTIAL_MINUTES`` is no longer being written (a write touches its file at every
  segment) and is removed.
- Finished packs: kept in the vault's store until downloaded, for a day at most.
- Staged uploads: an import the victim never finished (a diary whose columns she never
  confirmed) keeps its upload, encrypted, for ``STAGED_DAYS``; then the job fails with a
  message saying so and the upload is deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from cairn.store.backends import Partial
from cairn.store.blobs import default_store

logger = logging.getLogger(__name__)

PARTIAL_MINUTES = 60
STAGED_DAYS = 2


@dataclass(frozen=True)
class Leftovers:
    partials: list[Partial]

    @property
    def bytes(self) -> int:
        return sum(p.size for p in self.partials)


def leftovers() -> Leftovers:
    return Leftovers(list(default_store().backend.partials()))


def remove_stale_partials(*, now: datetime | None = None, minutes: int = PARTIAL_MINUTES) -> int:
    backend = default_store().backend
    cutoff = (now or timezone.now()) - timedelta(minutes=minutes)
    removed = 0
    for partial in list(backend.partials()):
        if partial.modified < cutoff:
            backend.remove_partial(partial)
            removed += 1
    if removed:
        logger.warning("removed %d partial files left by interrupted writes", removed)
    return removed


def expire_staged_uploads(*, now: datetime | None = None, days: int = STAGED_DAYS) -> int:
    from cairn.importers.tasks import expire_waiting_imports

    return expire_waiting_imports((now or timezone.now()) - timedelta(days=days))


def run() -> None:
    from cairn.packs.jobs import expire_results

    remove_stale_partials()
    expire_staged_uploads()
    expire_results()
