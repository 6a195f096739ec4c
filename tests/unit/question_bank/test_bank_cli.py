from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import StaticPool

from attestation.db import Base
from attestation.web import db_session
from question_bank.cli import bank
from question_bank.models import Item


@pytest.fixture
def app() -> Iterator[Flask]:
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    db_session.remove()
    db_session.configure(bind=engine)
    app = Flask("bank_cli_test")
    app.cli.add_command(bank)

    @app.teardown_appcontext
    def _remove(_exc: BaseException | None) -> None:
        db_session.remove()

    yield app
    db_session.remove()
    db_session.configure(bind=None)
    engine.dispose()


def run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["bank", *args])


def test_import_prints_the_summary_and_commits(app: Flask, fixtures: Path) -> None:
    result = run(app, "import", str(fixtures / "good"), "--sources", str(fixtures / "sources"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"imported": 4, "skipped": 0, "errors": []}
    with app.app_context():
        assert db_session.scalar(select(func.count()).select_from(Item)) == 4
    result = run(app, "import", str(fixtures / "good"), "--dry-run")
    assert json.loads(result.output) == {"imported": 0, "skipped": 4, "errors": []}


def test_import_with_errors_exits_1_and_writes_nothing(app: Flask, fixtures: Path) -> None:
    assert run(app, "load-sources", str(fixtures / "sources")).exit_code == 0
    result = run(app, "import", str(fixtures / "broken"))
    assert result.exit_code == 1
    summary = json.loads(result.output)
    assert summary["imported"] == 0 and summary["skipped"] == 0
    assert {e["item"] for e in summary["errors"]} == {f"LEG-BRK-000{i}" for i in range(2, 7)}
    assert all(set(e) >= {"item", "line", "message"} for e in summary["errors"])
    with app.app_context():
        assert db_session.scalar(select(func.count()).select_from(Item)) == 0


def test_import_moodle_with_options(app: Flask, fixtures: Path) -> None:
    path = str(fixtures / "moodle" / "good.xml")
    result = run(app, "import", path, "--format", "moodle", "--lang", "en", "--section", "legal")
    assert result.exit_code == 0 and json.loads(result.output)["imported"] == 3


def test_stats_json_shape(app: Flask, fixtures: Path) -> None:
    result = run(app, "import", str(fixtures / "good"), "--sources", str(fixtures / "sources"), "--activate")
    assert result.exit_code == 0, result.output
    result = run(app, "stats", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "active": {"legal": 3, "functional": 1},
        "by_language": {
            "kk": {"legal": 3, "functional": 1},
            "ru": {"legal": 3, "functional": 1},
        },
        "by_topic": {"att_rules_testing": 3, "fun_appeal_commission": 1},
    }
    assert "active: legal 3, functional 1" in run(app, "stats").output


def test_check_specs_lists_short_cells_and_exits_1(app: Flask, fixtures: Path) -> None:
    run(app, "import", str(fixtures / "good"), "--sources", str(fixtures / "sources"), "--activate")
    result = run(app, "check-specs")
    assert result.exit_code == 1
    assert "initial.managers: SHORT" in result.output
    assert "legal × * for director: 3 active, needs 100" in result.output
    assert "functional × * for director: 0 active, needs 100" in result.output
    result = run(app, "check-specs", "--json")
    data = json.loads(result.output)
    assert result.exit_code == 1 and all(not r["ok"] for r in data)
    cc = next(r for r in data if r["spec"] == "category.cc_specialists")
    assert {(c["section"], c["available"]) for c in cc["short"]} == {("legal", 2), ("functional", 1)}


def test_load_sources_missing_folder_exits_1(app: Flask, tmp_path: Path) -> None:
    result = run(app, "load-sources", str(tmp_path / "missing"))
    assert result.exit_code == 1 and "does not exist" in result.output


def test_export_writes_files(app: Flask, fixtures: Path, tmp_path: Path) -> None:
    run(app, "import", str(fixtures / "good"), "--sources", str(fixtures / "sources"))
    result = run(app, "export", str(tmp_path / "out"))
    assert result.exit_code == 0 and "2 file(s)" in result.output
    assert (tmp_path / "out" / "legal" / "att_rules_testing.yaml").is_file()
