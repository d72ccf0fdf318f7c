"""The "Evidence pack" page: the owner chooses, previews and downloads a pack that verifies;
nobody else reaches it; bad choices are refused with nothing built; in a real browser it has
no accessibility violations at phone and desktop widths."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cairn.audit.models import AuditRecord
from cairn.packs.verify import verify_pack
from tests.factories import make_incident
from tests.test_analysis_browser import (  # noqa: F401 - fixtures
    PHONE,
    _browser_settings,
    assert_accessible,
    demo_vault,
    page,
    sign_in_as_demo,
)

pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")


@pytest.fixture
def incidents(vault):
    return [
        make_incident(vault, days_ago=30 - n, description=f"Seen at the gate, day {n}.")
        for n in range(4)
    ]


def _url(vault) -> str:  # type: ignore[no-untyped-def]
    return reverse("packs:pack", args=[vault.pk])


def _save(response, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    target = tmp_path / "download.zip"
    target.write_bytes(b"".join(response.streaming_content))
    return target


def test_the_owner_sees_the_page_with_a_neutral_title(owner_client, vault, incidents):
    response = owner_client.get(_url(vault))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Cairn</title>" in html
    assert "may later have to be shown to the defence" in html
    assert "Seen at the gate, day 2." in html  # the choice list, inside the page only


def test_preview_counts_what_the_pack_would_hold(owner_client, vault, incidents):
    response = owner_client.post(
        _url(vault),
        {
            "scope": "chosen",
            "incidents": ["1", "3"],
            "statement": "none",
            "protection": "none",
            "action": "preview",
        },
    )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.incidents == 2
    assert not AuditRecord.objects.filter(action="pack.built").exists()


def made_pack(response):  # type: ignore[no-untyped-def]
    """From the POST of "Make the pack": the job page (the pack is made at once by the
    tests' immediate task backend), then the download it offers."""
    assert response.status_code == 302, response.status_code
    job_page = response.client.get(response["Location"])
    assert job_page.status_code == 200
    assert "Your evidence pack is ready" in job_page.content.decode()
    job = job_page.context["job"]
    return response.client.get(reverse("packs:job-download", args=[job.vault_id, job.pk]))


def test_the_download_is_a_pack_that_verifies(owner_client, vault, incidents, tmp_path):
    response = made_pack(
        owner_client.post(
            _url(vault),
            {
                "scope": "chosen",
                "incidents": ["2", "4"],
                "statement": "draft",
                "protection": "none",
                "action": "build",
            },
        )
    )
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    # Named after the instance's neutral title: no activity, no date (DESIGN.md invariant 11).
    assert re.search(r'filename="cairn-[0-9a-f]{6}\.zip"', disposition)
    assert response["Cache-Control"] == "no-store"
    saved = _save(response, tmp_path)
    report = verify_pack(saved)
    assert report.ok, report.problems
    with zipfile.ZipFile(saved) as archive:
        pdf = next(n for n in archive.namelist() if n.endswith("data/pack.pdf"))
        assert archive.read(pdf).startswith(b"%PDF")
    assert AuditRecord.objects.filter(action="pack.built", vault_id=vault.pk).count() == 1


def test_a_passphrase_protected_download(owner_client, vault, incidents, tmp_path):
    response = made_pack(
        owner_client.post(
            _url(vault),
            {
                "scope": "all",
                "statement": "none",
                "protection": "passphrase",
                "passphrase": "a long passphrase 2026",
                "action": "build",
            },
        )
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.zip.age"')
    saved = _save(response, tmp_path)
    assert verify_pack(saved, passphrase="a long passphrase 2026").ok


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"scope": "chosen", "incidents": []}, "incidents", "Choose at least one incident"),
        ({"protection": "passphrase", "passphrase": "short"}, "passphrase", "at least 12"),
        ({"protection": "recipient", "recipient": "not-a-key"}, "recipient", "starts with age1"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_built(
    owner_client, vault, incidents, data, field, message
):
    form = {"scope": "all", "statement": "none", "protection": "none", "action": "build", **data}
    response = owner_client.post(_url(vault), form)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not AuditRecord.objects.filter(action="pack.built").exists()


def test_nobody_else_reaches_the_page(client, colleague, password, vault, incidents):
    client.login(username=colleague.username, password=password)
    assert client.get(_url(vault)).status_code == 404
    response = client.post(
        _url(vault), {"scope": "all", "statement": "none", "protection": "none", "action": "build"}
    )
    assert response.status_code == 404
    client.logout()
    assert client.get(_url(vault)).status_code == 302  # to the sign-in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"]
)
def test_the_pack_page_in_a_browser(page, demo_vault, viewport, tmp_path):  # noqa: F811
    page.set_viewport_size(viewport)
    sign_in_as_demo(page)
    page.goto(f"/pack/{demo_vault.pk}/")
    assert page.title() == "Cairn"
    assert_accessible(page, "pack page")
    if viewport is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("Only the incidents I choose").check()
    page.get_by_text(re.compile(r"Choose incidents \(\d+ in your log\)")).click()
    page.get_by_label(re.compile(r"^Incident 1,")).check()
    page.get_by_label(re.compile(r"^Incident 2,")).check()
    page.get_by_role("button", name="Continue").click()  # to the check page
    preview = page.locator("#preview")
    expect(preview).to_be_visible()
    assert "2" in preview.get_by_text("Incidents", exact=True).locator("xpath=..").inner_text()
    promised = int(page.locator("#preview-exhibits").inner_text().split()[0])
    assert_accessible(page, "pack preview")
    page.get_by_role("button", name="Make the pack").click()
    expect(page.get_by_text("Your evidence pack is ready")).to_be_visible()
    assert_accessible(page, "pack ready")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the pack").click()
    download = info.value
    assert re.fullmatch(r"cairn-[0-9a-f]{6}\.zip", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    report = verify_pack(saved)
    assert report.ok, report.problems
    assert report.exhibits == promised  # the preview said what the pack holds
    assert not page.csp_errors
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        assert any(n.endswith("VERIFY.txt") for n in archive.namelist())


def test_a_pack_whose_worker_died_is_made_again_once_then_failed(
    owner_client, vault, incidents, settings
):
    """With the database queue (a worker elsewhere), the page follows the job; a worker
    that dies mid-pack is recovered by the others (cairn/jobs/recovery.py)."""
    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from cairn.jobs import recovery
    from cairn.jobs.models import WorkerLease
    from cairn.packs import jobs
    from cairn.packs.models import PackJob, PackJobStatus

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = owner_client.post(
        _url(vault),
        {
            "scope": "all",
            "statement": "none",
            "protection": "passphrase",
            "passphrase": "a long passphrase 2026",
            "action": "build",
        },
    )
    following = owner_client.get(response["Location"])
    assert "Making your evidence pack" in following.content.decode()
    job = PackJob.objects.get()
    status = owner_client.get(reverse("packs:job-status", args=[vault.pk, job.pk])).json()
    assert status == {
        "status": "queued",
        "finished": False,
        "label": "Waiting to start",
        "done": 0,
        "total": None,
    }
    assert "passphrase" not in str(job.sealed)  # sealed with her vault's key

    def worker_dies() -> None:
        WorkerLease.objects.update_or_create(
            worker_id="gone",
            defaults={
                "host": "another-host",
                "pid": 1,
                "pid_started": "1",
                "beat_at": timezone.now(),
                "stopped_at": timezone.now(),
            },
        )
        DBTaskResult.objects.filter(pk=PackJob.objects.get().task_id).update(
            status=TaskResultStatus.RUNNING, worker_ids=["gone"], started_at=timezone.now()
        )
        PackJob.objects.update(status=PackJobStatus.RUNNING, phase="exhibits", done=2, total=5)

    worker_dies()
    assert recovery.recover_abandoned() == 1
    assert PackJob.objects.get().status == PackJobStatus.QUEUED
    worker_dies()
    assert recovery.recover_abandoned() == 1
    job = PackJob.objects.get()
    assert (job.status, job.error, job.options) == (PackJobStatus.FAILED, jobs.STOPPED_TWICE, None)
    shown = owner_client.get(reverse("packs:job", args=[vault.pk, job.pk])).content.decode()
    assert "The pack could not be made" in shown and "Try again" in shown


def test_a_made_pack_is_only_for_its_maker_and_is_deleted_after_a_day(
    owner_client, colleague, password, vault, incidents
):
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from cairn.packs import jobs
    from cairn.packs.models import PackJob
    from cairn.store.blobs import default_store

    response = owner_client.post(
        _url(vault), {"scope": "all", "statement": "none", "protection": "none", "action": "build"}
    )
    job = PackJob.objects.get()
    made = job.result_sha256
    assert default_store().exists(str(vault.pk), made)
    assert owner_client.get(_url(vault)).context["ready"].get() == job
    other = Client()
    other.login(username=colleague.username, password=password)
    for name in ("packs:job", "packs:job-status", "packs:job-download"):
        assert other.get(reverse(name, args=[vault.pk, job.pk])).status_code == 404
    assert jobs.expire_results(timezone.now() - timedelta(hours=1)) == 0
    assert jobs.expire_results(timezone.now() + timedelta(hours=1)) == 1
    assert not default_store().exists(str(vault.pk), made)
    shown = owner_client.get(response["Location"]).content.decode()
    assert "This pack was deleted" in shown
