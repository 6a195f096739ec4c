"""Attempts and their append-only answer steps.

An attempt's status moves one way: not_started → in_progress → submitted | expired → scored →
annulled | final. Transitions are conditional UPDATEs (``WHERE status = <expected>``), so a
candidate's submit and the server's expiry racing each other close the attempt exactly once.
Every save is a new :class:`AnswerStep`; the current answer to a question is its step with
the highest client sequence number, so a late-arriving older save never hides a newer one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from attestation.db import Base, utcnow

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
EXPIRED = "expired"
SCORED = "scored"
ANNULLED = "annulled"
FINAL = "final"

TRANSITIONS: dict[str, frozenset[str]] = {
    NOT_STARTED: frozenset({IN_PROGRESS}),
    IN_PROGRESS: frozenset({SUBMITTED, EXPIRED}),
    SUBMITTED: frozenset({SCORED}),
    EXPIRED: frozenset({SCORED}),
    SCORED: frozenset({ANNULLED, FINAL}),
    ANNULLED: frozenset(),
    FINAL: frozenset({ANNULLED}),  # §19: a violation annuls the result whenever it is established
}
OPEN_STATUSES = (NOT_STARTED, IN_PROGRESS)
CLOSED_STATUSES = (SUBMITTED, EXPIRED, SCORED, ANNULLED, FINAL)


class Attempt(Base):
    __tablename__ = "exam_attempt"
    __table_args__ = (
        UniqueConstraint("entry_id", name="uq_exam_attempt_entry"),
        Index("ix_exam_attempt_status_deadline", "status", "deadline_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("attestee_entry.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    form_id: Mapped[int | None] = mapped_column(ForeignKey("bank_form.id"))
    lang: Mapped[str] = mapped_column(String(5), default="kk")
    status: Mapped[str] = mapped_column(String(20), default=NOT_STARTED, index=True)
    system_check: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    rules_read_at: Mapped[datetime | None] = mapped_column(DateTime)
    duration_seconds: Mapped[int] = mapped_column(Integer, default=120 * 60)
    extra_minutes: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime)
    paused_at: Mapped[datetime | None] = mapped_column(
        DateTime
    )  # a proctor's technical pause stops the clock
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str] = mapped_column(String(20), default="")
    score_percent: Mapped[float | None] = mapped_column(Float)
    points: Mapped[float | None] = mapped_column(Float)
    question_count: Mapped[int | None] = mapped_column(Integer)
    threshold: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(40))
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    annulment_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    entry = relationship("AttesteeEntry", lazy="select")  # loaded when used, not on every save


class AnswerStep(Base):
    """One save of one question's answer (or its review flag), never updated or deleted."""

    __tablename__ = "exam_answer_step"
    __table_args__ = (
        UniqueConstraint("attempt_id", "device_id", "client_seq", name="uq_exam_step_seq"),
        Index("ix_exam_step_attempt_position", "attempt_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id"))
    position: Mapped[int] = mapped_column(Integer)
    item_version_id: Mapped[int] = mapped_column(ForeignKey("bank_item_version.id"))
    response: Mapped[list[int]] = mapped_column(JSON)  # the bank's canonical option indices
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    device_id: Mapped[str] = mapped_column(String(40))
    client_seq: Mapped[int] = mapped_column(Integer)
    client_time: Mapped[datetime | None] = mapped_column(DateTime)
    server_time: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ExtraTime(Base):
    """An accommodation: extra minutes a PDO administrator granted a candidate, with the reason."""

    __tablename__ = "exam_extra_time"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("attestee_entry.id"), index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[int | None] = mapped_column(Integer)
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Grading(Base):
    """One grading of an attempt: the first at closing, later ones after appeals or regrades."""

    __tablename__ = "exam_grading"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40), default="initial")
    points: Mapped[float] = mapped_column(Float)
    question_count: Mapped[int] = mapped_column(Integer)
    score_percent: Mapped[float] = mapped_column(Float)
    per_question: Mapped[list[float]] = mapped_column(JSON)
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    attempt = relationship(Attempt)
