"""Bad identifiers and malformed values in any URL or form give 404 or a form error, never a
server error (issue 18).

Every URL pattern in the resolver is requested, signed in as the victim and as each
organisation role (and signed out), with the objects each can reach in the path, and with
every query parameter and form field the code reads set to a malformed value: not an id, a
number too large for any column, a NUL character (PostgreSQL refuses it in text). Each
request runs in a savepoint rolled back afterwards, so one request cannot change what the
next one meets. The malformed value must not reach the logs either.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
import uuid
from pathlib import Path

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import cairn
from cairn.store import keys
from cairn.vault import services
from tests.orgs import sign_in_verified

pytestmark = pytest.mark.django_db

PACKAGE = Path(cairn.__file__).parent
MALFORMED = ("not-an-id\x00", "9" * 40, "-1")
READS = re.compile(r"request\.(?:GET|POST)(?:\.get|\.getlist)?[\(\[]\s*[\"']([\w-]+)[\"']")
SKIPPED_VIEWS = {"accounts:sign-out"}  # it would sign the visitor out for the rest of the walk


def url_patterns(resolver: URLResolver | None = None, prefix: str = ""):
    """(route, pattern) for every URL pattern, with its full route."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def names_read() -> set[str]:
    """Every query parameter and form field the code reads: ``request.GET/POST`` lookups in
    the source, and the fields of every form class in Cairn."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        found.update(READS.findall(path.read_text(encoding="utf-8")))
    for module in pkgutil.walk_packages([str(PACKAGE)], "cairn."):
        if "forms" not in module.name.rsplit(".", 1)[-1]:
            continue
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == loaded.__name__
            ):
                found.update(value.base_fields)
    return found


def test_the_walk_sees_the_known_cases():
    names = names_read()
    assert {"review", "mark", "page", "next", "description"} <= names
    routes = [route for route, _ in url_patterns()]
    assert len(routes) > 100
    assert "check/<uuid:vault_id>/accounts/review/" in routes


def path_for(route: str, ids: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if name in ids:
            return ids[name]
        return {"uuid": str(uuid.uuid4()), "int": "999999"}.get(converter, "abc")

    path = re.sub(r"<(?:(\w+):)?(\w+)>", value, route)
    return "/" + path.lstrip("^").rstrip("$")


@pytest.fixture
def world(
    owner, vault, incidents, shared_case, advocate, investigator, supervisor, analyst, administrator
):
    """The victim's log shared with the unit's case and with an advocate; an exhibit; the
    ids each path parameter takes."""
    import io

    from cairn.cases import services as cases
    from cairn.cases.models import Share

    cases.link_by_code(
        actor=owner, vault=vault, code=cases.issue_share_code(actor=advocate), scope="all"
    )
    exhibit = services.add_exhibit(
        actor=owner,
        vault=vault,
        stream=io.BytesIO(b"a note"),
        original_name="note.txt",
        incident=incidents[0],
    )
    person = incidents[0].persons.first()
    keys.credential_key()  # made once, before the savepoints
    share = Share.objects.filter(vault=vault, case=shared_case).first()
    return {
        "vault_id": str(vault.pk),
        "case_id": str(shared_case.pk),
        "incident_id": str(incidents[0].pk),
        "exhibit_id": str(exhibit.pk),
        "person_id": str(person.pk),
        "share_id": str(share.pk),
        "number": "1",
    }


ROLES = ("owner", "investigator", "supervisor", "analyst", "administrator", "advocate", None)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "signed-out")
def test_every_url_with_malformed_values_answers_without_a_server_error(
    role, request, world, caplog
):
    client = Client(raise_request_exception=False)
    if role == "owner":
        client.force_login(request.getfixturevalue("owner"))
    elif role is not None:
        sign_in_verified(client, request.getfixturevalue(role))
    names = sorted(names_read())
    failures = []
    caplog.set_level(logging.WARNING)
    for route, pattern in url_patterns():
        if pattern.name and any(view.endswith(f":{pattern.name}") for view in SKIPPED_VIEWS):
            continue
        path = path_for(route, world)
        for bad in MALFORMED:
            values = {name: bad for name in names}
            for method in ("get", "post"):
                savepoint = transaction.savepoint()
                try:
                    response = getattr(client, method)(path, values)
                finally:
                    transaction.savepoint_rollback(savepoint)
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {path} {bad[:12]!r}: {response.status_code}")
    assert failures == [], f"{len(failures)} server errors:\n" + "\n".join(failures[:40])
    logged = [
        r.getMessage()
        for r in caplog.records
        if any(bad in r.getMessage() for bad in MALFORMED[:2])
    ]
    assert logged == []
