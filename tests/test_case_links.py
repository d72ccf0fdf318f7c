"""Cross-case links (issue 8, point 6): the same suspect identifier in two cases of one force
is a lead for each, compared as keyed hashes, never across forces."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404
from django.urls import reverse

from cairn.cases import links
from cairn.cases import services as cases
from cairn.cases.models import SuspectKey
from tests.orgs import sign_in_verified


@pytest.fixture
def second_case(investigator):
    return cases.open_case(actor=investigator, reference="NP/2026/0043")


@pytest.fixture
def cid_case(unit_peer):
    return cases.open_case(actor=unit_peer, reference="NP/CID/0007")


def suspect(actor, case, *identifiers, name="Unknown", dob=None):  # type: ignore[no-untyped-def]
    return cases.add_suspect(
        actor=actor, case=case, name=name, date_of_birth=dob, identifiers=list(identifiers)
    )


def test_a_phone_number_written_two_ways_links_two_cases(case, second_case, investigator):
    suspect(investigator, case, ("phone", "07700 900123"))
    suspect(investigator, second_case, ("phone", "+44 7700 900123"))
    found = links.links_for(investigator, case)
    assert [(f.reference, f.kinds, f.same_unit) for f in found] == [
        ("NP/2026/0043", ["a phone number"], True)
    ]
    assert str(found[0]) == "Case NP/2026/0043 shares a phone number"
    assert [f.reference for f in links.links_for(investigator, second_case)] == ["NP/2026/0042"]


def test_different_numbers_do_not_link(case, second_case, investigator):
    suspect(investigator, case, ("phone", "07700 900123"))
    suspect(investigator, second_case, ("phone", "07700 900124"))
    assert links.links_for(investigator, case) == []


def test_only_hashes_are_stored(case, investigator):
    suspect(investigator, case, ("phone", "07700 900123"), ("email", "Him@Example.com"))
    stored = list(SuspectKey.objects.values_list("kind", "key_hash"))
    assert sorted(kind for kind, _ in stored) == ["email", "phone"]
    assert all(len(h) == 64 and "7700" not in h for _, h in stored)


def test_another_forces_case_never_links(case, investigator, foreign_investigator):
    foreign = cases.open_case(actor=foreign_investigator, reference="SP/2026/0001")
    suspect(investigator, case, ("phone", "07700 900123"))
    suspect(foreign_investigator, foreign, ("phone", "07700 900123"))
    assert links.links_for(investigator, case) == []
    assert links.links_for(foreign_investigator, foreign) == []
    keys = dict(SuspectKey.objects.values_list("case__reference", "key_hash"))
    assert keys["NP/2026/0042"] != keys["SP/2026/0001"]  # a key per organisation


def test_name_and_date_of_birth_match_across_case_and_spaces(case, second_case, investigator):
    suspect(investigator, case, name="John  SMITH", dob=date(1980, 5, 1))
    suspect(investigator, second_case, name=" john smith ", dob=date(1980, 5, 1))
    other = cases.open_case(actor=investigator, reference="NP/2026/0044")
    suspect(investigator, other, name="John Smith", dob=date(1981, 5, 1))
    unknown = cases.open_case(actor=investigator, reference="NP/2026/0045")
    suspect(investigator, unknown, name="John Smith")
    found = links.links_for(investigator, case)
    assert [(f.reference, f.kinds) for f in found] == [
        ("NP/2026/0043", ["a name and date of birth"])
    ]


def test_vehicle_registrations_link_whatever_the_spacing_and_case(case, second_case, investigator):
    suspect(investigator, case, ("vehicle", "AB12 CDE"))
    suspect(investigator, second_case, ("vehicle", "ab12cde"), ("handle", "@watcher"))
    assert [f.kinds for f in links.links_for(investigator, case)] == [["a vehicle registration"]]


def test_another_units_case_shows_only_its_reference_and_unit(
    case, cid_case, investigator, unit_peer
):
    suspect(investigator, case, ("email", "him@example.com"), ("handle", "@Watcher"))
    suspect(unit_peer, cid_case, ("email", "HIM@example.com"), ("handle", "watcher"))
    [found] = links.links_for(investigator, case)
    assert not found.same_unit and found.case_id is None
    assert str(found) == (
        "Another unit's case NP/CID/0007 (CID) shares an e-mail address and "
        "a social media handle; contact that unit"
    )
    with pytest.raises(Http404):
        links.links_for(unit_peer, case)


def test_the_case_page_shows_the_links(
    client, case, second_case, cid_case, investigator, unit_peer
):
    suspect(investigator, case, ("phone", "07700 900123"))
    suspect(investigator, second_case, ("phone", "+447700900123"))
    suspect(unit_peer, cid_case, ("phone", "07700900123"), name="Mark Hidden")
    sign_in_verified(client, investigator)
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Possible links to other cases" in page
    assert reverse("cases:case", args=[second_case.pk]) in page
    assert "Another unit's case NP/CID/0007 (CID) shares a phone number" in page
    assert reverse("cases:case", args=[cid_case.pk]) not in page
    assert "Mark Hidden" not in page


def test_rebuild_keys_recomputes_them(case, second_case, investigator, settings):
    suspect(investigator, case, ("phone", "07700 900123"))
    suspect(investigator, second_case, ("phone", "07700 900123"))
    before = set(SuspectKey.objects.values_list("key_hash", flat=True))
    settings.SECRET_KEY = "another-secret-key-for-the-test-of-rebuilding-keys"
    assert links.rebuild_keys() == 2
    after = set(SuspectKey.objects.values_list("key_hash", flat=True))
    assert before.isdisjoint(after) and len(links.links_for(investigator, case)) == 1


def test_the_migration_writes_keys_for_suspects_recorded_before(case, second_case, investigator):
    import importlib

    from django.apps import apps

    suspect(investigator, case, ("phone", "07700 900123"))
    suspect(
        investigator, second_case, ("phone", "07700 900123"), name="Al Dee", dob=date(1990, 1, 2)
    )
    SuspectKey.objects.all().delete()
    migration = importlib.import_module(
        "cairn.cases.migrations.0004_suspect_keys_for_existing_suspects"
    )
    migration.write_keys(apps, None)
    assert SuspectKey.objects.count() == 3
    assert [f.reference for f in links.links_for(investigator, case)] == ["NP/2026/0043"]
