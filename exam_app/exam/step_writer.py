"""Group commit of answer steps: one thread per process writes the saves of all its requests at once.

At a sitting every candidate saves every few seconds. Written one request at a time, each save is a
write transaction of its own: on SQLite it queues for the single writer and, holding it, waits for the
GIL behind the process's other threads at every statement; on PostgreSQL it waits for its own WAL
flush. Here the request threads validate their steps with reads only and hand the rows over; the
writer takes whatever has queued up meanwhile and appends it in one multi-row INSERT and one commit,
so a busy second costs a few write transactions, not one per save. A request returns only after its
rows are committed: an acknowledged answer is a stored answer.

If the database refuses a batch (a retry racing its original, or an attempt closed meanwhile, which
migration 0006's trigger refuses), each request's rows are written again on their own, so one refused
save never costs another its answers; the refused request gets the ``IntegrityError``.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from exam_app.exam.services import insert_steps

log = logging.getLogger(__name__)

ROWS_PER_BATCH = 3000
IDLE_SECONDS = 30.0  # the thread ends when idle this long and starts again with the next save


class WriteTimeout(Exception):
    """The rows were not committed in time; the page keeps them and sends them again (idempotent)."""


class _Job:
    __slots__ = ("rows", "done", "error")

    def __init__(self, rows: Sequence[dict[str, Any]]) -> None:
        self.rows = rows
        self.done = threading.Event()
        self.error: BaseException | None = None


class StepWriter:
    def __init__(self, engine: Engine, *, timeout: float = 20.0) -> None:
        self.engine = engine
        self.timeout = timeout
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Return once ``rows`` are committed; raise ``IntegrityError`` if the database refused them."""
        if not rows:
            return
        job = _Job(rows)
        with self._lock:
            if self._pid != os.getpid():  # a forked worker inherits neither the thread nor its queue
                self._pid, self._jobs, self._thread = os.getpid(), queue.SimpleQueue(), None
            self._jobs.put(job)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="answer-step-writer", daemon=True)
                self._thread.start()
        if not job.done.wait(self.timeout):
            raise WriteTimeout
        if job.error is not None:
            raise job.error

    def _run(self) -> None:
        while True:
            try:
                first = self._jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:  # a write() that queued meanwhile sees no thread and starts one
                    if self._jobs.empty():
                        self._thread = None
                        return
                continue
            jobs, count = [first], len(first.rows)
            while count < ROWS_PER_BATCH:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                jobs.append(job)
                count += len(job.rows)
            self._write(jobs)

    def _write(self, jobs: list[_Job]) -> None:
        try:
            self._commit([row for job in jobs for row in job.rows])
        except IntegrityError as exc:
            if len(jobs) == 1:
                jobs[0].error = exc
            else:
                for job in jobs:
                    try:
                        self._commit(job.rows)
                    except Exception as refused:  # noqa: BLE001 - handed to the request that sent these rows
                        job.error = refused
        except Exception as exc:  # noqa: BLE001 - the thread must survive; every waiting request learns why
            log.exception("writing %d answer-step batches failed", len(jobs))
            for job in jobs:
                job.error = exc
        finally:
            for job in jobs:
                job.done.set()

    def _commit(self, rows: Sequence[dict[str, Any]]) -> None:
        with self.engine.begin() as connection:
            insert_steps(connection, rows)
