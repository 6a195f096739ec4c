"""The bank's own YAML format (docs/bank-format.md): parse with line numbers, and export.

Parsing keeps PyYAML's node marks so that every error names the line of the item it concerns.
The parser checks shape only (which keys, which kinds of value) and is strict about it:
unknown keys, duplicate keys and unquoted yes/no options are errors, because PyYAML would
otherwise silently drop or reinterpret them. Content rules live in :mod:`question_bank.drafts`.

Optional fields this module adds to the documented format: ``author`` on an item (who wrote
the version; without it the first review line's ``by`` is the author) and ``title.en``.
Export writes the documented key order, so ``export`` → ``import`` stores nothing new and
``import`` → ``export`` → ``import`` → ``export`` gives byte-identical files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from question_bank import LANGUAGES
from question_bank.drafts import Citation, ItemDraft, ReviewNote, TopicDraft, Variant, VersionContent

FILE_KEYS = {"topic", "section", "title", "items"}
ITEM_KEYS = {"id", "type", "positions", "difficulty", "citation", "key", "variants", "review", "author"}
REQUIRED_ITEM_KEYS = ("id", "type", "positions", "difficulty", "citation", "key", "variants")
CITATION_KEYS = {"source", "clause", "quote"}
VARIANT_KEYS = {"stem", "options", "explanation"}
REVIEW_KEYS = {"by", "at", "note"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# libyaml's loader is several times faster and keeps the same node marks (line numbers).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class FileError:
    file: str
    item: str | None
    line: int | None
    message: str

    def as_json(self) -> dict:
        return {"file": self.file, "item": self.item, "line": self.line, "message": self.message}


@dataclass
class ParsedFile:
    path: str
    topics: list[TopicDraft] = field(default_factory=list)
    items: list[ItemDraft] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


class _Shape(Exception):
    """A value of the wrong kind; the message is for the author."""


def parse_yaml_file(path: str | Path) -> ParsedFile:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return ParsedFile(str(path), errors=[FileError(str(path), None, None, f"cannot read file: {exc}")])
    return parse_yaml_text(text, str(path))


def parse_yaml_text(text: str, path: str = "<string>") -> ParsedFile:
    out = ParsedFile(path)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            out.errors.append(FileError(path, None, 1, "the file is empty"))
            return out
        out.errors.extend(FileError(path, None, line, msg) for line, msg in _duplicate_keys(root))
        data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        out.errors.append(FileError(path, None, line, f"YAML syntax: {getattr(exc, 'problem', exc)}"))
        return out
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        out.errors.append(
            FileError(path, None, 1, "the file must be a mapping with topic, section, title, items")
        )
        return out
    lines = _key_lines(root)
    for key in sorted(set(data) - FILE_KEYS, key=str):
        out.errors.append(FileError(path, None, lines.get(key), f"unknown key {key!r}"))
    for key in ("topic", "section", "items"):
        if key not in data:
            out.errors.append(FileError(path, None, 1, f"missing {key!r}"))
    section, topic_code = data.get("section"), data.get("topic")
    if not isinstance(section, str) or not isinstance(topic_code, str):
        out.errors.append(FileError(path, None, lines.get("topic"), "topic and section must be text"))
        return out
    try:
        titles = _titles(data.get("title"))
    except _Shape as exc:
        out.errors.append(FileError(path, None, lines.get("title"), str(exc)))
        titles = {}
    out.topics.append(TopicDraft(topic_code, section, titles))
    items = data.get("items")
    if not isinstance(items, list):
        out.errors.append(FileError(path, None, lines.get("items"), "items must be a list"))
        return out
    item_nodes = _value_node(root, "items")
    for index, raw in enumerate(items):
        node = item_nodes.value[index] if item_nodes is not None else None
        line = node.start_mark.line + 1 if node is not None else None
        item_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        try:
            draft = _item(raw, section, topic_code)
        except _Shape as exc:
            out.errors.append(FileError(path, item_id or f"#{index + 1}", line, str(exc)))
            continue
        draft.file, draft.line = path, line
        out.items.append(draft)
    return out


def _item(raw: Any, section: str, topic: str) -> ItemDraft:
    if not isinstance(raw, dict):
        raise _Shape("an item must be a mapping")
    unknown = sorted(set(raw) - ITEM_KEYS, key=str)
    missing = [k for k in REQUIRED_ITEM_KEYS if k not in raw]
    problems = [f"unknown key(s) {unknown}"] if unknown else []
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if problems:
        raise _Shape("; ".join(problems))
    item_id = _text(raw["id"], "id")
    positions = raw["positions"]
    if positions == "all":
        positions_value: tuple[str, ...] | None = None
    elif isinstance(positions, list) and all(isinstance(p, str) for p in positions):
        positions_value = tuple(positions)
    else:
        raise _Shape(f'positions must be "all" or a list of position codes, got {positions!r}')
    key = raw["key"]
    if not isinstance(key, list):
        raise _Shape(f"key must be a list of option indices, got {key!r}")
    citation = raw["citation"]
    if not isinstance(citation, dict) or set(citation) != CITATION_KEYS:
        raise _Shape("citation must have exactly source, clause and quote")
    variants_raw = raw["variants"]
    if not isinstance(variants_raw, dict):
        raise _Shape("variants must map a language (kk, ru, en) to stem, options, explanation")
    variants = {}
    for lang, body in variants_raw.items():
        if lang not in LANGUAGES:
            raise _Shape(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
        if (
            not isinstance(body, dict)
            or set(body) - VARIANT_KEYS
            or "stem" not in body
            or "options" not in body
        ):
            raise _Shape(f"{lang}: a variant has stem, options and explanation")
        if not isinstance(body["options"], list):
            raise _Shape(f"{lang}: options must be a list")
        variants[lang] = Variant(
            _text(body["stem"], f"{lang} stem"),
            tuple(_text(o, f"{lang} option") for o in body["options"]),
            _text(body.get("explanation", ""), f"{lang} explanation"),
        )
    difficulty = raw["difficulty"]
    content = VersionContent(
        type_code=_text(raw["type"], "type"),
        difficulty=difficulty,
        key=tuple(key),
        citation=Citation(
            _text(citation["source"], "citation source"),
            _text(citation["clause"], "citation clause"),
            _text(citation["quote"], "citation quote"),
        ),
        variants=variants,
    )
    return ItemDraft(
        external_id=item_id,
        section=section,
        topic=topic,
        positions=positions_value,
        content=content,
        review=tuple(_review(raw.get("review"))),
        author=_text(raw["author"], "author") if "author" in raw else None,
    )


def _review(raw: Any) -> Iterable[ReviewNote]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _Shape("review must be a list of {by, at, note}")
    out = []
    for entry in raw:
        if not isinstance(entry, dict) or set(entry) - REVIEW_KEYS or "by" not in entry or "at" not in entry:
            raise _Shape("each review line needs by and at (and may have note)")
        at = entry["at"]
        if isinstance(at, datetime):
            at_text = at.isoformat()
        elif isinstance(at, date):
            at_text = at.isoformat()
        else:
            at_text = _text(at, "review at")
        out.append(
            ReviewNote(_text(entry["by"], "review by"), at_text, _text(entry.get("note") or "", "note"))
        )
    return out


def _titles(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) - set(LANGUAGES):
        raise _Shape("title must map kk / ru / en to text")
    return {lang: _text(value, f"title {lang}") for lang, value in raw.items()}


def _text(value: Any, what: str) -> str:
    """Text as written; numbers and dates that YAML typed are taken as their text.

    Booleans and nulls are refused: YAML reads an unquoted yes/no/on/off as a boolean, so the
    author's word is already lost and only quoting it brings it back.
    """
    if isinstance(value, bool) or value is None:
        raise _Shape(f"{what} must be text, got {value!r} (quote it)")
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise _Shape(f"{what} must be text, got {type(value).__name__}")


def _duplicate_keys(node: yaml.Node) -> list[tuple[int, str]]:
    found = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = getattr(key_node, "value", None)
            if isinstance(key, str):
                if key in seen:
                    found.append((key_node.start_mark.line + 1, f"duplicate key {key!r}"))
                seen.add(key)
            found.extend(_duplicate_keys(value_node))
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            found.extend(_duplicate_keys(child))
    return found


def _key_lines(root: yaml.Node) -> dict[str, int]:
    if not isinstance(root, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in root.value if isinstance(k.value, str)}


def _value_node(root: yaml.Node, key: str) -> yaml.SequenceNode | None:
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == key and isinstance(v, yaml.SequenceNode):
                return v
    return None


# -- export -----------------------------------------------------------------------------------
class _Flow(list):
    """A list written inline, like the format's examples (``key: [1]``)."""


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key, as the format's documentation writes them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = (
        "|"
        if "\n" in data.rstrip("\n") and not any(line != line.rstrip() for line in data.splitlines())
        else None
    )
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(str, _represent_str)


def item_to_data(draft: ItemDraft) -> dict:
    content = draft.content
    out: dict[str, Any] = {
        "id": draft.external_id,
        "type": content.type_code,
        "positions": "all" if draft.positions is None else _Flow(draft.positions),
        "difficulty": content.difficulty,
    }
    if content.citation is not None:
        out["citation"] = {
            "source": content.citation.source,
            "clause": content.citation.clause,
            "quote": content.citation.quote,
        }
    out["key"] = _Flow(content.key)
    out["variants"] = {
        lang: {"stem": v.stem, "options": list(v.options), "explanation": v.explanation}
        for lang in LANGUAGES
        if (v := content.variants.get(lang)) is not None
    }
    if draft.review:
        out["review"] = [
            {"by": r.by, "at": date.fromisoformat(r.at) if _DATE.match(r.at) else r.at, "note": r.note}
            for r in draft.review
        ]
    if draft.author and (not draft.review or draft.review[0].by != draft.author):
        out["author"] = draft.author
    return out


def dump_topic(topic: TopicDraft, items: Iterable[ItemDraft]) -> str:
    data = {
        "topic": topic.code,
        "section": topic.section,
        "title": {lang: topic.titles[lang] for lang in LANGUAGES if topic.titles.get(lang)},
        "items": [item_to_data(d) for d in items],
    }
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096, indent=2)
