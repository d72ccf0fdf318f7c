"""Issue 15, point 8: officers open and download the exhibits shared with a case from the
shared incident page, each read audited with the reason chosen for the case (and in the
victim's access log); exhibits outside the share are "not found"; and cases are found by
their reference."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from cairn.audit.models import AuditRecord
from cairn.cases import services as cases
from cairn.cases.access import READ_ACTION
from cairn.vault import services as vault_services
from tests.orgs import sign_in_verified


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def exhibits(owner, vault, incidents):
    photo = vault_services.add_exhibit(
        actor=owner,
        vault=vault,
        incident=incidents[0],
        stream=io.BytesIO(png()),
        original_name="his-car-outside.png",
    )
    page = vault_services.add_exhibit(
        actor=owner,
        vault=vault,
        incident=incidents[0],
        stream=io.BytesIO(b"<html><script>alert(1)</script>"),
        original_name="saved-page.html",
        declared_type="text/html",
    )
    hidden = vault_services.add_exhibit(
        actor=owner,
        vault=vault,
        incident=incidents[2],
        stream=io.BytesIO(png()),
        original_name="other.png",
    )
    return photo, page, hidden


def choose(client, case, purpose="investigation"):  # type: ignore[no-untyped-def]
    client.post(reverse("cases:purpose", args=[case.pk]), {"purpose": purpose})


def exhibit_url(case, vault, exhibit):  # type: ignore[no-untyped-def]
    return reverse("cases:exhibit", args=[case.pk, vault.pk, exhibit.pk])


def test_the_officer_opens_and_downloads_a_shared_exhibit_each_read_audited(
    client, investigator, owner, shared_case, vault, incidents, exhibits
):
    photo, page, _ = exhibits
    sign_in_verified(client, investigator)
    choose(client, shared_case)
    incident_page = client.get(
        reverse("cases:incident", args=[shared_case.pk, vault.pk, incidents[0].pk])
    ).content.decode()
    url = exhibit_url(shared_case, vault, photo)
    assert f'href="{url}"' in incident_page and f'href="{url}?download=1"' in incident_page
    before = AuditRecord.objects.filter(action=READ_ACTION, object_type="exhibit").count()
    opened = client.get(url)
    assert opened.status_code == 200 and b"".join(opened.streaming_content) == png()
    assert opened["Content-Type"] == "image/png"
    name = photo.reference.replace("/", "-")
    assert opened["Content-Disposition"] == f'inline; filename="{name}.png"'
    assert opened["X-Content-Type-Options"] == "nosniff"
    downloaded = client.get(url + "?download=1")
    assert downloaded["Content-Disposition"] == f'attachment; filename="{name}.png"'
    reads = AuditRecord.objects.filter(action=READ_ACTION, object_type="exhibit")
    assert reads.count() == before + 2
    assert {(r.detail["purpose"], tuple(r.detail["ids"])) for r in reads.order_by("-id")[:2]} == {
        ("investigation", (str(photo.pk),))
    }
    # A page that could run script is never opened in the browser: always a download.
    html = client.get(exhibit_url(shared_case, vault, page))
    assert html["Content-Disposition"].startswith("attachment;")
    # The victim sees each look with its reason.
    client.force_login(owner)
    log = client.get(reverse("sharing:access-log", args=[vault.pk])).content.decode()
    assert f"Exhibit {photo.reference}" in log and "Reason given: Investigation" in log


def test_without_a_reason_the_officer_is_asked_for_one_and_nothing_is_read(
    client, investigator, shared_case, vault, incidents, exhibits
):
    photo, _, _ = exhibits
    sign_in_verified(client, investigator)
    got = client.get(exhibit_url(shared_case, vault, photo))
    assert got.status_code == 302
    assert got["Location"] == reverse(
        "cases:incident", args=[shared_case.pk, vault.pk, incidents[0].pk]
    )
    assert not AuditRecord.objects.filter(action=READ_ACTION).exists()


def test_an_exhibit_outside_the_share_or_the_unit_is_not_found(
    client, investigator, unit_peer, partly_shared_case, vault, exhibits, owner, incidents
):
    photo, _, hidden = exhibits
    share = partly_shared_case.shares.get()
    assert not share.incidents.filter(pk=incidents[2].pk).exists()
    sign_in_verified(client, investigator)
    choose(client, partly_shared_case)
    assert client.get(exhibit_url(partly_shared_case, vault, hidden)).status_code == 404
    other = cases.open_case(actor=investigator, reference="NP/2026/0099")
    choose(client, other)
    assert client.get(exhibit_url(other, vault, photo)).status_code == 404
    sign_in_verified(client, unit_peer)
    assert client.get(exhibit_url(partly_shared_case, vault, photo)).status_code == 404
    client.force_login(owner)
    assert client.get(exhibit_url(partly_shared_case, vault, photo)).status_code == 404


def test_a_case_is_found_by_its_reference(client, investigator, unit_peer, case):
    cases.open_case(actor=investigator, reference="NP/2026/0100")
    cases.open_case(actor=unit_peer, reference="CID/2026/0042")  # another unit's
    sign_in_verified(client, investigator)
    listing = reverse("cases:list")
    exact = client.get(listing, {"reference": " np/2026/0042 "})
    assert exact.status_code == 302 and exact["Location"] == reverse("cases:case", args=[case.pk])
    partial = client.get(listing, {"reference": "2026/0"}).content.decode()
    assert "NP/2026/0042" in partial and "NP/2026/0100" in partial
    assert "CID/2026/0042" not in partial and "2 cases match the filter" in partial
    none = client.get(listing, {"reference": "CID/2026/0042"}).content.decode()
    assert "0 cases match the filter" in none
