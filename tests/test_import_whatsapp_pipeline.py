"""A year-first chat with two-digit years (issue 13), imported as people do: with the installed
``cairn`` command in a subprocess on a fresh data directory, and through the web import.

``20-01-15, 02:22 - Mary: ...`` is 15 January 2020. Before, it was stored as 20 January 2015
with a note "date order inferred: day-first", the stored dates jumping between 2001 and 2030.
Now such a chat imports with the right dates when the file settles the order, or stops and
asks (``--date-order``; a question page on the web) when it does not; and nothing is counted
as a duplicate that is not the same message in the file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cairn.importers.models import ImportBatch, ImportedItem, ImportJob, JobStatus
from cairn.vault.models import Exhibit
from tests.test_import_pipeline import evidence_files

LONDON = ZoneInfo("Europe/London")


def _chat(start: datetime, days: int, *, step: int = 1) -> str:
    """Mary and Sam, twice a day, written yy-mm-dd (a Korean, Swedish or ISO-style phone);
    the last message of each day is sent twice, as happens when someone repeats themselves."""
    lines = []
    for n in range(0, days, step):
        day = start + timedelta(days=n)
        lines.append(f"{day:%y-%m-%d}, 02:22 - Mary: where are you {n}")
        lines.append(f"{day:%y-%m-%d}, 21:05 - Sam: leave me alone")
        lines.append(f"{day:%y-%m-%d}, 21:05 - Sam: leave me alone")
    return "\n".join(lines) + "\n"


SETTLED = _chat(datetime(2020, 1, 15), 60, step=3)  # crosses into February and March
OPEN = _chat(datetime(2020, 1, 15), 8)  # 15 to 22 January: could be 20 January of 8 years


# --- the installed command -------------------------------------------------------------------


def entry_point() -> list[str]:
    script = Path(sys.executable).with_name("cairn")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cairn.cli.main"]


@pytest.fixture
def cairn(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CAIRN_", "DATABASE_URL", "DJANGO_"))
    }
    env["CAIRN_DATA_DIR"] = str(tmp_path / "data")

    def run(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*entry_point(), *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    created = run("vault", "create", "My log", "--initials", "AB", "--owner", "alex")
    assert created.returncode == 0, created.stderr
    return run


def test_the_installed_command_imports_a_year_first_chat_with_the_right_dates(cairn, tmp_path):
    chat = tmp_path / "WhatsApp Chat with Mary.txt"
    chat.write_text(SETTLED, encoding="utf-8")
    done = cairn("import", chat, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    messages = SETTLED.count("\n")
    assert (summary["items"], summary["new"], summary["duplicates"]) == (messages, messages, 0)
    assert summary["notes"][0].startswith("date order inferred: year-first (year, month, day)")
    days = sorted({row["day"] for row in summary["proposals"]})
    assert days[0] == "2020-01-15" and days[-1] == "2020-03-12"
    assert all(day.startswith("2020-") for day in days)
    assert "Traceback" not in done.stderr
    # The same file again: every message is already there, and nothing else is.
    again = json.loads(cairn("import", chat, "--json").stdout)
    assert (again["new"], again["duplicates"]) == (0, messages)


def test_the_installed_command_stops_and_asks_when_the_file_cannot_settle_it(cairn, tmp_path):
    chat = tmp_path / "chat.txt"
    chat.write_text(OPEN, encoding="utf-8")
    refused = cairn("import", chat)
    assert refused.returncode == 1
    assert refused.stdout == ""
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith(
        "cairn: import: chat.txt, line 1: the dates could be read more "
        "than one way (20-01-15 reads as day-first: 20 January 2015; "
        "year-first: 15 January 2020)"
    )
    assert line.endswith("run again with --date-order day-first or --date-order year-first")
    assert "where are you" not in line and "Mary" not in line
    done = cairn("import", chat, "--date-order", "year-first", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["batch_number"] == 1  # the refusal stored nothing
    assert {row["day"] for row in summary["proposals"]} == {
        f"2020-01-{day}" for day in range(15, 23)
    }
    assert (summary["new"], summary["duplicates"]) == (OPEN.count("\n"), 0)
    assert "year-first" in cairn("import", "run", "--help").stdout


# --- the web import ----------------------------------------------------------------------------


def upload(client, vault, text: str, name: str = "WhatsApp Chat with Mary.txt"):
    post = {
        "file": SimpleUploadedFile(name, text.encode(), content_type="text/plain"),
        "format": "auto",
        "time_zone": vault.time_zone,
        "owner": "",
    }
    return client.post(reverse("importers:start", args=[vault.pk]), post)


def _sent(batch) -> list[datetime]:
    return [i.sent_at for i in ImportedItem.objects.filter(batch=batch).order_by("position")]


def test_the_web_import_reads_a_settled_year_first_chat_without_asking(owner_client, vault):
    response = upload(owner_client, vault, SETTLED)
    job = ImportJob.objects.get()
    assert job.status == JobStatus.DONE, job.error
    assert owner_client.get(response["Location"])["Location"] == reverse(
        "importers:batch", args=[job.batch_id]
    )
    sent = _sent(job.batch)
    assert sent[0] == datetime(2020, 1, 15, 2, 22, tzinfo=LONDON).astimezone(UTC)
    assert len(sent) == job.batch.new_count == SETTLED.count("\n")
    assert job.batch.duplicate_count == 0


def test_the_web_import_asks_how_dates_are_written_and_the_answer_imports(
    owner_client, vault, settings
):
    response = upload(owner_client, vault, OPEN)
    job = ImportJob.objects.get()
    assert job.status == JobStatus.ASKING
    assert ImportBatch.objects.count() == 0 and Exhibit.objects.count() == 0
    assert len(evidence_files(settings)) == 1  # the upload waits, encrypted, for the answer
    progress = owner_client.get(response["Location"])
    dates_url = reverse("importers:dates", args=[job.pk])
    assert progress["Location"] == dates_url
    status = owner_client.get(reverse("importers:job-status", args=[job.pk])).json()
    assert status["next_url"] == dates_url and status["status"] == "asking"

    page = owner_client.get(dates_url)
    body = page.content.decode()
    assert page.status_code == 200
    assert re.search(r"<title>\s*Cairn\s*</title>", body)
    assert "Line 1 of the file is dated <strong>20-01-15</strong>" in body
    assert 'value="day-first"' in body and 'value="year-first"' in body
    assert 'value="month-first"' not in body  # the file rules it out
    assert "Line 1 would be 15 January 2020" in body
    assert "Line 1 would be 20 January 2015" in body
    assert "where are you" not in body and "Mary" not in body

    refused = owner_client.post(dates_url, {"date_order": "month-first"})
    assert refused.status_code == 400
    assert "Choose how dates are written in the file" in refused.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.ASKING

    answered = owner_client.post(dates_url, {"date_order": "year-first"})
    assert answered["Location"] == reverse("importers:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.date_order == "year-first"
    sent = _sent(job.batch)
    assert sent[0] == datetime(2020, 1, 15, 2, 22, tzinfo=LONDON).astimezone(UTC)
    assert sent[-1] == datetime(2020, 1, 22, 21, 5, tzinfo=LONDON).astimezone(UTC)
    assert job.batch.new_count == OPEN.count("\n") and job.batch.duplicate_count == 0
    assert job.batch.date_order == "year-first"
    # Answered once: the question is gone.
    assert owner_client.get(dates_url)["Location"] == reverse("importers:job", args=[job.pk])


def test_nobody_else_can_see_or_answer_the_question(owner_client, vault, client, colleague):
    upload(owner_client, vault, OPEN)
    job = ImportJob.objects.get()
    client.force_login(colleague)
    url = reverse("importers:dates", args=[job.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"date_order": "year-first"}).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.ASKING
