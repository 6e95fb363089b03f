# shellcheck shell=bash
# start_postgresql: a throwaway PostgreSQL cluster, for the store tests (.ci/run)
# and the PostgreSQL bench (make bench-postgresql). Sourced, not run.
#
# A throwaway cluster: a temporary data directory, a socket in it and
# 127.0.0.1 on a free port, trusted because nothing but this run can reach it;
# stopped and removed however the run ends (fsync off unless PG_FSYNC=on: the
# tests need no durability, the bench does). The store tests make a schema per
# test on it (FQDA_TEST_POSTGRESQL).
start_postgresql() {
  local port
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$PGBIN" ] || return 1
  PGRUN=$(mktemp -d)
  as=()
  if [ "$(id -u)" = 0 ]; then  # the server refuses to run as root: its own user runs it
    id postgres >/dev/null 2>&1 || return 1
    chown postgres "$PGRUN"
    as=(runuser -u postgres --)
  fi
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${as[@]}" "$PGBIN/initdb" -D "$PGRUN/data" -A trust -U fqda_test >"$PGRUN/initdb.log" 2>&1 || return 1
  "${as[@]}" "$PGBIN/pg_ctl" -D "$PGRUN/data" -l "$PGRUN/server.log" -w -t 60 \
    -o "-k $PGRUN -c listen_addresses=127.0.0.1 -p $port -c fsync=${PG_FSYNC:-off}" start >/dev/null || return 1
  stop_postgresql() {
    "${as[@]}" "$PGBIN/pg_ctl" -D "$PGRUN/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PGRUN"
  }
  trap stop_postgresql EXIT
  export FQDA_TEST_POSTGRESQL="postgresql://fqda_test@127.0.0.1:$port/postgres"
  echo "started a throwaway PostgreSQL cluster for the store tests on port $port" >&2
}
