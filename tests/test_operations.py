"""The production profile as an operator meets it: health and readiness checks, JSON logs
with a request id and no content, and Django's deployment check clean in production."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from django.urls import reverse

from tests.test_serve_worker import data_env, start_serve  # noqa: F401 - a fixture


def test_healthz_says_the_process_answers(client):
    response = client.get(reverse("web:healthz"))
    assert (response.status_code, response.content) == (200, b"ok")


def test_readyz_checks_the_database_and_the_store(client, settings, db, tmp_path):
    response = client.get(reverse("web:readyz"))
    assert (response.status_code, response.content) == (200, b"ready")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the evidence folder should be")
    settings.CAIRN_EVIDENCE_DIR = blocked / "evidence"
    response = client.get(reverse("web:readyz"))
    assert (response.status_code, response.content) == (503, b"not ready: evidence store")


def test_health_checks_are_not_sent_to_https(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("web:healthz")).status_code == 200
    assert client.get("/account/sign-in/").status_code == 301


def test_the_request_log_is_json_with_a_request_id_and_no_content(data_env, tmp_path):  # noqa: F811
    env = {**data_env, "CAIRN_LOG_FORMAT": "json", "CAIRN_REQUEST_LOG": "true"}
    server, port = start_serve(env, tmp_path)
    try:
        asked = urllib.request.Request(
            f"http://127.0.0.1:{port}/account/sign-in/?next=/pattern/&q=Mark+at+the+gym",
            headers={"X-Request-ID": "lb-req-0001"},
        )
        with urllib.request.urlopen(asked, timeout=30) as answer:  # noqa: S310
            assert answer.headers["X-Request-ID"] == "lb-req-0001"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/Mark-lives-at-12", timeout=30)
        assert missing.value.code == 404
        assert len(missing.value.headers["X-Request-ID"]) == 32  # one of its own
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    log = (tmp_path / "serve.log").read_text()
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    requests = [r for r in records if r.get("logger") == "cairn.request"]
    mine = [r for r in requests if r["request_id"] == "lb-req-0001"]
    assert len(mine) == 1
    assert (mine[0]["method"], mine[0]["path"], mine[0]["status"]) == (
        "GET",
        "/account/sign-in/",
        200,
    )
    assert {"time", "level", "duration_ms"} <= set(mine[0])
    assert any(r["path"] == "(no such page)" and r["status"] == 404 for r in requests)
    assert "Mark" not in log and "gym" not in log


def test_the_deployment_check_is_clean_in_production(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CAIRN_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        {
            "CAIRN_DATA_DIR": str(tmp_path / "data"),
            "CAIRN_PRODUCTION": "true",
            "CAIRN_ALLOWED_HOSTS": "cairn.example.police.uk",
        }
    )
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings=cairn.settings",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout
