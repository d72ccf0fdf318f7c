"""BagIt 1.0 bags as we write them, checked by the Library of Congress ``bagit`` validator
(``bagit.py --validate``) and by our own ``check_bag``, which must agree on tampered bags."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cairn.packs.bag import BagError, BagWriter, check_bag, read_bag, safe_file_name

BAGIT = str(Path(sys.executable).with_name("bagit.py"))


def write_sample(target: Path, *, zip_prefix: str | None = None) -> None:
    writer = BagWriter(target, zip_prefix=zip_prefix)
    writer.add_bytes("pack.json", b'{"format": "cairn-pack"}')
    writer.add("exhibits/AB-1 photo.jpg", (b"\xff\xd8\xff" + bytes(range(256)) * 40,))
    writer.add("exhibits/AB-2 notes.txt", (b"line one\n", b"line two\n"))
    writer.add_tag("VERIFY.txt", b"How to check this pack.\n")
    writer.finish([("Source-Organization", "Cairn test"), ("Bagging-Date", "2026-11-28")])


def bagit_validates(path: Path) -> tuple[bool, str]:
    done = subprocess.run(
        [sys.executable, BAGIT, "--validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode == 0, done.stderr + done.stdout


@pytest.fixture
def bag(tmp_path):
    path = tmp_path / "bag"
    write_sample(path)
    return path


def test_our_bag_passes_the_bagit_validator_and_our_check(bag):
    ok, output = bagit_validates(bag)
    assert ok, output
    assert check_bag(bag) == []
    assert (bag / "bagit.txt").read_text() == (
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    )
    info = (bag / "bag-info.txt").read_text()
    assert "Payload-Oxum: " in info
    assert "data/exhibits/AB-2 notes.txt" in (bag / "manifest-sha256.txt").read_text()
    assert (bag / "tagmanifest-sha512.txt").exists()


def test_a_changed_file_fails_both(bag):
    target = bag / "data" / "exhibits" / "AB-1 photo.jpg"
    data = bytearray(target.read_bytes())
    data[10] ^= 1
    target.write_bytes(bytes(data))
    ok, _ = bagit_validates(bag)
    problems = [str(p) for p in check_bag(bag)]
    assert not ok
    assert problems == [
        "data/exhibits/AB-1 photo.jpg: was changed: its SHA256 differs from manifest-sha256.txt",
        "data/exhibits/AB-1 photo.jpg: was changed: its SHA512 differs from manifest-sha512.txt",
    ]


def test_a_removed_file_fails_both(bag):
    (bag / "data" / "exhibits" / "AB-1 photo.jpg").unlink()
    ok, _ = bagit_validates(bag)
    problems = [str(p) for p in check_bag(bag)]
    assert not ok
    assert (
        "data/exhibits/AB-1 photo.jpg: is listed in the payload manifests but missing (removed)"
    ) in problems
    assert any(p.startswith("bag-info.txt: Payload-Oxum") for p in problems)


def test_an_added_file_fails_both(bag):
    (bag / "data" / "exhibits" / "AB-9 extra.jpg").write_bytes(b"not in the pack")
    ok, _ = bagit_validates(bag)
    problems = [str(p) for p in check_bag(bag)]
    assert not ok
    assert (
        "data/exhibits/AB-9 extra.jpg: is not listed in the payload manifests (added)" in problems
    )


def test_an_edited_manifest_fails_both(bag):
    manifest = bag / "manifest-sha256.txt"
    lines = manifest.read_text().splitlines()
    # Someone swaps a file and "fixes" its line in the manifest to match.
    target = bag / "data" / "exhibits" / "AB-2 notes.txt"
    target.write_bytes(b"other words\n")
    import hashlib

    digest = hashlib.sha256(b"other words\n").hexdigest()
    manifest.write_text(
        "\n".join(
            f"{digest}  data/exhibits/AB-2 notes.txt" if "AB-2" in line else line for line in lines
        )
        + "\n"
    )
    ok, _ = bagit_validates(bag)
    problems = [str(p) for p in check_bag(bag)]
    assert not ok
    assert (
        "manifest-sha256.txt: was edited: its SHA256 differs from tagmanifest-sha256.txt"
        in problems
    )
    # The SHA-512 manifest still names the original content.
    assert (
        "data/exhibits/AB-2 notes.txt: was changed: its SHA512 differs from manifest-sha512.txt"
    ) in problems


def test_a_zipped_bag_unpacks_to_the_same_valid_bag(tmp_path):
    write_sample(tmp_path / "pack.zip", zip_prefix="pack")
    with zipfile.ZipFile(tmp_path / "pack.zip") as archive:
        names = archive.namelist()
        assert all(name.startswith("pack/") for name in names)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        archive.extractall(tmp_path / "out")
    ok, output = bagit_validates(tmp_path / "out" / "pack")
    assert ok, output
    assert check_bag(tmp_path / "out" / "pack") == []


def test_two_bags_of_the_same_content_are_the_same_bytes(tmp_path):
    write_sample(tmp_path / "a.zip", zip_prefix="pack")
    write_sample(tmp_path / "b.zip", zip_prefix="pack")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_the_writer_refuses_unsafe_paths_and_a_full_folder(tmp_path):
    writer = BagWriter(tmp_path / "bag")
    for bad in ("../escape.txt", "/etc/passwd", "a/./b", "a//b", ""):
        with pytest.raises(BagError):
            writer.add_bytes(bad, b"x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    with pytest.raises(BagError):
        BagWriter(tmp_path / "full")


def test_check_bag_refuses_what_is_not_a_bag(tmp_path):
    with pytest.raises(BagError, match=r"bagit\.txt is missing"):
        check_bag(tmp_path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.jpg", "photo.jpg"),
        ('a<b>c:d"e/f\\g|h?i*j%.txt', "a_b_c_d_e_f_g_h_i_j_.txt"),
        ("line\nbreak.txt", "line_break.txt"),
        ("  .hidden  ", "hidden"),
        ("", "file"),
    ],
)
def test_safe_file_names(name, expected):
    assert safe_file_name(name) == expected


def test_long_names_keep_their_suffix():
    name = safe_file_name("x" * 300 + ".jpeg")
    assert len(name) == 120 and name.endswith(".jpeg")
    assert os.sep not in name


def test_manifest_paths_are_percent_encoded_as_rfc_8493_says():
    from cairn.packs.bag import decode_path, encode_path

    assert encode_path("a%b\nc\rd") == "a%25b%0Ac%0Dd"
    assert decode_path(encode_path("a%b\nc\rd%0A")) == "a%b\nc\rd%0A"


# --- reading any bag: the Library of Congress conformance suite -------------------------------

SUITE = Path(__file__).parent / "fixtures" / "third_party" / "bagit-conformance-suite"


def _suite(*kinds: str) -> list[Path]:
    return sorted(path for kind in kinds for path in SUITE.glob(f"v*/{kind}/*") if path.is_dir())


VALID = _suite("valid")
INVALID = _suite("invalid", "linux-only")  # the suite's README: linux-only bags are invalid here
OTHER = _suite("warning", "windows-only")  # valid with a warning, or invalid only on Windows


def _name(path: Path) -> str:
    return path.relative_to(SUITE).as_posix()


def test_the_suite_is_all_there():
    assert len(VALID) == 27 and len(INVALID) == 21 and len(OTHER) == 12


@pytest.mark.parametrize("path", VALID, ids=_name)
def test_every_valid_bag_of_the_suite_is_read_as_a_valid_bag(path):
    reading = read_bag(path)
    assert reading.problems == []
    assert reading.version == _name(path).split("/")[0].removeprefix("v")


def _refusal(path: Path) -> str:
    try:
        reading = read_bag(path)
    except BagError as exc:
        return str(exc)
    assert reading.problems, "an invalid bag was read as valid"
    return str(reading.problems[0])


@pytest.mark.parametrize("path", INVALID, ids=_name)
def test_every_invalid_bag_of_the_suite_is_refused_with_a_one_line_reason(path):
    message = _refusal(path)
    assert message and "\n" not in message
    assert str(SUITE) not in message  # named within the bag, not by where it was unpacked


@pytest.mark.parametrize("path", OTHER, ids=_name)
def test_warning_and_windows_bags_are_read_or_refused_cleanly(path):
    try:
        read_bag(path)
    except BagError as exc:
        assert "\n" not in str(exc)


def entry_point() -> list[str]:
    script = Path(sys.executable).with_name("cairn")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cairn.cli.main"]


def verify_pack_command(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The installed ``cairn verify-pack``, as a court's expert would run it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CAIRN_", "DATABASE_URL", "DJANGO_"))
    }
    env["CAIRN_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [*entry_point(), "verify-pack", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_verify_pack_tells_a_valid_bag_from_a_pack_and_refuses_invalid_bags(tmp_path):
    """Every bag of the suite through the installed command: a valid bag is "a valid BagIt
    bag, but not a Cairn evidence pack"; an invalid one is refused as such; one line on
    stderr, exit status 1, never a traceback."""
    for path in VALID + INVALID + OTHER:
        done = verify_pack_command(path, tmp_path)
        name = _name(path)
        assert done.returncode == 1, name
        assert "Traceback" not in done.stdout + done.stderr, name
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"cairn: verify-pack: {path.name}: "), (
            name,
            done.stderr,
        )
        if path in VALID:
            assert "a valid BagIt bag, but not a Cairn evidence pack" in lines[0], name
        elif path in INVALID:
            assert (
                "not a valid BagIt bag" in lines[0]
                or "nor a valid BagIt bag" in lines[0]
                or "not a BagIt bag" in lines[0]
            ), (name, lines[0])


# --- bytes that are not the text a tag file declares ------------------------------------------


def test_a_manifest_with_a_byte_that_is_not_utf8_is_refused_naming_it(bag, tmp_path):
    manifest = bag / "manifest-sha256.txt"
    lines = manifest.read_bytes().split(b"\n")
    number = next(n for n, line in enumerate(lines, 1) if b"notes" in line)
    lines[number - 1] = lines[number - 1].replace(b"notes", b"not\xffes")
    manifest.write_bytes(b"\n".join(lines))
    with pytest.raises(
        BagError,
        match=r"^manifest-sha256\.txt is not UTF-8 text, as bagit\.txt "
        rf"declares \(byte \d+, on line {number}\)$",
    ):
        read_bag(bag)
    done = verify_pack_command(bag, tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("cairn: verify-pack: bag: manifest-sha256.txt is not UTF-8")


def test_utf16_tag_files_are_read_and_broken_ones_refused(bag, tmp_path):
    """Our sample re-encoded as a BagIt 0.97 bag whose tag files are UTF-16, as RFC 8493 (and
    the suite's UTF-16 bag) allow: read as valid; then one manifest cut to an odd length."""
    texts = {
        name: (bag / name).read_text(encoding="utf-8")
        for name in ("bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt")
    }
    (bag / "bagit.txt").write_text("BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-16\n")
    for name, text in texts.items():
        (bag / name).write_bytes(text.encode("utf-16"))
    for name in ("tagmanifest-sha256.txt", "tagmanifest-sha512.txt"):
        (bag / name).unlink()
    assert read_bag(bag).problems == []
    manifest = bag / "manifest-sha256.txt"
    manifest.write_bytes(manifest.read_bytes()[:-1])
    with pytest.raises(BagError, match=r"^manifest-sha256\.txt is not UTF-16 text"):
        read_bag(bag)
    done = verify_pack_command(bag, tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "manifest-sha256.txt is not UTF-16 text" in done.stderr


@pytest.mark.parametrize(
    "declaration",
    [
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: KLINGON-8\n",
        b"BagIt-Version: one\nTag-File-Character-Encoding: UTF-8\n",
        b"\xff\xfeB\x00",
        b"",
        b"BagIt-Version: 1.0\n" * 1000,
    ],
)
def test_a_broken_declaration_is_refused_in_one_line(bag, declaration):
    (bag / "bagit.txt").write_bytes(declaration)
    with pytest.raises(BagError) as caught:
        read_bag(bag)
    assert "bagit.txt" in str(caught.value) and "\n" not in str(caught.value)


def test_a_malformed_manifest_line_is_named(bag):
    manifest = bag / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text() + "not-a-checksum\n")
    problems = [str(p) for p in check_bag(bag)]
    assert "manifest-sha256.txt, line 4: is not `checksum path`" in problems
