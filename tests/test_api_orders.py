"""The orders API (issue 15, point 9) through HTTP, with the same access as the pages: the
whole interim path in one test (apply after submission, extend twice, the interim order's
lapse while the main application stays alive, the full order, a variation, a discharge with
consent); a court-made SPO on acquittal, a restraining order and bail conditions, each taking
a breach report from the victim and an outcome from an officer; notification, right to know
and referrals; and a property-based run of every orders operation against the live server."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from cairn.breaches.models import Breach
from cairn.cases.models import Share
from tests.factories import SPO_ANSWERS, make_incident
from tests.test_api import SCHEMATHESIS_CHECKS, Api, token_for

NOT_FOUND = {"detail": "Not found"}
GROUNDS = {key: {"text": f"Ground {key}."} for key in ("s1_1_a", "s1_1_b", "s1_1_c")}
NO_CONTACT = {"kind": "no_contact", "necessity": "He messages her daily."}


@pytest.fixture
def api(client):
    return Api(client)


def iso(day) -> str:  # type: ignore[no-untyped-def]
    return day.isoformat()


def test_the_whole_interim_path_through_the_api(api, investigator, case):
    officer = api.as_(investigator)
    today = timezone.localdate()
    base = f"/api/cases/{case.pk}"
    status, draft = officer.post(
        f"{base}/applications", {"terms": [NO_CONTACT], "duration_months": 24, "grounds": GROUNDS}
    )
    assert status == 201, draft
    app = f"{base}/applications/{draft['id']}"
    assert set(draft["submission_problems"]) == {"defendant_area", "conflicts_considered"}
    status, body = officer.post(f"{app}/status", {"status": "submitted"})
    assert status == 422 and "(s.1(3))" in body["errors"]["defendant_area"][0]
    status, draft = officer.put(
        app, {"terms": [NO_CONTACT], "duration_months": 24, "grounds": GROUNDS, **SPO_ANSWERS}
    )
    assert status == 200 and draft["submission_problems"] == {}
    assert (
        officer.post(
            f"{app}/status", {"status": "submitted", "hearing_on": iso(today - timedelta(days=58))}
        )[0]
        == 201
    )

    # s.5(2)(b): applied for after the main application was made; then made.
    status, step = officer.post(f"{app}/interim", {"reasoning": "He came to her door."})
    assert status == 201 and step["status"] == "interim_applied"
    status, interim = officer.post(
        f"{app}/orders",
        {
            "kind": "interim",
            "made_on": iso(today - timedelta(days=50)),
            "ends_on": iso(today - timedelta(days=40)),
        },
    )
    assert status == 201 and interim["kind"] == "interim"
    # Extended twice as the hearing is adjourned (s.5(7)).
    current = interim["id"]
    for renewed, last in ((41, 30), (31, 20)):
        status, renewal = officer.post(
            f"{base}/orders/{current}/renewals",
            {
                "renewed_on": iso(today - timedelta(days=renewed)),
                "ends_on": iso(today - timedelta(days=last)),
                "applicant": "chief_officer",
            },
        )
        assert status == 201, renewal
        assert renewal["replaces"] == current
        current = renewal["id"]
    # Its lapse on its last day: the main application lives on.
    status, detail = officer.get(app)
    assert (detail["status"], detail["interim_status"]) == ("submitted", "interim_lapsed")
    status, listed = officer.get(f"{base}/orders")
    assert [o["in_force"] for o in listed] == [False, False, False]
    assert listed[-1]["expires_on"] == iso(today - timedelta(days=20))

    # The full order, a variation on the defendant's application, a discharge with consent.
    status, full = officer.post(
        f"{app}/orders",
        {"kind": "full", "made_on": iso(today - timedelta(days=10)), "duration_months": 24},
    )
    assert status == 201 and full["in_force"]
    status, varied = officer.post(
        f"{base}/orders/{full['id']}/variations",
        {
            "varied_on": iso(today - timedelta(days=5)),
            "applicant": "defendant",
            "terms": [{**NO_CONTACT, "exception": "through solicitors"}],
        },
    )
    assert status == 201 and varied["replaces"] == full["id"]
    status, body = officer.post(
        f"{base}/orders/{varied['id']}/discharge",
        {"discharged_on": iso(today), "applicant": "defendant", "consent_defendant": True},
    )
    assert status == 422 and "(s.4)" in body["errors"]["consent"][0]
    status, step = officer.post(
        f"{base}/orders/{varied['id']}/discharge",
        {
            "discharged_on": iso(today),
            "applicant": "defendant",
            "consent_defendant": True,
            "consent_chief_officer": True,
            "victim_informed_on": iso(today),
        },
    )
    assert status == 201
    assert (
        step["status"],
        step["consent_defendant"],
        step["consent_chief_officer"],
        step["victim_informed_on"],
    ) == ("discharged", True, True, iso(today))
    status, detail = officer.get(app)
    assert [s["status"] for s in detail["history"]] == [
        "draft",
        "submitted",
        "interim_applied",
        "interim_granted",
        "interim_renewed",
        "interim_renewed",
        "granted",
        "varied",
        "discharged",
    ]
    assert detail["history"][1]["hearing_on"] == iso(today - timedelta(days=58))


@pytest.mark.parametrize(
    ("order_type", "basis", "title", "period"),
    [
        ("spo", "acquittal", "Stalking Protection Order", {"duration_months": 36}),
        ("restraining_order", "conviction", "Restraining order", {"until_further_order": True}),
        ("bail", "police_bail", "Bail conditions", {"ends_on": "2200-01-01"}),
    ],
)
def test_each_kind_takes_the_victims_report_and_the_officers_outcome_through_the_api(
    api, investigator, owner, vault, partly_shared_case, order_type, basis, title, period
):
    officer, victim = api.as_(investigator), api.as_(owner)
    today = timezone.localdate()
    if "ends_on" in period:
        period = {"ends_on": iso(today + timedelta(days=30))}
    status, order = officer.post(
        f"/api/cases/{partly_shared_case.pk}/court-orders",
        {
            "order_type": order_type,
            "basis": basis,
            "made_on": iso(today - timedelta(days=7)),
            "court": "Manchester Crown Court",
            **period,
            "terms": [{"kind": "no_entry_places", "place": "Hollins Road"}, {"kind": "no_contact"}],
        },
    )
    assert status == 201, order
    assert (order["title"], order["in_force"]) == (title, True)
    assert order["notification_required"] == (order_type == "spo")

    status, mine = victim.get(f"/api/vaults/{vault.pk}/orders")
    assert status == 200 and [o["title"] for o in mine] == [title]
    words = {t["words"]: t["id"] for t in mine[0]["terms"]}
    assert set(words) == {"Must not go to Hollins Road.", "Must not contact you in any way."}
    incident = make_incident(vault, days_ago=1, description="He walked down Hollins Road.")
    share = Share.objects.get(vault=vault, case=partly_shared_case)
    status, report = victim.post(
        f"/api/vaults/{vault.pk}/breaches",
        {
            "share_id": str(share.pk),
            "incident_id": str(incident.pk),
            "term_id": words["Must not go to Hollins Road."],
        },
    )
    assert status == 201, report
    assert report["term"] == "Must not go to Hollins Road." and report["what_happened"] == []

    status, listed = officer.get(f"/api/cases/{partly_shared_case.pk}/breaches")
    assert [(b["source"], b["order_id"]) for b in listed] == [("victim", order["id"])]
    status, breach = officer.post(
        f"/api/cases/{partly_shared_case.pk}/breaches/{report['id']}/outcomes",
        {"outcome": "arrested", "on": iso(today)},
    )
    assert status == 201 and breach["outcome"] == "arrested"
    status, reports = victim.get(f"/api/vaults/{vault.pk}/breaches")
    assert reports[0]["what_happened"] == [f"They were arrested ({today.day} {today:%B %Y})"]


def test_notification_right_to_know_and_referrals_through_the_api(api, investigator, case):
    officer = api.as_(investigator)
    today = timezone.localdate()
    base = f"/api/cases/{case.pk}"
    status, order = officer.post(
        f"{base}/court-orders",
        {
            "order_type": "spo",
            "basis": "conviction",
            "made_on": iso(today - timedelta(days=20)),
            "duration_months": 24,
            "terms": [{"kind": "no_contact"}],
        },
    )
    assert status == 201
    orders_url = f"{base}/orders/{order['id']}"
    assert (
        officer.post(f"{orders_url}/service", {"served_on": iso(today - timedelta(days=10))})[0]
        == 200
    )
    status, events = officer.get(f"{orders_url}/notifications")
    assert [(e["kind"], e["overdue"]) for e in events] == [("initial", True)]
    status, body = officer.post(
        f"{orders_url}/notifications/{events[0]['id']}/given",
        {"notified_on": iso(today - timedelta(days=9))},
    )
    assert status == 422 and "police station" in body["errors"]["station"][0]
    status, failure = officer.post(
        f"{orders_url}/notifications/{events[0]['id']}/failure", {"account": "He did not attend."}
    )
    assert status == 201 and failure["kind"] == "notification_failure"
    status, change = officer.post(
        f"{orders_url}/notifications",
        {
            "kind": "new_address",
            "started_on": iso(today - timedelta(days=1)),
            "notified_on": iso(today),
            "station": "Central",
            "acknowledged_in_writing": True,
        },
    )
    assert status == 201 and change["due_on"] == iso(today + timedelta(days=1))

    status, decision = officer.post(
        f"{base}/right-to-know",
        {
            "identified_on": iso(today),
            "how_identified": "Subscriber data",
            "decision": "tell",
            "reasons": "Safe to tell her.",
        },
    )
    assert status == 422  # telling her needs the day she was told
    status, decision = officer.post(
        f"{base}/right-to-know",
        {
            "identified_on": iso(today),
            "how_identified": "Subscriber data",
            "decision": "tell",
            "reasons": "Safe to tell her.",
            "told_on": iso(today),
        },
    )
    assert status == 201 and decision["told_on"] == iso(today)
    status, referral = officer.post(
        f"{base}/referrals",
        {"kind": "marac", "referred_on": iso(today), "meeting_on": iso(today + timedelta(days=7))},
    )
    assert status == 201
    status, referral = officer.post(
        f"{base}/referrals/{referral['id']}/outcome", {"outcome": "heard", "on": iso(today)}
    )
    assert status == 200 and referral["outcome"] == "heard"
    assert [r["kind"] for r in officer.get(f"{base}/referrals")[1]] == ["marac"]
    assert [d["decision"] for d in officer.get(f"{base}/right-to-know")[1]] == ["tell"]


def test_outside_the_unit_every_orders_endpoint_is_404(
    api, investigator, unit_peer, case, owner, vault
):
    officer = api.as_(investigator)
    status, order = officer.post(
        f"/api/cases/{case.pk}/court-orders",
        {
            "order_type": "bail",
            "basis": "court_bail",
            "made_on": "2026-01-05",
            "until_further_order": True,
            "terms": [{"kind": "no_contact"}],
        },
    )
    assert status == 201
    for user in (unit_peer, owner):
        caller = api.as_(user)
        for path in (
            f"/api/cases/{case.pk}/orders",
            f"/api/cases/{case.pk}/applications",
            f"/api/cases/{case.pk}/orders/{order['id']}",
            f"/api/cases/{case.pk}/breaches",
            f"/api/cases/{case.pk}/referrals",
        ):
            assert caller.get(path) == (404, NOT_FOUND), (user, path)
        assert caller.post(
            f"/api/cases/{case.pk}/orders/{order['id']}/discharge",
            {"discharged_on": "2026-01-06", "applicant": "defendant"},
        ) == (404, NOT_FOUND)
    # Another victim cannot report on her vault; an id that does not exist is 404 too.
    assert api.as_(unit_peer).get(f"/api/vaults/{vault.pk}/orders") == (404, NOT_FOUND)
    assert officer.get(f"/api/cases/{case.pk}/orders/{uuid.uuid4()}") == (404, NOT_FOUND)
    assert not Breach.objects.exists()


def test_the_document_describes_the_orders_operations(client):
    document = client.get("/api/openapi.json").json()
    operations = {
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    }
    assert {
        "POST /api/cases/{case_id}/applications",
        "POST /api/cases/{case_id}/applications/{application_id}/interim",
        "POST /api/cases/{case_id}/orders/{order_id}/renewals",
        "POST /api/cases/{case_id}/orders/{order_id}/discharge",
        "POST /api/cases/{case_id}/orders/{order_id}/notifications",
        "POST /api/cases/{case_id}/court-orders",
        "POST /api/cases/{case_id}/breaches/{breach_id}/outcomes",
        "POST /api/cases/{case_id}/right-to-know",
        "POST /api/cases/{case_id}/referrals",
        "GET /api/vaults/{vault_id}/orders",
        "POST /api/vaults/{vault_id}/breaches",
    } <= operations


# --- property-based: every orders operation against the live test server ---------------------


@pytest.fixture
def orders_schema(request, live_server, investigator, shared_case, vault, incidents):
    """The document as served, with the investigator's token and real ids in most paths
    (an application with an interim and a full order, a breach, a notification, a referral)
    so generated requests reach the services; the rest are random and must be refused."""
    from cairn.breaches import services as breaches
    from cairn.cases import multiagency
    from cairn.orders import services as orders
    from cairn.orders.rules import TermSpec

    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    today = timezone.localdate()
    application = orders.start_application(
        actor=investigator,
        case=shared_case,
        terms=[TermSpec("no_contact", necessity="x")],
        duration_months=24,
        grounds={k: {"text": "x", "evidence": []} for k in orders.LIMBS},
        interim_requested=True,
        interim_reasoning="Urgent.",
        **SPO_ANSWERS,
    )
    orders.change_status(actor=investigator, application=application, status="submitted")
    interim = orders.record_order(
        actor=investigator,
        application=application,
        kind="interim",
        made_on=today - timedelta(days=5),
        ends_on=today,
    )
    full = orders.record_order(
        actor=investigator,
        application=application,
        kind="full",
        made_on=today - timedelta(days=2),
        duration_months=24,
    )
    orders.record_service(actor=investigator, order=interim, served_on=today - timedelta(days=5))
    breach = breaches.record_breach(
        actor=investigator,
        case=shared_case,
        order=full,
        term=None,
        occurred_at=timezone.now() - timedelta(hours=2),
        account="x",
    )
    referral = multiagency.refer(
        actor=investigator, case=shared_case, kind="marac", referred_on=today
    )
    config = schemathesis.Config.from_dict(
        {
            "headers": {"Authorization": f"Bearer {token_for(investigator)}"},
            "dictionaries": {
                "cases": {"values": [str(shared_case.pk)]},
                "applications": {"values": [str(application.pk)]},
                "orders": {"values": [str(full.pk), str(interim.pk)]},
                "breaches": {"values": [str(breach.pk)]},
                "notifications": {"values": [str(e.pk) for e in application.notifications.all()]},
                "steps": {"values": [str(c.pk) for c in application.status_changes.all()]},
                "referrals": {"values": [str(referral.pk)]},
            },
            "parameters": {
                "path.case_id": {"dictionary": "cases", "probability": 0.9},
                "path.application_id": {"dictionary": "applications", "probability": 0.8},
                "path.order_id": {"dictionary": "orders", "probability": 0.8},
                "path.breach_id": {"dictionary": "breaches", "probability": 0.8},
                "path.notification_id": {"dictionary": "notifications", "probability": 0.8},
                "path.step_id": {"dictionary": "steps", "probability": 0.8},
                "path.referral_id": {"dictionary": "referrals", "probability": 0.8},
                "body.order_id": {"dictionary": "orders", "probability": 0.8},
            },
        }
    )
    return schemathesis.openapi.from_url(live_server.url + "/api/openapi.json", config=config)


orders_operations = schemathesis.pytest.from_fixture("orders_schema").include(tag="orders")


@pytest.mark.schemathesis
@pytest.mark.django_db(transaction=True)
@orders_operations.parametrize()
@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_orders_operations_answer_within_their_schema_and_never_with_a_server_error(case):
    case.call_and_validate(checks=SCHEMATHESIS_CHECKS)
