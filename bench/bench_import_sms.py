"""Peak memory and throughput of the SMS Backup & Restore parser on a ~200 MB backup.

Issue 4 asks that a 200 MB SMS backup with media imports with peak memory under 300 MB.
This script writes such a backup to a temporary folder (streamed, never held in memory):
texts with emoji in the app's invalid surrogate-pair references, and MMS with base64 photos
(50 KB-1 MB) and a few videos (20 MB each, the largest single part bounds the peak). It then
parses the file in a fresh subprocess, writing the media to disk, and reports that process's
peak resident memory (``getrusage`` of the child) and throughput.

Run: ``.venv/bin/python bench/bench_import_sms.py [--size-mb 200]``
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MB = 1024 * 1024


def write_backup(path: Path, size: int, seed: int = 4) -> dict[str, int]:
    rng = random.Random(seed)
    counts = {"sms": 0, "mms": 0, "parts": 0}
    date = 1_600_000_000_000
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(
            "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
            '<smses count="0" backup_set="bench" type="full">\n'
        )
        videos_due = 3
        while out.tell() < size:
            date += rng.randint(1_000, 3_600_000)
            if rng.random() < 0.97:
                kind = rng.choice("12")
                body = " ".join(
                    rng.choice(
                        (
                            "where",
                            "are",
                            "you",
                            "I",
                            "saw",
                            "&#55357;&#56864;",
                            "outside",
                            "&amp;",
                            "again",
                            "&#10;",
                        )
                    )
                    for _ in range(rng.randint(3, 40))
                )
                out.write(
                    f'  <sms protocol="0" address="+4477009{rng.randint(0, 99999):05d}" '
                    f'date="{date}" type="{kind}" subject="null" body="{body}" '
                    f'toa="null" sc_toa="null" service_center="null" read="1" '
                    f'status="-1" locked="0" date_sent="{date - 5000}" '
                    f'readable_date="x" contact_name="Sam" />\n'
                )
                counts["sms"] += 1
                continue
            big = videos_due > 0 and out.tell() > size * (4 - videos_due) / 4
            if big:
                videos_due -= 1
                part_size, ct, name = 20 * MB, "video/mp4", "VID.mp4"
            else:
                part_size, ct, name = rng.randint(50_000, 1_000_000), "image/jpeg", "IMG.jpg"
            out.write(
                f'  <mms date="{date}" msg_box="1" address="+447700900123" sub="null" '
                f'date_sent="{date // 1000 - 3}" contact_name="Sam">\n    <parts>\n'
                '      <part seq="-1" ct="application/smil" name="null" text="x" />\n'
                '      <part seq="0" ct="text/plain" name="null" text="look &#55357;'
                '&#56384;" />\n'
                f'      <part seq="1" ct="{ct}" name="{name}" data="'
            )
            remaining = part_size
            while remaining:
                step = min(remaining, 3 * MB)  # a multiple of 3: no padding mid-stream
                out.write(base64.b64encode(rng.randbytes(step)).decode())
                remaining -= step
            out.write(
                '" />\n    </parts>\n    <addrs><addr address="+447700900123" '
                'type="137" charset="106" /><addr address="insert-address-token" '
                'type="151" charset="106" /></addrs>\n  </mms>\n'
            )
            counts["mms"] += 1
            counts["parts"] += 1
        out.write("</smses>\n")
    return counts


def parse_in_child(path: Path, media_dir: Path) -> None:
    from cairn.importers.parsers import sms

    started = time.perf_counter()
    result = sms.parse(path, media_dir=media_dir)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "messages": len(result.messages),
                "seconds": seconds,
                "attachments": sum(len(m.attachments) for m in result.messages),
            }
        )
    )


def measure(args: list[str]) -> tuple[dict[str, float], float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    output = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    ).stdout
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kib < before:  # pragma: no cover - ru_maxrss is a running maximum
        peak_kib = before
    return json.loads(output or "{}"), peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--child", nargs=2, metavar=("BACKUP", "MEDIA_DIR"))
    parser.add_argument("--baseline", action="store_true")
    options = parser.parse_args()
    if options.baseline:
        from cairn.importers.parsers import sms  # noqa: F401 - the imports' own footprint

        print("{}")
        return
    if options.child:
        parse_in_child(Path(options.child[0]), Path(options.child[1]))
        return

    with tempfile.TemporaryDirectory(prefix="cairn-bench-sms-") as scratch:
        backup = Path(scratch, "sms-backup.xml")
        media_dir = Path(scratch, "media")
        media_dir.mkdir()
        started = time.perf_counter()
        counts = write_backup(backup, options.size_mb * MB)
        size = backup.stat().st_size
        print(
            f"generated {size / MB:.0f} MB: {counts['sms']:,} SMS, {counts['mms']:,} MMS "
            f"with media, in {time.perf_counter() - started:.1f} s"
        )
        _, baseline = measure(["--baseline"])
        result, peak = measure(["--child", str(backup), str(media_dir)])
        written = sum(f.stat().st_size for f in media_dir.iterdir())
        print(
            f"parsed {result['messages']:,} messages and {result['attachments']:,} "
            f"attachments ({written / MB:.0f} MB of media written) in "
            f"{result['seconds']:.1f} s: {size / MB / result['seconds']:.0f} MB/s"
        )
        print(
            f"peak RSS of the parsing process: {peak:.0f} MB (interpreter and imports "
            f"alone: {baseline:.0f} MB); limit 300 MB: {'OK' if peak < 300 else 'OVER'}"
        )
        os.sync()


if __name__ == "__main__":
    main()
