"""Proctoring operations as plain functions over a session (no Flask, no exam imports).

Frames arrive as JPEG bytes and wait as a pending file only until analysed; then the image is
kept only if the review may need it (a flagged frame, or a sparse sample), and deleted
otherwise. Incidents are recomputed from the whole timeline by :mod:`proctoring.rules`, keyed
by (kind, start) so that a proctor's verdict on an incident survives every recomputation.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from attestation import audit
from attestation.db import DomainError, utcnow
from proctoring import rules
from proctoring.models import (
    AGREED,
    CONFIRMED,
    DISMISSED,
    OPEN,
    REQUESTED,
    Annulment,
    BrowserEvent,
    Frame,
    Incident,
    ProctoringSession,
    TechnicalPause,
)

if TYPE_CHECKING:
    from exam_app.exam.models import Attempt

MAX_FRAME_BYTES = 2 * 1024 * 1024
ACCEPTED_EVENTS = set(rules.EVENT_KINDS) | set(rules.SIGNAL_EVENTS) | {"tab_visible", "window_focus"}


class ProctoringError(DomainError):
    pass


def open_session(
    session: Session,
    *,
    attempt_id: int,
    worker_id: int,
    campaign_id: int,
    settings: dict[str, Any] | None,
    now: datetime,
    registry_photo: str | None = None,
    checked: bool = False,
) -> ProctoringSession:
    """The attempt's session, opened now. ``checked``: the caller has just seen there is none."""
    if not checked:
        existing = session_for_attempt(session, attempt_id)
        if existing is not None:
            return existing
    ps = ProctoringSession(
        attempt_id=attempt_id,
        worker_id=worker_id,
        campaign_id=campaign_id,
        settings=rules.settings_with_defaults(settings),
        started_at=now,
        last_signal_at=now,
        registry_photo_path=registry_photo,
    )
    session.add(ps)
    session.flush()
    return ps


def attempt_with_session(
    session: Session, attempt_id: int
) -> tuple[Attempt | None, ProctoringSession | None]:
    """The attempt (None if there is none) and its proctoring session (None if not proctored)."""
    from exam_app.exam.models import Attempt

    row = session.execute(
        select(Attempt, ProctoringSession)
        .outerjoin(ProctoringSession, ProctoringSession.attempt_id == Attempt.id)
        .where(Attempt.id == attempt_id)
        .options(lazyload(ProctoringSession.incidents))
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def session_for_attempt(session: Session, attempt_id: int) -> ProctoringSession | None:
    # the incidents only when asked for: the test page and the submit read the session, not its incidents
    return session.scalar(
        select(ProctoringSession)
        .where(ProctoringSession.attempt_id == attempt_id)
        .options(lazyload(ProctoringSession.incidents))
    )


# --- frames ------------------------------------------------------------------------------------------


def receive_frame(
    session: Session,
    ps: ProctoringSession,
    data: bytes,
    *,
    purpose: str,
    now: datetime,
    client_time: datetime | None,
    evidence_dir: str | Path,
) -> Frame:
    """Store the bytes as pending and record the arrival; the analysis runs elsewhere."""
    if not data:
        raise ProctoringError("frame_empty", "The frame is empty.")
    if len(data) > MAX_FRAME_BYTES:
        raise ProctoringError("frame_too_large", "The frame is larger than 2 MB.")
    if purpose not in ("periodic", "event", "identity"):
        raise ProctoringError("bad_purpose", "Unknown frame purpose.")
    frame = Frame(
        session_id=ps.id, captured_at=now, client_time=client_time, purpose=purpose, status="pending"
    )
    session.add(frame)
    session.flush()
    path = _pending_path(evidence_dir, frame.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    ps.frames_received += 1
    ps.last_signal_at = now
    return frame


def _pending_path(evidence_dir: str | Path, frame_id: int) -> Path:
    return Path(evidence_dir) / "pending" / f"{frame_id}.bin"


def _kept_path(evidence_dir: str | Path, session_id: int, frame_id: int) -> Path:
    return Path(evidence_dir) / "kept" / str(session_id) / f"{frame_id}.jpg"


def analyse(session: Session, frame_id: int, *, evidence_dir: str | Path, now: datetime) -> Frame | None:
    """Analyse one pending frame, keep or delete its image, and recompute the session's incidents."""
    from proctoring import analyze_frame

    frame = session.get(Frame, frame_id)
    if frame is None or frame.status != "pending":
        return frame
    ps = session.get(ProctoringSession, frame.session_id)
    assert ps is not None
    pending = _pending_path(evidence_dir, frame.id)
    data = pending.read_bytes() if pending.exists() else b""
    reference = None
    if frame.purpose == "identity" and ps.registry_photo_path and Path(ps.registry_photo_path).exists():
        reference = Path(ps.registry_photo_path).read_bytes()  # the start photo against the registry photo
    elif frame.purpose != "identity" and ps.identity_path and _identity_due(session, ps, frame):
        reference = Path(ps.identity_path).read_bytes() if Path(ps.identity_path).exists() else None
    result = analyze_frame(data, reference)
    frame.face_count = result.face_count
    frame.flags = sorted(result.flags)
    frame.analysis = {
        "brightness": result.brightness,
        "sharpness": result.sharpness,
        "reason": result.reason,
        "identity_distance": result.identity_distance,
        "identity_note": result.identity_note,
        "faces": [asdict(f) for f in result.faces],
    }
    frame.status = "analysed"
    if frame.purpose == "identity" or (ps.identity_path is None and result.face_count == 1):
        # the start photo is the reference for later identity checks; if it showed no single face
        # (a camera still warming up), the first clear frame takes its place
        _keep(frame, ps, data, evidence_dir, "identity")
        ps.identity_check = {
            "face_count": result.face_count,
            "flags": frame.flags,
            "frame": frame.id,
            "at": frame.captured_at.isoformat(),
            "against_registry": reference is not None and frame.purpose == "identity",
            "distance": result.identity_distance,
        }
        if result.face_count == 1:
            ps.identity_path = frame.image_path
    elif result.flags - {"looking_away"} or result.flags and _last_kept_sample(session, ps, frame) is None:
        _keep(frame, ps, data, evidence_dir, "flagged")
    elif _sample_due(session, ps, frame):
        _keep(frame, ps, data, evidence_dir, "sample")
    elif "looking_away" in result.flags:
        _keep(frame, ps, data, evidence_dir, "flagged")
    pending.unlink(missing_ok=True)  # analysed: the raw upload is never kept
    recompute(session, ps, now=now)
    return frame


def _keep(frame: Frame, ps: ProctoringSession, data: bytes, evidence_dir: str | Path, reason: str) -> None:
    if not data:
        return
    path = _kept_path(evidence_dir, ps.id, frame.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    frame.image_path = str(path)
    frame.kept_reason = reason


def _last_kept_sample(session: Session, ps: ProctoringSession, frame: Frame) -> Frame | None:
    return session.scalar(
        select(Frame)
        .where(Frame.session_id == ps.id, Frame.kept_reason == "sample", Frame.id != frame.id)
        .order_by(Frame.captured_at.desc())
        .limit(1)
    )


def _sample_due(session: Session, ps: ProctoringSession, frame: Frame) -> bool:
    last = _last_kept_sample(session, ps, frame)
    every = timedelta(seconds=float(ps.settings.get("sample_every_seconds", 300)))
    return last is None or frame.captured_at - last.captured_at >= every


def _identity_due(session: Session, ps: ProctoringSession, frame: Frame) -> bool:
    """Identity costs ~0.1 s a face: check every ``identity_every`` frames, not each one."""
    every = int(ps.settings.get("identity_every", 6))
    return every > 0 and ps.frames_received % every == 1


# --- events --------------------------------------------------------------------------------------------


def receive_events(
    session: Session,
    ps: ProctoringSession,
    events: Iterable[dict[str, Any]],
    *,
    now: datetime,
    clock_offset_ms: float = 0.0,
) -> int:
    """Record browser events; client times are shifted by the client's measured clock offset."""
    count = 0
    for raw in list(events)[:200]:
        kind = str(raw.get("kind", ""))
        if kind not in ACCEPTED_EVENTS:
            continue
        client = _ms_to_dt(raw.get("time"))
        at = client + timedelta(milliseconds=clock_offset_ms) if client else now
        if at > now + timedelta(seconds=5) or at < ps.started_at - timedelta(minutes=5):
            at = now  # a wrong client clock must not move events outside the session
        duration = raw.get("duration_ms")
        session.add(
            BrowserEvent(
                session_id=ps.id,
                kind=kind,
                at=at,
                client_time=client,
                duration_seconds=max(0.0, float(duration) / 1000.0)
                if isinstance(duration, (int, float))
                else 0.0,
                detail={
                    k: v
                    for k, v in (raw.get("detail") or {}).items()
                    if isinstance(v, (str, int, float, bool))
                }
                if isinstance(raw.get("detail"), dict)
                else {},
            )
        )
        count += 1
    ps.last_signal_at = now
    session.flush()
    recompute(session, ps, now=now)
    return count


def _ms_to_dt(value: Any) -> datetime | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        return datetime.utcfromtimestamp(value / 1000.0)
    except (OverflowError, OSError, ValueError):
        return None


# --- incidents -------------------------------------------------------------------------------------------


def recompute(session: Session, ps: ProctoringSession, *, now: datetime) -> rules.Assessment:
    frames = session.execute(
        select(Frame.id, Frame.captured_at, Frame.flags).where(
            Frame.session_id == ps.id, Frame.status == "analysed", Frame.purpose != "identity"
        )
    ).all()
    events = session.execute(
        select(BrowserEvent.kind, BrowserEvent.at, BrowserEvent.duration_seconds).where(
            BrowserEvent.session_id == ps.id
        )
    ).all()
    end = ps.ended_at or now
    result = rules.assess(
        [rules.FrameObs(fid, at, frozenset(flags or ())) for fid, at, flags in frames],
        [rules.EventObs(kind, at, dur) for kind, at, dur in events if kind != "heartbeat"],
        [at for kind, at, _ in events if kind == "heartbeat"],
        ps.started_at,
        end,
        ps.settings,
    )
    check = ps.identity_check or {}
    if check.get("against_registry") and "identity_mismatch" in (check.get("flags") or ()):
        # the start photo does not match the registry photo: one deliberate check, no debounce
        at = datetime.fromisoformat(check["at"])
        result.incidents.append(
            rules.IncidentSpec(
                "identity_mismatch",
                at,
                at,
                (int(check["frame"]),),
                float(ps.settings["weights"].get("identity_mismatch", 8.0)),
            )
        )
    if ps.ended_at is None:
        # a gap still open at "now" may be a frame in flight: only closed sessions count the tail
        result.incidents = [
            i for i in result.incidents if not (i.kind == "monitoring_gap" and i.ended_at == end)
        ]
    existing = {(i.kind, i.started_at): i for i in ps.incidents}
    seen = set()
    for spec in result.incidents:
        key = (spec.kind, spec.started_at)
        seen.add(key)
        row = existing.get(key)
        if row is None:
            row = Incident(session_id=ps.id, kind=spec.kind, started_at=spec.started_at)
            session.add(row)
            ps.incidents.append(row)
        row.ended_at, row.frames, row.frame_ids = spec.ended_at, len(spec.frame_ids), list(spec.frame_ids)
        row.score, row.could_not_tell, row.stale = spec.score, spec.could_not_tell, False
    for key, row in existing.items():
        if key not in seen:
            row.stale = True  # kept for the record (and its review), but no longer counted
    ps.risk_score = round(sum(i.score for i in ps.incidents if not i.stale and i.status != DISMISSED), 2)
    ps.coverage_percent = result.coverage_percent
    _mark_incident_frames(session, ps)
    session.flush()
    return result


def _mark_incident_frames(session: Session, ps: ProctoringSession) -> None:
    ids = {fid for i in ps.incidents if not i.stale for fid in i.frame_ids}
    if ids:
        for frame in session.scalars(select(Frame).where(Frame.id.in_(ids), Frame.image_path.is_not(None))):
            frame.kept_reason = "incident"


def close_session(session: Session, ps: ProctoringSession, *, now: datetime) -> None:
    """At the end of the attempt: final incidents, and flagged images no incident needs are deleted."""
    if ps.ended_at is None:
        ps.ended_at = now
    recompute(session, ps, now=now)
    for frame in session.scalars(
        select(Frame).where(Frame.session_id == ps.id, Frame.kept_reason == "flagged")
    ):
        _delete_image(frame)


def _delete_image(frame: Frame) -> None:
    if frame.image_path:
        try:
            os.unlink(frame.image_path)
        except FileNotFoundError:
            pass
    frame.image_path = None
    frame.kept_reason = ""


def review_incident(
    session: Session,
    incident: Incident,
    *,
    verdict: str,
    comment: str,
    reviewer_id: int,
    reviewer_label: str,
    now: datetime,
) -> None:
    if verdict not in (CONFIRMED, DISMISSED):
        raise ProctoringError("bad_verdict", "Confirm or dismiss.")
    if incident.status != OPEN:
        raise ProctoringError("already_reviewed", "This incident has already been reviewed.")
    if not comment.strip():
        raise ProctoringError("comment_required", "A comment is required.")
    incident.status, incident.comment = verdict, comment.strip()
    incident.reviewer_id, incident.reviewed_at = reviewer_id, now
    ps = incident.session
    ps.risk_score = round(sum(i.score for i in ps.incidents if not i.stale and i.status != DISMISSED), 2)
    ps.reviewed = all(i.status != OPEN for i in ps.incidents if not i.stale)
    audit.record(
        session,
        f"proctoring.incident_{verdict}",
        actor_id=reviewer_id,
        actor_label=reviewer_label,
        object_type="incident",
        object_id=incident.id,
        before=OPEN,
        after=verdict,
        note=incident.comment,
    )


def request_annulment(
    session: Session, incident: Incident, *, reason: str, proctor_id: int, proctor_label: str, now: datetime
) -> Annulment:
    if incident.status != CONFIRMED:
        raise ProctoringError("needs_confirmed_violation", "An annulment needs a confirmed violation.")
    if not reason.strip():
        raise ProctoringError("reason_required", "Give the reason.")
    open_request = session.scalar(
        select(Annulment).where(
            Annulment.session_id == incident.session_id, Annulment.status.in_([REQUESTED, AGREED])
        )
    )
    if open_request is not None:
        raise ProctoringError("annulment_exists", "An annulment has already been requested for this session.")
    request = Annulment(
        session_id=incident.session_id,
        attempt_id=incident.session.attempt_id,
        incident_id=incident.id,
        reason=reason.strip(),
        requested_by=proctor_id,
        requested_at=now,
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        "proctoring.annulment_requested",
        actor_id=proctor_id,
        actor_label=proctor_label,
        object_type="attempt",
        object_id=request.attempt_id,
        after={"incident": incident.id},
        note=request.reason,
    )
    return request


def agree_annulment(
    session: Session, request: Annulment, *, proctor_id: int, proctor_label: str, now: datetime
) -> Annulment:
    """The second proctor's agreement; the caller then annuls the attempt (§19)."""
    if request.status != REQUESTED:
        raise ProctoringError("annulment_not_pending", "This request is not waiting for agreement.")
    if request.requested_by == proctor_id:
        raise ProctoringError("second_proctor_required", "A second proctor must agree.")
    request.status, request.agreed_by, request.agreed_at = AGREED, proctor_id, now
    audit.record(
        session,
        "proctoring.annulment_agreed",
        actor_id=proctor_id,
        actor_label=proctor_label,
        object_type="attempt",
        object_id=request.attempt_id,
        after={"request": request.id},
        note=request.reason,
    )
    return request


# --- pauses -----------------------------------------------------------------------------------------------


def open_pause(session: Session, attempt_id: int) -> TechnicalPause | None:
    return session.scalar(
        select(TechnicalPause).where(
            TechnicalPause.attempt_id == attempt_id, TechnicalPause.ended_at.is_(None)
        )
    )


# --- retention ---------------------------------------------------------------------------------------------


def purge_session_evidence(session: Session, ps: ProctoringSession, *, now: datetime, reason: str) -> int:
    frames = session.scalars(
        select(Frame).where(Frame.session_id == ps.id, Frame.image_path.is_not(None))
    ).all()
    for frame in frames:
        _delete_image(frame)
    if ps.identity_path:
        Path(ps.identity_path).unlink(missing_ok=True)
        ps.identity_path = None
    ps.evidence_purged_at = now
    audit.record(
        session,
        "proctoring.evidence_purged",
        object_type="proctor_session",
        object_id=ps.id,
        after={"images": len(frames)},
        note=reason,
    )
    return len(frames)


def export_evidence(session: Session, ps: ProctoringSession) -> bytes:
    """A candidate's evidence on request: kept images and the timeline as JSON, in one zip."""
    buffer = io.BytesIO()
    frames = session.scalars(select(Frame).where(Frame.session_id == ps.id).order_by(Frame.captured_at)).all()
    events = session.scalars(
        select(BrowserEvent).where(BrowserEvent.session_id == ps.id).order_by(BrowserEvent.at)
    ).all()
    timeline = {
        "attempt": ps.attempt_id,
        "started_at": ps.started_at.isoformat(),
        "risk_score": ps.risk_score,
        "coverage_percent": ps.coverage_percent,
        "frames": [
            {
                "id": f.id,
                "at": f.captured_at.isoformat(),
                "flags": f.flags,
                "faces": f.face_count,
                "image": Path(f.image_path).name if f.image_path else None,
            }
            for f in frames
        ],
        "events": [{"kind": e.kind, "at": e.at.isoformat(), "seconds": e.duration_seconds} for e in events],
        "incidents": [
            {
                "kind": i.kind,
                "from": i.started_at.isoformat(),
                "to": i.ended_at.isoformat(),
                "status": i.status,
                "comment": i.comment,
                "could_not_tell": i.could_not_tell,
            }
            for i in ps.incidents
            if not i.stale
        ],
    }
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("timeline.json", json.dumps(timeline, ensure_ascii=False, indent=2))
        for f in frames:
            if f.image_path and Path(f.image_path).exists():
                archive.write(f.image_path, f"frames/{Path(f.image_path).name}")
        if ps.identity_path and Path(ps.identity_path).exists():
            archive.write(ps.identity_path, "identity.jpg")
    return buffer.getvalue()


def review_queue(session: Session, *, include_reviewed: bool = False) -> list[ProctoringSession]:
    query = select(ProctoringSession).order_by(ProctoringSession.risk_score.desc(), ProctoringSession.id)
    if not include_reviewed:
        query = query.where(ProctoringSession.reviewed.is_(False))
    return list(session.scalars(query))


def now_utc() -> datetime:
    return utcnow()
