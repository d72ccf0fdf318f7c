#!/usr/bin/env bash
# Whole-command benchmarks, side by side where a peer exists. Prints what docs/benchmarks.md
# records. Needs hyperfine and /usr/bin/time (scripts/system-deps.sh installs them).
#
#   scripts/bench.sh            # everything
#   scripts/bench.sh list       # `cairn incident list --format json` on 10,000 incidents
#   scripts/bench.sh ingest     # `cairn exhibit add` of a 1 GiB file against `sha256sum`
#   scripts/bench.sh pytest     # the in-process pytest-benchmark suites in bench/
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
