"""Login, logout and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from attestation import audit
from attestation.web import db_session
from exam_app.accounts.forms import LoginForm
from exam_app.accounts.services import LoginThrottled, authenticate
from exam_app.extensions import LANGUAGES, limiter

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
# per address, and only posts that did not log in (a hall behind one address logs in freely)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302)
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("dashboards.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(
                db_session,
                form.username.data or "",
                form.password.data or "",
                ip=request.remote_addr or "",
                max_failures=current_app.config["LOGIN_ACCOUNT_FAILURES"],
                window_minutes=current_app.config["LOGIN_ACCOUNT_WINDOW_MINUTES"],
            )
        except LoginThrottled as exc:
            flash(
                _(
                    "Too many failed attempts for this login. Try again in %(minutes)s minutes, "
                    "or ask your administrator to check the account.",
                    minutes=exc.params["minutes"],
                ),
                "error",
            )
            return render_template("accounts/login.html", form=form), 429
        if user is None:
            flash(_("Wrong login or password."), "error")
        else:
            lang = request.form.get("lang") or session.get("lang")  # the language chosen before logging in
            session.clear()  # a fresh session at login: nothing from before carries over but the language
            login_user(user)
            if lang in LANGUAGES:
                session["lang"] = lang
            return redirect(_safe_next(request.args.get("next")) or url_for("dashboards.home"))
    return render_template("accounts/login.html", form=form), 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    audit.record(
        db_session,
        "logout",
        actor_id=current_user.id,
        actor_label=current_user.username,
        object_type="user",
        object_id=current_user.id,
        ip=request.remote_addr or "",
    )
    db_session.commit()
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("accounts.login"))


@bp.route("/lang/<code>")
def switch_language(code: str):  # type: ignore[no-untyped-def]
    if code in LANGUAGES:
        session["lang"] = code
        if current_user.is_authenticated and current_user.locale != code:
            current_user.locale = code
            db_session.commit()
    return redirect(_safe_next(request.args.get("next")) or url_for("dashboards.home"))
