"""Every byte of a pack is bound by the instance key's signature (issue 14, ADR 0028).

A careful forger edits one file of a pack (the PDF, a record, a proof, the head, an exhibit,
``pack.json``, VERIFY.txt, ``bag-info.txt``...), then rebuilds every BagIt manifest, the tag
manifests and Payload-Oxum so that any bag tool calls the folder valid. The installed
``cairn verify-pack`` must still fail, naming the file; so must the standard commands
VERIFY.txt gives (``openssl pkeyutl``, ``sha256sum -c``). And no bytes, however corrupted,
make ``verify_pack`` raise anything but a one-line ``PackError``.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfWriter
from pypdf.annotations import FreeText

from cairn.ledger import signing
from cairn.packs import layout
from cairn.packs.bag import ALGORITHMS, SIGNATURE, SIGNED_LIST, walk_files
from cairn.packs.selection import Selection
from cairn.packs.services import build_pack
from cairn.packs.verify import PackError, verify_pack
from cairn.vault import services
from tests.factories import UserFactory, make_incident, make_vault

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
BAGIT = str(Path(sys.executable).with_name("bagit.py"))

pytestmark = pytest.mark.django_db


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker, tmp_path_factory) -> Path:
    """One pack (a folder and its zip), built once for the module; the vault is rolled back."""
    root = tmp_path_factory.mktemp("made")
    with (
        django_db_blocker.unblock(),
        override_settings(CAIRN_EVIDENCE_DIR=root / "evidence"),
        transaction.atomic(),
    ):
        owner = UserFactory(username="sealer")
        vault = make_vault(owner)
        suspect = services.create_person(actor=owner, vault=vault, name="Jordan Example")
        for n in range(4):
            incident = make_incident(
                vault,
                days_ago=40 - 7 * n,
                persons=[suspect],
                description=f"He was outside the house, time {n}.",
            )
            if n % 2 == 0:
                services.add_exhibit(
                    actor=owner,
                    vault=vault,
                    incident=incident,
                    stream=io.BytesIO(_png((n * 40, 90, 160))),
                    original_name=f"photo-{n}.png",
                    description="The car",
                )
        build_pack(actor=owner, vault=vault, selection=Selection(), out=root / "pack", now=NOW)
        build_pack(actor=owner, vault=vault, selection=Selection(), out=root / "pack.zip", now=NOW)
        transaction.set_rollback(True)
    return root


@pytest.fixture
def pack(made, tmp_path) -> Path:
    shutil.copytree(made / "pack", tmp_path / "pack")
    return tmp_path / "pack"


def rebuild_every_manifest(bag: Path) -> None:
    """What a careful forger does after an edit: new payload manifests, Payload-Oxum and tag
    manifests, so that the BagIt checks alone pass."""
    payload = list(walk_files(bag / "data"))
    for name in ALGORITHMS:
        lines = sorted(
            f"{hashlib.new(name, (bag / 'data' / rel).read_bytes()).hexdigest()}  data/{rel}"
            for rel in payload
        )
        (bag / f"manifest-{name}.txt").write_text("\n".join(lines) + "\n")
    octets = sum((bag / "data" / rel).stat().st_size for rel in payload)
    info = bag / "bag-info.txt"
    info.write_text(
        "\n".join(
            f"Payload-Oxum: {octets}.{len(payload)}" if line.startswith("Payload-Oxum") else line
            for line in info.read_text().splitlines()
        )
        + "\n"
    )
    for name in ALGORITHMS:
        lines = sorted(
            f"{hashlib.new(name, (bag / rel).read_bytes()).hexdigest()}  {rel}"
            for rel in walk_files(bag)
            if not rel.startswith(("data/", "tagmanifest-"))
        )
        (bag / f"tagmanifest-{name}.txt").write_text("\n".join(lines) + "\n")


def bagit_validates(bag: Path) -> bool:
    return (
        subprocess.run(
            [sys.executable, BAGIT, "--validate", str(bag)], capture_output=True, check=False
        ).returncode
        == 0
    )


def verify_pack_command(path: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``cairn verify-pack``, in a subprocess with a data folder of its own."""
    script = Path(sys.executable).with_name("cairn")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cairn.cli.main"]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CAIRN_", "DATABASE_URL", "DJANGO_"))
    }
    env["CAIRN_DATA_DIR"] = str(tmp_path / "verifier-data")
    return subprocess.run(
        [*command, "verify-pack", str(path), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


# --- the edits ----------------------------------------------------------------------------------


def _first(bag: Path, folder: str) -> str:
    return f"data/{folder}/{sorted(walk_files(bag / 'data' / folder))[0]}"


def _annotate_pdf(bag: Path) -> str:
    path = bag / "data" / layout.PDF
    writer = PdfWriter(clone_from=path)
    writer.add_annotation(
        page_number=0,
        annotation=FreeText(text="Incidents 1-20 were fabricated.", rect=(50, 550, 400, 650)),
    )
    with path.open("wb") as handle:
        writer.write(handle)
    return f"data/{layout.PDF}"


def _flip_last_byte(bag: Path, rel: str) -> str:
    path = bag / rel
    data = bytearray(path.read_bytes())
    data[-2] ^= 0x01
    path.write_bytes(bytes(data))
    return rel


def _replace(bag: Path, rel: str, old: str, new: str) -> str:
    path = bag / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return rel


EDITS = {
    "pdf-annotation": _annotate_pdf,
    "pdf-byte": lambda bag: _flip_last_byte(bag, f"data/{layout.PDF}"),
    "record": lambda bag: _replace(bag, _first(bag, "records"), '"', "'"),
    "proof": lambda bag: _flip_last_byte(bag, _first(bag, "log/proofs")),
    "entry": lambda bag: _flip_last_byte(bag, _first(bag, "log/entries")),
    "head": lambda bag: _replace(bag, f"data/{layout.HEAD}", "2026", "2025"),
    "exhibit": lambda bag: _flip_last_byte(bag, _first(bag, "exhibits")),
    "pack.json": lambda bag: _replace(bag, f"data/{layout.INDEX}", "2026-11-28", "2026-10-01"),
    "VERIFY.txt": lambda bag: _replace(
        bag, layout.VERIFY_TEXT, "Ask the force", "There is no need to ask the force"
    ),
    "bag-info.txt": lambda bag: _replace(
        bag, "bag-info.txt", "Source-Organization: Cairn", "Source-Organization: Another force"
    ),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_an_edit_to_any_file_with_every_manifest_rebuilt_fails_naming_the_file(
    pack, tmp_path, kind
):
    edited = EDITS[kind](pack)
    rebuild_every_manifest(pack)
    assert bagit_validates(pack), "the forger's bag should pass the BagIt checks"
    done = verify_pack_command(pack, tmp_path)
    assert done.returncode == 1, done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert (
        f"FAIL {edited}: was changed after the pack was signed: its SHA-256 differs from "
        f"{SIGNED_LIST}" in done.stdout.splitlines()
    ), done.stdout


def test_the_pristine_pack_verifies_with_the_installed_command(made, tmp_path):
    for path in (made / "pack", made / "pack.zip"):
        done = verify_pack_command(path, tmp_path, "--key", verify_pack(path).head["key"])
        assert done.returncode == 0, done.stdout + done.stderr
        listed = len((made / "pack" / SIGNED_LIST).read_text().splitlines())
        assert done.stdout.splitlines()[-1].startswith(
            f"OK: all {listed} files are as the instance key signed them; "
        )


def test_an_added_or_removed_file_is_named(pack, tmp_path):
    (pack / "data" / "notes.txt").write_text("Incidents 1-20 were fabricated.\n")
    (pack / layout.VERIFY_TEXT).unlink()
    rebuild_every_manifest(pack)
    done = verify_pack_command(pack, tmp_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert (
        f"FAIL data/notes.txt: is not covered by the pack's signature: it is not in "
        f"{SIGNED_LIST} (added after the pack was signed)"
    ) in lines
    assert (
        f"FAIL VERIFY.txt: is missing: it was signed as part of the pack, in {SIGNED_LIST} "
        "(removed)"
    ) in lines


def test_a_forger_who_rewrites_the_signed_list_too_is_caught_by_its_signature(pack, tmp_path):
    _annotate_pdf(pack)
    rebuild_every_manifest(pack)
    listed = {line[66:]: line[:64] for line in (pack / SIGNED_LIST).read_text().splitlines()}
    listed = {rel: hashlib.sha256((pack / rel).read_bytes()).hexdigest() for rel in listed}
    (pack / SIGNED_LIST).write_text(
        "".join(f"{digest}  {rel}\n" for rel, digest in sorted(listed.items()))
    )
    done = verify_pack_command(pack, tmp_path)
    assert done.returncode == 1
    assert any(
        line.startswith(f"FAIL {SIGNED_LIST}: does not match its signature")
        for line in done.stdout.splitlines()
    ), done.stdout


def test_a_forger_who_signs_with_a_key_of_their_own_is_caught(pack, tmp_path):
    """New key, new head signature, new signed list: only the fingerprint the instance
    publishes (``--key``) tells, and the head's key no longer matches."""
    real = verify_pack(pack).head["key"]
    forger = Ed25519PrivateKey.generate()
    (pack / "data" / layout.PUBLIC_KEY).write_bytes(
        forger.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    _annotate_pdf(pack)
    rebuild_every_manifest(pack)
    listed = "".join(
        f"{hashlib.sha256((pack / rel).read_bytes()).hexdigest()}  {rel}\n"
        for rel in walk_files(pack)
        if rel not in (SIGNED_LIST, SIGNATURE)
    )
    (pack / SIGNED_LIST).write_text(listed)
    (pack / SIGNATURE).write_bytes(forger.sign(listed.encode()))
    done = verify_pack_command(pack, tmp_path, "--key", real)
    assert done.returncode == 1
    assert any(
        line.startswith(f"FAIL data/{layout.PUBLIC_KEY}: has fingerprint")
        for line in done.stdout.splitlines()
    ), done.stdout


# --- the standard tools VERIFY.txt names --------------------------------------------------------


def _openssl_verify(bag: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            f"data/{layout.PUBLIC_KEY}",
            "-rawin",
            "-in",
            SIGNED_LIST,
            "-sigfile",
            SIGNATURE,
        ],
        cwd=bag,
        capture_output=True,
        text=True,
        check=False,
    )


def _sha256sum(bag: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sha256sum", "-c", SIGNED_LIST], cwd=bag, capture_output=True, text=True, check=False
    )


def test_verify_txt_says_what_is_covered_and_its_commands_work(pack):
    text = (pack / layout.VERIFY_TEXT).read_text()
    for words in (
        "signed-sha256.txt lists every file in this folder",
        "openssl pkeyutl -verify -pubin -inkey data/head/instance-key.pem -rawin",
        "-in signed-sha256.txt -sigfile signed-sha256.txt.sig",
        "sha256sum -c signed-sha256.txt",
        signing.instance_key().fingerprint(),
        "the PDF, pack.json and this file are not in the log",
    ):
        assert " ".join(words.split()) in " ".join(text.split()), words
    checked = _openssl_verify(pack)
    assert checked.returncode == 0 and "Signature Verified Successfully" in checked.stdout
    summed = _sha256sum(pack)
    assert summed.returncode == 0, summed.stdout
    listed = (pack / SIGNED_LIST).read_text().splitlines()
    assert len(listed) + 2 == len(list(walk_files(pack)))
    assert {line[66:] for line in listed} >= {
        "VERIFY.txt",
        "bag-info.txt",
        "bagit.txt",
        "tagmanifest-sha512.txt",
        f"data/{layout.PDF}",
    }

    _annotate_pdf(pack)
    rebuild_every_manifest(pack)
    summed = _sha256sum(pack)
    assert summed.returncode == 1 and f"data/{layout.PDF}: FAILED" in summed.stdout
    (pack / SIGNED_LIST).write_text((pack / SIGNED_LIST).read_text().replace("0", "1", 1))
    assert _openssl_verify(pack).returncode != 0


# --- no bytes make it fall over -----------------------------------------------------------------

_FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _corrupt(raw: bytes, how: str, at: int, byte: int) -> bytes:
    at = at % (len(raw) + 1)
    if how == "flip" and raw:
        at = min(at, len(raw) - 1)
        return raw[:at] + bytes([raw[at] ^ (byte or 1)]) + raw[at + 1 :]
    if how == "cut":
        return raw[:at] if at < len(raw) else raw[:-1]
    return raw[:at] + bytes([byte]) + raw[at:]  # insert (and "flip" of an empty file)


@_FUZZ
@given(
    target=st.integers(min_value=0),
    how=st.sampled_from(["flip", "cut", "insert"]),
    at=st.integers(min_value=0),
    byte=st.integers(min_value=0, max_value=255),
    forge=st.booleans(),
)
def test_corrupted_pack_bytes_are_refused_cleanly(
    made, tmp_path_factory, target, how, at, byte, forge
):
    bag = tmp_path_factory.mktemp("fuzz") / "pack"
    shutil.copytree(made / "pack", bag)
    files = list(walk_files(bag))
    rel = files[target % len(files)]
    raw = (bag / rel).read_bytes()
    changed = _corrupt(raw, how, at, byte)
    if changed == raw:
        changed = raw + b"\n"
    (bag / rel).write_bytes(changed)
    if forge and not rel.startswith(("manifest-", "tagmanifest-", "bag-info", "bagit.txt")):
        rebuild_every_manifest(bag)
    try:
        report = verify_pack(bag)
    except PackError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert not report.ok, rel
    assert any(
        rel in problem.where or problem.where.startswith(SIGNED_LIST) for problem in report.problems
    ), (rel, report.problems)


@_FUZZ
@given(
    how=st.sampled_from(["flip", "cut", "insert"]),
    at=st.integers(min_value=0),
    byte=st.integers(min_value=0, max_value=255),
)
def test_corrupted_zip_bytes_are_refused_cleanly(made, tmp_path_factory, how, at, byte):
    """A zip may survive a changed byte (a date, a comment) with every file intact; what
    matters is that nothing but PackError is ever raised and no changed file passes."""
    work = tmp_path_factory.mktemp("zipfuzz")
    target = work / "pack.zip"
    target.write_bytes(_corrupt((made / "pack.zip").read_bytes(), how, at, byte))
    try:
        report = verify_pack(target)
    except PackError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    if report.ok:  # every file is still the one signed: the change was to the zip's framing
        assert report.exhibits == 2 and report.entries > 0


def test_a_non_utf8_byte_in_a_manifest_is_a_clean_refusal(pack, tmp_path):
    manifest = pack / "manifest-sha256.txt"
    manifest.write_bytes(manifest.read_bytes().replace(b"data/pack.pdf", b"data/pack\xff.pdf"))
    done = verify_pack_command(pack, tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert done.stderr.strip().startswith(
        "cairn: verify-pack: pack: manifest-sha256.txt is not UTF-8 text, as bagit.txt declares"
    )


def test_a_pack_rewritten_with_utf16_tag_files_is_read_and_its_changes_named(pack, tmp_path):
    """BagIt allows UTF-16 tag files; re-encoding ours is still an edit the seal names."""
    for name in ("bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"):
        (pack / name).write_bytes((pack / name).read_text().encode("utf-16"))
    (pack / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-16\n")
    for name in ("tagmanifest-sha256.txt", "tagmanifest-sha512.txt"):
        (pack / name).unlink()
    done = verify_pack_command(pack, tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt"):
        assert (
            f"FAIL {name}: was changed after the pack was signed: its SHA-256 differs from "
            f"{SIGNED_LIST}" in lines
        ), done.stdout
    assert (
        "FAIL tagmanifest-sha256.txt: is missing: it was signed as part of the pack, in "
        f"{SIGNED_LIST} (removed)" in lines
    )
