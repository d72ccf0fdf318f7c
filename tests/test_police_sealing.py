"""The police side sealed at rest (issue 18, point 2; ADR 0044): suspects, timeline entries,
status notes, risk answers, SPO grounds, breach accounts and the rest are sealed under the
case's key; what quotes her log (prefilled grounds, risk answers from the evidence) under a
key of the case and of her vault, so shredding her vault takes it out of every case, in
backups too. Cross-case matching of suspects keeps working on the sealed values. Runs on
SQLite and PostgreSQL (the suite runs twice)."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from cairn.analysis.reading import risk_form
from cairn.breaches import services as breaches
from cairn.breaches.models import Breach
from cairn.cases import links
from cairn.cases import services as cases
from cairn.cases.models import CaseEntry, CaseSuspect, RiskAssessment
from cairn.orders import services as orders
from cairn.orders.models import Application
from cairn.orders.rules import TermSpec
from cairn.store import crypto, keys
from cairn.store.models import CaseKey
from cairn.store.sealed import row_context
from cairn.vault import services as vault_services
from tests.orgs import sign_in_verified
from tests.test_protection import database_copy, files_copy

pytestmark = pytest.mark.django_db(transaction=True)

NO_CONTACT = TermSpec("no_contact", necessity="He messaged her daily after she blocked him.")
INTERIM = "He said he would come back as soon as the police lost interest."


def copy_of(tmp_path: Path) -> bytes:
    folder = tmp_path / f"copy-{len(list(tmp_path.glob('copy-*')))}"
    folder.mkdir()
    return database_copy(folder) + files_copy(Path(django_settings.CAIRN_EVIDENCE_DIR))


def share_with(case, investigator, owner, vault):  # type: ignore[no-untyped-def]
    code = cases.issue_share_code(actor=investigator, case=case)
    cases.link_by_code(actor=owner, vault=vault, code=code, scope="all")


def test_police_rows_are_sealed_under_the_case_key(case, investigator, tmp_path):
    suspect = cases.add_suspect(
        actor=investigator,
        case=case,
        name="Norbert Quill",
        identifiers=[("phone", "07700 900461"), ("email", "n.quill@example.net")],
    )
    entry = cases.add_entry(
        actor=investigator, case=case, kind="note", text="Spoke to the neighbour at number 12."
    )
    row = CaseSuspect.objects.get(pk=suspect.pk)
    assert row.name == "Norbert Quill" and row.quoted_vaults == []
    assert {i["kind"] for i in row.identifiers} == {"phone", "email"}
    key = keys.case_key(case.pk)
    assert CaseKey.objects.filter(case=case).count() == 1
    opened = crypto.decrypt_field(key, bytes(row.sealed), context=row_context(CaseSuspect, row.pk))
    assert "Norbert Quill" in opened
    copy = copy_of(tmp_path)
    assert [
        s
        for s in ("Norbert Quill", "n.quill@example.net", "900461", "number 12")
        if s.encode() in copy
    ] == []
    # Bound to its row: a ciphertext moved to another row does not open.
    moved = CaseEntry.objects.get(pk=entry.pk)
    moved.sealed = bytes(row.sealed)
    moved.__dict__.pop("_sealed_cache", None)
    with pytest.raises(crypto.FieldDecryptionError):
        moved.text  # noqa: B018


def test_suspects_still_link_across_cases_when_sealed(case, investigator):
    other = cases.open_case(actor=investigator, reference="NP/2026/0077")
    cases.add_suspect(
        actor=investigator, case=case, name="Unknown", identifiers=[("vehicle", "AB12 CDE")]
    )
    cases.add_suspect(
        actor=investigator, case=other, name="Unknown", identifiers=[("vehicle", "ab12cde")]
    )
    found = links.links_for(investigator, case)
    assert [(link.reference, link.kinds) for link in found] == [
        ("NP/2026/0077", ["a vehicle registration"])
    ]
    assert links.rebuild_keys() == 2  # rebuilt from the sealed values


def test_shredding_her_vault_removes_what_quotes_it_from_every_case(
    shared_case, investigator, supervisor, owner, vault, incidents, tmp_path
):
    other = cases.open_case(actor=investigator, reference="NP/2026/0043")
    share_with(other, investigator, owner, vault)
    made = [
        orders.start_application(
            actor=investigator,
            case=c,
            terms=[NO_CONTACT],
            duration_months=24,
            interim_requested=True,
            interim_reasoning=INTERIM,
        )
        for c in (shared_case, other)
    ]
    quoted = made[0].grounds["s1_1_a"]["text"]
    assert quoted and made[0].grounds["s1_1_a"]["evidence"]
    # Every ground with words from her log names her log, incident numbers or not.
    assert {
        k: [e["vault"] for e in g["evidence"]] for k, g in made[0].grounds.items() if g["text"]
    } == {k: [str(vault.pk)] for k, g in made[0].grounds.items() if g["text"]}
    assert [a.quoted_vaults for a in made] == [[str(vault.pk)]] * 2
    form = risk_form()
    question = form.questions[0]
    answer = {question.id: question.options[0].value}
    risk = cases.record_risk_assessment(
        actor=investigator,
        case=shared_case,
        form=form,
        answers=answer,
        prefilled=list(answer),
        summary="High risk: he knows where she works.",
    )
    assert risk.quoted_vaults == [str(vault.pk)]
    cases.add_suspect(actor=investigator, case=shared_case, name="Mark Example")
    backup = {a.pk: bytes(Application.objects.get(pk=a.pk).sealed) for a in made}
    assert quoted.encode() not in copy_of(tmp_path)

    vault_services.destroy_vault(actor=owner, vault=vault)

    keys.forget_cached_keys()
    for application in made:
        row = Application.objects.get(pk=application.pk)
        assert row.quoted_vaults == []
        assert {k: (g["text"], g["evidence"]) for k, g in row.grounds.items()} == {
            k: ("", []) for k in orders.LIMBS
        }
        assert row.interim_reasoning == INTERIM  # the officer's own words stay
        # The copy taken before the shredding no longer opens: its key needed her vault's.
        with pytest.raises(crypto.FieldDecryptionError):
            crypto.decrypt_field(
                keys.case_key(row.case_id), backup[row.pk], context=row_context(Application, row.pk)
            )
    with pytest.raises(keys.KeyUnavailable):
        keys.quote_key(shared_case.pk, [vault.pk])
    risk = RiskAssessment.objects.get(pk=risk.pk)
    assert risk.answers == {} and risk.quoted_vaults == []
    assert risk.summary == "High risk: he knows where she works."
    assert CaseSuspect.objects.get(case=shared_case).name == "Mark Example"
    # The officer's pages still open.
    browser = Client()
    sign_in_verified(browser, investigator)
    for url in ("", f"spo/{made[0].pk}/", "risk/", f"risk/{risk.pk}/"):
        assert browser.get(f"/cases/{shared_case.pk}/{url}").status_code == 200, url


def test_breach_accounts_and_outcomes_are_sealed(partly_shared_case, investigator, tmp_path):
    case = partly_shared_case
    grounds = {key: {"text": "Ground.", "evidence": []} for key in orders.LIMBS}
    application = orders.start_application(
        actor=investigator,
        case=case,
        duration_months=24,
        terms=[NO_CONTACT],
        grounds=grounds,
        defendant_area="resides",
        defendant_area_reasons="On the electoral roll at Fennick Row.",
        conflicts_considered="No religious observance or work named.",
    )
    orders.change_status(
        actor=investigator,
        application=application,
        status="submitted",
        note="Sent to the magistrates by courier.",
    )
    assert Application.objects.get(pk=application.pk).defendant_area_reasons == (
        "On the electoral roll at Fennick Row."
    )
    order = orders.record_order(
        actor=investigator,
        application=application,
        kind="full",
        made_on=timezone.localdate() - timedelta(days=30),
        duration_months=24,
    )
    breach = breaches.record_breach(
        actor=investigator,
        case=case,
        order=order,
        term=None,
        occurred_at=timezone.now() - timedelta(days=1),
        account="Seen by PC Lark at the bus stop on Quarry Lane.",
        crime_reference="CR-5521",
    )
    breaches.record_outcome(
        actor=investigator,
        breach=breach,
        outcome="no_further_action",
        on=timezone.localdate(),
        reason="The witness moved to Orkney.",
    )
    breaches.set_crime_reference(actor=investigator, breach=breach, crime_reference="CR-5522")
    row = Breach.objects.get(pk=breach.pk)
    assert (row.account, row.crime_reference) == (
        "Seen by PC Lark at the bus stop on Quarry Lane.",
        "CR-5522",
    )
    copy = copy_of(tmp_path)
    assert [
        s
        for s in ("Quarry Lane", "CR-552", "Orkney", "by courier", "Fennick")
        if s.encode() in copy
    ] == []


def test_case_keys_are_rewrapped_when_the_kek_rotates(case, investigator, settings):
    suspect = cases.add_suspect(actor=investigator, case=case, name="Ola Winter")
    new = crypto.generate_data_key()
    keys.rotate(new)
    keys.forget_cached_keys()
    with pytest.raises(keys.KeyUnavailable):  # the old KEK no longer opens it
        keys.case_key(case.pk)
    settings.CAIRN_KEK = base64.b64encode(new).decode()
    keys.forget_cached_keys()
    assert CaseSuspect.objects.get(pk=suspect.pk).name == "Ola Winter"


def test_the_update_seals_what_an_instance_held_in_plain(
    shared_case, investigator, vault, tmp_path
):
    """Rows written before the police side was sealed are sealed by the migrations, readable
    through the models afterwards, and gone from a copy."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [
        ("cases", "0008_right_to_know_and_referrals"),
        ("orders", "0006_order_types_and_court_made_orders"),
        ("store", "0002_credential_key"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    keys.forget_cached_keys()  # the case keys went with their table
    others = [
        node
        for node in executor.loader.graph.leaf_nodes()
        if node[0] not in {"cases", "orders", "store", "breaches"}
    ]
    old = executor.loader.project_state(before + others).apps
    model = lambda app, name: old.get_model(app, name)  # noqa: E731
    suspect = model("cases", "CaseSuspect").objects.create(
        case_id=shared_case.pk,
        name="Percival Hume",
        date_of_birth="1979-02-03",
        identifiers=[{"kind": "phone", "value": "+447700900555"}],
    )
    entry = model("cases", "CaseEntry").objects.create(
        case_id=shared_case.pk,
        kind="note",
        happened_at=timezone.now(),
        text="Visited the allotment on Sorrel Way.",
        created_by_id=investigator.pk,
    )
    change = model("cases", "CaseStatusChange").objects.create(
        case_id=shared_case.pk,
        status="open",
        note="Passed from Brackley CID.",
        by_id=investigator.pk,
    )
    grounds = {
        "s1_1_a": {
            "title": "s.1(1)(a)",
            "text": "He followed her on 9 days.",
            "evidence": [{"vault": str(vault.pk), "incidents": [1, 2]}],
        }
    }
    application = model("orders", "Application").objects.create(
        case_id=shared_case.pk,
        duration_months=24,
        grounds=grounds,
        interim_requested=True,
        interim_reasoning="Threats after the Brackley hearing.",
        court="Brackley Magistrates",
        defendant_area="resides",
        defendant_area_reasons="Lodges above the Quenby bakery.",
        conflicts_considered="Attends the Ulverdale chapel.",
        created_by_id=investigator.pk,
    )
    order = model("orders", "Order").objects.create(
        application_id=application.pk,
        kind="full",
        made_on="2026-01-05",
        duration_months=24,
        created_by_id=investigator.pk,
    )
    event = model("orders", "NotificationEvent").objects.create(
        application_id=application.pk,
        order_id=order.pk,
        kind="initial",
        started_on="2026-01-06",
        due_on="2026-01-08",
        notified_on="2026-01-07",
        station="Yarnfield Police Station",
        created_by_id=investigator.pk,
    )
    known = model("cases", "RightToKnow").objects.create(
        case_id=shared_case.pk,
        identified_on="2026-01-02",
        decision="not_yet",
        how_identified="Number traced through Zennor Telecom.",
        reasons="Waiting for the Zennor production order.",
        decided_on="2026-01-03",
        by_id=investigator.pk,
    )
    referral = model("cases", "Referral").objects.create(
        case_id=shared_case.pk,
        kind="advocate",
        referred_on="2026-01-04",
        agency="Wickhollow Advocacy",
        note="Prefers a call after 6pm.",
        by_id=investigator.pk,
    )
    term = model("orders", "Term").objects.create(
        application_id=application.pk,
        kind="report_to_station",
        position=0,
        necessity="To keep track of him.",
        place="Brackley Police Station",
        place_lat=52.0321,
        place_lon=-1.1456,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    keys.forget_cached_keys()
    row = CaseSuspect.objects.get(pk=suspect.pk)
    assert (row.name, str(row.date_of_birth), row.identifiers) == (
        "Percival Hume",
        "1979-02-03",
        [{"kind": "phone", "value": "+447700900555"}],
    )
    assert CaseEntry.objects.get(pk=entry.pk).text == "Visited the allotment on Sorrel Way."
    from cairn.cases.models import CaseStatusChange
    from cairn.orders.models import Term

    assert CaseStatusChange.objects.get(pk=change.pk).note == "Passed from Brackley CID."
    sealed = Application.objects.get(pk=application.pk)
    assert sealed.grounds == grounds and sealed.quoted_vaults == [str(vault.pk)]
    assert (sealed.court, sealed.defendant_area_reasons, sealed.conflicts_considered) == (
        "Brackley Magistrates",
        "Lodges above the Quenby bakery.",
        "Attends the Ulverdale chapel.",
    )
    placed = Term.objects.get(pk=term.pk)
    assert (placed.place, placed.place_lat) == ("Brackley Police Station", 52.0321)
    from cairn.cases.models import Referral, RightToKnow
    from cairn.orders.models import NotificationEvent

    assert NotificationEvent.objects.get(pk=event.pk).station == "Yarnfield Police Station"
    decided = RightToKnow.objects.get(pk=known.pk)
    assert (decided.how_identified, decided.reasons) == (
        "Number traced through Zennor Telecom.",
        "Waiting for the Zennor production order.",
    )
    referred = Referral.objects.get(pk=referral.pk)
    assert (referred.agency, referred.note) == ("Wickhollow Advocacy", "Prefers a call after 6pm.")
    copy = copy_of(tmp_path)
    assert [
        s
        for s in (
            "Percival",
            "900555",
            "Sorrel Way",
            "Brackley",
            "9 days",
            "52.0321",
            "Quenby",
            "Ulverdale",
            "Yarnfield",
            "Zennor",
            "Wickhollow",
            "after 6pm",
        )
        if s.encode() in copy
    ] == []
