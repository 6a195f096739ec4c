"""A server process's threads must reuse their database connections, not open new ones per request.

A connection returned to a full pool is closed; on SQLite the next one runs its pragmas and parses the
whole schema again at its first statement, which under a sitting's load cost more CPU than the requests'
own queries.
"""

from __future__ import annotations

from contextlib import ExitStack

from sqlalchemy import event, text

from exam_app.database import make_engine

# a gunicorn process of `attest serve`: 8 request threads, the answer-step writer and the sweeper
BUSY = 10


def test_a_busy_process_opens_its_connections_once(db_url):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    opened: list[object] = []
    event.listen(engine, "connect", lambda dbapi_conn, _record: opened.append(dbapi_conn))
    try:
        for _round in range(3):
            with ExitStack() as stack:
                connections = [stack.enter_context(engine.connect()) for _ in range(BUSY)]
                for connection in connections:
                    assert connection.execute(text("SELECT 1")).scalar() == 1
        assert len(opened) == BUSY  # the first round opened them; the next two reused every one
    finally:
        engine.dispose()
