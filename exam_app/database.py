"""Engine creation and schema migrations.

SQLite runs in WAL mode with a busy timeout so that the embedded server's threads and processes
can write concurrently without "database is locked"; writers queue on a lock file (see
``_install_write_queue``). The schema is always built by Alembic migrations.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


# Connections kept open per process: more than a server process's request threads (8) plus its answer-step
# writer and sweeper, so that no request opens one. A connection returned to a full pool is closed, and on
# SQLite a new one runs its pragmas and parses the whole schema at its first statement: under a sitting's load
# that churn cost the save and timer requests more CPU than their own queries.
POOL_SIZE = 16


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = url.split("///", 1)[1] if "///" in url else ""
        on_file = bool(database) and database != ":memory:" and not database.startswith("file:")
        pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_SIZE} if on_file else {}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        if on_file:
            _install_write_queue(engine, Path(database).with_name(Path(database).name + "-writelock"))
        return engine
    # No ping before each checkout: it is one more round trip on every request. After a database
    # restart the first statement on a stale connection fails, and SQLAlchemy then discards the
    # whole pool, so one request per process sees the error instead of every request paying.
    return create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_SIZE)


_READS = ("SELECT", "PRAGMA")
_holding_threads: set[int] = set()  # threads that hold the queue through some connection


def _install_write_queue(engine: Engine, lock_path: Path) -> None:
    """Make writers to one SQLite file wait their turn on an flock, in every thread and process.

    SQLite lets one writer in at a time; the others retry with sleeps that grow to 100 ms, so under
    a sitting's load a save could wait seconds while other writers slipped in. Here a connection
    takes an exclusive flock on a lock file beside the database before its first write statement
    and drops it at commit or rollback: the kernel wakes the next writer at once, in arrival
    order, and SQLite's own lock is then always free. A thread that already holds the queue
    through another connection does not queue again (it would wait for itself).
    """

    @event.listens_for(engine, "connect")
    def _open(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        record.info["write_queue_fd"] = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)

    @event.listens_for(engine, "close")
    def _close(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        _release(record.info)
        fd = record.info.pop("write_queue_fd", None)
        if fd is not None:
            os.close(fd)

    @event.listens_for(engine, "before_cursor_execute")
    def _queue(conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        info = conn.connection.info
        if info.get("write_queue_held") or statement.lstrip()[:6].upper().startswith(_READS):
            return
        fd = info.get("write_queue_fd")
        me = threading.get_ident()
        if fd is None or me in _holding_threads:
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        info["write_queue_held"] = me
        _holding_threads.add(me)

    # commit and rollback fire just before the driver's; checkin and reset after it, whatever path
    for name in ("commit", "rollback"):
        event.listen(engine, name, lambda conn: _release(conn.connection.info))

    @event.listens_for(engine, "reset")
    def _reset(_dbapi_conn, record, _reset_state):  # type: ignore[no-untyped-def]
        _release(record.info)

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        _release(record.info)


def _release(info: dict) -> None:  # type: ignore[type-arg]
    owner = info.pop("write_queue_held", None)
    if owner is not None:
        _holding_threads.discard(owner)
        fcntl.flock(info["write_queue_fd"], fcntl.LOCK_UN)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
