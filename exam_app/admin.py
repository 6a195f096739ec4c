"""System administration: users and role grants, the working-day calendar, the audit log."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from attestation import audit
from attestation import calendar as work_calendar
from attestation.db import DomainError
from attestation.labels import labels
from attestation.models import CalendarOverride, CareerCentre, Lmc, Region, Worker
from attestation.web import db_session, roles_required
from exam_app.accounts import services as account_service
from exam_app.accounts.models import User
from exam_app.roles import ROLES

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _check_csrf() -> None:
    if not FlaskForm().validate_on_submit():
        abort(400)


@bp.route("/users")
@roles_required("sysadmin")
def users():  # type: ignore[no-untyped-def]
    rows = db_session.scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["POST"])
@roles_required("sysadmin")
def user_new():  # type: ignore[no-untyped-def]
    _check_csrf()
    form = request.form
    worker_id = None
    iin = (form.get("worker_iin") or "").strip()
    if iin:
        worker_id = db_session.scalar(select(Worker.id).where(Worker.iin == iin))
        if worker_id is None:
            flash(_("No worker with this IIN is registered."), "error")
            return redirect(url_for("admin.users"))
    try:
        user = account_service.create_user(
            db_session,
            username=(form.get("username") or iin).strip(),
            password=form.get("password") or "",
            display_name=(form.get("display_name") or "").strip(),
            worker_id=worker_id,
            actor=current_user,
        )
        if worker_id is not None:
            account_service.grant_role(db_session, user, "candidate", actor=current_user)
        db_session.commit()
    except DomainError as exc:
        db_session.rollback()
        flash(labels.error(exc), "error")
        return redirect(url_for("admin.users"))
    flash(_("The user was created."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/organisations", methods=["GET", "POST"])
@roles_required("sysadmin")
def organisations():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        _check_csrf()
        kind = request.form.get("kind")
        name_kk = (request.form.get("name_kk") or "").strip()
        name_ru = (request.form.get("name_ru") or "").strip()
        if not name_kk or not name_ru:
            flash(_("Give the name in Kazakh and in Russian."), "error")
            return redirect(url_for("admin.organisations"))
        if kind == "lmc":
            region = db_session.get(Region, request.form.get("region_id", type=int) or 0) or abort(400)
            row: Lmc | CareerCentre = Lmc(region_id=region.id, name_kk=name_kk, name_ru=name_ru)
        elif kind == "career_centre":
            lmc = db_session.get(Lmc, request.form.get("lmc_id", type=int) or 0) or abort(400)
            row = CareerCentre(lmc_id=lmc.id, name_kk=name_kk, name_ru=name_ru)
        else:
            abort(400)
        db_session.add(row)
        db_session.flush()
        audit.record(
            db_session,
            f"{kind}_created",
            actor_id=current_user.id,
            actor_label=current_user.username,
            object_type=kind,
            object_id=row.id,
            after={"name_kk": name_kk, "name_ru": name_ru},
        )
        db_session.commit()
        flash(_("The organisation was added."), "success")
        return redirect(url_for("admin.organisations"))
    regions = db_session.scalars(select(Region).order_by(Region.id)).all()
    lmcs = db_session.scalars(
        select(Lmc).order_by(Lmc.region_id, Lmc.id).options(selectinload(Lmc.career_centres))
    ).all()
    return render_template("admin/organisations.html", regions=regions, lmcs=lmcs)


@bp.route("/users/<int:user_id>")
@roles_required("sysadmin")
def user_detail(user_id: int):  # type: ignore[no-untyped-def]
    user = db_session.get(User, user_id) or abort(404)
    lmcs = db_session.scalars(select(Lmc).order_by(Lmc.id)).all()
    regions = db_session.scalars(select(Region).order_by(Region.id)).all()
    return render_template("admin/user_detail.html", user=user, roles=ROLES, lmcs=lmcs, regions=regions)


@bp.route("/users/<int:user_id>/grants", methods=["POST"])
@roles_required("sysadmin")
def grant(user_id: int):  # type: ignore[no-untyped-def]
    _check_csrf()
    user = db_session.get(User, user_id) or abort(404)
    try:
        account_service.grant_role(
            db_session,
            user,
            request.form.get("role", ""),
            lmc_id=request.form.get("lmc_id", type=int),
            region_id=request.form.get("region_id", type=int),
            actor=current_user,
        )
        db_session.commit()
        flash(_("The role was granted."), "success")
    except DomainError as exc:
        db_session.rollback()
        flash(labels.error(exc), "error")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/grants/<int:grant_id>/revoke", methods=["POST"])
@roles_required("sysadmin")
def revoke(user_id: int, grant_id: int):  # type: ignore[no-untyped-def]
    _check_csrf()
    user = db_session.get(User, user_id) or abort(404)
    try:
        account_service.revoke_grant(db_session, user, grant_id, actor=current_user)
        db_session.commit()
        flash(_("The role was revoked."), "success")
    except DomainError as exc:
        db_session.rollback()
        flash(labels.error(exc), "error")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/calendar", methods=["GET", "POST"])
@roles_required("sysadmin")
def calendar():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        _check_csrf()
        try:
            day = date.fromisoformat(request.form.get("day", ""))
        except ValueError:
            flash(_("Give a date."), "error")
            return redirect(url_for("admin.calendar"))
        kind = request.form.get("kind")
        if kind not in ("day_off", "working_day"):
            abort(400)
        existing = db_session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
        before = {"kind": existing.kind} if existing else None
        if existing is None:
            existing = CalendarOverride(day=day)
            db_session.add(existing)
        existing.kind = kind
        existing.note = (request.form.get("note") or "")[:300]
        audit.record(
            db_session,
            "calendar_override",
            actor_id=current_user.id,
            actor_label=current_user.username,
            object_type="calendar",
            object_id=day.isoformat(),
            before=before,
            after={"kind": kind, "note": existing.note},
        )
        db_session.commit()
        _reload_calendar()
        flash(_("The calendar was updated."), "success")
        return redirect(url_for("admin.calendar"))
    rows = db_session.scalars(select(CalendarOverride).order_by(CalendarOverride.day.desc())).all()
    return render_template("admin/calendar.html", rows=rows)


@bp.route("/calendar/<int:override_id>/delete", methods=["POST"])
@roles_required("sysadmin")
def calendar_delete(override_id: int):  # type: ignore[no-untyped-def]
    _check_csrf()
    row = db_session.get(CalendarOverride, override_id) or abort(404)
    audit.record(
        db_session,
        "calendar_override_removed",
        actor_id=current_user.id,
        actor_label=current_user.username,
        object_type="calendar",
        object_id=row.day.isoformat(),
        before={"kind": row.kind, "note": row.note},
    )
    db_session.delete(row)
    db_session.commit()
    _reload_calendar()
    return redirect(url_for("admin.calendar"))


def _reload_calendar() -> None:
    rows = db_session.scalars(select(CalendarOverride)).all()
    work_calendar.set_overrides(
        days_off=[r.day for r in rows if r.kind == "day_off"],
        working_days=[r.day for r in rows if r.kind == "working_day"],
    )


@bp.route("/audit")
@roles_required("sysadmin")
def audit_log():  # type: ignore[no-untyped-def]
    page = max(request.args.get("page", 1, type=int), 1)
    rows = db_session.scalars(
        select(audit.AuditEntry).order_by(audit.AuditEntry.id.desc()).offset((page - 1) * 100).limit(100)
    ).all()
    broken = audit.verify_chain(db_session) if request.args.get("verify") else "not_checked"
    return render_template("admin/audit.html", rows=rows, page=page, broken=broken)
