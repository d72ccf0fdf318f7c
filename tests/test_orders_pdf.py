"""The SPO application's PDF and its download: the PDF (read back with pdftotext) carries the
case, the applicant, the respondent, the grounds with their evidence, the terms with their
necessity reasons, the duration and the interim reasoning; the zip holds it with an evidence
pack per shared log, built from what the victim shares with the case and nothing more, which
verifies on its own; the reads are audited with the purpose "SPO application"."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from cairn.audit.models import AuditRecord
from cairn.cases import services as cases
from cairn.orders import services as orders
from cairn.orders.bundle import build_bundle
from cairn.orders.rules import TermSpec
from cairn.packs.verify import verify_pack
from tests.orgs import sign_in_verified

TERMS = [
    TermSpec(
        "no_contact",
        necessity="He sent her 300 messages after she blocked him.",
        exception="through solicitors about the house sale",
    ),
    TermSpec(
        "exclusion_zone",
        necessity="He waits outside her home most mornings.",
        place="Her street",
        centre_lat=53.4808,
        centre_lon=-2.2426,
        radius_m=500,
    ),
]


@pytest.fixture
def application(partly_shared_case, investigator, vault):
    cases.add_suspect(actor=investigator, case=partly_shared_case, name="Mark Doe")
    grounds = {
        key: {
            "text": f"Ground {key}: he kept turning up.",
            "evidence": [{"vault": str(vault.pk), "incidents": [1, 2]}],
        }
        for key in orders.LIMBS
    }
    return orders.start_application(
        actor=investigator,
        case=partly_shared_case,
        terms=TERMS,
        duration_months=36,
        interim_requested=True,
        interim_reasoning="He came to her door twice this week.",
        grounds=grounds,
    )


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "application.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def test_the_bundle_holds_the_application_and_the_shared_evidence_only(
    application, investigator, tmp_path, incidents
):
    out = tmp_path / "bundle.zip"
    names = build_bundle(actor=investigator, application=application, out=out)
    assert names == ["application.pdf", "evidence-pack-1.zip"]
    with zipfile.ZipFile(out) as bundle:
        assert bundle.namelist() == names
        text = pdf_text(bundle.read("application.pdf"), tmp_path)
        (tmp_path / "pack.zip").write_bytes(bundle.read("evidence-pack-1.zip"))
    for expected in (
        "Application for a Stalking Protection Order",
        "NP/2026/0042",
        "The Chief Officer of Police",
        "Mark Doe",
        "Ground s1_1_a: he kept turning up.",
        "Evidence pack 1: incidents 1, 2",
        "He sent her 300 messages after she blocked him.",
        "through solicitors about the house sale",
        "He waits outside her home most mornings.",
        "Within 500 metres",
        "36 months",
        "He came to her door twice this week.",
        "The evidence pack accompanies this application",
    ):
        assert expected in text, expected
    report = verify_pack(tmp_path / "pack.zip")
    assert report.ok, report.problems
    with zipfile.ZipFile(tmp_path / "pack.zip") as pack:
        index = json.loads(
            next(pack.read(n) for n in pack.namelist() if n.endswith("data/pack.json"))
        )
        records = {r["id"] for r in index["records"] if r["type"] == "incident"}
    # Incidents 1 and 2 are shared with the case; 3 and 4 are not, and stay out.
    assert records == {str(incidents[0].pk), str(incidents[1].pk)}


def test_the_reads_are_audited_for_an_spo_application(application, investigator, tmp_path):
    before = AuditRecord.objects.filter(action="vault.read").count()
    build_bundle(actor=investigator, application=application, out=tmp_path / "b.zip")
    reads = AuditRecord.objects.filter(action="vault.read").order_by("id")[before:]
    assert reads and all(r.detail["purpose"] == "spo_application" for r in reads)
    built = AuditRecord.objects.filter(action="spo_application.downloaded").get()
    assert built.detail == {"case": str(application.case_id), "packs": 1}


def test_an_application_with_no_shared_log_still_prints(case, investigator, tmp_path):
    application = orders.start_application(
        actor=investigator,
        case=case,
        terms=TERMS[:1],
        until_further_order=True,
        grounds={key: {"text": "", "evidence": []} for key in orders.LIMBS},
    )
    out = tmp_path / "bundle.zip"
    assert build_bundle(actor=investigator, application=application, out=out) == ["application.pdf"]
    with zipfile.ZipFile(out) as bundle:
        text = pdf_text(bundle.read("application.pdf"), tmp_path)
    assert "Until further order." in text and "Not yet written." in text
    assert "No interim order is asked for." in text


def test_typst_markup_in_a_ground_prints_as_typed(case, investigator, tmp_path):
    application = orders.start_application(
        actor=investigator,
        case=case,
        terms=TERMS[:1],
        duration_months=24,
        grounds={key: {"text": '#panic("no") $x$ *bold*', "evidence": []} for key in orders.LIMBS},
    )
    out = tmp_path / "bundle.zip"
    build_bundle(actor=investigator, application=application, out=out)
    with zipfile.ZipFile(out) as bundle:
        assert '#panic("no") $x$ *bold*' in pdf_text(bundle.read("application.pdf"), tmp_path)


def test_the_download_page(client, investigator, unit_peer, application):
    target = reverse("orders:spo-download", args=[application.case_id, application.pk])
    sign_in_verified(client, investigator)
    got = client.post(target)
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    disposition = got["Content-Disposition"]
    assert disposition.startswith('attachment; filename="spo-application-')
    assert "NP" not in disposition
    with zipfile.ZipFile(io.BytesIO(b"".join(got.streaming_content))) as bundle:
        assert bundle.namelist() == ["application.pdf", "evidence-pack-1.zip"]
    assert client.get(target).status_code == 405
    sign_in_verified(client, unit_peer)
    assert client.post(target).status_code == 404


def test_an_officer_cannot_build_a_pack_beyond_the_share(
    partly_shared_case, investigator, unit_peer, vault, incidents, tmp_path
):
    from django.http import Http404

    from cairn.cases.access import scope_for
    from cairn.packs.selection import Selection
    from cairn.packs.services import build_pack

    def build(actor, selection, name):
        # As orders.bundle does: the officer's scope of the vault for the case, read above packs.
        build_pack(
            actor=actor,
            vault=vault,
            selection=selection,
            out=tmp_path / name,
            statement="none",
            case=partly_shared_case,
            scope=scope_for(actor, vault, partly_shared_case),
        )

    beyond = Selection.of([incidents[0].pk, incidents[2].pk], [])
    with pytest.raises(Http404):
        build(investigator, beyond, "a.zip")
    with pytest.raises(Http404):  # the whole vault, when only part is shared
        build(investigator, Selection(), "b.zip")
    with pytest.raises(Http404):  # another unit's officer
        build(unit_peer, Selection.of([incidents[0].pk], []), "c.zip")
    with pytest.raises(ValueError, match="scope"):  # a case's pack with no scope is a bug
        build_pack(
            actor=investigator,
            vault=vault,
            selection=beyond,
            out=tmp_path / "d.zip",
            statement="none",
            case=partly_shared_case,
        )
    assert not list(tmp_path.glob("*.zip"))
