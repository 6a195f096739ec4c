"""The candidate's path from the cabinet to the result, and the JSON API the test page uses.

Every URL names an attestee entry or attempt; each is checked to belong to the logged-in
candidate and answers 404 otherwise. The JSON endpoints carry the CSRF token in a header.
"""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from attestation.labels import labels
from attestation.models import AttesteeEntry
from attestation.web import db_session, roles_required
from exam_app.exam import services
from exam_app.exam.models import IN_PROGRESS, NOT_STARTED, Attempt
from exam_app.exam.step_writer import WriteTimeout
from proctoring.models import ProctoringSession
from proctoring.services import attempt_with_session, session_for_attempt

bp = Blueprint("exam", __name__, url_prefix="/exam")
api = Blueprint("exam_api", __name__, url_prefix="/api/v1")


def _now():  # type: ignore[no-untyped-def]
    from attestation.db import utcnow

    return utcnow()


def _own_entry(entry_id: int) -> AttesteeEntry:
    entry = db_session.get(AttesteeEntry, entry_id)
    if entry is None or current_user.worker_id is None or entry.worker_id != current_user.worker_id:
        abort(404)
    return entry


def _own_attempt(attempt_id: int) -> Attempt:
    return _owned(db_session.get(Attempt, attempt_id))


def _owned(attempt: Attempt | None) -> Attempt:
    """The candidate's own attempt; any other (or none) is a 404, so that ids reveal nothing."""
    if attempt is None or current_user.worker_id is None or attempt.worker_id != current_user.worker_id:
        abort(404)
    return attempt


def _lazy_expire(attempt: Attempt) -> None:
    """A page or API call after the deadline closes the attempt even if the sweeper has not yet."""
    if attempt.status == IN_PROGRESS and services.past_deadline(attempt, _now()):
        services.expire(db_session, attempt, now=_now())
        db_session.commit()


@bp.route("/<int:entry_id>", methods=["GET"])
@roles_required("candidate")
def begin(entry_id: int):  # type: ignore[no-untyped-def]
    entry = _own_entry(entry_id)
    attempt = db_session.query(Attempt).filter_by(entry_id=entry.id).one_or_none()
    if attempt is not None:
        _lazy_expire(attempt)
        if attempt.status == IN_PROGRESS:
            return redirect(url_for("exam.test_page", attempt_id=attempt.id))
        if attempt.status not in (NOT_STARTED,):
            return redirect(url_for("exam.result", attempt_id=attempt.id))
    refusals = services.refusals(entry, attempt, date.today())
    if refusals:
        return render_template("exam/refused.html", entry=entry, refusals=refusals), 403
    return render_template("exam/prepare.html", entry=entry, attempt=attempt)


@bp.route("/<int:entry_id>/prepare", methods=["POST"])
@roles_required("candidate")
def prepare(entry_id: int):  # type: ignore[no-untyped-def]
    entry = _own_entry(entry_id)
    attempt = db_session.query(Attempt).filter_by(entry_id=entry.id).one_or_none()
    refusals = services.refusals(entry, attempt, date.today())
    if refusals:
        return render_template("exam/refused.html", entry=entry, refusals=refusals), 403
    attempt = services.get_or_create_attempt(
        db_session, entry, duration_seconds=current_app.config.get("EXAM_DURATION_SECONDS")
    )
    check = {
        "browser": request.form.get("check_browser") == "1",
        "camera": request.form.get("check_camera") == "1",
        "connection": request.form.get("check_connection") == "1",
        "user_agent": (request.user_agent.string or "")[:300],
    }
    try:
        services.record_preparation(
            db_session,
            attempt,
            system_check=check,
            consent=request.form.get("consent") == "1",
            lang=request.form.get("exam_lang", ""),
            actor_id=current_user.id,
        )
    except services.ExamError as exc:
        db_session.rollback()
        flash(exam_error_text(exc.code), "error")
        return redirect(url_for("exam.begin", entry_id=entry.id))
    db_session.commit()
    return redirect(url_for("exam.rules", entry_id=entry.id))


@bp.route("/<int:entry_id>/rules", methods=["GET"])
@roles_required("candidate")
def rules(entry_id: int):  # type: ignore[no-untyped-def]
    entry = _own_entry(entry_id)
    attempt = db_session.query(Attempt).filter_by(entry_id=entry.id).one_or_none()
    if attempt is None or attempt.consent_at is None:
        return redirect(url_for("exam.begin", entry_id=entry.id))
    if attempt.status != NOT_STARTED:
        return redirect(url_for("exam.begin", entry_id=entry.id))
    return render_template(
        "exam/rules.html", entry=entry, attempt=attempt, minutes=(attempt.duration_seconds + 59) // 60
    )


@bp.route("/<int:entry_id>/start", methods=["POST"])
@roles_required("candidate")
def start(entry_id: int):  # type: ignore[no-untyped-def]
    entry = _own_entry(entry_id)
    attempt = db_session.query(Attempt).filter_by(entry_id=entry.id).one_or_none()
    if attempt is None:
        return redirect(url_for("exam.begin", entry_id=entry.id))
    if attempt.status == NOT_STARTED:
        refusals = services.refusals(entry, attempt, date.today())
        if refusals:
            return render_template("exam/refused.html", entry=entry, refusals=refusals), 403
    from exam_app.proctoring_views import open_for_attempt, proctoring_start_values

    try:
        now = _now()
        proctoring = proctoring_start_values(attempt)  # reads first: the writes below hold the write lock
        services.start(db_session, attempt, now=now, actor_id=current_user.id)
        open_for_attempt(attempt, now, proctoring)
        db_session.commit()
    except services.ExamError as exc:
        db_session.rollback()
        flash(exam_error_text(exc.code), "error")
        return redirect(url_for("exam.begin", entry_id=entry.id))
    return redirect(url_for("exam.test_page", attempt_id=attempt.id))


@bp.route("/attempt/<int:attempt_id>")
@roles_required("candidate")
def test_page(attempt_id: int):  # type: ignore[no-untyped-def]
    attempt = _own_attempt(attempt_id)
    _lazy_expire(attempt)
    if attempt.status != IN_PROGRESS:
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    payload = {
        "attempt": attempt.id,
        "questions": services.questions_payload(db_session, attempt),
        **services.answers_payload(db_session, attempt),
        "remaining": services.remaining_seconds(attempt, _now()),
        "paused": attempt.paused_at is not None,
        "proctoring": _proctoring_payload(attempt, session_for_attempt(db_session, attempt.id)),
        "urls": {
            "steps": url_for("exam_api.steps", attempt_id=attempt.id),
            "state": url_for("exam_api.state", attempt_id=attempt.id),
            "submit": url_for("exam_api.submit", attempt_id=attempt.id),
            "result": url_for("exam.result", attempt_id=attempt.id),
        },
    }
    return render_template("exam/test.html", attempt=attempt, payload=json.dumps(payload, ensure_ascii=False))


def _proctoring_payload(attempt: Attempt, ps: ProctoringSession | None) -> dict:
    return {
        "enabled": ps is not None,
        "frame_interval": float((ps.settings if ps else {}).get("frame_interval_seconds", 10)),
        "identity_taken": bool(ps and ps.identity_path),
        "frames": url_for("proctoring_api.upload_frame", attempt_id=attempt.id),
        "events": url_for("proctoring_api.upload_events", attempt_id=attempt.id),
    }


@bp.route("/attempt/<int:attempt_id>/result")
@roles_required("candidate")
def result(attempt_id: int):  # type: ignore[no-untyped-def]
    attempt = _own_attempt(attempt_id)
    _lazy_expire(attempt)
    if attempt.status in (NOT_STARTED, IN_PROGRESS):
        return redirect(url_for("exam.begin", entry_id=attempt.entry_id))
    return render_template("exam/result.html", attempt=attempt, entry=attempt.entry)


# --- JSON API -----------------------------------------------------------------------------------------


def _json_error(code: str, status: int):  # type: ignore[no-untyped-def]
    return jsonify({"ok": False, "code": code, "message": exam_error_text(code)}), status


@api.route("/attempts/<int:attempt_id>/steps", methods=["POST"])
@roles_required("candidate")
def steps(attempt_id: int):  # type: ignore[no-untyped-def]
    attempt = _own_attempt(attempt_id)
    try:
        parsed = services.parse_steps(request.get_json(silent=True))
    except services.ExamError as exc:
        return _json_error(exc.code, 400)
    now = _now()
    try:
        outcome, rows = services.check_steps(
            db_session,
            attempt,
            parsed,
            now=now,
            actor_id=current_user.id,
            look_up_stored=False,
            forms=current_app.extensions["form_targets"],
        )
        db_session.commit()  # a refusal's audit entry, if any; else it ends the reads
        current_app.extensions["step_writer"].write(rows)
    except WriteTimeout:
        return _json_error("busy", 503)  # the page keeps the steps and sends them again
    except IntegrityError:
        # a step sent again (a retry, or racing its original): deciding again with the stored steps looked up
        # acknowledges it; or the attempt was closed meanwhile: saving again refuses the steps and logs them
        db_session.rollback()
        attempt = _own_attempt(attempt_id)
        outcome = services.save_steps(db_session, attempt, parsed, now=now, actor_id=current_user.id)
        db_session.commit()
    _lazy_expire(attempt)
    return jsonify(
        {
            "ok": not outcome.refused,
            "accepted": outcome.accepted,
            "refused": outcome.refused,
            "status": attempt.status,
            "remaining": services.remaining_seconds(attempt, now),
        }
    )


@api.route("/attempts/<int:attempt_id>/state", methods=["GET"])
@roles_required("candidate")
def state(attempt_id: int):  # type: ignore[no-untyped-def]
    # every sitting candidate asks every 30 s: the attempt and its proctoring session in one query
    found, ps = attempt_with_session(db_session, attempt_id)
    attempt = _owned(found)
    _lazy_expire(attempt)
    body = {
        "ok": True,
        "status": attempt.status,
        "remaining": services.remaining_seconds(attempt, _now()),
        "paused": attempt.paused_at is not None,
        "proctoring": _proctoring_payload(attempt, ps),
        "deadline": attempt.deadline_at.isoformat() + "Z" if attempt.deadline_at else None,
    }
    if request.args.get("answers"):
        body.update(services.answers_payload(db_session, attempt))
    return jsonify(body)


@api.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@roles_required("candidate")
def submit(attempt_id: int):  # type: ignore[no-untyped-def]
    attempt = _own_attempt(attempt_id)
    try:
        services.submit(db_session, attempt, now=_now(), actor_id=current_user.id)
        db_session.commit()
    except services.ExamError as exc:
        db_session.rollback()
        return _json_error(exc.code, 409)
    return jsonify(
        {"ok": True, "status": attempt.status, "result": url_for("exam.result", attempt_id=attempt.id)}
    )


def exam_error_text(code: str) -> str:
    return labels.exam_error(code)


@bp.route("/campaigns/<int:campaign_id>/prepare-forms", methods=["POST"])
@roles_required("pdo_admin")
def prepare_forms(campaign_id: int):  # type: ignore[no-untyped-def]
    """Assemble every listed worker's form ahead of the sitting, so that the start peak draws nothing."""
    from attestation import audit
    from attestation.db import DomainError
    from attestation.models import Campaign

    campaign = db_session.get(Campaign, campaign_id) or abort(404)
    try:
        made = services.prepare_forms(db_session, campaign.id)
        audit.record(
            db_session,
            "exam.forms_prepared",
            actor_id=current_user.id,
            actor_label=current_user.username,
            object_type="campaign",
            object_id=campaign.id,
            after={"forms": made},
        )
        db_session.commit()
        flash(_("%(n)s forms were assembled ahead of the sitting.", n=made), "success")
    except DomainError as exc:
        db_session.rollback()
        flash(_("The forms could not be assembled: %(reason)s", reason=exc.message), "error")
    return redirect(url_for("pdo.campaign_detail", campaign_id=campaign.id))
