"""``make audit`` (scripts/audit.sh): known vulnerabilities in what Cairn installs (issue 18).

The advisory databases are online services, so the tests point the script at stand-ins:
nothing listening (the databases out of reach), and a small npm advisory service answering
with or without a finding for ``govuk-frontend`` (a package package-lock.json holds). PyPI's
advisory service cannot be stood in for (pip-audit asks pypi.org itself), so here it is out
of reach, which is also what this machine sees.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "audit.sh"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(registry: str) -> dict[str, str]:
    nowhere = f"http://127.0.0.1:{closed_port()}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.lower().endswith("_proxy") and not key.startswith("npm_config_")
    }
    env.update(
        {
            "https_proxy": nowhere,
            "HTTPS_PROXY": nowhere,
            "http_proxy": nowhere,
            "HTTP_PROXY": nowhere,
            "no_proxy": "127.0.0.1",
            "NO_PROXY": "127.0.0.1",
            "npm_config_registry": registry,
            "npm_config_audit": "true",
            "npm_config_fetch_retries": "0",
        }
    )
    return env


def audit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )


@contextmanager
def npm_advisories(finding: bool) -> Iterator[str]:
    class Advisories(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            asked = json.loads(body or b"{}")
            answer = {}
            if finding and "govuk-frontend" in asked:
                answer["govuk-frontend"] = [
                    {
                        "id": 1,
                        "url": "https://advisories.invalid/1",
                        "title": "A test advisory",
                        "severity": "high",
                        "vulnerable_versions": "<1000.0.0",
                        "cwe": [],
                        "cvss": {"score": 7.5, "vectorString": None},
                    }
                ]
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Advisories)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _tools():
    if not (ROOT / ".venv" / "bin" / "pip-audit").exists():
        pytest.fail("pip-audit is missing: run make install (it is a test dependency)")


def test_out_of_reach_make_audit_fails_and_says_why():
    result = audit(environment(f"http://127.0.0.1:{closed_port()}/"))
    assert result.returncode == 1
    assert "the Python packages cannot be checked" in result.stderr
    assert "the front-end packages cannot be checked" in result.stderr


def test_out_of_reach_ci_says_plainly_what_was_not_checked_and_goes_on():
    result = audit(environment(f"http://127.0.0.1:{closed_port()}/"), "--if-reachable")
    assert result.returncode == 0
    assert "audit: NOT CHECKED: the Python packages" in result.stdout
    assert "audit: NOT CHECKED: the front-end packages" in result.stdout


def test_a_known_vulnerability_fails_even_in_ci():
    with npm_advisories(finding=True) as registry:
        result = audit(environment(registry), "--if-reachable")
    assert result.returncode == 1
    assert "NOT CHECKED: the Python packages" in result.stdout
    assert "govuk-frontend" in result.stdout
    assert "1 high severity vulnerability" in result.stdout


def test_no_known_vulnerability_passes():
    with npm_advisories(finding=False) as registry:
        result = audit(environment(registry), "--if-reachable")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "found 0 vulnerabilities" in result.stdout
