"""Celery entry point for the scaled-out mode: ``celery -A exam_app.celery_worker worker``.

The broker is ``REDIS_URL``; each task analyses one stored frame with the same code as the
embedded worker thread.
"""

from __future__ import annotations

import os

from celery import Celery

TASK = "proctoring.analyse_frame"


def make_celery(broker: str) -> Celery:
    app = Celery("attest", broker=broker)
    app.conf.task_acks_late = True
    app.conf.worker_prefetch_multiplier = 1
    return app


celery = make_celery(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")

_app = None


def _flask_app():  # type: ignore[no-untyped-def]
    global _app
    if _app is None:
        from exam_app import create_app

        _app = create_app({"PROCTORING_ANALYSIS": "inline"})
    return _app


@celery.task(name=TASK)
def analyse_frame_task(frame_id: int) -> None:
    from exam_app.frame_analysis import FrameAnalyzer

    app = _flask_app()
    FrameAnalyzer(app).run(frame_id)
