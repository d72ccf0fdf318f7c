"""What a copy of the database, of the evidence folder, and of both with the keys reveals:
the claims of docs/security.md ("What a copy reveals, table by table"), each a test here or
named there (issue 18). Runs on SQLite and PostgreSQL (the suite runs twice).

T3 shows what is plain at rest (an honest list); T4 that the keys open everything sealed; T5
that sealed tables keep no other clear text column, the police side's included; T6 that
account secrets are kept as hashes; T7 that imported messages and queued imports are sealed;
T8 that the police side of the demo case, with an application, an order, a breach, a risk
assessment and their notes added, is sealed, and that a copy shows no demo text in any
table. Every table is listed in the document.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection, models
from django.test import Client

from cairn.store import crypto
from tests.test_protection import database_copy, files_copy

pytestmark = pytest.mark.django_db(transaction=True)

DOC = Path(__file__).resolve().parents[1] / "docs" / "security.md"
SECTION = "### What a copy reveals, table by table"


def documented_tables() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.find("\n## ", 1)] if "\n## " in section[1:] else section
    found: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            found.update(re.findall(r"`([a-z0-9_]+)`", line.split("|")[1]))
    return found


def test_every_table_is_listed():
    tables = set(connection.introspection.table_names())
    documented = documented_tables()
    assert sorted(tables - documented) == [], "add these tables to docs/security.md"
    assert sorted(documented - tables) == [], "these tables in docs/security.md do not exist"


def copy_of(tmp_path) -> bytes:
    folder = tmp_path / f"copy-{len(list(tmp_path.glob('copy-*')))}"
    folder.mkdir()
    return database_copy(folder) + files_copy(Path(django_settings.CAIRN_EVIDENCE_DIR))


@pytest.fixture
def demo(settings):
    from cairn.demo import load_demo, load_demo_case

    vault = load_demo()
    case = load_demo_case(vault)
    return vault, case


# --- T3: what is plain at rest ---------------------------------------------------------------


def test_what_a_copy_shows_in_the_clear(demo, tmp_path, settings, password):
    from cairn.accounts.models import RecoveryAddress
    from cairn.cases.models import CaseSuspect
    from cairn.vault import services

    vault, case = demo
    settings.AXES_ENABLED = True
    Client().post("/account/sign-in/", {"username": "demo", "password": "my-guess-4471"})
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.filter(username="demo").exists()
    RecoveryAddress.objects.create(user=vault.owner, address="alex.private@example.org")
    suspect = CaseSuspect.objects.get(case=case)
    copy = copy_of(tmp_path)
    shown = [
        vault.name,
        vault.initials,
        vault.owner.username,
        vault.owner.display_name,
        "alex.private@example.org",
        case.organisation.name,
        case.unit.name,
        case.reference,
    ]
    assert [text for text in shown if text.encode() not in copy] == []
    assert b"my-guess-4471" not in copy  # a refused password is masked in axes' table
    # The police side is sealed (T8): the suspect's name, the notes are not in the copy.
    sealed = [
        suspect.name,
        "Called the victim; she will share her log with the unit.",
        "Allocated to the stalking unit.",
    ]
    assert [text for text in sealed if text.encode() in copy] == []
    # The rows of the police side stay when her vault is shredded, still sealed.
    services.destroy_vault(actor=vault.owner, vault=vault)
    assert [text for text in sealed if text.encode() in copy_of(tmp_path)] == []
    assert CaseSuspect.objects.get(pk=suspect.pk).name == suspect.name


# --- T4: with the keys, everything sealed opens ----------------------------------------------


def test_with_the_keys_a_copy_opens(demo, settings):
    """A thief with the database, the evidence folder and the keys folder, and nothing of
    Cairn's but its published formats."""
    from cairn.demo.police import OFFICERS, totp_key
    from cairn.store.blobs import associated_data
    from cairn.store.models import CredentialKey, VaultKey
    from cairn.vault.models import Exhibit, Incident

    vault, _case = demo
    kek = base64.b64decode((Path(settings.CAIRN_KEYS_DIR) / "kek").read_text())
    wrapped = bytes(VaultKey.objects.get(vault=vault).wrapped)
    data_key = crypto.unwrap_key(kek, wrapped, context=f"cairn:vault-key:{vault.pk}".encode())
    incident = Incident.objects.filter(vault=vault).order_by("number").first()
    fields = json.loads(
        crypto.decrypt_field(
            data_key, bytes(incident.sealed), context=f"cairn:vault_incident:{incident.pk}".encode()
        )
    )
    assert fields["description"] == incident.description and len(fields["description"]) > 10
    exhibit = Exhibit.objects.filter(vault=vault).first()
    stored = Path(settings.CAIRN_EVIDENCE_DIR).rglob(exhibit.sha256 + "*")
    path = next(p for p in stored if p.is_file())
    plain = io.BytesIO()
    with path.open("rb") as source:
        crypto.decrypt_stream(data_key, source, plain, associated_data(str(vault.pk)))
    # The evidence folder names each file by the SHA-256 of its content.
    assert hashlib.sha256(plain.getvalue()).hexdigest() == exhibit.sha256
    credential = crypto.unwrap_key(
        kek, bytes(CredentialKey.objects.get().wrapped), context=b"cairn:credential-key"
    )
    subkey = crypto.derive_subkey(credential, "totp-secret")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for officer in OFFICERS:
        device = TOTPDevice.objects.get(user__username=officer.username)
        blob = device.key.removeprefix("sealed:")
        sealed = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        secret = crypto.decrypt_secret(
            subkey, sealed, context=f"cairn:totp-secret:{device.user_id}".encode()
        )
        assert secret == totp_key(officer.username)


# --- T5: sealed tables keep no other clear text ---------------------------------------------

CLEAR_TEXT_COLUMNS = {
    "vault_vault": {"name", "initials", "jurisdiction", "time_zone"},
    "vault_person": {"role", "relationship", "combined_as"},
    "vault_personidentifier": {"kind", "lookup"},
    "vault_incident_persons": set(),
    "vault_incident": {"precision", "channel", "acts"},
    "vault_incidentrevision": {"changed_fields"},
    "vault_exhibit": {"reference", "media_type", "sha256", "source"},
    "importers_importbatch": {"format", "assumed_time_zone", "date_order", "items_sha256"},
    "importers_candidateperson": {"key", "status"},
    "importers_importeditem_attachments": set(),
    "importers_importeditem": {"kind", "channel", "origin", "fingerprint"},
    "importers_proposedincident_items": set(),
    "importers_proposedincident": {"rule", "precision", "channel", "acts", "status"},
    "importers_importjob": {
        "status",
        "format",
        "time_zone",
        "date_order",
        "staged_sha256",
        "task_id",
    },
    "analysis_riskanswers": {"form_id"},
    "analysis_incidentfacts": {"version"},
    "analysis_keptanalysis": {"key", "version", "inputs"},
    "packs_statementdraft": set(),
    "packs_packjob": {"status", "phase", "error", "task_id", "result_sha256", "result_name"},
    "checks_indicatorset": {"source", "version", "sha256", "apps", "files"},
    "checks_ownmark": {"kind", "lookup"},
    "checks_pendingcheck": {"kind", "format", "staged_sha256"},
    "cameras_camera": {"kind", "appears", "status"},
    "cameras_camerastatuschange": {"status"},
    # The police side (ADR 0044): ``quoted_vaults`` names the logs a row quotes.
    "cases_case": {"reference", "status"},
    "cases_casestatuschange": {"status", "quoted_vaults"},
    "cases_casesuspect": {"quoted_vaults"},
    "cases_caseentry": {"kind", "quoted_vaults"},
    "cases_riskassessment": {"form_id", "prefilled", "level", "quoted_vaults"},
    "cases_riskreview": {"decision", "quoted_vaults"},
    "cases_closuresignoff": {"warning", "quoted_vaults"},
    "cases_reopenrequest": set(),
    "cases_suspectkey": {"kind", "key_hash"},
    "cases_sharecode": {"code_hash"},
    "cases_share": {"scope"},
    "cases_share_incidents": set(),
    "cases_share_exhibits": set(),
    "cases_righttoknow": {"decision", "quoted_vaults"},
    "cases_referral": {"kind", "outcome", "quoted_vaults"},
    "orders_application": {
        "order_type",
        "basis",
        "defendant_area",
        "status",
        "interim_status",
        "quoted_vaults",
    },
    "orders_applicationstatuschange": {"status", "applicant", "quoted_vaults"},
    "orders_victiminformed": set(),
    "orders_order": {"kind"},
    "orders_term": {"kind", "quoted_vaults"},
    "orders_notificationevent": {"kind", "quoted_vaults"},
    "orders_breach": {"kind", "source", "outcome", "quoted_vaults"},
    "orders_breachoutcome": {"outcome", "quoted_vaults"},
}
# Columns sealed like "sealed" (with the vault's key, bound to the row) under another name.
SEALED_BLOBS = {("analysis_keptanalysis", "result"), ("analysis_keptanalysis", "text")}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def test_only_the_listed_columns_of_sealed_tables_are_clear():
    found = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if model._meta.proxy or table.split("_")[0] not in {
            "vault",
            "importers",
            "analysis",
            "packs",
            "checks",
            "cameras",
            "cases",
            "orders",
        }:
            continue
        found[table] = {
            f.column
            for f in model._meta.concrete_fields
            if isinstance(f, TEXT_FIELDS)
            and f.column != "sealed"
            and (table, f.column) not in SEALED_BLOBS
        }
    assert found == CLEAR_TEXT_COLUMNS


# --- T6: the secrets of accounts are kept as hashes ------------------------------------------


def test_secrets_of_accounts_are_kept_as_hashes(demo, tmp_path, settings, password):
    from cairn.accounts import recovery, sign_up
    from cairn.accounts import services as accounts
    from cairn.accounts.models import Passkey, Role, User
    from cairn.cases import services as cases
    from cairn.demo import DEMO_PASSWORD
    from cairn.demo.police import DEMO_POLICE_PASSWORD
    from cairn.own import reset

    vault, case = demo
    settings.CAIRN_MAIL_CONFIGURED = True
    investigator = User.objects.get(username="demo.investigator")
    operator = User.objects.filter(is_superuser=True).first()
    admin = User.objects.create_user(username="demo.admin", password=DEMO_POLICE_PASSWORD)
    accounts.grant_role(actor=operator, user=admin, unit=case.unit, role=Role.ADMINISTRATOR)
    secrets = [
        *recovery.make_recovery_codes(actor=vault.owner),
        sign_up.issue_invitation(actor=investigator),
        reset.issue_reset_link(actor=investigator, vault=vault),
        cases.issue_share_code(actor=investigator, case=case),
        recovery.add_recovery_address(actor=vault.owner, address="alex@example.org"),
        accounts.invite(actor=admin, unit=case.unit, role=Role.INVESTIGATOR)[1],
    ]
    browser = Client()
    browser.post("/account/sign-in/", {"username": "demo", "password": DEMO_PASSWORD})
    device_cookie = browser.cookies["cairn_device"].value
    copy = copy_of(tmp_path)
    forms = {
        form
        for secret in [*secrets, device_cookie]
        for form in (secret, secret.replace("-", ""), secret.upper())
    }
    assert [form for form in forms if form.encode() in copy] == []
    # A passkey row holds public material only.
    assert {f.name for f in Passkey._meta.concrete_fields} - {
        "id",
        "user",
        "name",
        "confirmed",
        "persistent_id",
    } == {"credential_id", "public_key", "sign_count", "transports", "created_at", "last_used_at"}


# --- T7: imports are sealed, queued or done ----------------------------------------------------


def test_imported_messages_are_sealed_in_a_copy(vault, tmp_path, settings):
    from cairn.importers import services as imports
    from cairn.importers import tasks
    from tests.test_import_pipeline import CHAT, import_text

    import_text(vault, CHAT)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    queued = imports.stage_import(
        actor=vault.owner,
        vault=vault,
        stream=io.BytesIO(CHAT.replace("Mark", "Tom").encode()),
        name="WhatsApp Chat with Tom.txt",
        format="whatsapp",
        owner="Alex",
    )
    tasks.enqueue_import(queued)
    from django_tasks_db.models import DBTaskResult

    assert [str(queued.pk)] in [
        row["args"] for row in DBTaskResult.objects.values_list("args_kwargs", flat=True)
    ]
    copy = copy_of(tmp_path)
    secrets = [
        "Why are you ignoring me",
        "I know where you work",
        "+44 7700 900123",
        "WhatsApp Chat with Mark.txt",
        "WhatsApp Chat with Tom.txt",
        "Tom:",
    ]
    assert [s for s in secrets if s.encode() in copy] == []


# --- T8: the police side is sealed; no demo text in any table ---------------------------------


def test_the_police_side_is_sealed_in_a_copy(demo, tmp_path):
    """The demo case with every kind of police record added, each with words of its own, and
    the application's grounds prefilled from her log: a copy of the database and the
    evidence folder holds none of those words, nor any of the demo's own text."""
    from datetime import timedelta

    from django.utils import timezone

    from cairn.accounts.models import User
    from cairn.analysis.reading import risk_form
    from cairn.breaches import services as breaches
    from cairn.cases import multiagency
    from cairn.cases import services as cases
    from cairn.cases.models import CaseSuspect
    from cairn.demo import scenario
    from cairn.orders import court_orders, notification
    from cairn.orders import services as orders
    from cairn.orders.models import NotificationEvent
    from cairn.orders.rules import TermSpec
    from cairn.vault.models import Incident

    vault, case = demo
    investigator = User.objects.get(username="demo.investigator")
    supervisor = User.objects.get(username="demo.supervisor")
    zone = TermSpec(
        "exclusion_zone",
        necessity="He waits at the gate of Larkspur Mews.",
        centre_lat=51.123457,
        centre_lon=-1.987654,
        radius_m=300,
        place="Larkspur Mews",
    )
    application = orders.start_application(
        actor=investigator,
        case=case,
        terms=[zone],
        duration_months=24,
        interim_requested=True,
        interim_reasoning="Escalating since the hearing in Wexcombe.",
        defendant_area="resides",
        defendant_area_reasons="Rents a flat on Thistlecombe Lane.",
        conflicts_considered="Works nights at the Ravensholt depot.",
    )
    grounds = [g["text"] for g in application.grounds.values() if g["text"]]
    assert grounds  # prefilled from her log
    orders.change_status(
        actor=investigator,
        application=application,
        status="submitted",
        note="Filed at Wexcombe magistrates.",
    )
    order = orders.record_order(
        actor=investigator,
        application=application,
        kind="full",
        made_on=timezone.localdate() - timedelta(days=20),
        duration_months=24,
        terms=[zone],
    )
    orders.record_service(
        actor=investigator, order=order, served_on=timezone.localdate() - timedelta(days=19)
    )
    notification.record_given(
        actor=investigator,
        event=NotificationEvent.objects.get(order=order),
        notified_on=timezone.localdate() - timedelta(days=18),
        station="Quillfoot Police Station",
        acknowledged_in_writing=True,
    )
    court_orders.record_court_order(
        actor=investigator,
        case=case,
        order_type="bail",
        basis="court_bail",
        made_on=timezone.localdate() - timedelta(days=3),
        ends_on=timezone.localdate(),
        terms=[TermSpec("no_contact")],
        court="Marrowdene Crown Court",
        note="Bail set after the Marrowdene plea hearing.",
    )
    multiagency.decide_right_to_know(
        actor=investigator,
        case=case,
        identified_on=timezone.localdate() - timedelta(days=4),
        how_identified="Subscriber check on the Pellinore handset.",
        decision="not_yet",
        reasons="Awaiting the Pellinore search warrant.",
    )
    multiagency.refer(
        actor=investigator,
        case=case,
        kind="advocate",
        referred_on=timezone.localdate(),
        agency="Hollowmere Advocacy",
        note="Asked for a Tuesday call.",
    )
    breach = breaches.record_breach(
        actor=investigator,
        case=case,
        order=order,
        term=None,
        occurred_at=timezone.now() - timedelta(days=2),
        account="Seen by the Larkspur Mews caretaker.",
        crime_reference="CRX-90817",
    )
    breaches.record_outcome(
        actor=investigator,
        breach=breach,
        outcome="no_further_action",
        on=timezone.localdate(),
        reason="Caretaker declined a statement.",
    )
    form = risk_form()
    question = form.questions[0]
    assessment = cases.record_risk_assessment(
        actor=investigator,
        case=case,
        form=form,
        answers={question.id: question.options[0].value},
        summary="Risk rises around Wexcombe court dates.",
    )
    cases.review_risk_assessment(
        actor=supervisor,
        assessment=assessment,
        decision="changes",
        note="Add the Wexcombe incidents.",
    )
    suspect = CaseSuspect.objects.get(case=case)
    police = [
        "Larkspur Mews",
        "51.123457",
        "Wexcombe",
        "CRX-90817",
        "Caretaker declined",
        "Thistlecombe",
        "Ravensholt",
        "Quillfoot",
        "Marrowdene",
        "Pellinore",
        "Hollowmere",
        "Tuesday call",
        suspect.name,
        *[i["value"] for i in suspect.identifiers],
        *grounds,
        "Allocated to the stalking unit.",
        "Called the victim",
    ]
    demo_text = [
        scenario.SUSPECT_EMAIL,
        scenario.SUSPECT_HANDLE,
        scenario.SUSPECT_VEHICLE,
        *[p.name for p in scenario.PERSONS],
        *[
            i.description[:40]
            for i in Incident.objects.filter(vault=vault)
            if len(i.description) >= 20
        ],
    ]
    copy = copy_of(tmp_path)
    assert [text for text in police + demo_text if text.encode() in copy] == []
