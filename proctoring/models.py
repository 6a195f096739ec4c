"""What proctoring keeps: sessions, analysed frames, browser events, incidents and their review.

The attempt is referred to by id only (the exam package owns it). A frame row keeps the
analysis always, and the image only while the review may need it (``image_path``).
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

# incident review statuses, one way: open → confirmed | dismissed
OPEN, CONFIRMED, DISMISSED = "open", "confirmed", "dismissed"
# annulment requests: requested → agreed | withdrawn
REQUESTED, AGREED, WITHDRAWN = "requested", "agreed", "withdrawn"


class ProctoringSession(Base):
    __tablename__ = "proctor_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id"), unique=True)
    worker_id: Mapped[int] = mapped_column(Integer, index=True)
    campaign_id: Mapped[int] = mapped_column(Integer, index=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    identity_path: Mapped[str | None] = mapped_column(String(500))
    registry_photo_path: Mapped[str | None] = mapped_column(String(500))
    identity_check: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_signal_at: Mapped[datetime | None] = mapped_column(DateTime)
    risk_score: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    coverage_percent: Mapped[float] = mapped_column(Float, default=0.0)
    frames_received: Mapped[int] = mapped_column(Integer, default=0)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_purged_at: Mapped[datetime | None] = mapped_column(DateTime)

    incidents: Mapped[list[Incident]] = relationship(
        back_populates="session", order_by="Incident.started_at", lazy="selectin"
    )


class Frame(Base):
    __tablename__ = "proctor_frame"
    __table_args__ = (Index("ix_proctor_frame_session_at", "session_id", "captured_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("proctor_session.id"))
    captured_at: Mapped[datetime] = mapped_column(DateTime)  # server time of arrival
    client_time: Mapped[datetime | None] = mapped_column(DateTime)
    purpose: Mapped[str] = mapped_column(String(20), default="periodic")  # periodic | event | identity
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | analysed | failed
    face_count: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    analysis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    image_path: Mapped[str | None] = mapped_column(String(500))
    kept_reason: Mapped[str] = mapped_column(String(20), default="")  # flagged | sample | incident


class BrowserEvent(Base):
    __tablename__ = "proctor_event"
    __table_args__ = (Index("ix_proctor_event_session_at", "session_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("proctor_session.id"))
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(DateTime)  # server time of arrival, corrected by the client's offset
    client_time: Mapped[datetime | None] = mapped_column(DateTime)
    duration_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Incident(Base):
    __tablename__ = "proctor_incident"
    __table_args__ = (UniqueConstraint("session_id", "kind", "started_at", name="uq_proctor_incident_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("proctor_session.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime] = mapped_column(DateTime)
    frames: Mapped[int] = mapped_column(Integer, default=0)
    frame_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    could_not_tell: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    reviewer_id: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    stale: Mapped[bool] = mapped_column(Boolean, default=False)  # no longer produced by the rules

    session: Mapped[ProctoringSession] = relationship(back_populates="incidents")


class Annulment(Base):
    """§19: a confirmed violation annuls the result, on one proctor's request and a second's agreement."""

    __tablename__ = "proctor_annulment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("proctor_session.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(Integer, index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("proctor_incident.id"))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[int] = mapped_column(Integer)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    agreed_by: Mapped[int | None] = mapped_column(Integer)
    agreed_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), default=REQUESTED)


class TechnicalPause(Base):
    __tablename__ = "proctor_pause"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(Integer, index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[int] = mapped_column(Integer)
