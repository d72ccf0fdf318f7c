"""``cairn verify`` shows its progress on a terminal and nothing more when its output is not
one (issue 19): the installed command, under a pseudo-terminal and with plain pipes."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

CAIRN = Path(sys.executable).with_name("cairn")


def _env(root: Path) -> dict[str, str]:
    # Its own SQLite data directory, whichever database the suite runs on.
    return {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE"}
        },
        "CAIRN_DATA_DIR": str(root),
        "TERM": "xterm-256color",
        "COLUMNS": "100",
    }


def _read_all(fd: int, process: subprocess.Popen[str], timeout: float = 600) -> bytes:
    """Everything written to the terminal until the command exits (and the terminal is
    drained)."""
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end closed: the command is done
            break
        if not chunk:
            break
        out += chunk
    process.wait(timeout=max(1.0, deadline - time.monotonic()))
    return out


def test_progress_on_a_terminal_and_none_without(tmp_path):
    root = tmp_path / "data"
    made = subprocess.run(
        [str(CAIRN), "demo"],
        env=_env(root),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert made.returncode == 0, made.stderr

    # On a terminal (stderr is a pseudo-terminal; stdout stays a pipe): the bar is drawn.
    terminal, other_end = pty.openpty()
    process = subprocess.Popen(
        [str(CAIRN), "verify", "--workers", "2"],
        env=_env(root),
        stdout=subprocess.PIPE,
        stderr=other_end,
        text=True,
    )
    os.close(other_end)
    try:
        drawn = _read_all(terminal, process).decode("utf-8", "replace")
    finally:
        os.close(terminal)
    assert process.returncode == 0, drawn
    assert "verified" in process.stdout.read()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn)
    # Drawn at the start, and at the end with the last phase complete: every incident of the
    # demo ("Checking records ━━━ 63/63") or, when it has files, every file.
    assert shown.lstrip("\r").startswith("Checking records"), shown
    frames = [frame for frame in shown.split("\r") if frame.strip()]
    assert re.fullmatch(r"Checking (records|files) [^\d]*(\d+)/\2\s*", frames[-1]), shown

    # Not a terminal: the same command writes its result and nothing else.
    piped = subprocess.run(
        [str(CAIRN), "verify", "--workers", "2"],
        env=_env(root),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == ""
    assert "Checking" not in piped.stdout and "\x1b[" not in piped.stdout
    assert piped.stdout.startswith("Vault ") and "verified" in piped.stdout
