"""Read-only queries behind the bank's pages: the searchable item list and source excerpts.

The item search matches case-insensitively in Python, not with SQL ``LIKE``: SQLite folds case
only for ASCII letters (so "Закон" would not find "закон"), and options are a JSON list that
both databases store with ``\\uXXXX`` escapes, where no ``LIKE`` pattern finds Cyrillic text.
The database narrows the rows by section, topic and status first; the text is matched against
each item's external id and, in its current version (the pending edit, else the serving one)
and its active version, the stems, options and explanations of every language and the
citation quote. That reads a few rows per item, which is fine for a bank of thousands of items.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from question_bank.citations import normalise
from question_bank.models import ACTIVE, DRAFT, IN_REVIEW, Item, ItemVariant, ItemVersion, Topic


@dataclass(frozen=True)
class BankQuery:
    section: str | None = None
    topic: str | None = None
    status: str | None = None
    position: str | None = None
    missing: str | None = None  # a language code: items whose current version has no text in it
    text: str | None = None


@dataclass
class SearchResult:
    items: list[Item]
    total: int
    # Counts per item status of everything the other filters match, so the page can offer them.
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class _VersionRow:
    id: int
    number: int
    status: str
    quote: str


def search_items(session: Session, query: BankQuery, *, limit: int = 50, offset: int = 0) -> SearchResult:
    """Items matching every filter of ``query``, ordered by external id, one page of them."""
    conditions = []
    if query.section:
        conditions.append(Item.section == query.section)
    if query.topic:
        conditions.append(Topic.code == query.topic)
    stmt = (
        select(Item.id, Item.external_id, Item.status, Item.all_positions, Item.positions)
        .join(Topic, Item.topic_id == Topic.id)
        .where(*conditions)
    )
    rows = [
        r
        for r in session.execute(stmt.order_by(Item.external_id))
        if not query.position or r.all_positions or query.position in (r.positions or [])
    ]
    needle = (query.text or "").strip().casefold()
    if needle or query.missing:
        scope = select(Item.id).join(Topic, Item.topic_id == Topic.id).where(*conditions)
        texts, languages = _current_texts(session, scope, {r.id for r in rows})
        if needle:
            rows = [r for r in rows if needle in r.external_id.casefold() or needle in texts.get(r.id, "")]
        if query.missing:
            rows = [r for r in rows if query.missing not in languages.get(r.id, set())]
    by_status = dict(Counter(r.status for r in rows))
    if query.status:
        rows = [r for r in rows if r.status == query.status]
    page_ids = [r.id for r in rows[offset : offset + limit]]
    items = session.scalars(select(Item).where(Item.id.in_(page_ids))).all() if page_ids else []
    order = {item_id: n for n, item_id in enumerate(page_ids)}
    return SearchResult(sorted(items, key=lambda i: order[i.id]), len(rows), by_status)


def _current_texts(
    session: Session, scope: Select, item_ids: set[int]
) -> tuple[dict[int, str], dict[int, set[str]]]:
    """Per item: the casefolded searchable text, and the languages its current version has."""
    if not item_ids:
        return {}, {}
    versions: dict[int, list[_VersionRow]] = {}
    for item_id, vid, number, status, quote in session.execute(
        select(
            ItemVersion.item_id,
            ItemVersion.id,
            ItemVersion.number,
            ItemVersion.status,
            ItemVersion.citation_quote,
        ).where(ItemVersion.item_id.in_(scope))
    ):
        if item_id in item_ids:
            versions.setdefault(item_id, []).append(_VersionRow(vid, number, status, quote or ""))
    current: dict[int, int] = {}  # version id -> item id, for the versions that are searched
    current_of: dict[int, int] = {}  # item id -> its current version id
    for item_id, rows in versions.items():
        rows.sort(key=lambda v: v.number)
        pending = next((v for v in reversed(rows) if v.status in (DRAFT, IN_REVIEW)), None)
        active = next((v for v in rows if v.status == ACTIVE), None)
        chosen = pending or active or rows[-1]
        current_of[item_id] = chosen.id
        for v in {chosen.id: chosen, **({active.id: active} if active else {})}.values():
            current[v.id] = item_id
    parts: dict[int, list[str]] = {}
    for rows in versions.values():
        for v in rows:
            if v.id in current and v.quote:
                parts.setdefault(current[v.id], []).append(v.quote)
    languages: dict[int, set[str]] = {}
    for vid, lang, stem, options, explanation in session.execute(
        select(
            ItemVariant.version_id,
            ItemVariant.lang,
            ItemVariant.stem,
            ItemVariant.options,
            ItemVariant.explanation,
        )
        .join(ItemVersion, ItemVariant.version_id == ItemVersion.id)
        .where(ItemVersion.item_id.in_(scope))
    ):
        item_id = current.get(vid)
        if item_id is None:
            continue
        parts.setdefault(item_id, []).extend([stem, *(options or []), explanation or ""])
        if current_of[item_id] == vid and stem.strip():
            languages.setdefault(item_id, set()).add(lang)
    texts = {item_id: "\n".join(p).casefold() for item_id, p in parts.items()}
    return texts, languages


# -- where a quote stands in its source ---------------------------------------------------------
@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    return normalise(char)


@lru_cache(maxsize=16)
def _normalised_map(text: str) -> tuple[str, tuple[int, ...]]:
    """The source text as :func:`citations.normalise` sees it, with each character's origin."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold(char)
        out.append(folded)
        origin.extend([index] * len(folded))
    return "".join(out), tuple(origin)


@dataclass(frozen=True)
class Excerpt:
    before: str
    quote: str
    after: str


def source_excerpt(full_text: str | None, quote: str | None, *, context: int = 300) -> Excerpt | None:
    """The passage of ``full_text`` that the citation checker matched, with some text around it,
    so that a reviewer reads the clause itself; None when the quote is not in the text."""
    if not full_text or not quote:
        return None
    needle = normalise(quote)
    if not needle:
        return None
    haystack, origin = _normalised_map(full_text)
    at = haystack.find(needle)
    if at < 0:
        return None
    start, end = origin[at], origin[at + len(needle) - 1] + 1
    lead = max(0, start - context)
    tail = min(len(full_text), end + context)
    return Excerpt(
        ("…" if lead else "") + full_text[lead:start],
        full_text[start:end],
        full_text[end:tail] + ("…" if tail < len(full_text) else ""),
    )
