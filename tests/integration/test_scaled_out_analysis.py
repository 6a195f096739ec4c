"""The scaled-out mode: frames are analysed by a real Celery worker over a real Redis broker,
and answer saving does not wait for the analysis."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest
import skimage.data
from exam_helpers import csrf_of, entry_of, save, start_attempt
from helpers import user_login_of, worker_by_surname
from sqlalchemy import select

from attestation.web import db_session
from exam_app.frame_analysis import FrameAnalyzer
from proctoring.models import Frame

ROOT = Path(__file__).resolve().parents[2]
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    if not Path(REDIS).exists():
        pytest.fail("redis-server is not installed: the test command installs Debian's redis-server")
    port = _port()
    proc = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def celery_worker(app, redis_url, tmp_path):  # type: ignore[no-untyped-def]
    env = dict(os.environ, REDIS_URL=redis_url, DATABASE_URL=app.config["DATABASE_URL"],
               EVIDENCE_FOLDER=app.config["EVIDENCE_FOLDER"], ATTEST_VAR_DIR=str(tmp_path))
    celery = Path(sys.executable).with_name("celery")
    proc = subprocess.Popen([str(celery), "-A", "exam_app.celery_worker", "worker", "--concurrency", "1",
                             "--pool", "solo", "--loglevel", "WARNING"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_celery_worker_analyses_frames_while_saves_go_on(app, login_as, redis_url, celery_worker):  # type: ignore[no-untyped-def]
    app.config["PROCTORING_ANALYSIS"] = "celery"
    app.config["REDIS_URL"] = redis_url
    app.extensions["frame_analyzer"] = FrameAnalyzer(app)
    worker = worker_by_surname(app, "Ахметов")
    b = login_as(user_login_of(app, worker.id))
    payload = start_attempt(b, entry_of(app, worker.id))
    attempt_id = payload["attempt"]
    token = csrf_of(b.get(f"/exam/attempt/{attempt_id}").text)
    ok, face = cv2.imencode(".jpg", cv2.resize(cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR), (640, 480)))
    started = time.perf_counter()
    for _ in range(3):
        response = b.client.post(f"/api/v1/attempts/{attempt_id}/frames", headers={"X-CSRFToken": token},
                                 data={"frame": (io.BytesIO(face.tobytes()), "f.jpg"), "purpose": "periodic"},
                                 content_type="multipart/form-data")
        assert response.json["ok"]
    q = payload["questions"][0]
    assert save(b, attempt_id, token, [{"position": q["position"], "seq": 1, "response": [0]}]).json["ok"]
    assert time.perf_counter() - started < 5  # nothing above waited for OpenCV
    deadline = time.time() + 90
    statuses: list[str] = []
    while time.time() < deadline:
        with app.app_context():
            statuses = list(db_session.scalars(select(Frame.status)))
            db_session.remove()
        if statuses and all(s == "analysed" for s in statuses):
            break
        if celery_worker.poll() is not None:
            pytest.fail("the Celery worker exited:\n" + (celery_worker.stdout.read() if celery_worker.stdout else ""))
        time.sleep(0.5)
    assert statuses == ["analysed"] * 3
    with app.app_context():
        faces = db_session.scalars(select(Frame.face_count)).all()
    assert faces == [1, 1, 1]
