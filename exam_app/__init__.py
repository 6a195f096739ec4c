"""The Flask shell: wires the domain packages into one web application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from attestation.web import db_session
from exam_app import config as app_config
from exam_app.database import make_engine
from exam_app.extensions import LANGUAGES, babel, csrf, limiter, login_manager, select_locale
from exam_app.i18n import compile_catalogs, labels
from exam_app.static_files import StaticFiles


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(app_config.ROOT / "templates"), static_folder="static")
    app.config.update(app_config.from_environment())
    if overrides:
        app.config.update(overrides)
    app.wsgi_app = StaticFiles(app.wsgi_app, Path(app.static_folder or "static"))  # type: ignore[method-assign]

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    db_session.remove()
    db_session.configure(bind=engine)

    compile_catalogs()
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    _init_login(app)
    _register_blueprints(app)
    _register_handlers(app)
    load_calendar_overrides()
    from exam_app.exam.services import FormCache
    from exam_app.exam.step_writer import StepWriter
    from exam_app.frame_analysis import FrameAnalyzer

    app.extensions["frame_analyzer"] = FrameAnalyzer(app)
    app.extensions["step_writer"] = StepWriter(engine)
    app.extensions["form_targets"] = FormCache()

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        db_session.remove()

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "current_lang": str(get_locale()),
            "languages": LANGUAGES,
            "L": labels,
        }

    @app.after_request
    def _security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
            "style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
        )
        return response

    return app


def _init_login(app: Flask) -> None:
    from exam_app.accounts.models import User

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the login page explains itself
    # "basic", not "strong": a candidate whose mobile network changes IP mid-test must not be logged out
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(user_id: str) -> User | None:
        # one query with the role grants: every request runs this, and on PostgreSQL a query is a round trip
        # during which the request thread gives up the GIL and then waits to get it back
        if not user_id.isdigit():
            return None
        user = db_session.get(User, int(user_id), options=[joinedload(User.grants)])
        return user if user is not None and user.active else None


def _register_blueprints(app: Flask) -> None:
    from attestation.views import hr_bp, pdo_bp, public_bp
    from exam_app.accounts.views import bp as accounts_bp
    from exam_app.admin import bp as admin_bp
    from exam_app.cabinet import bp as cabinet_bp
    from exam_app.dashboards import bp as dashboards_bp
    from exam_app.exam.views import api as exam_api_bp
    from exam_app.exam.views import bp as exam_bp
    from exam_app.proctoring_views import api as proctoring_api_bp
    from exam_app.proctoring_views import bp as proctor_bp
    from question_bank.views import bank_bp

    for bp in (
        accounts_bp,
        public_bp,
        cabinet_bp,
        hr_bp,
        pdo_bp,
        admin_bp,
        dashboards_bp,
        exam_bp,
        exam_api_bp,
        proctoring_api_bp,
        proctor_bp,
        bank_bp,
    ):
        app.register_blueprint(bp)

    @app.route("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        return {"ok": True}


def _register_handlers(app: Flask) -> None:
    def _error(code: int, message: str):  # type: ignore[no-untyped-def]
        return render_template("error.html", code=code, message=message), code

    app.register_error_handler(403, lambda e: _error(403, _("You do not have access to this page.")))
    app.register_error_handler(404, lambda e: _error(404, _("The page was not found.")))
    app.register_error_handler(
        429, lambda e: _error(429, _("Too many attempts. Wait a minute and try again."))
    )
    app.register_error_handler(
        CSRFError,
        lambda e: _error(
            400, _("The form has expired or was not sent from this site. Reload the page and try again.")
        ),
    )

    @app.before_request
    def _remember_lang() -> None:
        lang = request.args.get("lang")
        if lang in LANGUAGES:
            session["lang"] = lang
        g.lang = select_locale()


def load_calendar_overrides() -> None:
    """Apply the administrator's transferred days off and working Saturdays, if the table exists.

    Called at start and by each process's sweeper every minute, so that an edit made in one
    server process reaches the others.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from attestation import calendar
    from attestation.models import CalendarOverride

    try:
        rows = db_session.scalars(select(CalendarOverride)).all()
    except SQLAlchemyError:
        db_session.rollback()
        return
    finally:
        db_session.remove()
    calendar.set_overrides(
        days_off=[r.day for r in rows if r.kind == "day_off"],
        working_days=[r.day for r in rows if r.kind == "working_day"],
    )
