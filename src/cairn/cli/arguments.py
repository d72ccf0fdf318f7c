"""What was typed on the command line, made fit to store and to print.

A shell passes bytes; Python turns those that are not UTF-8 into lone surrogates, which can
be neither stored (the sealed fields are UTF-8) nor printed. Text options and arguments with
such bytes are refused, naming the option; a file's name (which may be in any encoding on
disk) is kept with U+FFFD in place of each such byte, and the file itself is read as it is.

Secrets (passwords, passphrases) are asked for without echo on a terminal; from a pipe they
are read a line at a time, with no prompt and no warning that input may be echoed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from cairn.cli.errors import CairnError


def file_name(path: Path) -> str:
    """The file's name as text: bytes that are not UTF-8 become U+FFFD."""
    return os.fsencode(path.name).decode("utf-8", errors="replace")


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _label(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len).lstrip("-")
    return (param.name or "argument").replace("_", "-")


def refuse_undecodable(command: click.Command, values: dict[str, Any]) -> None:
    """Raise a one-line error if a text value of the command is not UTF-8."""
    for param in command.params:
        value = values.get(param.name or "")
        texts = value if isinstance(value, tuple | list) else (value,)
        if any(isinstance(text, str) and not _is_text(text) for text in texts):
            raise CairnError(
                f"{_label(param)}: the text is not UTF-8 (check the terminal's "
                "or the script's character encoding)"
            )


def ask_secret(prompt: str, *, field: str, confirm: bool = False) -> str:
    """A password or passphrase: typed twice with ``confirm``; given as one line each when
    stdin is not a terminal (a script)."""
    if sys.stdin.isatty():
        answer: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
        return answer
    first = _line()
    if confirm and _line() != first:
        raise CairnError(f"{field}: the two lines given differ")
    return first


def _line() -> str:
    line = sys.stdin.readline()
    if not line:
        raise click.Abort
    return line.rstrip("\r\n")
