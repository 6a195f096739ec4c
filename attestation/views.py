"""Pages of LMC HR (workers, lists of attestees), of the PDO (campaigns), and the public announcements.

Every object is checked against the user's scope on the server: an HR officer reaches only the
workers and list lines of the LMCs named in their role grants, anything else is a 404.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from attestation import campaigns as campaign_service
from attestation import exports
from attestation import workers as worker_service
from attestation.codes import CATEGORIES, LEAVE_KINDS, POSITIONS, PROCEDURES
from attestation.db import DomainError
from attestation.forms import AnnouncementForm, CampaignForm, ImportForm, LeaveForm, RemoveEntryForm
from attestation.labels import labels
from attestation.models import AttesteeEntry, Campaign, Lmc, Worker
from attestation.web import db_session, roles_required

public_bp = Blueprint("public", __name__)
hr_bp = Blueprint("hr", __name__, url_prefix="/hr")
pdo_bp = Blueprint("pdo", __name__, url_prefix="/pdo")


def _actor() -> dict[str, object]:
    return {"actor_id": current_user.id, "actor_label": current_user.username}


def _today() -> date:
    return date.today()


# --- public ------------------------------------------------------------------------------------------


@public_bp.route("/announcements")
def announcements():  # type: ignore[no-untyped-def]
    items = campaign_service.announced_campaigns(db_session, _today())
    return render_template("attestation/announcements.html", campaigns=items)


# --- LMC HR ---------------------------------------------------------------------------------------------


def _hr_lmc() -> Lmc:
    """The LMC this HR officer acts for: one of their grants, chosen by ?lmc= when they have several."""
    allowed = sorted(current_user.lmc_ids("lmc_hr"))
    if not allowed:
        abort(403)
    wanted = request.args.get("lmc", type=int) or allowed[0]
    if wanted not in allowed:
        abort(403)
    lmc = db_session.get(Lmc, wanted)
    if lmc is None:
        abort(404)
    return lmc


def _own_worker(worker_id: int) -> Worker:
    worker = db_session.get(Worker, worker_id)
    if worker is None or worker.lmc_id not in current_user.lmc_ids("lmc_hr"):
        abort(404)
    return worker


def _worker_choices() -> dict[str, object]:
    return {"positions": POSITIONS, "categories": CATEGORIES, "leave_kinds": LEAVE_KINDS}


@hr_bp.route("/")
@roles_required("lmc_hr")
def index():  # type: ignore[no-untyped-def]
    return redirect(url_for("hr.workers"))


@hr_bp.route("/workers")
@roles_required("lmc_hr")
def workers():  # type: ignore[no-untyped-def]
    lmc = _hr_lmc()
    query = select(Worker).where(Worker.lmc_id == lmc.id)
    needle = (request.args.get("q") or "").strip()
    if needle:
        like = f"%{needle.lower()}%"
        query = query.where(
            func.lower(Worker.surname).like(like)
            | func.lower(Worker.name).like(like)
            | Worker.iin.like(f"%{needle}%")
        )
    rows = db_session.scalars(query.order_by(Worker.surname, Worker.name)).all()
    campaigns = db_session.scalars(
        select(Campaign).where(Campaign.status == "open").order_by(Campaign.testing_from)
    ).all()
    return render_template("attestation/workers.html", lmc=lmc, workers=rows, q=needle, campaigns=campaigns)


def _worker_form_page(
    lmc: Lmc,
    worker: Worker | None,
    values: dict[str, object],
    errors: dict[str, list[str]],
    status: int = 200,
):  # type: ignore[no-untyped-def]
    leave_form = LeaveForm()
    leave_form.kind.choices = [(k, labels.leave(k)) for k in LEAVE_KINDS]
    return render_template(
        "attestation/worker_form.html",
        lmc=lmc,
        worker=worker,
        values=values,
        errors=errors,
        leave_form=leave_form,
        **_worker_choices(),
    ), status


def _field_errors(exc: worker_service.WorkerDataError) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for err in exc.errors:
        result.setdefault(err.field, []).append(labels.field_error(err.code, err.params))
    return result


def _worker_form_data() -> dict[str, object]:
    """The posted fields; an unticked checkbox is absent from the form, so it is read as False."""
    raw: dict[str, object] = dict(request.form.to_dict())
    for flag in worker_service.FLAG_FIELDS:
        raw[flag] = flag in request.form
    return raw


@hr_bp.route("/workers/new", methods=["GET", "POST"])
@roles_required("lmc_hr")
def worker_new():  # type: ignore[no-untyped-def]
    lmc = _hr_lmc()
    if request.method == "POST":
        raw = _worker_form_data()
        try:
            worker = worker_service.create_worker(db_session, raw, lmc_id=lmc.id, **_actor())
        except worker_service.WorkerDataError as exc:
            db_session.rollback()
            flash(_("The worker was not saved: correct the marked fields."), "error")
            return _worker_form_page(lmc, None, raw, _field_errors(exc), 422)
        db_session.commit()
        flash(_("The worker was added."), "success")
        return redirect(url_for("hr.worker_edit", worker_id=worker.id, lmc=lmc.id))
    return _worker_form_page(lmc, None, {}, {})


@hr_bp.route("/workers/<int:worker_id>", methods=["GET", "POST"])
@roles_required("lmc_hr")
def worker_edit(worker_id: int):  # type: ignore[no-untyped-def]
    worker = _own_worker(worker_id)
    lmc = worker.lmc
    if request.method == "POST":
        raw = _worker_form_data()
        try:
            worker_service.update_worker(db_session, worker, raw, **_actor())
        except worker_service.WorkerDataError as exc:
            db_session.rollback()
            flash(_("The changes were not saved: correct the marked fields."), "error")
            return _worker_form_page(lmc, worker, raw, _field_errors(exc), 422)
        db_session.commit()
        flash(_("The changes were saved."), "success")
        return redirect(url_for("hr.worker_edit", worker_id=worker.id))
    values = worker_service.snapshot(worker)
    return _worker_form_page(lmc, worker, values, {})


@hr_bp.route("/workers/<int:worker_id>/photo", methods=["POST"])
@roles_required("lmc_hr")
def worker_photo(worker_id: int):  # type: ignore[no-untyped-def]
    from flask import current_app

    worker = _own_worker(worker_id)
    upload = request.files.get("photo")
    try:
        worker_service.set_photo(
            db_session,
            worker,
            upload.read(worker_service.MAX_PHOTO_BYTES + 1) if upload else b"",
            folder=current_app.config["UPLOAD_FOLDER"],
            **_actor(),
        )
        db_session.commit()
        flash(_("The photo was saved."), "success")
    except DomainError as exc:
        db_session.rollback()
        flash(labels.error(exc), "error")
    return redirect(url_for("hr.worker_edit", worker_id=worker.id))


@hr_bp.route("/workers/<int:worker_id>/leaves", methods=["POST"])
@roles_required("lmc_hr")
def leave_add(worker_id: int):  # type: ignore[no-untyped-def]
    worker = _own_worker(worker_id)
    form = LeaveForm()
    form.kind.choices = [(k, k) for k in LEAVE_KINDS]
    if not form.validate_on_submit():
        flash(_("The leave was not added: give its kind and a start date."), "error")
    else:
        try:
            worker_service.add_leave(
                db_session, worker, form.kind.data or "", form.start.data, form.end.data, **_actor()
            )
            db_session.commit()
            flash(_("The leave was added."), "success")
        except DomainError as exc:
            db_session.rollback()
            flash(labels.error(exc), "error")
    return redirect(url_for("hr.worker_edit", worker_id=worker.id))


@hr_bp.route("/workers/<int:worker_id>/leaves/<int:leave_id>/delete", methods=["POST"])
@roles_required("lmc_hr")
def leave_delete(worker_id: int, leave_id: int):  # type: ignore[no-untyped-def]
    worker = _own_worker(worker_id)
    try:
        worker_service.remove_leave(db_session, worker, leave_id, **_actor())
        db_session.commit()
        flash(_("The leave was removed."), "success")
    except DomainError as exc:
        db_session.rollback()
        flash(labels.error(exc), "error")
    return redirect(url_for("hr.worker_edit", worker_id=worker.id))


@hr_bp.route("/workers/import", methods=["GET", "POST"])
@roles_required("lmc_hr")
def workers_import():  # type: ignore[no-untyped-def]
    lmc = _hr_lmc()
    form = ImportForm()
    row_errors = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = worker_service.read_rows(upload.filename or "", upload.read())
            result = worker_service.import_workers(db_session, rows, lmc_id=lmc.id, **_actor())
        except DomainError as exc:
            db_session.rollback()
            flash(labels.error(exc), "error")
            return render_template("attestation/import.html", form=form, lmc=lmc, row_errors=[]), 422
        if result.errors:
            db_session.rollback()
            row_errors = [
                (e.row, [(fe.field, labels.field_error(fe.code, fe.params)) for fe in e.errors])
                for e in result.errors
            ]
            flash(
                _(
                    "Nothing was imported: %(n)s rows have errors. Correct them and upload the file again.",
                    n=len(result.errors),
                ),
                "error",
            )
            return render_template("attestation/import.html", form=form, lmc=lmc, row_errors=row_errors), 422
        db_session.commit()
        flash(_("%(n)s workers were imported.", n=result.created), "success")
        return redirect(url_for("hr.workers", lmc=lmc.id))
    return render_template(
        "attestation/import.html", form=form, lmc=lmc, row_errors=row_errors, columns=worker_service.COLUMNS
    )


def _open_or_listed_campaign(campaign_id: int) -> Campaign:
    campaign = db_session.get(Campaign, campaign_id)
    if campaign is None or campaign.status == "draft":
        abort(404)
    return campaign


@hr_bp.route("/campaigns/<int:campaign_id>/list")
@roles_required("lmc_hr")
def attestee_list(campaign_id: int):  # type: ignore[no-untyped-def]
    lmc = _hr_lmc()
    campaign = _open_or_listed_campaign(campaign_id)
    candidates = campaign_service.list_candidates(db_session, campaign, lmc.id, _today())
    return render_template(
        "attestation/list.html",
        lmc=lmc,
        campaign=campaign,
        candidates=candidates,
        procedures=PROCEDURES,
        categories=CATEGORIES,
        remove_form=RemoveEntryForm(),
    )


@hr_bp.route("/campaigns/<int:campaign_id>/list/add", methods=["POST"])
@roles_required("lmc_hr")
def attestee_add(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign = _open_or_listed_campaign(campaign_id)
    worker = _own_worker(request.form.get("worker_id", type=int) or 0)
    procedure = request.form.get("procedure") or None
    applied = request.form.get("applied_category") or None
    try:
        campaign_service.add_to_list(
            db_session,
            campaign,
            worker,
            today=_today(),
            procedure=procedure,
            applied_category=applied,
            **_actor(),
        )
        db_session.commit()
        flash(_("%(name)s was added to the list.", name=worker.full_name), "success")
    except campaign_service.NotEligible as exc:
        db_session.rollback()
        reasons = "; ".join(labels.reason(r.code, dict(r.params)) for r in exc.eligibility.reasons)
        flash(_("%(name)s cannot be listed: %(reasons)s", name=worker.full_name, reasons=reasons), "error")
    except DomainError as exc:
        db_session.rollback()
        flash(labels.error(exc), "error")
    return redirect(url_for("hr.attestee_list", campaign_id=campaign.id, lmc=worker.lmc_id))


@hr_bp.route("/campaigns/<int:campaign_id>/list/<int:entry_id>/remove", methods=["POST"])
@roles_required("lmc_hr")
def attestee_remove(campaign_id: int, entry_id: int):  # type: ignore[no-untyped-def]
    entry = db_session.get(AttesteeEntry, entry_id)
    if (
        entry is None
        or entry.campaign_id != campaign_id
        or entry.lmc_id not in current_user.lmc_ids("lmc_hr")
    ):
        abort(404)
    form = RemoveEntryForm()
    if not form.validate_on_submit():
        flash(_("Say why the worker is taken off the list."), "error")
    else:
        try:
            campaign_service.remove_from_list(db_session, entry, reason=form.reason.data or "", **_actor())
            db_session.commit()
            flash(_("The worker was taken off the list."), "success")
        except DomainError as exc:
            db_session.rollback()
            flash(labels.error(exc), "error")
    return redirect(url_for("hr.attestee_list", campaign_id=campaign_id, lmc=entry.lmc_id))


def _export_lang() -> str:
    lang = request.args.get("doc_lang", "kk")
    if lang not in ("kk", "ru"):
        abort(400)
    return lang


def _doc_label(kind: str, code: str | None) -> str:
    return {"procedure": labels.procedure, "position": labels.position, "category": labels.category}[kind](
        code
    )


@hr_bp.route("/campaigns/<int:campaign_id>/list.xlsx")
@roles_required("lmc_hr")
def attestee_list_xlsx(campaign_id: int):  # type: ignore[no-untyped-def]
    lmc = _hr_lmc()
    campaign = _open_or_listed_campaign(campaign_id)
    lang = _export_lang()
    entries = campaign_service.listed_entries(db_session, campaign.id, lmc.id)
    with force_locale(lang):
        data = exports.annex1_xlsx(entries, lang, _doc_label, f"{lmc.name(lang)} — {campaign.title(lang)}")
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename=annex1-{campaign.id}-{lang}.xlsx"},
    )


@hr_bp.route("/campaigns/<int:campaign_id>/list.pdf")
@roles_required("lmc_hr")
def attestee_list_pdf(campaign_id: int):  # type: ignore[no-untyped-def]
    lmc = _hr_lmc()
    campaign = _open_or_listed_campaign(campaign_id)
    lang = _export_lang()
    entries = campaign_service.listed_entries(db_session, campaign.id, lmc.id)
    with force_locale(lang):
        html = render_template(
            "attestation/annex1_pdf.html",
            lang=lang,
            lmc=lmc,
            campaign=campaign,
            title=exports.ANNEX1_TITLE[lang],
            caption=exports.ANNEX1_CAPTION[lang],
            columns=exports.ANNEX1_COLUMNS[lang],
            rows=exports.annex1_rows(entries, lang, _doc_label),
        )
    data = exports.html_to_pdf(html)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=annex1-{campaign.id}-{lang}.pdf"},
    )


# --- PDO: campaigns ------------------------------------------------------------------------------------


@pdo_bp.route("/campaigns")
@roles_required("pdo_admin")
def campaigns():  # type: ignore[no-untyped-def]
    rows = db_session.scalars(select(Campaign).order_by(Campaign.testing_from.desc())).all()
    counts = dict(
        db_session.execute(
            select(AttesteeEntry.campaign_id, func.count())
            .where(AttesteeEntry.status == "listed")
            .group_by(AttesteeEntry.campaign_id)
        ).all()
    )
    return render_template("attestation/campaigns.html", campaigns=rows, counts=counts)


@pdo_bp.route("/campaigns/new", methods=["GET", "POST"])
@roles_required("pdo_admin")
def campaign_new():  # type: ignore[no-untyped-def]
    form = CampaignForm()
    if form.validate_on_submit():
        try:
            campaign = campaign_service.create_campaign(
                db_session,
                title_kk=form.title_kk.data or "",
                title_ru=form.title_ru.data or "",
                testing_from=form.testing_from.data,
                testing_to=form.testing_to.data,
                lists_due=form.lists_due.data,
                **_actor(),
            )
            db_session.commit()
            flash(_("The campaign was created as a draft. Open it to let LMCs form their lists."), "success")
            return redirect(url_for("pdo.campaign_detail", campaign_id=campaign.id))
        except DomainError as exc:
            db_session.rollback()
            flash(labels.error(exc), "error")
    return render_template("attestation/campaign_form.html", form=form)


@pdo_bp.route("/campaigns/<int:campaign_id>", methods=["GET"])
@roles_required("pdo_admin")
def campaign_detail(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign = db_session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    per_lmc = db_session.execute(
        select(Lmc, func.count(AttesteeEntry.id))
        .join(AttesteeEntry, AttesteeEntry.lmc_id == Lmc.id)
        .where(AttesteeEntry.campaign_id == campaign.id, AttesteeEntry.status == "listed")
        .group_by(Lmc.id)
    ).all()
    form = AnnouncementForm(data={"text_kk": campaign.announcement_kk, "text_ru": campaign.announcement_ru})
    return render_template("attestation/campaign_detail.html", campaign=campaign, per_lmc=per_lmc, form=form)


@pdo_bp.route("/campaigns/<int:campaign_id>/status", methods=["POST"])
@roles_required("pdo_admin")
def campaign_status(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign = db_session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    from flask_wtf import FlaskForm

    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        campaign_service.change_campaign_status(
            db_session, campaign, request.form.get("status", ""), **_actor()
        )
        db_session.commit()
        flash(_("The campaign's status was changed."), "success")
    except DomainError as exc:
        db_session.rollback()
        flash(labels.error(exc), "error")
    return redirect(url_for("pdo.campaign_detail", campaign_id=campaign.id))


@pdo_bp.route("/campaigns/<int:campaign_id>/announce", methods=["POST"])
@roles_required("pdo_admin")
def campaign_announce(campaign_id: int):  # type: ignore[no-untyped-def]
    campaign = db_session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    form = AnnouncementForm()
    if form.validate_on_submit():
        try:
            campaign_service.publish_announcement(
                db_session,
                campaign,
                text_kk=form.text_kk.data or "",
                text_ru=form.text_ru.data or "",
                **_actor(),
            )
            db_session.commit()
            flash(_("The announcement was published."), "success")
        except DomainError as exc:
            db_session.rollback()
            flash(labels.error(exc), "error")
    else:
        flash(_("The announcement needs text in Kazakh and in Russian."), "error")
    return redirect(url_for("pdo.campaign_detail", campaign_id=campaign.id))
