"""The victim's sharing pages over HTTP: "Share my log" (link by code after a page naming the
unit and force, both scopes, change and stop), and "Who has looked at my log". Bad input is
a field error that stores nothing; nobody but the owner reaches any of it; each change is an
entry in her vault's ledger, and the ledger still verifies."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.urls import reverse

from cairn.cases import access
from cairn.cases import services as cases
from cairn.cases.models import Share
from cairn.integrity.verify import verify_vault
from cairn.ledger.models import LedgerEntry
from cairn.vault import services as vault_services
from cairn.web import timeframe
from tests.orgs import sign_in_verified

PURPOSE = "investigation"


def share_url(vault) -> str:  # type: ignore[no-untyped-def]
    return reverse("sharing:share", args=[vault.pk])


def link_url(vault) -> str:  # type: ignore[no-untyped-def]
    return reverse("sharing:link", args=[vault.pk])


def ledger_kinds(vault) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        json.loads(bytes(entry))["kind"]
        for entry in LedgerEntry.objects.filter(vault=vault)
        .order_by("seq")
        .values_list("entry", flat=True)
    ]


def title(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def seen_by(user, vault) -> list[int]:  # type: ignore[no-untyped-def]
    return [i.number for i in access.shared_incidents(user, vault, purpose=PURPOSE)]


def link(client, vault, action: str, **data):  # type: ignore[no-untyped-def]
    return client.post(link_url(vault), {"action": action, **data})


@pytest.fixture
def exhibit(vault, incidents):
    return vault_services.add_exhibit(
        actor=vault.owner,
        vault=vault,
        stream=io.BytesIO(b"a note he left"),
        original_name="note.txt",
    )


# --- the page and its explanation -------------------------------------------------------------


def test_the_share_page_explains_sharing_before_the_form(owner_client, vault, incidents):
    response = owner_client.get(share_url(vault))
    assert response.status_code == 200
    assert title(response) == "Cairn"
    html = response.content.decode()
    for words in (
        "can be used as evidence",
        "show it to the defence",
        "share more, share less or stop sharing at any time",
        "they do not forget what they have already seen",
        "talk to an advocate first",
        "Nobody. Your log is private to you.",
    ):
        assert words in html
    assert html.index("Before you share") < html.index("Link to a case or an advocate")
    assert (
        'aria-current="page"><strong class="govuk-service-navigation__active-fallback">'
        "Sharing</strong>" in html
    )
    assert "Incident 1, " in html and "he was outside again" in html


def test_the_page_says_exactly_who_will_see_it_before_anything_is_shared(
    owner_client, vault, case, investigator, incidents
):
    code = cases.issue_share_code(actor=investigator, case=case)
    response = link(owner_client, vault, "check", code=code.lower().replace("-", " "), scope="all")
    assert response.status_code == 200
    assert title(response) == "Cairn"
    html = response.content.decode()
    assert "The Stalking Unit of North Police" in html
    assert "Everything in your log, including what you add later" in html
    # The unit and force, never the officer: not their name, username or case reference.
    for private in ("DC Reed", "di.reed", "NP/2026/0042"):
        assert private not in html
    assert not Share.objects.exists()
    assert "share.granted" not in ledger_kinds(vault)


# --- linking: both scopes ---------------------------------------------------------------------


def test_a_victim_links_everything_by_code(owner_client, vault, case, investigator, incidents):
    code = cases.issue_share_code(actor=investigator, case=case)
    response = link(owner_client, vault, "confirm", code=code.lower(), scope="all")
    assert response.status_code == 302 and response.url == share_url(vault)
    share = Share.objects.get(vault=vault)
    assert (share.case, share.scope) == (case, "all")
    assert seen_by(investigator, vault) == [1, 2, 3, 4]
    page = owner_client.get(share_url(vault)).content.decode()
    assert "Your log is shared with Stalking Unit, North Police." in page
    assert "Everything in your log, including what you add later" in page
    assert ledger_kinds(vault)[-1] == "share.granted"
    assert verify_vault(vault, record=False).ok


def test_a_victim_shares_only_the_incidents_and_exhibits_she_chooses(
    owner_client, vault, case, investigator, incidents, exhibit
):
    code = cases.issue_share_code(actor=investigator, case=case)
    chosen = {
        "code": code,
        "scope": "chosen",
        "incidents": [str(incidents[0].pk), str(incidents[1].pk)],
        "exhibits": [str(exhibit.pk)],
    }
    check = link(owner_client, vault, "check", **chosen).content.decode()
    assert "Incident 1, " in check and "Incident 2, " in check and "Incident 3, " not in check
    assert "AB/1, note.txt" in check
    assert check.count('type="hidden" name="incidents"') == 2
    response = link(owner_client, vault, "confirm", **chosen)
    assert response.status_code == 302
    share = Share.objects.get(vault=vault)
    assert share.scope == "chosen"
    assert seen_by(investigator, vault) == [1, 2]
    assert [e.pk for e in access.shared_exhibits(investigator, vault, purpose=PURPOSE)] == [
        exhibit.pk
    ]
    page = owner_client.get(share_url(vault)).content.decode()
    assert "2 incidents, 1 exhibit" in page and "Incidents 1 and 2. Exhibit AB/1." in page
    assert verify_vault(vault, record=False).ok


def test_the_check_page_counts_the_exhibits_that_go_with_chosen_incidents(
    owner_client, vault, case, investigator, incidents
):
    for name in ("photo-1.txt", "photo-2.txt"):
        vault_services.add_exhibit(
            actor=vault.owner,
            vault=vault,
            incident=incidents[0],
            stream=io.BytesIO(name.encode()),
            original_name=name,
        )
    code = cases.issue_share_code(actor=investigator, case=case)
    html = link(
        owner_client, vault, "check", code=code, scope="chosen", incidents=[str(incidents[0].pk)]
    ).content.decode()
    assert "And the 2 exhibits added to the incidents you chose." in html


def test_going_back_from_the_check_page_keeps_what_she_entered(
    owner_client, vault, case, investigator, incidents
):
    code = cases.issue_share_code(actor=investigator, case=case)
    response = link(
        owner_client, vault, "back", code=code, scope="chosen", incidents=[str(incidents[2].pk)]
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{code}"' in html
    assert re.search(rf'value="{incidents[2].pk}" checked', html)
    assert "There is a problem" not in html
    assert not Share.objects.exists()


def test_an_advocates_code_names_the_advocate_and_her_organisation(
    owner_client, vault, advocate, incidents
):
    code = cases.issue_share_code(actor=advocate)
    html = link(owner_client, vault, "check", code=code, scope="all").content.decode()
    assert "Rose (ISVA), an advocate at Safe Steps" in html


# --- bad input: a clear message on the field, nothing stored ----------------------------------


def _nothing_stored(vault, before: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert not Share.objects.exists()
    assert ledger_kinds(vault) == before


@pytest.mark.parametrize("action", ["check", "confirm"])
def test_a_wrong_code_is_an_error_on_the_code_and_nothing_is_stored(
    owner_client, vault, case, investigator, incidents, action
):
    cases.issue_share_code(actor=investigator, case=case)
    before = ledger_kinds(vault)
    response = link(owner_client, vault, action, code="ABCD-2345", scope="all")
    assert response.status_code == 400
    html = response.content.decode()
    assert title(response) == "Error: Cairn"
    assert 'href="#id_code">This code is not right' in html
    assert 'id="id_code-error"' in html
    _nothing_stored(vault, before)


def test_a_code_in_the_wrong_form_says_what_a_code_looks_like(owner_client, vault, incidents):
    response = link(owner_client, vault, "check", code="hello", scope="all")
    assert response.status_code == 400
    assert "8 letters and numbers, like ABCD-2345" in response.content.decode()
    _nothing_stored(vault, ledger_kinds(vault))


def test_a_used_code_does_not_work_again(owner_client, owner, vault, case, investigator, incidents):
    code = cases.issue_share_code(actor=investigator, case=case)
    cases.link_by_code(actor=owner, vault=vault, code=code, scope="all")
    share = Share.objects.get()
    cases.withdraw_share(actor=owner, share=share)
    before = ledger_kinds(vault)
    response = link(owner_client, vault, "confirm", code=code, scope="all")
    assert response.status_code == 400
    assert "This code is not right, or it has expired or been used" in response.content.decode()
    assert Share.objects.count() == 1 and ledger_kinds(vault) == before


def test_choosing_only_some_with_nothing_ticked_asks_for_a_choice(
    owner_client, vault, case, investigator, incidents
):
    code = cases.issue_share_code(actor=investigator, case=case)
    response = link(owner_client, vault, "confirm", code=code, scope="chosen")
    assert response.status_code == 400
    assert "Choose at least one incident or exhibit to share" in response.content.decode()
    assert not Share.objects.exists()


def test_someone_elses_incident_cannot_be_chosen(
    owner_client, vault, case, investigator, incidents, other_vault
):
    from tests.factories import make_incident

    theirs = make_incident(other_vault, description="Not hers.")
    code = cases.issue_share_code(actor=investigator, case=case)
    response = link(
        owner_client, vault, "confirm", code=code, scope="chosen", incidents=[str(theirs.pk)]
    )
    assert response.status_code == 400
    assert "Choose incidents from your log" in response.content.decode()
    assert not Share.objects.exists()


def test_a_second_code_for_a_case_already_shared_says_so(
    owner_client, vault, shared_case, investigator
):
    code = cases.issue_share_code(actor=investigator, case=shared_case)
    response = link(owner_client, vault, "check", code=code, scope="all")
    assert response.status_code == 400
    assert "already shared with this case" in response.content.decode()
    assert Share.objects.count() == 1


def test_the_code_lookup_reads_only_and_only_for_the_owner(
    vault, case, investigator, owner, colleague
):
    code = cases.issue_share_code(actor=investigator, case=case)
    found = access.recipient_of_code(owner, vault, code.lower())
    assert (found.kind, found.unit, found.organisation) == ("case", "Stalking Unit", "North Police")
    assert str(found) == "Stalking Unit, North Police"
    assert access.recipient_of_code(colleague, vault, code) is None
    assert access.recipient_of_code(owner, vault, "ABCD-2345") is None
    assert access.recipient_of_code(owner, vault, "") is None
    # Looking it up did not use it.
    cases.link_by_code(actor=owner, vault=vault, code=code, scope="all")
    assert access.recipient_of_code(owner, vault, code) is None


# --- change and stop --------------------------------------------------------------------------


def test_she_narrows_then_widens_what_is_shared(
    owner_client, vault, partly_shared_case, investigator, incidents
):
    share = Share.objects.get(vault=vault)
    url = reverse("sharing:change", args=[vault.pk, share.pk])
    page = owner_client.get(url)
    assert title(page) == "Cairn"
    html = page.content.decode()
    assert re.search(rf'value="{incidents[0].pk}" checked', html)
    assert re.search(rf'value="{incidents[1].pk}" checked', html)
    assert not re.search(rf'value="{incidents[2].pk}" checked', html)

    response = owner_client.post(url, {"scope": "chosen", "incidents": [str(incidents[0].pk)]})
    assert response.status_code == 302 and response.url == share_url(vault)
    assert seen_by(investigator, vault) == [1]
    response = owner_client.post(url, {"scope": "all"})
    assert response.status_code == 302
    assert seen_by(investigator, vault) == [1, 2, 3, 4]
    assert ledger_kinds(vault)[-3:] == ["share.granted", "share.changed", "share.changed"]
    assert verify_vault(vault, record=False).ok


def test_a_change_with_nothing_chosen_changes_nothing(
    owner_client, vault, partly_shared_case, investigator
):
    share = Share.objects.get(vault=vault)
    before = ledger_kinds(vault)
    response = owner_client.post(
        reverse("sharing:change", args=[vault.pk, share.pk]), {"scope": "chosen"}
    )
    assert response.status_code == 400
    assert "Choose at least one incident or exhibit to share" in response.content.decode()
    assert seen_by(investigator, vault) == [1, 2] and ledger_kinds(vault) == before


def test_she_stops_sharing_after_a_confirmation_page(
    owner_client, vault, partly_shared_case, investigator
):
    share = Share.objects.get(vault=vault)
    url = reverse("sharing:withdraw", args=[vault.pk, share.pk])
    page = owner_client.get(url)
    assert page.status_code == 200 and title(page) == "Cairn"
    assert "They do not forget what they have already seen" in page.content.decode()
    assert seen_by(investigator, vault) == [1, 2]  # the page alone changes nothing
    response = owner_client.post(url)
    assert response.status_code == 302
    assert seen_by(investigator, vault) == []
    html = owner_client.get(share_url(vault)).content.decode()
    assert "Shares you have stopped" in html and "Nobody. Your log is private to you." in html
    assert ledger_kinds(vault)[-1] == "share.withdrawn"
    assert verify_vault(vault, record=False).ok
    # A stopped share cannot be changed or stopped again.
    assert owner_client.get(url).status_code == 404
    assert owner_client.get(reverse("sharing:change", args=[vault.pk, share.pk])).status_code == 404


# --- who has looked -----------------------------------------------------------------------------


def test_the_access_log_lists_each_look_with_who_what_and_why(
    owner_client, owner, vault, shared_case, investigator, incidents, exhibit
):
    access.shared_incidents(investigator, vault, purpose="risk_assessment", case=shared_case)
    access.get_shared_incident(investigator, vault, incidents[2].pk, purpose="court")
    access.shared_exhibits(investigator, vault, purpose=PURPOSE)
    access.shared_snapshot(investigator, vault, purpose="spo_application")
    response = owner_client.get(reverse("sharing:access-log", args=[vault.pk]))
    assert response.status_code == 200
    assert title(response) == "Cairn"
    html = response.content.decode()
    assert "4 looks at your log" in html
    assert html.count("DC Reed") == 4
    assert "Investigator, Stalking Unit, North Police" in html
    assert "4 incidents (1, 2, 3 and 4)" in html
    assert "Incident 3" in html
    assert "1 exhibit (AB/1)" in html
    assert "The analysis of your pattern, from 4 incidents" in html
    for why in ("Risk assessment", "Court", "Investigation", "SPO application"):
        assert f"Reason given: {why}</span>" in html
    newest = access.access_log(owner, vault).first()
    assert timeframe.instant_words(newest.at, timeframe.zone(vault.time_zone)) in html
    # Newest first: the analysis, then the exhibits, then the incident, then the incidents.
    assert (
        html.index("The analysis")
        < html.index("1 exhibit")
        < html.index("Incident 3")
        < html.index("4 incidents (")
    )


def test_the_access_log_is_in_pages(owner_client, vault, shared_case, investigator, incidents):
    for _ in range(51):
        access.get_shared_incident(investigator, vault, incidents[0].pk, purpose=PURPOSE)
    url = reverse("sharing:access-log", args=[vault.pk])
    first = owner_client.get(url).content.decode()
    assert "51 looks at your log" in first and first.count("Incident 1<") == 50
    assert 'rel="next"' in first
    second = owner_client.get(url, {"page": 2}).content.decode()
    assert second.count("Incident 1<") == 1 and 'rel="prev"' in second


def test_the_access_log_says_plainly_when_nobody_has_looked(owner_client, vault):
    html = owner_client.get(reverse("sharing:access-log", args=[vault.pk])).content.decode()
    assert "Nobody else has looked at your log." in html
    assert "<table" not in html


# --- nobody else reaches these pages ------------------------------------------------------------


def _all_pages(vault, share) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [
        ("get", share_url(vault)),
        ("post", link_url(vault)),
        ("get", reverse("sharing:change", args=[vault.pk, share.pk])),
        ("post", reverse("sharing:change", args=[vault.pk, share.pk])),
        ("get", reverse("sharing:withdraw", args=[vault.pk, share.pk])),
        ("post", reverse("sharing:withdraw", args=[vault.pk, share.pk])),
        ("get", reverse("sharing:access-log", args=[vault.pk])),
    ]


def test_another_victim_gets_not_found_everywhere(
    client, colleague, vault, partly_shared_case, investigator
):
    share = Share.objects.get(vault=vault)
    client.force_login(colleague)
    for method, url in _all_pages(vault, share):
        response = getattr(client, method)(
            url, {"scope": "all", "action": "confirm"} if method == "post" else None
        )
        assert response.status_code == 404, (method, url)
    assert seen_by(investigator, vault) == [1, 2]


def test_an_officer_gets_not_found_everywhere(client, investigator, vault, partly_shared_case):
    share = Share.objects.get(vault=vault)
    sign_in_verified(client, investigator)
    for method, url in _all_pages(vault, share):
        response = getattr(client, method)(url, {"scope": "all"} if method == "post" else None)
        assert response.status_code == 404, (method, url)
    assert seen_by(investigator, vault) == [1, 2]


def test_her_share_is_not_found_under_another_vault(
    client, colleague, other_vault, vault, partly_shared_case
):
    share = Share.objects.get(vault=vault)
    client.force_login(colleague)
    url = reverse("sharing:change", args=[other_vault.pk, share.pk])
    assert client.get(url).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, vault):
    response = client.get(share_url(vault))
    assert response.status_code == 302 and "/account/sign-in/" in response.url


def test_forms_need_the_csrf_token(vault, case, investigator, owner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    code = cases.issue_share_code(actor=investigator, case=case)
    assert (
        strict.post(
            link_url(vault), {"action": "confirm", "code": code, "scope": "all"}
        ).status_code
        == 403
    )
    assert not Share.objects.exists()
