"""Every ``cairn`` command as a person runs it: the installed entry point in a subprocess, on a
data directory of its own (``tests/shell.py``), its usual path and bad input.

This module holds the check that no command goes without such tests, the commands of an
empty data directory (vaults, users, keys, the demo) and the error explainer. The others are
``tests/test_cli_shell_*.py``.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cairn.cli.main import WITHOUT_DJANGO_SETUP, cli, leaf_commands
from cairn.cli.output import number_ranges
from tests import shell
from tests.shell import DataDir, bad_input, ok, one_line_error, usual

HERE = Path(__file__).parent
README = HERE.parent / "README.md"


@pytest.fixture
def empty(shell_empty):
    return shell_empty


# --- every command is tested ------------------------------------------------------------------


def test_every_command_has_subprocess_tests_of_its_usual_path_and_of_bad_input():
    for module in sorted(HERE.glob("test_cli_shell*.py")):
        importlib.import_module(f"tests.{module.stem}")
    commands = {path for path, _ in leaf_commands(cli)}
    problems = []
    for path in sorted(commands):
        for kind, tested in shell.TESTED.items():
            if path not in tested:
                problems.append(
                    f"`cairn {path}` has no subprocess test of its {kind}: mark one "
                    f"in tests/test_cli_shell*.py with "
                    f"@{'usual' if kind == shell.USUAL else 'bad_input'}({path!r})"
                )
    for kind, tested in shell.TESTED.items():
        for path in sorted(tested.keys() - commands):
            problems.append(
                f"{', '.join(tested[path])} tests the {kind} of `cairn {path}`, "
                "which is not a command"
            )
    assert not problems, "\n".join(problems)


def readme_commands() -> list[str]:
    """The ``cairn ...`` lines of the README's shell blocks."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    text = "\n".join(blocks).replace("\\\n", " ")
    return [
        line.split("#")[0].strip()
        for line in text.splitlines()
        if line.strip().startswith("cairn ")
    ]


def test_every_command_the_readme_shows_is_a_command_with_its_tests():
    lines = readme_commands()
    assert len(lines) >= 20
    commands = {path for path, _ in leaf_commands(cli)}
    for line in lines:
        path = shell.command_path(line.split()[1:])
        assert path in commands, f"the README shows `{line}`, which runs no command"
        assert path in shell.TESTED[shell.USUAL], f"`{line}` in the README is not tested"


def test_help_lists_every_command_and_a_missing_command_is_one_line(tmp_path):
    data = DataDir(tmp_path / "never-made")
    help_text, version, alone, unknown = (data("--help"), data("--version"), data(), data("nosuch"))
    for name in cli.commands:
        assert re.search(rf"^\s+{re.escape(name)}\s", ok(help_text).stdout, re.MULTILINE), name
    assert ok(version).stdout.startswith("cairn, version ")
    assert alone.returncode == 2 and "Commands:" in alone.stderr
    one_line_error(unknown, "No such command 'nosuch'", "cairn --help")
    assert not data.root.exists()  # no data directory is made for --help


@pytest.mark.parametrize(
    "group", sorted(name for name, command in cli.commands.items() if hasattr(command, "commands"))
)
def test_each_group_alone_shows_its_help_without_a_traceback(group, tmp_path):
    ran = DataDir(tmp_path / "never-made")(group)
    assert ran.returncode == 2 and f"Usage: cairn {group}" in ran.stderr
    assert not ran.stderr.startswith("cairn: ")


# --- the error explainer ----------------------------------------------------------------------


def test_every_error_the_explainer_names_is_an_exception_class():
    from cairn.cli.errors import EXPLAINED

    for name in EXPLAINED:
        module, _, attribute = name.rpartition(".")
        cls = getattr(importlib.import_module(module), attribute)
        assert isinstance(cls, type) and issubclass(cls, BaseException), name
        assert f"{cls.__module__}.{cls.__qualname__}" == name


def test_the_explainer_needs_neither_django_nor_the_modules_it_knows(tmp_path):
    script = """
import sys
from cairn.cli.errors import explain
from django.core.exceptions import ValidationError
assert explain(UnicodeDecodeError("utf-8", b"\\xff", 0, 1, "invalid start byte")) is None
assert explain(ValidationError({"initials": ["Too long"]})) == ["initials: Too long"]
assert explain(ValidationError({"__all__": ["Refused"]})) == ["Refused"]
from django.apps import apps
assert not apps.ready
loaded = sorted(m for m in sys.modules if m.startswith("cairn.") and m.endswith("models"))
assert not loaded, loaded
print("fine")
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env=DataDir(tmp_path / "never-made").env,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "fine", done.stderr
    assert not (tmp_path / "never-made").exists()


def test_starting_django_imports_no_analysis_engine(tmp_path):
    """Every command that needs the database sets Django up; the apps' hooks (closure checks,
    deletion signals) are registered without importing the analysis engine, numpy or scipy,
    which only the commands that analyse need (about half a second of start-up)."""
    script = """
import sys
import django
django.setup()
heavy = sorted(m for m in ("cairn.analysis.engine", "cairn.cases.closure", "numpy", "scipy")
               if m in sys.modules)
print("heavy:", heavy)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**DataDir(tmp_path / "data").env, "DJANGO_SETTINGS_MODULE": "cairn.settings"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "heavy: []"


def test_the_commands_without_django_setup_are_commands():
    commands = {path for path, _ in leaf_commands(cli)}
    assert set(WITHOUT_DJANGO_SETUP) <= commands


def test_number_ranges_keep_a_long_list_short():
    assert number_ranges(range(1, 10_001)) == "1-10000"
    assert number_ranges([7, 2, 3, 4, 9, 10]) == "2-4, 7, 9, 10"
    assert number_ranges([5]) == "5"
    scattered = number_ranges(range(1, 20_000, 2))
    assert scattered == "1, 3, 5, 7, 9, 11, 13, 15 and 9992 more"


# --- vaults, users, keys, the demo ------------------------------------------------------------


@usual("vault create", "vault list")
@bad_input("vault create")
def test_vault_create_and_list(empty):
    created = ok(empty("vault", "create", "My log", "--initials", "AB", "--owner", "alex"))
    assert created.stdout.startswith("Created vault ") and "alex" in created.stdout
    one_line_error(empty("vault", "create", "Other", "--initials", "ABCDEFG"), "initials:")
    one_line_error(
        empty("vault", "create", "Other", "--initials", "AC", "--tz", "Mars/Base"),
        "tz:",
        "Mars/Base",
    )
    [vault] = json.loads(ok(empty("vault", "list", "--format", "json")).stdout)
    assert (vault["name"], vault["initials"], vault["owner"]) == ("My log", "AB", "alex")
    assert "My log" in ok(empty("vault", "list")).stdout


@bad_input("vault list")
def test_vault_list_refuses_an_unknown_format(empty):
    one_line_error(empty("vault", "list", "--format", "xml"), "'--format'", "xml")


@usual("user set-password")
@bad_input("user set-password")
def test_user_set_password(empty, tmp_path):
    ok(empty("vault", "create", "My log", "--initials", "AB", "--owner", "alex"))
    password = tmp_path / "password.txt"
    password.write_text("a long and unusual passphrase\n", encoding="utf-8")
    assert ok(empty("user", "set-password", "alex", "--password-file", password)).stdout == (
        "Password set for alex.\n"
    )
    asked = empty(
        "user", "set-password", "alex", stdin="another long passphrase\nanother long passphrase\n"
    )
    assert ok(asked).stdout.endswith("Password set for alex.\n")
    assert "Warning" not in asked.stderr  # no "input may be echoed" from a script
    one_line_error(
        empty("user", "set-password", "alex", stdin="one passphrase\nanother\n"),
        "password:",
        "differ",
    )
    binary = tmp_path / "password.bin"
    binary.write_bytes(b"\xff\xfe pass\n")
    one_line_error(
        empty("user", "set-password", "alex", "--password-file", binary),
        "password-file:",
        "password.bin",
        "not UTF-8",
    )
    weak = tmp_path / "weak.txt"
    weak.write_text("alex\n", encoding="utf-8")
    refused = empty("user", "set-password", "alex", "--password-file", weak)
    assert refused.returncode == 1 and refused.stderr.splitlines() == [  # one line a problem
        "cairn: password: The password is too similar to the username.",
        "cairn: password: This password is too short. It must contain at least 10 characters.",
        "cairn: password: This password is too common.",
    ]
    one_line_error(
        empty("user", "set-password", "nobody", "--password-file", password), "user:", "nobody"
    )


@usual("demo")
@bad_input("demo")
def test_demo_loads_once_and_refuses_a_used_or_production_directory(
    shell_demo_template, shell_demo, empty
):
    [loaded] = shell_demo_template.made  # `cairn demo` in a new data directory
    assert loaded.args == ("demo",) and "Loaded the demo vault." in loaded.stdout
    assert "username demo" in loaded.stdout and "demo.investigator" in loaded.stdout
    # The phone check works at once: the indicators that ship with Cairn are loaded.
    assert "Stalkerware indicators in use:" in loaded.stdout and "CC-BY 4.0" in loaded.stdout
    again = ok(shell_demo("demo"))
    assert "already loaded" in again.stdout and "username demo" in again.stdout
    [vault] = json.loads(ok(shell_demo("vault", "list", "--format", "json")).stdout)
    assert vault["owner"] == "demo" and vault["incidents"] == 63
    # On the PostgreSQL run each data directory has a database of its own there.
    assert (shell_demo.root / "cairn.sqlite3").exists() == (shell.SERVER_URL is None)
    one_line_error(empty("demo", env={"CAIRN_PRODUCTION": "true"}), "demo:", "production")
    ok(empty("vault", "create", "My log", "--initials", "AB"))
    one_line_error(empty("demo"), "demo:", "already holds 1 vault")


@usual("key show")
@bad_input("key show")
def test_key_show(empty, tmp_path):
    shown = ok(empty("key", "show")).stdout
    assert "fingerprint (SHA-256 of the public key): " in shown
    assert "-----BEGIN PUBLIC KEY-----" in shown
    damaged = tmp_path / "signing.pem"
    damaged.write_text("not a key\n", encoding="utf-8")
    one_line_error(
        empty("key", "show", env={"CAIRN_SIGNING_KEY_FILE": str(damaged)}),
        "signing key",
        "signing.pem",
    )


@usual("keys rotate")
@bad_input("keys rotate")
def test_keys_rotate(empty, tmp_path):
    ok(empty("vault", "create", "My log", "--initials", "AB"))
    ok(
        empty(
            "incident",
            "add",
            "--start",
            "2025-07-01T14:00",
            "--channel",
            "in_person",
            "--acts",
            "a",
            "--description",
            "At the gate",
        )
    )
    kek = tmp_path / "new.kek"
    kek.write_text("AAAA\n", encoding="ascii")
    one_line_error(empty("keys", "rotate", "--yes", "--new-kek-file", kek), "new-kek-file:")
    one_line_error(empty("keys", "rotate"), "stopped")  # no answer to "are you sure"
    assert ok(empty("keys", "rotate", "--yes")).stdout.startswith("Re-wrapped 1 vault keys")
    [row] = json.loads(ok(empty("incident", "list", "--format", "json")).stdout)
    assert row["description"] == "At the gate"
