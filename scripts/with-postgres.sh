#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server (initdb in a temporary folder, loopback only, trust auth for
# user zkinfer) and ZKINFER_TEST_DATABASE=postgres://zkinfer@127.0.0.1:PORT/zkinfer_test in its environment, then
# stops the server and removes the folder. The prover service's PostgreSQL tests use it (they skip without it).
# Without a PostgreSQL server (Debian: apt-get install postgresql) it runs the command as it is.
#   scripts/with-postgres.sh swift test --filter ZKServiceTests
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "with-postgres: no PostgreSQL server found (apt-get install postgresql); running without one" >&2
  exec "$@"
fi
DIR=$(mktemp -d /tmp/zkinfer-pg.XXXXXX)
AS=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: run the server as the postgres user the Debian package creates.
  chown postgres "$DIR"
  AS=(runuser -u postgres --)
fi
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT
"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U zkinfer --auth=trust -E UTF8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c fsync=off -c max_connections=50" start >/dev/null ||
  { cat "$DIR/server.log" >&2; exit 1; }
"${AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U zkinfer zkinfer_test
export ZKINFER_TEST_DATABASE="postgres://zkinfer@127.0.0.1:$PORT/zkinfer_test"
echo "with-postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
set +e
"$@"
rc=$?
exit $rc
