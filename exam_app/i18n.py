"""Translations: catalog compilation and the labels of fixed codes.

Codes (positions, procedures, categories, statuses, roles, reasons) stay English snake_case
everywhere; only these labels are translated, so the UI, exports and PDFs share one wording.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from attestation.labels import labels  # noqa: F401  (re-exported for create_app)

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def compile_catalogs() -> None:
    """Compile each .po to .mo when the .mo is missing or older, so a fresh clone needs no step."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        tmp.replace(mo_path)
