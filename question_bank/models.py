"""Tables of the question bank.

An :class:`Item` is the stable identity a file and a reviewer talk about ("LEG-ATT-0001"); the
text a candidate reads lives in :class:`ItemVersion` rows whose content never changes once
written (a mapper hook refuses it), because attempts point at the version they showed and
must render and grade the same way years later, for appeals and audits. Only a version's
workflow ``status`` moves. Campaign and worker ids are plain integers: the campaign and
worker tables belong to other packages, which link them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from attestation.db import Base, DomainError, utcnow
from question_bank.drafts import Citation, ReviewNote, Variant, VersionContent

DRAFT, IN_REVIEW, ACTIVE, RETIRED = "draft", "in_review", "active", "retired"
STATUSES = (DRAFT, IN_REVIEW, ACTIVE, RETIRED)


class Topic(Base):
    __tablename__ = "bank_topic"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    section: Mapped[str] = mapped_column(String(20), index=True)
    title_kk: Mapped[str] = mapped_column(String(300), default="")
    title_ru: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")

    def title(self, lang: str) -> str:
        return getattr(self, f"title_{lang}", "") or self.title_ru or self.title_kk or self.code

    def titles(self) -> dict[str, str]:
        return {lang: t for lang in ("kk", "ru", "en") if (t := getattr(self, f"title_{lang}"))}


class SourceDocument(Base):
    """A normative act or guide that citations point to; ``full_text`` proves the quotes."""

    __tablename__ = "bank_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    act_number: Mapped[str] = mapped_column(String(60), default="")
    act_date: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(20), default="")
    full_text: Mapped[str | None] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64), default="")
    loaded_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class Item(Base):
    __tablename__ = "bank_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(40), unique=True)
    section: Mapped[str] = mapped_column(String(20), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("bank_topic.id"), index=True)
    all_positions: Mapped[bool] = mapped_column(Boolean, default=True)
    positions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Mirrors the versions (see workflow.item_status) so that lists filter without a join.
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    topic: Mapped[Topic] = relationship(lazy="joined")
    versions: Mapped[list[ItemVersion]] = relationship(
        back_populates="item", order_by="ItemVersion.number", lazy="selectin"
    )

    def applies_to(self, position: str) -> bool:
        return self.all_positions or position in (self.positions or [])

    def positions_value(self) -> str | list[str]:
        return "all" if self.all_positions else list(self.positions)

    @property
    def active_version(self) -> ItemVersion | None:
        return next((v for v in self.versions if v.status == ACTIVE), None)

    @property
    def pending_version(self) -> ItemVersion | None:
        """The draft or in-review version waiting to replace the active one (at most one)."""
        return next((v for v in reversed(self.versions) if v.status in (DRAFT, IN_REVIEW)), None)

    @property
    def latest_version(self) -> ItemVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def current_version(self) -> ItemVersion | None:
        """What an editor opens: the pending edit if any, else the serving version."""
        return self.pending_version or self.active_version or self.latest_version


class ItemVersion(Base):
    __tablename__ = "bank_item_version"
    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("bank_item.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    type_code: Mapped[str] = mapped_column(String(40))
    difficulty: Mapped[int] = mapped_column(Integer)
    key: Mapped[list[int]] = mapped_column(JSON)
    option_count: Mapped[int] = mapped_column(Integer)
    citation_source: Mapped[str | None] = mapped_column(String(100), index=True)
    citation_clause: Mapped[str | None] = mapped_column(String(100))
    citation_quote: Mapped[str | None] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    author_id: Mapped[int | None] = mapped_column(Integer)
    author_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    change_note: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item] = relationship(back_populates="versions")
    variants: Mapped[list[ItemVariant]] = relationship(
        back_populates="version", lazy="selectin", order_by="ItemVariant.lang"
    )
    reviews: Mapped[list[ReviewEntry]] = relationship(
        back_populates="version", lazy="selectin", order_by="ReviewEntry.seq"
    )

    def variant(self, lang: str) -> ItemVariant | None:
        return next((v for v in self.variants if v.lang == lang), None)

    def languages(self) -> list[str]:
        return [v.lang for v in self.variants]

    def content(self) -> VersionContent:
        citation = None
        if self.citation_source is not None:
            citation = Citation(self.citation_source, self.citation_clause or "", self.citation_quote or "")
        return VersionContent(
            type_code=self.type_code,
            difficulty=self.difficulty,
            key=tuple(self.key),
            citation=citation,
            variants={v.lang: Variant(v.stem, tuple(v.options), v.explanation) for v in self.variants},
        )

    def review_notes(self) -> list[ReviewNote]:
        return [ReviewNote(r.by_label, r.at, r.note) for r in self.reviews]


class ItemVariant(Base):
    __tablename__ = "bank_item_variant"
    __table_args__ = (UniqueConstraint("version_id", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("bank_item_version.id"), index=True)
    lang: Mapped[str] = mapped_column(String(5))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[ItemVersion] = relationship(back_populates="variants")


class ReviewEntry(Base):
    """One line of a version's review history: appended, never edited."""

    __tablename__ = "bank_review_entry"
    __table_args__ = (UniqueConstraint("version_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("bank_item_version.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    by_label: Mapped[str] = mapped_column(String(200))
    by_id: Mapped[int | None] = mapped_column(Integer)
    # As the file wrote it (a date or a timestamp, ISO); ``recorded_at`` is when we stored it.
    at: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    version: Mapped[ItemVersion] = relationship(back_populates="reviews")


class Blueprint(Base):
    """A test specification for one procedure and a group of positions (§16)."""

    __tablename__ = "bank_blueprint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    procedure: Mapped[str] = mapped_column(String(30))
    positions: Mapped[list[str]] = mapped_column(JSON)
    legal_count: Mapped[int] = mapped_column(Integer, default=50)
    functional_count: Mapped[int] = mapped_column(Integer, default=50)
    # {"legal": {"topic_code": n, ...}, "functional": {...}}; topics not named share the rest.
    topic_quotas: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AssembledFormRecord(Base):
    """A form as it was drawn: enough to show it again and to redraw it from the seed."""

    __tablename__ = "bank_form"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    worker_id: Mapped[int | None] = mapped_column(Integer, index=True)
    blueprint_id: Mapped[int | None] = mapped_column(ForeignKey("bank_blueprint.id"), index=True)
    blueprint_code: Mapped[str] = mapped_column(String(80))
    # The specification as used, so that later edits of the blueprint do not rewrite history.
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    position: Mapped[str] = mapped_column(String(40), default="")
    seed: Mapped[int] = mapped_column(BigInteger)
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    over_cap: Mapped[int] = mapped_column(Integer, default=0)
    mean_difficulty: Mapped[float] = mapped_column(Float)
    target_difficulty: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    entries: Mapped[list[FormEntry]] = relationship(
        back_populates="form", order_by="FormEntry.position", lazy="selectin"
    )


class FormEntry(Base):
    __tablename__ = "bank_form_entry"
    __table_args__ = (UniqueConstraint("form_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("bank_form.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(ForeignKey("bank_item.id"), index=True)
    item_version_id: Mapped[int] = mapped_column(ForeignKey("bank_item_version.id"), index=True)
    option_order: Mapped[list[int]] = mapped_column(JSON)

    form: Mapped[AssembledFormRecord] = relationship(back_populates="entries")


_IMMUTABLE = {
    ItemVersion: (
        "item_id",
        "number",
        "type_code",
        "difficulty",
        "key",
        "option_count",
        "citation_source",
        "citation_clause",
        "citation_quote",
        "content_sha256",
        "author_id",
        "author_label",
        "created_at",
    ),
    ItemVariant: ("version_id", "lang", "stem", "options", "explanation"),
    ReviewEntry: ("version_id", "seq", "by_label", "by_id", "at", "note"),
    FormEntry: ("form_id", "position", "item_id", "item_version_id", "option_order"),
}


def _refuse_content_change(_mapper: Any, _conn: Any, target: Any) -> None:
    state = inspect(target)
    changed = [name for name in _IMMUTABLE[type(target)] if state.attrs[name].history.has_changes()]
    if changed:
        raise DomainError(
            "version_immutable",
            f"{type(target).__name__} {target.id} cannot change {', '.join(changed)}: make a new version.",
        )


def _refuse_delete(_mapper: Any, _conn: Any, target: Any) -> None:
    raise DomainError("version_immutable", f"{type(target).__name__} {target.id} cannot be deleted.")


for _cls in _IMMUTABLE:
    event.listen(_cls, "before_update", _refuse_content_change)
    event.listen(_cls, "before_delete", _refuse_delete)
