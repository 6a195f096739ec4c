"""Where frame analysis runs: in this process (a worker thread, or inline) or in Celery workers.

Answer saving never waits for it: the frame endpoint stores the upload and returns; the
analysis (OpenCV, ~5-15 ms a frame, ~0.1 s with an identity check) happens here.
Modes (``PROCTORING_ANALYSIS``): ``thread`` (embedded default), ``inline`` (the request
analyses before answering: drills and tests that want results at once), ``celery``.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from sqlalchemy.orm import sessionmaker

log = logging.getLogger(__name__)


class FrameAnalyzer:
    def __init__(self, app: Flask) -> None:
        self.mode = app.config.get("PROCTORING_ANALYSIS", "thread")
        self.evidence_dir = app.config["EVIDENCE_FOLDER"]
        self.Session = sessionmaker(bind=app.extensions["engine"], expire_on_commit=False)
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="frame-analysis")
            if self.mode == "thread"
            else None
        )
        self._producer = None
        if self.mode == "celery":
            from exam_app.celery_worker import make_celery

            self._producer = make_celery(app.config["REDIS_URL"] or "redis://127.0.0.1:6379/0")

    def submit(self, frame_id: int) -> None:
        if self.mode == "inline":
            self.run(frame_id)
        elif self.mode == "celery":
            from exam_app.celery_worker import TASK

            assert self._producer is not None
            self._producer.send_task(TASK, args=[frame_id])
        else:
            assert self._pool is not None
            self._pool.submit(self.run, frame_id)

    def run(self, frame_id: int) -> None:
        from attestation.db import utcnow
        from proctoring.services import analyse

        session = self.Session()
        try:
            analyse(session, frame_id, evidence_dir=self.evidence_dir, now=utcnow())
            session.commit()
        except Exception:  # one bad frame must not stop the worker; the frame stays pending for a retry
            log.exception("analysis of frame %s failed", frame_id)
            session.rollback()
        finally:
            session.close()

    def drain(self) -> None:
        """Wait for queued analyses (tests, shutdown)."""
        if self._pool is not None:
            self._pool.submit(lambda: None).result(timeout=120)
