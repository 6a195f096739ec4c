"""The audit log's hash chain and the login rate limit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from attestation import audit
from attestation.web import db_session
from exam_app import create_app


def test_audit_chain_is_intact_and_shows_tampering(app, login_as):  # type: ignore[no-untyped-def]
    login_as("admin")
    with app.app_context():
        assert audit.verify_chain(db_session) is None
        victim = db_session.scalar(
            select(audit.AuditEntry.id)
            .where(audit.AuditEntry.action == "login")
            .order_by(audit.AuditEntry.id)
            .limit(1)
        )
        db_session.execute(
            update(audit.AuditEntry).where(audit.AuditEntry.id == victim).values(actor_label="someone-else")
        )
        db_session.commit()
        assert audit.verify_chain(db_session) == victim


def test_audit_page_reports_the_chain(login_as):  # type: ignore[no-untyped-def]
    b = login_as("admin")
    page = b.get("/admin/audit?verify=1&lang=en")
    assert "The chain is intact." in page.text
    assert "role_granted" in page.text and "login" in page.text


def _limited_app(db_url, **config):  # type: ignore[no-untyped-def]
    return create_app(
        {"DATABASE_URL": db_url, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", **config}
    )


def _post_login(client, username: str, password: str):  # type: ignore[no-untyped-def]
    page = client.get("/login?lang=en")
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def _close(app) -> None:  # type: ignore[no-untyped-def]
    db_session.remove()
    app.extensions["engine"].dispose()


def test_failed_logins_from_one_address_are_rate_limited(db_url):  # type: ignore[no-untyped-def]
    app = _limited_app(db_url, LOGIN_RATE_LIMIT="5 per minute", LOGIN_ACCOUNT_FAILURES=0)
    client = app.test_client()
    statuses = [_post_login(client, "hr", "wrong-password-1").status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429, 429]
    _close(app)


def test_a_hall_behind_one_address_logs_in_freely(db_url):  # type: ignore[no-untyped-def]
    """Successful logins do not count against the address's limit."""
    app = _limited_app(db_url, LOGIN_RATE_LIMIT="3 per minute")
    for _ in range(6):
        client = app.test_client()
        assert _post_login(client, "hr", "demo-pass-2026").status_code == 302
    _close(app)


def test_an_account_is_locked_after_repeated_failures_across_processes(db_url):  # type: ignore[no-untyped-def]
    """The per-account count lives in the database: a second server process sees the first's failures."""
    config = {"LOGIN_RATE_LIMIT": "1000 per minute", "LOGIN_ACCOUNT_FAILURES": 4}
    first, second = _limited_app(db_url, **config), _limited_app(db_url, **config)
    for app in (first, second, first, second):
        assert _post_login(app.test_client(), "hr", "wrong-password-1").status_code == 200
    refused = _post_login(second.test_client(), "hr", "demo-pass-2026")  # even the right password
    assert refused.status_code == 429
    assert "Too many failed attempts for this login. Try again in 15 minutes" in refused.text
    assert _post_login(first.test_client(), "pdo", "demo-pass-2026").status_code == 302  # others are not
    with first.app_context():
        # the window slides: failures older than it no longer count
        db_session.execute(
            update(audit.AuditEntry)
            .where(audit.AuditEntry.action == "login_failed")
            .values(at=audit.AuditEntry.at - timedelta(minutes=16))
        )
        db_session.commit()
    assert _post_login(first.test_client(), "hr", "demo-pass-2026").status_code == 302
    _close(first)
    _close(second)


def test_role_changes_are_audited(app, login_as):  # type: ignore[no-untyped-def]
    from exam_app.accounts.models import User

    b = login_as("admin")
    with app.app_context():
        proctor_id = db_session.scalar(select(User.id).where(User.username == "proctor"))
    response = b.post(f"/admin/users/{proctor_id}/grants", {"role": "ministry_viewer"})
    assert response.status_code == 302
    with app.app_context():
        entry = db_session.scalar(select(audit.AuditEntry).order_by(audit.AuditEntry.id.desc()).limit(1))
        assert entry.action == "role_granted" and entry.object_id == str(proctor_id)
        assert any("ministry_viewer" in x for x in entry.after)
        assert all("ministry_viewer" not in x for x in entry.before)
    assert login_as("proctor").get("/ministry").status_code == 200


def _write_audit_entries(url: str, label: str, count: int) -> None:
    from sqlalchemy.orm import Session

    from exam_app.database import make_engine

    engine = make_engine(url)
    for n in range(count):
        with Session(engine) as session:
            audit.record(session, "chain_probe", actor_label=label, object_id=n)
            session.commit()
    engine.dispose()


def test_server_processes_writing_at_once_keep_one_chain(db_url):  # type: ignore[no-untyped-def]
    """Several server processes append at once (gunicorn workers): no two entries may chain to one predecessor."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_audit_entries, args=(db_url, f"p{k}", 60)) for k in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    from sqlalchemy.orm import Session

    from exam_app.database import make_engine

    engine = make_engine(db_url)
    with Session(engine) as session:
        probes = session.scalar(
            select(func.count(audit.AuditEntry.id)).where(audit.AuditEntry.action == "chain_probe")
        )
        assert probes == 240
        assert audit.verify_chain(session) is None
    engine.dispose()


def test_entries_are_chained_at_commit_and_go_with_a_rollback(db_url):  # type: ignore[no-untyped-def]
    """The chain's lock is taken at commit only; a rolled-back act leaves no entry, now or later."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from exam_app.database import make_engine

    engine = make_engine(db_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_: statements.append(sql))
    with Session(engine) as session:
        audit.record(session, "probe_rolled_back", object_id=1)
        session.rollback()
        audit.record(session, "probe_kept", object_id=2)
        audit.record(session, "probe_kept", object_id=3)
        assert not any("audit_entry" in sql for sql in statements)  # nothing until commit
        session.commit()
        kept = session.scalars(
            select(audit.AuditEntry).where(audit.AuditEntry.action.like("probe_%")).order_by(audit.AuditEntry.id)
        ).all()
        assert [(e.action, e.object_id) for e in kept] == [("probe_kept", "2"), ("probe_kept", "3")]
        assert kept[1].prev_hash == kept[0].hash and audit.verify_chain(session) is None
        session.commit()  # a later commit writes nothing more
        assert session.scalar(select(func.count()).where(audit.AuditEntry.action.like("probe_%"))) == 2
    engine.dispose()
