"""The access-control matrix (issue 7): every page and every API operation, for every role,
against objects of the user's own unit, another unit and another organisation, and vaults
shared in full, in part, and withdrawn.

The pages are found by walking the URL configuration and the API operations by reading the
served OpenAPI document, so a new view or endpoint joins the matrix without anyone adding it
here; a route this test cannot fill in fails ``test_the_matrix_knows_every_route``.

For each (route, user, objects) the rule in ``allowed`` says whether the user may use it:
- allowed: the page answers (2xx or a redirect, never 404 or 5xx); a GET of vault content by
  someone other than the owner leaves a ``vault.read`` audit record;
- refused: 404 (signed out: the sign-in redirect, or 401 on the API), for GET and POST alike,
  and byte for byte the same answer as for an id that exists nowhere, so a refusal never
  tells whether the object exists.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cairn.api.tokens import create_token
from cairn.audit.models import AuditRecord
from cairn.cases import services as cases
from cairn.cases.models import Share
from cairn.importers import services as imports
from cairn.importers.models import CandidatePerson, ImportJob, ProposedIncident
from cairn.vault import services as vault_services
from tests.factories import SPO_ANSWERS, make_incident, make_vault
from tests.orgs import sign_in_verified

pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")

ROLES = (
    "anonymous",
    "owner",
    "colleague",
    "investigator",
    "supervisor",
    "unit_peer",
    "foreign_investigator",
    "analyst",
    "administrator",
    "advocate",
)
CASE_ROLES = {"investigator", "supervisor", "unit_peer", "foreign_investigator"}
# Whose unit each case belongs to: the case roles of that unit, and nobody else.
CASE_UNIT = {
    "part": {"investigator", "supervisor"},
    "full": {"investigator", "supervisor"},
    "withdrawn": {"investigator", "supervisor"},
    "other_unit": {"unit_peer"},
    "foreign": {"foreign_investigator"},
}
# Routes that are public or keyed by a secret rather than an object: not part of the matrix.
PUBLIC = {
    "vault:home",
    "web:healthz",
    "web:leave",
    "web:readyz",
    "accounts:sign-in",
    "accounts:sign-out",
    "accounts:two-factor-verify",
    "accounts:two-factor-set-up",
    "org:invitation",
    "org:invitation-create-account",
    "api:openapi-json",
    "api:api-root",
    # Her own account (issue 21): joining, getting back in (keyed by a one-time secret),
    # and the second step of signing in; tests/test_account_pages.py covers them.
    "accounts:sign-up",
    "accounts:recover",
    "accounts:recover-code",
    "accounts:recover-email",
    "accounts:recover-email-link",
    "accounts:reset-link",
    "accounts:email-confirm",
    "accounts:closed",
    "accounts:two-factor-passkey-options",
    "accounts:two-factor-passkey",
    "accounts:two-factor-recovery-code",
}
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
VICTIMS = frozenset({"owner", "colleague"})
# Her own account's pages: each person's own, so every signed-in role may use them; some are
# for victims only (another log, closing, turning an app off), some for those who help them.
ACCOUNT_PAGES = {
    "accounts:account": SIGNED_IN,
    "accounts:password": SIGNED_IN,
    "accounts:confirm-password": SIGNED_IN,
    "accounts:sessions": SIGNED_IN,
    "accounts:sessions-end-others": SIGNED_IN,
    "accounts:sign-in-notice": SIGNED_IN,
    "accounts:passkeys": SIGNED_IN,
    "accounts:passkey-options": SIGNED_IN,
    "accounts:passkey-add": SIGNED_IN,
    "accounts:recovery-codes": SIGNED_IN,
    "accounts:two-factor-remove": frozenset(),
    "accounts:new-log": VICTIMS,
    "accounts:close": VICTIMS,
    "accounts:close-check": VICTIMS,
    "accounts:help": frozenset(
        {"investigator", "supervisor", "unit_peer", "foreign_investigator", "advocate"}
    ),
    "accounts:help-invite": frozenset(
        {"investigator", "supervisor", "unit_peer", "foreign_investigator", "advocate"}
    ),
}
OWNER_NAMESPACES = {
    "vault",
    "integrity",
    "importers",
    "analysis",
    "packs",
    "sharing",
    "checks",
    "flags",
    "cameras",
}
CHAT = (
    "01/03/2025, 09:15 - Mark: Why are you ignoring me\n"
    "02/03/2025, 07:02 - +44 7700 900123: Who is this\n"
)
NOISE = re.compile(rb'(csrfmiddlewaretoken" value="|nonce="|csrftoken=)[^"; ]+')


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class World:
    users: dict[str, Any]
    ids: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def world(
    owner,
    colleague,
    outsider,
    vault,
    investigator,
    supervisor,
    unit_peer,
    foreign_investigator,
    analyst,
    administrator,
    advocate,
):
    users = {
        "owner": owner,
        "colleague": colleague,
        "investigator": investigator,
        "supervisor": supervisor,
        "unit_peer": unit_peer,
        "foreign_investigator": foreign_investigator,
        "analyst": analyst,
        "administrator": administrator,
        "advocate": advocate,
    }
    w = World(users)
    # The owner's vault: four incidents, an exhibit on the first and on the third, a person,
    # an import (batch, proposal, candidate) and a staged import job.
    incidents = [
        make_incident(vault, days_ago=30 - 7 * n, description=f"Owner incident {n}")
        for n in range(4)
    ]
    exhibits = [
        vault_services.add_exhibit(
            actor=owner,
            vault=vault,
            incident=incidents[n],
            stream=io.BytesIO(_png()),
            original_name=f"photo-{n}.png",
        )
        for n in (0, 2)
    ]
    person = vault_services.create_person(actor=owner, vault=vault, name="Mark")
    batch = imports.commit_import(
        actor=owner,
        vault=vault,
        source=CHAT.encode(),
        name="chat.txt",
        format="whatsapp",
        owner="Alex",
        date_order="day-first",
    ).batch
    job = imports.stage_import(
        actor=owner,
        vault=vault,
        stream=io.BytesIO(CHAT.encode()),
        name="again.txt",
        format="whatsapp",
    )
    # Cases: shared in part (the owner's incidents 0 and 1), in full (the colleague's vault),
    # withdrawn (the outsider's vault), and cases of another unit and another force.
    case_part = cases.open_case(actor=investigator, reference="N/1")
    cases.link_by_code(
        actor=owner,
        vault=vault,
        code=cases.issue_share_code(actor=investigator, case=case_part),
        scope="chosen",
        incident_ids=[incidents[0].pk, incidents[1].pk],
    )
    colleague_vault = make_vault(colleague, name="Sam's log", initials="SC")
    colleague_incident = make_incident(colleague_vault, description="Colleague incident")
    case_full = cases.open_case(actor=supervisor, reference="N/2")
    cases.link_by_code(
        actor=colleague,
        vault=colleague_vault,
        code=cases.issue_share_code(actor=supervisor, case=case_full),
        scope="all",
    )
    outsider_vault = make_vault(outsider, name="Jo's log", initials="JO")
    outsider_incident = make_incident(outsider_vault, description="Outsider incident")
    case_withdrawn = cases.open_case(actor=investigator, reference="N/3")
    share = cases.link_by_code(
        actor=outsider,
        vault=outsider_vault,
        code=cases.issue_share_code(actor=investigator, case=case_withdrawn),
        scope="all",
    )
    cases.withdraw_share(actor=outsider, share=share)
    case_other_unit = cases.open_case(actor=unit_peer, reference="N/4")
    case_foreign = cases.open_case(actor=foreign_investigator, reference="S/1")
    # The advocate sees the owner's incident 3 only.
    cases.link_by_code(
        actor=owner,
        vault=vault,
        code=cases.issue_share_code(actor=advocate),
        scope="chosen",
        incident_ids=[incidents[3].pk],
    )
    from cairn.analysis.reading import risk_form

    form = risk_form()
    question = form.questions[0]
    assessment = cases.record_risk_assessment(
        actor=investigator,
        case=case_part,
        form=form,
        answers={question.id: question.options[0].value},
    )
    # SPO paperwork on the part-shared case: an application, the full order made on it, and a
    # breach of its first term reported by the owner from her incident 0.
    from datetime import date

    from cairn.breaches.models import Breach, BreachSource
    from cairn.cases import multiagency
    from cairn.orders import services as orders
    from cairn.orders.rules import TermSpec

    application = orders.start_application(
        **SPO_ANSWERS,
        actor=investigator,
        case=case_part,
        duration_months=24,
        terms=[TermSpec("no_contact", necessity="He messages her daily.")],
        grounds={key: {"text": "Ground.", "evidence": []} for key in orders.LIMBS},
    )
    orders.change_status(actor=investigator, application=application, status="submitted")
    order = orders.record_order(
        actor=investigator,
        application=application,
        kind="full",
        made_on=date(2026, 1, 5),
        duration_months=24,
    )
    orders.record_service(actor=investigator, order=order, served_on=date(2026, 1, 6))
    breach = Breach.objects.create(
        case=case_part,
        order=order,
        term=order.terms.first(),
        source=BreachSource.VICTIM,
        vault=vault,
        incident=incidents[0],
        occurred_at=incidents[0].start,
        reported_by=owner,
    )
    # A camera on the owner's incident 0 (shared with the part-shared case).
    from cairn.cameras import services as cameras
    from cairn.packs import jobs as pack_jobs
    from cairn.packs.selection import Selection

    camera = cameras.add_camera(actor=owner, incident=incidents[0], kind="shop", owner="Spar")
    pack_job = pack_jobs.request_pack(actor=owner, vault=vault, selection=Selection())
    w.ids = {
        "camera": camera.pk,
        "pack_job": pack_job.pk,
        "application": application.pk,
        "order": order.pk,
        "breach": breach.pk,
        "change": application.status_changes.get(status="granted").pk,
        "event": order.notifications.get().pk,
        "referral": multiagency.refer(
            actor=investigator, case=case_part, kind="marac", referred_on=date(2026, 1, 6)
        ).pk,
        "vault": vault.pk,
        "incident": incidents[0].pk,
        "exhibit": exhibits[0].pk,
        "person": person.pk,
        "batch": batch.pk,
        "job": job.pk,
        "proposal": ProposedIncident.objects.filter(batch=batch).first().pk,
        "candidate": CandidatePerson.objects.filter(batch=batch).first().pk,
        "share": Share.objects.get(vault=vault, case=case_part).pk,
        "membership": investigator.memberships.get().pk,
        "assessment": assessment.pk,
        "cases": {
            "part": case_part.pk,
            "full": case_full.pk,
            "withdrawn": case_withdrawn.pk,
            "other_unit": case_other_unit.pk,
            "foreign": case_foreign.pk,
        },
        # (case, vault, exhibit, readable by the case's unit): the first is on incident 0, in
        # the part-shared scope; the second on incident 2, outside it.
        "shared_exhibits": [
            ("part", vault.pk, exhibits[0].pk, True),
            ("part", vault.pk, exhibits[1].pk, False),
            ("full", vault.pk, exhibits[0].pk, False),  # not shared with that case
        ],
        # (case, vault, incident, readable by the case's unit)
        "shared_incidents": [
            ("part", vault.pk, incidents[0].pk, True),
            ("part", vault.pk, incidents[2].pk, False),  # not in the chosen scope
            ("full", colleague_vault.pk, colleague_incident.pk, True),
            ("withdrawn", outsider_vault.pk, outsider_incident.pk, False),
            ("part", colleague_vault.pk, colleague_incident.pk, False),  # another case's vault
        ],
    }
    # Her account: a session of hers in another browser, and a passkey.
    from cairn.accounts.models import Passkey, SessionRecord

    elsewhere = Client()
    elsewhere.force_login(owner)
    w.ids["owner_session"] = SessionRecord.objects.filter(user=owner).latest("signed_in_at").pk
    w.ids["owner_passkey"] = Passkey.objects.create(
        user=owner, name="phone", credential_id="AAAA", public_key=b"key"
    ).pk
    assert ImportJob.objects.filter(pk=job.pk).exists()
    for role in ROLES:
        client = Client()
        user = users.get(role)
        if role in ("owner", "colleague"):
            client.force_login(user)
            if role == "owner":  # she has a passkey, and this session has shown it
                session = client.session
                session["otp_device_id"] = f"accounts.passkey/{w.ids['owner_passkey']}"
                session.save()
        elif user is not None:
            sign_in_verified(client, user)
        w.clients[role] = client
        if user is not None:
            w.tokens[role] = create_token(actor=user, user=user, name="matrix")[1]
    return w


# --- the routes -------------------------------------------------------------------------------


def page_routes() -> list[tuple[str, list[str]]]:
    """(namespaced name, its URL parameters) for every named page."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace,
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.append((f"{namespace}{pattern.name}", list(pattern.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, "")
    return [
        (name, params)
        for name, params in found
        if name not in PUBLIC and not name.startswith("api:")
    ]


@dataclass(frozen=True)
class Target:
    label: str
    kwargs: dict[str, Any]
    allowed: frozenset[str]
    content: bool = False  # a GET reads vault content (audited for everyone but the owner)


def targets(name: str, params: list[str], w: World) -> list[Target]:  # noqa: C901, PLR0911, PLR0912 (one branch per URL parameter kind)
    namespace = name.split(":")[0]
    ids = w.ids
    simple = {
        "vault_id": ids["vault"],
        "incident_id": ids["incident"],
        "exhibit_id": ids["exhibit"],
        "person_id": ids["person"],
        "number": 1,
        "batch_id": ids["batch"],
        "proposal_id": ids["proposal"],
        "job_id": ids["pack_job"] if namespace == "packs" else ids["job"],
        "candidate_id": ids["candidate"],
        "share_id": ids["share"],
        "membership_id": ids["membership"],
        "breach_id": ids["breach"],
        "camera_id": ids["camera"],
        "slug": "test",
    }  # a topic of the pattern (issue 16)
    if name in ACCOUNT_PAGES:
        return [Target(name, {}, ACCOUNT_PAGES[name])]
    if name == "accounts:email":  # only where the instance has mail
        from django.conf import settings

        return [Target(name, {}, SIGNED_IN if settings.CAIRN_MAIL_CONFIGURED else frozenset())]
    if name == "accounts:session-end":  # one of the owner's other sessions
        return [Target(name, {"session_id": ids["owner_session"]}, frozenset({"owner"}))]
    if name == "accounts:passkey-remove":  # the owner's passkey
        return [Target(name, {"passkey_id": ids["owner_passkey"]}, frozenset({"owner"}))]
    if name == "accounts:help-reset":  # the owner's log, shared with the advocate and the
        # part-shared case's unit
        return [
            Target(
                name,
                {"vault_id": ids["vault"]},
                frozenset({"advocate", "investigator", "supervisor"}),
            )
        ]
    if namespace in OWNER_NAMESPACES:
        return [Target(name, {p: simple[p] for p in params}, frozenset({"owner"}))]
    if namespace == "org":
        return [Target(name, {p: simple[p] for p in params}, frozenset({"administrator"}))]
    if namespace == "advocacy":  # the owner's vault is shared with the advocate (incident 3)
        return [
            Target(
                name, {p: simple[p] for p in params}, frozenset({"advocate"}), content=bool(params)
            )
        ]
    if namespace == "orders" and not params:  # the unit's own deadlines (calendar feed)
        return [Target(name, {}, frozenset(CASE_ROLES))]
    if namespace == "dashboard":  # aggregates of the analyst's own organisation
        return [Target(name, {}, frozenset({"analyst"}))]
    if namespace == "case-cameras":  # the camera is on an incident the part-shared case reads
        return [
            Target(
                f"{name} [{case}]",
                {"case_id": pk, "camera_id": ids["camera"]},
                frozenset(CASE_UNIT["part"] if case == "part" else ()),
                content=name == "case-cameras:camera",
            )
            for case, pk in ids["cases"].items()
        ]
    spo = {
        "application_id": ids["application"],
        "order_id": ids["order"],
        "breach_id": ids["breach"],
        "change_id": ids["change"],
        "event_id": ids["event"],
        "referral_id": ids["referral"],
    }
    if namespace == "breaches" and "vault_id" in params:  # her reports, from her own log
        return [Target(name, {p: simple[p] for p in params}, frozenset({"owner"}))]
    # Orders and breaches have their own URLconfs (ADR 0055), under the case's address.
    case_namespaces = ("cases", "orders", "breaches")
    if namespace in case_namespaces and set(params) & set(spo):
        # The SPO paperwork belongs to the part-shared case: its unit's case roles reach it
        # there, and nobody reaches it through another case's address.
        kwargs = {p: spo[p] for p in params if p in spo}
        return [
            Target(
                f"{name} [{case}]",
                {"case_id": ids["cases"][case], **kwargs},
                frozenset(CASE_UNIT["part"] if case == "part" else ()),
            )
            for case in ("part", "full")
        ]
    if namespace in case_namespaces:
        if name == "cases:exhibit":
            return [
                Target(
                    f"{name} [{case}, in scope={ok}]",
                    {"case_id": ids["cases"][case], "vault_id": vault_id, "exhibit_id": exhibit_id},
                    frozenset(CASE_UNIT[case] if ok else ()),
                    content=True,
                )
                for case, vault_id, exhibit_id, ok in ids["shared_exhibits"]
            ]
        if name == "cases:incident":
            return [
                Target(
                    f"{name} [{case}, in scope={ok}]",
                    {
                        "case_id": ids["cases"][case],
                        "vault_id": vault_id,
                        "incident_id": incident_id,
                    },
                    frozenset(CASE_UNIT[case] if ok else ()),
                    content=True,
                )
                for case, vault_id, incident_id, ok in ids["shared_incidents"]
            ]
        if name == "cases:defendant":  # the part-shared case's share, through it only
            return [
                Target(
                    f"{name} [{case}]",
                    {"case_id": ids["cases"][case], "share_id": ids["share"]},
                    frozenset(CASE_UNIT["part"] if case == "part" else ()),
                )
                for case in ("part", "full")
            ]
        if not params:
            return [Target(name, {}, frozenset(CASE_ROLES))]
        found = []
        for case, pk in ids["cases"].items():
            kwargs = {"case_id": pk}
            if "assessment_id" in params:
                if case != "part":
                    continue
                kwargs["assessment_id"] = ids["assessment"]
            allowed = CASE_UNIT[case]
            if name == "cases:closure-sign-off":  # a supervisor other than the officer in
                # charge (the supervisor is in charge of "full")
                allowed = allowed & ({"supervisor"} if case != "full" else set())
            found.append(
                Target(
                    f"{name} [{case}]",
                    kwargs,
                    frozenset(allowed),
                    content=name == "cases:case" and case in ("part", "full"),
                )
            )
        return found
    raise AssertionError(f"the matrix has no rule for {name}")


def normalised(body: bytes) -> bytes:
    return NOISE.sub(rb"\1", body)


def random_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: (uuid.uuid4() if isinstance(v, uuid.UUID) else 999) for k, v in kwargs.items()}


def choose_purpose(client: Client, key: str) -> None:
    session = client.session
    session[f"purpose:{key}"] = "investigation"
    session.save()


# --- the tests --------------------------------------------------------------------------------


def test_the_matrix_knows_every_route(world):
    for name, params in page_routes():
        assert targets(name, params, world), name


@pytest.mark.parametrize("role", ROLES)
def test_pages(world, role):
    client = world.clients[role]
    user = world.users.get(role)
    problems: list[str] = []
    for name, params in page_routes():
        for target in targets(name, params, world):
            url = reverse(name, kwargs=target.kwargs)
            if "case_id" in target.kwargs:
                choose_purpose(client, target.kwargs["case_id"])
            elif name.startswith("advocacy:") and "vault_id" in target.kwargs:
                choose_purpose(client, f"vault:{target.kwargs['vault_id']}")
            before = AuditRecord.objects.filter(action="vault.read").count()
            method = "get"
            got = client.get(url)
            if got.status_code == 405:  # a form's target: probe it as it is used
                method = "post"
                got = client.post(url, {})
            reads = AuditRecord.objects.filter(action="vault.read").count() - before
            if role in target.allowed:
                # 400: permitted, and the empty form was refused with its messages.
                ok = (200, 302) if method == "get" else (200, 302, 400)
                if got.status_code not in ok:
                    problems.append(
                        f"{target.label}: {role} {method.upper()} got "
                        f"{got.status_code}, expected one of {ok}"
                    )
                if target.content and role != "owner" and got.status_code == 200 and not reads:
                    problems.append(f"{target.label}: {role}'s read left no audit record")
                continue
            if reads:
                problems.append(f"{target.label}: {role} was refused but a read was recorded")
            expected = 302 if user is None else 404
            if got.status_code != expected:
                problems.append(
                    f"{target.label}: {role} {method.upper()} got "
                    f"{got.status_code}, expected {expected}"
                )
                continue
            if method == "get":
                posted = client.post(url, {})
                if posted.status_code not in (expected, 405):
                    problems.append(f"{target.label}: {role} POST got {posted.status_code}")
            if target.kwargs and user is not None:
                elsewhere = reverse(name, kwargs=random_kwargs(target.kwargs))
                nowhere = client.get(elsewhere) if method == "get" else client.post(elsewhere, {})
                if (nowhere.status_code, normalised(nowhere.content)) != (
                    got.status_code,
                    normalised(got.content),
                ):
                    problems.append(
                        f"{target.label}: {role}'s refusal differs from the answer "
                        "for an object that does not exist"
                    )
    assert not problems, "\n".join(problems)


# --- the API ----------------------------------------------------------------------------------

NIL = "00000000-0000-0000-0000-000000000000"
BODIES = {
    ("post", "/api/cases"): {"reference": "API/1"},
    ("post", "/api/cases/{case_id}/status"): {"status": "investigating"},
    ("post", "/api/cases/{case_id}/entries"): {"kind": "note", "text": "Called the victim."},
    ("post", "/api/cases/{case_id}/suspects"): {"name": "Unknown"},
    ("post", "/api/vaults/{vault_id}/shares"): {"code": "AAAA-AAAA", "scope": "all"},
    ("put", "/api/vaults/{vault_id}/shares/{share_id}"): {"scope": "all"},
    # Issue 15's orders: bodies the schema accepts, so a refusal is the access rule's.
    ("post", "/api/vaults/{vault_id}/breaches"): {"share_id": NIL, "incident_id": NIL},
    ("post", "/api/cases/{case_id}/applications/{application_id}/status"): {"status": "withdrawn"},
    ("post", "/api/cases/{case_id}/applications/{application_id}/interim"): {
        "reasoning": "Urgent."
    },
    ("post", "/api/cases/{case_id}/applications/{application_id}/interim/steps"): {
        "status": "interim_withdrawn"
    },
    (
        "post",
        "/api/cases/{case_id}/applications/{application_id}/steps/{step_id}/victim-informed",
    ): {"on": "2026-01-06"},
    ("post", "/api/cases/{case_id}/applications/{application_id}/orders"): {
        "kind": "full",
        "made_on": "2026-01-05",
    },
    ("post", "/api/cases/{case_id}/court-orders"): {
        "order_type": "bail",
        "basis": "court_bail",
        "made_on": "2026-01-05",
        "terms": [{"kind": "no_contact"}],
        "until_further_order": True,
    },
    ("post", "/api/cases/{case_id}/orders/{order_id}/service"): {"served_on": "2026-01-01"},
    ("post", "/api/cases/{case_id}/orders/{order_id}/variations"): {
        "varied_on": "2026-01-07",
        "terms": [{"kind": "no_contact", "necessity": "x"}],
    },
    ("post", "/api/cases/{case_id}/orders/{order_id}/renewals"): {
        "renewed_on": "2026-01-07",
        "duration_months": 24,
    },
    ("post", "/api/cases/{case_id}/orders/{order_id}/discharge"): {
        "discharged_on": "2026-01-07",
        "applicant": "defendant",
    },
    ("post", "/api/cases/{case_id}/orders/{order_id}/notifications"): {
        "kind": "new_address",
        "started_on": "2026-01-07",
    },
    ("post", "/api/cases/{case_id}/orders/{order_id}/notifications/{notification_id}/given"): {
        "notified_on": "2026-01-07",
        "station": "Central",
    },
    ("post", "/api/cases/{case_id}/orders/{order_id}/notifications/{notification_id}/failure"): {
        "account": "He did not attend."
    },
    ("post", "/api/cases/{case_id}/breaches"): {
        "order_id": NIL,
        "occurred_at": "2026-01-06T10:00:00Z",
        "account": "x",
    },
    ("post", "/api/cases/{case_id}/breaches/{breach_id}/outcomes"): {
        "outcome": "arrested",
        "on": "2026-01-06",
    },
    ("post", "/api/cases/{case_id}/right-to-know"): {
        "identified_on": "2026-01-01",
        "how_identified": "x",
        "decision": "not_yet",
        "reasons": "x",
    },
    ("post", "/api/cases/{case_id}/referrals"): {"kind": "masip", "referred_on": "2026-01-06"},
    ("post", "/api/cases/{case_id}/referrals/{referral_id}/outcome"): {
        "outcome": "accepted",
        "on": "2026-01-07",
    },
}


def api_operations(client: Client) -> list[tuple[str, str]]:
    document = json.loads(client.get("/api/openapi.json").content)
    return [
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def api_targets(method: str, path: str, w: World) -> list[Target]:
    ids = w.ids
    owner_vault = {"vault_id": ids["vault"], "share_id": ids["share"]}
    if path.startswith("/api/vaults"):
        params = re.findall(r"{(\w+)}", path)
        # Every signed-in user may list their own vaults (an empty list for officers).
        allowed = frozenset({"owner"}) if params else frozenset(ROLES) - {"anonymous"}
        return [Target(f"{method.upper()} {path}", {p: owner_vault[p] for p in params}, allowed)]
    if path == "/api/cases":
        return [Target(f"{method.upper()} {path}", {}, frozenset(CASE_ROLES))]
    params = re.findall(r"{(\w+)}", path)
    orders = {
        "application_id": ids["application"],
        "order_id": ids["order"],
        "breach_id": ids["breach"],
        "notification_id": ids["event"],
        "step_id": ids["change"],
        "referral_id": ids["referral"],
    }
    if set(params) & set(orders):
        # Issue 15's orders, on the part-shared case: its unit reaches them there, and
        # nobody through another case's address.
        return [
            Target(
                f"{method.upper()} {path} [{case}]",
                {"case_id": ids["cases"][case], **{p: orders[p] for p in params if p in orders}},
                frozenset(CASE_UNIT["part"] if case == "part" else ()),
            )
            for case in ("part", "full")
        ]
    found = []
    for case, pk in ids["cases"].items():
        kwargs: dict[str, Any] = {"case_id": pk}
        content = False
        if "{vault_id}" in path:
            shared = [s for s in ids["shared_incidents"] if s[0] == case and s[3]]
            if not shared:
                continue
            kwargs["vault_id"] = shared[0][1]
            content = True
        found.append(
            Target(
                f"{method.upper()} {path} [{case}]",
                kwargs,
                frozenset(CASE_UNIT[case]),
                content=content,
            )
        )
    return found


@pytest.mark.parametrize("role", ROLES)
def test_api(world, role):
    reader = Client()
    token = world.tokens.get(role)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    problems: list[str] = []
    for method, path in api_operations(reader):
        for target in api_targets(method, path, world):
            url = path.format(**{k: str(v) for k, v in target.kwargs.items()})
            query = {"purpose": "investigation"} if target.content else {}
            body = BODIES.get((method, path))

            def call(
                url: str = url, body: Any = body, query: dict = query, method: str = method
            ) -> Any:
                if method == "get":
                    return reader.get(url, query, **headers)
                return getattr(reader, method)(
                    url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""),
                    json.dumps(body or {}),
                    content_type="application/json",
                    **headers,
                )

            before = AuditRecord.objects.filter(action="vault.read").count()
            got = call()
            reads = AuditRecord.objects.filter(action="vault.read").count() - before
            if got.status_code >= 500:
                problems.append(f"{target.label}: {role} got {got.status_code}")
                continue
            if role == "anonymous":
                if got.status_code != 401:
                    problems.append(f"{target.label}: no token got {got.status_code}")
                continue
            if role in target.allowed:
                if got.status_code in (401, 403, 404):
                    problems.append(f"{target.label}: {role} was refused ({got.status_code})")
                if target.content and got.status_code == 200 and not reads:
                    problems.append(f"{target.label}: {role}'s read left no audit record")
                continue
            if reads:
                problems.append(f"{target.label}: {role} was refused but a read was recorded")
            if not target.kwargs:
                # A collection with no object in its path: refusing the role (403) or an empty
                # page of results says nothing about any object.
                empty = got.status_code == 200 and json.loads(got.content).get("items") == []
                if got.status_code not in (403, 404) and not empty:
                    problems.append(
                        f"{target.label}: {role} got {got.status_code} {got.content[:80]!r}"
                    )
                continue
            if got.status_code != 404:
                problems.append(f"{target.label}: {role} got {got.status_code}, expected 404")
                continue
            if target.kwargs:
                nowhere = call(
                    path.format(**{k: str(v) for k, v in random_kwargs(target.kwargs).items()})
                )
                if (nowhere.status_code, nowhere.content) != (got.status_code, got.content):
                    problems.append(
                        f"{target.label}: {role}'s refusal differs from the answer "
                        "for an object that does not exist"
                    )
    assert not problems, "\n".join(problems)
