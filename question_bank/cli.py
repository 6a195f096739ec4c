"""``attest bank ...``: import, export, statistics, sources and specification checks.

The group is a Flask ``AppGroup`` so that the application mounting it (``app.cli.add_command``)
provides the app context in which ``attestation.web.db_session`` is bound. Each command is
one transaction: committed on success, rolled back on any refusal. Commands that check
something exit 1 when the check fails, so CI can gate on them.
"""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from attestation.db import DomainError
from question_bank import LANGUAGES, SECTIONS
from question_bank.blueprints import check_blueprint, default_specs, stored_specs
from question_bank.citations import load_sources
from question_bank.importer import FORMATS, export_bank, import_path
from question_bank.services import active_pool, bank_stats
from question_bank.workflow import Actor

bank = AppGroup("bank", help="The question bank: import, export, statistics, sources, specifications.")


def _session():  # type: ignore[no-untyped-def]
    from attestation.web import db_session

    return db_session()


def _dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


@bank.command("import")
@click.argument("path", type=click.Path())
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True)
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of a Moodle / GIFT file.")
@click.option("--section", type=click.Choice(SECTIONS), help="Section for Moodle / GIFT items.")
@click.option("--topic", help="Topic code for Moodle / GIFT items outside any category.")
@click.option(
    "--activate", is_flag=True, help="Activate reviewed YAML items (review history by a non-author)."
)
@click.option("--sources", type=click.Path(), help="Load source texts from this folder first.")
@click.option("--actor", default="cli", show_default=True, help="Name recorded in the audit log.")
def import_command(
    path: str,
    dry_run: bool,
    fmt: str,
    lang: str | None,
    section: str | None,
    topic: str | None,
    activate: bool,
    sources: str | None,
    actor: str,
) -> None:
    """Import PATH (a file or a folder); prints {"imported", "skipped", "errors"}; exit 1 on errors."""
    session = _session()
    try:
        if sources:
            load_sources(session, sources, actor_label=actor)
        report = import_path(
            session,
            path,
            dry_run=dry_run,
            actor=Actor(None, actor),
            fmt=fmt,
            lang=lang,
            section=section,
            topic=topic,
            activate=activate,
        )
    except DomainError as exc:
        session.rollback()
        click.echo(
            _dump(
                {
                    "imported": 0,
                    "skipped": 0,
                    "errors": [{"item": None, "line": None, "message": exc.message}],
                }
            )
        )
        sys.exit(1)
    except Exception:
        session.rollback()
        raise
    if report.ok and not dry_run:
        session.commit()
    else:
        session.rollback()
    click.echo(_dump(report.summary()))
    if not report.ok:
        sys.exit(1)


@bank.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--active-only", is_flag=True, help="Only the versions forms are drawn from.")
def export_command(folder: str, active_only: bool) -> None:
    """Write the bank as YAML, one file per topic, under FOLDER/<section>/<topic>.yaml."""
    written = export_bank(_session(), folder, active_only=active_only)
    click.echo(f"{len(written)} file(s) written to {folder}")


@bank.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats_command(as_json: bool) -> None:
    """Active items per section, language and topic (JSON shape: see services.bank_stats)."""
    stats = bank_stats(_session())
    if as_json:
        click.echo(_dump(stats))
        return
    click.echo("active: " + ", ".join(f"{s} {n}" for s, n in stats["active"].items()))
    for lang, counts in stats["by_language"].items():
        click.echo(f"{lang}: " + ", ".join(f"{s} {n}" for s, n in counts.items()))
    for topic, count in stats["by_topic"].items():
        click.echo(f"  {topic}: {count}")


@bank.command("load-sources")
@click.argument("folder", type=click.Path())
@click.option("--actor", default="cli", show_default=True)
def load_sources_command(folder: str, actor: str) -> None:
    """Load (or refresh) source texts from FOLDER/*.txt; the code is the file name up to the first dot."""
    session = _session()
    try:
        codes = load_sources(session, folder, actor_label=actor)
    except DomainError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from None
    session.commit()
    for code in codes:
        click.echo(code)


@bank.command("check-specs")
@click.option("--json", "as_json", is_flag=True)
def check_specs_command(as_json: bool) -> None:
    """Check every default and stored specification against the active bank; exit 1 if any is short."""
    session = _session()
    pool = active_pool(session)
    specs = {s.code: s for s in default_specs()}
    specs.update({s.code: s for s in stored_specs(session)})
    results = []
    for code in sorted(specs):
        try:
            check_blueprint(specs[code], pool)
            results.append({"spec": code, "ok": True, "short": []})
        except DomainError as exc:
            results.append(
                {"spec": code, "ok": False, "short": exc.params.get("cells", []), "message": exc.message}
            )
    if as_json:
        click.echo(_dump(results))
    else:
        for r in results:
            click.echo(f"{r['spec']}: OK" if r["ok"] else f"{r['spec']}: SHORT")
            for cell in r["short"]:
                click.echo(
                    f"  {cell['section']} × {cell['topic']} for {cell['position']}: "
                    f"{cell['available']} active, needs {2 * cell['needed']}"
                )
    if not all(r["ok"] for r in results):
        sys.exit(1)
