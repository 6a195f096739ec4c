"""Everything the UI shows is translated into Kazakh and Russian, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "exam_app" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _source_messages() -> set[str]:
    method_map = [("exam_app/**.py", "python"), ("attestation/**.py", "python"), ("question_bank/**.py", "python"),
                  ("proctoring/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_message_is_translated_with_its_placeholders(lang: str) -> None:
    catalog = _catalog(lang)
    missing, broken = [], []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) else message.string[0]
        if not msgstr:
            missing.append(msgid)
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr)):
            broken.append(msgid)
    assert not missing, f"{len(missing)} untranslated in {lang}: {missing[:5]}"
    assert not broken, f"placeholders differ in {lang}: {broken[:5]}"


def test_catalogs_hold_every_text_the_code_shows() -> None:
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog("ru") if m.id}
    absent = sorted(_source_messages() - in_catalog)
    assert not absent, f"run scripts/i18n-update.sh and translate: {absent[:10]}"
