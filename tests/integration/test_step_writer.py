"""Group commit of answer steps: saves queued while the database is busy go in together, none is lost."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest
from exam_helpers import csrf_of, entry_of, save, start_attempt
from helpers import user_login_of, worker_by_surname
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from attestation.db import utcnow
from attestation.web import db_session
from exam_app.exam.models import AnswerStep, Attempt
from question_bank.models import FormEntry


def _started(app, login_as):  # type: ignore[no-untyped-def]
    worker = worker_by_surname(app, "Ахметов")
    b = login_as(user_login_of(app, worker.id))
    payload = start_attempt(b, entry_of(app, worker.id))
    return b, payload


def _row(app, attempt_id: int, seq: int) -> dict:  # type: ignore[no-untyped-def]
    with app.app_context():
        form_id = db_session.get(Attempt, attempt_id).form_id
        entry = db_session.scalars(
            select(FormEntry).where(FormEntry.form_id == form_id).order_by(FormEntry.position)).first()
        return {"attempt_id": attempt_id, "position": entry.position, "item_version_id": entry.item_version_id,
                "response": [0], "flagged": False, "device_id": "device-0001", "client_seq": seq,
                "client_time": None, "server_time": utcnow()}


@contextmanager
def _database_busy(engine):  # type: ignore[no-untyped-def]
    """Hold off every insert of answer steps, as a long write of another process would."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE exam_answer_step IN EXCLUSIVE MODE")
    else:  # takes the write queue's flock and SQLite's write lock
        conn.exec_driver_sql("UPDATE exam_answer_step SET id = id WHERE 0")
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


def _wait_for(predicate, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def _writes(app, rows_per_thread: list[list[dict]]):  # type: ignore[no-untyped-def]
    """Send each list of rows from its own thread while the database is busy; the first one goes alone."""
    writer = app.extensions["step_writer"]
    errors: dict[int, BaseException] = {}

    def send(i: int, rows: list[dict]) -> None:
        try:
            writer.write(rows)
        except BaseException as exc:  # noqa: BLE001 - checked by the test
            errors[i] = exc

    threads = [threading.Thread(target=send, args=(i, rows)) for i, rows in enumerate(rows_per_thread)]
    inserts: list[int] = []

    def seen(_conn, _cursor, statement, parameters, *_):  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO exam_answer_step"):
            inserts.append(1)

    engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with _database_busy(engine):
            threads[0].start()
            _wait_for(lambda: writer._thread is not None and writer._jobs.qsize() == 0)  # the writer took it
            time.sleep(0.05)
            for t in threads[1:]:
                t.start()
            _wait_for(lambda: writer._jobs.qsize() == len(threads) - 1)
        for t in threads:
            t.join(30)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return errors, inserts


def _stored(app, attempt_id: int) -> list[int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return sorted(db_session.scalars(select(AnswerStep.client_seq).where(AnswerStep.attempt_id == attempt_id)))


def test_saves_queued_while_the_database_is_busy_are_written_together(app, login_as):  # type: ignore[no-untyped-def]
    _, payload = _started(app, login_as)
    attempt_id = payload["attempt"]
    errors, inserts = _writes(app, [[_row(app, attempt_id, seq)] for seq in range(1, 9)])
    assert errors == {}
    assert _stored(app, attempt_id) == list(range(1, 9))
    assert len(inserts) == 2  # the first save alone, then the seven that waited, in one statement


def test_a_refused_save_in_a_batch_costs_the_others_nothing(app, login_as):  # type: ignore[no-untyped-def]
    _, payload = _started(app, login_as)
    attempt_id = payload["attempt"]
    app.extensions["step_writer"].write([_row(app, attempt_id, 1)])
    duplicate = _row(app, attempt_id, 1)  # a retry racing its original past the read check
    errors, _ = _writes(app, [[_row(app, attempt_id, 2)], [_row(app, attempt_id, 3)], [duplicate],
                              [_row(app, attempt_id, 4), _row(app, attempt_id, 5)]])
    assert set(errors) == {2} and isinstance(errors[2], IntegrityError)
    assert _stored(app, attempt_id) == [1, 2, 3, 4, 5]


def test_a_save_that_waits_too_long_says_busy_and_its_retry_is_stored_once(app, login_as):  # type: ignore[no-untyped-def]
    b, payload = _started(app, login_as)
    attempt_id, position = payload["attempt"], payload["questions"][0]["position"]
    token = csrf_of(b.get(f"/exam/attempt/{attempt_id}?lang=ru").text)
    writer = app.extensions["step_writer"]
    writer.timeout = 0.3
    with _database_busy(app.extensions["engine"]):
        response = save(b, attempt_id, token, [{"position": position, "response": [2], "seq": 1}])
        assert response.status_code == 503 and response.json["code"] == "busy"
        assert "Сервер перегружен" in response.json["message"]
    writer.timeout = 20.0
    retry = save(b, attempt_id, token, [{"position": position, "response": [2], "seq": 1}])
    assert retry.status_code == 200 and retry.json["accepted"] == [1]
    assert _stored(app, attempt_id) == [1]


@pytest.mark.parametrize("count", [1, 301])
def test_rows_beyond_one_statement_are_all_written(app, login_as, count):  # type: ignore[no-untyped-def]
    _, payload = _started(app, login_as)
    attempt_id = payload["attempt"]
    app.extensions["step_writer"].write([_row(app, attempt_id, seq) for seq in range(1, count + 1)])
    with app.app_context():
        assert db_session.scalar(
            select(func.count()).select_from(AnswerStep).where(AnswerStep.attempt_id == attempt_id)) == count
