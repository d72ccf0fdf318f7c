"""Error pages in the service's layout (issue 16, point 6): 400, 403, 404, 405 and 500 each
have "Exit this page", plain words and a way home; her titles stay neutral."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_incident

pytestmark = pytest.mark.django_db
EXIT = "Exit this page"


def title(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def assert_service_page(response, status: int, heading: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    html = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert EXIT in html and "govuk-exit-this-page" in html
    assert 'href="/">Go to the home page</a>' in html
    assert response["Cache-Control"] == "no-store"
    return html


def test_a_missing_page_is_the_services_404(owner_client):
    response = owner_client.get("/no/such/page/")
    assert_service_page(response, 404, "Page not found")
    assert title(response) == "Cairn"


def test_someone_elses_incident_reads_exactly_like_a_missing_one(owner_client, other_vault):
    theirs = make_incident(other_vault, description="Not for her eyes")
    refused = owner_client.get(reverse("vault:incident", args=[theirs.pk]))
    missing = owner_client.get(reverse("vault:incident", args=[uuid.uuid4()]))
    html = assert_service_page(refused, 404, "Page not found")
    assert "Not for her eyes" not in html and "No such incident" not in html

    def without_tokens(response) -> bytes:  # type: ignore[no-untyped-def]
        return re.sub(rb'value="[^"]{64}"', b"", response.content)

    assert without_tokens(refused) == without_tokens(missing)


def test_an_officer_sees_what_the_page_is_in_the_title(client, investigator):
    from tests.orgs import sign_in_verified

    sign_in_verified(client, investigator)
    response = client.get("/no/such/page/")
    assert_service_page(response, 404, "Page not found")
    assert title(response) == "Page not found \N{EN DASH} Cairn"


def test_a_forms_address_opened_directly_says_so(owner_client, vault):
    from cairn.importers import services
    from tests.test_import_pipeline import CHAT

    batch = services.commit_import(
        actor=vault.owner,
        vault=vault,
        source=CHAT.encode(),
        name="chat.txt",
        format="whatsapp",
        owner="Alex",
    ).batch
    response = owner_client.get(reverse("importers:accept", args=[batch.pk]))
    assert_service_page(response, 405, "This address is for a form")
    assert response["Allow"] == "POST"
    assert title(response) == "Cairn"


def test_a_form_without_its_token_gets_the_services_403(owner, vault, password):
    client = Client(enforce_csrf_checks=True)
    client.login(username=owner.username, password=password)
    response = client.post(reverse("vault:incident-new", args=[vault.pk]), {})
    assert_service_page(response, 403, "Sorry, you cannot do that from here")


def test_a_bad_request_gets_the_services_400(client, db):
    response = client.get("/", HTTP_HOST="not-this-host.example")
    assert_service_page(response, 400, "Sorry, there is a problem with what was sent")


@pytest.mark.urls("tests.error_urls")
def test_a_failure_gets_the_services_500_without_her_details(owner, vault, password):
    client = Client(raise_request_exception=False)
    client.login(username=owner.username, password=password)
    response = client.get("/fails/")
    html = assert_service_page(response, 500, "Sorry, there is a problem with the service")
    assert "something broke" not in html
    assert vault.name not in html and "Alex" not in html
    assert title(response) == "Cairn"


def test_the_api_keeps_its_own_answers(client, db):
    response = client.get("/api/cases", HTTP_AUTHORIZATION="Bearer nope")
    assert response["Content-Type"].startswith("application/json")
