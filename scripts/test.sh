#!/usr/bin/env bash
# The README's second command: install the test dependencies (Python tools, Debian's chromium,
# PostgreSQL), start a PostgreSQL server for the integration tests, lint, and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  TEST_POSTGRES_URL="$(bash scripts/pg-test-server.sh)"
  export TEST_POSTGRES_URL
fi
export ATTEST_REQUIRE_POSTGRES=1
.venv/bin/ruff check .
exec .venv/bin/pytest -q "$@"
