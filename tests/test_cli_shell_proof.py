"""The commands that prove a log, from a shell: ``verify``, ``checkpoint``, ``pack``,
``verify-pack`` and ``vault destroy``, run as the installed ``cairn`` on a copy of the demo data
directory (``tests/shell.py``), with damaged checkpoints and packs as bad input."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from pyrage import x25519

from tests.shell import DataDir, bad_input, ok, one_line_error, usual


@pytest.fixture
def demo(shell_demo):
    return shell_demo


@pytest.fixture(scope="module")
def pack(shell_demo_template, tmp_path_factory):
    """A pack of the whole demo vault, made once: ``cairn pack --out p.zip``."""
    work = tmp_path_factory.mktemp("pack")
    with shell_demo_template.copy(work / "data") as data:
        ok(data("pack", "--out", "p.zip", cwd=work))
    return work / "p.zip"


def rezip(source: Path, target: Path, change) -> Path:
    """``source`` with ``change(name, data) -> data`` applied to each member."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, change(info.filename, old.read(info)))
    return target


@usual("verify", "checkpoint")
@bad_input("verify", "checkpoint")
def test_verify_and_checkpoint(demo, tmp_path):
    checkpoint = tmp_path / "checkpoint.txt"
    checkpoint.write_text(ok(demo("checkpoint")).stdout, encoding="utf-8")
    assert checkpoint.read_text(encoding="utf-8").startswith("Cairn checkpoint\n")
    verified, against = demo.run_all(("verify",), ("verify", "--against", checkpoint))
    assert ok(verified).stdout.rstrip().endswith(": verified")
    assert "consistency proof verified" in ok(against).stdout
    binary = tmp_path / "checkpoint.bin"
    binary.write_bytes(b"\xff\xfe not text")
    damaged = tmp_path / "damaged.txt"
    damaged.write_text("Cairn checkpoint\nvault: x\n", encoding="utf-8")
    not_text, not_whole, no_vault = demo.run_all(
        ("verify", "--against", binary),
        ("verify", "--against", damaged),
        ("checkpoint", "--vault", "nope"),
    )
    one_line_error(not_text, "against:", "checkpoint.bin")
    one_line_error(not_whole, "against:", "damaged.txt")
    one_line_error(no_vault, "vault:", "'nope'")
    assert not_text.stdout == ""  # refused before any vault was checked


@usual("pack")
@bad_input("pack")
def test_pack_as_the_readme_shows(demo, tmp_path):
    chosen = ok(demo("pack", "--select", "1-20,AM/7", "--out", "pack.zip", "--json", cwd=tmp_path))
    summary = json.loads(chosen.stdout)
    assert summary["incidents"] == 20 and summary["exhibits"] >= 1
    assert zipfile.is_zipfile(tmp_path / "pack.zip")
    key = str(x25519.Identity.generate().to_public())  # a police unit's age key
    encrypted = ok(demo("pack", "--to", key, "--out", "pack.zip.age", cwd=tmp_path))
    assert "Encrypted with age" in encrypted.stdout
    secret = "a long pack passphrase\n"
    ok(
        demo(
            "pack",
            "--select",
            "1-3",
            "--passphrase",
            "--out",
            "small.zip.age",
            stdin=secret * 2,
            cwd=tmp_path,
        )
    )  # a script gives the passphrase twice
    opened = ok(demo("verify-pack", "small.zip.age", "--passphrase", stdin=secret, cwd=tmp_path))
    assert opened.stdout.splitlines()[-1].startswith("OK: ") and "Warning" not in opened.stderr
    one_line_error(
        demo("verify-pack", "small.zip.age", "--passphrase", stdin="wrong\n", cwd=tmp_path),
        "verify-pack:",
        "small.zip.age",
        "passphrase",
    )
    one_line_error(
        demo("pack", "--passphrase", "--out", "x.zip.age", stdin="a\nb\n", cwd=tmp_path),
        "passphrase:",
        "differ",
    )
    one_line_error(
        demo("pack", "--select", "xyz", "--out", "x.zip", cwd=tmp_path), "select:", "'xyz'"
    )
    one_line_error(
        demo("pack", "--to", "age1xyz", "--out", "x.zip.age", cwd=tmp_path), "pack:", "recipient 1"
    )
    one_line_error(
        demo("pack", "--select", "1-999", "--out", "x.zip", cwd=tmp_path), "pack:", "no incident 64"
    )
    (tmp_path / "notes.txt").write_text("a file, not a folder\n", encoding="utf-8")
    one_line_error(demo("pack", "--out", "notes.txt/x.zip", cwd=tmp_path), "out:", "notes.txt")
    assert not list(tmp_path.glob("x.zip*"))


@usual("verify-pack")
@bad_input("verify-pack")
def test_verify_pack_reads_only_the_pack(pack, tmp_path):
    nowhere = DataDir(tmp_path / "no-data-dir")  # verify-pack needs no data directory
    good = ok(nowhere("verify-pack", pack))
    assert good.stdout.splitlines()[-1].startswith("OK: ")
    as_json = json.loads(ok(nowhere("verify-pack", pack, "--json")).stdout)
    assert as_json["ok"] is True and as_json["exhibits"] > 10 and as_json["entries"] > 60

    edited = rezip(
        pack,
        tmp_path / "edited.zip",
        lambda name, data: data + b"!" if name.endswith("voicemail_transcript.txt") else data,
    )
    failed = nowhere("verify-pack", edited)
    assert failed.returncode == 1
    assert any(
        line.startswith("FAIL ") and "voicemail_transcript.txt" in line
        for line in failed.stdout.splitlines()
    )

    not_utf8 = rezip(
        pack,
        tmp_path / "manifest.zip",
        lambda name, data: (
            data.replace(b"data/", b"d\xffta/", 1)
            if name.endswith("/manifest-sha256.txt")
            else data
        ),
    )
    one_line_error(nowhere("verify-pack", not_utf8), "verify-pack:", "manifest.zip")
    not_a_pack = tmp_path / "notes.zip"
    not_a_pack.write_bytes(b"\xff\xfe not a zip")
    one_line_error(nowhere("verify-pack", not_a_pack), "verify-pack:", "notes.zip")
    identity = tmp_path / "identity.txt"
    identity.write_bytes(b"\xff\xfe")
    one_line_error(
        nowhere("verify-pack", pack, "--identity", identity), "identity:", "identity.txt"
    )
    one_line_error(nowhere("verify-pack", tmp_path / "missing.zip"), "'PATH'", "missing.zip")
    assert not (tmp_path / "no-data-dir").exists()


@usual("vault destroy")
@bad_input("vault destroy")
def test_vault_destroy(demo, tmp_path):
    one_line_error(demo("vault", "destroy", "--vault", "nope", "--yes"), "vault:", "'nope'")
    one_line_error(demo("vault", "destroy"), "stopped")  # no answer to "are you sure"
    assert len(json.loads(ok(demo("incident", "list", "--format", "json")).stdout)) == 63
    destroyed = ok(demo("vault", "destroy", "--yes"))
    assert "destroyed: its key is gone" in destroyed.stdout
    gone = demo("incident", "list", "--format", "json")
    assert gone.returncode == 1 and gone.stdout == "" and len(gone.stderr.splitlines()) == 1
    assert (
        "verified; content not checked: this vault's key was destroyed" in ok(demo("verify")).stdout
    )
