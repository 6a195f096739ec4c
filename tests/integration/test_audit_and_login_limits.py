"""The audit log's hash chain and the login rate limit."""

from __future__ import annotations

from sqlalchemy import select, update

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


def test_login_is_rate_limited(db_url):  # type: ignore[no-untyped-def]
    app = create_app(
        {
            "DATABASE_URL": db_url,
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "5 per minute",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    client = app.test_client()
    statuses = []
    for _ in range(7):
        page = client.get("/login")
        token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        statuses.append(
            client.post(
                "/login", data={"username": "hr", "password": "wrong-password-1", "csrf_token": token}
            ).status_code
        )
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429, 429]
    db_session.remove()
    app.extensions["engine"].dispose()


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
