"""Running the installed ``cairn`` as a person does: a subprocess on a data directory of its own.

Used by ``tests/test_cli_shell*.py``:

- ``shell_demo`` and ``shell_empty`` (fixtures; this module is a pytest plugin registered in
  conftest.py) are a copy, for one test, of a data directory prepared once for the whole run:
  with ``cairn demo`` loaded, or migrated and empty.
- ``DataDir`` is a data directory (and, when ``DATABASE_URL`` names a PostgreSQL server, a
  database of its own on it). Calling it runs ``cairn`` there and returns a ``Ran``. Every run
  is checked for a traceback in its output. ``DataDir.prepared`` makes one by running
  commands (``cairn demo``); ``copy`` gives each test its own copy of it, cheaply: the folder
  is copied and, on PostgreSQL, the database is cloned with ``CREATE DATABASE ... TEMPLATE``.
- ``usual("incident add")`` and ``bad_input("incident add")`` mark the tests of a command's
  usual path and of bad input. They record the command in ``TESTED`` (which
  ``test_cli_shell.py`` holds equal to the click command tree), and fail the test unless it
  really ran that command: successfully for ``usual``, refused for ``bad_input``.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import click
import pytest

CAIRN = Path(sys.executable).with_name("cairn")
# The PostgreSQL server of the PostgreSQL run (scripts/with-postgres.sh); None on SQLite.
SERVER_URL = os.environ.get("DATABASE_URL") or None
TIMEOUT = 300  # seconds; a busy CI machine is slow, a hung command is still caught
PARALLEL = 4

USUAL = "usual path"
BAD_INPUT = "bad input"
# {kind: {command path: [test names]}}, filled as the test modules are imported.
TESTED: dict[str, dict[str, list[str]]] = {USUAL: {}, BAD_INPUT: {}}


@dataclass(frozen=True)
class Ran:
    args: tuple[str, ...]
    command: str  # the command path run, e.g. "incident add" ("" for `cairn --help`)
    returncode: int
    stdout: str
    stderr: str
    stopped: bool = False  # a server the test stopped (SIGTERM) once it was done with it

    def __str__(self) -> str:
        return (
            f"cairn {' '.join(self.args)} -> {self.returncode}\n"
            f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"
        )


_runs: list[Ran] = []
_runs_lock = threading.Lock()


def command_path(args: Sequence[str]) -> str:
    """The command ``cairn ARGS`` runs, as its path in the click tree (``"import run"``)."""
    from cairn.cli.main import cli

    command: click.Command = cli
    path: list[str] = []
    position = 0
    while isinstance(command, click.Group) and position < len(args):
        arg = args[position]
        if arg == "--vault":
            position += 2
            continue
        if arg.startswith("-"):
            break
        sub = command.commands.get(arg)
        if sub is not None:
            position += 1
        elif "run" in command.commands:  # `cairn import FILE` is `cairn import run FILE`
            sub = command.commands["run"]
        else:
            break
        path.append(sub.name or "")
        command = sub
    return " ".join(path)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(address: str) -> bool:
    try:
        with urllib.request.urlopen(address + "/", timeout=5):  # noqa: S310 (http, local)
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


# --- PostgreSQL: a database per data directory ------------------------------------------------


def _database_url(name: str) -> str:
    assert SERVER_URL is not None
    parts = urlsplit(SERVER_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(statement: str, *names: str) -> None:
    import psycopg
    from psycopg import sql

    query = sql.SQL(statement).format(*(sql.Identifier(name) for name in names))
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute(query)


def _new_database(template: str | None = None) -> str:
    name = f"cairn_shell_{uuid.uuid4().hex[:16]}"
    if template is None:
        _admin("CREATE DATABASE {}", name)
    else:
        _admin("CREATE DATABASE {} TEMPLATE {}", name, template)
    return name


def _drop_database(name: str) -> None:
    _admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


# --- data directories -------------------------------------------------------------------------


class DataDir:
    """A data directory (and its own PostgreSQL database on the PostgreSQL run)."""

    def __init__(self, root: Path, database: str | None = None) -> None:
        self.root = root
        self.database = database
        self.made: list[Ran] = []

    @property
    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CAIRN_", "DATABASE_URL", "DJANGO_"))
        }
        env["CAIRN_DATA_DIR"] = str(self.root)
        env["CAIRN_DKIM_LOOKUP"] = "false"  # the tests never reach the real network
        env["COLUMNS"] = "200"
        if self.database is not None:
            env["DATABASE_URL"] = _database_url(self.database)
        return env

    def __call__(
        self,
        *args: Any,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Ran:
        words = tuple(str(arg) for arg in args)
        given: dict[str, Any] = {"stdin": subprocess.DEVNULL} if stdin is None else {"input": stdin}
        done = subprocess.run(
            [str(CAIRN), *words],
            env={**self.env, **(env or {})},
            cwd=cwd or self.root.parent,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            **given,
        )
        ran = Ran(words, command_path(words), done.returncode, done.stdout, done.stderr)
        with _runs_lock:
            _runs.append(ran)
        assert "Traceback" not in ran.stdout + ran.stderr, str(ran)
        return ran

    @contextmanager
    def serving(self, *args: Any) -> Iterator[str]:
        """``cairn serve ARGS --port P`` running until the block ends; yields its address.

        Waits (up to ``TIMEOUT``) until it answers HTTP, then stops it as a service manager
        does (SIGTERM) and checks it stopped cleanly."""
        port = free_port()
        words = (*(str(arg) for arg in args), "--port", str(port))
        server = subprocess.Popen(
            [str(CAIRN), *words],
            env=self.env,
            cwd=self.root.parent,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        address = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + TIMEOUT
            while not answers(address):
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, f"cairn serve did not answer on {address}"
                time.sleep(0.2)
            yield address
        finally:
            server.terminate()
            stdout, stderr = server.communicate(timeout=TIMEOUT)
        ran = Ran(words, command_path(words), server.returncode, stdout, stderr, stopped=True)
        with _runs_lock:
            _runs.append(ran)
        assert "Traceback" not in stdout + stderr, str(ran)
        assert server.returncode in (0, 128 + signal.SIGTERM), str(ran)

    def run_all(self, *commands: Sequence[Any]) -> list[Ran]:
        """Run commands that only read, side by side; their results in the same order."""
        with ThreadPoolExecutor(PARALLEL) as pool:
            return list(pool.map(lambda args: self(*args), commands))

    @contextmanager
    def copy(self, root: Path) -> Iterator[DataDir]:
        """A copy of this data directory (and its database) at ``root``, removed after."""
        shutil.copytree(self.root, root, symlinks=True)
        database = _new_database(self.database) if self.database is not None else None
        try:
            yield DataDir(root, database)
        finally:
            if database is not None:
                _drop_database(database)

    @classmethod
    @contextmanager
    def prepared(cls, root: Path, *commands: Sequence[Any]) -> Iterator[DataDir]:
        """A new data directory at ``root`` after ``commands`` (none: migrated, empty).

        What the commands printed is kept in ``made``."""
        database = _new_database() if SERVER_URL is not None else None
        made = cls(root, database)
        try:
            made.made = [ok(made(*args)) for args in commands or (("vault", "list"),)]
            yield made
        finally:
            if database is not None:
                _drop_database(database)


# --- what a result must look like -------------------------------------------------------------


def ok(ran: Ran) -> Ran:
    assert ran.returncode == 0, str(ran)
    return ran


# What a command may say on stderr before it gets to work (and so before a refusal).
PROGRESS = ("Preparing the database...", "Collecting static files...")


def one_line_error(ran: Ran, *fragments: str) -> str:
    """The refusal: a non-zero status and one line, ``cairn: ...``, naming what is wrong."""
    assert ran.returncode != 0, str(ran)
    lines = [line for line in ran.stderr.splitlines() if line not in PROGRESS]
    assert len(lines) == 1 and lines[0].startswith("cairn: "), str(ran)
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in the error line\n{ran}"
    return lines[0]


# --- the registry of tested commands ----------------------------------------------------------


def _covers(kind: str, paths: tuple[str, ...]) -> Callable[[Callable[..., Any]], Any]:
    def decorate(test: Callable[..., Any]) -> Callable[..., Any]:
        for path in paths:
            TESTED[kind].setdefault(path, []).append(f"{test.__module__}.{test.__name__}")

        @functools.wraps(test)
        def checked(*args: Any, **kwargs: Any) -> Any:
            start = len(_runs)
            result = test(*args, **kwargs)
            with _runs_lock:
                runs = _runs[start:]
            for path in paths:
                wanted = [
                    r
                    for r in runs
                    if r.command == path and (r.returncode == 0 or r.stopped) == (kind == USUAL)
                ]
                assert wanted, (
                    f"{test.__name__} is marked as a test of the {kind} of "
                    f"`cairn {path}`, but no such run of it happened"
                )
            return result

        return checked

    return decorate


def usual(*paths: str) -> Callable[[Callable[..., Any]], Any]:
    """Marks a test that runs each of these commands the usual way, successfully."""
    return _covers(USUAL, paths)


def bad_input(*paths: str) -> Callable[[Callable[..., Any]], Any]:
    """Marks a test that gives each of these commands bad input and sees it refused."""
    return _covers(BAD_INPUT, paths)


THIRD_PARTY = Path(__file__).parent / "fixtures" / "third_party"


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def shell_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataDir]:
    """A data directory after ``cairn demo``, made once for the run: never run commands in it,
    take a copy (``shell_demo``)."""
    with DataDir.prepared(tmp_path_factory.mktemp("demo") / "data", ("demo",)) as template:
        yield template


@pytest.fixture(scope="session")
def shell_empty_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataDir]:
    with DataDir.prepared(tmp_path_factory.mktemp("empty") / "data") as template:
        yield template


@pytest.fixture
def shell_demo(shell_demo_template: DataDir, tmp_path: Path) -> Iterator[DataDir]:
    """A test's own copy of the demo data directory: the victim ``demo``'s vault (exhibit
    initials AM, 63 incidents) and Northshire Police's stalking unit with three officers."""
    with shell_demo_template.copy(tmp_path / "demo-data") as data:
        yield data


@pytest.fixture
def shell_empty(shell_empty_template: DataDir, tmp_path: Path) -> Iterator[DataDir]:
    """A test's own migrated data directory with no vault in it."""
    with shell_empty_template.copy(tmp_path / "empty-data") as data:
        yield data
