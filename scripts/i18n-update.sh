#!/usr/bin/env bash
# Extracts the translatable texts and merges them into the kk / ru / en catalogs.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k _ -k lazy_gettext -k gettext -k ngettext:1,2 -k pgettext:1c,2 -k lazy_pgettext:1c,2 \
  -o exam_app/translations/messages.pot --no-location --omit-header . >/dev/null 2>&1
.venv/bin/pybabel update -i exam_app/translations/messages.pot -d exam_app/translations --no-fuzzy-matching \
  --ignore-obsolete >/dev/null 2>&1
