"""The import pages through HTTP: upload, progress, review; who may see them."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cairn.importers import services
from cairn.importers.models import (
    CandidatePerson,
    ImportBatch,
    ImportedItem,
    ImportJob,
    ProposedIncident,
)
from cairn.vault import services as vault_services
from cairn.vault.models import Exhibit, Incident
from tests.test_import_pipeline import CHAT, evidence_files


@pytest.fixture
def mark(vault):
    return vault_services.create_person(actor=vault.owner, vault=vault, name="Mark")


@pytest.fixture
def batch(vault, mark):
    return services.commit_import(
        actor=vault.owner,
        vault=vault,
        source=CHAT.encode(),
        name="WhatsApp Chat with Mark.txt",
        format="whatsapp",
        owner="Alex",
    ).batch


def upload(client, vault, data: bytes, name: str = "WhatsApp Chat with Mark.txt", **extra):
    post = {
        "file": SimpleUploadedFile(name, data, content_type="text/plain"),
        "format": "auto",
        "time_zone": vault.time_zone,
        "date_order": "auto",
        "owner": "Alex",
    }
    post.update(extra)
    return client.post(reverse("importers:start", args=[vault.pk]), post)


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match
    return match.group(1).strip()


def test_the_upload_page_shows_the_zone_times_will_be_read_in(owner_client, vault):
    response = owner_client.get(reverse("importers:start", args=[vault.pk]))
    assert response.status_code == 200
    assert title_of(response) == "Cairn"
    assert (
        "Times without a time zone will be read as <strong>Europe/London</strong>"
        in response.content.decode()
    )


def test_the_vault_home_links_to_the_import_page(owner_client, vault):
    response = owner_client.get(reverse("vault:vault", args=[vault.pk]))
    assert reverse("importers:start", args=[vault.pk]) in response.content.decode()


def test_uploading_runs_the_import_and_leads_to_the_review(owner_client, vault, mark, settings):
    response = upload(owner_client, vault, CHAT.encode())
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("importers:job", args=[job.pk])
    assert job.status == "done" and job.batch is not None
    # The staged upload became the exhibit; nothing else is left in the store.
    assert len(evidence_files(settings)) == 1
    progress = owner_client.get(response["Location"])
    assert progress.status_code == 302
    assert progress["Location"] == reverse("importers:batch", args=[job.batch_id])
    status = owner_client.get(reverse("importers:job-status", args=[job.pk])).json()
    assert status["finished"] and status["review_url"].endswith(f"{job.batch_id}/")
    review = owner_client.get(progress["Location"])
    page = review.content.decode()
    assert title_of(review) == "Cairn"
    assert "UK time" in page and "Europe/London" not in page  # a place, not a code
    assert "I saw you at the station" in page
    assert "+44 7700 900123" in page  # the unknown sender, to confirm or dismiss
    assert "WhatsApp" not in title_of(review) and "Mark" not in title_of(review)


def test_a_bad_upload_shows_the_message_and_stores_nothing(owner_client, vault, settings):
    response = upload(
        owner_client, vault, b"31/02/2025, 09:15 - Mark: hi\n", name="chat.txt", format="whatsapp"
    )
    job = ImportJob.objects.get()
    assert job.status == "failed"
    page = owner_client.get(response["Location"])
    assert page.status_code == 200
    assert "chat.txt, line 1" in page.content.decode()
    assert "Nothing from this file was saved" in page.content.decode()
    assert ImportBatch.objects.count() == ImportedItem.objects.count() == 0
    assert Exhibit.objects.count() == 0
    assert evidence_files(settings) == []
    # The server carries on.
    assert upload(owner_client, vault, CHAT.encode()).status_code == 302
    assert ImportBatch.objects.count() == 1


def test_an_empty_upload_is_refused_at_the_field(owner_client, vault):
    response = upload(owner_client, vault, b"", name="empty.txt")
    assert response.status_code == 400
    assert title_of(response).startswith("Error: ")
    assert ImportJob.objects.count() == 0


def test_an_unknown_zone_is_refused_at_the_field(owner_client, vault):
    response = upload(owner_client, vault, CHAT.encode(), time_zone="Mars/Base")
    assert response.status_code == 400
    assert "Enter a time zone such as Europe/London" in response.content.decode()


def test_ambiguous_dates_ask_for_the_order(owner_client, vault):
    response = upload(
        owner_client, vault, b"01/03/2025, 09:15 - Mark: hi\n", name="chat.txt", format="whatsapp"
    )
    page = owner_client.get(response["Location"], follow=True).content.decode()
    assert "How are dates written in this file?" in page


def test_accepting_one_then_all(owner_client, vault, batch):
    url = reverse("importers:accept", args=[batch.pk])
    first = ProposedIncident.objects.get(batch=batch, number=1)
    response = owner_client.post(url, {"one": str(first.pk)})
    assert response.status_code == 302
    assert Incident.objects.count() == 1
    response = owner_client.post(url, {"all": "1"})
    assert Incident.objects.count() == 4
    page = owner_client.get(response["Location"]).content.decode()
    assert "See incident 4" in page


def test_accepting_the_ticked_ones(owner_client, vault, batch):
    picks = ProposedIncident.objects.filter(batch=batch, number__in=[2, 3])
    owner_client.post(
        reverse("importers:accept", args=[batch.pk]),
        {"selected": "1", "ids": [str(p.pk) for p in picks]},
    )
    assert set(
        ProposedIncident.objects.filter(status="accepted").values_list("number", flat=True)
    ) == {2, 3}


def test_accept_and_edit_opens_the_incident_form(owner_client, vault, batch):
    proposal = ProposedIncident.objects.get(batch=batch, number=1)
    response = owner_client.post(
        reverse("importers:accept", args=[batch.pk]), {"edit": str(proposal.pk)}
    )
    proposal.refresh_from_db()
    assert response["Location"] == reverse("vault:incident-edit", args=[proposal.incident_id])


def test_accepting_nothing_is_an_error_on_the_page(owner_client, vault, batch):
    response = owner_client.post(reverse("importers:accept", args=[batch.pk]), {"selected": "1"})
    assert response.status_code == 400
    assert "Choose at least one proposal" in response.content.decode()


def test_dismissing_a_proposal(owner_client, vault, batch):
    proposal = ProposedIncident.objects.get(batch=batch, number=1)
    owner_client.post(reverse("importers:proposal-dismiss", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == "dismissed"


def test_confirming_and_dismissing_candidates(owner_client, vault, batch):
    candidate = CandidatePerson.objects.get(batch=batch)
    prefix = f"c{candidate.pk.hex[:8]}"
    response = owner_client.post(
        reverse("importers:candidate", args=[candidate.pk]),
        {"action": "confirm", f"{prefix}-name": "The friend", f"{prefix}-role": "witness"},
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == "confirmed"
    assert candidate.person.name == "The friend" and candidate.person.role == "witness"
    response = owner_client.post(
        reverse("importers:candidate", args=[candidate.pk]), {"action": "dismiss"}
    )
    assert response.status_code == 400  # already decided


# --- who may see what ------------------------------------------------------------------------


def urls_for(vault, batch) -> list[tuple[str, str]]:
    job = ImportJob.objects.create(vault=vault, time_zone="Europe/London", created_by=vault.owner)
    proposal = ProposedIncident.objects.filter(batch=batch).first()
    candidate = CandidatePerson.objects.get(batch=batch)
    return [
        ("get", reverse("importers:start", args=[vault.pk])),
        ("get", reverse("importers:job", args=[job.pk])),
        ("get", reverse("importers:job-status", args=[job.pk])),
        ("get", reverse("importers:batch", args=[batch.pk])),
        ("post", reverse("importers:accept", args=[batch.pk])),
        ("post", reverse("importers:proposal-dismiss", args=[proposal.pk])),
        ("post", reverse("importers:candidate", args=[candidate.pk])),
    ]


def test_another_victim_gets_not_found_for_every_import_page(
    client, colleague, other_vault, vault, batch
):
    client.force_login(colleague)
    for method, url in urls_for(vault, batch):
        response = getattr(client, method)(
            url, {"all": "1", "action": "dismiss"} if method == "post" else None
        )
        assert response.status_code == 404, url
    assert Incident.objects.count() == 0
    assert CandidatePerson.objects.get(batch=batch).status == "pending"


def test_signed_out_visitors_are_sent_to_sign_in(client, vault, batch):
    for method, url in urls_for(vault, batch):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_the_owner_can_open_every_import_page(owner_client, vault, batch):
    for method, url in urls_for(vault, batch):
        if method == "get":
            assert owner_client.get(url).status_code == 200, url


def test_urls_and_titles_carry_no_content(owner_client, vault, batch):
    for method, url in urls_for(vault, batch):
        assert "Mark" not in url
        if method == "get" and "status" not in url:
            title = title_of(owner_client.get(url))
            assert "Mark" not in title and "WhatsApp" not in title


def _long_chat(days: int) -> bytes:
    """A WhatsApp chat with a message from Mark on each of ``days`` days (one suggestion each)."""
    from datetime import date, timedelta

    first = date(2025, 1, 13)
    return "".join(
        f"{(first + timedelta(days=2 * n)):%d/%m/%Y}, 09:15 - Mark: I am outside again {n}\n"
        for n in range(days)
    ).encode()


def test_a_long_review_is_in_pages_of_twenty_each_added_after_a_check(owner_client, vault, mark):
    batch = services.commit_import(
        actor=vault.owner,
        vault=vault,
        source=_long_chat(25),
        name="chat.txt",
        format="whatsapp",
        owner="Alex",
    ).batch
    assert ProposedIncident.objects.filter(batch=batch).count() == 25
    review_url = reverse("importers:batch", args=[batch.pk])
    page = owner_client.get(review_url).content.decode()
    assert page.count("Add suggestion ") == 20
    check_url = reverse("importers:accept-check", args=[batch.pk])
    assert f'href="{check_url}"' in page and "Add all on this page to my log" in page
    # Dismiss is a secondary action, never the red button.
    assert re.findall(r'class="[^"]*govuk-button--warning[^"]*"', page) == [
        'class="govuk-button govuk-button--warning govuk-exit-this-page__button '
        'govuk-js-exit-this-page-button"'
    ]  # only "Exit this page" is red
    # The check page names what will be added, and that the log keeps a record.
    check = owner_client.get(check_url).content.decode()
    assert "Check before you add these 20 suggestions to your log" in check
    assert check.count('name="ids"') == 20
    assert "your log keeps a record that it was added" in check
    assert Incident.objects.count() == 0  # looking changes nothing
    ids = re.findall(r'name="ids" value="([0-9a-f-]+)"', check)
    response = owner_client.post(
        reverse("importers:accept", args=[batch.pk]), {"ids": ids, "selected": "1"}
    )
    assert response.status_code == 302
    assert Incident.objects.count() == 20
    # The second page holds the other five.
    second = owner_client.get(check_url, {"page": 2}).content.decode()
    assert "these 5 suggestions" in second


def test_the_import_notes_read_in_her_words(owner_client, vault, mark):
    batch = services.commit_import(
        actor=vault.owner,
        vault=vault,
        source=_long_chat(3),
        name="chat.txt",
        format="whatsapp",
        owner="Alex",
    ).batch
    assert any(note.startswith("date order inferred") for note in batch.notes)
    page = owner_client.get(reverse("importers:batch", args=[batch.pk])).content.decode()
    notes = page.split('id="import-notes"')[1].split("</ul>")[0]
    assert "Dates in the file were read in the order day, month, year" in notes
    assert "inferred" not in page and "day-first" not in page
