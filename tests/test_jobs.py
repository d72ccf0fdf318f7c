"""Background work whose worker died: recovered, retried once, or failed with a message; and
what interrupted work leaves behind, cleaned up (cairn/jobs/). The whole path with a real
``cairn serve`` whose worker is killed is in tests/test_serve_worker.py."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cairn.importers import services, tasks
from cairn.importers.models import ImportJob, JobStatus
from cairn.jobs import recovery, workers
from cairn.jobs.models import WorkerLease
from cairn.store.blobs import default_store
from tests.test_import_pipeline import CHAT

DATABASE_TASKS = "django_tasks_db.DatabaseBackend"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": DATABASE_TASKS}}


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _claimed_by_dead_worker(job: ImportJob) -> DBTaskResult:
    """What a worker killed mid-import leaves: its lease, and the task still "running"."""
    lease = WorkerLease.objects.create(
        worker_id=f"dead-{job.pk}-{DBTaskResult.objects.count()}",
        host=workers.this_host(),
        pid=_dead_pid(),
        pid_started="1",
        beat_at=timezone.now(),
    )
    result = DBTaskResult.objects.get(pk=ImportJob.objects.get(pk=job.pk).task_id)
    DBTaskResult.objects.filter(pk=result.pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=[lease.worker_id], started_at=timezone.now()
    )
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.SAVING, done=3, total=8)
    return result


def _staged_chat(vault) -> ImportJob:
    job = services.stage_import(
        actor=vault.owner,
        vault=vault,
        stream=io.BytesIO(CHAT.encode()),
        name="WhatsApp Chat with Mark.txt",
        format="whatsapp",
        owner="Alex",
    )
    tasks.enqueue_import(job)
    return ImportJob.objects.get(pk=job.pk)


def test_an_import_whose_worker_died_is_run_again_once_then_failed_with_what_to_do(
    vault, database_queue
):
    job = _staged_chat(vault)
    first = _claimed_by_dead_worker(job)

    assert recovery.recover_abandoned() == 1
    first.refresh_from_db()
    assert (first.status, first.exception_class_path) == (
        TaskResultStatus.FAILED,
        recovery.WORKER_DIED,
    )
    job.refresh_from_db()
    assert (job.status, job.done, job.error) == (JobStatus.QUEUED, 0, "")
    retry = DBTaskResult.objects.get(pk=job.task_id)
    assert retry.pk != first.pk and retry.status == TaskResultStatus.READY
    assert default_store().exists(str(vault.pk), job.staged_sha256)
    assert recovery.recover_abandoned() == 0  # nothing more to do

    _claimed_by_dead_worker(job)
    assert recovery.recover_abandoned() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert job.error == tasks.STOPPED_TWICE
    assert "Nothing from this file was saved" in job.error
    assert not default_store().exists(str(vault.pk), job.staged_sha256)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 0


def test_the_retry_runs_to_the_end_when_the_next_worker_lives(vault, database_queue, settings):
    job = _staged_chat(vault)
    _claimed_by_dead_worker(job)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    recovery.recover_abandoned()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.batch is not None


def test_a_task_whose_worker_is_alive_is_left_running(vault, database_queue):
    job = _staged_chat(vault)
    workers.register("this-worker")
    DBTaskResult.objects.filter(pk=job.task_id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["this-worker"], started_at=timezone.now()
    )
    assert recovery.abandoned_results() == []
    assert recovery.recover_abandoned() == 0
    workers.stopped("this-worker")  # it stopped in order but its task never finished
    assert [r.pk for r in recovery.abandoned_results()] == [DBTaskResult.objects.get().pk]


def test_a_worker_on_another_host_lives_by_its_heartbeat_on_postgresql(db):
    lease = WorkerLease.objects.create(
        worker_id="elsewhere", host="another-host", pid=1, pid_started="1", beat_at=timezone.now()
    )
    assert workers.is_alive(lease)
    lease.beat_at = timezone.now() - timedelta(seconds=workers.LEASE_SECONDS + 1)
    # SQLite instances run on one host: a lease from another cannot be judged, so it stands.
    assert workers.is_alive(lease) is (connection.vendor == "sqlite")


def test_a_file_staged_for_its_columns_and_left_for_two_days_is_deleted(vault):
    diary = b"date,what happened\n2026-11-20,He was at the gate\n"
    job = services.stage_import(
        actor=vault.owner, vault=vault, stream=io.BytesIO(diary), name="diary.csv", format="csv"
    )
    assert services.awaiting_columns(job)
    assert tasks.expire_waiting_imports(timezone.now() - timedelta(days=2)) == 0
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert tasks.expire_waiting_imports(timezone.now() - timedelta(days=2)) == 1
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, tasks.WAITED_TOO_LONG)
    assert not default_store().exists(str(vault.pk), job.staged_sha256)
