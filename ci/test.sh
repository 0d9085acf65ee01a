#!/usr/bin/env bash
# The README's test command, as CI runs it: every module's unit tests (DirectRunner), the runner parity
# tests (Direct, Flink, Spark), then the bundled jar's integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B verify "$@"
