"""A real server (``attest serve --demo`` on a temporary SQLite file) and Debian's Chromium.

The browser is Playwright driving /usr/bin/chromium headless with the flags this closed
network needs; the server is the same command a person starts, on a free port.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_setup import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(tmp: Path, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ, ATTEST_VAR_DIR=str(tmp), DATABASE_URL=f"sqlite:///{tmp / 'e2e.db'}",
               LOGIN_RATE_LIMIT="1000 per minute", **(extra_env or {}))
    attest = Path(sys.executable).with_name("attest")
    proc = subprocess.Popen([str(attest), "serve", "--demo", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited:\n" + (proc.stdout.read() if proc.stdout else ""))
        try:
            with urllib.request.urlopen(base + "/login", timeout=2) as response:
                if response.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not answer within 90 s")


class Server:
    """A running server and direct access to its database, for arranging and checking data."""

    def __init__(self, proc: subprocess.Popen, base: str, folder: Path) -> None:
        self.proc, self.base, self.folder = proc, base, folder
        self.url = f"sqlite:///{folder / 'e2e.db'}"
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        self.engine = create_engine(self.url, connect_args={"timeout": 30})
        self.Session = sessionmaker(bind=self.engine, expire_on_commit=False)

    def __str__(self) -> str:
        return self.base

    def __add__(self, path: str) -> str:
        return self.base + path

    def stop(self) -> None:
        self.engine.dispose()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _with_bank(server: Server) -> Server:
    sys.path.insert(0, str(ROOT / "tests" / "integration"))
    from synthetic_bank import ensure_synthetic_bank

    with server.Session() as session:
        ensure_synthetic_bank(session)
        session.commit()
    return server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("e2e")
    proc, base = start_server(folder)
    srv = _with_bank(Server(proc, base, folder))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def short_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose tests last 20 seconds and whose sweeper runs every second."""
    folder = tmp_path_factory.mktemp("e2e-short")
    proc, base = start_server(folder, {"EXAM_DURATION_SECONDS": "20", "EXPIRY_SWEEP_SECONDS": "1"})
    srv = _with_bank(Server(proc, base, folder))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: the test command installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(playwright_session) -> Iterator[object]:  # type: ignore[no-untyped-def]
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(chromium):  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="ru-RU")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()
