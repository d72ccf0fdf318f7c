#!/usr/bin/env bash
# Runs of the test suite:
#   test-run.sh sqlite|postgresql [PYTEST ARGS]  the whole suite on one database (make test)
#   test-run.sh fast [PYTEST ARGS]               SQLite, no browser or slow end-to-end tests,
#                                                in parallel (pytest-xdist), test database kept
#   test-run.sh one PATH[::NAME] [PYTEST ARGS]   just these tests, on SQLite, test database kept
# Each run has its own data dir (keys, evidence files, static files), removed afterwards. The
# kept SQLite test databases live in .test-db/ (one per xdist worker); `--create-db` rebuilds
# them, which is only needed when a migration was edited in place (new migrations are applied).
set -euo pipefail
label=${1:?usage: test-run.sh sqlite|postgresql|fast|one [pytest args]}
shift
here=$(cd "$(dirname "$0")/.." && pwd)
data=$(mktemp -d /tmp/cairn-test-data.XXXXXX)
trap 'rm -rf "$data"' EXIT
export CAIRN_DATA_DIR="$data"
cd "$here"
case "$label" in
  sqlite|postgresql)
    [ "$label" = "sqlite" ] && unset DATABASE_URL
    echo "== tests on $label =="
    .venv/bin/python -m django collectstatic --noinput --verbosity 0 --settings=cairn.settings
    exec .venv/bin/pytest "$@"
    ;;
  fast|one)
    unset DATABASE_URL
    mkdir -p .test-db
    export CAIRN_TEST_SQLITE="$here/.test-db/cairn-test.sqlite3"
    if [ "$label" = "fast" ]; then
      exec .venv/bin/pytest -q -n "${TEST_WORKERS:-2}" --reuse-db \
        -m "not browser and not slow" "$@"
    fi
    exec .venv/bin/pytest --reuse-db "$@"
    ;;
  *)
    echo "test-run.sh: unknown run '$label' (sqlite, postgresql, fast or one)" >&2
    exit 2
    ;;
esac
