#!/usr/bin/env bash
# The README's first command: install everything, then serve the platform with demo data
# on SQLite at http://127.0.0.1:5000 (the demo logins are printed first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/attest serve --demo --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
