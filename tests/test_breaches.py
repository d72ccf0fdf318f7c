"""Breaches of Stalking Protection Orders (issue 8, point 4) at the service level: the victim
reports from her vault (a chosen-scope share widened by exactly that incident, as a ledger
entry), an officer records one, outcomes are appended and never changed, no further action
needs its reason, and the breach pack verifies with `cairn verify-pack` and states the term
and outcomes in its PDF."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from cairn.audit.models import AuditRecord
from cairn.breaches import services as breaches
from cairn.breaches.models import Breach, BreachOutcome, BreachSource
from cairn.breaches.pack import BreachPackError, build_breach_pack
from cairn.cases import services as cases
from cairn.cases.models import Share
from cairn.cli.main import cli
from cairn.ledger.models import LedgerEntry
from cairn.orders import services as orders
from cairn.orders.rules import TermSpec
from cairn.packs.verify import verify_pack
from cairn.vault import services as vault_services
from tests.factories import SPO_ANSWERS, make_incident

GROUNDS = {key: {"text": "Ground.", "evidence": []} for key in orders.LIMBS}
NO_CONTACT = TermSpec("no_contact", necessity="He messaged her daily after she blocked him.")
NOT_NEAR = TermSpec("not_within_distance", necessity="He waits outside her home.", radius_m=200)


def make_order(actor, case, made_on=None):  # type: ignore[no-untyped-def]
    application = orders.start_application(
        **SPO_ANSWERS,
        actor=actor,
        case=case,
        duration_months=24,
        terms=[NO_CONTACT, NOT_NEAR],
        grounds=GROUNDS,
    )
    orders.change_status(actor=actor, application=application, status="submitted")
    return orders.record_order(
        actor=actor,
        application=application,
        kind="full",
        made_on=made_on or timezone.localdate() - timedelta(days=60),
        duration_months=24,
    )


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def order(partly_shared_case, investigator):
    return make_order(investigator, partly_shared_case)


@pytest.fixture
def share(partly_shared_case, vault):
    return Share.objects.get(case=partly_shared_case, vault=vault)


@pytest.fixture
def breach_incident(vault, owner):
    incident = make_incident(vault, days_ago=2, description="He stood at the end of my street.")
    vault_services.add_exhibit(
        actor=owner,
        vault=vault,
        incident=incident,
        stream=io.BytesIO(png()),
        original_name="street-photo.png",
    )
    return incident


# --- the victim's report ----------------------------------------------------------------------


def test_the_victim_reports_an_incident_and_her_chosen_share_widens_in_her_ledger(
    owner, vault, share, order, breach_incident
):
    term = order.terms.get(kind="not_within_distance")
    entries = LedgerEntry.objects.filter(vault=vault).count()
    breach = breaches.report_breach(
        actor=owner, vault=vault, incident=breach_incident, share=share, term=term
    )
    assert breach.source == BreachSource.VICTIM
    assert (breach.order, breach.term, breach.incident) == (order, term, breach_incident)
    assert breach.occurred_at == breach_incident.start
    assert share.incidents.filter(pk=breach_incident.pk).exists()
    assert share.incidents.count() == 3  # the two she chose, and this one
    latest = LedgerEntry.objects.filter(vault=vault).order_by("-seq").first()
    assert LedgerEntry.objects.filter(vault=vault).count() == entries + 1
    assert json.loads(bytes(latest.entry))["kind"] == "share.changed"
    record = AuditRecord.objects.get(action="spo_breach.reported")
    assert record.detail["share_widened"] is True
    assert "street" not in json.dumps(record.detail)


def test_a_report_already_in_scope_leaves_the_share_alone(owner, vault, share, order, incidents):
    share_entries = LedgerEntry.objects.filter(vault=vault).count()
    breach = breaches.report_breach(actor=owner, vault=vault, incident=incidents[1], share=share)
    assert breach.term is None and breach.order == order  # the case's only order in force
    assert LedgerEntry.objects.filter(vault=vault).count() == share_entries


def test_the_victim_is_refused_what_does_not_fit(
    owner,
    colleague,
    vault,
    other_vault,
    share,
    order,
    breach_incident,
    incidents,
    partly_shared_case,
    investigator,
):
    def refused(field, **kwargs):  # type: ignore[no-untyped-def]
        options = {"actor": owner, "vault": vault, "incident": breach_incident, "share": share}
        options.update(kwargs)
        with pytest.raises(ValidationError) as caught:
            breaches.report_breach(**options)
        assert field in caught.value.message_dict, caught.value.message_dict

    stranger = make_incident(other_vault, description="Not hers")
    refused("incident", incident=stranger)
    other_order = make_order(investigator, cases.open_case(actor=investigator, reference="NP/2"))
    refused("term", term=other_order.terms.first())
    with pytest.raises(PermissionDenied):
        breaches.report_breach(actor=colleague, vault=vault, incident=breach_incident, share=share)
    cases.withdraw_share(actor=owner, share=share)
    refused("share")
    assert not Breach.objects.exists()


def test_no_order_in_force_means_nothing_to_breach(owner, vault, share, breach_incident):
    with pytest.raises(ValidationError) as caught:
        breaches.report_breach(actor=owner, vault=vault, incident=breach_incident, share=share)
    assert "no order in force" in caught.value.message_dict["order"][0]


def test_an_incident_before_the_order_was_made_is_refused(
    owner, vault, share, partly_shared_case, investigator
):
    make_order(investigator, partly_shared_case, made_on=timezone.localdate() - timedelta(2))
    early = make_incident(vault, days_ago=10)
    with pytest.raises(ValidationError) as caught:
        breaches.report_breach(actor=owner, vault=vault, incident=early, share=share)
    assert "before the order was made" in caught.value.message_dict["incident"][0]


# --- the officer's record and outcomes --------------------------------------------------------


def test_an_officer_of_the_unit_records_a_breach(
    investigator, unit_peer, order, partly_shared_case
):
    when = timezone.now() - timedelta(hours=3)
    breach = breaches.record_breach(
        actor=investigator,
        case=partly_shared_case,
        order=order,
        term=order.terms.first(),
        occurred_at=when,
        account="Seen by PC 123 outside her home.",
        crime_reference="CR/2026/77",
    )
    assert breach.source == BreachSource.OFFICER and breach.crime_reference == "CR/2026/77"
    with pytest.raises(PermissionDenied):
        breaches.record_breach(
            actor=unit_peer,
            case=partly_shared_case,
            order=order,
            term=None,
            occurred_at=when,
            account="x",
        )
    with pytest.raises(ValidationError) as caught:
        breaches.record_breach(
            actor=investigator,
            case=partly_shared_case,
            order=order,
            term=None,
            occurred_at=timezone.now() + timedelta(days=1),
            account="x",
        )
    assert "future" in caught.value.message_dict["occurred_at"][0]
    with pytest.raises(ValidationError) as caught:
        breaches.record_breach(
            actor=investigator,
            case=partly_shared_case,
            order=order,
            term=None,
            occurred_at=when,
            account="  ",
        )
    assert "account" in caught.value.message_dict


def test_outcomes_are_appended_and_the_latest_is_kept(
    investigator, supervisor, order, partly_shared_case
):
    breach = breaches.record_breach(
        actor=investigator,
        case=partly_shared_case,
        order=order,
        term=None,
        occurred_at=timezone.now() - timedelta(days=3),
        account="Called her 14 times.",
    )
    today = timezone.localdate()
    breaches.record_outcome(
        actor=investigator, breach=breach, outcome="arrested", on=today - timedelta(days=2)
    )
    breaches.record_outcome(actor=supervisor, breach=breach, outcome="charged", on=today)
    breach.refresh_from_db()
    assert breach.outcome == "charged"
    assert [o.outcome for o in breach.outcomes.all()] == ["arrested", "charged"]
    # An outcome dated earlier than the latest does not become the latest.
    breaches.record_outcome(
        actor=investigator,
        breach=breach,
        outcome="voluntary_interview",
        on=today - timedelta(days=1),
    )
    breach.refresh_from_db()
    assert breach.outcome == "charged" and breach.outcomes.count() == 3
    assert AuditRecord.objects.filter(action="spo_breach.outcome").count() == 3


def test_no_further_action_needs_a_reason_and_dates_are_checked(
    investigator, order, partly_shared_case
):
    breach = breaches.record_breach(
        actor=investigator,
        case=partly_shared_case,
        order=order,
        term=None,
        occurred_at=timezone.now() - timedelta(days=3),
        account="Called her.",
    )
    today = timezone.localdate()
    for kwargs, field, words in [
        ({"outcome": "no_further_action", "on": today, "reason": " "}, "reason", "reason"),
        ({"outcome": "arrested", "on": today + timedelta(days=1)}, "on", "future"),
        ({"outcome": "arrested", "on": today - timedelta(days=10)}, "on", "before"),
        ({"outcome": "knighted", "on": today}, "outcome", "Choose"),
    ]:
        with pytest.raises(ValidationError) as caught:
            breaches.record_outcome(actor=investigator, breach=breach, **kwargs)
        assert words in caught.value.message_dict[field][0]
    assert not BreachOutcome.objects.exists()
    breaches.record_outcome(
        actor=investigator,
        breach=breach,
        outcome="no_further_action",
        on=today,
        reason="The victim did not support a prosecution.",
    )
    breach.refresh_from_db()
    assert breach.outcome == "no_further_action"


def test_outcome_rows_are_not_changed_by_the_services(investigator, order, partly_shared_case):
    breach = breaches.record_breach(
        actor=investigator,
        case=partly_shared_case,
        order=order,
        term=None,
        occurred_at=timezone.now() - timedelta(days=1),
        account="x",
    )
    first = breaches.record_outcome(
        actor=investigator, breach=breach, outcome="arrested", on=timezone.localdate()
    )
    breaches.record_outcome(
        actor=investigator, breach=breach, outcome="cautioned", on=timezone.localdate()
    )
    first.refresh_from_db()
    assert first.outcome == "arrested"


# --- the pack ---------------------------------------------------------------------------------


def pdf_text(path) -> str:  # type: ignore[no-untyped-def]
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True
    ).stdout.decode()


def test_the_breach_pack_verifies_and_states_the_term_and_the_outcome(
    owner, investigator, vault, share, order, breach_incident, tmp_path
):
    term = order.terms.get(kind="not_within_distance")
    breach = breaches.report_breach(
        actor=owner, vault=vault, incident=breach_incident, share=share, term=term
    )
    breaches.record_outcome(
        actor=investigator, breach=breach, outcome="arrested", on=timezone.localdate()
    )
    reads = AuditRecord.objects.filter(action="vault.read").count()
    result = build_breach_pack(actor=investigator, breach=breach, out_dir=tmp_path / "out")
    assert result.zipped and result.incidents == 1 and result.exhibits == 1
    assert result.path.name == f"breach-pack-{str(breach.pk)[:8]}.zip"
    read = AuditRecord.objects.filter(action="vault.read").order_by("-id").first()
    assert AuditRecord.objects.filter(action="vault.read").count() == reads + 1
    assert read.detail["purpose"] == "court"

    checked = CliRunner().invoke(cli, ["verify-pack", str(result.path)])
    assert checked.exit_code == 0, checked.output
    assert verify_pack(result.path).exhibits == 1

    with zipfile.ZipFile(result.path) as bundle:
        names = bundle.namelist()
        assert not any("street" in name for name in names)  # her file name stays out
        unpacked = tmp_path / "unpacked"
        bundle.extractall(unpacked)
    index = json.loads(next(unpacked.rglob("pack.json")).read_bytes())
    assert {r["type"] for r in index["records"]} == {"vault", "incident", "exhibit"}
    text = pdf_text(next(unpacked.rglob("pack.pdf")))
    assert "Prohibition: not to come within a distance of the person" in text
    assert "Arrested" in text
    assert "He stood at the end of my street." in text
    assert "Stalking Protection Order" in text
    # Only the breach's incident: the others she shares are not in the pack.
    assert "Incident 1:" not in text and "Incident 2:" not in text
    assert AuditRecord.objects.filter(action="spo_breach.pack").count() == 1


def test_the_pack_holds_only_what_she_still_shares(
    owner, investigator, vault, share, order, breach_incident, tmp_path
):
    breach = breaches.report_breach(actor=owner, vault=vault, incident=breach_incident, share=share)
    cases.change_share(
        actor=owner,
        share=share,
        scope="chosen",
        incident_ids=[share.incidents.exclude(pk=breach_incident.pk).first().pk],
    )
    with pytest.raises(BreachPackError, match="no longer shares the incident"):
        build_breach_pack(actor=investigator, breach=breach, out_dir=tmp_path)
    cases.withdraw_share(actor=owner, share=share)
    with pytest.raises(BreachPackError, match="no longer shares her log"):
        build_breach_pack(actor=investigator, breach=breach, out_dir=tmp_path)


def test_an_officers_breach_without_evidence_is_a_pdf(
    investigator, unit_peer, order, partly_shared_case, tmp_path
):
    breach = breaches.record_breach(
        actor=investigator,
        case=partly_shared_case,
        order=order,
        term=order.terms.first(),
        occurred_at=timezone.now() - timedelta(days=1),
        account="Seen by PC 123 at her door.",
    )
    breaches.record_outcome(
        actor=investigator,
        breach=breach,
        outcome="no_further_action",
        on=timezone.localdate(),
        reason="Insufficient evidence of identity.",
    )
    with pytest.raises(PermissionDenied):
        build_breach_pack(actor=unit_peer, breach=breach, out_dir=tmp_path)
    result = build_breach_pack(actor=investigator, breach=breach, out_dir=tmp_path)
    assert not result.zipped and result.path.suffix == ".pdf"
    text = pdf_text(result.path)
    assert "Seen by PC 123 at her door." in text
    assert "Insufficient evidence of identity." in text
    assert "No further action" in text
    assert shutil.which("pdftotext")


def test_the_order_dates_are_stated(investigator, order, partly_shared_case, tmp_path):
    orders.record_service(
        actor=investigator, order=order, served_on=order.made_on + timedelta(days=1)
    )
    breach = breaches.record_breach(
        actor=investigator,
        case=partly_shared_case,
        order=order,
        term=None,
        occurred_at=timezone.now() - timedelta(days=1),
        account="x",
    )
    text = " ".join(
        pdf_text(
            build_breach_pack(actor=investigator, breach=breach, out_dir=tmp_path).path
        ).split()
    )
    made = order.made_on
    served = made + timedelta(days=1)
    assert f"{made.day} {made:%B %Y}" in text and f"{served.day} {served:%B %Y}" in text
    assert "the order as a whole" in text
    assert isinstance(made, date)
