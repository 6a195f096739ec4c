"""Celery entry point for the scaled-out mode: ``celery -A exam_app.celery_worker worker``.

The broker is ``REDIS_URL``; each task analyses one stored frame with the same code as the
embedded worker thread.
"""

from __future__ import annotations

import os

from celery import Celery

celery = Celery("attest", broker=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
celery.conf.task_acks_late = True
celery.conf.worker_prefetch_multiplier = 1

_app = None


def _flask_app():  # type: ignore[no-untyped-def]
    global _app
    if _app is None:
        from exam_app import create_app

        _app = create_app({"PROCTORING_ANALYSIS": "inline"})
    return _app


@celery.task(name="proctoring.analyse_frame")
def analyse_frame_task(frame_id: int) -> None:
    from exam_app.frame_analysis import FrameAnalyzer

    app = _flask_app()
    FrameAnalyzer(app).run(frame_id)
