"""``cairn camera add|list|letter`` as people run it: the installed command in a subprocess, on
a data directory of its own (``tests/shell.py``). Bad input is one line naming the field and
changes nothing."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.shell import bad_input, ok, one_line_error, usual


def stdout(ran) -> str:
    return ok(ran).stdout


@usual("camera add", "camera list", "camera letter")
@bad_input("camera add", "camera list", "camera letter")
def test_camera_add_list_and_letter(shell_empty, tmp_path):
    stdout(shell_empty("vault", "create", "My log", "--initials", "AB", "--owner", "alex"))
    two_days_ago = datetime.now(ZoneInfo("Europe/London")).date() - timedelta(days=2)
    stdout(
        shell_empty(
            "incident",
            "add",
            "--start",
            f"{two_days_ago}T14:30",
            "--channel",
            "in_person",
            "--acts",
            "a",
            "--description",
            "He followed me past the shop",
            "--location",
            "Mill Road",
        )
    )
    stdout(
        shell_empty(
            "incident",
            "add",
            "--start",
            f"{two_days_ago}",
            "--channel",
            "property",
            "--acts",
            "f",
            "--description",
            "Nails under my tyres",
        )
    )

    added = stdout(
        shell_empty(
            "camera",
            "add",
            "--incident",
            "1",
            "--kind",
            "shop",
            "--owner",
            "Costcutter",
            "--where",
            "above the door",
            "--appears",
            "yes",
        )
    )
    assert "Noted camera 1" in added and "often kept for about 7 days" in added
    stdout(
        shell_empty(
            "camera", "add", "--incident", "2", "--kind", "council_or_car_park", "--kept-days", "14"
        )
    )

    for args, fragment in [
        (("--incident", "1", "--kind", "drone"), "kind: Choose whose camera it is"),
        (("--incident", "1", "--kind", "shop", "--kept-days", "0"), "kept-days:"),
        (("--incident", "1", "--kind", "shop", "--kept-days", "two"), "--kept-days"),
        (("--incident", "7", "--kind", "shop"), "incident: no incident '7'"),
        (("--incident", "1", "--kind", "shop", "--appears", "maybe"), "appears:"),
    ]:
        one_line_error(shell_empty("camera", "add", *args), fragment)

    rows = json.loads(stdout(shell_empty("camera", "list", "--format", "json")))
    assert len(rows) == 2  # nothing was added by the refused commands
    first, second = rows
    assert {"id", "incident", "kind", "ask_by", "status"} <= set(first)
    assert (first["incident"], first["kind"], first["status"]) == (1, "shop", "not_asked")
    assert first["ask_by"] == str(two_days_ago + timedelta(days=6))
    # Known only to the day, her figure of 14 days: the cautious date, 12 days on.
    assert (second["ask_by"], second["from_her"], second["rough_time"]) == (
        str(two_days_ago + timedelta(days=12)),
        True,
        True,
    )
    one_line_error(shell_empty("camera", "list", "--format", "xml"), "format")
    table = stdout(shell_empty("camera", "list"))
    assert "council_or_car_park" in table and "often keep footage" in table

    out = tmp_path / "letter.pdf"
    wrote = stdout(
        shell_empty(
            "camera", "letter", "1", "--out", out, "--where", "Mill Road", "--name", "Alex Smith"
        )
    )
    assert "Wrote" in wrote and out.read_bytes().startswith(b"%PDF")
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(out), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert f"{two_days_ago.day} {two_days_ago:%B %Y} at about 14:30" in text
    assert "Mill Road" in text and "Alex Smith" in text and "Article 15" in text
    assert "Costcutter" not in text and "followed" not in text and "above the door" not in text
    keep = tmp_path / "keep.pdf"
    stdout(
        shell_empty(
            "camera",
            "letter",
            rows[0]["id"],
            "--kind",
            "keep",
            "--out",
            keep,
            "--police-reference",
            "NP/1",
        )
    )
    assert (
        "NP/1"
        in subprocess.run(
            ["pdftotext", str(keep), "-"], check=True, capture_output=True, text=True
        ).stdout
    )
    one_line_error(
        shell_empty("camera", "letter", "9", "--out", tmp_path / "x.pdf"), "camera: no camera '9'"
    )
    one_line_error(
        shell_empty(
            "camera", "letter", "1", "--out", tmp_path / "x.pdf", "--police-reference", "NP/1"
        ),
        "police-reference:",
    )
    assert not (tmp_path / "x.pdf").exists()
    stdout(shell_empty("verify"))
