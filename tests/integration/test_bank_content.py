"""The bank's content imports cleanly with every citation proved by its source, through the CLI.

Runs the real commands on a fresh migrated database against ../shared/sources; a missing
sources folder fails with a message instead of passing silently.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = Path(os.environ.get("SOURCES_FOLDER", ROOT.parent / "shared" / "sources"))
ATTEST = str(Path(sys.executable).with_name("attest"))


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ATTEST, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if not SOURCES.is_dir() or not any(SOURCES.glob("*.txt")):
        pytest.fail(f"the sources folder {SOURCES} is missing or empty: the bank's citations cannot be checked")
    folder = tmp_path_factory.mktemp("bank-content")
    env = dict(os.environ, ATTEST_VAR_DIR=str(folder), DATABASE_URL=f"sqlite:///{folder / 'bank.db'}")
    assert _run(env, "db", "upgrade").returncode == 0
    return env


def test_content_imports_with_every_citation_found(cli_env: dict[str, str]) -> None:
    dry = _run(cli_env, "bank", "import", "question_bank/content", "--sources", str(SOURCES), "--activate",
               "--dry-run")
    summary = json.loads(dry.stdout)
    assert dry.returncode == 0 and summary["errors"] == [], summary["errors"][:5]
    real = _run(cli_env, "bank", "import", "question_bank/content", "--sources", str(SOURCES), "--activate")
    summary = json.loads(real.stdout)
    assert real.returncode == 0 and summary["errors"] == []
    assert summary["imported"] >= 400
    again = json.loads(_run(cli_env, "bank", "import", "question_bank/content", "--activate").stdout)
    assert again["imported"] == 0 and again["skipped"] == summary["imported"]  # idempotent


def test_stats_show_200_active_bilingual_items_per_section(cli_env: dict[str, str]) -> None:
    stats = json.loads(_run(cli_env, "bank", "stats", "--json").stdout)
    for section in ("legal", "functional"):
        assert stats["active"][section] >= 200, stats["active"]
        for lang in ("kk", "ru"):
            assert stats["by_language"][lang][section] == stats["active"][section]


def test_every_default_specification_is_served(cli_env: dict[str, str]) -> None:
    result = _run(cli_env, "bank", "check-specs")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_missing_sources_folder_is_reported(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = _run(cli_env, "bank", "load-sources", str(tmp_path / "nowhere"))
    assert result.returncode != 0
    assert "nowhere" in (result.stdout + result.stderr)
