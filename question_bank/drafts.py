"""Plain values that every format parser produces and the importer and services consume.

Parsers (YAML, Moodle XML, GIFT) know nothing of the database; they turn a file into
:class:`ItemDraft` values with the line each came from, and the checks below say what is wrong
with a draft in words an author can act on. The same checks guard the editor, so an item can
never be saved through one door that the other would refuse.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from question_bank import LANGUAGES, POSITIONS, REQUIRED_LANGUAGES, SECTIONS
from question_bank.types import get_type, type_codes

EXTERNAL_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,39}$")
TOPIC_CODE = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
MIN_QUOTE_CHARS = 10  # a shorter quote matches too many places to prove anything

# "All/none of the above" options break when options are shuffled and test test-taking skill,
# not knowledge. Phrases that only ever mean that are refused anywhere in an option (a superset
# of what scripts/check_bank_content.py refuses); phrases that can also be content (§25 names
# "no correct answer" as a ground for appeal) are refused only as a whole option.
BANNED_OPTION = re.compile(
    r"(all of the above|none of the above|all the above|"
    r"барлығы дұрыс|жоғарыдағылардың барлығы|жоғарыда аталғандардың барлығы|ешқайсысы|"
    r"все (вышеперечисленн|перечисленн|ответы)|ни один из)",
    re.IGNORECASE,
)
BANNED_WHOLE_OPTION = re.compile(
    r"^\W*(дұрыс жауап жоқ|нет (правильного|верного) ответа|все варианты( ответов)? верны|"
    r"no correct answer|both a and b)\W*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Variant:
    stem: str
    options: tuple[str, ...]
    explanation: str = ""

    def is_complete(self) -> bool:
        return bool(self.stem.strip()) and bool(self.options) and all(o.strip() for o in self.options)


@dataclass(frozen=True)
class Citation:
    source: str
    clause: str
    quote: str


@dataclass(frozen=True)
class ReviewNote:
    by: str
    at: str
    note: str = ""


@dataclass(frozen=True)
class VersionContent:
    """What a version fixes for ever: any difference is a new version."""

    type_code: str
    difficulty: int
    key: tuple[int, ...]
    citation: Citation | None
    variants: Mapping[str, Variant]

    @property
    def option_count(self) -> int:
        counts = {len(v.options) for v in self.variants.values()}
        return min(counts) if counts else 0

    def as_json(self) -> dict:
        return {
            "type": self.type_code,
            "difficulty": self.difficulty,
            "key": list(self.key),
            "citation": None
            if self.citation is None
            else {
                "source": self.citation.source,
                "clause": self.citation.clause,
                "quote": self.citation.quote,
            },
            "variants": {
                lang: {"stem": v.stem, "options": list(v.options), "explanation": v.explanation}
                for lang, v in sorted(self.variants.items())
            },
        }

    def fingerprint(self) -> str:
        blob = json.dumps(self.as_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TopicDraft:
    code: str
    section: str
    titles: Mapping[str, str]


@dataclass
class ItemDraft:
    """One item as a file states it. ``positions`` None means every position."""

    external_id: str
    section: str
    topic: str
    positions: tuple[str, ...] | None
    content: VersionContent
    review: tuple[ReviewNote, ...] = ()
    author: str | None = None
    # Formats that carry one language set this; the importer then merges that language into
    # the stored item instead of replacing the others.
    only_language: str | None = None
    file: str = ""
    line: int | None = None
    # How errors name the item: its title in formats whose ids are generated, else the id.
    label: str = ""
    warnings: list[str] = field(default_factory=list)


def positions_problems(positions: object) -> list[str]:
    if positions is None or positions == "all":
        return []
    if not isinstance(positions, list | tuple) or not positions:
        return [f'positions must be "all" or a non-empty list of codes, got {positions!r}']
    problems = []
    unknown = [p for p in positions if p not in POSITIONS]
    if unknown:
        problems.append(f"unknown position code(s) {unknown}; known: {', '.join(POSITIONS)}")
    if len(set(positions)) != len(positions):
        problems.append("positions repeat a code")
    return problems


def content_problems(
    content: VersionContent,
    *,
    required_languages: tuple[str, ...] = REQUIRED_LANGUAGES,
    require_explanation: bool = True,
    require_citation: bool = True,
) -> list[str]:
    """Every reason ``content`` may not be stored, for the languages the format must carry."""
    problems: list[str] = []
    if content.type_code not in type_codes():
        problems.append(f"unknown type {content.type_code!r}; known: {', '.join(type_codes())}")
    if isinstance(content.difficulty, bool) or not isinstance(content.difficulty, int):
        problems.append(f"difficulty must be an integer 1..5, got {content.difficulty!r}")
    elif not 1 <= content.difficulty <= 5:
        problems.append(f"difficulty must be 1..5, got {content.difficulty}")
    unknown_langs = [lang for lang in content.variants if lang not in LANGUAGES]
    if unknown_langs:
        problems.append(f"unknown language(s) {unknown_langs}; known: {', '.join(LANGUAGES)}")
    for lang in required_languages:
        variant = content.variants.get(lang)
        if variant is None or not variant.stem.strip():
            problems.append(f"{lang} variant is missing or has no stem")
        elif require_explanation and not variant.explanation.strip():
            problems.append(f"{lang} variant has no explanation")
    if not content.variants:
        problems.append("no language variant")
    counts = {lang: len(v.options) for lang, v in content.variants.items()}
    if len(set(counts.values())) > 1:
        problems.append(f"languages have different option counts: {counts}")
    for lang, variant in sorted(content.variants.items()):
        problems.extend(f"{lang}: {p}" for p in variant_problems(variant))
    if content.type_code in type_codes() and content.variants:
        problems.extend(get_type(content.type_code).definition_problems(content.key, content.option_count))
    if content.citation is None:
        if require_citation:
            problems.append("citation is missing")
    else:
        problems.extend(citation_shape_problems(content.citation))
    return problems


def variant_problems(variant: Variant) -> list[str]:
    problems = []
    if any(not o.strip() for o in variant.options):
        problems.append("an option is empty")
    normalised = [" ".join(o.split()).casefold() for o in variant.options]
    if len(set(normalised)) != len(normalised):
        problems.append("options must be distinct")
    banned = [o for o in variant.options if BANNED_OPTION.search(o) or BANNED_WHOLE_OPTION.match(o)]
    if banned:
        problems.append(f'"all/none of the above" options are not allowed: {banned}')
    return problems


def citation_shape_problems(citation: Citation) -> list[str]:
    from question_bank.citations import normalise

    problems = []
    if not citation.source.strip():
        problems.append("citation has no source")
    if not citation.clause.strip():
        problems.append("citation has no clause")
    if len(normalise(citation.quote)) < MIN_QUOTE_CHARS:
        problems.append(f"citation quote is shorter than {MIN_QUOTE_CHARS} characters (whitespace ignored)")
    return problems


def item_problems(draft: ItemDraft, **content_rules: object) -> list[str]:
    problems = []
    if not EXTERNAL_ID.match(draft.external_id or ""):
        problems.append(
            f"id {draft.external_id!r} must be 3-40 characters of A-Z, 0-9 and '-' (e.g. LEG-ATT-0001)"
        )
    if draft.section not in SECTIONS:
        problems.append(f"section must be one of {', '.join(SECTIONS)}, got {draft.section!r}")
    if not TOPIC_CODE.match(draft.topic or ""):
        problems.append(f"topic code {draft.topic!r} must be snake_case (a-z, 0-9, _)")
    problems.extend(positions_problems(draft.positions))
    problems.extend(content_problems(draft.content, **content_rules))  # type: ignore[arg-type]
    return problems
