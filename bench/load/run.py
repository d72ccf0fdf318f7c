"""The load test, A against B, alternately in one session (docs/benchmarks.md).

A is ``cairn serve`` as it is by default (waitress, one process, one background worker); B is
the production profile: ``cairn serve --processes 4`` (gunicorn, 4 web processes, the same
settings as ``gunicorn -c python:cairn.gunicorn_config``) with ``CAIRN_PRODUCTION=true``
(JSON request logs on). Both on the same PostgreSQL database (DATABASE_URL, e.g. from
scripts/with-postgres.sh) and data directory, seeded once (bench/load/seed.py). Each run is
``LOAD_SECONDS`` of locust with ``LOAD_USERS`` people working without pause (the figures
count from 20 s after the last of them has signed in: locustfile.py); the runs go
A, B, A, B... (``LOAD_ROUNDS`` of each) so that other work on the machine weighs on both.

    scripts/with-postgres.sh .venv/bin/python -m bench.load.run

``LOAD_PROFILES`` picks the profiles, in turn within each round (default ``A,B``): ``A`` or
``B``, then for B the number of web processes (``B`` is ``B4``), then ``@CPUS`` to pin the
server and its workers to those cores with ``taskset`` (``B4@0`` is 4 processes on core 0
alone). How it grows with cores: ``LOAD_PROFILES=A@0,A,B1,B2,B4@0,B4``.

Prints one line per run and a Markdown table; writes the figures to ``$LOAD_OUT/load.json``.
Requests go only to 127.0.0.1, and every run stops by itself.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
USERS = int(os.environ.get("LOAD_USERS", "24"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "120"))
ROUNDS = int(os.environ.get("LOAD_ROUNDS", "2"))
PRODUCTION = {"CAIRN_PRODUCTION": "true", "CAIRN_HTTPS": "false", "CAIRN_REQUEST_LOG": "true"}


def profile(code: str) -> tuple[str, list[str], dict[str, str]]:
    """A profile's name, its command line and its environment, from its code (``B4@0``)."""
    kind, _, cpus = code.partition("@")
    pin = ["taskset", "-c", cpus] if cpus else []
    where = f", cores {cpus}" if cpus else ""
    if kind == "A":
        return (
            f"A: cairn serve (waitress, 1 process{where})",
            [*pin, str(BIN / "cairn"), "serve"],
            {},
        )
    if kind.startswith("B") and (kind[1:] or "4").isdigit():
        processes = kind[1:] or "4"
        return (
            f"B: production (gunicorn, {processes} processes{where})",
            [*pin, str(BIN / "cairn"), "serve", "--processes", processes],
            PRODUCTION,
        )
    raise SystemExit(f"LOAD_PROFILES: unknown profile {code!r} (A, B, B2, B4@0, ...)")


CODES = os.environ.get("LOAD_PROFILES", "A,B").split(",")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited before it was ready")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not become ready")


def aggregated(prefix: Path) -> dict[str, float]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    row = rows["Aggregated"]
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
    }


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and everything under it (reaped children too)."""
    import psutil

    try:
        top = psutil.Process(pid)
        total = 0.0
        for process in [top, *top.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
        return total
    except psutil.Error:
        return 0.0


def postmaster() -> int:
    """The PostgreSQL server of DATABASE_URL on this machine (by its port), or 0."""
    import psutil

    port = urllib.parse.urlsplit(os.environ["DATABASE_URL"]).port
    for process in psutil.process_iter(["cmdline"]):
        line = process.info["cmdline"] or []
        if line and line[0].endswith("postgres") and f"-p {port}" in " ".join(line):
            return int(process.pid)
    return 0


def _counted(prefix: Path) -> int:
    """Requests counted so far, from locust's history (written every second)."""
    try:
        with open(f"{prefix}_stats_history.csv", newline="") as handle:
            rows = [row for row in csv.DictReader(handle) if row["Name"] == "Aggregated"]
    except OSError:
        return 0
    return int(rows[-1]["Total Request Count"]) if rows else 0


def cpu_per_request(
    prefix: Path, pids: dict[str, int], locust: subprocess.Popen[bytes]
) -> dict[str, float]:
    """Waits for locust to end; the CPU milliseconds per request of each process tree over
    the measured window (from the moment locust starts its figures afresh: its count drops)."""
    highest = 0
    start: tuple[int, dict[str, float]] | None = None
    while locust.poll() is None:
        count = _counted(prefix)
        if start is None and count < highest:
            start = (count, {name: tree_cpu(pid) for name, pid in pids.items() if pid})
        highest = max(highest, count)
        time.sleep(0.25)
    end = {name: tree_cpu(pid) for name, pid in pids.items() if pid}
    requests = aggregated(prefix)["requests"] - (start[0] if start else 0)
    if start is None or requests <= 0:
        return {}
    return {f"cpu_ms_{name}": 1000 * (end[name] - start[1][name]) / requests for name in end}


def main() -> None:
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("run it under scripts/with-postgres.sh (DATABASE_URL)")
    if not (BIN / "locust").exists():
        raise SystemExit("locust is missing: .venv/bin/pip install -e '.[bench]'")
    work = Path(os.environ.get("LOAD_OUT") or tempfile.mkdtemp(prefix="cairn-load-"))
    work.mkdir(parents=True, exist_ok=True)
    kek = work / "kek"
    kek.write_text(base64.b64encode(os.urandom(32)).decode())
    env = {
        **os.environ,
        "CAIRN_DATA_DIR": str(work / "data"),
        "CAIRN_KEK_FILE": str(kek),
        "DJANGO_SETTINGS_MODULE": "cairn.settings",
    }
    print(
        f"machine: {os.cpu_count()} cores; {USERS} users, {SECONDS} s per run, "
        f"{ROUNDS} rounds; data in {work}",
        flush=True,
    )
    subprocess.run(
        [sys.executable, "-m", "bench.load.seed", "30", "8"], env=env, cwd=ROOT, check=True
    )
    subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "--verbosity", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    results: dict[str, list[dict[str, float]]] = {profile(code)[0]: [] for code in CODES}
    for round_number in range(1, ROUNDS + 1):
        for code in CODES:
            name, command, extra = profile(code)
            before = os.getloadavg()[0]  # the machine's other work, before this run
            port = free_port()
            tag = code.replace("@", "-at-").replace(",", "_")
            log = (work / f"server-{tag}-{round_number}.log").open("wb")
            server = subprocess.Popen(
                [*command, "--port", str(port)],
                env={**env, **extra},
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_ready(port, server)
                prefix = work / f"{tag}-{round_number}"
                locust = subprocess.Popen(
                    [
                        str(BIN / "locust"),
                        "-f",
                        "bench/load/locustfile.py",
                        "--headless",
                        "-u",
                        str(USERS),
                        "-r",
                        str(USERS),
                        "-t",
                        f"{SECONDS}s",
                        "--host",
                        f"http://127.0.0.1:{port}",
                        "--csv",
                        str(prefix),
                        "--only-summary",
                        "--loglevel",
                        "WARNING",
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                cpu = cpu_per_request(
                    prefix, {"server": server.pid, "postgres": postmaster()}, locust
                )
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=60)
            figures = aggregated(prefix)
            figures.update(cpu)
            figures["load_before"] = before
            figures["load"] = os.getloadavg()[0]  # with this run's own server and locust
            results[name].append(figures)
            print(f"{name} round {round_number}: {json.dumps(figures)}", flush=True)
    (work / "load.json").write_text(json.dumps(results, indent=1))
    print(
        "\n| profile | run | requests | failures | req/s | p50 ms | p95 ms | p99 ms "
        "| load before/after |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, runs in results.items():
        for number, f in enumerate(runs, 1):
            print(
                f"| {name} | {number} | {f['requests']} | {f['failures']} | {f['rps']:.1f} | "
                f"{f['p50']:.0f} | {f['p95']:.0f} | {f['p99']:.0f} | "
                f"{f['load_before']:.1f} / {f['load']:.1f} |"
            )
    medians = {name: statistics.median(f["rps"] for f in runs) for name, runs in results.items()}
    first = next(iter(medians.values()))
    print()
    for name, rps in medians.items():
        cpu = {
            key.removeprefix("cpu_ms_"): statistics.median(f.get(key, 0) for f in results[name])
            for key in ("cpu_ms_server", "cpu_ms_postgres")
        }
        print(
            f"{name}: median {rps:.1f} req/s, {rps / first:.2f} times the first profile; "
            "CPU ms per request: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items())
        )


if __name__ == "__main__":
    main()
