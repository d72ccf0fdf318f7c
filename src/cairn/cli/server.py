"""``cairn serve``, ``cairn worker`` and ``cairn demo``: run the web pages and the background
workers, and load the demo vault.

``cairn serve`` runs imports in the background (docs/adr/0008-background-imports.md): unless
``CAIRN_TASKS_BACKEND`` says otherwise it uses the database task queue
(``django_tasks_db.DatabaseBackend``) and starts ``--workers`` worker processes
(``cairn_db_worker``: cairn/jobs/) beside the web server, with the same environment and data
directory. A worker is started again if it dies, and stopped when ``cairn serve`` stops
(Ctrl+C, SIGTERM, or interpreter exit). The web server is waitress in this process, or with
``--processes N`` gunicorn with N worker processes (cairn/gunicorn_config.py, ADR 0049).
``cairn worker`` runs one background worker in the foreground, for a service manager.
"""

from __future__ import annotations

import atexit
import importlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

import click

from cairn.cli.context import all_vaults
from cairn.cli.errors import CairnError
from cairn.cli.runtime import ensure_database

LOCAL_ADDRESS = "http://127.0.0.1:8000"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DATABASE_TASKS = "django_tasks_db.DatabaseBackend"
WORKER_COMMAND = (
    "-m",
    "django",
    "cairn_db_worker",
    "--no-reload",
    "--no-startup-delay",
    "--interval",
    "1",
    "--verbosity",
    "0",
)
WORKER_STOP_SECONDS = 10  # a running import is given this long to finish on shutdown


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when the thread that made it ends


def _end_with_parent() -> None:
    """In the worker, before it starts: ask Linux to send it SIGTERM if ``cairn serve``
    dies without stopping it (e.g. killed with SIGKILL), so no worker outlives its server.
    Elsewhere, or if the call fails, the worker is still stopped by ``stop``."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class ImportWorker:
    """One ``db_worker`` process beside the web server, started again if it dies.

    It runs in a session of its own, so a Ctrl+C in the terminal reaches only ``cairn
    serve``, which then stops the worker itself (rather than the worker stopping by itself
    and being restarted). ``stop`` asks it to stop (SIGTERM: it finishes the import it is
    running), asks again after ``WORKER_STOP_SECONDS`` (it abandons the import, whose
    transaction rolls back), then kills it.
    """

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.owner = os.getpid()  # gunicorn forks web workers: only the server stops it
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher = threading.Thread(
            target=self._watch, name="cairn-import-worker", daemon=True
        )

    def start(self) -> None:
        self._spawn()
        self._watcher.start()

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            self.process = subprocess.Popen(
                [sys.executable, *WORKER_COMMAND],
                env=self.env,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_end_with_parent,
            )

    def _watch(self) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            process = self.process
            assert process is not None
            started = time.monotonic()
            status = process.wait()
            if self._stopping.is_set():
                return
            # A worker that keeps dying at once is started again more and more slowly.
            delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, 30.0)
            click.echo(
                f"The import worker stopped (exit status {status}); starting it again.", err=True
            )
            if self._stopping.wait(delay):
                return
            self._spawn()

    def stop(self) -> None:
        if os.getpid() != self.owner:
            return  # a forked web worker exiting: the worker is not its to stop
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        for attempt in (process.terminate, process.terminate, process.kill):
            attempt()
            try:
                process.wait(timeout=WORKER_STOP_SECONDS)
                return
            except subprocess.TimeoutExpired:
                continue


def _use_database_tasks() -> None:
    """Background imports for the served process, unless the person chose a backend.

    Must run before Django reads its settings (once they are read, it would change
    nothing but the environment of this process)."""
    from django.conf import settings

    if not settings.configured:
        os.environ.setdefault("CAIRN_TASKS_BACKEND", DATABASE_TASKS)


def _start_workers(count: int) -> list[ImportWorker]:
    """Start the background workers when the tasks go to the database queue."""
    from django.conf import settings

    if settings.TASKS["default"]["BACKEND"] != DATABASE_TASKS or count < 1:
        return []  # e.g. CAIRN_TASKS_BACKEND set to the immediate backend
    env = dict(os.environ)
    env["CAIRN_DATA_DIR"] = str(settings.DATA_DIR)
    env["CAIRN_TASKS_BACKEND"] = DATABASE_TASKS
    env.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    started = []
    for _ in range(count):
        worker = ImportWorker(env)
        worker.start()
        atexit.register(worker.stop)
        started.append(worker)
    return started


def _stop_workers(running: list[ImportWorker]) -> None:
    """Ask every worker to stop at once, then wait for each (so N workers take the time of
    one, not N times as long)."""
    threads = [threading.Thread(target=worker.stop) for worker in running]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
LOOP_SECONDS = 0.5  # how often the serving loop looks whether it was asked to stop
EXIT_DEADLINE_SECONDS = 20  # after the worker has stopped, the rest must not take longer


def _serve_until_signalled(server: Any, sockets: dict[int, Any]) -> bool:
    """Serve until SIGINT (Ctrl+C) or SIGTERM, then shut down in order.

    A signal only sets a flag; the loop notices it within ``LOOP_SECONDS``. Raising an
    exception from the handler instead (waitress's own way) can land anywhere, inside a
    lock or half-way through closing a connection, and on a busy machine that was seen to
    leave ``cairn serve`` running after Ctrl+C. Returns whether a signal ended it."""
    from waitress import wasyncore

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {signum: signal.signal(signum, request_stop) for signum in STOP_SIGNALS}
    try:
        while not stop.is_set():
            wasyncore.loop(timeout=LOOP_SECONDS, map=sockets, count=1)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        server.task_dispatcher.shutdown(timeout=5)
        wasyncore.close_all(sockets)
    return stop.is_set()


def _exit_within(seconds: float) -> None:
    """A last resort: if shutting down hangs (a stuck thread), end the process anyway."""
    timer = threading.Timer(seconds, os._exit, args=(1,))
    timer.daemon = True
    timer.start()


def _collect_static_if_missing() -> None:
    """WhiteNoise serves STATIC_ROOT; collect it once if the manifest is not there yet."""
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        click.echo("Collecting static files...", err=True)
        call_command("collectstatic", interactive=False, verbosity=0)


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on. Keep the default to stay on this computer.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="Run background work (imports, packs) in worker processes started beside "
    "the server (with --no-worker, run `cairn worker` yourself).",
)
@click.option(
    "--workers",
    "worker_count",
    default=1,
    show_default=True,
    type=click.IntRange(1, 32),
    help="How many background workers (more than one needs PostgreSQL).",
)
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Web processes: 1 serves from this process (waitress); more runs gunicorn "
    "with that many (about one per core).",
)
def serve(host: str, port: int, worker: bool, worker_count: int, processes: int) -> None:
    """Serve Cairn's web pages (migrating the database first if needed)."""
    _use_database_tasks()
    ensure_database()
    _collect_static_if_missing()  # before the app is loaded: WhiteNoise lists the files then
    from django.conf import settings

    if worker and worker_count > 1 and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        raise CairnError(
            "workers: several background workers need PostgreSQL (DATABASE_URL); "
            "on SQLite they would queue behind one another"
        )
    shown = f"[{host}]" if ":" in host else host
    if processes > 1:
        _warn_if_reachable(host)
        _serve_processes(host, port, processes, worker_count if worker else 0)
        return
    import waitress

    from cairn.wsgi import application

    logging.basicConfig()  # waitress reports its own troubles through logging, as its serve()
    # Listen first, so "running" is only said of a server that is.
    sockets: dict[int, Any] = {}
    try:
        # With trusted proxies, waitress passes their X-Forwarded-* headers on untouched for
        # cairn.web.proxies to judge (waitress's own trusted_proxy takes one address, no
        # networks).
        server = waitress.create_server(
            application,
            map=sockets,
            host=host,
            port=port,
            ident="cairn",
            clear_untrusted_proxy_headers=not settings.CAIRN_TRUSTED_PROXIES.configured,
        )
    except OSError as exc:
        raise CairnError(f"serve: cannot listen on {host} port {port}: {exc.strerror}") from None
    except ValueError:  # waitress: the host name does not resolve
        raise CairnError(
            f"host: cannot listen on {host!r}: not an address of this computer"
        ) from None
    _warn_if_reachable(host)
    click.echo(f"Cairn is running at http://{shown}:{port}/ (press Ctrl+C to stop).")
    sys.stdout.flush()  # seen at once even when stdout is a pipe (make, a service manager)
    running = _start_workers(worker_count) if worker else []
    signalled = False
    try:
        signalled = _serve_until_signalled(server, sockets)
    finally:
        _stop_workers(running)
        if signalled:
            _exit_within(EXIT_DEADLINE_SECONDS)


def _warn_if_reachable(host: str) -> None:
    if host not in LOOPBACK:
        click.echo(
            f"Warning: listening on {host}, so other computers on the network can reach "
            "this server.",
            err=True,
        )


def _serve_processes(host: str, port: int, processes: int, worker_count: int) -> None:
    """gunicorn, in this process (its arbiter), with ``processes`` web workers; the
    background workers are started first and stopped when gunicorn stops."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from cairn import gunicorn_config

    running: list[ImportWorker] = []

    class CairnApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name in (
                "worker_class",
                "threads",
                "graceful_timeout",
                "timeout",
                "keepalive",
                "accesslog",
                "errorlog",
                "loglevel",
                "control_socket_disable",
                "proc_name",
            ):
                self.cfg.set(name, getattr(gunicorn_config, name))
            self.cfg.set("bind", [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"])
            self.cfg.set("workers", processes)
            self.cfg.set(
                "when_ready",
                lambda server: click.echo(
                    f"Cairn is running at http://{host}:{port}/ with {processes} web processes "
                    "(press Ctrl+C to stop)."
                ),
            )
            self.cfg.set("on_exit", lambda server: _stop_workers(running))
            self.cfg.set("worker_exit", gunicorn_config.worker_exit)

        def load(self) -> Any:
            from cairn.wsgi import application

            return application

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - every view module imported once, before the fork
    connections.close_all()  # no connection may be shared by the forked processes
    running.extend(_start_workers(worker_count))
    try:
        CairnApplication().run()
    finally:
        _stop_workers(running)


@click.command("worker")
def worker_command() -> None:
    """Run one background worker (imports, packs) in the foreground, until SIGTERM or Ctrl+C.

    For a service manager beside the web processes; several may run at once on PostgreSQL.
    A task whose worker died is run again, or marked failed with a message, by the others.
    """
    _use_database_tasks()
    ensure_database()
    from django.conf import settings
    from django.core.management import call_command

    if settings.TASKS["default"]["BACKEND"] != DATABASE_TASKS:
        raise CairnError(
            f"worker: CAIRN_TASKS_BACKEND must be the database queue ({DATABASE_TASKS})"
        )
    call_command("cairn_db_worker", reload=False, startup_delay=True, interval=1.0, verbosity=1)


def _sign_in_lines(demo_module: object) -> list[str]:
    username = getattr(demo_module, "DEMO_USERNAME")  # noqa: B009
    password = getattr(demo_module, "DEMO_PASSWORD")  # noqa: B009
    lines = [
        f"Sign in at {LOCAL_ADDRESS} (after: cairn serve)",
        f"  the victim: username {username}, password {password}",
    ]
    try:
        police = importlib.import_module("cairn.demo.police")
    except ModuleNotFoundError:
        return lines
    lines.append(
        f"  the police (password {police.DEMO_POLICE_PASSWORD}; add the key to an "
        "authenticator app for the two-factor code):"
    )
    for officer in police.OFFICERS:
        lines.append(
            f"    {officer.username} ({officer.display_name}, {officer.role}): "
            f"key {police.totp_key_text(officer.username)}"
        )
    return lines


def _load_demo_indicators() -> None:
    """The stalkerware indicators Cairn ships with, so the demo's phone check works at once."""
    from cairn.checks import services
    from cairn.cli.orgs import operator_account

    loaded = services.indicators_in_use(actor=operator_account())
    click.echo(
        f"Stalkerware indicators in use: {loaded.app_count} apps, version "
        f"{loaded.version} (Echap, stalkerware-indicators, CC-BY 4.0)."
    )


def _load_demo_case(demo_module: Any, vault: Any) -> None:
    """The police side of the demo (a force, its officers, the demo case), unless a data
    directory made by an older Cairn already has it or cannot take it."""
    _load_demo_indicators()
    police = importlib.import_module("cairn.demo.police")
    if police.demo_case() is not None:
        return
    try:
        case = demo_module.load_demo_case(vault)
    except demo_module.DemoRefused as exc:
        click.echo(f"The demo case was not loaded: {exc}.")
        return
    click.echo(f"Loaded the demo case {case.reference}, with the demo vault shared in full.")


@click.command("demo")
def demo() -> None:
    """Load the demo vault into an empty data directory (safe to run again)."""
    ensure_database()
    from django.conf import settings

    if settings.PRODUCTION:
        raise CairnError(
            "demo: this is a production instance (CAIRN_PRODUCTION is set); "
            "demo data is never loaded into one"
        )
    try:
        demo_module = importlib.import_module("cairn.demo")
    except ModuleNotFoundError as exc:
        if exc.name != "cairn.demo":
            raise
        raise CairnError("demo: the demo data is not part of this installation") from None

    vaults = all_vaults()
    loaded = [vault for vault in vaults if vault.owner.username == demo_module.DEMO_USERNAME]
    if loaded:
        click.echo("The demo vault is already loaded.")
        _load_demo_case(demo_module, loaded[0])
        for line in _sign_in_lines(demo_module):
            click.echo(line)
        return
    if vaults:
        raise CairnError(
            f"demo: this data directory already holds {len(vaults)} "
            f"vault{'s' if len(vaults) != 1 else ''}; the demo only loads into an "
            "empty one (point CAIRN_DATA_DIR at a new folder)"
        )
    try:
        vault = demo_module.load_demo()
    except demo_module.DemoRefused as exc:
        raise CairnError(f"demo: {exc}") from None
    click.echo("Loaded the demo vault.")
    _load_demo_case(demo_module, vault)
    for line in _sign_in_lines(demo_module):
        click.echo(line)
