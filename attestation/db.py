"""The one declarative base every domain package maps its tables on.

It lives here, not in ``exam_app``, because domain packages must not import the Flask shell;
the naming convention keeps Alembic's constraint names stable across SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DomainError(Exception):
    """A refusal the user must read: ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str = "", **params: object) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.params = params


def utcnow() -> datetime:
    """Naive UTC, so that SQLite and PostgreSQL store and compare the same values."""
    return datetime.now(UTC).replace(tzinfo=None)
