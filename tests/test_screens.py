"""`make screens` (issue 16): a screenshot of every page each demo person reaches, at 375 px and
1280 px, from a shell as a reviewer runs it, into a folder of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="the script makes its own SQLite data directory; the SQLite run covers it",
    ),
]


def test_make_screens_saves_every_page_of_each_person_at_both_widths(tmp_path):
    out = tmp_path / "screens"
    env = {k: v for k, v in os.environ.items() if k not in ("CAIRN_DATA_DIR", "DATABASE_URL")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screens.py"), "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for person in ("victim", "investigator", "supervisor", "analyst"):
        widths: dict[str, set[str]] = defaultdict(set)
        for shot in (out / person).glob("*.png"):
            page, _, width = shot.stem.rpartition("-")
            widths[page].add(width)
            assert shot.stat().st_size > 1000  # a picture, not an empty file
        assert widths, f"no screenshots of {person}'s pages"
        assert all(found == {"375", "1280"} for found in widths.values()), person
        assert f"{person}: {len(widths)} pages" in done.stdout
    victim = {path.stem for path in (out / "victim").glob("*-375.png")}
    for page in ("vault-home", "vault-timeline", "analysis-pattern", "packs-pack"):
        assert any(page in name for name in victim), page
    # The folder git ignores: a reviewer's screenshots never reach a commit.
    assert "/screens/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
