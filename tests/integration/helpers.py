"""Small lookups shared by the integration tests."""

from __future__ import annotations

import re

from sqlalchemy import select

from attestation.models import Lmc, Worker
from attestation.web import db_session
from exam_app.accounts.models import User


def worker_by_surname(app, surname: str) -> Worker:  # type: ignore[no-untyped-def]
    with app.app_context():
        worker = db_session.scalar(select(Worker).where(Worker.surname == surname))
        assert worker is not None, surname
        db_session.expunge(worker)
        return worker


def lmc_ids(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db_session.scalars(select(Lmc).order_by(Lmc.id)).all()
        return {("karaganda" if "Қарағанды" in r.name_kk else "pavlodar"): r.id for r in rows}


def user_login_of(app, worker_id: int) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db_session.scalar(select(User.username).where(User.worker_id == worker_id))


DEMO_PASSWORD = "demo-pass-2026"


class Browser:
    """A test client that logs in through the real form, with its CSRF token."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.client = app.test_client()

    def token(self, path: str = "/login") -> str:
        page = self.client.get(path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, username: str, password: str = DEMO_PASSWORD):  # type: ignore[no-untyped-def]
        return self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": self.token()},
            follow_redirects=True,
        )

    def post(self, path: str, data: dict | None = None, token_from: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.token(token_from or path_for_token(path)))
        return self.client.post(path, data=payload, **kwargs)

    def get(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.get(path, **kwargs)


def path_for_token(path: str) -> str:
    """Any page with a form carries a valid session token; the start page always has the logout form."""
    return "/me"
