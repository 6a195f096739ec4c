"""Proctoring in the web app: the candidate's frame and event uploads, and the proctor's pages.

Wires the proctoring package to exam attempts: an annulment agreed by a second proctor annuls
the attempt (§19), a technical pause stops the attempt's clock. Every review act is audited
by the services.
"""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from attestation.db import DomainError, utcnow
from attestation.labels import PROCTORING_ERRORS, labels
from attestation.models import AttesteeEntry
from attestation.web import db_session, roles_required
from exam_app.exam import services as exam_services
from exam_app.exam.models import IN_PROGRESS, Attempt
from proctoring import services as proctoring
from proctoring.models import (
    REQUESTED,
    Annulment,
    BrowserEvent,
    Frame,
    Incident,
    ProctoringSession,
    TechnicalPause,
)

api = Blueprint("proctoring_api", __name__, url_prefix="/api/v1")
bp = Blueprint("proctor", __name__, url_prefix="/proctor")


def proctoring_start_values(attempt: Attempt) -> tuple[dict, str | None]:
    """What the start needs, read before it writes anything (the writes hold the write lock):
    the campaign's proctoring settings and the registry photo."""
    campaign = attempt.entry.campaign
    settings = dict(campaign.settings.get("proctoring") or {})
    settings.setdefault("frame_interval_seconds", campaign.settings.get("frame_interval_seconds", 10))
    return settings, attempt.entry.worker.photo_path


def open_for_attempt(
    attempt: Attempt, now: datetime, values: tuple[dict, str | None] | None = None
) -> ProctoringSession | None:
    """Called when the test starts: the campaign's proctoring settings are copied into the session.

    The session is opened by the start that opened the attempt (``services.start`` set its
    ``started_at`` to this ``now``), which needs no lookup: the start peak's common case. A second
    click, or a start that lost a race, finds the session the first one opened.
    """
    if attempt.started_at != now and proctoring.session_for_attempt(db_session, attempt.id) is not None:
        return None
    settings, photo = values or proctoring_start_values(attempt)
    return proctoring.open_session(
        db_session,
        attempt_id=attempt.id,
        worker_id=attempt.worker_id,
        campaign_id=attempt.campaign_id,
        settings=settings,
        now=now,
        registry_photo=photo,
        checked=True,
    )


def _own_session(attempt_id: int) -> tuple[Attempt, ProctoringSession]:
    attempt = db_session.get(Attempt, attempt_id)
    if attempt is None or current_user.worker_id is None or attempt.worker_id != current_user.worker_id:
        abort(404)
    ps = proctoring.session_for_attempt(db_session, attempt.id)
    if ps is None:
        abort(404)
    return attempt, ps


def _client_time(value: str | None) -> datetime | None:
    try:
        return datetime.utcfromtimestamp(float(value) / 1000.0) if value else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


@api.route("/attempts/<int:attempt_id>/frames", methods=["POST"])
@roles_required("candidate")
def upload_frame(attempt_id: int):  # type: ignore[no-untyped-def]
    attempt, ps = _own_session(attempt_id)
    if attempt.status != IN_PROGRESS:
        return jsonify({"ok": False, "code": "attempt_closed"}), 409
    upload = request.files.get("frame")
    data = upload.read(proctoring.MAX_FRAME_BYTES + 1) if upload else b""
    try:
        frame = proctoring.receive_frame(
            db_session,
            ps,
            data,
            purpose=request.form.get("purpose", "periodic"),
            now=utcnow(),
            client_time=_client_time(request.form.get("time")),
            evidence_dir=current_app.config["EVIDENCE_FOLDER"],
        )
        db_session.commit()
    except DomainError as exc:
        db_session.rollback()
        return jsonify({"ok": False, "code": exc.code, "message": exc.message}), 400
    current_app.extensions["frame_analyzer"].submit(frame.id)
    return jsonify({"ok": True, "frame": frame.id})


@api.route("/attempts/<int:attempt_id>/events", methods=["POST"])
@roles_required("candidate")
def upload_events(attempt_id: int):  # type: ignore[no-untyped-def]
    _attempt, ps = _own_session(attempt_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        return jsonify({"ok": False, "code": "bad_request"}), 400
    offset = body.get("offset_ms") if isinstance(body.get("offset_ms"), (int, float)) else 0.0
    count = proctoring.receive_events(
        db_session, ps, body["events"], now=utcnow(), clock_offset_ms=float(offset)
    )
    db_session.commit()
    return jsonify({"ok": True, "stored": count, "server_time": utcnow().timestamp() * 1000})


# --- the proctor's pages ------------------------------------------------------------------------------


@bp.route("/")
@roles_required("proctor")
def queue():  # type: ignore[no-untyped-def]
    show_all = request.args.get("all") == "1"
    sessions = proctoring.review_queue(db_session, include_reviewed=show_all)
    entries = _entries_for(sessions)
    pending = db_session.scalars(select(Annulment).where(Annulment.status == REQUESTED)).all()
    return render_template(
        "proctoring/queue.html", sessions=sessions, entries=entries, pending=pending, show_all=show_all
    )


def _entries_for(sessions: list[ProctoringSession]) -> dict[int, AttesteeEntry]:
    attempts = {
        a.id: a
        for a in db_session.scalars(select(Attempt).where(Attempt.id.in_([s.attempt_id for s in sessions])))
    }
    return {s.id: attempts[s.attempt_id].entry for s in sessions if s.attempt_id in attempts}


@bp.route("/sessions/<int:session_id>")
@roles_required("proctor")
def session_detail(session_id: int):  # type: ignore[no-untyped-def]
    ps = db_session.get(ProctoringSession, session_id) or abort(404)
    attempt = db_session.get(Attempt, ps.attempt_id)
    frames = db_session.scalars(
        select(Frame).where(Frame.session_id == ps.id).order_by(Frame.captured_at)
    ).all()
    events = db_session.scalars(
        select(BrowserEvent)
        .where(BrowserEvent.session_id == ps.id, BrowserEvent.kind != "heartbeat")
        .order_by(BrowserEvent.at)
    ).all()
    annulments = db_session.scalars(select(Annulment).where(Annulment.session_id == ps.id)).all()
    pauses = db_session.scalars(
        select(TechnicalPause).where(TechnicalPause.attempt_id == ps.attempt_id)
    ).all()
    return render_template(
        "proctoring/session.html",
        ps=ps,
        attempt=attempt,
        entry=attempt.entry,
        frames=frames,
        events=events,
        annulments=annulments,
        pauses=pauses,
        incidents=[i for i in ps.incidents if not i.stale],
    )


@bp.route("/frames/<int:frame_id>.jpg")
@roles_required("proctor", "sysadmin")
def frame_image(frame_id: int):  # type: ignore[no-untyped-def]
    frame = db_session.get(Frame, frame_id)
    if frame is None or not frame.image_path:
        abort(404)
    try:
        with open(frame.image_path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        abort(404)
    return Response(data, mimetype="image/jpeg", headers={"Cache-Control": "no-store"})


def _flash_error(exc: DomainError) -> None:
    db_session.rollback()
    flash(labels.proctoring_error(exc.code) if exc.code in PROCTORING_ERRORS else exc.message, "error")


@bp.route("/incidents/<int:incident_id>/review", methods=["POST"])
@roles_required("proctor")
def review(incident_id: int):  # type: ignore[no-untyped-def]
    incident = db_session.get(Incident, incident_id) or abort(404)
    try:
        proctoring.review_incident(
            db_session,
            incident,
            verdict=request.form.get("verdict", ""),
            comment=request.form.get("comment", ""),
            reviewer_id=current_user.id,
            reviewer_label=current_user.username,
            now=utcnow(),
        )
        db_session.commit()
        flash(_("The incident was reviewed."), "success")
    except DomainError as exc:
        _flash_error(exc)
    return redirect(url_for("proctor.session_detail", session_id=incident.session_id))


@bp.route("/sessions/<int:session_id>/annulment", methods=["POST"])
@roles_required("proctor")
def request_annulment(session_id: int):  # type: ignore[no-untyped-def]
    ps = db_session.get(ProctoringSession, session_id) or abort(404)
    incident = db_session.get(Incident, request.form.get("incident_id", type=int) or 0)
    if incident is None or incident.session_id != ps.id:
        abort(404)
    try:
        proctoring.request_annulment(
            db_session,
            incident,
            reason=request.form.get("reason", ""),
            proctor_id=current_user.id,
            proctor_label=current_user.username,
            now=utcnow(),
        )
        db_session.commit()
        flash(_("The annulment was requested. A second proctor must agree."), "success")
    except DomainError as exc:
        _flash_error(exc)
    return redirect(url_for("proctor.session_detail", session_id=ps.id))


@bp.route("/annulments/<int:annulment_id>/agree", methods=["POST"])
@roles_required("proctor")
def agree_annulment(annulment_id: int):  # type: ignore[no-untyped-def]
    request_row = db_session.get(Annulment, annulment_id) or abort(404)
    attempt = db_session.get(Attempt, request_row.attempt_id)
    try:
        proctoring.agree_annulment(
            db_session,
            request_row,
            proctor_id=current_user.id,
            proctor_label=current_user.username,
            now=utcnow(),
        )
        exam_services.annul(
            db_session,
            attempt,
            reason=request_row.reason,
            actor_id=current_user.id,
            actor_label=current_user.username,
        )
        db_session.commit()
        flash(_("The result was annulled."), "success")
    except DomainError as exc:
        _flash_error(exc)
    return redirect(url_for("proctor.session_detail", session_id=request_row.session_id))


@bp.route("/sessions/<int:session_id>/pause", methods=["POST"])
@roles_required("proctor")
def pause(session_id: int):  # type: ignore[no-untyped-def]
    ps = db_session.get(ProctoringSession, session_id) or abort(404)
    attempt = db_session.get(Attempt, ps.attempt_id)
    try:
        if request.form.get("action") == "resume":
            exam_services.resume(
                db_session, attempt, now=utcnow(), actor_id=current_user.id, actor_label=current_user.username
            )
        else:
            exam_services.pause(
                db_session,
                attempt,
                reason=request.form.get("reason", ""),
                now=utcnow(),
                actor_id=current_user.id,
                actor_label=current_user.username,
            )
        db_session.commit()
    except DomainError as exc:
        _flash_error(exc)
    return redirect(url_for("proctor.session_detail", session_id=ps.id))


@bp.route("/sessions/<int:session_id>/evidence.zip")
@roles_required("proctor", "sysadmin")
def evidence(session_id: int):  # type: ignore[no-untyped-def]
    ps = db_session.get(ProctoringSession, session_id) or abort(404)
    data = proctoring.export_evidence(db_session, ps)
    from attestation import audit

    audit.record(
        db_session,
        "proctoring.evidence_exported",
        actor_id=current_user.id,
        actor_label=current_user.username,
        object_type="proctor_session",
        object_id=ps.id,
    )
    db_session.commit()
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f"attachment; filename=evidence-{ps.attempt_id}.zip"},
    )


# --- the campaign's proctoring settings (PDO) ------------------------------------------------------------

SETTING_LIMITS = {
    "frame_interval_seconds": (2, 60),
    "min_consecutive_frames": (1, 10),
    "min_duration_seconds": (5, 600),
    "gap_seconds": (15, 600),
    "sample_every_seconds": (30, 3600),
    "review_threshold": (0, 1000),
}


@bp.route("/campaigns/<int:campaign_id>/settings", methods=["GET", "POST"])
@roles_required("pdo_admin")
def campaign_settings(campaign_id: int):  # type: ignore[no-untyped-def]
    """The incident rules' weights, durations and thresholds: the campaign's own, for sessions it starts."""
    from attestation import audit
    from attestation.models import Campaign
    from proctoring.rules import DEFAULTS, settings_with_defaults

    campaign = db_session.get(Campaign, campaign_id) or abort(404)
    current = settings_with_defaults(campaign.settings.get("proctoring"))
    current["frame_interval_seconds"] = campaign.settings.get(
        "frame_interval_seconds", current["frame_interval_seconds"]
    )
    errors: list[str] = []
    if request.method == "POST":
        new: dict[str, object] = {}
        for name, (low, high) in SETTING_LIMITS.items():
            value = request.form.get(name, type=float)
            if value is None or not low <= value <= high:
                errors.append(
                    _("%(name)s must be between %(low)s and %(high)s.", name=name, low=low, high=high)
                )
            else:
                new[name] = int(value) if name != "review_threshold" else value
        weights = {}
        for kind in DEFAULTS["weights"]:
            value = request.form.get(f"weight_{kind}", type=float)
            if value is None or not 0 <= value <= 100:
                errors.append(
                    _("The weight of %(kind)s must be between 0 and 100.", kind=labels.incident(kind))
                )
            else:
                weights[kind] = value
        new["weights"] = weights
        if not errors:
            before = campaign.settings.get("proctoring")
            frame_interval = new.pop("frame_interval_seconds")
            campaign.settings = {
                **campaign.settings,
                "proctoring": new,
                "frame_interval_seconds": frame_interval,
            }
            audit.record(
                db_session,
                "proctoring.settings_changed",
                actor_id=current_user.id,
                actor_label=current_user.username,
                object_type="campaign",
                object_id=campaign.id,
                before=before,
                after=campaign.settings,
            )
            db_session.commit()
            flash(
                _("The proctoring settings were saved. They apply to tests started from now on."), "success"
            )
            return redirect(url_for("proctor.campaign_settings", campaign_id=campaign.id))
        current = {
            **current,
            **{k: v for k, v in new.items() if k != "weights"},
            "weights": {**current["weights"], **weights},
        }
    return render_template(
        "proctoring/settings.html", campaign=campaign, settings=current, errors=errors, limits=SETTING_LIMITS
    ), (422 if errors else 200)
