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
        return (f"A: cairn serve (waitress, 1 process{where})", [*pin, str(BIN / "cairn"),
                                                                   "serve"], {})
    if kind.startswith("B") and (kind[1:] or "4").isdigit():
        processes = kind[1:] or "4"
        return (f"B: production (gunicorn, {processes} processes{where})",
                [*pin, str(BIN / "cairn"), "serve", "--processes", processes], PRODUCTION)
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
    results: dict[str, list[dict[str, float]]] = {profile(code)[0]: [] for code in CODES}
    for round_number in range(1, ROUNDS + 1):
        for code in CODES:
            name, command, extra = profile(code)
            before = os.getloadavg()[0]  # the machine's other work, before this run
            port = free_port()
            tag = code.replace("@", "-at-").replace(",", "_")
            log = (work / f"server-{tag}-{round_number}.log").open("wb")
            server = subprocess.Popen([*command, "--port", str(port)], env={**env, **extra},
                                      cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            try:
                wait_ready(port, server)
                prefix = work / f"{tag}-{round_number}"
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
            figures["load_before"] = before
            figures["load"] = os.getloadavg()[0]  # with this run's own server and locust
            results[name].append(figures)
            print(f"{name} round {round_number}: {figures}", flush=True)
    (work / "load.json").write_text(json.dumps(results, indent=1))
    print("\n| profile | run | requests | failures | req/s | p50 ms | p95 ms | p99 ms "
          "| load before/after |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, runs in results.items():
        for number, f in enumerate(runs, 1):
            print(f"| {name} | {number} | {f['requests']} | {f['failures']} | {f['rps']:.1f} | "
                  f"{f['p50']:.0f} | {f['p95']:.0f} | {f['p99']:.0f} | "
                  f"{f['load_before']:.1f} / {f['load']:.1f} |")
    medians = {name: statistics.median(f["rps"] for f in runs) for name, runs in results.items()}
    first = next(iter(medians.values()))
    print()
    for name, rps in medians.items():
        print(f"{name}: median {rps:.1f} req/s, {rps / first:.2f} times the first profile")


if __name__ == "__main__":
    main()
