"""Parsing of the bank pages' forms into engine values, and back into values the templates show.

The item editor and the specification editor have rows the browser adds and removes (options,
topic quotas), so they are read from the request's fields directly rather than as fixed
WTForms; the import page is an ordinary FlaskForm. CSRF is checked for every POST by the
application's CSRFProtect either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from question_bank import LANGUAGES, POSITIONS, SECTIONS
from question_bank.blueprints import Spec
from question_bank.drafts import Citation, Variant, VersionContent
from question_bank.editing import ItemEdit
from question_bank.importer import FORMATS
from question_bank.models import Item, ItemVersion

MIN_OPTIONS, MAX_OPTIONS, NEW_OPTIONS = 3, 6, 4


# -- item editor --------------------------------------------------------------------------------
def empty_item_values() -> dict[str, Any]:
    return {
        "external_id": "",
        "topic": "",
        "all_positions": True,
        "positions": [],
        "type_code": "single_choice",
        "difficulty": 2,
        "key": [],
        "citation_source": "",
        "citation_clause": "",
        "citation_quote": "",
        "note": "",
        "variants": {
            lang: {"stem": "", "options": [""] * NEW_OPTIONS, "explanation": ""} for lang in LANGUAGES
        },
        "option_count": NEW_OPTIONS,
    }


def item_values(item: Item, version: ItemVersion | None) -> dict[str, Any]:
    """The editor's fields for ``item`` as ``version`` states it."""
    values = empty_item_values()
    values.update(
        external_id=item.external_id,
        topic=item.topic.code,
        all_positions=item.all_positions,
        positions=list(item.positions or []),
    )
    if version is None:
        return values
    values.update(
        type_code=version.type_code,
        difficulty=version.difficulty,
        key=list(version.key),
        citation_source=version.citation_source or "",
        citation_clause=version.citation_clause or "",
        citation_quote=version.citation_quote or "",
    )
    count = max(MIN_OPTIONS, version.option_count or 0, *(len(v.options) for v in version.variants))
    for lang in LANGUAGES:
        variant = version.variant(lang)
        options = list(variant.options) if variant else []
        values["variants"][lang] = {
            "stem": variant.stem if variant else "",
            "options": options + [""] * (count - len(options)),
            "explanation": variant.explanation if variant else "",
        }
    values["option_count"] = count
    return values


def _int(value: object, default: int = 0) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def item_values_from_form(form: Any) -> dict[str, Any]:
    """The posted editor fields, kept as typed so that a refused save shows them again."""
    variants = {}
    for lang in LANGUAGES:
        variants[lang] = {
            "stem": form.get(f"stem_{lang}", "").strip(),
            "options": [o.strip() for o in form.getlist(f"options_{lang}")][:MAX_OPTIONS],
            "explanation": form.get(f"explanation_{lang}", "").strip(),
        }
    count = max(MIN_OPTIONS, *(len(v["options"]) for v in variants.values()))
    for v in variants.values():
        v["options"] += [""] * (count - len(v["options"]))
    return {
        "external_id": form.get("external_id", "").strip().upper(),
        "topic": form.get("topic", "").strip(),
        "all_positions": form.get("positions_mode", "all") == "all",
        "positions": [p for p in form.getlist("positions") if p in POSITIONS],
        "type_code": form.get("type_code", "single_choice"),
        "difficulty": _int(form.get("difficulty")),
        "key": sorted({_int(k, -1) for k in form.getlist("key")}),
        "citation_source": form.get("citation_source", "").strip(),
        "citation_clause": form.get("citation_clause", "").strip(),
        "citation_quote": form.get("citation_quote", "").strip(),
        "note": form.get("note", "").strip(),
        "variants": variants,
        "option_count": count,
    }


def edit_from_values(values: Mapping[str, Any]) -> ItemEdit:
    """The engine's values for the editor's fields. A language whose stem and options are all
    empty is left out (English is optional; a draft may still lack Kazakh or Russian)."""
    variants = {}
    for lang, v in values["variants"].items():
        options = list(v["options"])
        if not v["stem"] and not any(options) and not v["explanation"]:
            continue
        while len(options) > MIN_OPTIONS and not options[-1]:
            options.pop()  # trailing empty rows of a language are not options
        variants[lang] = Variant(v["stem"], tuple(options), v["explanation"])
    citation = None
    if values["citation_source"]:
        citation = Citation(values["citation_source"], values["citation_clause"], values["citation_quote"])
    content = VersionContent(
        type_code=values["type_code"],
        difficulty=values["difficulty"],
        key=tuple(values["key"]),
        citation=citation,
        variants=variants,
    )
    positions = None if values["all_positions"] else tuple(values["positions"])
    return ItemEdit(values["external_id"], values["topic"], positions, content, values["note"])


# -- specification editor ------------------------------------------------------------------------
def spec_values(spec: Spec | None) -> dict[str, Any]:
    if spec is None:
        return {
            "code": "",
            "title": "",
            "procedure": "initial",
            "positions": [],
            "counts": {s: 50 for s in SECTIONS},
            "quotas": {s: {} for s in SECTIONS},
        }
    return {
        "code": spec.code,
        "title": spec.title,
        "procedure": spec.procedure,
        "positions": list(spec.positions),
        "counts": {s: spec.section_counts.get(s, 0) for s in SECTIONS},
        "quotas": {s: dict(spec.topic_quotas.get(s, {})) for s in SECTIONS},
    }


def spec_values_from_form(form: Any, topics: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """``topics`` are (section, code) pairs; a quota field left empty means "no quota"."""
    quotas: dict[str, dict[str, int]] = {s: {} for s in SECTIONS}
    for section, code in topics:
        raw = form.get(f"quota_{section}_{code}", "").strip()
        if raw:
            quotas.setdefault(section, {})[code] = _int(raw, -1)
    return {
        "code": form.get("code", "").strip(),
        "title": form.get("title", "").strip(),
        "procedure": form.get("procedure", ""),
        "positions": [p for p in POSITIONS if p in form.getlist("positions")],
        "counts": {s: _int(form.get(f"count_{s}"), -1) for s in SECTIONS},
        "quotas": quotas,
    }


def spec_from_values(values: Mapping[str, Any]) -> Spec:
    return Spec(
        code=values["code"],
        procedure=values["procedure"],
        positions=tuple(values["positions"]),
        section_counts=dict(values["counts"]),
        topic_quotas={s: dict(q) for s, q in values["quotas"].items() if q},
        title=values["title"],
    )


# -- import --------------------------------------------------------------------------------------
class BankImportForm(FlaskForm):
    file = FileField(_("File"), validators=[FileRequired()])
    fmt = SelectField(_("Format"), choices=[], default="auto")
    lang = SelectField(_("Language of a Moodle XML or GIFT file"), choices=[], validators=[Optional()])
    section = SelectField(_("Section of Moodle XML or GIFT items"), choices=[], validators=[Optional()])
    topic = StringField(_("Topic code for items outside any category"), validators=[Length(max=60)])
    dry_run = BooleanField(_("Dry run: check and report, write nothing"), default=True)
    activate = BooleanField(
        _("Activate reviewed YAML items (review history by someone other than the author)")
    )

    def set_choices(self, labels: Mapping[str, Mapping[str, object]]) -> None:
        self.fmt.choices = [(f, str(labels["format"].get(f, f))) for f in FORMATS]
        self.lang.choices = [("", "—")] + [(c, str(labels["lang"].get(c, c))) for c in LANGUAGES]
        self.section.choices = [("", "—")] + [(s, str(labels["section"].get(s, s))) for s in SECTIONS]
