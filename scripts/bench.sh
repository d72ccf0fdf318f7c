#!/usr/bin/env bash
# Whole-command benchmarks, side by side where a peer exists. Prints what docs/benchmarks.md
# records. Needs hyperfine and /usr/bin/time (scripts/system-deps.sh installs them).
#
#   scripts/bench.sh            # everything
#   scripts/bench.sh list       # `cairn incident list --format json` on 10,000 incidents
#   scripts/bench.sh ingest     # `cairn exhibit add` of a 1 GiB file against `sha256sum`
#   scripts/bench.sh demo       # `cairn demo` into a new data directory, whole command
#   scripts/bench.sh pytest     # the in-process pytest-benchmark suites in bench/
#   scripts/bench.sh analyse    # `cairn analyse --json` beside `cairn incident list`, 10,000
#   scripts/bench.sh accept     # importing and accepting a 10,000-row diary beside the list
#   scripts/bench.sh whatsapp   # importing and accepting 100,000 WhatsApp messages (time -v)
#   scripts/bench.sh verify     # full `cairn verify` of 100,000 incidents, 1 process and a pool
#   scripts/bench.sh load       # locust: cairn serve against the production profile (bench/load/)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
work=$(mktemp -d /tmp/cairn-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cairn=.venv/bin/cairn
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m), Python $(.venv/bin/python -c 'import platform; print(platform.python_version())')"

if [ "$what" = all ] || [ "$what" = list ]; then
  export CAIRN_DATA_DIR="$work/list"
  .venv/bin/python -c '
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "cairn.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from bench.seed import seed_data_dir
seed_data_dir(10_000)
'
  hyperfine --warmup 2 --runs 10 --export-json "$work/list.json" \
    "$cairn incident list --format json > /dev/null"
  unset CAIRN_DATA_DIR
fi

seed() {  # seed DIR COUNT: a data dir with one vault of COUNT incidents (bench/seed.py)
  CAIRN_DATA_DIR="$1" .venv/bin/python -c '
import os, sys, django
os.environ["DJANGO_SETTINGS_MODULE"] = "cairn.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from bench.seed import seed_data_dir
seed_data_dir(int(sys.argv[1]))
' "$2"
}

if [ "$what" = all ] || [ "$what" = analyse ]; then
  export CAIRN_DATA_DIR="$work/analyse"
  seed "$CAIRN_DATA_DIR" 10000
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  # The first run works the analysis out and keeps it; the runs measured read what was kept.
  /usr/bin/time -f "first cairn analyse --json: %e s" $cairn analyse --json > /dev/null
  hyperfine --warmup 1 --runs 10 --export-json "$work/analyse.json" \
    "$cairn incident list --format json > /dev/null" "$cairn analyse --json > /dev/null"
  .venv/bin/python bench/bench_pattern_page.py --data-dir "$CAIRN_DATA_DIR"
  unset CAIRN_DATA_DIR
fi

if [ "$what" = all ] || [ "$what" = accept ]; then
  diary="$work/diary.csv"
  .venv/bin/python - "$diary" <<'PY'
import random, sys
from datetime import date, timedelta
rng = random.Random(3)
places = ["Outside work", "Home", "Bus stop", "Mill Lane", "Car park"]
what = ["He waited by my car", "Flowers left on the doorstep", "He followed me onto the bus",
        "Three calls from a withheld number", "He was watching the house"]
feel = ["Scared", "Anxious", "Shaking", "Could not sleep", ""]
with open(sys.argv[1], "w", encoding="utf-8") as out:
    out.write("Date,Time,Where,What happened,How it made me feel\r\n")
    for n in range(10_000):
        day = date(1999, 1, 1) + timedelta(days=n)
        out.write(f"{day:%d/%m/%Y},{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d},"
                  f"{rng.choice(places)},{rng.choice(what)} ({n}),{rng.choice(feel)}\r\n")
PY
  empty="$work/accept-empty"
  CAIRN_DATA_DIR="$empty" $cairn vault create Bench --initials BE --owner bench > /dev/null
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  # Side by side in one run: the import and accept into a copy of the empty vault, and the
  # list of the result (made by the warm-up).
  hyperfine --warmup 1 --runs 5 --export-json "$work/accept.json" \
    --prepare "rm -rf $work/accept; cp -a $empty $work/accept" \
    "CAIRN_DATA_DIR=$work/accept $cairn import $diary --columns suggested > /dev/null && CAIRN_DATA_DIR=$work/accept $cairn import accept 1 --all > /dev/null" \
    "CAIRN_DATA_DIR=$work/accept-listed $cairn incident list --format json > /dev/null" \
    --prepare "[ -d $work/accept-listed ] || { cp -a $empty $work/accept-listed; CAIRN_DATA_DIR=$work/accept-listed $cairn import $diary --columns suggested > /dev/null; CAIRN_DATA_DIR=$work/accept-listed $cairn import accept 1 --all > /dev/null; }"
fi

if [ "$what" = all ] || [ "$what" = whatsapp ]; then
  export CAIRN_DATA_DIR="$work/whatsapp"
  chat="$work/chat.txt"
  .venv/bin/python -c "import sys; sys.path.insert(0, 'bench'); from pathlib import Path
from bench_import_pipeline import write_export; write_export(Path('$chat'), 100_000)"
  $cairn vault create Bench --initials BE --owner bench > /dev/null
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -v $cairn import "$chat" 2> "$work/import.txt" > /dev/null
  /usr/bin/time -v $cairn import accept 1 --all 2> "$work/accept.txt"
  grep -E "Elapsed|User time|System time|Maximum resident set size" "$work/import.txt" "$work/accept.txt"
  unset CAIRN_DATA_DIR
fi

if [ "$what" = all ] || [ "$what" = verify ]; then
  export CAIRN_DATA_DIR="$work/verify"
  seed "$CAIRN_DATA_DIR" 100000
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  # Side by side: the floor of reading and hashing every byte verify reads (the database
  # file, once, with sha256sum), one process, and the pool (one process per core).
  hyperfine --warmup 1 --runs 7 --export-json "$work/verify.json" \
    "sha256sum $CAIRN_DATA_DIR/cairn.sqlite3" \
    "$cairn verify --workers 1 > /dev/null" "$cairn verify > /dev/null"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -v $cairn verify 2> "$work/verify-time.txt" > /dev/null
  grep -E "Maximum resident set size|Elapsed|User time" "$work/verify-time.txt"
  unset CAIRN_DATA_DIR
fi

if [ "$what" = all ] || [ "$what" = demo ]; then
  # Each run into a data directory of its own: the demo only loads into an empty one.
  hyperfine --warmup 1 --runs 5 --export-json "$work/demo.json" \
    --prepare "rm -rf $work/demo" "CAIRN_DATA_DIR=$work/demo $cairn demo > /dev/null"
fi

if [ "$what" = all ] || [ "$what" = ingest ]; then
  export CAIRN_DATA_DIR="$work/ingest"
  $cairn vault create Bench --initials BE --owner bench > /dev/null
  big="$work/one-gib.bin"
  # Incompressible bytes, written once (the page cache then holds them for both commands).
  head -c 1073741824 /dev/urandom > "$big"
  hyperfine --warmup 1 --runs 5 --export-json "$work/ingest.json" \
    "sha256sum $big" "$cairn exhibit add $big"
  /usr/bin/time -v $cairn exhibit add "$big" 2> "$work/time.txt" > /dev/null
  grep -E "Maximum resident set size|Elapsed" "$work/time.txt"
  unset CAIRN_DATA_DIR
fi

if [ "$what" = load ]; then
  .venv/bin/python -m pip install --quiet -e '.[bench]'
  scripts/with-postgres.sh .venv/bin/python -m bench.load.run
fi

if [ "$what" = all ] || [ "$what" = pytest ]; then
  CAIRN_DATA_DIR="$work/pytest" .venv/bin/pytest bench/ --benchmark-enable -q -p no:randomly \
    --benchmark-columns=min,median,max,rounds
fi
