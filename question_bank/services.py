"""Operations on items and topics for views, the importer and the CLI.

Plain functions taking a session: a view parses the request, calls one of these and renders.
They flush but never commit, so the caller decides the transaction (the importer makes a whole
file one transaction). Refusals are DomainErrors whose ``params["problems"]`` lists every
reason, so an editor can show them all at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from attestation import audit
from attestation.db import DomainError
from question_bank import LANGUAGES, REQUIRED_LANGUAGES, SECTIONS
from question_bank.blueprints import PoolItem
from question_bank.drafts import (
    TOPIC_CODE,
    ItemDraft,
    ReviewNote,
    TopicDraft,
    VersionContent,
    content_problems,
    item_problems,
    positions_problems,
)
from question_bank.models import (
    ACTIVE,
    DRAFT,
    IN_REVIEW,
    RETIRED,
    Item,
    ItemVariant,
    ItemVersion,
    ReviewEntry,
    Topic,
)
from question_bank.types import grade, render_version  # noqa: F401  (re-exported for views)
from question_bank.workflow import Actor, _set_status, item_status


# -- topics -----------------------------------------------------------------------------------
def upsert_topic(session: Session, draft: TopicDraft, *, actor: Actor) -> tuple[Topic, bool]:
    """Create the topic or bring its titles up to date; returns (topic, changed)."""
    if not TOPIC_CODE.match(draft.code):
        raise DomainError("topic_code_invalid", f"Topic code {draft.code!r} must be snake_case.")
    if draft.section not in SECTIONS:
        raise DomainError("section_invalid", f"Section must be one of {', '.join(SECTIONS)}.")
    topic = session.scalar(select(Topic).where(Topic.code == draft.code))
    before = None
    if topic is None:
        topic = Topic(code=draft.code, section=draft.section)
        session.add(topic)
    else:
        before = {"section": topic.section, "titles": topic.titles()}
        if topic.section != draft.section:
            raise DomainError(
                "topic_section_conflict",
                f"Topic {draft.code} belongs to {topic.section}, not {draft.section}.",
            )
    changed = before is None
    for lang in LANGUAGES:
        title = draft.titles.get(lang)
        if title is not None and getattr(topic, f"title_{lang}") != title:
            setattr(topic, f"title_{lang}", title)
            changed = True
    if changed:
        session.flush()
        audit.record(
            session,
            "bank.topic_saved",
            actor_id=actor.id,
            actor_label=actor.label,
            object_type="bank_topic",
            object_id=topic.code,
            before=before,
            after={"section": topic.section, "titles": topic.titles()},
        )
    return topic, changed


def get_topic(session: Session, code: str) -> Topic:
    topic = session.scalar(select(Topic).where(Topic.code == code))
    if topic is None:
        raise DomainError("topic_unknown", f"Unknown topic {code!r}.", topic=code)
    return topic


# -- items ------------------------------------------------------------------------------------
def get_item(session: Session, external_id: str) -> Item:
    item = session.scalar(select(Item).where(Item.external_id == external_id))
    if item is None:
        raise DomainError("item_unknown", f"Unknown item {external_id!r}.", external_id=external_id)
    return item


def create_item(
    session: Session,
    *,
    external_id: str,
    section: str,
    topic_code: str,
    positions: Sequence[str] | None,
    content: VersionContent,
    actor: Actor,
    author: Actor | None = None,
    review: Iterable[ReviewNote] = (),
    note: str = "",
) -> Item:
    """A new item with its first version, in draft. ``positions`` None means every position."""
    draft = ItemDraft(external_id, section, topic_code, tuple(positions) if positions else None, content)
    problems = item_problems(draft, required_languages=(), require_explanation=False, require_citation=False)
    if session.scalar(select(Item.id).where(Item.external_id == external_id)) is not None:
        problems.append(f"an item with id {external_id} already exists")
    if problems:
        raise DomainError("item_invalid", f"{external_id}: " + "; ".join(problems), problems=problems)
    topic = get_topic(session, topic_code)
    if topic.section != section:
        raise DomainError("topic_section_conflict", f"Topic {topic_code} belongs to {topic.section}.")
    item = Item(
        external_id=external_id,
        section=section,
        topic=topic,
        all_positions=positions is None,
        positions=list(positions or []),
        status=DRAFT,
    )
    session.add(item)
    audit.record(  # flushes the item with the entry
        session,
        "bank.item_created",
        actor_id=actor.id,
        actor_label=actor.label,
        object_type="bank_item",
        object_id=external_id,
        after={"section": section, "topic": topic_code, "positions": item.positions_value()},
        note=note,
    )
    _add_version(session, item, content, actor=actor, author=author or actor, review=review, note=note)
    return item


def save_version(
    session: Session,
    item: Item,
    content: VersionContent,
    *,
    actor: Actor,
    author: Actor | None = None,
    review: Iterable[ReviewNote] = (),
    note: str = "",
) -> ItemVersion:
    """The editor's save: a new draft version, unless the text equals the pending or active one.

    A pending version it replaces is retired ("superseded"), so there is one pending edit at a
    time; the active version keeps serving until the new one is activated.
    """
    problems = content_problems(
        content, required_languages=(), require_explanation=False, require_citation=False
    )
    if problems:
        raise DomainError("item_invalid", f"{item.external_id}: " + "; ".join(problems), problems=problems)
    same = matching_version(item, content)
    if same is not None:
        return same
    pending = item.pending_version
    version = _add_version(
        session, item, content, actor=actor, author=author or actor, review=review, note=note
    )
    if pending is not None:
        _set_status(session, pending, RETIRED, actor=actor, note=f"superseded by v{version.number}")
    return version


def matching_version(item: Item, content: VersionContent) -> ItemVersion | None:
    """The pending or active version whose content equals ``content``, if any."""
    fingerprint = content.fingerprint()
    for version in (item.pending_version, item.active_version):
        if version is not None and version.content_sha256 == fingerprint:
            return version
    return None


def _add_version(
    session: Session,
    item: Item,
    content: VersionContent,
    *,
    actor: Actor,
    author: Actor,
    review: Iterable[ReviewNote],
    note: str,
) -> ItemVersion:
    number = max((v.number for v in item.versions), default=0) + 1
    version = ItemVersion(
        item=item,
        number=number,
        status=DRAFT,
        type_code=content.type_code,
        difficulty=content.difficulty,
        key=list(content.key),
        option_count=content.option_count,
        citation_source=content.citation.source if content.citation else None,
        citation_clause=content.citation.clause if content.citation else None,
        citation_quote=content.citation.quote if content.citation else None,
        content_sha256=content.fingerprint(),
        author_id=author.id,
        author_label=author.label,
        change_note=note,
    )
    for lang, variant in sorted(content.variants.items()):
        version.variants.append(
            ItemVariant(
                lang=lang, stem=variant.stem, options=list(variant.options), explanation=variant.explanation
            )
        )
    for seq, entry in enumerate(review, start=1):
        version.reviews.append(ReviewEntry(seq=seq, by_label=entry.by, at=entry.at, note=entry.note))
    session.add(version)
    item.status = item_status(item)
    session.flush()
    audit.record(
        session,
        "bank.version_created",
        actor_id=actor.id,
        actor_label=actor.label,
        object_type="bank_item_version",
        object_id=version.id,
        after={"item": item.external_id, "number": number, "content_sha256": version.content_sha256},
        note=note,
    )
    return version


def append_reviews(
    session: Session, version: ItemVersion, notes: Iterable[ReviewNote], *, actor: Actor
) -> int:
    """Add the review lines not yet in the history (matched on by/at/note); returns how many."""
    have = {(r.by_label, r.at, r.note) for r in version.reviews}
    added = 0
    for entry in notes:
        if (entry.by, entry.at, entry.note) in have:
            continue
        version.reviews.append(
            ReviewEntry(seq=len(version.reviews) + 1, by_label=entry.by, at=entry.at, note=entry.note)
        )
        have.add((entry.by, entry.at, entry.note))
        added += 1
    if added:
        session.flush()
        audit.record(
            session,
            "bank.review_appended",
            actor_id=actor.id,
            actor_label=actor.label,
            object_type="bank_item_version",
            object_id=version.id,
            after={"added": added},
        )
    return added


def update_item_metadata(
    session: Session,
    item: Item,
    *,
    topic_code: str,
    positions: Sequence[str] | None,
    actor: Actor,
) -> bool:
    """Move an item to another topic or change whom it applies to; the text is untouched.

    These are not part of a version: an attempt renders from its version alone, while forms
    drawn from now on use the new topic and positions.
    """
    problems = positions_problems(list(positions) if positions is not None else None)
    if problems:
        raise DomainError("item_invalid", "; ".join(problems), problems=problems)
    topic = get_topic(session, topic_code)
    if topic.section != item.section:
        raise DomainError(
            "topic_section_conflict",
            f"{item.external_id} is a {item.section} item; topic {topic_code} is {topic.section}.",
        )
    before = {"topic": item.topic.code, "positions": item.positions_value()}
    new_positions = list(positions or [])
    if (
        item.topic_id == topic.id
        and item.all_positions == (positions is None)
        and item.positions == new_positions
    ):
        return False
    item.topic = topic
    item.all_positions = positions is None
    item.positions = new_positions
    session.flush()
    audit.record(
        session,
        "bank.item_metadata_changed",
        actor_id=actor.id,
        actor_label=actor.label,
        object_type="bank_item",
        object_id=item.external_id,
        before=before,
        after={"topic": topic.code, "positions": item.positions_value()},
    )
    return True


# -- lists for views --------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemFilter:
    section: str | None = None
    topic: str | None = None
    status: str | None = None
    position: str | None = None
    text: str | None = None  # searched in stems and options of every language, and in the id


def _filtered(flt: ItemFilter):  # type: ignore[no-untyped-def]
    stmt = select(Item).join(Topic, Item.topic_id == Topic.id)
    if flt.section:
        stmt = stmt.where(Item.section == flt.section)
    if flt.topic:
        stmt = stmt.where(Topic.code == flt.topic)
    if flt.status:
        stmt = stmt.where(Item.status == flt.status)
    if flt.text:
        pattern = f"%{flt.text.strip()}%"
        matching = (
            select(ItemVersion.item_id)
            .join(ItemVariant, ItemVariant.version_id == ItemVersion.id)
            .where(ItemVersion.status != RETIRED)
            .where(or_(ItemVariant.stem.ilike(pattern), ItemVariant.explanation.ilike(pattern)))
        )
        stmt = stmt.where(or_(Item.external_id.ilike(pattern), Item.id.in_(matching)))
    return stmt


def list_items(
    session: Session, flt: ItemFilter = ItemFilter(), *, limit: int = 50, offset: int = 0
) -> list[Item]:
    items = session.scalars(_filtered(flt).order_by(Item.external_id)).all()
    if flt.position:
        items = [i for i in items if i.applies_to(flt.position)]
    return list(items[offset : offset + limit])


def count_items(session: Session, flt: ItemFilter = ItemFilter()) -> int:
    if flt.position:
        return sum(1 for i in session.scalars(_filtered(flt)) if i.applies_to(flt.position))
    return session.scalar(select(func.count()).select_from(_filtered(flt).subquery())) or 0


def review_queue(session: Session) -> list[ItemVersion]:
    """Versions waiting for a reviewer, oldest first."""
    stmt = select(ItemVersion).where(ItemVersion.status == IN_REVIEW).order_by(ItemVersion.created_at)
    return list(session.scalars(stmt))


# -- the active bank --------------------------------------------------------------------------
def active_pool(session: Session, *, position: str | None = None) -> list[PoolItem]:
    """What forms are drawn from: one entry per active version, optionally for one position."""
    stmt = (
        select(
            Item.id,
            ItemVersion.id,
            Item.external_id,
            Item.section,
            Topic.code,
            ItemVersion.difficulty,
            ItemVersion.option_count,
            Item.all_positions,
            Item.positions,
        )
        .join(ItemVersion, ItemVersion.item_id == Item.id)
        .join(Topic, Item.topic_id == Topic.id)
        .where(ItemVersion.status == ACTIVE)
        .order_by(Item.id)
    )
    pool = [
        PoolItem(
            item_id=row[0],
            version_id=row[1],
            external_id=row[2],
            section=row[3],
            topic=row[4],
            difficulty=float(row[5]),
            option_count=row[6],
            positions=None if row[7] else frozenset(row[8] or ()),
        )
        for row in session.execute(stmt)
    ]
    return [p for p in pool if position is None or p.applies_to(position)]


def bank_stats(session: Session) -> dict:
    """Counts of active items; the JSON that ``attest bank stats --json`` prints.

    ``{"active": {"legal": N, "functional": N},
       "by_language": {"kk": {"legal": N, "functional": N}, "ru": {"legal": N, "functional": N}},
       "by_topic": {"<topic code>": N, ...}}``

    ``by_language`` counts, per delivery language, the active items whose variant in it has a
    stem (in a healthy bank both equal ``active``; English is optional and not counted);
    ``by_topic`` lists every topic, zeros included, so that an empty topic shows.
    """
    active = {s: 0 for s in SECTIONS}
    by_language = {lang: {s: 0 for s in SECTIONS} for lang in REQUIRED_LANGUAGES}
    by_topic = {code: 0 for code in session.scalars(select(Topic.code).order_by(Topic.code))}
    stmt = (
        select(Item.section, Topic.code, ItemVersion.id)
        .join(ItemVersion, ItemVersion.item_id == Item.id)
        .join(Topic, Item.topic_id == Topic.id)
        .where(ItemVersion.status == ACTIVE)
    )
    version_ids = {}
    for section, topic, version_id in session.execute(stmt):
        active[section] += 1
        by_topic[topic] = by_topic.get(topic, 0) + 1
        version_ids[version_id] = section
    if version_ids:
        rows = session.execute(
            select(ItemVariant.version_id, ItemVariant.lang, ItemVariant.stem).where(
                ItemVariant.version_id.in_(version_ids)
            )
        )
        for version_id, lang, stem in rows:
            if lang in by_language and stem.strip():
                by_language[lang][version_ids[version_id]] += 1
    return {"active": active, "by_language": by_language, "by_topic": by_topic}


def missing_languages(version: ItemVersion) -> list[str]:
    return [lang for lang in REQUIRED_LANGUAGES if version.variant(lang) is None]
