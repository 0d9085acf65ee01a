#!/usr/bin/env bash
# A throw-away PostgreSQL server for the serving-database tests and for trying `load` locally.
#
#   bash ci/postgres.sh start   # install PostgreSQL if missing (Debian/Ubuntu, as root), create and start the cluster
#   bash ci/postgres.sh env     # prints the environment the tests and the `load` command read (eval "$(... env)")
#   bash ci/postgres.sh status  # exit 0 if this project's server is running
#   bash ci/postgres.sh stop    # stops it (the data stays in pg-data/ until you delete the directory)
#
# The cluster lives in pg-data/ of this checkout (gitignored), listens on 127.0.0.1 only, on port
# $SHOPBEAM_PG_PORT (default 55432, not PostgreSQL's 5432, so it never meets a system server), with a
# role and database `shopbeam` whose password is generated at first start and kept in
# pg-data/credentials.properties (mode 600). Password authentication (scram-sha-256) even on loopback,
# so that the tests exercise the same credentials path as production.
# PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` OS user that Debian's
# package creates; as anyone else, as that user.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PORT=${SHOPBEAM_PG_PORT:-55432}
BASE=$ROOT/pg-data
DATA=$BASE/cluster
CREDS=$BASE/credentials.properties
DB=shopbeam
DB_USER=shopbeam

pg_bindir() {
  local d
  # Newest installed major version first.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/pg_ctl" ]; then pg_config --bindir; return 0; fi
  return 1
}

install_postgres() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "PostgreSQL server binaries not found; install PostgreSQL 15 or later (Debian: apt-get install postgresql)" >&2
    return 1
  fi
  echo "installing PostgreSQL (apt-get install postgresql)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # The package's own cluster (main, port 5432) is not needed: do not create it.
  mkdir -p /etc/postgresql-common
  if [ ! -f /etc/postgresql-common/createcluster.conf ] || ! grep -q '^create_main_cluster' /etc/postgresql-common/createcluster.conf; then
    echo "create_main_cluster = false" >>/etc/postgresql-common/createcluster.conf
  fi
  apt-get install -y -qq postgresql >&2
}

# Runs a command as the OS user that owns the cluster.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() {
  local bin
  bin=$(pg_bindir) || return 1
  [ -f "$DATA/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

password() { sed -n 's/^password=//p' "$CREDS"; }

start() {
  local bin t0
  t0=$(date +%s)
  bin=$(pg_bindir) || { install_postgres && bin=$(pg_bindir); } || exit 1
  if running; then
    echo "PostgreSQL already running on 127.0.0.1:$PORT (data $DATA)" >&2
    return 0
  fi
  mkdir -p "$BASE"
  chmod 755 "$BASE"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"
    mkdir -p "$DATA"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$DATA"; fi
    chmod 700 "$DATA"
    # The superuser (postgres) gets no password and can only connect through the socket in the data
    # directory, as the owning OS user (peer); everything over TCP needs a password.
    as_owner "$bin/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    cat >>"$DATA/postgresql.conf" <<EOF
# ci/postgres.sh: loopback only, our own port, socket in the data directory (no /var/run/postgresql needed)
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
# a throw-away test server: durability is not wanted, speed is
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    umask 077
    printf 'user=%s\npassword=%s\n' "$DB_USER" "$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')" >"$CREDS"
    umask 022
    chmod 600 "$CREDS"
    fresh=1
  fi
  if ! as_owner "$bin/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >/dev/null; then
    echo "PostgreSQL did not start; its log:" >&2
    tail -20 "$DATA/server.log" >&2 || true
    exit 1
  fi
  if [ "${fresh:-0}" = 1 ]; then
    # The password goes to psql on stdin, never on a command line.
    as_owner "$bin/psql" -h "$DATA" -p "$PORT" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
      -v user="$DB_USER" -v db="$DB" -v pw="$(password)" >/dev/null <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'pw';
CREATE DATABASE :"db" OWNER :"user";
SQL
  fi
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$PORT, database $DB, user $DB_USER (data $DATA; started in $(( $(date +%s) - t0 )) s)" >&2
}

stop() {
  local bin
  bin=$(pg_bindir) || return 0
  if running; then
    as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    echo "PostgreSQL on port $PORT stopped" >&2
  fi
}

env_() {
  [ -f "$CREDS" ] || { echo "no cluster yet: run ci/postgres.sh start" >&2; exit 1; }
  cat <<EOF
export SHOPBEAM_DB_URL='jdbc:postgresql://127.0.0.1:$PORT/$DB'
export SHOPBEAM_DB_CREDENTIALS_FILE='$CREDS'
export PGHOST=127.0.0.1 PGPORT=$PORT PGDATABASE=$DB PGUSER=$DB_USER PGPASSFILE='$BASE/pgpass'
EOF
  # libpq's password file, so that psql needs no password on its command line or in the environment.
  (umask 077; echo "127.0.0.1:$PORT:$DB:$DB_USER:$(password)" >"$BASE/pgpass")
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running ;;
  env) env_ ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
