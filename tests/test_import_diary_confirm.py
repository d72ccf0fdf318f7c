"""A CSV diary is imported with the columns the victim confirmed, never on a guess alone.

CLI: without ``--columns`` the command shows the header and the suggested columns, stores
nothing and says how to confirm; with ``--columns`` it imports with that mapping. Web: the
upload leads to "Check the columns" (header, a few rows, one select per field), and the
confirmed mapping runs the import through the same job and task as any other file."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cairn.audit.models import AuditRecord
from cairn.importers import services
from cairn.importers.models import ImportBatch, ImportedItem, ImportJob, JobStatus
from cairn.vault.models import Exhibit
from tests.test_import_pipeline import evidence_files
from tests.test_import_pipeline_cli import cairn, root  # noqa: F401 - fixture used by name
from tests.test_import_pipeline_views import title_of

DIARY = (
    "Date,Time,Where,What happened,How it made me feel\r\n"
    "13/03/2024,14:30,Outside work,He waited by my car,Scared\r\n"
    "14/03/2024,evening,Home,Flowers left on the doorstep,Anxious\r\n"
    "16/03/2024,about 9am,Bus stop,He followed me onto the bus,Shaking\r\n"
)


@pytest.fixture
def diary(tmp_path):
    path = tmp_path / "my diary.csv"
    path.write_text(DIARY, encoding="utf-8")
    return path


def nothing_stored() -> bool:
    return not (
        ImportBatch.objects.exists() or ImportedItem.objects.exists() or Exhibit.objects.exists()
    )


def descriptions() -> list[str]:
    return [item.text for item in ImportedItem.objects.order_by("position")]


# --- CLI ----------------------------------------------------------------------------------


def test_importing_a_diary_without_columns_shows_the_suggestion_and_stores_nothing(
    cairn,  # noqa: F811
    vault,
    diary,
    settings,
):
    result = cairn("import", diary)
    assert result.exit_code != 0
    assert "   1  Date" in result.output
    assert "   4  What happened" in result.output
    assert re.search(r"what_happened\s+column 4 \(What happened\)", result.output)
    assert re.search(r"witnesses\s+\(none\)", result.output)
    errors = [line for line in result.output.splitlines() if line.startswith("cairn:")]
    assert errors == [
        "cairn: import: confirm the columns with --columns date=1,time=2,"
        "place=3,what_happened=4,impact=5 (or --columns suggested to accept "
        "the suggestion as shown)"
    ]
    assert nothing_stored()
    assert evidence_files(settings) == []


def test_the_suggestion_is_also_given_as_json(cairn, vault, diary):  # noqa: F811
    result = cairn("import", diary, "--json")
    assert result.exit_code != 0
    shown = result.output[: result.output.index("cairn:")]
    import json

    data = json.loads(shown)
    assert data["suggested"] == {"date": 1, "time": 2, "place": 3, "what_happened": 4, "impact": 5}
    assert data["columns"][3] == {"number": 4, "name": "What happened"}
    assert nothing_stored()


def test_importing_with_the_suggested_columns_imports_every_row(cairn, vault, diary):  # noqa: F811
    result = cairn("import", diary, "--columns", "suggested")
    assert result.exit_code == 0, result.output
    assert "Items: 3 (3 new, 0 already imported)" in result.output
    assert descriptions() == [
        "He waited by my car",
        "Flowers left on the doorstep",
        "He followed me onto the bus",
    ]
    first = ImportedItem.objects.order_by("position").first()
    assert first.details["impact"] == "Scared"
    assert first.details["location"] == "Outside work"


def test_confirmed_columns_decide_which_text_becomes_the_description(
    cairn,  # noqa: F811
    vault,
    diary,
):
    # The victim says column 5 is what happened and column 4 how it made her feel.
    result = cairn("import", diary, "--columns", "date=1,time=2,what_happened=5,impact=4")
    assert result.exit_code == 0, result.output
    assert descriptions() == ["Scared", "Anxious", "Shaking"]
    first = ImportedItem.objects.order_by("position").first()
    assert first.details["impact"] == "He waited by my car"
    assert first.details["location"] == ""  # place was not given, so it is not read


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            "date=1,what_happened=4,mood=5",
            "cairn: import: columns: a diary has no field called 'mood'; the fields are "
            "date, time, "
            "place, what_happened, witnesses, impact, police_reference",
        ),
        (
            "date=1,what_happened=9",
            "cairn: import: columns: there is no column 9 (for what_happened): the file has 5 "
            "columns, numbered 1 to 5",
        ),
        (
            "date=0,what_happened=4",
            "cairn: import: columns: there is no column 0 (for date): the file has 5 columns, "
            "numbered 1 to 5",
        ),
        ("date=1,time=2", "cairn: import: columns: say which column holds what_happened"),
        ("place=3", "cairn: import: columns: say which column holds date and what_happened"),
        (
            "date=one,what_happened=4",
            "cairn: import: columns: 'date=one' needs a column number, for example date=1",
        ),
        ("date=1,date=2,what_happened=4", "cairn: import: columns: date is given twice"),
    ],
)
def test_bad_columns_give_one_clear_line_and_store_nothing(
    cairn,  # noqa: F811
    vault,
    diary,
    columns,
    message,
    settings,
):
    result = cairn("import", diary, "--columns", columns)
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [message]
    assert nothing_stored()
    assert evidence_files(settings) == []


def test_columns_are_refused_for_a_file_that_is_not_a_diary(cairn, vault, tmp_path):  # noqa: F811
    from tests.test_import_pipeline import CHAT

    chat = tmp_path / "WhatsApp Chat with Mark.txt"
    chat.write_text(CHAT, encoding="utf-8")
    result = cairn("import", chat, "--columns", "suggested")
    assert result.exit_code != 0
    assert "--columns is only for a CSV diary" in result.output
    assert nothing_stored()


# --- web ----------------------------------------------------------------------------------


def upload_diary(
    client, vault, data: bytes = DIARY.encode(), name: str = "my diary.csv", fmt: str = "auto"
):
    post = {
        "file": SimpleUploadedFile(name, data, content_type="text/csv"),
        "format": fmt,
        "time_zone": vault.time_zone,
        "date_order": "auto",
        "owner": "",
    }
    return client.post(reverse("importers:start", args=[vault.pk]), post)


@pytest.fixture
def staged(owner_client, vault):
    response = upload_diary(owner_client, vault)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("importers:columns", args=[job.pk])
    return job


def test_uploading_a_diary_leads_to_the_columns_page_and_runs_nothing(
    owner_client, vault, staged, settings
):
    assert staged.status == JobStatus.QUEUED and not staged.task_id
    assert nothing_stored()
    # Only the staged upload is in the store, encrypted (never the plain text).
    files = evidence_files(settings)
    assert len(files) == 1
    assert b"He waited by my car" not in files[0].read_bytes()
    assert not any(b"waited" in str(value).encode() for value in owner_client.session.values())
    # The progress page sends the victim back to the columns while they wait.
    progress = owner_client.get(reverse("importers:job", args=[staged.pk]))
    assert progress["Location"] == reverse("importers:columns", args=[staged.pk])


def test_the_columns_page_shows_the_header_rows_and_the_suggestion(owner_client, staged):
    response = owner_client.get(reverse("importers:columns", args=[staged.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert title_of(response) == "Cairn"
    assert "Column 4: What happened" in page
    assert "He waited by my car" in page and "Flowers left on the doorstep" in page
    selected = dict(
        re.findall(r'<select[^>]*name="(\w+)"[^>]*>.*?<option value="(\d*)" selected', page, re.S)
    )
    assert selected == {
        "date": "0",
        "time": "1",
        "place": "2",
        "what_happened": "3",
        "impact": "4",
        "witnesses": "",
        "police_reference": "",
    }
    assert re.search(r'name="witnesses"[^>]*>\s*<option value="" selected>None</option>', page)
    # The diary's words are in the page's body only.
    assert "waited" not in title_of(response)
    assert "waited" not in response.request["PATH_INFO"]


def test_a_confirmed_mapping_runs_the_import(owner_client, vault, staged, settings):
    post = {
        "date": "0",
        "time": "1",
        "place": "",
        "what_happened": "4",
        "impact": "3",
        "witnesses": "",
        "police_reference": "",
    }
    response = owner_client.post(reverse("importers:columns", args=[staged.pk]), post)
    assert response.status_code == 302
    assert response["Location"] == reverse("importers:job", args=[staged.pk])
    staged.refresh_from_db()
    assert staged.status == JobStatus.DONE and staged.format == "csv"
    assert staged.task_id
    assert descriptions() == ["Scared", "Anxious", "Shaking"]
    assert (
        ImportedItem.objects.order_by("position").first().details["impact"] == "He waited by my car"
    )
    assert services.job_columns(staged) == {"date": 0, "time": 1, "what_happened": 4, "impact": 3}
    record = AuditRecord.objects.get(action="import.columns.confirmed")
    assert record.detail == {"columns": {"date": 0, "time": 1, "what_happened": 4, "impact": 3}}
    # The staged upload became the batch's exhibit: one file in the store.
    assert len(evidence_files(settings)) == 1
    # Confirmed once: the page now forwards to the review.
    again = owner_client.get(reverse("importers:columns", args=[staged.pk]))
    assert again["Location"] == reverse("importers:job", args=[staged.pk])


def test_a_mapping_without_what_happened_is_refused_on_the_page(owner_client, staged):
    post = {"date": "0", "what_happened": ""}
    response = owner_client.post(reverse("importers:columns", args=[staged.pk]), post)
    assert response.status_code == 400
    assert title_of(response) == "Error: Cairn"
    assert "Choose the column that says what happened" in response.content.decode()
    staged.refresh_from_db()
    assert staged.status == JobStatus.QUEUED
    assert nothing_stored()


def test_a_file_that_is_not_a_readable_diary_fails_its_job(owner_client, vault, settings):
    upload_diary(owner_client, vault, data=b"\x00\x01\x02binary", fmt="csv")
    job = ImportJob.objects.get()
    response = owner_client.get(reverse("importers:columns", args=[job.pk]))
    assert response["Location"] == reverse("importers:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "my diary.csv" in job.error
    assert evidence_files(settings) == []


def test_another_victim_cannot_see_or_confirm_the_columns(client, colleague, staged):
    client.force_login(colleague)
    url = reverse("importers:columns", args=[staged.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"date": "0", "what_happened": "3"}).status_code == 404
    staged.refresh_from_db()
    assert staged.status == JobStatus.QUEUED


def test_signed_out_the_columns_page_asks_to_sign_in(client, staged):
    client.logout()
    response = client.get(reverse("importers:columns", args=[staged.pk]))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "next=" in response["Location"]
