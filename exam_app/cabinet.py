"""The candidate's personal cabinet (§12): status, deadline and admission of each attestation.

A candidate sees only the worker record linked to their own account; there is no URL that
takes a worker id, so another worker's cabinet cannot be asked for.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select

from attestation.campaigns import assess_worker, reference_day, worker_facts
from attestation.eligibility import propose_procedure
from attestation.models import AttesteeEntry, Campaign, Worker
from attestation.web import db_session, roles_required
from exam_app.exam.models import Attempt

bp = Blueprint("cabinet", __name__, url_prefix="/cabinet")


@bp.route("/")
@roles_required("candidate")
def index():  # type: ignore[no-untyped-def]
    if current_user.worker_id is None:
        abort(403)
    worker = db_session.get(Worker, current_user.worker_id)
    if worker is None:
        abort(404)
    today = date.today()
    rows = []
    entries = db_session.scalars(
        select(AttesteeEntry)
        .join(Campaign)
        .where(AttesteeEntry.worker_id == worker.id)
        .order_by(Campaign.testing_from.desc())
    ).all()
    attempts = {
        a.entry_id: a
        for a in db_session.scalars(select(Attempt).where(Attempt.entry_id.in_([e.id for e in entries])))
    }
    for entry in entries:
        on = reference_day(entry.campaign, today)
        eligibility = assess_worker(
            worker, on, procedure=entry.procedure, applied_category=entry.applied_category
        )
        rows.append(
            {
                "attempt": attempts.get(entry.id),
                "entry": entry,
                "campaign": entry.campaign,
                "eligibility": eligibility,
                "status": _status(entry, eligibility, today),
            }
        )
    procedure, reattestation = propose_procedure(worker_facts(worker), today)
    general = assess_worker(worker, today, procedure=procedure)
    return render_template(
        "cabinet/index.html",
        worker=worker,
        rows=rows,
        general=general,
        procedure=procedure,
        reattestation=reattestation,
        today=today,
    )


def _status(entry: AttesteeEntry, eligibility, today: date) -> str:  # type: ignore[no-untyped-def]
    """A short status code for the cabinet; later issues add tested / under appeal / final."""
    if entry.status == "removed":
        return "removed"
    if not (eligibility.subject and eligibility.admitted):
        return "not_admitted"
    if today < entry.campaign.testing_from:
        return "awaiting_testing"
    if today <= entry.campaign.testing_to:
        return "testing_open"
    return "testing_closed"
