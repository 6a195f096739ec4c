"""Proctoring through the app: real frames analysed by OpenCV, events, incidents, the proctor's
review, annulment by two proctors, technical pause, and evidence retention with a moved clock."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data
from exam_helpers import csrf_of, entry_of, start_attempt
from helpers import user_login_of, worker_by_surname
from sqlalchemy import select, update

from appeals.models import Appeal
from attestation.db import utcnow
from attestation.web import db_session
from exam_app.exam import services as exam_services
from exam_app.exam.models import Attempt
from proctoring.models import Frame, Incident, ProctoringSession


def _jpeg(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", cv2.resize(image, (640, 480)))
    assert ok
    return buf.tobytes()


FACE = _jpeg(cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
EMPTY_ROOM = _jpeg(cv2.cvtColor(skimage.data.coffee(), cv2.COLOR_RGB2BGR))
DARK = _jpeg(np.zeros((480, 640, 3), np.uint8))


@pytest.fixture
def inline_app(app):  # type: ignore[no-untyped-def]
    """The same app, analysing each frame inside the upload request so tests see results at once."""
    from exam_app.frame_analysis import FrameAnalyzer

    app.config["PROCTORING_ANALYSIS"] = "inline"
    app.extensions["frame_analyzer"] = FrameAnalyzer(app)
    return app


def _candidate(app, login_as, surname="Ахметов"):  # type: ignore[no-untyped-def]
    worker = worker_by_surname(app, surname)
    b = login_as(user_login_of(app, worker.id))
    payload = start_attempt(b, entry_of(app, worker.id))
    token = csrf_of(b.get(f"/exam/attempt/{payload['attempt']}").text)
    return b, payload["attempt"], token


def _frame(b, attempt_id, token, data, purpose="periodic"):  # type: ignore[no-untyped-def]
    return b.client.post(f"/api/v1/attempts/{attempt_id}/frames", headers={"X-CSRFToken": token},
                         data={"frame": (io.BytesIO(data), "f.jpg"), "purpose": purpose},
                         content_type="multipart/form-data")


def _session(app, attempt_id) -> ProctoringSession:  # type: ignore[no-untyped-def]
    with app.app_context():
        ps = db_session.scalar(select(ProctoringSession).where(ProctoringSession.attempt_id == attempt_id))
        db_session.expunge(ps)
        return ps


def _live(app, attempt_id) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        ps_id = _session(app, attempt_id).id
        return [(i.kind, i.could_not_tell) for i in db_session.scalars(
            select(Incident).where(Incident.session_id == ps_id, Incident.stale.is_(False)).order_by(Incident.started_at))]


def _spread(app, attempt_id, seconds: int) -> None:  # type: ignore[no-untyped-def]
    """Frames uploaded in a burst get the interval they would have had (the clock is the server's)."""
    with app.app_context():
        ps = db_session.scalar(select(ProctoringSession).where(ProctoringSession.attempt_id == attempt_id))
        frames = db_session.scalars(select(Frame).where(Frame.session_id == ps.id).order_by(Frame.id)).all()
        for n, f in enumerate(frames):
            f.captured_at = ps.started_at + timedelta(seconds=seconds * (n + 1))
        from proctoring.services import recompute

        recompute(db_session, ps, now=ps.started_at + timedelta(seconds=seconds * (len(frames) + 1)))
        db_session.commit()


def test_face_in_view_gives_no_incident_and_full_coverage(inline_app, login_as):  # type: ignore[no-untyped-def]
    b, attempt_id, token = _candidate(inline_app, login_as)
    assert _frame(b, attempt_id, token, FACE, "identity").json["ok"]
    for _ in range(5):
        assert _frame(b, attempt_id, token, FACE).json["ok"]
    _spread(inline_app, attempt_id, 10)
    assert _live(inline_app, attempt_id) == []
    ps = _session(inline_app, attempt_id)
    assert ps.identity_path and ps.identity_check["face_count"] == 1
    assert ps.coverage_percent > 70 and ps.risk_score == 0  # the first 20 s had only the identity photo
    page = login_as("proctor").get(f"/proctor/sessions/{ps.id}?lang=ru").text
    assert "1 лицо" in page  # Russian plural forms, not "face(s)"
    with inline_app.app_context():  # unflagged frames are not kept beyond one sample
        kept = db_session.scalars(select(Frame).where(Frame.session_id == ps.id, Frame.purpose == "periodic",
                                                      Frame.image_path.is_not(None))).all()
        assert len(kept) == 1 and kept[0].kept_reason == "sample"
        assert not list((Path(inline_app.config["EVIDENCE_FOLDER"]) / "pending").glob("*"))


def test_absence_and_blocked_camera_are_told_apart(inline_app, login_as):  # type: ignore[no-untyped-def]
    b, attempt_id, token = _candidate(inline_app, login_as)
    for data in (FACE, EMPTY_ROOM, FACE, EMPTY_ROOM, EMPTY_ROOM, DARK, DARK, EMPTY_ROOM, FACE):
        assert _frame(b, attempt_id, token, data).json["ok"]
    _spread(inline_app, attempt_id, 10)
    incidents = _live(inline_app, attempt_id)
    # one lone empty frame is not an incident; two in a row are; dark frames are "could not tell"
    # and end the absence run instead of extending it
    assert incidents == [("no_face", False), ("camera_blocked", True)]
    ps = _session(inline_app, attempt_id)
    with inline_app.app_context():
        incident = db_session.scalar(select(Incident).where(Incident.session_id == ps.id, Incident.kind == "no_face"))
        assert incident.frames == 2
        images = db_session.scalars(select(Frame.image_path).where(Frame.id.in_(incident.frame_ids))).all()
        assert all(p and Path(p).exists() for p in images)


def test_browser_events_become_incidents_by_rule(inline_app, login_as):  # type: ignore[no-untyped-def]
    b, attempt_id, token = _candidate(inline_app, login_as)
    now_ms = utcnow().timestamp() * 1000
    events = [{"kind": "tab_hidden", "time": now_ms, "duration_ms": 8000},
              {"kind": "window_blur", "time": now_ms, "duration_ms": 800},  # below the 3 s minimum
              {"kind": "paste", "time": now_ms}, {"kind": "heartbeat", "time": now_ms},
              {"kind": "made_up", "time": now_ms}]
    response = b.client.post(f"/api/v1/attempts/{attempt_id}/events", json={"events": events, "offset_ms": 0},
                             headers={"X-CSRFToken": token})
    assert response.json["stored"] == 4
    assert sorted(k for k, _ in _live(inline_app, attempt_id)) == ["paste", "tab_hidden"]


def test_bad_frames_are_refused_or_flagged_never_crash(inline_app, login_as):  # type: ignore[no-untyped-def]
    b, attempt_id, token = _candidate(inline_app, login_as)
    assert _frame(b, attempt_id, token, b"").json["code"] == "frame_empty"
    assert _frame(b, attempt_id, token, b"x" * (3 * 1024 * 1024)).status_code == 400
    assert _frame(b, attempt_id, token, b"this is not a jpeg").json["ok"]
    assert _frame(b, attempt_id, token, FACE[: len(FACE) // 3]).json["ok"]  # truncated
    with inline_app.app_context():
        ps = db_session.scalar(select(ProctoringSession).where(ProctoringSession.attempt_id == attempt_id))
        flags = db_session.scalars(select(Frame.flags).where(Frame.session_id == ps.id).order_by(Frame.id)).all()
        statuses = db_session.scalars(select(Frame.status).where(Frame.session_id == ps.id)).all()
    assert "unreadable_frame" in flags[0] and set(statuses) == {"analysed"}


def test_another_candidate_cannot_upload_and_candidates_cannot_review(inline_app, login_as):  # type: ignore[no-untyped-def]
    b, attempt_id, token = _candidate(inline_app, login_as)
    other, _, other_token = _candidate(inline_app, login_as, "Ким")
    assert _frame(other, attempt_id, other_token, FACE).status_code == 404
    assert b.get("/proctor/").status_code == 403


def test_confirmed_violation_annuls_with_two_proctors(inline_app, login_as):  # type: ignore[no-untyped-def]
    b, attempt_id, token = _candidate(inline_app, login_as)
    for data in (EMPTY_ROOM, EMPTY_ROOM, EMPTY_ROOM):
        _frame(b, attempt_id, token, data)
    b.client.post(f"/api/v1/attempts/{attempt_id}/submit", headers={"X-CSRFToken": token})
    ps = _session(inline_app, attempt_id)
    proctor = login_as("proctor")
    queue = proctor.get("/proctor/?lang=en").text
    assert f'data-session="{ps.id}"' in queue and "No face in view" in queue
    with inline_app.app_context():
        incident_id = db_session.scalar(select(Incident.id).where(Incident.session_id == ps.id, Incident.kind == "no_face"))
    page = f"/proctor/sessions/{ps.id}"
    # an annulment needs a confirmed violation
    proctor.post(f"{page}/annulment", {"incident_id": str(incident_id), "reason": "left the room"}, token_from=page)
    with inline_app.app_context():
        assert db_session.get(Attempt, attempt_id).status == "scored"
    proctor.post(f"/proctor/incidents/{incident_id}/review", {"verdict": "confirmed", "comment": "nobody for 30 s"},
                 token_from=page)
    proctor.post(f"{page}/annulment", {"incident_id": str(incident_id), "reason": "left the room"}, token_from=page)
    with inline_app.app_context():
        from proctoring.models import Annulment

        annulment_id = db_session.scalar(select(Annulment.id).where(Annulment.session_id == ps.id))
    refused = proctor.post(f"/proctor/annulments/{annulment_id}/agree?lang=en", {}, token_from=page,
                           follow_redirects=True)
    assert "A second proctor must agree" in refused.text
    with inline_app.app_context():
        assert db_session.get(Attempt, attempt_id).status == "scored"
    login_as("proctor2").post(f"/proctor/annulments/{annulment_id}/agree", {}, token_from=page)
    with inline_app.app_context():
        attempt = db_session.get(Attempt, attempt_id)
        assert attempt.status == "annulled" and attempt.annulment_reason == "left the room"
    cabinet = b.get("/cabinet/?lang=en").text
    assert "Annulled after a confirmed violation" in cabinet and "left the room" in cabinet


def test_technical_pause_stops_the_clock(inline_app, login_as):  # type: ignore[no-untyped-def]
    b, attempt_id, token = _candidate(inline_app, login_as)
    ps = _session(inline_app, attempt_id)
    proctor = login_as("proctor")
    page = f"/proctor/sessions/{ps.id}"
    proctor.post(f"{page}/pause", {"reason": "camera driver crashed"}, token_from=page)
    state = b.get(f"/api/v1/attempts/{attempt_id}/state").json
    assert state["paused"]
    with inline_app.app_context():  # paused with 10 minutes left, 20 minutes ago: past the old deadline
        paused_at = utcnow() - timedelta(minutes=20)
        db_session.execute(update(Attempt).where(Attempt.id == attempt_id).values(
            paused_at=paused_at, deadline_at=paused_at + timedelta(minutes=10)))
        db_session.commit()
        db_session.expire_all()
        assert exam_services.expire_due(db_session, utcnow()) == 0  # never expires while paused
        remaining_paused = exam_services.remaining_seconds(db_session.get(Attempt, attempt_id), utcnow())
    assert 9 * 60 < remaining_paused <= 10 * 60
    proctor.post(f"{page}/pause", {"action": "resume"}, token_from=page)
    state = b.get(f"/api/v1/attempts/{attempt_id}/state").json
    assert not state["paused"] and 9 * 60 < state["remaining"] <= 10 * 60


def test_evidence_retention_with_a_moved_clock(inline_app, login_as):  # type: ignore[no-untyped-def]
    b, attempt_id, token = _candidate(inline_app, login_as)
    for data in (FACE, EMPTY_ROOM, EMPTY_ROOM):
        _frame(b, attempt_id, token, data)
    b.client.post(f"/api/v1/attempts/{attempt_id}/submit", headers={"X-CSRFToken": token})
    ps = _session(inline_app, attempt_id)
    with inline_app.app_context():
        kept = db_session.scalars(select(Frame.image_path).where(Frame.session_id == ps.id,
                                                                 Frame.image_path.is_not(None))).all()
        assert kept and all(Path(p).exists() for p in kept)
        closed = db_session.get(Attempt, attempt_id).closed_at
        deadline = exam_services.appeal_deadline(db_session.get(Attempt, attempt_id))
        # an appeal is filed within the window
        db_session.add(Appeal(attempt_id=attempt_id, status="filed", filed_at=closed))
        db_session.commit()
        far = closed + timedelta(days=90)
        assert exam_services.finalize_due(db_session, far) == 0  # not final while the appeal is open
        assert exam_services.purge_evidence_due(db_session, far, margin_days=30) == 0
        db_session.execute(update(Appeal).where(Appeal.attempt_id == attempt_id).values(status="decided"))
        db_session.commit()
        just_after_window = closed.replace(hour=12) + (deadline - closed.date()) + timedelta(days=1)
        assert exam_services.finalize_due(db_session, just_after_window) == 1
        db_session.commit()
        before_margin = just_after_window + timedelta(days=28)
        assert exam_services.purge_evidence_due(db_session, before_margin, margin_days=30) == 0
        assert all(Path(p).exists() for p in kept)
        after_margin = just_after_window + timedelta(days=31)
        assert exam_services.purge_evidence_due(db_session, after_margin, margin_days=30) == 1
        db_session.commit()
        assert not any(Path(p).exists() for p in kept)
        assert db_session.get(ProctoringSession, ps.id).evidence_purged_at is not None
        # the analysis record stays: only images go
        assert any(db_session.scalars(select(Frame.flags).where(Frame.session_id == ps.id)))


def test_evidence_export_on_request(inline_app, login_as):  # type: ignore[no-untyped-def]
    import zipfile

    b, attempt_id, token = _candidate(inline_app, login_as)
    for data in (FACE, EMPTY_ROOM, EMPTY_ROOM):
        _frame(b, attempt_id, token, data)
    ps = _session(inline_app, attempt_id)
    response = login_as("proctor").get(f"/proctor/sessions/{ps.id}/evidence.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert "timeline.json" in names and any(n.startswith("frames/") for n in names)
    assert b.get(f"/proctor/sessions/{ps.id}/evidence.zip").status_code == 403


def _registry_photo(app, login_as, surname: str, image: bytes):  # type: ignore[no-untyped-def]
    worker = worker_by_surname(app, surname)
    hr = login_as("hr")
    response = hr.post(f"/hr/workers/{worker.id}/photo", {"photo": (io.BytesIO(image), "p.jpg")},
                       token_from=f"/hr/workers/{worker.id}", content_type="multipart/form-data")
    assert response.status_code == 302
    bad = hr.post(f"/hr/workers/{worker.id}/photo?lang=en", {"photo": (io.BytesIO(b"GIF89a..."), "p.gif")},
                  token_from=f"/hr/workers/{worker.id}", content_type="multipart/form-data", follow_redirects=True)
    assert "must be a JPEG or PNG" in bad.text


def test_start_photo_matching_the_registry_photo_raises_nothing(inline_app, login_as):  # type: ignore[no-untyped-def]
    _registry_photo(inline_app, login_as, "Ахметов", FACE)
    b, attempt_id, token = _candidate(inline_app, login_as)
    _frame(b, attempt_id, token, FACE, "identity")
    ps = _session(inline_app, attempt_id)
    assert ps.identity_check["against_registry"] and "identity_mismatch" not in ps.identity_check["flags"]
    assert _live(inline_app, attempt_id) == []


def test_start_photo_of_another_person_is_an_incident(inline_app, login_as):  # type: ignore[no-untyped-def]
    from proctoring.analysis.evalset import _read

    other_person = cv2.imencode(".jpg", _read("matplotlib", "mpl-data/sample_data/grace_hopper.jpg"))[1].tobytes()
    _registry_photo(inline_app, login_as, "Ахметов", other_person)
    b, attempt_id, token = _candidate(inline_app, login_as)
    _frame(b, attempt_id, token, FACE, "identity")
    ps = _session(inline_app, attempt_id)
    assert ps.identity_check["against_registry"] and "identity_mismatch" in ps.identity_check["flags"]
    assert ("identity_mismatch", False) in _live(inline_app, attempt_id)


def test_pdo_sets_the_campaigns_proctoring_rules_and_new_sessions_use_them(inline_app, login_as):  # type: ignore[no-untyped-def]
    from proctoring.rules import DEFAULTS

    pdo = login_as("pdo")
    form = {"frame_interval_seconds": "5", "min_consecutive_frames": "3", "min_duration_seconds": "30",
            "gap_seconds": "60", "sample_every_seconds": "600", "review_threshold": "4"}
    form.update({f"weight_{k}": str(v) for k, v in DEFAULTS["weights"].items()})
    bad = pdo.post("/proctor/campaigns/1/settings?lang=en", {**form, "frame_interval_seconds": "0"},
                   token_from="/proctor/campaigns/1/settings")
    assert bad.status_code == 422 and "must be between 2 and 60" in bad.text
    assert pdo.post("/proctor/campaigns/1/settings", {**form, "weight_no_face": "9"},
                    token_from="/proctor/campaigns/1/settings").status_code == 302
    b, attempt_id, token = _candidate(inline_app, login_as)
    ps = _session(inline_app, attempt_id)
    assert ps.settings["frame_interval_seconds"] == 5 and ps.settings["min_consecutive_frames"] == 3
    assert ps.settings["weights"]["no_face"] == 9
    for data in (EMPTY_ROOM, EMPTY_ROOM):  # two empty frames are no longer enough
        _frame(b, attempt_id, token, data)
    assert _live(inline_app, attempt_id) == []
    _frame(b, attempt_id, token, EMPTY_ROOM)
    assert [k for k, _ in _live(inline_app, attempt_id)] == ["no_face"]
    assert login_as("proctor").get("/proctor/campaigns/1/settings").status_code == 403


def test_saves_during_a_long_pause_past_the_old_deadline_are_kept(inline_app, login_as):  # type: ignore[no-untyped-def]
    b, attempt_id, token = _candidate(inline_app, login_as)
    ps = _session(inline_app, attempt_id)
    proctor = login_as("proctor")
    page = f"/proctor/sessions/{ps.id}"
    proctor.post(f"{page}/pause", {"reason": "power cut in the room"}, token_from=page)
    with inline_app.app_context():
        paused_at = utcnow() - timedelta(minutes=30)
        db_session.execute(update(Attempt).where(Attempt.id == attempt_id).values(
            paused_at=paused_at, deadline_at=paused_at + timedelta(minutes=5)))
        db_session.commit()
    from exam_helpers import save

    q = {"position": 1, "seq": 1, "response": [0]}
    assert save(b, attempt_id, token, [q]).json["ok"]
    assert b.get(f"/exam/attempt/{attempt_id}").status_code == 200  # still the test page, not the result
    with inline_app.app_context():
        assert db_session.get(Attempt, attempt_id).status == "in_progress"
