"""Small lookups shared by the integration tests."""

from __future__ import annotations

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
