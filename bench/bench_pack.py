"""Evidence pack build times (issue 6): the demo vault, and 1,000 incidents with 1,000
exhibits totalling 1 GiB. Targets: demo under 5 s; the large pack under 60 s, its PDF part
under 10 s.

Run: ``.venv/bin/python bench/bench_pack.py [--large]`` from the repository root. It makes a
throwaway data directory, loads the vault(s), builds each pack three times (median reported)
and prints the phases of one build: snapshot and log material, PDF, bag. The bag is written
as a zip, the form people download. ``sha256sum`` over the same exhibit bytes is timed in the
same run as the floor for reading and hashing 1 GiB on this machine. ``verify_pack`` on the
zip is timed too (three runs): unzip, the bag through the ``bagit`` package (SHA-256 and
SHA-512 in one read), the signed list (SHA-256 again), the proofs and the PDF's text.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# A fixed start, so content sniffing sees no known format in the random bytes.
HEADER = b"\x00CAIRN-BENCH\x00"


def _setup(data_dir: Path) -> None:
    os.environ["CAIRN_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _time_builds(vault, out_dir: Path, rounds: int = 3) -> list[float]:  # type: ignore[no-untyped-def]
    from cairn.packs.selection import Selection
    from cairn.packs.services import build_pack

    times = []
    for n in range(rounds):
        out = out_dir / f"pack-{n}.zip"
        start = time.perf_counter()
        build_pack(actor=vault.owner, vault=vault, selection=Selection(), out=out)
        times.append(time.perf_counter() - start)
        out.unlink()
    return times


def _time_verify(vault, out_dir: Path, rounds: int = 3) -> list[float]:  # type: ignore[no-untyped-def]
    from cairn.packs.selection import Selection
    from cairn.packs.services import build_pack
    from cairn.packs.verify import verify_pack

    out = out_dir / "verified.zip"
    build_pack(actor=vault.owner, vault=vault, selection=Selection(), out=out)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        report = verify_pack(out)
        times.append(time.perf_counter() - start)
        assert report.ok, report.problems
    out.unlink()
    return times


def _runs(label: str, times: list[float]) -> str:
    return (
        f"{label}: median {statistics.median(times):.2f} s, runs "
        f"{', '.join(f'{t:.2f}' for t in times)}"
    )


def _phases(vault) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from cairn.packs import services
    from cairn.packs.selection import Selection, resolve
    from cairn.vault.snapshot_loader import take_snapshot

    phases = {}
    start = time.perf_counter()
    disclosed = resolve(take_snapshot(vault), Selection())
    material = services._log_material(vault, disclosed)
    phases["snapshot and log material"] = time.perf_counter() - start
    start = time.perf_counter()
    services._render_pdf(
        vault.owner,
        vault,
        disclosed,
        material,
        statement="draft",
        built_at=timezone.now().replace(microsecond=0),
    )
    phases["PDF (analysis, document, Typst)"] = time.perf_counter() - start
    return phases


def _large_vault(exhibit_bytes: int, count: int):  # type: ignore[no-untyped-def]
    import io

    from bench.seed import seed_incidents
    from cairn.accounts.models import User
    from cairn.vault import services
    from cairn.vault.models import Incident

    owner = User.objects.create_user("bench-pack", password="bench-pack-2026")
    vault = services.create_vault(actor=owner, name="Bench", initials="BP")
    seed_incidents(vault, count)
    size = exhibit_bytes // count
    for n, incident in enumerate(Incident.objects.filter(vault=vault).order_by("number")):
        services.add_exhibit(
            actor=owner,
            vault=vault,
            incident=incident,
            stream=io.BytesIO(HEADER + os.urandom(size - len(HEADER))),
            original_name=f"capture-{n:04}.bin",
            description=f"Capture {n}",
        )
    return vault


def _sha256sum_floor(vault, scratch: Path) -> float:  # type: ignore[no-untyped-def]
    """Write the vault's exhibit bytes out once, then time sha256sum over them."""
    from cairn.store.blobs import default_store

    store = default_store()
    plain = scratch / "plain"
    plain.mkdir()
    for exhibit in vault.exhibits.all():
        with (plain / exhibit.sha256).open("wb") as handle:
            for chunk in store.iter_bytes(str(vault.pk), exhibit.sha256):
                handle.write(chunk)
    files = sorted(str(p) for p in plain.iterdir())
    start = time.perf_counter()
    subprocess.run(["sha256sum", *files], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    shutil.rmtree(plain)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="also the 1 GiB pack")
    parser.add_argument("--mib", type=int, default=1024, help="total exhibit size (MiB)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    scratch = Path(tempfile.mkdtemp(prefix="cairn-bench-pack-"))
    try:
        _setup(scratch / "data")
        from cairn.demo import load_demo

        demo = load_demo()
        times = _time_builds(demo, scratch)
        print(
            f"demo vault ({demo.incidents.count()} incidents): median "
            f"{statistics.median(times):.2f} s, runs {', '.join(f'{t:.2f}' for t in times)}"
        )
        for name, seconds in _phases(demo).items():
            print(f"  {name}: {seconds:.2f} s")
        print("  " + _runs("verify_pack of its zip", _time_verify(demo, scratch)))
        if args.large:
            vault = _large_vault(args.mib * 1024 * 1024, 1000)
            times = _time_builds(vault, scratch)
            print(
                f"1,000 incidents, 1,000 exhibits, {args.mib} MiB: median "
                f"{statistics.median(times):.2f} s, runs "
                f"{', '.join(f'{t:.2f}' for t in times)}"
            )
            for name, seconds in _phases(vault).items():
                print(f"  {name}: {seconds:.2f} s")
            print("  " + _runs("verify_pack of its zip", _time_verify(vault, scratch)))
            print(f"  sha256sum over the same plaintext: {_sha256sum_floor(vault, scratch):.2f} s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
