"""The load test, A against B, alternately in one session (docs/benchmarks.md).

A is ``cairn serve`` as it is by default (waitress, one process, one background worker); B is
the production profile: ``cairn serve --processes 4`` (gunicorn, 4 web processes, the same
settings as ``gunicorn -c python:cairn.gunicorn_config``) with ``CAIRN_PRODUCTION=true``
(JSON request logs on). Both on the same PostgreSQL database (DATABASE_URL, e.g. from
scripts/with-postgres.sh) and data directory, seeded once (bench/load/seed.py). Each run is
``LOAD_SECONDS`` of locust with ``LOAD_USERS`` people working without pause (the figures
count from the moment the last of them has signed in: locustfile.py); the runs go
A, B, A, B... (``LOAD_ROUNDS`` of each) so that other work on the machine weighs on both.

    scripts/with-postgres.sh .venv/bin/python -m bench.load.run

Prints one line per run and a Markdown table; writes the figures to ``$LOAD_OUT/load.json``.
Requests go only to 127.0.0.1, and every run stops by itself.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
USERS = int(os.environ.get("LOAD_USERS", "24"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "100"))
ROUNDS = int(os.environ.get("LOAD_ROUNDS", "2"))
PROFILES = {
    "A: cairn serve (waitress, 1 process)": ([], {}),
    "B: production (gunicorn, 4 processes)": (["--processes", "4"], {
        "CAIRN_PRODUCTION": "true", "CAIRN_HTTPS": "false", "CAIRN_REQUEST_LOG": "true"}),
}


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
    return {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]), "p50": float(row["50%"]),
            "p95": float(row["95%"]), "p99": float(row["99%"])}


def main() -> None:
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("run it under scripts/with-postgres.sh (DATABASE_URL)")
    work = Path(os.environ.get("LOAD_OUT") or tempfile.mkdtemp(prefix="cairn-load-"))
    work.mkdir(parents=True, exist_ok=True)
    kek = work / "kek"
    kek.write_text(base64.b64encode(os.urandom(32)).decode())
    env = {**os.environ, "CAIRN_DATA_DIR": str(work / "data"), "CAIRN_KEK_FILE": str(kek),
           "DJANGO_SETTINGS_MODULE": "cairn.settings"}
    print(f"machine: {os.cpu_count()} cores; {USERS} users, {SECONDS} s per run, "
          f"{ROUNDS} rounds; data in {work}", flush=True)
    subprocess.run([sys.executable, "-m", "bench.load.seed", "30", "8"], env=env, cwd=ROOT,
                   check=True)
    subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput",
                    "--verbosity", "0"], env=env, cwd=ROOT, check=True)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in PROFILES}
    for round_number in range(1, ROUNDS + 1):
        for name, (options, extra) in PROFILES.items():
            port = free_port()
            log = (work / f"server-{name[0]}{round_number}.log").open("wb")
            server = subprocess.Popen([str(BIN / "cairn"), "serve", "--port", str(port),
                                       *options], env={**env, **extra}, cwd=ROOT, stdout=log,
                                      stderr=subprocess.STDOUT)
            try:
                wait_ready(port, server)
                prefix = work / f"{name[0]}{round_number}"
                subprocess.run([str(BIN / "locust"), "-f", "bench/load/locustfile.py",
                                "--headless", "-u", str(USERS), "-r", str(USERS),
                                "-t", f"{SECONDS}s", "--host", f"http://127.0.0.1:{port}",
                                "--csv", str(prefix), "--only-summary", "--loglevel",
                                "WARNING"], env=env, cwd=ROOT, check=False,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=60)
            figures = aggregated(prefix)
            results[name].append(figures)
            print(f"{name} round {round_number}: {figures}", flush=True)
    (work / "load.json").write_text(json.dumps(results, indent=1))
    print("\n| profile | run | requests | failures | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for name, runs in results.items():
        for number, f in enumerate(runs, 1):
            print(f"| {name} | {number} | {f['requests']} | {f['failures']} | {f['rps']:.1f} | "
                  f"{f['p50']:.0f} | {f['p95']:.0f} | {f['p99']:.0f} |")
    a = sum(f["rps"] for f in results[next(iter(PROFILES))]) / ROUNDS
    b = sum(f["rps"] for f in results[list(PROFILES)[1]]) / ROUNDS
    print(f"\nB / A throughput: {b / a:.2f}")


if __name__ == "__main__":
    main()
