"""Integration fixtures: the real app on a real database built by the migrations.

Each backend's schema (migrated, with the demo data) is built once per run as a template:
SQLite as a file that each test copies, PostgreSQL as a template database that each test
clones. Tests run against both; PostgreSQL is skipped only when no server is configured,
and the README's test command always configures one (ATTEST_REQUIRE_POSTGRES makes a missing
server a failure there).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers import Browser
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from attestation.web import db_session
from exam_app import create_app
from exam_app.database import upgrade


def _load_demo(url: str) -> None:
    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        from exam_app.demo import load_demo

        load_demo(today=date.today())
        from synthetic_bank import ensure_synthetic_bank

        ensure_synthetic_bank(db_session)
        db_session.commit()
    db_session.remove()
    app.extensions["engine"].dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tmpl") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    _load_demo(url)
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    base = os.environ.get("TEST_POSTGRES_URL")
    if not base:
        if os.environ.get("ATTEST_REQUIRE_POSTGRES"):
            pytest.fail("TEST_POSTGRES_URL is not set but the suite requires PostgreSQL")
        pytest.skip("no PostgreSQL server configured (TEST_POSTGRES_URL)")
    name = f"attest_tmpl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    _load_demo(url)
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    base = os.environ["TEST_POSTGRES_URL"]
    name = f"attest_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def app(db_url: str):  # type: ignore[no-untyped-def]
    application = create_app({"DATABASE_URL": db_url, "RATELIMIT_ENABLED": False, "TESTING": True})
    yield application
    db_session.remove()
    application.extensions["engine"].dispose()


@pytest.fixture
def browser(app) -> Browser:  # type: ignore[no-untyped-def]
    return Browser(app)


@pytest.fixture
def login_as(app):  # type: ignore[no-untyped-def]
    def _login(username: str) -> Browser:
        b = Browser(app)
        response = b.login(username)
        assert response.status_code == 200 and "/login" not in response.request.path, username
        return b

    return _login
