"""Queries other packages need about appeals."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from appeals.models import OPEN_STATUSES, Appeal


def open_appeal_exists(session: Session, attempt_id: int) -> bool:
    return (
        session.scalar(
            select(Appeal.id)
            .where(Appeal.attempt_id == attempt_id, Appeal.status.in_(OPEN_STATUSES))
            .limit(1)
        )
        is not None
    )
