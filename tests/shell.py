"""Running the installed ``cairn`` as a person does: a subprocess on a data directory of its own.

Used by ``tests/test_cli_shell*.py``:

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
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import click

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

    def __str__(self) -> str:
        return (f"cairn {' '.join(self.args)} -> {self.returncode}\n"
                f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}")


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

    @property
    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("CAIRN_", "DATABASE_URL", "DJANGO_"))}
        env["CAIRN_DATA_DIR"] = str(self.root)
        env["CAIRN_DKIM_LOOKUP"] = "false"  # the tests never reach the real network
        env["COLUMNS"] = "200"
        if self.database is not None:
            env["DATABASE_URL"] = _database_url(self.database)
        return env

    def __call__(self, *args: Any, stdin: str | None = None,
                 env: dict[str, str] | None = None, cwd: Path | None = None) -> Ran:
        words = tuple(str(arg) for arg in args)
        given: dict[str, Any] = ({"stdin": subprocess.DEVNULL} if stdin is None
                                 else {"input": stdin})
        done = subprocess.run([str(CAIRN), *words], env={**self.env, **(env or {})},
                              cwd=cwd or self.root.parent, capture_output=True, text=True,
                              timeout=TIMEOUT, check=False, **given)
        ran = Ran(words, command_path(words), done.returncode, done.stdout, done.stderr)
        with _runs_lock:
            _runs.append(ran)
        assert "Traceback" not in ran.stdout + ran.stderr, str(ran)
        return ran

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
        """A new data directory at ``root`` after ``commands`` (none: migrated, empty)."""
        database = _new_database() if SERVER_URL is not None else None
        made = cls(root, database)
        try:
            for args in commands or (("vault", "list"),):
                ok(made(*args))
            yield made
        finally:
            if database is not None:
                _drop_database(database)


# --- what a result must look like -------------------------------------------------------------

def ok(ran: Ran) -> Ran:
    assert ran.returncode == 0, str(ran)
    return ran


def one_line_error(ran: Ran, *fragments: str) -> str:
    """The refusal: a non-zero status and one line, ``cairn: ...``, naming what is wrong."""
    assert ran.returncode != 0, str(ran)
    lines = ran.stderr.splitlines()
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
                wanted = [r for r in runs if r.command == path
                          and (r.returncode == 0) == (kind == USUAL)]
                assert wanted, (f"{test.__name__} is marked as a test of the {kind} of "
                                f"`cairn {path}`, but no such run of it happened")
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
