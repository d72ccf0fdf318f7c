"""The ``cairn`` command, through its stable interface: the click group in-process (on the
test database) and the installed entry point as a subprocess (on a data dir of its own)."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from cairn.accounts.models import User
from cairn.audit.models import AuditRecord
from cairn.cli import output
from cairn.cli.main import cli
from cairn.law.pha1997 import ACTS_BY_CODE
from cairn.vault import services
from cairn.vault.choices import ExhibitSource
from cairn.vault.models import Exhibit, Incident, Person, Vault
from tests.factories import make_incident, make_vault

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # Argon2 costs most of a second per user; what is tested here is the CLI, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cairn():
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, [str(arg) for arg in args], input=input)

    return invoke


def assert_ok(result):
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def assert_one_line_error(result, *fragments):
    """Refused: a non-zero exit, one ``cairn: ...`` line on stderr, no traceback."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("cairn: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def listed(cairn, *args):
    return json.loads(assert_ok(cairn(*args, "incident", "list", "--format", "json")).stdout)


def add_incident(cairn, *args):
    return assert_ok(cairn("incident", "add", "--channel", "in_person", "--acts", "a", *args))


def evidence_files(settings):
    root = Path(settings.CAIRN_EVIDENCE_DIR)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- the group ----------------------------------------------------------------------------


def test_help_lists_every_command(cairn):
    result = assert_ok(cairn("--help"))
    for command in (
        "serve",
        "demo",
        "vault",
        "incident",
        "exhibit",
        "person",
        "user",
        "import",
        "analyse",
        "pack",
        "verify-pack",
        "verify",
        "checkpoint",
    ):
        assert command in result.stdout
    assert "--vault" in result.stdout


@pytest.mark.parametrize(
    "group, commands",
    [
        ("vault", ["create", "list"]),
        ("incident", ["add", "list", "show"]),
        ("exhibit", ["add", "redact"]),
        ("person", ["add", "list"]),
        ("user", ["set-password"]),
    ],
)
def test_each_group_lists_its_commands(cairn, group, commands):
    result = assert_ok(cairn(group, "--help"))
    for command in commands:
        assert command in result.stdout


def test_a_usage_error_is_one_line_naming_the_help(cairn, db):
    line = assert_one_line_error(cairn("incident", "add", "--start", "2025-03-01"), "--channel")
    assert "cairn incident add --help" in line


# --- vaults and users ---------------------------------------------------------------------


def test_vault_create_makes_a_local_user_without_a_password(cairn, db):
    result = assert_ok(cairn("vault", "create", "My log", "--initials", "ab", "--owner", "alex"))
    vault = Vault.objects.get()
    assert str(vault.pk) in result.stdout
    assert vault.owner.username == "alex"
    assert vault.initials == "AB"
    assert vault.time_zone == "Europe/London"
    assert not vault.owner.has_usable_password()
    assert "cairn user set-password alex" in result.stdout
    assert AuditRecord.objects.filter(action="vault.created", actor=vault.owner).exists()


def test_vault_create_reuses_an_existing_user(cairn, owner):
    result = assert_ok(
        cairn(
            "vault",
            "create",
            "Second",
            "--initials",
            "CD",
            "--owner",
            "owner",
            "--tz",
            "America/New_York",
        )
    )
    assert "set-password" not in result.stdout
    vault = Vault.objects.get(name="Second")
    assert vault.owner == owner
    assert vault.time_zone == "America/New_York"
    assert User.objects.count() == 1


def test_vault_create_without_owner_uses_the_login_name(cairn, db, monkeypatch):
    monkeypatch.setattr("cairn.cli.vaults.getpass.getuser", lambda: "kim")
    assert_ok(cairn("vault", "create", "Log", "--initials", "K"))
    assert Vault.objects.get().owner.username == "kim"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--initials", "4!", "--owner", "newcomer"], "initials: Initials must be 1 to 4 letters"),
        (
            ["--initials", "AB", "--tz", "Mars/Base", "--owner", "newcomer"],
            "tz: unknown time zone 'Mars/Base'",
        ),
        (["--initials", "AB", "--owner", "no spaces allowed"], "username:"),
    ],
)
def test_a_refused_vault_leaves_no_vault_and_no_user(cairn, db, args, fragment):
    assert_one_line_error(cairn("vault", "create", "Log", *args), fragment)
    assert Vault.objects.count() == 0
    assert User.objects.count() == 0


def test_vault_list_gives_id_name_initials_zone_and_incident_count(cairn, vault, other_vault):
    make_incident(vault)
    deleted = make_incident(vault)
    services.delete_incident(actor=vault.owner, incident=deleted)
    rows = json.loads(assert_ok(cairn("vault", "list", "--format", "json")).stdout)
    by_id = {row["id"]: row for row in rows}
    assert by_id[str(vault.pk)] == {
        "id": str(vault.pk),
        "name": "My log",
        "initials": "AB",
        "time_zone": "Europe/London",
        "owner": "owner",
        "incidents": 1,
    }
    assert by_id[str(other_vault.pk)]["incidents"] == 0
    table = assert_ok(cairn("vault", "list")).stdout
    assert str(vault.pk) in table
    assert "Sam's log" in table


def test_set_password_from_a_file_lets_the_user_sign_in(cairn, tmp_path, owner):
    secret = tmp_path / "password"
    secret.write_text("a long and unusual passphrase\n", encoding="utf-8")
    assert_ok(cairn("user", "set-password", "owner", "--password-file", secret))
    owner.refresh_from_db()
    assert owner.check_password("a long and unusual passphrase")


def test_set_password_asks_twice_without_echoing(cairn, owner):
    result = assert_ok(
        cairn("user", "set-password", "owner", input="quiet river stones\nquiet river stones\n")
    )
    assert "quiet river stones" not in result.output
    owner.refresh_from_db()
    assert owner.check_password("quiet river stones")


def test_set_password_refuses_a_weak_password(cairn, tmp_path, owner, password):
    secret = tmp_path / "password"
    secret.write_text("short\n", encoding="utf-8")
    result = cairn("user", "set-password", "owner", "--password-file", secret)
    assert result.exit_code != 0
    assert all(line.startswith("cairn: password: ") for line in result.stderr.splitlines())
    owner.refresh_from_db()
    assert owner.check_password(password)


def test_set_password_for_an_unknown_user_is_refused(cairn, db, tmp_path):
    secret = tmp_path / "password"
    secret.write_text("a long and unusual passphrase\n", encoding="utf-8")
    assert_one_line_error(
        cairn("user", "set-password", "nobody", "--password-file", secret), "nobody"
    )


# --- choosing the vault -------------------------------------------------------------------


def test_with_one_vault_the_vault_may_be_left_out(cairn, vault):
    add_incident(cairn, "--start", "2025-03-01T10:00")
    assert Incident.objects.get().vault == vault


def test_with_no_vault_the_error_says_how_to_make_one(cairn, db):
    assert_one_line_error(cairn("incident", "list"), "cairn vault create")


def test_with_several_vaults_the_error_says_how_to_choose(cairn, vault, other_vault):
    line = assert_one_line_error(cairn("incident", "list"), "2 vaults", "--vault")
    assert "cairn vault list" in line
    assert "Sam" not in line and "My log" not in line


@pytest.mark.parametrize("where", ["group", "command"])
@pytest.mark.parametrize("how", ["name", "id", "prefix"])
def test_vault_can_be_chosen_by_name_id_or_prefix(cairn, vault, other_vault, where, how):
    ref = {"name": "sam's LOG", "id": str(other_vault.pk), "prefix": str(other_vault.pk)[:8]}[how]
    args = [
        "incident",
        "add",
        "--channel",
        "in_person",
        "--acts",
        "a",
        "--start",
        "2025-03-01T10:00",
    ]
    if where == "group":
        assert_ok(cairn("--vault", ref, *args))
    else:
        assert_ok(cairn(*args, "--vault", ref))
    assert Incident.objects.get().vault == other_vault


def test_the_command_vault_wins_over_the_group_vault(cairn, vault, other_vault):
    make_incident(other_vault)
    result = assert_ok(
        cairn(
            "--vault",
            "My log",
            "incident",
            "list",
            "--vault",
            str(other_vault.pk),
            "--format",
            "json",
        )
    )
    assert len(json.loads(result.stdout)) == 1


def test_an_unknown_vault_is_one_line(cairn, vault):
    assert_one_line_error(cairn("--vault", "nope", "incident", "list"), "vault:", "'nope'")


# --- incident add: times and zones --------------------------------------------------------


def test_a_local_time_in_summer_is_stored_an_hour_earlier_in_utc(cairn, vault):
    result = add_incident(cairn, "--start", "2025-07-01T14:00", "--end", "2025-07-01 14:20")
    incident = Incident.objects.get()
    assert f"Logged incident {incident.number} (id {incident.pk})" in result.stdout
    assert incident.start == utc(2025, 7, 1, 13, 0)
    assert incident.end == utc(2025, 7, 1, 13, 20)
    assert incident.precision == "exact"


def test_a_local_time_in_winter_is_stored_as_is_in_utc(cairn, vault):
    add_incident(cairn, "--start", "2025-01-15T14:00")
    assert Incident.objects.get().start == utc(2025, 1, 15, 14, 0)


def test_a_time_with_an_offset_keeps_its_offset(cairn, vault):
    add_incident(cairn, "--start", "2025-07-01T14:00+02:00", "--end", "2025-07-01T12:30Z")
    incident = Incident.objects.get()
    assert incident.start == utc(2025, 7, 1, 12, 0)
    assert incident.end == utc(2025, 7, 1, 12, 30)


def test_a_repeated_hour_when_the_clocks_go_back_is_the_first_one(cairn, vault):
    add_incident(cairn, "--start", "2025-10-26T01:30")
    assert Incident.objects.get().start == utc(2025, 10, 26, 0, 30)  # still BST


def test_a_date_alone_means_that_local_day(cairn, vault):
    add_incident(cairn, "--start", "2025-07-01")
    incident = Incident.objects.get()
    assert incident.precision == "day"
    assert incident.start == utc(2025, 6, 30, 23, 0)  # midnight BST
    assert incident.end == utc(2025, 7, 1, 22, 59, 59)


def test_a_date_alone_with_overnight_runs_from_evening_to_morning(cairn, vault):
    add_incident(cairn, "--start", "2025-01-10", "--precision", "overnight")
    incident = Incident.objects.get()
    assert (incident.start, incident.end) == (utc(2025, 1, 10, 18), utc(2025, 1, 11, 9))
    assert incident.precision == "overnight"


def test_a_date_range_covers_whole_local_days(cairn, vault):
    add_incident(cairn, "--start", "2025-03-01", "--end", "2025-03-03")
    incident = Incident.objects.get()
    assert incident.precision == "day"
    assert (incident.start, incident.end) == (utc(2025, 3, 1), utc(2025, 3, 3, 23, 59, 59))


def test_an_explicit_precision_is_kept(cairn, vault):
    add_incident(cairn, "--start", "2025-03-01T14:00", "--precision", "hour")
    assert Incident.objects.get().precision == "hour"


def test_times_are_read_in_the_vaults_own_zone(cairn, owner):
    make_vault(owner, name="NY", initials="NY", time_zone="America/New_York")
    add_incident(cairn, "--start", "2025-07-01T09:00")
    assert Incident.objects.get().start == utc(2025, 7, 1, 13, 0)  # EDT is UTC-4


def test_every_field_of_an_incident_is_stored(cairn, vault):
    add_incident(
        cairn,
        "--start",
        "2025-03-01T09:00",
        "--acts",
        "a,e,other",
        "--other-act",
        "Left flowers",
        "--description",
        "At the gate",
        "--location",
        "Home",
        "--feared-violence",
        "--when-words",
        "before work",
        "--impact",
        "I changed my route",
        "--witnesses",
        "A neighbour",
        "--reported-to-police",
        "--police-reference",
        "REF/1",
        "--channel",
        "property",
    )
    incident = Incident.objects.get()
    assert incident.act_codes == ["a", "e", "other"]
    assert incident.channel == "property"
    assert (incident.other_act, incident.description, incident.location) == (
        "Left flowers",
        "At the gate",
        "Home",
    )
    assert incident.feared_violence and incident.reported_to_police
    assert (
        incident.when_words,
        incident.impact,
        incident.witnesses,
        incident.police_reference,
    ) == ("before work", "I changed my route", "A neighbour", "REF/1")
    assert incident.recorded_by == vault.owner


def test_a_suspect_is_linked_by_name_or_alias_or_added(cairn, vault):
    mark = services.create_person(
        actor=vault.owner, vault=vault, name="Mark Smith", aliases=["Smithy"]
    )
    result = add_incident(
        cairn,
        "--start",
        "2025-03-01T09:00",
        "--suspect",
        "mark smith",
        "--suspect",
        "SMITHY",
        "--suspect",
        "Man in red car",
    )
    incident = Incident.objects.get()
    new = next(p for p in Person.objects.all() if p.name == "Man in red car")
    assert new.role == "suspect"
    assert set(incident.persons.all()) == {mark, new}
    assert "Added Man in red car to the vault as a suspect." in result.stdout


BAD_INCIDENTS = [
    (
        ["--start", "2025-07-01T14:00", "--end", "2025-07-01T13:00"],
        "end: The end must be after the start",
    ),
    (["--start", "2025-13-01"], "start: '2025-13-01' is not a date or time"),
    (["--start", "2025-03-01", "--end", "soon"], "end: 'soon' is not a date or time"),
    (["--start", "2025-03-30T01:30"], "did not happen in Europe/London"),
    (["--start", "2025-03-01", "--acts", "a,z"], "acts: unknown act code 'z'"),
    (["--start", "2025-03-01", "--channel", "pigeon"], "channel: Choose how it happened"),
    (["--start", "2099-03-01T10:00"], "start: The date cannot be in the future"),
    (["--start", "2025-03-01", "--police-reference", "X1"], "police-reference:"),
    (["--start", "2025-03-01", "--acts", "other"], "other-act: Say what the other act was"),
    (["--start", "2025-03-01", "--precision", "roughly"], "--precision"),
]


@pytest.mark.parametrize("args, fragment", BAD_INCIDENTS)
def test_a_refused_incident_is_one_line_and_stores_nothing(cairn, vault, args, fragment):
    base = {"--channel": "in_person", "--acts": "a"}
    for option, value in base.items():
        if option not in args:
            args = [*args, option, value]
    audit_before = AuditRecord.objects.count()
    result = cairn("incident", "add", *args, "--suspect", "Someone new")
    assert_one_line_error(result, fragment)
    assert Incident.objects.count() == 0
    assert Person.objects.count() == 0
    assert AuditRecord.objects.count() == audit_before


# --- incident list ------------------------------------------------------------------------


@pytest.fixture
def logged(vault):
    """Three incidents (one with a suspect and an exhibit) and one deleted."""
    mark = services.create_person(actor=vault.owner, vault=vault, name="Mark")
    jo = services.create_person(actor=vault.owner, vault=vault, name="Jo", role="witness")
    first = services.log_incident(
        actor=vault.owner,
        vault=vault,
        data=services.IncidentInput(
            start=utc(2025, 7, 1, 13),
            channel="in_person",
            acts=["a", "g"],
            description="Waited [red]outside[/]",
            location="Home",
            persons=[mark, jo],
            feared_violence=True,
        ),
    )
    second = services.log_incident(
        actor=vault.owner,
        vault=vault,
        data=services.IncidentInput(
            start=utc(2025, 3, 1),
            end=utc(2025, 3, 1, 23, 59, 59),
            precision="day",
            channel="text_message",
            acts=["b"],
            description="Twelve messages, then calls",
        ),
    )
    third = services.log_incident(
        actor=vault.owner,
        vault=vault,
        data=services.IncidentInput(start=utc(2025, 9, 10, 8), channel="social_media", acts=["c"]),
    )
    gone = services.log_incident(
        actor=vault.owner,
        vault=vault,
        data=services.IncidentInput(
            start=utc(2025, 5, 5, 8), channel="in_person", acts=["a"], description="Gone"
        ),
    )
    services.delete_incident(actor=vault.owner, incident=gone)
    exhibit = services.add_exhibit(
        actor=vault.owner,
        vault=vault,
        stream=io.BytesIO(PNG),
        original_name="gate.png",
        incident=first,
    )
    return types.SimpleNamespace(
        first=first, second=second, third=third, gone=gone, exhibit=exhibit, mark=mark, jo=jo
    )


def test_incident_list_as_json_has_every_column_in_utc(cairn, logged):
    rows = listed(cairn)
    assert [row["number"] for row in rows] == [2, 1, 3]  # oldest first; deleted left out
    first = rows[1]
    assert first["id"] == str(logged.first.pk)
    assert first["start"] == "2025-07-01T13:00:00Z"
    assert first["end"] is None
    assert first["precision"] == "exact"
    assert first["channel"] == "in_person"
    assert first["acts"] == ["a", "g"]
    assert first["description"] == "Waited [red]outside[/]"
    assert first["location"] == "Home"
    assert first["suspects"] == ["Mark"]
    assert first["witness_persons"] == ["Jo"]
    assert first["feared_violence"] is True
    assert first["exhibits"] == ["AB/1"]
    assert rows[0]["end"] == "2025-03-01T23:59:59Z"
    assert rows[0]["suspects"] == [] and rows[0]["exhibits"] == []


def test_incident_list_as_csv_has_the_same_columns(cairn, logged):
    text = assert_ok(cairn("incident", "list", "--format", "csv")).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    json_rows = listed(cairn)
    assert list(rows[0].keys()) == list(json_rows[0].keys())
    first = rows[1]
    assert first["id"] == str(logged.first.pk)
    assert first["acts"] == "a;g"
    assert first["suspects"] == "Mark"
    assert first["exhibits"] == "AB/1"
    assert first["feared_violence"] == "true"
    assert first["end"] == ""
    assert first["start"] == "2025-07-01T13:00:00Z"


def test_incident_list_as_a_table_shows_text_as_typed(cairn, logged):
    text = assert_ok(cairn("incident", "list")).stdout
    assert "Waited [red]outside[/]" in text
    assert "Tue 01 Jul 2025 14:00" in text  # shown in the vault's zone
    assert "Gone" not in text


def test_a_long_incident_list_is_printed_as_plain_columns(cairn, logged, monkeypatch):
    monkeypatch.setattr(output, "RICH_ROW_LIMIT", 1)
    text = assert_ok(cairn("incident", "list")).stdout
    assert "┃" not in text
    assert "Waited [red]outside[/]" in text


@pytest.mark.parametrize(
    "args, numbers",
    [
        (["--from", "2025-06-01"], [1, 3]),
        (["--to", "2025-07-01"], [2, 1]),
        (["--from", "2025-03-01", "--to", "2025-03-01"], [2]),
        (["--from", "2025-03-01T12:00"], [2, 1, 3]),  # the day-long interval overlaps
        (["--act", "g"], [1]),
        (["--channel", "text_message"], [2]),
    ],
)
def test_incident_list_filters(cairn, logged, args, numbers):
    rows = json.loads(assert_ok(cairn("incident", "list", "--format", "json", *args)).stdout)
    assert [row["number"] for row in rows] == numbers


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--act", "q"], "act: unknown act code 'q'"),
        (["--channel", "fax"], "channel: choose one of"),
        (["--from", "yesterday"], "from: 'yesterday' is not a date or time"),
    ],
)
def test_bad_filters_are_one_line(cairn, logged, args, fragment):
    assert_one_line_error(cairn("incident", "list", *args), fragment)


def test_incident_list_queries_do_not_grow_with_the_log(
    cairn, vault, django_assert_max_num_queries
):
    person = services.create_person(actor=vault.owner, vault=vault, name="Mark")
    for days in range(1, 31):
        make_incident(vault, days_ago=days, persons=[person])
    with django_assert_max_num_queries(8):
        rows = listed(cairn)
    assert len(rows) == 30


def test_an_empty_log_lists_as_an_empty_array(cairn, vault):
    assert listed(cairn) == []
    assert "No incidents" in assert_ok(cairn("incident", "list")).stdout


# --- incident show ------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["number", "id", "prefix", "hex"])
def test_incident_show_finds_by_number_id_or_prefix(cairn, logged, ref):
    pk = str(logged.first.pk)
    value = {"number": "1", "id": pk, "prefix": pk[:6], "hex": logged.first.pk.hex}[ref]
    text = assert_ok(cairn("incident", "show", value)).stdout
    assert f"Incident 1   id {pk}" in text


def test_incident_show_gives_every_field_labels_persons_exhibits_and_history(cairn, logged):
    services.revise_incident(
        actor=logged.first.vault.owner,
        incident=logged.first,
        data=services.IncidentInput(
            start=utc(2025, 7, 1, 13),
            channel="in_person",
            acts=["a", "g"],
            description="Waited outside the gate",
            location="Home",
            persons=[logged.mark],
            feared_violence=True,
        ),
    )
    text = assert_ok(cairn("incident", "show", "1")).stdout
    assert "Tue 01 Jul 2025 14:00 BST (2025-07-01T13:00:00Z)" in text
    assert f"(a) {ACTS_BY_CODE['a'].plain}: {ACTS_BY_CODE['a'].label}" in text
    assert f"(g) {ACTS_BY_CODE['g'].plain}" in text
    assert "Waited outside the gate" in text
    assert "Mark (The person doing this" in text
    assert "Jo" not in text.split("Persons:")[1].split("Exhibits:")[0]
    assert f"AB/1  gate.png  image/png  {len(PNG)} bytes  sha256 {logged.exhibit.sha256}" in text
    assert "Feared violence:  yes" in text
    history = text.split("Revisions:")[1]
    assert "1  " in history and "first entry" in history
    assert "description, persons" in history


def test_incident_show_marks_a_deleted_incident(cairn, logged):
    text = assert_ok(cairn("incident", "show", str(logged.gone.number))).stdout
    assert "Deleted:" in text
    assert "Gone" not in text
    assert "(content erased)" in text


@pytest.mark.parametrize(
    "ref, fragment",
    [
        ("99", "incident: no incident '99' in this vault"),
        ("abc", "at least 6 characters"),
        ("zzzzzzzz", "no incident 'zzzzzzzz'"),
        ("00000000-0000-0000-0000-000000000000", "no incident"),
    ],
)
def test_incident_show_of_an_unknown_incident_is_one_line(cairn, logged, ref, fragment):
    assert_one_line_error(cairn("incident", "show", ref), fragment)


def test_incident_show_never_reaches_another_vault(cairn, logged, other_vault):
    theirs = make_incident(other_vault)
    assert_one_line_error(
        cairn("--vault", "My log", "incident", "show", str(theirs.pk)), "no incident"
    )


# --- exhibit add --------------------------------------------------------------------------


def sha256sum(path: Path) -> str:
    result = subprocess.run(["sha256sum", str(path)], capture_output=True, text=True, check=True)
    return result.stdout.split()[0]


def test_exhibit_add_keeps_the_file_and_prints_its_sha256(cairn, logged, tmp_path, settings):
    photo = tmp_path / "Screenshot 2025-07-01.png"
    photo.write_bytes(PNG)
    result = assert_ok(
        cairn(
            "exhibit",
            "add",
            photo,
            "--incident",
            "2",
            "--description",
            "The text",
            "--captured-at",
            "2025-07-01T14:05",
            "--received-at",
            "2025-07-01T15:00+00:00",
        )
    )
    exhibit = Exhibit.objects.get(reference="AB/2")
    assert f"SHA-256: {sha256sum(photo)}" in result.stdout
    assert "Added exhibit AB/2 (image/png" in result.stdout
    assert exhibit.sha256 == sha256sum(photo)
    assert exhibit.source == ExhibitSource.CLI
    assert exhibit.original_name == "Screenshot 2025-07-01.png"
    assert exhibit.incident == logged.second
    assert exhibit.description == "The text"
    assert exhibit.captured_at == utc(2025, 7, 1, 13, 5)
    assert exhibit.received_at == utc(2025, 7, 1, 15, 0)


def test_a_large_exhibit_is_streamed_with_a_progress_bar(cairn, vault, tmp_path):
    video = tmp_path / "doorbell.bin"
    video.write_bytes(os.urandom(5 * 1024 * 1024 + 17))
    result = assert_ok(cairn("exhibit", "add", video))
    assert f"SHA-256: {sha256sum(video)}" in result.stdout
    assert Exhibit.objects.get().size == video.stat().st_size


def test_the_progress_reader_advances_as_the_store_reads(cairn, vault, tmp_path, monkeypatch):
    reads = []
    from cairn.store.blobs import BlobStore

    put = BlobStore.put

    def spying_put(self, namespace, stream, **kwargs):
        reads.append(type(stream).__name__)
        return put(self, namespace, stream, **kwargs)

    monkeypatch.setattr("cairn.store.blobs.BlobStore.put", spying_put)
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x00\x01" * (3 * 1024 * 1024))
    assert_ok(cairn("exhibit", "add", big))
    assert reads and reads[0] != "BufferedReader"  # wrapped by rich's progress reader


@pytest.mark.parametrize(
    "case, fragment",
    [
        ("missing", "does not exist"),
        ("empty", "file: The selected file is empty"),
        ("oversize", "file: The file is larger than the limit"),
        ("mismatch", "file: The file's content is plain text, but it was given as a PNG image"),
        ("incident", "incident: no incident '42'"),
        ("captured", "captured-at: give a date and a time"),
        ("received", "received-at: The time cannot be in the future"),
    ],
)
def test_a_refused_exhibit_is_one_line_and_stores_nothing(
    cairn, vault, tmp_path, settings, case, fragment
):
    path = tmp_path / "evidence.txt"
    path.write_text("hello\n", encoding="utf-8")
    args = []
    if case == "missing":
        path = tmp_path / "not-there.png"
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "oversize":
        settings.CAIRN_MAX_UPLOAD_BYTES = 3
    elif case == "mismatch":
        path = path.rename(tmp_path / "photo.png")
    elif case == "incident":
        args = ["--incident", "42"]
    elif case == "captured":
        args = ["--captured-at", "2025-07-01"]
    elif case == "received":
        args = ["--received-at", "2099-01-01T10:00"]
    assert_one_line_error(cairn("exhibit", "add", path, *args), fragment)
    assert Exhibit.objects.count() == 0
    assert evidence_files(settings) == []


# --- persons ------------------------------------------------------------------------------


def test_person_add_stores_identifiers_normalised(cairn, vault):
    result = assert_ok(
        cairn(
            "person",
            "add",
            "Mark Smith",
            "--relationship",
            "ex_partner",
            "--alias",
            "Smithy",
            "--phone",
            "07700 900123",
            "--email",
            "Mark@Example.com",
            "--handle",
            "instagram:@MarkS",
            "--handle",
            "@mark_s",
            "--vehicle",
            "ab12 cde",
        )
    )
    person = Person.objects.get()
    assert f"(id {person.pk})" in result.stdout
    assert person.role == "suspect" and person.relationship == "ex_partner"
    assert person.aliases == ["Smithy"]
    identifiers = {(i.kind, i.value, i.platform) for i in person.identifiers.all()}
    assert identifiers == {
        ("phone", "+447700900123", ""),
        ("email", "mark@example.com", ""),
        ("handle", "marks", "instagram"),
        ("handle", "mark_s", ""),
        ("vehicle", "AB12CDE", ""),
    }


def test_person_list_as_json_and_table(cairn, vault):
    assert_ok(cairn("person", "add", "Jo", "--role", "witness", "--phone", "07700900123"))
    mark = services.create_person(actor=vault.owner, vault=vault, name="Mark")
    make_incident(vault, persons=[mark])
    rows = json.loads(assert_ok(cairn("person", "list", "--format", "json")).stdout)
    assert [(row["name"], row["role"], row["incidents"]) for row in rows] == [
        ("Jo", "witness", 0),
        ("Mark", "suspect", 1),
    ]
    assert rows[0]["identifiers"] == [{"kind": "phone", "value": "+447700900123", "platform": ""}]
    table = assert_ok(cairn("person", "list")).stdout
    assert "+447700900123" in table and "Mark" in table


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["X", "--phone", "abc"], "phone 'abc': Enter a phone number"),
        (["X", "--email", "not-an-address"], "email 'not-an-address'"),
        (["X", "--relationship", "cousin"], "relationship: Choose a relationship"),
        (["X", "--role", "judge"], "--role"),
        (["  "], "name: Enter a name"),
    ],
)
def test_a_refused_person_is_one_line_and_stores_nothing(cairn, vault, args, fragment):
    assert_one_line_error(cairn("person", "add", *args), fragment)
    assert Person.objects.count() == 0


# --- serve --------------------------------------------------------------------------------


class FakeServer:
    """What waitress.create_server returns, for tests that must not listen on a port."""


@pytest.fixture
def no_serving_loop(monkeypatch):
    """``cairn serve`` returns at once instead of serving until a signal."""
    from cairn.cli import server

    monkeypatch.setattr(server, "_serve_until_signalled", lambda listening, sockets: False)


def test_serve_collects_static_files_and_serves_the_wsgi_app(
    cairn, db, settings, tmp_path, monkeypatch, no_serving_loop
):
    import waitress
    from django.core import management

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    from cairn.wsgi import application

    served, commands = [], []
    monkeypatch.setattr(
        waitress, "create_server", lambda app, **kw: served.append((app, kw)) or FakeServer()
    )
    monkeypatch.setattr(management, "call_command", lambda name, **kw: commands.append(name))
    result = assert_ok(cairn("serve", "--port", "8123"))
    assert "http://127.0.0.1:8123/" in result.stdout
    assert commands == ["collectstatic"]
    assert served[0][0] is application
    assert served[0][1]["host"] == "127.0.0.1" and served[0][1]["port"] == 8123


def test_serve_skips_collectstatic_when_the_manifest_is_there(
    cairn, db, settings, tmp_path, monkeypatch, no_serving_loop
):
    import waitress
    from django.core import management

    settings.STATIC_ROOT = tmp_path
    (tmp_path / "staticfiles.json").write_text("{}", encoding="utf-8")
    commands = []
    monkeypatch.setattr(waitress, "create_server", lambda app, **kw: FakeServer())
    monkeypatch.setattr(management, "call_command", lambda name, **kw: commands.append(name))
    result = assert_ok(cairn("serve", "--host", "0.0.0.0", "--port", "9000"))  # noqa: S104
    assert commands == []
    assert "http://0.0.0.0:9000/" in result.stdout
    assert "other computers" in result.stderr


def test_serve_reports_a_busy_port_in_one_line(cairn, db, settings, tmp_path, monkeypatch):
    import waitress

    settings.STATIC_ROOT = tmp_path
    (tmp_path / "staticfiles.json").write_text("{}", encoding="utf-8")

    def busy(app, **kw):
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(waitress, "create_server", busy)
    assert_one_line_error(cairn("serve"), "Address already in use")


# --- demo ---------------------------------------------------------------------------------


def test_demo_loads_the_demo_vault_and_prints_the_sign_in(cairn, db):
    from cairn.demo import DEMO_PASSWORD, DEMO_USERNAME
    from cairn.demo.police import CASE_REFERENCE, DEMO_POLICE_PASSWORD, OFFICERS, totp_key_text

    result = assert_ok(cairn("demo"))
    assert f"username {DEMO_USERNAME}, password {DEMO_PASSWORD}" in result.stdout
    assert "http://127.0.0.1:8000" in result.stdout
    vault = Vault.objects.get(owner__username=DEMO_USERNAME)
    assert vault.incidents.count() > 50
    # The police side: the demo case, and how each officer signs in.
    assert f"demo case {CASE_REFERENCE}" in result.stdout
    assert f"password {DEMO_POLICE_PASSWORD}" in result.stdout
    for officer in OFFICERS:
        assert (
            f"{officer.username} ({officer.display_name}, {officer.role}): key "
            f"{totp_key_text(officer.username)}" in result.stdout
        )


def test_demo_a_second_time_says_it_is_loaded_and_loads_nothing(cairn, db):
    assert_ok(cairn("demo"))
    incidents = Incident.objects.count()
    result = assert_ok(cairn("demo"))
    assert "already loaded" in result.stdout
    assert "demo case" not in result.stdout
    assert Vault.objects.count() == 1
    assert Incident.objects.count() == incidents


def test_demo_adds_the_demo_case_to_a_demo_vault_loaded_without_one(cairn, db):
    from cairn.cases.models import Case
    from cairn.demo import load_demo

    load_demo()
    result = assert_ok(cairn("demo"))
    assert "already loaded" in result.stdout
    assert "Loaded the demo case" in result.stdout
    assert Case.objects.count() == 1


def test_demo_refuses_a_data_dir_with_other_vaults(cairn, vault):
    assert_one_line_error(cairn("demo"), "already holds 1 vault")
    assert Vault.objects.count() == 1


def test_demo_refuses_a_production_instance(cairn, db, settings):
    settings.PRODUCTION = True
    assert_one_line_error(cairn("demo"), "production")
    assert not Vault.objects.exists()


# --- the installed entry point ------------------------------------------------------------


def entry_point() -> list[str]:
    script = Path(sys.executable).with_name("cairn")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cairn.cli.main"]


@pytest.fixture
def data_dir_env(tmp_path):
    """The environment for a subprocess on a fresh data dir of its own (SQLite there)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CAIRN_", "DATABASE_URL", "DJANGO_"))
    }
    env["CAIRN_DATA_DIR"] = str(tmp_path / "data")
    return env


def run(env, *args, stdin=None):
    return subprocess.run(
        [*entry_point(), *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
    )


def test_the_installed_command_works_end_to_end(data_dir_env, tmp_path):
    assert run(data_dir_env, "--help").returncode == 0
    module = subprocess.run(
        [sys.executable, "-m", "cairn.cli.main", "--help"],
        env=data_dir_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert module.returncode == 0 and "incident" in module.stdout

    created = run(data_dir_env, "vault", "create", "My log", "--initials", "AB", "--owner", "alex")
    assert created.returncode == 0, created.stderr
    assert "Preparing the database" in created.stderr  # migrated on first use
    assert (tmp_path / "data" / "cairn.sqlite3").exists()

    added = run(
        data_dir_env,
        "incident",
        "add",
        "--start",
        "2025-07-01T14:00",
        "--channel",
        "in_person",
        "--acts",
        "a,g",
        "--suspect",
        "Mark",
    )
    assert added.returncode == 0, added.stderr
    assert "Logged incident 1" in added.stdout

    photo = tmp_path / "gate.png"
    photo.write_bytes(PNG)
    exhibit = run(data_dir_env, "exhibit", "add", photo, "--incident", "1")
    assert exhibit.returncode == 0, exhibit.stderr
    assert f"SHA-256: {sha256sum(photo)}" in exhibit.stdout

    listing = run(data_dir_env, "--vault", "My log", "incident", "list", "--format", "json")
    assert listing.returncode == 0, listing.stderr
    [row] = json.loads(listing.stdout)
    assert row["start"] == "2025-07-01T13:00:00Z"
    assert row["suspects"] == ["Mark"] and row["exhibits"] == ["AB/1"]

    refused = run(
        data_dir_env,
        "incident",
        "add",
        "--start",
        "2025-07-01T14:00",
        "--end",
        "2025-07-01T13:00",
        "--channel",
        "in_person",
        "--acts",
        "a",
    )
    assert refused.returncode == 1
    assert refused.stderr.strip() == "cairn: end: The end must be after the start"

    password = run(
        data_dir_env,
        "user",
        "set-password",
        "alex",
        stdin="a long and unusual passphrase\na long and unusual passphrase\n",
    )
    assert password.returncode == 0, password.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_installed_command_serves_the_web_pages(data_dir_env):
    port = free_port()
    server = subprocess.Popen(
        [*entry_point(), "serve", "--port", str(port)],
        env=data_dir_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while status is None and time.monotonic() < deadline:
            assert server.poll() is None, server.communicate()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                time.sleep(0.2)
        assert status is not None and status < 500
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out
    assert (Path(data_dir_env["CAIRN_DATA_DIR"]) / "static" / "staticfiles.json").exists()
