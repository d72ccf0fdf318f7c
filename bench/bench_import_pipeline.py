"""Benchmark the import pipeline: a 100,000-message WhatsApp export, committed on SQLite.

Usage::

    .venv/bin/python bench/bench_import_pipeline.py [--messages 100000] [--keep]

Makes a fresh data directory (SQLite in WAL mode, as ``make run`` uses), migrates it,
creates a vault with the suspect as a known person, writes a generated WhatsApp ``.txt``
export (two people over about two years, some multi-line messages, a day above 12 so the
date order is settled), then times ``commit_import`` from the file on disk to the committed
batch: the exhibit stored, every message sealed and saved, senders linked, proposals built,
the ``import.committed`` ledger entry written. It then times importing the same file again
(all duplicates), re-hashing the batch (``verify_batch``) and ``verify_vault``.

Target (issue 4): the whole import in under 60 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

TARGET_SECONDS = 60.0
LINES = [
    "Why are you ignoring me",
    "I saw you at the station today",
    "Answer your phone",
    "I know where you work",
    "You can't hide from me",
    "We need to talk",
    "Please just reply",
    "I'm outside",
    "Why did you block me on instagram",
]


def write_export(path: Path, messages: int) -> int:
    """A day-first Android export; returns its size in bytes."""
    start = datetime(2023, 1, 13, 7, 0, tzinfo=UTC)  # written as wall-clock time
    step = timedelta(minutes=(2 * 365 * 24 * 60) // messages)
    with path.open("w", encoding="utf-8") as out:
        moment = start
        for n in range(messages):
            sender = "Alex" if n % 7 == 3 else "Mark"
            text = LINES[n % len(LINES)]
            if n % 50 == 0:
                text += "\nand another thing " + str(n)
            out.write(f"{moment:%d/%m/%Y, %H:%M} - {sender}: {text} ({n})\n")
            moment += step
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="Keep the data directory.")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="cairn-bench-import-"))
    os.environ["CAIRN_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        from cairn.accounts.models import User
        from cairn.importers import services
        from cairn.integrity.verify import verify_vault
        from cairn.vault import services as vault_services

        owner = User.objects.create(username="bench")
        vault = vault_services.create_vault(actor=owner, name="Bench", initials="BE")
        vault_services.create_person(actor=owner, vault=vault, name="Mark")
        export = data_dir / "WhatsApp Chat with Mark.txt"
        size = write_export(export, args.messages)
        print(f"export: {args.messages} messages, {size / 1e6:.1f} MB")

        began = time.perf_counter()
        result = services.commit_import(
            actor=owner,
            vault=vault,
            source=export,
            name=export.name,
            format="whatsapp",
            owner="Alex",
        )
        first = time.perf_counter() - began
        print(
            f"import: {first:.1f} s  (items {result.items}, new {result.new}, "
            f"proposals {result.proposed_incidents}, persons {result.persons}, "
            f"candidates {result.candidates}) -> "
            f"{'PASS' if first < TARGET_SECONDS else 'FAIL'} (target < {TARGET_SECONDS:.0f} s)"
        )

        began = time.perf_counter()
        again = services.commit_import(
            actor=owner,
            vault=vault,
            source=export,
            name=export.name,
            format="whatsapp",
            owner="Alex",
        )
        print(
            f"same file again: {time.perf_counter() - began:.1f} s (new {again.new}, "
            f"duplicates {again.duplicates})"
        )

        assert result.batch is not None
        began = time.perf_counter()
        problems = services.verify_batch(result.batch)
        print(f"verify_batch: {time.perf_counter() - began:.1f} s ({problems or 'ok'})")
        began = time.perf_counter()
        report = verify_vault(vault)
        print(f"verify_vault: {time.perf_counter() - began:.1f} s ({report.summary()})")
    finally:
        if args.keep:
            print(f"data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
