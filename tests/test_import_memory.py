"""A long chat is imported in bounded memory (issue 19, ADR 0053), as the person meets it: the
installed ``cairn import`` in a process of its own, its peak resident set size read by the
parent that waited for it.

The chat is read in two passes and saved a chunk at a time, so what grows with the file is a
few hundred bytes per message (ids, fingerprint digests, the proposals' description lines),
not the messages. Before the change the whole chat was parsed into memory first: about
2 kB per message (305 MB for 100,000). The test imports a generated chat and one twice as long
and bounds the difference per message added; both runs are made the same way on the same
machine, so a busy machine slows them without changing their memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.bench_import_pipeline import write_export

CAIRN = Path(sys.executable).with_name("cairn")
SMALL = 15_000
# Per message added: what the import may keep (measured: about 600 bytes, SQLite's cache
# included); the whole chat in memory cost about 2,000.
BYTES_PER_MESSAGE = 1200

# Runs a command and prints its peak resident set size in kB: the only child this process
# waits for is the command, so RUSAGE_CHILDREN is the command's own.
PEAK = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _peak_kb(tmp_path: Path, messages: int) -> int:
    data = tmp_path / f"data-{messages}"
    env = {**os.environ, "CAIRN_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)  # the same database engine for both runs
    subprocess.run(
        [CAIRN, "vault", "create", "Memory", "--initials", "ME", "--owner", "me"],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    chat = tmp_path / f"WhatsApp Chat with Mark {messages}.txt"
    write_export(chat, messages)
    ran = subprocess.run(
        [sys.executable, "-c", PEAK, str(CAIRN), "import", str(chat)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    code, peak = ran.stdout.split()
    assert code == "0", ran.stderr
    return int(peak)


def test_a_chat_twice_as_long_is_imported_in_little_more_memory(tmp_path):
    small = _peak_kb(tmp_path, SMALL)
    large = _peak_kb(tmp_path, 2 * SMALL)
    grown = (large - small) * 1024
    assert grown < SMALL * BYTES_PER_MESSAGE, (
        f"{SMALL:,} more messages took {grown / 1e6:.1f} MB more ({small} kB, then {large} kB)"
    )
