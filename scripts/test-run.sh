#!/usr/bin/env bash
# One full run of the test suite against one database: sqlite or postgresql.
# Each run has its own data dir (keys, evidence files, static files), removed afterwards.
set -euo pipefail
label=${1:?usage: test-run.sh sqlite|postgresql}
shift
here=$(cd "$(dirname "$0")/.." && pwd)
data=$(mktemp -d /tmp/cairn-test-data.XXXXXX)
trap 'rm -rf "$data"' EXIT
export CAIRN_DATA_DIR="$data"
if [ "$label" = "sqlite" ]; then
  unset DATABASE_URL
fi
cd "$here"
echo "== tests on $label =="
.venv/bin/python -m django collectstatic --noinput --verbosity 0 --settings=cairn.settings
exec .venv/bin/pytest "$@"
