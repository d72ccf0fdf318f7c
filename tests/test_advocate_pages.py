"""The advocate's side of sharing: a code for the victim, the logs shared with them, exactly
the scope she chose, only after saying why, and every look in her access log."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cairn.audit.models import AuditRecord
from cairn.cases import access
from cairn.cases import services as cases
from cairn.cases.models import Share
from tests.orgs import sign_in_verified

pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")


@pytest.fixture
def advocate_client(client, advocate):
    sign_in_verified(client, advocate)
    return client


def test_the_advocate_gives_a_code_that_links_her_log(advocate_client, owner, vault, incidents):
    page = advocate_client.get(reverse("advocacy:logs"))
    assert page.status_code == 200
    assert "No one has shared their log with you yet" in page.content.decode()
    given = advocate_client.post(reverse("advocacy:code"))
    code = re.search(r'cairn-share-code">([A-Z0-9]{4}-[A-Z0-9]{4})<', given.content.decode())[1]
    share = cases.link_by_code(
        actor=owner,
        vault=vault,
        code=code,
        scope="chosen",
        incident_ids=[incidents[1].pk, incidents[2].pk],
    )
    listed = advocate_client.get(reverse("advocacy:logs")).content.decode()
    assert str(owner) in listed and reverse("advocacy:log", args=[vault.pk]) in listed
    assert share.advocate.username == "isva.rose"


def test_she_sees_exactly_the_scope_after_saying_why(
    advocate_client, advocate, owner, vault, incidents
):
    code = cases.issue_share_code(actor=advocate)
    cases.link_by_code(
        actor=owner, vault=vault, code=code, scope="chosen", incident_ids=[incidents[1].pk]
    )
    url = reverse("advocacy:log", args=[vault.pk])
    first = advocate_client.get(url).content.decode()
    assert "Incident 2: he was outside again." not in first
    assert not AuditRecord.objects.filter(action="vault.read").exists()
    assert advocate_client.post(url, {"purpose": "risk_assessment"}).status_code == 302
    shown = advocate_client.get(url).content.decode()
    assert "Incident 2: he was outside again." in shown
    for other in (0, 2, 3):
        assert f"Incident {other + 1}: he was outside again." not in shown
    log = list(access.access_log(owner, vault))
    assert {r.detail["purpose"] for r in log} == {"risk_assessment"}
    assert {r.actor for r in log} == {advocate}

    cases.withdraw_share(actor=owner, share=Share.objects.get(vault=vault))
    assert advocate_client.get(url).status_code == 404


def test_a_bad_purpose_is_refused(advocate_client, advocate, owner, vault, incidents):
    cases.link_by_code(
        actor=owner, vault=vault, code=cases.issue_share_code(actor=advocate), scope="all"
    )
    response = advocate_client.post(
        reverse("advocacy:log", args=[vault.pk]), {"purpose": "curiosity"}
    )
    assert response.status_code == 400
    assert "Choose why you are looking" in response.content.decode()


@pytest.mark.parametrize("role", ["investigator", "supervisor", "analyst", "administrator"])
def test_other_roles_do_not_reach_the_advocate_pages(
    client, request, role, advocate, owner, vault, incidents
):
    cases.link_by_code(
        actor=owner, vault=vault, code=cases.issue_share_code(actor=advocate), scope="all"
    )
    sign_in_verified(client, request.getfixturevalue(role))
    for url in (reverse("advocacy:logs"), reverse("advocacy:log", args=[vault.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("advocacy:code")).status_code == 404


def test_a_victim_does_not_reach_them(owner_client, vault):
    assert owner_client.get(reverse("advocacy:logs")).status_code == 404


def test_advocates_land_on_their_logs_after_two_factor(advocate):
    from cairn.accounts.two_factor import work_page_url

    assert work_page_url(advocate) == reverse("advocacy:logs")
