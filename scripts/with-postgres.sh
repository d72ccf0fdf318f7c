#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server, started here and stopped after.
#
#   scripts/with-postgres.sh COMMAND [ARGS...]
#
# The server listens on 127.0.0.1 on a free port, with a superuser `cairn` (trust auth, local
# only), and DATABASE_URL is exported for the command. As root, initdb refuses to run, so
# the cluster belongs to the `postgres` user in a folder of its own.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "with-postgres: PostgreSQL is not installed (run scripts/system-deps.sh)" >&2
  exit 1
fi
workdir=$(mktemp -d /tmp/cairn-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

as_db_user() {
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$workdir"
fi

cleanup() {
  as_db_user "'$bindir/pg_ctl' -D '$workdir/data' -m fast -w stop" >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

as_db_user "'$bindir/initdb' -D '$workdir/data' -A trust -U cairn -E UTF8 --locale=C.UTF-8" >/dev/null
as_db_user "'$bindir/pg_ctl' -D '$workdir/data' -l '$workdir/server.log' -w \
  -o \"-p $port -k '$workdir' -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off\" start" >/dev/null

"$bindir/createdb" -h 127.0.0.1 -p "$port" -U cairn cairn
export DATABASE_URL="postgres://cairn@127.0.0.1:$port/cairn"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on port $port"
set +e
"$@"
status=$?
set -e
exit $status
