"""The pack's PDF and the statement draft (issue 6).

The PDF is checked the way a recipient would check it: ``qpdf --check`` passes, its text
(``pdftotext``) carries every chosen incident and exhibit and nothing of those left out, it
declares PDF/A-2b, its first pages render, the same pack gives the same bytes, and hostile
text prints as typed. The statement draft is marked as a draft and carries no declaration;
its page lets only the owner read and save it, and axe-core finds nothing wrong with it.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from cairn.analysis.base import THIRD_PERSON
from cairn.analysis.engine import analyse_people
from cairn.audit.models import AuditRecord
from cairn.demo import load_demo
from cairn.packs import document as pack_document
from cairn.packs import pdf as pack_pdf
from cairn.packs import statement as statement_draft
from cairn.packs import statement_access, statement_services
from cairn.packs.document import DocumentError, build_document, number_ranges
from cairn.packs.head import HeadInfo
from cairn.packs.pdf import font_characters, printable, render_pdf
from cairn.packs.selection import Selection, resolve
from cairn.packs.statement import draft_statement
from cairn.vault.choices import ExhibitSource, Relationship
from cairn.vault.snapshot import (
    ExhibitSnapshot,
    IncidentSnapshot,
    PersonSnapshot,
    VaultSnapshot,
)
from cairn.vault.snapshot_loader import take_snapshot
from tests.factories import PASSWORD, make_incident

# Every test may touch the database: the module's demo vault is loaded (and rolled back)
# through the test database, which pytest-django creates only for a run that asks for it.
pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 20, 10, 30, tzinfo=UTC)
BUILT_AT = NOW + timedelta(minutes=5)
# Words of the official witness statement declaration and signature block, which the product
# must never reproduce (law.md, "Evidence handling"); the police supply the form.
DECLARATION_WORDS = (
    "best of my knowledge and belief",
    "liable to prosecution",
    "wilfully stated",
    "tendered in evidence",
    "Criminal Justice Act 1967",
    "Magistrates' Courts Act",
    "Signature",
    "Signed:",
    "MG11",
)


def _head(snapshot: VaultSnapshot, included: int, *, token: bool = True) -> HeadInfo:
    return HeadInfo(
        vault_id=snapshot.id,
        size=included + 7,
        root="0f1e2d3c4b5a6978" * 4,
        timestamp="2026-01-20T10:34:59.000000Z",
        key_fingerprint="a1b2c3d4e5f60718" * 4,
        token_sha256="9f8e7d6c5b4a3928" * 4 if token else None,
        tsa_time="2026-01-20T10:35:00Z" if token else None,
        tsa_name="Test time-stamping authority" if token else None,
        included_entries=included,
    )


def _document(
    snapshot: VaultSnapshot,
    selection: Selection | None = None,
    *,
    statement: str | None = None,
    continuity: dict[str, str] | None = None,
):
    disclosed = resolve(snapshot, selection or Selection())
    cut = disclosed.snapshot
    text = draft_statement(cut) if statement is None else statement
    return build_document(
        disclosed,
        analyse_people(cut, now=BUILT_AT, voice=THIRD_PERSON),
        _head(snapshot, len(cut.incidents)),
        statement=text,
        built_at=BUILT_AT,
        omitted_entries=7,
        continuity=continuity if continuity is not None else {},
    )


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    # -raw: in the order it was laid out, so a table's columns are not read across.
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")


def _squeezed(text: str) -> str:
    """Text with all white space removed: a description wrapped over lines still matches."""
    return re.sub(r"\s+", "", text)


@dataclasses.dataclass(frozen=True)
class Demo:
    snapshot: VaultSnapshot
    continuity: dict[str, str]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Demo:
    """The demo vault, loaded once for this module and rolled back: its snapshot is plain
    data, and everything below the snapshot is pure."""
    evidence = tmp_path_factory.mktemp("evidence")
    with (
        django_db_blocker.unblock(),
        override_settings(CAIRN_EVIDENCE_DIR=evidence),
        transaction.atomic(),
    ):
        vault = load_demo(now=NOW)
        snapshot = take_snapshot(vault, now=NOW)
        continuity = {str(vault.owner.pk): vault.owner.display_name}
        transaction.set_rollback(True)
    return Demo(snapshot, continuity)


@pytest.fixture(scope="module")
def demo_pdf(demo) -> bytes:
    return render_pdf(_document(demo.snapshot, continuity=demo.continuity))


@pytest.fixture
def demo_text(demo_pdf, tmp_path) -> str:
    return _text(demo_pdf, tmp_path)


# --- the PDF of the demo vault --------------------------------------------------------------


def test_the_pdf_passes_qpdf_check(demo_pdf, tmp_path):
    path = tmp_path / "pack.pdf"
    path.write_bytes(demo_pdf)
    result = subprocess.run(
        ["qpdf", "--check", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_the_pdf_declares_pdf_a_2b_with_a_neutral_title(demo_pdf, tmp_path):
    path = tmp_path / "pack.pdf"
    path.write_bytes(demo_pdf)
    reader = PdfReader(path)
    xmp = reader.xmp_metadata
    assert xmp is not None
    namespace = "http://www.aiim.org/pdfa/ns/id/"

    def value(name: str) -> str:
        nodes = xmp.rdf_root.getElementsByTagNameNS(namespace, name)
        if nodes:
            return "".join(n.data for n in nodes[0].childNodes if n.nodeType == n.TEXT_NODE)
        # XMP may also write the property as an attribute of its description.
        for description in xmp.rdf_root.getElementsByTagNameNS(
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "Description"
        ):
            if description.hasAttributeNS(namespace, name):
                return str(description.getAttributeNS(namespace, name))
        return ""

    assert value("part") == "2"
    assert value("conformance") == "B"
    info = reader.metadata
    assert info is not None
    assert info.title == "Evidence pack"
    assert info.author == "Cairn"
    # The PDF's dates are the build time, not the clock.
    assert info["/CreationDate"] == info["/ModDate"] == "D:20260120103500Z"


def test_the_text_holds_every_incident_and_exhibit_with_its_hash_in_groups(demo, demo_text):
    squeezed = _squeezed(demo_text)
    for incident in demo.snapshot.incidents:
        assert _squeezed(incident.description) in squeezed, incident.number
    lines = {line.strip() for line in demo_text.splitlines()}
    # By default a pack carries the exhibits of its incidents (resolve): AM/13 is on its own.
    carried = {e.id for e in resolve(demo.snapshot, Selection()).snapshot.exhibits}
    for exhibit in demo.snapshot.exhibits:
        shown = re.search(re.escape(exhibit.reference) + r"(?!\d)", demo_text) is not None
        assert shown == (exhibit.id in carried), exhibit.reference
        if exhibit.id not in carried:
            continue
        groups = [exhibit.sha256[n : n + 16] for n in range(0, 64, 16)]
        assert all(group in lines for group in groups), exhibit.reference
    for heading in (
        "Summary",
        "Chronology",
        "Charts",
        "Exhibit schedule",
        "Analysis",
        "Statement: DRAFT",
        "How to verify this pack",
    ):
        assert heading in demo_text
    assert "Mark Ellis" in demo_text  # who
    assert "7 other entries of the vault's log are not included." in demo_text
    for section in ("s.1(1)(a)", "s.1(1)(b)", "s.1(1)(c)", "s.2(1)"):
        assert section in demo_text


def test_the_first_pages_render_to_png(demo_pdf, tmp_path):
    path = tmp_path / "pack.pdf"
    path.write_bytes(demo_pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "2", str(path), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 2
    for page in pages:
        with Image.open(page) as image:
            grey = image.convert("L")
            assert grey.size[0] > 300 and grey.size[1] > 400  # A4 at 50 dpi: 413 x 585
            dark = sum(grey.histogram()[:200])
            assert dark > 0.005 * grey.size[0] * grey.size[1], f"{page.name} is blank"


def test_the_same_input_gives_the_same_bytes(demo, demo_pdf):
    first = _document(demo.snapshot, continuity=demo.continuity)
    second = _document(demo.snapshot, continuity=demo.continuity)
    assert first == second
    assert first.pack_id == second.pack_id and len(first.pack_id) == 12
    assert render_pdf(first) == render_pdf(second) == demo_pdf


def test_another_build_time_gives_another_pack_id(demo):
    first = _document(demo.snapshot)
    later = build_document(
        resolve(demo.snapshot, Selection()),
        analyse_people(demo.snapshot, now=BUILT_AT, voice=THIRD_PERSON),
        _head(demo.snapshot, 63),
        statement="",
        built_at=BUILT_AT + timedelta(days=1),
        omitted_entries=7,
        continuity={},
    )
    assert first.pack_id != later.pack_id


def test_half_the_incidents_show_nothing_of_the_other_half(demo, tmp_path):
    incidents = demo.snapshot.incidents
    chosen, left_out = incidents[::2], incidents[1::2]
    selection = Selection.of(incidents=[i.id for i in chosen])
    document = _document(demo.snapshot, selection, statement="")
    text = _text(render_pdf(document), tmp_path)
    squeezed = _squeezed(text)
    kept = {e.id for e in resolve(demo.snapshot, selection).snapshot.exhibits}
    for incident in chosen:
        assert _squeezed(incident.description) in squeezed, incident.number
    chosen_words = {_squeezed(i.description) for i in chosen}
    for incident in left_out:
        if _squeezed(incident.description) not in chosen_words:
            assert _squeezed(incident.description) not in squeezed, incident.number
    for exhibit in demo.snapshot.exhibits:
        shown = re.search(re.escape(exhibit.reference) + r"(?!\d)", text) is not None
        assert shown == (exhibit.id in kept), exhibit.reference
        for group in (exhibit.sha256[n : n + 16] for n in range(0, 64, 16)):
            assert (group in text) == (exhibit.id in kept), exhibit.reference
        if exhibit.id not in kept:
            assert exhibit.original_name not in text
    assert f"Incidents{len(chosen)}" in _squeezed(text)


def test_an_analysis_of_more_than_was_disclosed_is_refused(demo):
    half = Selection.of(incidents=[i.id for i in demo.snapshot.incidents[::2]])
    disclosed = resolve(demo.snapshot, half)
    with pytest.raises(DocumentError, match="disclosed snapshot only"):
        build_document(
            disclosed,
            analyse_people(demo.snapshot, now=BUILT_AT, voice=THIRD_PERSON),
            _head(demo.snapshot, 10),
            statement="",
            built_at=BUILT_AT,
            omitted_entries=0,
            continuity={},
        )


def test_a_redacted_copy_says_what_it_replaces_and_withholds_the_original(demo, tmp_path):
    original = next(e for e in demo.snapshot.exhibits if e.incident_id is not None)
    copy = dataclasses.replace(
        original,
        id="copy-1",
        reference=f"{demo.snapshot.initials}/99",
        incident_id=None,
        original_name="redacted-copy.png",
        sha256="c0ffee" + "0" * 58,
        source="redacted",
        description="The same picture with the number plate covered",
        derived_from=original.id,
        derivation="2 areas covered",
    )
    snapshot = dataclasses.replace(demo.snapshot, exhibits=(*demo.snapshot.exhibits, copy))
    selection = Selection.of(incidents=[original.incident_id], redacted={original.id: copy.id})
    document = _document(snapshot, selection, statement="")
    (entry,) = [x for x in document.exhibits if x.reference.endswith("/99")]
    assert entry.redaction == (
        f"Redacted copy of {original.reference} (original withheld): 2 areas covered"
    )
    text = _text(render_pdf(document), tmp_path)
    assert "originalwithheld" in _squeezed(text)
    assert original.sha256[:16] not in text and original.original_name not in text


# --- hostile text ---------------------------------------------------------------------------

MARKUP = (
    '#panic("x") $x^2$ *bold* _it_ ]) [link] \\ \\\\ `raw` <b>tag</b> @ref '
    "// not a comment /* nor this */ = not a heading #{1 + 1} #let x = 2"
)
RTL = ("שלום", "עולם", "مرحبا", "بالعالم")
EMOJI = ("\N{GRINNING FACE}", "\N{HEAVY BLACK HEART}")
UNDRAWN = "\N{AUTOMOBILE}\u4e2d\u6587"  # no font here draws these


def _hostile_snapshot() -> VaultSnapshot:
    words = f"{MARKUP} {' '.join(RTL)} {''.join(EMOJI)}\ufe0f {UNDRAWN} bell\x07 tab\tend"
    start = datetime(2025, 6, 3, 18, 40, tzinfo=UTC)
    person = PersonSnapshot("p-1", "suspect", f"Sus {MARKUP}", ("al]ias",), "stranger", ())
    incidents = tuple(
        IncidentSnapshot(
            id=f"i-{n}",
            number=n,
            start=start + timedelta(days=3 * n),
            end=None,
            precision="exact",
            when_words=f"when {MARKUP}",
            location=f"place {MARKUP}",
            latitude=None,
            longitude=None,
            channel="in_person",
            acts=("a", "other"),
            other_act=f"other {MARKUP}",
            description=f"Incident {n}: {words}",
            impact=f"impact {MARKUP}",
            feared_violence=True,
            witnesses=f"wit {MARKUP}",
            reported_to_police=True,
            police_reference=f"ref {MARKUP}",
            person_ids=("p-1",),
            exhibit_ids=(f"e-{n}",),
            recorded_at=start + timedelta(days=3 * n),
            revision=1,
        )
        for n in (1, 2)
    )
    exhibits = tuple(
        ExhibitSnapshot(
            id=f"e-{n}",
            reference=f"ZZ/{n}",
            incident_id=f"i-{n}",
            original_name=f"file {MARKUP}.png",
            media_type="image/png",
            size=1234,
            sha256=f"{n:x}" * 64,
            source="upload",
            description=f"exhibit {words}",
            captured_at=None,
            received_at=None,
            added_at=start,
            added_by="u-1",
        )
        for n in (1, 2)
    )
    return VaultSnapshot(
        id="v-hostile",
        name="private name",
        initials="ZZ",
        jurisdiction="england-wales",
        time_zone="Europe/London",
        taken_at=NOW,
        incidents=incidents,
        persons=(person,),
        exhibits=exhibits,
    )


def test_hostile_text_is_printed_literally(tmp_path):
    snapshot = _hostile_snapshot()
    document = _document(
        snapshot,
        statement=f"My words {MARKUP}\n\n{' '.join(RTL)}",
        continuity={"u-1": f"Name {MARKUP}"},
    )
    text = _text(render_pdf(document), tmp_path)
    squeezed = _squeezed(text)
    assert squeezed.count(_squeezed(MARKUP)) >= 12  # every field it was put in
    assert "private name" not in text
    if pack_pdf._fallback_files():
        for word in (*RTL, *EMOJI):
            assert word in text, word
    else:  # without DejaVu Sans, characters no embedded font draws are shown by number
        assert "[U+1F600]" in text
    # What no font here draws is shown by code point, never dropped silently.
    assert "[U+1F697][U+4E2D][U+6587]" in text
    # Control characters and tabs become spaces.
    assert "bell tab end" in " ".join(text.split())


def test_a_layout_failure_is_reported_without_the_text_it_quotes(tmp_path, monkeypatch):
    broken = tmp_path / "pack.typ"
    # A character no font draws, added by the template itself: PDF/A refuses it, and Typst's
    # message quotes the text it sits in.
    broken.write_text(
        "#let d = json(bytes(sys.inputs.data))\n"
        '#text(font: "Libertinus Serif", d.cover.initials + "\\u{4E2D}")\n'
    )
    monkeypatch.setattr(pack_pdf, "TEMPLATE", broken)
    snapshot = dataclasses.replace(_hostile_snapshot(), initials="QXJ")
    with pytest.raises(pack_pdf.PdfError, match="could not be laid out") as failure:
        render_pdf(_document(snapshot, statement=""))
    assert "QXJ" not in str(failure.value)


def test_printable_keeps_text_and_replaces_only_what_no_font_draws():
    covered = frozenset(range(0x20, 0x7F))
    assert printable({"a": ["x\u0007y", "tab\there"]}, covered) == {"a": ["x y", "tab here"]}
    assert printable("caf\u00e9", covered) == "caf[U+00E9]"
    assert printable(42, covered) == 42


def test_the_fallback_font_is_read_for_what_it_draws():
    files = pack_pdf._fallback_files()
    if not files:
        pytest.fail("fonts-dejavu-core is not installed: run scripts/system-deps.sh")
    characters = font_characters(files[0].read_bytes())
    assert {ord("A"), 0x05E9, 0x0645, 0x1F600} <= characters
    assert 0x4E2D not in characters
    with pytest.raises(ValueError, match="not an OpenType font"):
        font_characters(b"not a font")


# --- pure helpers ---------------------------------------------------------------------------


def test_citations_of_many_incidents_read_as_ranges():
    assert number_ranges([7, 1, 2, 3, 4, 9, 10]) == "1\u20134, 7, 9, 10"
    assert number_ranges([]) == ""
    assert pack_document.incidents_text((5,)) == "Incident 5"


def test_the_labels_match_the_vaults_vocabularies():
    for value, label in ExhibitSource.choices:
        assert pack_document.SOURCE_LABELS[value] == label
    for value, label in Relationship.choices:
        assert pack_document.RELATIONSHIP_LABELS[value] == label


# --- the statement draft --------------------------------------------------------------------


def test_the_statement_draft_is_marked_and_carries_no_declaration(demo):
    text = draft_statement(demo.snapshot)
    assert text.startswith("DRAFT STATEMENT")
    assert "for you to correct" in text.splitlines()[0]
    for words in DECLARATION_WORDS:
        assert words.lower() not in text.lower(), words
    assert text == draft_statement(demo.snapshot)  # deterministic
    assert "This statement is about Mark Ellis" in text
    for exhibit in demo.snapshot.exhibits:
        assert exhibit.reference in text
    # In time order, in her words exactly as she wrote them (line breaks aside).
    positions = [text.index(" ".join(i.description.split())) for i in demo.snapshot.incidents]
    assert positions == sorted(positions)
    for incident in demo.snapshot.incidents:
        if incident.impact.strip():
            assert " ".join(incident.impact.split()) in text
    # No sentence of Cairn's in her mouth: a ticked box is a question for her, in brackets.
    assert "I was afraid" not in text
    feared = sum(i.feared_violence for i in demo.snapshot.incidents)
    assert feared and text.count(statement_draft.FEARED_VIOLENCE) == feared
    prompt = statement_draft.FEARED_VIOLENCE
    assert prompt.startswith("[") and prompt.endswith("]")
    # A plain note that a draft may be disclosed.
    assert "it may be shown to the defence" in text


def test_the_statement_draft_of_an_empty_log_asks_for_her_words():
    empty = dataclasses.replace(_hostile_snapshot(), incidents=(), exhibits=(), persons=())
    text = draft_statement(empty)
    assert text.startswith("DRAFT STATEMENT")
    assert "[Nothing is logged yet." in text


def test_the_pdf_marks_the_statement_as_a_draft(demo_text):
    section = demo_text.split("Statement: DRAFT")[-1].split("How to verify this pack")[0]
    assert "DRAFT" in section[:400]
    assert "Itisnotsigned" in _squeezed(section)
    for words in DECLARATION_WORDS:
        assert words.lower() not in section.lower(), words


# --- saving the draft -----------------------------------------------------------------------


@pytest.fixture
def logged_vault(vault):
    make_incident(vault, days_ago=3, description="He waited by the gate at the school.")
    return vault


def _url(vault) -> str:
    return reverse("packs:statement", args=[vault.pk])


@pytest.mark.django_db
def test_the_owner_sees_a_fresh_draft_then_saves_her_own(owner_client, logged_vault):
    response = owner_client.get(_url(logged_vault))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Cairn</title>" in page
    assert "DRAFT STATEMENT" in page and "He waited by the gate at the school." in page
    assert "MG11" in page and "section 9 of the Criminal Justice Act 1967" in page
    assert "may be shown to the defence" in page
    assert "It is not saved until" in page

    response = owner_client.post(_url(logged_vault), {"text": "My own words.\r\n\r\nMore."})
    assert response.status_code == 302 and response["Location"] == _url(logged_vault)
    assert (
        statement_access.latest_statement(logged_vault.owner, logged_vault)
        == "My own words.\n\nMore."
    )
    record = AuditRecord.objects.get(action="statement.saved")
    assert record.detail == {"characters": len("My own words.\n\nMore.")}  # never the words

    page = owner_client.get(_url(logged_vault)).content.decode()
    assert "My own words." in page and "You last saved this draft" in page
    assert "DRAFT STATEMENT" not in page
    page = owner_client.get(_url(logged_vault) + "?from=log").content.decode()
    assert "DRAFT STATEMENT" in page


@pytest.mark.django_db
def test_each_save_is_a_new_version(owner, logged_vault):
    statement_services.save_statement_draft(actor=owner, vault=logged_vault, text="one")
    statement_services.save_statement_draft(actor=owner, vault=logged_vault, text="two")
    rows = statement_access.statement_drafts_readable_by(owner, logged_vault)
    assert rows.count() == 2
    assert statement_access.latest_statement(owner, logged_vault) == "two"


@pytest.mark.django_db
def test_an_empty_draft_is_refused_and_nothing_is_saved(owner_client, logged_vault):
    response = owner_client.post(_url(logged_vault), {"text": "   "})
    assert response.status_code == 400
    assert "Write your statement, or start again from your log" in response.content.decode()
    assert statement_access.latest_statement_draft(logged_vault.owner, logged_vault) is None


@pytest.mark.django_db
def test_another_user_gets_404_and_cannot_save(client, colleague, logged_vault):
    client.force_login(colleague)
    assert client.get(_url(logged_vault)).status_code == 404
    assert client.post(_url(logged_vault), {"text": "not mine"}).status_code == 404
    assert statement_access.latest_statement(logged_vault.owner, logged_vault) is None
    assert statement_access.latest_statement(colleague, logged_vault) is None
    with pytest.raises(PermissionDenied):
        statement_services.save_statement_draft(actor=colleague, vault=logged_vault, text="x")


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client, logged_vault):
    response = client.get(_url(logged_vault))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_the_statement_view_reads_only_through_access_functions():
    source = Path(pack_document.__file__).parent.with_name("statement_views.py").read_text()
    assert not re.search(r"\b[A-Z][A-Za-z]+\.objects\b", source)


# --- the page in a browser ------------------------------------------------------------------

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


def _assert_accessible(page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    problems = [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
    ]
    assert not problems, f"{name}: " + " | ".join(problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore:No directory at:UserWarning")
@pytest.mark.parametrize(
    "viewport",
    [{"width": 375, "height": 812}, {"width": 1280, "height": 900}],
    ids=["phone", "desktop"],
)
def test_the_statement_page_in_a_browser(browser, live_server, logged_vault, viewport):
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    page = context.new_page()
    page.route(
        re.compile(r"^(?!" + re.escape(live_server.url) + r").*"), lambda route: route.abort()
    )
    try:
        page.goto("/account/sign-in/")
        page.get_by_label("Username").fill("owner")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/$"))
        page.goto(_url(logged_vault))
        assert page.title() == "Cairn"
        expect(page.get_by_role("button", name="Exit this page")).to_be_visible()
        _assert_accessible(page, "statement draft")
        box = page.get_by_label("Your statement")
        assert "DRAFT STATEMENT" in box.input_value()
        box.fill("On Monday he waited by the gate. I have exhibited this as AB/1.")
        page.get_by_role("button", name="Save the draft").click()
        page.wait_for_url(re.compile(r"/statement/$"))
        expect(page.get_by_text("Your statement draft is saved.")).to_be_visible()
        assert page.get_by_label("Your statement").input_value().startswith("On Monday")
        _assert_accessible(page, "statement draft, saved")
        if viewport["width"] < 400:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], "the page scrolls sideways on a phone"
        page.wait_for_load_state("networkidle")
    finally:
        context.close()


@pytest.mark.django_db
def test_the_draft_downloads_as_text_for_the_officer(owner_client, logged_vault):
    url = reverse("packs:statement_download", args=[logged_vault.pk])
    response = owner_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="cairn-[0-9a-f]{6}\.txt"', response["Content-Disposition"]
    )
    assert "He waited by the gate at the school." in response.content.decode()
    statement_services.save_statement_draft(
        actor=logged_vault.owner, vault=logged_vault, text="My own words."
    )
    assert owner_client.get(url).content.decode() == "My own words."
