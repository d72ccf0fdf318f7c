"""BagIt 1.0 bags as we write them, checked by the Library of Congress ``bagit`` validator
(``bagit.py --validate``) and by our own ``check_bag``, which must agree on tampered bags."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cairn.packs.bag import BagError, BagWriter, check_bag, safe_file_name

BAGIT = str(Path(sys.executable).with_name("bagit.py"))


def write_sample(target: Path, *, zip_prefix: str | None = None) -> None:
    writer = BagWriter(target, zip_prefix=zip_prefix)
    writer.add_bytes("pack.json", b'{"format": "cairn-pack"}')
    writer.add("exhibits/AB-1 photo.jpg", (b"\xff\xd8\xff" + bytes(range(256)) * 40,))
    writer.add("exhibits/AB-2 notes.txt", (b"line one\n", b"line two\n"))
    writer.add_tag("VERIFY.txt", b"How to check this pack.\n")
    writer.finish([("Source-Organization", "Cairn test"), ("Bagging-Date", "2026-11-28")])


def bagit_validates(path: Path) -> tuple[bool, str]:
    done = subprocess.run([sys.executable, BAGIT, "--validate", str(path)],
                          capture_output=True, text=True, check=False)
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
    assert (bag / "bagit.txt").read_text() == ("BagIt-Version: 1.0\n"
                                               "Tag-File-Character-Encoding: UTF-8\n")
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
    problems = check_bag(bag)
    assert not ok
    assert [str(p) for p in problems] == [
        "data/exhibits/AB-1 photo.jpg: was changed: its SHA256 differs from manifest-sha256.txt"]


def test_a_removed_file_fails_both(bag):
    (bag / "data" / "exhibits" / "AB-1 photo.jpg").unlink()
    ok, _ = bagit_validates(bag)
    problems = [str(p) for p in check_bag(bag)]
    assert not ok
    assert ("data/exhibits/AB-1 photo.jpg: is listed in manifest-sha256.txt but missing "
            "(removed)") in problems
    assert any(p.startswith("bag-info.txt: Payload-Oxum") for p in problems)


def test_an_added_file_fails_both(bag):
    (bag / "data" / "exhibits" / "AB-9 extra.jpg").write_bytes(b"not in the pack")
    ok, _ = bagit_validates(bag)
    problems = [str(p) for p in check_bag(bag)]
    assert not ok
    assert "data/exhibits/AB-9 extra.jpg: is not listed in manifest-sha256.txt (added)" in problems


def test_an_edited_manifest_fails_both(bag):
    manifest = bag / "manifest-sha256.txt"
    lines = manifest.read_text().splitlines()
    # Someone swaps a file and "fixes" its line in the manifest to match.
    target = bag / "data" / "exhibits" / "AB-2 notes.txt"
    target.write_bytes(b"other words\n")
    import hashlib

    digest = hashlib.sha256(b"other words\n").hexdigest()
    manifest.write_text("\n".join(
        f"{digest}  data/exhibits/AB-2 notes.txt" if "AB-2" in line else line
        for line in lines) + "\n")
    ok, _ = bagit_validates(bag)
    problems = [str(p) for p in check_bag(bag)]
    assert not ok
    assert ("manifest-sha256.txt: was edited: its SHA256 differs from tagmanifest-sha256.txt"
            in problems)
    # The SHA-512 manifest still names the original content.
    assert ("data/exhibits/AB-2 notes.txt: was changed: its SHA512 differs from "
            "manifest-sha512.txt") in problems


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


@pytest.mark.parametrize(("name", "expected"), [
    ("photo.jpg", "photo.jpg"),
    ('a<b>c:d"e/f\\g|h?i*j%.txt', "a_b_c_d_e_f_g_h_i_j_.txt"),
    ("line\nbreak.txt", "line_break.txt"),
    ("  .hidden  ", "hidden"),
    ("", "file"),
])
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
