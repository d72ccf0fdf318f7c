"""Benchmark evidence-file encryption against plain SHA-256 hashing of the same file.

Usage::

    .venv/bin/python bench/bench_store_crypto.py --size-mib 1024

Writes a file of random bytes in a temporary directory, then times, in the same run and
``--rounds`` times each (medians reported):

* ``sha256sum FILE`` (a subprocess; the reference the target is stated against),
* ``openssl dgst -sha256 FILE`` and Python's ``hashlib.sha256`` over the file (both use
  OpenSSL, with SHA-NI where the CPU has it), as stricter references,
* ``cairn.store.crypto.encrypt_stream`` of the file to another temporary file (which also
  computes the plaintext SHA-256),
* ``decrypt_stream`` of that ciphertext to a third temporary file.

It then runs one encryption in a child process under ``/usr/bin/time -v`` to report its
peak resident set size (or, without ``/usr/bin/time``, the child's ``ru_maxrss``). All
temporary files are deleted at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cairn.store.crypto import (
    DEFAULT_SEGMENT_SIZE,
    decrypt_stream,
    encrypt_stream,
    generate_data_key,
)

AD = b"cairn-bench"
CHUNK = 64 * 1024 * 1024


def write_random_file(path: Path, size: int) -> None:
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(CHUNK, left)
            f.write(os.urandom(n))
            left -= n


def timed(fn: Callable[[], object], rounds: int) -> tuple[float, object]:
    times = []
    result: object = None
    for _ in range(rounds):
        os.sync()  # start each round without the previous round's dirty pages
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def sha256sum(path: Path) -> str:
    out = subprocess.run(["sha256sum", str(path)], check=True, capture_output=True, text=True)
    return out.stdout.split()[0]


def openssl_sha256(path: Path) -> str:
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-r", str(path)], check=True, capture_output=True, text=True
    )
    return out.stdout.split()[0]


def hashlib_sha256(path: Path) -> str:
    h = hashlib.sha256()
    buf = memoryview(bytearray(1024 * 1024))
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            h.update(buf[:n])
    return h.hexdigest()


def copy_file(src: Path, dst: Path) -> None:
    """Read and write the file with the same 1 MiB buffers: the I/O floor, no crypto."""
    buf = memoryview(bytearray(1024 * 1024))
    with open(src, "rb", buffering=0) as f, open(dst, "wb") as g:
        while n := f.readinto(buf):
            g.write(buf[:n])
    return None


def encrypt_file(key: bytes, src: Path, dst: Path, segment_size: int) -> str:
    with open(src, "rb") as f, open(dst, "wb") as g:
        return encrypt_stream(key, f, g, AD, segment_size=segment_size).sha256_of_plaintext


def decrypt_file(key: bytes, src: Path, dst: Path, segment_size: int) -> str:
    with open(src, "rb") as f, open(dst, "wb") as g:
        return decrypt_stream(key, f, g, AD, segment_size=segment_size).sha256


def peak_rss_of_encrypt(src: Path, dst: Path, segment_size: int) -> tuple[float, str]:
    """Peak RSS (MiB) of a child process that imports the module and encrypts once."""
    cmd = [
        sys.executable,
        __file__,
        "--encrypt-once",
        str(src),
        str(dst),
        "--segment-size",
        str(segment_size),
    ]
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else "")
    if gnu_time:
        out = subprocess.run([gnu_time, "-v", *cmd], check=True, capture_output=True, text=True)
        for line in out.stderr.splitlines():
            if "Maximum resident set size" in line:
                return int(line.rsplit(":", 1)[1]) / 1024, "/usr/bin/time -v"
    subprocess.run(cmd, check=True)
    kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return kib / 1024, "getrusage(RUSAGE_CHILDREN)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--segment-size", type=int, default=DEFAULT_SEGMENT_SIZE)
    parser.add_argument("--dir", default=None, help="where to put the temporary files")
    parser.add_argument("--encrypt-once", nargs=2, metavar=("SRC", "DST"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.encrypt_once:
        src, dst = map(Path, args.encrypt_once)
        encrypt_file(generate_data_key(), src, dst, args.segment_size)
        return

    size = args.size_mib * 1024 * 1024
    key = generate_data_key()
    with tempfile.TemporaryDirectory(prefix="cairn-bench-", dir=args.dir) as tmp:
        plain, enc, dec = Path(tmp) / "plain", Path(tmp) / "enc", Path(tmp) / "dec"
        print(f"writing {args.size_mib} MiB of random data to {plain} ...", flush=True)
        write_random_file(plain, size)
        hashlib_sha256(plain)  # warm the page cache

        rows: list[tuple[str, float]] = []
        digests: dict[str, object] = {}

        def run(name: str, fn: Callable[[], object]) -> None:
            seconds, digest = timed(fn, args.rounds)
            rows.append((name, seconds))
            digests[name] = digest
            print(f"  {name:<34} {seconds:7.3f} s  {size / seconds / 1e6:8.0f} MB/s", flush=True)

        print(f"median of {args.rounds} rounds, segment size {args.segment_size}:")
        seg = args.segment_size
        run("sha256sum (coreutils)", lambda: sha256sum(plain))
        if shutil.which("openssl"):
            run("openssl dgst -sha256", lambda: openssl_sha256(plain))
        run("hashlib.sha256 (1 MiB readinto)", lambda: hashlib_sha256(plain))
        references = list(rows)
        run("copy, no crypto (write floor)", lambda: copy_file(plain, dec))
        dec.unlink()
        run("encrypt_stream -> /dev/null", lambda: encrypt_file(key, plain, Path(os.devnull), seg))
        run("encrypt_stream -> file", lambda: encrypt_file(key, plain, enc, seg))
        run("decrypt_stream -> file", lambda: decrypt_file(key, enc, dec, seg))
        run("decrypt_stream -> /dev/null", lambda: decrypt_file(key, enc, Path(os.devnull), seg))

        hashes = {str(d) for d in digests.values() if d is not None}
        assert len(hashes) == 1, f"digests disagree: {digests}"
        assert enc.stat().st_size > size
        assert dec.stat().st_size == size
        dec.unlink()

        print("ratios (throughput of ours / throughput of reference):")
        for name, ours in rows[len(references) :]:
            if name.startswith("copy"):
                continue
            ratios = "  ".join(f"{ref} {seconds / ours:4.2f}" for ref, seconds in references)
            print(f"  {name:<28} vs  {ratios}")

        rss, how = peak_rss_of_encrypt(plain, enc, args.segment_size)
        print(f"peak RSS of one encrypt_stream run in a child process: {rss:.1f} MiB ({how})")
        tiny = Path(tmp) / "tiny"
        tiny.write_bytes(b"x")
        base, _ = peak_rss_of_encrypt(tiny, Path(tmp) / "tiny.enc", 64)
        print(f"  baseline, 1-byte file with 64-byte segments (interpreter): {base:.1f} MiB")
    print("temporary files deleted")


if __name__ == "__main__":
    main()
