"""Each role's landing page: what that role should see, scoped on the server."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from attestation.models import AttesteeEntry, Campaign, Lmc, Region, Worker
from attestation.web import db_session, roles_required

bp = Blueprint("dashboards", __name__)

LANDING = (
    ("sysadmin", "admin.users"),
    ("pdo_admin", "pdo.campaigns"),
    ("lmc_hr", "hr.workers"),
    ("regional_officer", "dashboards.region"),
    ("ministry_viewer", "dashboards.ministry"),
    ("proctor", "proctor.queue"),
    ("commission_member", "dashboards.commission"),
    ("candidate", "cabinet.index"),
)


@bp.route("/")
def home():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    for role, endpoint in LANDING:
        if current_user.has_role(role):
            return redirect(url_for(endpoint))
    return render_template("dashboards/no_role.html")


@bp.route("/region")
@roles_required("regional_officer")
def region():  # type: ignore[no-untyped-def]
    allowed = sorted(current_user.region_ids("regional_officer"))
    region_id = request.args.get("region", type=int) or allowed[0]
    if region_id not in allowed:
        abort(403)
    region_row = db_session.get(Region, region_id)
    lmcs = db_session.scalars(
        select(Lmc).where(Lmc.region_id == region_id).options(selectinload(Lmc.career_centres))
    ).all()
    lmc_ids = [lmc.id for lmc in lmcs]
    entries = db_session.scalars(
        select(AttesteeEntry)
        .join(Campaign)
        .where(AttesteeEntry.lmc_id.in_(lmc_ids), AttesteeEntry.status == "listed")
        .order_by(Campaign.testing_from.desc(), AttesteeEntry.full_name)
    ).all()
    worker_counts = dict(
        db_session.execute(
            select(Worker.lmc_id, func.count()).where(Worker.lmc_id.in_(lmc_ids)).group_by(Worker.lmc_id)
        ).all()
    )
    return render_template(
        "dashboards/region.html",
        region=region_row,
        lmcs=lmcs,
        entries=entries,
        worker_counts=worker_counts,
        regions=allowed,
    )


@bp.route("/ministry")
@roles_required("ministry_viewer")
def ministry():  # type: ignore[no-untyped-def]
    rows = db_session.execute(
        select(Region, func.count(func.distinct(Lmc.id)), func.count(func.distinct(Worker.id)))
        .outerjoin(Lmc, Lmc.region_id == Region.id)
        .outerjoin(Worker, Worker.lmc_id == Lmc.id)
        .group_by(Region.id)
        .order_by(Region.id)
    ).all()
    listed = dict(
        db_session.execute(
            select(Lmc.region_id, func.count(AttesteeEntry.id))
            .join(AttesteeEntry, AttesteeEntry.lmc_id == Lmc.id)
            .where(AttesteeEntry.status == "listed")
            .group_by(Lmc.region_id)
        ).all()
    )
    return render_template("dashboards/ministry.html", rows=rows, listed=listed)


@bp.route("/proctor")
@roles_required("proctor")
def proctor():  # type: ignore[no-untyped-def]
    campaigns = db_session.scalars(select(Campaign).where(Campaign.status == "open")).all()
    return render_template("dashboards/proctor.html", campaigns=campaigns)


@bp.route("/commission")
@roles_required("commission_member")
def commission():  # type: ignore[no-untyped-def]
    return render_template("dashboards/commission.html")


@bp.route("/me")
@login_required
def me():  # type: ignore[no-untyped-def]
    return render_template("dashboards/me.html")
