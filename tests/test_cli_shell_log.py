"""The log's commands from a shell: incidents, exhibits, persons, imports, the analysis, flags
and the phone and account checks, run as the installed ``cairn`` on a copy of the demo data
directory (``tests/shell.py``). The README's own examples are among them."""

from __future__ import annotations

import json
import os
import re
import zipfile
from datetime import date, timedelta

import pytest

from tests.shell import THIRD_PARTY, DataDir, bad_input, ok, one_line_error, usual

INDICATORS = THIRD_PARTY / "stalkerware-indicators"
WHATSAPP = THIRD_PARTY / "chat-miner" / "whatsapp" / "test_ddmmyy_24hrs.txt"


@pytest.fixture
def demo(shell_demo):
    return shell_demo


def incidents(data: DataDir) -> list[dict]:
    return json.loads(ok(data("incident", "list", "--format", "json")).stdout)


# --- incidents --------------------------------------------------------------------------------


@usual("incident add")
@bad_input("incident add")
def test_incident_add_as_the_readme_shows(demo):
    before = len(incidents(demo))
    added = ok(
        demo(
            "incident",
            "add",
            "--start",
            "2025-11-20T08:10",
            "--channel",
            "in_person",
            "--acts",
            "a,e",
            "--description",
            "He was at the bus stop again",
            "--suspect",
            "Mark",
        )
    )
    assert f"Logged incident {before + 1} " in added.stdout
    one_line_error(
        demo(
            "incident",
            "add",
            "--start",
            "2025-11-20T08:10",
            "--channel",
            "in_person",
            "--acts",
            "q",
        ),
        "acts:",
        "'q'",
    )
    one_line_error(
        demo(
            "incident",
            "add",
            "--start",
            "2025-03-30T01:30",
            "--channel",
            "in_person",
            "--acts",
            "a",
        ),
        "start:",
        "clocks went forward",
    )
    one_line_error(
        demo("incident", "add", "--start", "2025-11-20", "--channel", "telepathy", "--acts", "a"),
        "channel:",
    )
    latin1 = os.fsdecode(b"caf\xe9")  # typed in a terminal that is not UTF-8
    one_line_error(
        demo(
            "incident",
            "add",
            "--start",
            "2025-11-20",
            "--channel",
            "in_person",
            "--acts",
            "a",
            "--description",
            latin1,
        ),
        "description:",
        "not UTF-8",
    )
    one_line_error(
        demo(
            "incident",
            "add",
            "--start",
            "2025-11-20",
            "--channel",
            "in_person",
            "--acts",
            "a",
            "--suspect",
            latin1,
        ),
        "suspect:",
        "not UTF-8",
    )
    rows = incidents(demo)
    assert len(rows) == before + 1  # the refusals stored nothing
    [row] = [row for row in rows if row["number"] == before + 1]
    assert row["description"] == "He was at the bus stop again"
    assert row["start"] == "2025-11-20T08:10:00Z" and "Mark" in row["suspects"]


@usual("incident list", "incident show")
@bad_input("incident list", "incident show")
def test_incident_list_and_show(demo):
    as_json, as_csv, table, filtered, shown, bad_from, bad_act, unknown = demo.run_all(
        ("incident", "list", "--format", "json"),
        ("incident", "list", "--format", "csv"),
        ("incident", "list"),
        ("incident", "list", "--act", "e", "--format", "json"),
        ("incident", "show", "1"),
        ("incident", "list", "--from", "tomorrow"),
        ("incident", "list", "--act", "z"),
        ("incident", "show", "zzz"),
    )
    rows = json.loads(ok(as_json).stdout)
    assert len(rows) == 63 and rows[0]["number"] == 1
    assert len(ok(as_csv).stdout.splitlines()) > 63
    assert "Incidents in" in ok(table).stdout
    assert all("e" in row["acts"] for row in json.loads(ok(filtered).stdout))
    assert ok(shown).stdout.startswith("Incident 1 ")
    one_line_error(bad_from, "from:", "'tomorrow'")
    one_line_error(bad_act, "act:", "'z'")
    one_line_error(unknown, "incident:", "'zzz'")


# --- exhibits and persons ---------------------------------------------------------------------


@usual("exhibit add")
@bad_input("exhibit add")
def test_exhibit_add_keeps_a_camera_photo(demo, tmp_path):
    photo = tmp_path / "screenshot.jpg"
    photo.write_bytes((THIRD_PARTY / "exif-py" / "gps" / "DSCN0010.jpg").read_bytes())
    added = ok(demo("exhibit", "add", photo, "--incident", "1", "--description", "At the gate"))
    reference = re.match(r"Added exhibit (AM/\d+) \(image/jpeg", added.stdout)[1]
    assert "to incident 1" in added.stdout
    empty_file = tmp_path / "empty.png"
    empty_file.write_bytes(b"")
    one_line_error(demo("exhibit", "add", empty_file), "file:", "empty")
    one_line_error(demo("exhibit", "add", photo, "--incident", "999"), "incident:", "'999'")
    one_line_error(
        demo("exhibit", "add", photo, "--captured-at", "yesterday"), "captured-at:", "'yesterday'"
    )
    one_line_error(demo("exhibit", "add", tmp_path / "missing.jpg"), "'FILE'", "missing.jpg")
    kept = [
        line.split()[0]
        for line in ok(demo("incident", "show", "1")).stdout.splitlines()
        if line.startswith("  AM/")
    ]
    assert kept[-1] == reference  # the refusals kept nothing
    latin1 = tmp_path / os.fsdecode(b"caf\xe9.jpg")  # a name written on a Latin-1 system
    latin1.write_bytes(photo.read_bytes() + b"\0")
    ok(demo("exhibit", "add", latin1, "--incident", "1"))
    assert "caf\ufffd.jpg  image/jpeg" in ok(demo("incident", "show", "1")).stdout


@usual("exhibit redact")
@bad_input("exhibit redact")
def test_exhibit_redact(demo):
    made = ok(demo("exhibit", "redact", "AM/1", "--rect", "0,0,40,20"))
    assert re.match(r"Made exhibit AM/\d+, a redacted copy of AM/1 \(1 area covered\)", made.stdout)
    one_line_error(demo("exhibit", "redact", "AM/1", "--rect", "0,0,-1,5"), "rect:")
    one_line_error(demo("exhibit", "redact", "AM/99", "--rect", "0,0,4,4"), "exhibit:", "AM/99")
    one_line_error(demo("exhibit", "redact", "AM/1"), "--rect", "--hide")


@usual("person add", "person list")
@bad_input("person add", "person list")
def test_person_add_and_list(demo):
    added = ok(
        demo("person", "add", "Mark", "--relationship", "ex_colleague", "--phone", "07700 900123")
    )
    assert added.stdout.startswith("Added Mark, the person doing this (id ")
    one_line_error(demo("person", "add", "X", "--phone", "abc"), "phone 'abc':")
    one_line_error(demo("person", "add", "Y", "--relationship", "boss"), "relationship:")
    listed, refused = demo.run_all(
        ("person", "list", "--format", "json"), ("person", "list", "--format", "xml")
    )
    names = [row["name"] for row in json.loads(ok(listed).stdout)]
    assert "Mark" in names and "X" not in names and "Y" not in names
    one_line_error(refused, "'--format'")


@usual("person together", "person apart")
@bad_input("person together", "person apart")
def test_person_together_and_apart_as_the_readme_shows(demo):
    def people() -> list[list[str]]:
        analysis = json.loads(ok(demo("analyse", "--json")).stdout)
        return sorted(sorted(p["subject"]["names"]) for p in analysis["people"])

    ok(
        demo(
            "incident",
            "add",
            "--start",
            "2026-11-30T10:00",
            "--channel",
            "phone_call",
            "--acts",
            "b",
            "--description",
            "A call from a withheld number",
            "--suspect",
            "Unknown number",
        )
    )
    before = people()
    assert ["Unknown number"] in before and ["Mark Ellis"] in before
    together = ok(demo("person", "together", "Unknown number", "Mark Ellis", "--as", "same_person"))
    assert together.stdout.strip() == "Saved: Unknown number is the same person as Mark Ellis."
    assert ["Mark Ellis", "Unknown number"] in people()
    one_line_error(
        demo("person", "together", "Mark Ellis", "Nobody", "--as", "same_person"),
        "person 'Nobody':",
    )
    one_line_error(
        demo("person", "together", "Mark Ellis", "Unknown number", "--as", "cousins"), "--as"
    )
    apart = ok(demo("person", "apart", "Unknown number"))
    assert apart.stdout.strip() == "Saved: Unknown number is analysed on their own again."
    assert people() == before
    one_line_error(demo("person", "apart", "Nobody"), "person 'Nobody':")


# --- imports ----------------------------------------------------------------------------------


@usual("import run", "import accept")
@bad_input("import run", "import accept")
def test_import_a_real_whatsapp_export_and_accept_it(demo, tmp_path):
    """chat-miner's WhatsApp sample, zipped with a photo as the phone exports it."""
    export = tmp_path / "WhatsApp Chat with Mark.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.write(WHATSAPP, "WhatsApp Chat with Mark.txt")
        archive.write(THIRD_PARTY / "exif-py" / "gps" / "DSCN0010.jpg", "IMG-20200120-WA0001.jpg")
    imported = ok(demo("import", "WhatsApp Chat with Mark.zip", cwd=tmp_path))
    assert "Import 1 " in imported.stdout and "Format: whatsapp" in imported.stdout
    assert "Proposed incidents: 6" in imported.stdout
    assert "Accept them with: cairn import accept 1 --all" in imported.stdout
    accepted = ok(demo("import", "accept", "1", "--all"))
    assert accepted.stdout == "Logged 6 incidents: 64-69.\n"
    assert ok(demo("import", "accept", "1", "--all")).stdout == (
        "Nothing was waiting to be accepted.\n"
    )
    one_line_error(demo("import", "accept", "99", "--all"), "batch:", "'99'")
    one_line_error(demo("import", "accept", "1"), "accept:", "--all")
    unknown = tmp_path / "notes.bin"
    unknown.write_bytes(b"\xff\xfe\x00garbage")
    one_line_error(demo("import", unknown), "import:", "notes.bin")
    one_line_error(demo("import", unknown, "--format", "whatsapp"), "import:", "notes.bin")
    one_line_error(demo("import", export, "--tz", "Mars/Base"), "tz:", "Mars/Base")


def test_accepting_many_proposals_prints_ranges_not_every_number(demo, tmp_path):
    count = 300  # one proposal a day; 10,000 behave the same and take a minute to log
    first = date(2021, 1, 1)  # WhatsApp dates before 2009 are asked about, not read
    export = tmp_path / "WhatsApp Chat with Mark.txt"
    export.write_text(
        "".join(
            f"{first + timedelta(days=i):%d/%m/%Y}, 21:{i % 60:02d} - Mark: message {i}\n"
            for i in range(count)
        ),
        encoding="utf-8",
    )
    imported = ok(demo("import", export))
    assert len(imported.stdout.splitlines()) < 80  # a table of the first proposals only
    assert f"and {count - 50} more proposals (51-{count})" in imported.stdout
    accepted = ok(demo("import", "accept", "1", "--all"))
    assert accepted.stdout == f"Logged {count} incidents: 64-{63 + count}.\n"


# --- the analysis and the flags ---------------------------------------------------------------


@usual("analyse", "flags")
@bad_input("analyse", "flags")
def test_analyse_and_flags_on_the_demo(demo):
    as_json, text, flags, leads, bad_now, bad_vault, bad_kind = demo.run_all(
        ("analyse", "--json"),
        ("analyse",),
        ("flags",),
        ("flags", "--leads"),
        ("analyse", "--now", "soon"),
        ("analyse", "--vault", "nope"),
        ("flags", "--kind", "nope"),
    )
    analysis = json.loads(ok(as_json).stdout)
    assert analysis["incident_count"] == 63
    assert [person["threshold"] for person in analysis["people"]]
    assert "SPO threshold" in ok(text).stdout
    assert "flagged item" in ok(flags).stdout
    assert "between accounts (leads, not proof)" in ok(leads).stdout
    one_line_error(bad_now, "now:")
    one_line_error(bad_vault, "vault:", "'nope'")
    one_line_error(bad_kind, "kind:", "'nope'")


# --- the phone and account checks -------------------------------------------------------------


@usual("indicators update", "check apps")
@bad_input("indicators update", "check apps")
def test_indicators_and_the_phone_check(demo, tmp_path):
    binary = tmp_path / "apps.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")  # a screenshot, not a list
    apps = tmp_path / "packages.txt"
    apps.write_text("package:com.android.chrome\npackage:com.apspy.app\n", encoding="utf-8")
    # Out of the box: `cairn demo` loaded the indicators that ship with Cairn (issue 16).
    first = json.loads(ok(demo("check", "apps", apps, "--json")).stdout)
    assert [match["item"] for match in first["matches"]] == ["com.apspy.app"]
    assert first["indicators"]["date"] == "2026-06-21"
    one_line_error(demo("indicators", "update", "--file", binary), "apps.bin")
    one_line_error(
        demo("indicators", "update", "--file", INDICATORS / "ioc.yaml", "--date", "2026-13-01"),
        "date:",
        "'2026-13-01'",
    )
    loaded = ok(
        demo(
            "indicators",
            "update",
            "--file",
            INDICATORS / "ioc.yaml",
            "--file",
            INDICATORS / "watchware.yaml",
        )
    )
    assert loaded.stdout.startswith("Loaded ") and "Echap" in loaded.stdout
    checked = ok(demo("check", "apps", apps, "--json"))
    result = json.loads(checked.stdout)
    assert [match["item"] for match in result["matches"]] == ["com.apspy.app"]
    assert "talk to a stalking advocate first" in checked.stderr.lower()
    saved = ok(demo("check", "apps", apps, "--save"))
    assert "Saved as incident 64" in saved.stdout
    one_line_error(demo("check", "apps", binary), "apps.bin")


@usual("check accounts")
@bad_input("check accounts")
def test_the_account_check(demo, tmp_path):
    export = tmp_path / "account_activity.json"
    export.write_text(
        json.dumps(
            {
                "account_activity_v2": [
                    {
                        "action": "Login",
                        "timestamp": 1_736_071_200,
                        "ip_address": "192.0.2.1",
                        "user_agent": "",
                        "city": "Leeds",
                        "region": "",
                        "country": "GB",
                        "site_name": "Facebook",
                    },
                    {
                        "action": "Login",
                        "timestamp": 1_736_244_000,
                        "ip_address": "198.51.100.99",
                        "user_agent": "",
                        "city": "Hull",
                        "region": "",
                        "country": "GB",
                        "site_name": "Facebook",
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    checked = json.loads(
        ok(demo("check", "accounts", export, "--usual-place", "Leeds, GB", "--json")).stdout
    )
    assert [s["ip"] for s in checked["unexplained"]] == ["198.51.100.99"]
    table = ok(demo("check", "accounts", export))
    assert "198.51.100.99" in table.stdout and "192.0.2.1" not in table.stdout
    not_an_export = tmp_path / "notes.txt"
    not_an_export.write_text("com.android.chrome\n", encoding="utf-8")
    one_line_error(demo("check", "accounts", not_an_export), "notes.txt")
