"""Fixtures for organisations and roles (a pytest plugin, registered in conftest.py).

Two forces and a charity:
- ``force`` ("North Police") with ``unit`` (its stalking unit) and ``other_unit`` (its CID);
- ``other_force`` ("South Police") with ``foreign_unit``;
- ``charity`` with ``advocacy`` (its advocacy team).

People, each with one current role: ``investigator``, ``supervisor``, ``analyst`` and
``administrator`` in ``unit``; ``unit_peer`` (an investigator of ``other_unit``);
``foreign_investigator`` (of ``foreign_unit``); ``advocate`` (of ``advocacy``). The victim
is conftest's ``owner`` with ``vault``.

``case`` is a case of ``unit``; ``incidents`` four incidents in ``vault``; ``shared_case``
the case with ``vault`` shared in full; ``partly_shared_case`` shared with incidents 1 and 2.
"""

from __future__ import annotations

import pytest

from cairn.accounts import services as accounts
from cairn.accounts.models import OrganisationKind, Role
from cairn.cases import services as cases
from cairn.vault import services as vault_services
from tests.factories import UserFactory, make_incident


@pytest.fixture
def operator(db):
    return UserFactory(
        username="operator", display_name="Operator", is_superuser=True, is_staff=True
    )


@pytest.fixture
def force(operator):
    return accounts.create_organisation(
        actor=operator, name="North Police", kind=OrganisationKind.POLICE
    )


@pytest.fixture
def other_force(operator):
    return accounts.create_organisation(
        actor=operator, name="South Police", kind=OrganisationKind.POLICE
    )


@pytest.fixture
def charity(operator):
    return accounts.create_organisation(
        actor=operator, name="Safe Steps", kind=OrganisationKind.CHARITY
    )


@pytest.fixture
def unit(operator, force):
    return accounts.create_unit(actor=operator, organisation=force, name="Stalking Unit")


@pytest.fixture
def other_unit(operator, force):
    return accounts.create_unit(actor=operator, organisation=force, name="CID")


@pytest.fixture
def foreign_unit(operator, other_force):
    return accounts.create_unit(actor=operator, organisation=other_force, name="Stalking Unit")


@pytest.fixture
def advocacy(operator, charity):
    return accounts.create_unit(actor=operator, organisation=charity, name="Advocacy")


def _member(operator, username: str, name: str, unit, role: str):  # type: ignore[no-untyped-def]
    user = UserFactory(username=username, display_name=name)
    accounts.grant_role(actor=operator, user=user, unit=unit, role=role)
    return user


@pytest.fixture
def investigator(operator, unit):
    return _member(operator, "di.reed", "DC Reed", unit, Role.INVESTIGATOR)


@pytest.fixture
def supervisor(operator, unit):
    return _member(operator, "ds.khan", "DS Khan", unit, Role.SUPERVISOR)


@pytest.fixture
def analyst(operator, unit):
    return _member(operator, "an.lee", "Analyst Lee", unit, Role.ANALYST)


@pytest.fixture
def administrator(operator, unit):
    return _member(operator, "ad.okoro", "Admin Okoro", unit, Role.ADMINISTRATOR)


@pytest.fixture
def unit_peer(operator, other_unit):
    return _member(operator, "dc.hale", "DC Hale", other_unit, Role.INVESTIGATOR)


@pytest.fixture
def foreign_investigator(operator, foreign_unit):
    return _member(operator, "dc.south", "DC South", foreign_unit, Role.INVESTIGATOR)


@pytest.fixture
def advocate(operator, advocacy):
    return _member(operator, "isva.rose", "Rose (ISVA)", advocacy, Role.ADVOCATE)


@pytest.fixture
def case(investigator):
    return cases.open_case(actor=investigator, reference="NP/2026/0042")


@pytest.fixture
def incidents(vault):
    # Linked to the one person the log names as doing this: the case's defendant.
    suspect = vault_services.create_person(actor=vault.owner, vault=vault, name="Mark")
    return [
        make_incident(
            vault,
            days_ago=40 - 10 * n,
            persons=[suspect],
            description=f"Incident {n + 1}: he was outside again.",
        )
        for n in range(4)
    ]


@pytest.fixture
def shared_case(case, investigator, owner, vault, incidents):
    code = cases.issue_share_code(actor=investigator, case=case)
    cases.link_by_code(actor=owner, vault=vault, code=code, scope="all")
    return case


@pytest.fixture
def partly_shared_case(case, investigator, owner, vault, incidents):
    code = cases.issue_share_code(actor=investigator, case=case)
    cases.link_by_code(
        actor=owner,
        vault=vault,
        code=code,
        scope="chosen",
        incident_ids=[incidents[0].pk, incidents[1].pk],
    )
    return case


def sign_in_verified(client, user):  # type: ignore[no-untyped-def]
    """Sign ``user`` in as after a two-factor check (django-otp's session marker), the way an
    officer's session is once they entered a code; returns the TOTP device."""
    from cairn.accounts.models import AuthenticatorApp

    device = AuthenticatorApp.objects.filter(
        user=user, confirmed=True
    ).first() or AuthenticatorApp.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return device
