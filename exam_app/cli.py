"""The ``attest`` console script: a Flask CLI with the platform's own commands.

``attest serve --demo`` migrates, loads the demo data once and serves on 127.0.0.1:5000;
``attest db upgrade`` migrates; later packages add their groups (``attest bank ...``).
"""

from __future__ import annotations

import gc
import os

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from exam_app import create_app
from exam_app.database import upgrade


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_default_commands=True)
def main() -> None:
    """Attestation platform for LMC and career-centre workers."""


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Build or migrate the schema to the newest revision."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("schema is up to date")


@main.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo data (once) and print the demo logins."""
    from exam_app.demo import DEMO_PASSWORD, load_demo

    upgrade(current_app.config["DATABASE_URL"])
    logins = load_demo(sources=current_app.config["SOURCES_FOLDER"])
    _print_logins(logins, DEMO_PASSWORD)


def _print_logins(logins: list[tuple[str, str]], password: str) -> None:
    click.echo(f"Demo logins (password for all: {password})")
    for role, username in logins:
        click.echo(f"  {role:<18} {username}")


@main.command("serve")
@click.option("--demo", is_flag=True, help="Load the demo data first (once).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--workers",
    default=0,
    type=int,
    help="gunicorn processes (default: one per core)",
)
@click.option("--threads", default=0, type=int, help="threads per process (default: 8)")
@with_appcontext
def serve(demo: bool, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the platform with gunicorn: one threaded process per core.

    Measured on 2 cores with PostgreSQL at a start peak of 1,000: 2 processes × 8 threads held saves at a p99
    of 0.7 s where 5 × 4 (the usual 2×cores+1) took 1.2 s and 60% more CPU (docs/benchmarks.md).
    """
    url = current_app.config["DATABASE_URL"]
    upgrade(url)
    if demo:
        from exam_app.demo import DEMO_PASSWORD, load_demo

        _print_logins(load_demo(sources=current_app.config["SOURCES_FOLDER"]), DEMO_PASSWORD)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    processes = workers or cores
    click.echo(f"Serving on http://{host}:{port}  ({processes} process(es), {url.split(':')[0]})")
    _run_gunicorn(f"{host}:{port}", processes, threads=threads or 8)


def _run_gunicorn(bind: str, processes: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", bind)
            self.cfg.set("workers", processes)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("timeout", 60)
            self.cfg.set("accesslog", None)

        def load(self):  # type: ignore[no-untyped-def]
            from exam_app.exam.sweeper import start_sweeper

            app = create_app()
            start_sweeper(app)
            _tune_collector()
            return app

    _App().run()


def _tune_collector() -> None:
    """Keep the garbage collector's full collections, which pause all of a process's threads, short and rare.

    Measured at a start peak of 1,000 (docs/benchmarks.md): full collections of 0.1-0.2 s every few
    seconds per process, above the save latency allowed. What the process built at start-up (the
    application, its modules and mappings) lives as long as it does: frozen, it is no longer walked.
    And the youngest generation is collected after 50,000 new objects instead of 700, so that the
    objects of requests still in flight are not promoted to the older generations, whose growth is
    what triggers a full collection.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 10)


@main.group("exam")
def exam_group() -> None:
    """Exam delivery: forms ahead of the start peak, closing expired attempts."""


@exam_group.command("prepare-forms")
@click.argument("campaign_id", type=int)
@with_appcontext
def prepare_forms_command(campaign_id: int) -> None:
    """Assemble the forms of every listed worker of a campaign ahead of the sitting."""
    from attestation.web import db_session
    from exam_app.exam.services import prepare_forms

    made = prepare_forms(db_session, campaign_id)
    db_session.commit()
    click.echo(f"{made} form(s) assembled")


@exam_group.command("expire-due")
@with_appcontext
def expire_due_command() -> None:
    """Close attempts whose deadline has passed (the server also does this every few seconds)."""
    from attestation.db import utcnow
    from attestation.web import db_session
    from exam_app.exam.services import expire_due

    click.echo(f"{expire_due(db_session, utcnow())} attempt(s) closed")


def _mount_bank() -> None:
    from question_bank.cli import bank

    main.add_command(bank)


_mount_bank()
