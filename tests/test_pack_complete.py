"""What a pack holds (issue 14, point 3): "Everything in my log" is every exhibit of the vault,
the ones linked to no incident and the original files imports came from included; a chosen
incident brings its derived copies with their originals; and the pack page's preview, counted
by the same rules, says what the pack then holds, beside what the log holds.

The statement draft goes into a pack only when she chooses (point 7).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from cairn.cli.main import cli
from cairn.demo import load_demo
from cairn.importers import services as imports
from cairn.packs import layout
from cairn.packs.services import build_pack, preview_counts, selection_for
from cairn.packs.statement import DISCLOSURE
from cairn.packs.verify import verify_pack
from cairn.vault import redaction_services
from cairn.vault import services as vault_services
from cairn.vault.choices import PersonRole
from cairn.vault.models import Exhibit, Incident
from tests.factories import make_incident

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
WHATSAPP = (
    Path(__file__).parent
    / "fixtures"
    / "third_party"
    / "chat-miner"
    / "whatsapp"
    / "test_ddmmyy_24hrs.txt"
)

pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _index(pack: Path) -> dict:
    if pack.is_dir():
        return json.loads((pack / "data" / layout.INDEX).read_bytes())
    with zipfile.ZipFile(pack) as archive:
        name = next(n for n in archive.namelist() if n.endswith(f"/data/{layout.INDEX}"))
        return json.loads(archive.read(name))


def _pdf_text(pack: Path) -> str:
    with zipfile.ZipFile(pack) as archive:
        name = next(n for n in archive.namelist() if n.endswith(f"/data/{layout.PDF}"))
        reader = PdfReader(io.BytesIO(archive.read(name)))
        return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


def _ids(queryset) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(pk) for pk in queryset.values_list("pk", flat=True)}


def _page(client, vault, **form):  # type: ignore[no-untyped-def]
    data = {"scope": "all", "statement": "none", "protection": "none", "action": "preview", **form}
    return client.post(reverse("packs:pack", args=[vault.pk]), data)


def _download(response, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Follow "Make the pack" to the pack made in the background, and download it."""
    from tests.test_pack_web import made_pack

    tmp_path.mkdir(parents=True, exist_ok=True)
    target = tmp_path / "download.zip"
    target.write_bytes(b"".join(made_pack(response).streaming_content))
    return target


# --- the demo vault -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_everything_on_the_demo_vault_is_every_exhibit_and_the_preview_agrees(client, tmp_path):
    vault = load_demo(now=NOW)
    client.force_login(vault.owner)
    exhibits = Exhibit.objects.filter(vault=vault)
    assert exhibits.filter(incident__isnull=True).exists()  # the one issue 14 saw left out

    response = _page(client, vault)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.exhibits == preview.exhibits_in_log == exhibits.count() == 13
    html = response.content.decode()
    assert f"{exhibits.count()} of the {exhibits.count()} in your log" in html

    response = _page(client, vault, action="build")
    pack = _download(response, tmp_path)
    report = verify_pack(pack)
    assert report.ok, report.problems
    index = _index(pack)
    assert {e["id"] for e in index["exhibits"]} == _ids(exhibits)
    assert (report.exhibits, len(index["entries"]), len(index["records"]) > 0) == (
        preview.exhibits,
        preview.entries,
        True,
    )
    assert preview.incidents == len([r for r in index["records"] if r["type"] == "incident"])
    assert index["omitted_entries"] == preview.log_size - preview.entries


# --- after a WhatsApp import --------------------------------------------------------------------


@pytest.fixture
def imported(vault):
    """A real WhatsApp export (chat-miner's sample) imported, its proposals accepted."""
    vault_services.create_person(
        actor=vault.owner, vault=vault, name="John Doe", role=PersonRole.SUSPECT
    )
    make_incident(vault, days_ago=3, description="He waited outside work.")
    result = imports.commit_import(
        actor=vault.owner,
        vault=vault,
        source=WHATSAPP.read_bytes(),
        name="WhatsApp Chat with John.txt",
        format="whatsapp",
        date_order="day-first",
        owner="You",
    )
    accepted = imports.accept_proposals(actor=vault.owner, batch=result.batch, all=True)
    assert accepted
    return vault, result.batch.source_exhibit, accepted


def test_after_a_whatsapp_import_everything_holds_the_original_export(client, imported, tmp_path):
    vault, original, _ = imported
    assert original.incident_id is None
    client.force_login(vault.owner)
    preview = _page(client, vault).context["preview"]
    assert (
        preview.exhibits == preview.exhibits_in_log == Exhibit.objects.filter(vault=vault).count()
    )
    assert preview.unlinked >= 1
    pack = _download(_page(client, vault, action="build"), tmp_path)
    report = verify_pack(pack)
    assert report.ok, report.problems
    index = _index(pack)
    assert str(original.pk) in {e["id"] for e in index["exhibits"]}
    assert (len(index["exhibits"]), len(index["entries"])) == (preview.exhibits, preview.entries)


def test_chosen_incidents_bring_the_import_original_only_when_she_asks(client, imported, tmp_path):
    """The export holds every message, also those behind incidents she leaves out: it comes
    with chosen incidents only when she ticks the box (or gives --with-originals)."""
    vault, original, accepted = imported
    client.force_login(vault.owner)
    number = str(accepted[0].number)
    without = _page(client, vault, scope="chosen", incidents=[number]).context["preview"]
    with_it = _page(client, vault, scope="chosen", incidents=[number], originals="on").context[
        "preview"
    ]
    assert with_it.exhibits == without.exhibits + 1 and with_it.unlinked == 1
    assert (without.exhibits, without.exhibits_in_log) == (0, 1)

    pack = _download(
        _page(client, vault, scope="chosen", incidents=[number], originals="on", action="build"),
        tmp_path,
    )
    index = _index(pack)
    assert str(original.pk) in {e["id"] for e in index["exhibits"]}
    assert len(index["exhibits"]) == with_it.exhibits
    assert verify_pack(pack).ok

    out = tmp_path / "cli.zip"
    result = CliRunner().invoke(
        cli,
        [
            "pack",
            "--vault",
            str(vault.pk),
            "--select",
            number,
            "--with-originals",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert str(original.pk) in {e["id"] for e in _index(out)["exhibits"]}
    plain = tmp_path / "plain.zip"
    result = CliRunner().invoke(
        cli, ["pack", "--vault", str(vault.pk), "--select", number, "--out", str(plain), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert str(original.pk) not in {e["id"] for e in _index(plain)["exhibits"]}


# --- derived copies -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_derived_copy_comes_with_its_original(vault, tmp_path):
    """A picture kept on its own, redacted, and the copy linked to an incident: packing that
    incident carries both, unless she asks for redacted copies (the original is withheld)."""
    owner = vault.owner
    incident = make_incident(vault, days_ago=5, description="He sent a picture of my door.")
    original = vault_services.add_exhibit(
        actor=owner, vault=vault, incident=None, stream=io.BytesIO(_png()), original_name="door.png"
    )
    copy = redaction_services.redact_image(
        actor=owner, exhibit=original, rectangles=[(0, 0, 10, 10)]
    )
    vault_services.attach_exhibit(actor=owner, exhibit=copy, incident=incident)
    chosen = ({incident.number}, set())

    both = selection_for(vault, chosen)
    preview = preview_counts(owner, vault, both)
    assert preview.exhibits == 2
    build_pack(actor=owner, vault=vault, selection=both, out=tmp_path / "both", now=NOW)
    assert {e["id"] for e in _index(tmp_path / "both")["exhibits"]} == {
        str(original.pk),
        str(copy.pk),
    }

    redacted = selection_for(vault, chosen, use_redacted=True)
    assert preview_counts(owner, vault, redacted).exhibits == 1
    build_pack(actor=owner, vault=vault, selection=redacted, out=tmp_path / "redacted", now=NOW)
    [carried] = _index(tmp_path / "redacted")["exhibits"]
    assert carried["id"] == str(copy.pk)
    assert carried["redacted_copy_of"]["reference"] == original.reference
    assert verify_pack(tmp_path / "redacted").ok


# --- the statement draft is hers to put in --------------------------------------------------------


@pytest.mark.django_db
def test_the_statement_draft_is_in_a_pack_only_when_she_chooses(owner_client, vault, tmp_path):
    make_incident(vault, days_ago=4, description="He left a note on my car zzwords.")
    url = reverse("packs:pack", args=[vault.pk])
    page = owner_client.get(url).content.decode()
    assert re.search(r'value="none"[^>]*checked', page)  # leave it out, unless she chooses

    default = _download(_page(owner_client, vault, action="build"), tmp_path / "a")
    text = _pdf_text(default)
    assert "Thispackcarriesnostatementdraft." in text
    assert "".join(DISCLOSURE.split()) not in text

    chosen = _download(
        _page(owner_client, vault, action="build", statement="draft"), tmp_path / "b"
    )
    text = _pdf_text(chosen)
    assert "".join(DISCLOSURE.split()) in text and "zzwords" in text
    assert verify_pack(chosen).ok

    result = CliRunner().invoke(
        cli, ["pack", "--vault", str(vault.pk), "--out", str(tmp_path / "cli.zip")]
    )
    assert result.exit_code == 0, result.output
    assert "Thispackcarriesnostatementdraft." in _pdf_text(tmp_path / "cli.zip")
    result = CliRunner().invoke(
        cli,
        [
            "pack",
            "--vault",
            str(vault.pk),
            "--statement",
            "draft",
            "--out",
            str(tmp_path / "cli-draft.zip"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "the defence may be shown it" in result.output
    assert "".join(DISCLOSURE.split()) in _pdf_text(tmp_path / "cli-draft.zip")


@pytest.mark.django_db
def test_with_originals_needs_a_selection(vault, tmp_path):
    result = CliRunner().invoke(
        cli,
        ["pack", "--vault", str(vault.pk), "--with-originals", "--out", str(tmp_path / "x.zip")],
    )
    assert result.exit_code == 1
    assert "with-originals: a whole-vault pack already holds every original" in result.output
    assert not (tmp_path / "x.zip").exists()
    assert not Incident.objects.filter(vault=vault).exists()
