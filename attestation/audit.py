"""The append-only, hash-chained audit log.

Every consequential act of every package is recorded through :func:`record`. Each entry
stores the SHA-256 of its own content and of the entry before it, so deleting or editing an
entry breaks the chain that :func:`verify_chain` walks.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, event, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from attestation.db import Base, utcnow

GENESIS = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    # counting an account's recent failed logins (the lockout that holds across server processes)
    __table_args__ = (Index("ix_audit_entry_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_label: Mapped[str] = mapped_column(String(200), default="system")
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(60), default="")
    object_id: Mapped[str] = mapped_column(String(60), default="")
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    ip: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(Text, default="")


def _digest(entry: AuditEntry) -> str:
    payload = {
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "ip": entry.ip,
        "note": entry.note,
        "prev": entry.prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    actor_label: str = "system",
    object_type: str = "",
    object_id: object = "",
    before: Any = None,
    after: Any = None,
    ip: str = "",
    note: str = "",
) -> AuditEntry:
    """Append one entry in the caller's transaction; it is chained to the newest one at commit.

    Chaining takes a lock that serialises every audited write of every server process (two entries
    must never chain to the same predecessor). Taken here, it would be held through the rest of the
    caller's transaction; taken at commit, only for the newest hash, the inserts and the commit.
    """
    entry = AuditEntry(
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_jsonable(before),
        after=_jsonable(after),
        ip=ip,
        note=note,
    )
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any statement also drops the entry
    session.info.setdefault(_PENDING, []).append(entry)
    return entry


_PENDING = "audit_pending"


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(424242)"))
    elif dialect == "sqlite" and not _sqlite_writing(session):
        # a write that changes nothing still takes SQLite's write lock before the newest hash is read
        session.execute(text("UPDATE audit_entry SET id = id WHERE 0"))
    last = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    now = utcnow()
    for entry in pending:
        entry.at = now
        entry.prev_hash = last or GENESIS
        entry.hash = last = _digest(entry)
        session.add(entry)
    session.flush()


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # rolled back or closed: the entries go with the acts they record
        session.info.pop(_PENDING, None)


def _sqlite_writing(session: Session) -> bool:
    """Whether this transaction has written already, and so holds SQLite's write lock.

    The driver opens a transaction only before its first data-changing statement, and SQLite takes
    its write lock with that statement; the lock is then held until commit or rollback.
    """
    return bool(session.connection().connection.dbapi_connection.in_transaction)


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def verify_chain(session: Session) -> int | None:
    """Return the id of the first entry whose hash or link is wrong, or None if intact."""
    prev = GENESIS
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != prev or _digest(entry) != entry.hash:
            return entry.id
        prev = entry.hash
    return None
