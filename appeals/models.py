"""An appeal against an attempt's result (§21). Filing and the commission's work come with the
appeals feature; the record exists now because evidence retention must never delete what an open
appeal may need.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from attestation.db import Base, utcnow

FILED, UNDER_REVIEW, DECIDED, WITHDRAWN = "filed", "under_review", "decided", "withdrawn"
OPEN_STATUSES = (FILED, UNDER_REVIEW)


class Appeal(Base):
    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=FILED, index=True)
    filed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
