#!/usr/bin/env bash
# The README's test command, as CI runs it: the Airflow DAG's syntax (with the Python the machine has),
# every module's unit tests (DirectRunner), the runner parity tests (Direct, Flink, Spark), the load
# command against a local PostgreSQL server, the bundled jar's integration tests, then the HTML report
# rendered in headless Chromium (ci/report-check.sh, which installs Debian's chromium when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v python3 >/dev/null; then
  python3 -c 'import ast, sys; [ast.parse(open(f).read(), f) for f in sys.argv[1:]]; print("DAG syntax ok:", *sys.argv[1:])' \
    templates/airflow/*.py
elif [ "${CI:-}" = "true" ]; then
  echo "CI needs python3 to check the Airflow DAG's syntax" >&2
  exit 1
else
  echo "note: no python3 here, the Airflow DAG's syntax is not checked (CI checks it)"
fi
# The serving-database tests need a PostgreSQL server: a throw-away one in pg-data/ (ci/postgres.sh
# installs PostgreSQL first if it is missing), stopped afterwards unless it was running before. Without
# one the tests skip, except in CI, where they fail.
pg_started=
if bash ci/postgres.sh status; then
  echo "PostgreSQL (ci/postgres.sh) already running: the tests use it"
elif bash ci/postgres.sh start; then
  pg_started=1
elif [ "${CI:-}" = "true" ]; then
  echo "CI needs PostgreSQL for the serving-database tests (ci/postgres.sh start failed)" >&2
  exit 1
else
  echo "note: no PostgreSQL server, the serving-database tests are skipped (CI runs them)" >&2
fi
stop_postgres() {
  if [ -n "$pg_started" ]; then bash ci/postgres.sh stop || true; fi
}
trap stop_postgres EXIT
if bash ci/postgres.sh status; then
  eval "$(bash ci/postgres.sh env)"
fi
mvn -B verify "$@"
# The report page as a browser shows it: needs the bundled jar that verify built.
bash ci/report-check.sh
