"""``cairn serve`` runs imports in the background: a database task queue and one worker.

The real command, as a subprocess on a free port and a data directory of its own (SQLite):
the worker process runs beside the server, completes an import job put on the queue by
another process, is started again if it dies, and stops when ``cairn serve`` stops.
(The rest of the tests keep the immediate backend.)"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.test_cli import entry_point
from tests.test_import_pipeline import CHAT

DATABASE_TASKS = "django_tasks_db.DatabaseBackend"

# Run with the data dir's environment: stage a chat export the way the upload page does,
# put it on the queue, and wait (up to 30 s) for someone else to run it.
ENQUEUE = """
import io, json, sys, time
from cairn.cli.runtime import setup_django
setup_django()
from cairn.importers import services, tasks
from cairn.importers.models import ImportJob
from cairn.vault.models import Vault

vault = Vault.objects.select_related("owner").get()
chat = io.BytesIO(sys.stdin.buffer.read())
job = services.stage_import(actor=vault.owner, vault=vault, stream=chat,
                            name="WhatsApp Chat with Mark.txt", format="whatsapp", owner="Alex")
tasks.enqueue_import(job)
queued = ImportJob.objects.get(pk=job.pk).status
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    job = ImportJob.objects.get(pk=job.pk)
    if job.finished:
        break
    time.sleep(0.2)
print(json.dumps({"queued": queued, "final": job.status, "batch": job.batch_id is not None}))
"""


@pytest.fixture
def data_env(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CAIRN_", "DATABASE_URL", "DJANGO_"))
    }
    env["CAIRN_DATA_DIR"] = str(tmp_path / "data")
    created = subprocess.run(
        [*entry_point(), "vault", "create", "My log", "--initials", "AB", "--owner", "alex"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> dict[int, str]:
    """The live child processes of ``pid``, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(entry.name)] = cmdline
    return found


def workers(pid: int) -> list[int]:
    return [child for child, cmdline in children(pid).items() if "db_worker" in cmdline]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def start_serve(env: dict[str, str], tmp_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [*entry_point(), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def answers() -> bool:
        if server.poll() is not None:
            pytest.fail("cairn serve exited: " + (tmp_path / "serve.log").read_text())
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
        except urllib.error.HTTPError:
            return True  # any answer will do: the server is up
        except OSError:
            return False
        return True

    wait_for(answers, 90, "cairn serve to answer")
    return server, port


def stop(server: subprocess.Popen[bytes], signum: int) -> None:
    server.send_signal(signum)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        pytest.fail("cairn serve did not stop")


def test_serve_starts_a_worker_that_runs_queued_imports_and_stops_with_it(data_env, tmp_path):
    server, _ = start_serve(data_env, tmp_path)
    try:
        [worker] = wait_for(lambda: workers(server.pid), 30, "the import worker")

        enqueue_env = {**data_env, "CAIRN_TASKS_BACKEND": DATABASE_TASKS}
        enqueued = subprocess.run(
            [sys.executable, "-c", ENQUEUE],
            env=enqueue_env,
            input=CHAT.encode(),
            capture_output=True,
            timeout=90,
            check=False,
            cwd=Path(__file__).resolve().parents[1],
        )
        assert enqueued.returncode == 0, enqueued.stderr.decode()
        result = json.loads(enqueued.stdout.decode().strip().splitlines()[-1])
        # Queued by one process, run by the worker: not in the enqueuing process.
        assert result == {"queued": "queued", "final": "done", "batch": True}

        # A worker that dies is started again.
        os.kill(worker, signal.SIGKILL)
        [again] = wait_for(
            lambda: [w for w in workers(server.pid) if w != worker],
            30,
            "the import worker to be started again",
        )
    finally:
        stop(server, signal.SIGTERM)
    assert server.returncode is not None
    assert not alive(worker) and not alive(again)


def test_serve_keeps_the_backend_the_person_chose_and_stops_on_ctrl_c(data_env, tmp_path):
    env = {**data_env, "CAIRN_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    server, _ = start_serve(env, tmp_path)
    try:
        time.sleep(1)
        assert workers(server.pid) == []
    finally:
        stop(server, signal.SIGINT)
    assert server.returncode == 0


def test_a_worker_never_outlives_a_server_that_was_killed(data_env, tmp_path):
    server, _ = start_serve(data_env, tmp_path)
    [worker] = wait_for(lambda: workers(server.pid), 30, "the import worker")
    server.kill()  # SIGKILL: cairn serve has no chance to stop the worker itself
    server.wait(timeout=30)
    wait_for(lambda: not alive(worker), 30, "the orphaned import worker to end")


def test_serve_stops_promptly_on_ctrl_c_while_pages_are_being_served(data_env, tmp_path):
    """Ctrl+C while requests are in flight: the server stops, with its worker, in seconds."""
    server, port = start_serve(data_env, tmp_path)
    [worker] = wait_for(lambda: workers(server.pid), 30, "the import worker")
    stop_requests = threading.Event()

    def keep_asking() -> None:
        while not stop_requests.is_set():
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/account/sign-in/", timeout=5)

    askers = [threading.Thread(target=keep_asking, daemon=True) for _ in range(4)]
    for asker in askers:
        asker.start()
    try:
        stop(server, signal.SIGINT)
    finally:
        stop_requests.set()
    assert server.returncode == 0
    wait_for(lambda: not alive(worker), 30, "the import worker to stop with the server")


# Stage a long chat export and enqueue it; then report the job's status each time it
# changes (one JSON line each), until it has finished or 600 s have passed.
WATCH_LONG_IMPORT = """
import io, json, sys, time
from cairn.cli.runtime import setup_django
setup_django()
from cairn.importers import services, tasks
from cairn.importers.models import ImportJob
from cairn.vault.models import Vault

vault = Vault.objects.select_related("owner").get()
lines = [f"{1 + n % 28:02d}/0{1 + n % 9}/2025, 09:{n % 60:02d} - Mark: message number {n}"
         for n in range(int(sys.argv[1]))]
job = services.stage_import(actor=vault.owner, vault=vault,
                            stream=io.BytesIO("\\n".join(lines).encode()),
                            name="WhatsApp Chat with Mark.txt", format="whatsapp", owner="Alex")
tasks.enqueue_import(job)
seen = None
deadline = time.monotonic() + 600
while time.monotonic() < deadline:
    job = ImportJob.objects.get(pk=job.pk)
    if job.status != seen:
        seen = job.status
        print(json.dumps({"status": job.status, "error": job.error}), flush=True)
    if job.finished:
        break
    time.sleep(0.1)
from django_tasks_db.models import DBTaskResult
tries = DBTaskResult.objects.filter(args_kwargs__args__0=str(job.pk)).order_by("enqueued_at")
print(json.dumps({"tries": [[t.status, t.exception_class_path] for t in tries]}), flush=True)
"""


def test_an_import_whose_worker_is_killed_is_run_again_and_finishes(data_env, tmp_path):
    server, _ = start_serve(data_env, tmp_path)
    watcher = None
    try:
        [worker] = wait_for(lambda: workers(server.pid), 30, "the background worker")
        watcher = subprocess.Popen(
            [sys.executable, "-c", WATCH_LONG_IMPORT, "40000"],
            env={**data_env, "CAIRN_TASKS_BACKEND": DATABASE_TASKS},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        assert watcher.stdout is not None
        statuses = []
        for line in watcher.stdout:
            statuses.append(json.loads(line)["status"])
            if statuses[-1] in ("running", "saving"):
                break
        assert statuses[-1] in ("running", "saving"), watcher.stderr.read()
        os.kill(worker, signal.SIGKILL)  # mid-import: its transaction rolls back
        for line in watcher.stdout:
            report = json.loads(line)
            if "tries" in report:
                tries = report["tries"]
                break
            statuses.append(report["status"])
            error = report["error"]
        watcher.wait(timeout=60)
    finally:
        stop(server, signal.SIGTERM)
        if watcher is not None and watcher.poll() is None:
            watcher.kill()
    # Queued again by the worker started in its place, which then ran it to the end.
    assert statuses[-1] == "done", (statuses, error)
    assert tries == [["FAILED", "cairn.jobs.recovery.WorkerDied"], ["SUCCESSFUL", ""]]


BURN = "import time\nend = time.monotonic() + 90\nwhile time.monotonic() < end: pass\n"


def test_serve_with_several_processes_stops_in_seconds_on_a_busy_machine(data_env, tmp_path):
    """gunicorn with 2 web processes and its background worker, under requests, with both
    cores kept busy: SIGTERM stops every process of it within seconds."""
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [*entry_point(), "serve", "--port", str(port), "--processes", "2"],
        env=data_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    burners = []
    stop_requests = threading.Event()
    try:

        def answers() -> bool:
            if server.poll() is not None:
                pytest.fail("cairn serve exited: " + (tmp_path / "serve.log").read_text())
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/account/sign-in/", timeout=2)
            except OSError:
                return False
            return True

        wait_for(answers, 120, "cairn serve --processes 2 to answer")
        family = wait_for(
            lambda: len(children(server.pid)) >= 3 and children(server.pid),
            60,
            "two web processes and a worker",
        )
        burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(2)]

        def keep_asking() -> None:
            while not stop_requests.is_set():
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/account/sign-in/", timeout=5)

        for _ in range(4):
            threading.Thread(target=keep_asking, daemon=True).start()
        time.sleep(1)
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        took = time.monotonic() - started
    finally:
        stop_requests.set()
        for burner in burners:
            burner.kill()
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, (tmp_path / "serve.log").read_text()
    assert took < 15, f"took {took:.1f} s"
    wait_for(lambda: not any(alive(pid) for pid in family), 10, "no process to outlive it")
    assert any("cairn_db_worker" in cmdline for cmdline in family.values())


def test_verify_reports_the_partial_file_a_killed_exhibit_add_leaves(data_env, tmp_path):
    big = tmp_path / "cctv.bin"
    with big.open("wb") as out:
        for _ in range(400):
            out.write(os.urandom(1024 * 1024))
    adding = subprocess.Popen(
        [*entry_point(), "exhibit", "add", str(big)],
        env=data_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    evidence = Path(data_env["CAIRN_DATA_DIR"]) / "evidence"
    try:
        wait_for(lambda: list(evidence.glob("*/.incoming-*")), 120, "the partial file")
    finally:
        adding.kill()
        adding.wait()
    verified = subprocess.run(
        [*entry_point(), "verify"],
        env=data_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Note: 1 partial file(s)" in verified.stdout
    assert "left by interrupted writes" in verified.stdout
