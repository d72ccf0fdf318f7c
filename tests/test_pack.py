"""Evidence packs end to end: built from a real vault, checked by ``verify_pack`` with nothing
but the pack, and by the ``bagit`` validator; tampering of every kind issue 6 names is found
and named; half a vault's pack holds nothing of the other half; encryption with age."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyrage
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from PIL import Image

from cairn.cli.main import cli
from cairn.ledger import log as ledger_log
from cairn.ledger import signing
from cairn.ledger.canonical import canonical_json
from cairn.ledger.heads import head_bytes
from cairn.packs import layout
from cairn.packs.bag import ALGORITHMS, check_bag, walk_files
from cairn.packs.builder import PackBuildError
from cairn.packs.selection import Selection
from cairn.packs.services import build_pack, selection_for
from cairn.packs.verify import PackError, verify_pack
from cairn.vault import services
from tests.factories import make_incident

BAGIT = str(Path(sys.executable).with_name("bagit.py"))
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
WORDS = ["amber", "birch", "cedar", "delta", "ember", "flint", "garnet", "hazel"]


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def packed_vault(vault):
    """Eight incidents, each with a distinctive word, half of them with a photo exhibit."""
    suspect = services.create_person(actor=vault.owner, vault=vault, name="Jordan Example")
    incidents = []
    for n, word in enumerate(WORDS):
        incident = make_incident(
            vault,
            days_ago=60 - 5 * n,
            description=f"Incident with the word {word}zz in it.",
            persons=[suspect],
            acts=["a", "b"] if n % 2 else ["e"],
        )
        incidents.append(incident)
        if n % 2 == 0:
            services.add_exhibit(
                actor=vault.owner,
                vault=vault,
                incident=incident,
                stream=io.BytesIO(_png((n * 20, 100, 200))),
                original_name=f"photo-{word}zz.png",
                description=f"Photo of the {word}zz place",
            )
    return vault, incidents


def _build(vault, tmp_path, name="pack", **kwargs):
    return build_pack(
        actor=vault.owner,
        vault=vault,
        selection=kwargs.pop("selection", Selection()),
        out=tmp_path / name,
        now=kwargs.pop("now", NOW),
        **kwargs,
    )


def _bagit_ok(path: Path) -> bool:
    return (
        subprocess.run(
            [sys.executable, BAGIT, "--validate", str(path)], capture_output=True, check=False
        ).returncode
        == 0
    )


def _remanifest(bag: Path) -> None:
    """Rewrite every manifest as a careful forger would, so only the deeper checks remain."""
    for name in ALGORITHMS:
        lines = []
        for rel in walk_files(bag / "data"):
            digest = hashlib.new(name, (bag / "data" / rel).read_bytes()).hexdigest()
            lines.append(f"{digest}  data/{rel}")
        (bag / f"manifest-{name}.txt").write_text("\n".join(sorted(lines)) + "\n")
    oxum_files = list(walk_files(bag / "data"))
    octets = sum((bag / "data" / rel).stat().st_size for rel in oxum_files)
    info = bag / "bag-info.txt"
    info.write_text(
        "\n".join(
            f"Payload-Oxum: {octets}.{len(oxum_files)}" if line.startswith("Payload-Oxum") else line
            for line in info.read_text().splitlines()
        )
        + "\n"
    )
    for name in ALGORITHMS:
        lines = []
        for rel in walk_files(bag):
            if rel.startswith(("data/", "tagmanifest-")):
                continue
            lines.append(f"{hashlib.new(name, (bag / rel).read_bytes()).hexdigest()}  {rel}")
        (bag / f"tagmanifest-{name}.txt").write_text("\n".join(sorted(lines)) + "\n")


def _problems(bag: Path, **kwargs) -> list[str]:
    return [str(p) for p in verify_pack(bag, **kwargs).problems]


@pytest.fixture
def stamped(settings, local_tsa):
    settings.CAIRN_TSA_URL = local_tsa.url
    settings.CAIRN_TSA_CERT_FILE = str(local_tsa.tsa_cert_path)
    settings.CAIRN_TSA_CA_FILE = str(local_tsa.ca_cert_path)
    return local_tsa


@pytest.fixture
def bag(packed_vault, tmp_path, stamped):
    vault, _ = packed_vault
    _build(vault, tmp_path)
    return tmp_path / "pack"


# --- a good pack --------------------------------------------------------------------------------


def test_a_whole_vault_pack_verifies_with_bagit_and_on_its_own(bag, packed_vault):
    _, incidents = packed_vault
    assert _bagit_ok(bag)
    report = verify_pack(bag)
    assert report.ok, report.problems
    assert report.exhibits == 4
    assert report.head["timestamped_by"]
    index = json.loads((bag / "data" / layout.INDEX).read_bytes())
    kinds = sorted({r["type"] for r in index["records"]})
    assert kinds == ["exhibit", "incident", "person", "vault"]
    assert len([r for r in index["records"] if r["type"] == "incident"]) == len(incidents)
    assert index["omitted_entries"] == report.head["size"] - len(index["entries"])
    text = (bag / layout.VERIFY_TEXT).read_text()
    assert signing.instance_key().fingerprint() in text
    assert "sha256sum -c signed-sha256.txt" in text


def test_the_timestamp_verifies_with_openssl_as_verify_txt_says(bag, stamped):
    done = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-in",
            str(bag / "data" / layout.TIMESTAMP_TOKEN),
            "-data",
            str(bag / "data" / layout.STAMPED),
            "-CAfile",
            str(bag / "data" / layout.TSA_CA),
            "-untrusted",
            str(bag / "data" / layout.TSA_CERT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Verification: OK" in done.stdout


def test_sha256sum_checks_the_manifest(bag):
    done = subprocess.run(
        ["sha256sum", "--quiet", "-c", "manifest-sha256.txt"],
        cwd=bag,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_building_twice_gives_the_same_bag_apart_from_the_build_time(packed_vault, tmp_path):
    vault, _ = packed_vault
    _build(vault, tmp_path, "one")
    _build(vault, tmp_path, "two")
    _build(vault, tmp_path, "later", now=NOW + timedelta(days=1))
    one, two, later = (tmp_path / n for n in ("one", "two", "later"))
    files = list(walk_files(one))
    assert files == list(walk_files(two)) == list(walk_files(later))
    for rel in files:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel
    differ = {rel for rel in files if (one / rel).read_bytes() != (later / rel).read_bytes()}
    build_time = {
        "data/pack.json",
        "data/pack.pdf",
        "bag-info.txt",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
        "signed-sha256.txt",
        "signed-sha256.txt.sig",
    }
    assert differ <= build_time
    strip = [json.loads((d / "data/pack.json").read_bytes()) for d in (one, later)]
    for index in strip:
        index.pop("built_at")
    assert strip[0] == strip[1]


def test_a_zipped_pack_verifies(packed_vault, tmp_path):
    vault, _ = packed_vault
    result = _build(vault, tmp_path, "pack.zip")
    assert result.path.is_file()
    assert verify_pack(result.path).ok


# --- tampering ----------------------------------------------------------------------------------


def _agree(bag: Path) -> list[str]:
    problems = _problems(bag)
    assert problems
    assert not _bagit_ok(bag)
    return problems


def test_a_changed_file_is_found_by_both(bag):
    target = next((bag / "data" / "exhibits").iterdir())
    data = bytearray(target.read_bytes())
    data[-1] ^= 1
    target.write_bytes(bytes(data))
    problems = _agree(bag)
    assert any(p.startswith(f"data/exhibits/{target.name}: was changed") for p in problems)


def test_a_removed_file_is_found_by_both(bag):
    target = next((bag / "data" / "exhibits").iterdir())
    target.unlink()
    problems = _agree(bag)
    assert any("missing (removed)" in p and target.name in p for p in problems)


def test_an_added_file_is_found_by_both(bag):
    (bag / "data" / "exhibits" / "AB-99 extra.png").write_bytes(_png((1, 2, 3)))
    problems = _agree(bag)
    assert (
        "data/exhibits/AB-99 extra.png: is not listed in the payload manifests (added)" in problems
    )


def test_an_edited_manifest_is_found_by_both(bag):
    manifest = bag / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text().replace("data/pack.json", "data/pack.json "))
    problems = _agree(bag)
    assert (
        "manifest-sha256.txt: was edited: its SHA256 differs from tagmanifest-sha256.txt"
        in problems
    )


def test_a_changed_entry_is_found(bag):
    entries = sorted((bag / "data" / "log" / "entries").iterdir())
    target = entries[len(entries) // 2]
    body = json.loads(target.read_bytes())
    body["at"] = "2020-01-01T00:00:00.000000Z"
    target.write_bytes(canonical_json(body))
    _remanifest(bag)
    assert check_bag(bag) == []
    problems = _problems(bag)
    assert any(f"entry {body['seq']} is not in the signed log" in p for p in problems)


def test_a_removed_entry_is_found(bag):
    target = sorted((bag / "data" / "log" / "entries").iterdir())[-1]
    seq = int(target.stem)
    target.unlink()
    _remanifest(bag)
    problems = _problems(bag)
    assert (
        f"data/log/entries/{target.name}: entry {seq} is listed in pack.json but missing"
        in problems
    )


def test_a_swapped_exhibit_is_found(bag):
    first, second = sorted((bag / "data" / "exhibits").iterdir())[:2]
    first_bytes = first.read_bytes()
    first.write_bytes(second.read_bytes())
    second.write_bytes(first_bytes)
    _remanifest(bag)
    problems = _problems(bag)
    assert any(
        p.startswith(f"data/exhibits/{first.name}: is not exhibit") and "swapped" in p
        for p in problems
    )


def _rewrite_head(bag: Path, change) -> None:  # type: ignore[no-untyped-def]
    path = bag / "data" / layout.HEAD
    head = json.loads(path.read_bytes())
    change(head)
    path.write_bytes(canonical_json(head))
    _remanifest(bag)


def _sign(head: dict, key: Ed25519PrivateKey) -> None:
    head["signature"] = base64.b64encode(
        key.sign(
            head_bytes(
                vault_id=head["vault"],
                size=head["size"],
                root=bytes.fromhex(head["root"]),
                timestamp=head["timestamp"],
                key=head["key"],
                token_sha256=head.get("token_sha256"),
            )
        )
    ).decode()


def test_a_head_signed_with_another_key_is_found(bag):
    other = Ed25519PrivateKey.generate()
    _rewrite_head(bag, lambda head: _sign(head, other))
    problems = _problems(bag)
    assert any("signature does not verify" in p for p in problems)


def test_a_head_and_key_both_replaced_are_found(bag):
    """A forger who swaps in their own key and re-signs: the timestamp (which stamped the
    real key's fingerprint) and a pinned fingerprint both catch it."""
    real = signing.instance_key().fingerprint()
    other = Ed25519PrivateKey.generate()
    raw = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    (bag / "data" / layout.PUBLIC_KEY).write_bytes(
        other.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )

    def forge(head: dict) -> None:
        head["key"] = signing.fingerprint_of(raw)
        _sign(head, other)

    _rewrite_head(bag, forge)
    problems = _problems(bag)
    assert any(p.startswith("data/head/timestamp.tsr: does not verify") for p in problems)
    pinned = _problems(bag, key_fingerprint=real)
    assert any(f"not the expected {real}" in p for p in pinned)


def test_a_timestamp_token_for_another_hash_is_found(bag, stamped):
    token = stamped.reply(_ts_query(b"some other bytes"))
    (bag / "data" / layout.TIMESTAMP_TOKEN).write_bytes(token)

    def resign(head: dict) -> None:
        head["token_sha256"] = hashlib.sha256(token).hexdigest()
        instance = signing.instance_key()
        head["signature"] = base64.b64encode(
            instance.sign(
                head_bytes(
                    vault_id=head["vault"],
                    size=head["size"],
                    root=bytes.fromhex(head["root"]),
                    timestamp=head["timestamp"],
                    key=head["key"],
                    token_sha256=head["token_sha256"],
                )
            )
        ).decode()

    _rewrite_head(bag, resign)
    problems = _problems(bag)
    assert any(
        p.startswith("data/head/timestamp.tsr: does not verify as a timestamp of this head")
        for p in problems
    ), problems
    assert not any("signature does not verify" in p for p in problems)


def _ts_query(data: bytes) -> bytes:
    from rfc3161_client import TimestampRequestBuilder

    return TimestampRequestBuilder().data(data).nonce(nonce=True).build().as_bytes()


def test_an_edited_record_is_found(bag):
    record = next((bag / "data" / "records").glob("incident-*.json"))
    content = json.loads(record.read_bytes())
    content["description"] = "Something else entirely."
    record.write_bytes(canonical_json(content))
    _remanifest(bag)
    problems = _problems(bag)
    assert any(
        p.startswith(f"data/records/{record.name}: differs from what entry") for p in problems
    )


def test_what_is_not_a_pack_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(PackError, match="not a BagIt bag"):
        verify_pack(tmp_path / "empty")
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(PackError):
        verify_pack(tmp_path / "junk.zip")


# --- selective disclosure ---------------------------------------------------------------------


def test_half_the_incidents_leak_nothing_of_the_other_half(packed_vault, tmp_path):
    vault, incidents = packed_vault
    chosen, left_out = incidents[:4], incidents[4:]
    selection = selection_for(vault, ({i.number for i in chosen}, set()))
    _build(vault, tmp_path, selection=selection)
    bag = tmp_path / "pack"
    assert verify_pack(bag).ok
    assert _bagit_ok(bag)

    secrets: list[bytes] = []
    for incident in left_out:
        incident.refresh_from_db()
        secrets.append(incident.description.split()[-3].encode())  # the distinctive word
        secrets.append(str(incident.pk).encode())
        secrets.append(ledger_log.content_hash(services.incident_content(incident)).encode())
        for exhibit in incident.exhibits.all():
            secrets += [
                exhibit.original_name.encode(),
                exhibit.sha256.encode(),
                exhibit.description.encode(),
                exhibit.reference.encode() + b" ",
            ]
    haystacks = {rel: (bag / rel).read_bytes() for rel in walk_files(bag)}
    pdf_text = subprocess.run(
        ["pdftotext", str(bag / "data" / layout.PDF), "-"], capture_output=True, check=True
    ).stdout
    haystacks["pdftotext"] = pdf_text
    haystacks["pdftotext, no spaces"] = b"".join(pdf_text.split())
    for rel, data in haystacks.items():
        for secret in secrets:
            assert secret not in data, (rel, secret)
    for incident in chosen:
        assert incident.description.split()[-3].encode() in pdf_text


# --- encryption ---------------------------------------------------------------------------------


def test_a_pack_encrypted_to_a_unit_key(packed_vault, tmp_path):
    vault, _ = packed_vault
    identity = pyrage.x25519.Identity.generate()
    result = _build(vault, tmp_path, "pack.zip.age", recipients=[str(identity.to_public())])
    assert result.encrypted
    assert result.path.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert verify_pack(result.path, identity=str(identity)).ok
    with pytest.raises(PackError, match="encrypted"):
        verify_pack(result.path)
    wrong = pyrage.x25519.Identity.generate()
    with pytest.raises(PackError, match="does not decrypt"):
        verify_pack(result.path, identity=str(wrong))


def test_a_pack_encrypted_with_a_passphrase(packed_vault, tmp_path):
    vault, _ = packed_vault
    result = _build(vault, tmp_path, "pack.age", passphrase="correct horse battery staple")
    assert verify_pack(result.path, passphrase="correct horse battery staple").ok
    with pytest.raises(PackError, match="does not decrypt"):
        verify_pack(result.path, passphrase="wrong horse")


def test_bad_build_requests_change_nothing(packed_vault, tmp_path):
    vault, _ = packed_vault
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(PackBuildError, match="needs a recipient"):
        _build(vault, tmp_path, "pack.age")
    with pytest.raises(PackBuildError, match=r"ending in \.age"):
        _build(vault, tmp_path, "pack.zip", passphrase="correct horse battery staple")
    (tmp_path / "taken.zip").write_bytes(b"mine")
    with pytest.raises(PackBuildError, match="already exists"):
        _build(vault, tmp_path, "taken.zip")
    assert (tmp_path / "taken.zip").read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.zip"]


def test_another_user_cannot_pack_a_vault(packed_vault, colleague, tmp_path):
    from django.core.exceptions import PermissionDenied

    vault, _ = packed_vault
    with pytest.raises((PermissionDenied, LookupError)):
        build_pack(actor=colleague, vault=vault, selection=Selection(), out=tmp_path / "p")
    assert not (tmp_path / "p").exists()


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_pack_and_verify_pack(packed_vault, tmp_path):
    vault, _ = packed_vault
    runner = CliRunner()
    out = tmp_path / "cli.zip"
    result = runner.invoke(
        cli,
        [
            "pack",
            "--vault",
            str(vault.pk),
            "--select",
            "1-3",
            "--select",
            "AB/4",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["incidents"] == 3 and summary["exhibits"] == 3
    checked = runner.invoke(cli, ["verify-pack", str(out)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.splitlines()[-1].startswith("OK: ")

    unpacked = tmp_path / "unpacked"
    shutil.unpack_archive(out, unpacked)
    bag = next(unpacked.iterdir())
    (bag / "data" / "pack.json").write_text("{}")
    failed = runner.invoke(cli, ["verify-pack", str(bag), "--json"])
    assert failed.exit_code == 1
    report = json.loads(failed.output)
    assert not report["ok"]
    assert {
        "where": "data/pack.json",
        "what": "was changed: its SHA256 differs from manifest-sha256.txt",
    } in report["problems"]


def test_cli_pack_names_what_it_cannot_find(packed_vault, tmp_path):
    vault, _ = packed_vault
    result = CliRunner().invoke(
        cli, ["pack", "--vault", str(vault.pk), "--select", "99", "--out", str(tmp_path / "x.zip")]
    )
    assert result.exit_code == 1
    assert "no incident 99 in this vault" in result.output
    assert not (tmp_path / "x.zip").exists()
