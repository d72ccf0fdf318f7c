"""Each reader, their voice (DESIGN.md invariant 10; issue 14, point 5): every court document
made from the demo vault (the evidence pack's PDF, the SPO application with its prefilled
grounds, the breach pack) speaks of the victim in the third person. Read back with pdftotext,
no line says "you" or "your" unless it is her own words, quoted from her log. Statistics appear
as what they mean, with the figures in the annex; s.4A effects are never called
"substantial"; no "quiet period (0 days)"."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cairn.accounts.models import Role, User
from cairn.breaches import services as breaches
from cairn.breaches.pack import build_breach_pack
from cairn.cases.models import Share
from cairn.demo import load_demo, load_demo_case
from cairn.demo.police import OFFICERS
from cairn.orders import services as orders
from cairn.orders.bundle import build_bundle
from cairn.orders.rules import TermSpec
from cairn.packs.selection import Selection
from cairn.packs.services import build_pack
from cairn.vault.snapshot_loader import take_snapshot
from tests.factories import SPO_ANSWERS, make_incident

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext"),
]

SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def pdf_lines(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [_flat(line) for line in text.splitlines() if line.strip()]


def her_words(vault) -> str:  # type: ignore[no-untyped-def]
    """Everything in the PDFs that is quoted from her log: her descriptions, places, effects,
    witnesses, words about when, exhibit descriptions and file names, names."""
    snapshot = take_snapshot(vault)
    parts: list[str] = []
    for i in snapshot.incidents:
        parts += [i.description, i.impact, i.when_words, i.witnesses, i.location, i.other_act]
    for e in snapshot.exhibits:
        parts += [e.description, e.original_name]
    for p in snapshot.persons:
        parts += [p.name, *p.aliases]
    return "\n".join(_flat(part) for part in parts if part.strip())


def second_person_outside_quotes(path: Path, quoted: str) -> list[str]:
    """Lines that say "you"/"your" and are not part of her quoted words."""
    return [
        line
        for line in pdf_lines(path)
        if SECOND_PERSON.search(line) and _strip_marks(line) not in quoted
    ]


def _strip_marks(line: str) -> str:
    # A quoted line may carry the PDF's own quotation marks around her words.
    return line.strip('\u201c\u201d"')


@pytest.fixture
def demo():  # type: ignore[no-untyped-def]
    vault = load_demo()
    case = load_demo_case(vault)
    investigator = User.objects.get(
        username=next(o.username for o in OFFICERS if o.role == Role.INVESTIGATOR)
    )
    return vault, case, investigator


def test_the_pack_pdf_speaks_of_her_in_the_third_person(demo, tmp_path):
    vault, _, _ = demo
    result = build_pack(
        actor=vault.owner,
        vault=vault,
        selection=Selection(),
        out=tmp_path / "pack.zip",
        statement="none",
    )
    with zipfile.ZipFile(result.path) as bundle:
        name = next(n for n in bundle.namelist() if n.endswith("data/pack.pdf"))
        (tmp_path / "pack.pdf").write_bytes(bundle.read(name))
    pdf = tmp_path / "pack.pdf"
    assert second_person_outside_quotes(pdf, her_words(vault)) == []
    text = " ".join(pdf_lines(pdf))
    annex_title = "Annex: methods, figures and general research"
    main, annex = text.rsplit(annex_title, 1)  # the first is the contents' line
    # The figures (tau, p) are in the annex; before it, statistics say what they mean.
    assert "Kendall's tau" in annex and "p = " in annex
    assert "p = " not in main and "tau " not in main
    assert "became more frequent" in main or "become more frequent" in main or "trend test" in main
    assert "General research" in annex and "not about this case" in annex
    # Never asserted of her: the only "substantial" is the court's question, or a study's
    # own definition quoted in the research annex.
    assert [
        line
        for line in pdf_lines(pdf)
        if "substantial" in line and "for the court" not in line and "fear or distress" not in line
    ] == []
    assert "quiet period (0 days)" not in text and "(0 days)" not in text
    assert "Cairn's own" in text  # its own scale and rules say so


def test_the_spo_application_and_its_grounds_use_the_third_person(demo, tmp_path):
    vault, case, investigator = demo
    orders_made = orders.start_application(
        actor=investigator,
        case=case,
        duration_months=24,
        terms=[TermSpec("no_contact", necessity="He messaged her daily after she blocked him.")],
    )
    grounds_text = " ".join(g["text"] for g in orders_made.grounds.values())
    assert grounds_text, "the grounds are prefilled from the defendant's analysis"
    assert not SECOND_PERSON.search(grounds_text), grounds_text
    assert "tau" not in grounds_text and "p = " not in grounds_text
    assert "substantial" not in grounds_text
    out = tmp_path / "bundle.zip"
    build_bundle(actor=investigator, application=orders_made, out=out)
    with zipfile.ZipFile(out) as bundle:
        (tmp_path / "application.pdf").write_bytes(bundle.read("application.pdf"))
        (tmp_path / "pack.zip").write_bytes(bundle.read("evidence-pack-1.zip"))
    quoted = her_words(vault)
    assert second_person_outside_quotes(tmp_path / "application.pdf", quoted) == []
    with zipfile.ZipFile(tmp_path / "pack.zip") as pack:
        name = next(n for n in pack.namelist() if n.endswith("data/pack.pdf"))
        (tmp_path / "pack.pdf").write_bytes(pack.read(name))
    assert second_person_outside_quotes(tmp_path / "pack.pdf", quoted) == []


def test_the_breach_pack_uses_the_third_person(demo, tmp_path):
    vault, case, investigator = demo
    application = orders.start_application(
        **SPO_ANSWERS,
        actor=investigator,
        case=case,
        duration_months=24,
        terms=[TermSpec("no_contact", necessity="He messaged her daily.")],
        grounds={key: {"text": "Ground.", "evidence": []} for key in orders.LIMBS},
    )
    orders.change_status(actor=investigator, application=application, status="submitted")
    order = orders.record_order(
        actor=investigator,
        application=application,
        kind="full",
        made_on=timezone.localdate() - timedelta(days=5),
        duration_months=24,
    )
    incident = make_incident(vault, days_ago=1, description="He sent a message again.")
    share = Share.objects.get(case=case, vault=vault, withdrawn_at__isnull=True)
    breach = breaches.report_breach(
        actor=vault.owner, vault=vault, incident=incident, share=share, term=order.terms.get()
    )
    result = build_breach_pack(actor=investigator, breach=breach, out_dir=tmp_path / "out")
    with zipfile.ZipFile(result.path) as bundle:
        name = next(n for n in bundle.namelist() if n.endswith("pack.pdf"))
        (tmp_path / "breach.pdf").write_bytes(bundle.read(name))
    assert second_person_outside_quotes(tmp_path / "breach.pdf", her_words(vault)) == []
