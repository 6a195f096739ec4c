"""The question bank's pages for the PDO administrator: items, editor, review, specifications,
import and export.

Thin views: each parses the request, calls one operation of the engine (or of
:mod:`question_bank.editing`, which composes them) and renders. The session is committed here
after a successful call and rolled back on a refusal, whose reasons are shown as the engine
words them. Codes (statuses, sections, types, languages) are translated only for display.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import select

from attestation.db import DomainError
from attestation.web import db_session, roles_required
from question_bank import LANGUAGES, POSITIONS, PROCEDURES, REQUIRED_LANGUAGES, SECTIONS
from question_bank.blueprints import REST, check_blueprint, default_specs, proportional_quotas, stored_specs
from question_bank.browse import BankQuery, search_items, source_excerpt
from question_bank.citations import CitationChecker
from question_bank.drafts import Citation
from question_bank.editing import (
    bulk_items,
    coverage_table,
    export_zip,
    import_upload,
    reject_version,
    save_item,
    save_spec_checked,
)
from question_bank.models import (
    ACTIVE,
    DRAFT,
    IN_REVIEW,
    RETIRED,
    STATUSES,
    Item,
    ItemVersion,
    SourceDocument,
    Topic,
)
from question_bank.services import active_pool, bank_stats, get_item, review_queue
from question_bank.types import render_version
from question_bank.web_forms import (
    MAX_OPTIONS,
    MIN_OPTIONS,
    BankImportForm,
    edit_from_values,
    empty_item_values,
    item_values,
    item_values_from_form,
    spec_from_values,
    spec_values,
    spec_values_from_form,
)
from question_bank.workflow import Actor, activation_problems, transition

bank_bp = Blueprint("bank", __name__, url_prefix="/bank")

PER_PAGE = 50
REVIEW_PER_PAGE = 20
EDITOR_TYPES = ("single_choice", "multiple_choice")
BULK_TARGETS = (IN_REVIEW, ACTIVE, RETIRED)

LABELS: dict[str, dict[str, Any]] = {
    "status": {
        DRAFT: lazy_gettext("Draft"),
        IN_REVIEW: lazy_gettext("In review"),
        ACTIVE: lazy_gettext("Active"),
        RETIRED: lazy_gettext("Retired"),
    },
    "section": {"legal": lazy_gettext("Legal"), "functional": lazy_gettext("Functional")},
    "type": {
        "single_choice": lazy_gettext("Single choice"),
        "multiple_choice": lazy_gettext("Multiple choice"),
        "true_false": lazy_gettext("True / false"),
    },
    "lang": {"kk": lazy_gettext("Kazakh"), "ru": lazy_gettext("Russian"), "en": lazy_gettext("English")},
    "format": {
        "auto": lazy_gettext("By file extension"),
        "yaml": lazy_gettext("Bank YAML"),
        "moodle": lazy_gettext("Moodle XML"),
        "gift": lazy_gettext("GIFT"),
    },
    "bulk": {
        IN_REVIEW: lazy_gettext("Send to review"),
        ACTIVE: lazy_gettext("Activate"),
        RETIRED: lazy_gettext("Retire"),
    },
}


@bank_bp.context_processor
def _bank_globals() -> dict[str, Any]:
    def bank_label(kind: str, code: str | None) -> str:
        if code is None:
            return "—"
        if kind == "topic" and code == REST:
            return _("other topics")
        value = LABELS.get(kind, {}).get(code)
        return str(value) if value is not None else code

    return {"BL": bank_label, "bank_sections": SECTIONS, "bank_languages": LANGUAGES}


def _actor() -> Actor:
    return Actor(current_user.id, current_user.username)


def _problems(exc: DomainError) -> list[str]:
    problems = exc.params.get("problems")
    return [str(p) for p in problems] if isinstance(problems, list) and problems else [exc.message]


def _refused(lead: str, exc: DomainError) -> None:
    db_session.rollback()
    flash(f"{lead} " + "; ".join(_problems(exc)), "error")


def _topics() -> list[Topic]:
    order = {s: n for n, s in enumerate(SECTIONS)}
    topics = db_session.scalars(select(Topic).order_by(Topic.code))
    return sorted(topics, key=lambda t: (order.get(t.section, len(order)), t.code))


@bank_bp.route("/")
@roles_required("pdo_admin")
def index():  # type: ignore[no-untyped-def]
    return redirect(url_for("bank.items"))


# -- items list ----------------------------------------------------------------------------------
def _list_query() -> BankQuery:
    def arg(name: str, allowed: tuple[str, ...] | None = None) -> str | None:
        value = (request.args.get(name) or "").strip()
        if not value or (allowed is not None and value not in allowed):
            return None
        return value

    return BankQuery(
        section=arg("section", SECTIONS),
        topic=arg("topic"),
        status=arg("status", STATUSES),
        position=arg("position", POSITIONS),
        missing=arg("missing", LANGUAGES),
        text=arg("q"),
    )


@bank_bp.route("/items")
@roles_required("pdo_admin")
def items():  # type: ignore[no-untyped-def]
    query = _list_query()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    result = search_items(db_session, query, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    pages = max((result.total + PER_PAGE - 1) // PER_PAGE, 1)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "question_bank/items.html",
        query=query,
        result=result,
        page=page,
        pages=pages,
        args=args,
        topics=_topics(),
        positions=POSITIONS,
        statuses=STATUSES,
        stats=bank_stats(db_session),
        bulk_targets=BULK_TARGETS,
    )


@bank_bp.route("/items/bulk", methods=["POST"])
@roles_required("pdo_admin")
def items_bulk():  # type: ignore[no-untyped-def]
    to_status = request.form.get("to_status", "")
    back = request.form.get("back", "")
    back_url = url_for("bank.items") + (f"?{back}" if back else "")
    external_ids = request.form.getlist("item")
    if to_status not in BULK_TARGETS or not external_ids:
        flash(_("Select items and an action."), "error")
        return redirect(back_url)
    try:
        result = bulk_items(
            db_session, external_ids, to_status, actor=_actor(), note=request.form.get("note", "").strip()
        )
    except DomainError as exc:
        _refused(_("Nothing was changed:"), exc)
        return redirect(back_url)
    db_session.commit()
    return render_template(
        "question_bank/bulk_result.html", result=result, to_status=to_status, back_url=back_url
    )


# -- item editor ---------------------------------------------------------------------------------
def _editor(item: Item | None, values: dict[str, Any], status: int = 200, problems: list[str] | None = None):  # type: ignore[no-untyped-def]
    actor = _actor()
    checker = CitationChecker(db_session)
    version = item.current_version if item is not None else None
    citation_problem = activation = None
    if version is not None:
        activation = activation_problems(db_session, version, actor, checker=checker)
        if version.citation_source is not None:
            citation_problem = checker.problem(version.content().citation) or ""
    types = list(EDITOR_TYPES)
    if values["type_code"] not in types:
        types.append(values["type_code"])
    return render_template(
        "question_bank/editor.html",
        item=item,
        version=version,
        values=values,
        problems=problems or [],
        topics=_topics(),
        sources=db_session.scalars(select(SourceDocument).order_by(SourceDocument.code)).all(),
        positions=POSITIONS,
        types=types,
        citation_problem=citation_problem,
        activation=activation,
        min_options=MIN_OPTIONS,
        max_options=MAX_OPTIONS,
        required_languages=REQUIRED_LANGUAGES,
    ), status


def _own_item(external_id: str) -> Item:
    try:
        return get_item(db_session, external_id)
    except DomainError:
        abort(404)


def _save(item: Item | None):  # type: ignore[no-untyped-def]
    values = item_values_from_form(request.form)
    if item is not None:
        values["external_id"] = item.external_id
    try:
        outcome = save_item(db_session, item, edit_from_values(values), actor=_actor())
    except DomainError as exc:
        db_session.rollback()
        flash(_("The item was not saved. Correct what is listed and save again."), "error")
        if item is not None:
            db_session.refresh(item)
        return _editor(item, values, 422, _problems(exc))
    db_session.commit()
    if outcome.created_item:
        flash(_("The item was created as a draft."), "success")
    elif outcome.new_version:
        flash(
            _(
                "A new version v%(n)s was saved as a draft; the active version serves until it is activated.",
                n=outcome.version.number,
            )
            if outcome.item.active_version is not None
            else _("A new version v%(n)s was saved as a draft.", n=outcome.version.number),
            "success",
        )
    else:
        flash(_("The text is unchanged; the topic and positions were saved."), "success")
    return redirect(url_for("bank.item_edit", external_id=outcome.item.external_id))


@bank_bp.route("/items/new", methods=["GET", "POST"])
@roles_required("pdo_admin")
def item_new():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        return _save(None)
    values = empty_item_values()
    values["topic"] = request.args.get("topic", "")
    return _editor(None, values)


@bank_bp.route("/items/<external_id>", methods=["GET", "POST"])
@roles_required("pdo_admin")
def item_edit(external_id: str):  # type: ignore[no-untyped-def]
    item = _own_item(external_id)
    if request.method == "POST":
        return _save(item)
    return _editor(item, item_values(item, item.current_version))


@bank_bp.route("/citation-check", methods=["POST"])
@roles_required("pdo_admin")
def citation_check():  # type: ignore[no-untyped-def]
    data = request.get_json(silent=True) or {}
    citation = Citation(str(data.get("source", "")), str(data.get("clause", "")), str(data.get("quote", "")))
    if not citation.source:
        return {"found": False, "message": _("Choose a source.")}
    problem = CitationChecker(db_session).problem(citation)
    if problem is None:
        return {"found": True, "message": _("The quote is found in the source text.")}
    return {"found": False, "message": _("Not verified: %(reason)s", reason=problem)}


# -- workflow acts -------------------------------------------------------------------------------
def _version(version_id: int) -> ItemVersion:
    version = db_session.get(ItemVersion, version_id)
    if version is None:
        abort(404)
    return version


def _back(version: ItemVersion) -> str:
    return (
        url_for("bank.review")
        if request.form.get("back") == "review"
        else url_for("bank.item_edit", external_id=version.item.external_id)
    )


@bank_bp.route("/versions/<int:version_id>/transition", methods=["POST"])
@roles_required("pdo_admin")
def version_transition(version_id: int):  # type: ignore[no-untyped-def]
    version = _version(version_id)
    to_status = request.form.get("to_status", "")
    try:
        transition(db_session, version, to_status, actor=_actor(), note=request.form.get("note", "").strip())
    except DomainError as exc:
        _refused(_("Refused:"), exc)
        return redirect(_back(version))
    db_session.commit()
    flash(
        _(
            "%(item)s v%(n)s is now: %(status)s.",
            item=version.item.external_id,
            n=version.number,
            status=str(LABELS["status"].get(to_status, to_status)),
        ),
        "success",
    )
    return redirect(_back(version))


@bank_bp.route("/versions/<int:version_id>/reject", methods=["POST"])
@roles_required("pdo_admin")
def version_reject(version_id: int):  # type: ignore[no-untyped-def]
    version = _version(version_id)
    try:
        reject_version(db_session, version, request.form.get("reason", ""), actor=_actor())
    except DomainError as exc:
        if exc.code == "rejection_reason_required":
            db_session.rollback()
            flash(_("Give the reason for the rejection."), "error")
        else:
            _refused(_("Refused:"), exc)
        return redirect(_back(version))
    db_session.commit()
    flash(
        _("%(item)s v%(n)s was rejected and retired.", item=version.item.external_id, n=version.number),
        "success",
    )
    return redirect(_back(version))


# -- review queue --------------------------------------------------------------------------------
@bank_bp.route("/review")
@roles_required("pdo_admin")
def review():  # type: ignore[no-untyped-def]
    actor = _actor()
    checker = CitationChecker(db_session)
    queue = review_queue(db_session)
    pages = max((len(queue) + REVIEW_PER_PAGE - 1) // REVIEW_PER_PAGE, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    entries = []
    for version in queue[(page - 1) * REVIEW_PER_PAGE : page * REVIEW_PER_PAGE]:
        order = list(range(version.option_count))
        rendered = {lang: render_version(version, lang, order, reveal=True) for lang in version.languages()}
        source = None
        if version.citation_source:
            source = db_session.scalar(
                select(SourceDocument).where(SourceDocument.code == version.citation_source)
            )
        entries.append(
            {
                "version": version,
                "rendered": rendered,
                "source": source,
                "excerpt": source_excerpt(source.full_text if source else None, version.citation_quote),
                "citation_problem": checker.problem(version.content().citation)
                if version.citation_source
                else None,
                "problems": activation_problems(db_session, version, actor, checker=checker),
                "own": actor.is_author_of(version),
            }
        )
    return render_template(
        "question_bank/review.html", entries=entries, waiting=len(queue), page=page, pages=pages
    )


# -- specifications ------------------------------------------------------------------------------
@bank_bp.route("/specs")
@roles_required("pdo_admin")
def specs():  # type: ignore[no-untyped-def]
    pool = active_pool(db_session)
    stored = stored_specs(db_session)
    stored_codes = {s.code for s in stored}
    rows = []
    for spec, kind in [(s, "stored") for s in stored] + [
        (s, "default") for s in default_specs() if s.code not in stored_codes
    ]:
        try:
            check_blueprint(spec, pool)
            short: list[dict] = []
        except DomainError as exc:
            short = list(exc.params.get("cells", [])) or [{"message": exc.message}]
        rows.append({"spec": spec, "kind": kind, "short": short})
    return render_template("question_bank/specs.html", rows=rows)


def _spec_page(
    values: dict[str, Any],
    *,
    kind: str,
    status: int = 200,
    short: list[dict] | None = None,
    problems: list[str] | None = None,
):  # type: ignore[no-untyped-def]
    pool = active_pool(db_session)
    spec = spec_from_values(values)
    table = coverage_table(pool, spec) if spec.positions else []
    return render_template(
        "question_bank/spec_edit.html",
        values=values,
        kind=kind,
        topics=_topics(),
        procedures=PROCEDURES,
        positions=POSITIONS,
        table=table,
        short=short or [],
        problems=problems or [],
    ), status


def _find_spec(code: str):  # type: ignore[no-untyped-def]
    """(spec, kind): the stored specification of that code, else the default one, else none."""
    for spec in stored_specs(db_session):
        if spec.code == code:
            return spec, "stored"
    for spec in default_specs():
        if spec.code == code:
            return spec, "default"
    return None, "new"


@bank_bp.route("/specs/edit", methods=["GET", "POST"])
@roles_required("pdo_admin")
def spec_edit():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        values = spec_values_from_form(request.form, [(t.section, t.code) for t in _topics()])
        kind = _find_spec(values["code"])[1]
        action = request.form.get("action", "check")
        if action == "suggest":
            pool = active_pool(db_session)
            for section in SECTIONS:
                values["quotas"][section] = proportional_quotas(
                    pool, section, max(values["counts"][section], 0)
                )
            return _spec_page(values, kind=kind)
        spec = spec_from_values(values)
        try:
            if action == "save":
                save_spec_checked(db_session, spec, active_pool(db_session), actor=_actor())
            else:
                check_blueprint(spec, active_pool(db_session))
        except DomainError as exc:
            db_session.rollback()
            short = list(exc.params.get("cells", []))
            flash(
                _("The specification was not saved: the bank cannot serve it.")
                if action == "save" and short
                else _("The specification was not saved.")
                if action == "save"
                else _("The bank cannot serve this specification."),
                "error",
            )
            return _spec_page(
                values, kind=kind, status=422, short=short, problems=[] if short else _problems(exc)
            )
        if action == "save":
            db_session.commit()
            flash(_("The specification %(code)s was saved.", code=spec.code), "success")
            return redirect(url_for("bank.spec_edit", code=spec.code))
        flash(_("The bank can serve this specification."), "success")
        return _spec_page(values, kind=kind)
    code = request.args.get("code", "")
    spec, kind = _find_spec(code) if code else (None, "new")
    if code and spec is None:
        abort(404)
    return _spec_page(spec_values(spec), kind=kind)


# -- import / export -----------------------------------------------------------------------------
@bank_bp.route("/import", methods=["GET", "POST"])
@roles_required("pdo_admin")
def import_page():  # type: ignore[no-untyped-def]
    form = BankImportForm()
    form.set_choices(LABELS)
    summary = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            outcome = import_upload(
                db_session,
                upload.filename or "upload",
                upload.read(),
                actor=_actor(),
                fmt=form.fmt.data or "auto",
                lang=form.lang.data or None,
                section=form.section.data or None,
                topic=(form.topic.data or "").strip() or None,
                dry_run=bool(form.dry_run.data),
                activate=bool(form.activate.data),
            )
        except DomainError as exc:
            db_session.rollback()
            summary = {
                "dry_run": bool(form.dry_run.data),
                "imported": 0,
                "skipped": 0,
                "activated": 0,
                "errors": [{"file": upload.filename, "item": None, "line": None, "message": exc.message}],
            }
            status = 422
        else:
            summary = outcome.summary()
            if outcome.report.ok and not outcome.report.dry_run:
                db_session.commit()
                flash(_("%(n)s items were imported.", n=summary["imported"]), "success")
            else:
                db_session.rollback()
                if not outcome.report.ok:
                    flash(_("Nothing was imported: the file has errors."), "error")
                    status = 422
    elif request.method == "POST":
        status = 422
        flash(_("Choose a file to import."), "error")
    report_json = json.dumps(summary, ensure_ascii=False, indent=2) if summary else ""
    return render_template(
        "question_bank/import.html", form=form, summary=summary, report_json=report_json
    ), status


@bank_bp.route("/export.zip")
@roles_required("pdo_admin")
def export():  # type: ignore[no-untyped-def]
    active_only = request.args.get("active_only") == "1"
    data = export_zip(db_session, active_only=active_only)
    name = "bank-active.zip" if active_only else "bank.zip"
    return Response(
        data, mimetype="application/zip", headers={"Content-Disposition": f"attachment; filename={name}"}
    )
