"""Over HTTP, each role is refused what it must not see or change."""

from __future__ import annotations

import pytest
from helpers import lmc_ids, user_login_of, worker_by_surname
from sqlalchemy import select

from attestation import audit
from attestation.web import db_session

STAFF_PAGES = [
    "/hr/workers",
    "/pdo/campaigns",
    "/admin/users",
    "/admin/audit",
    "/region",
    "/ministry",
    "/proctor",
    "/commission",
]


def test_anonymous_is_sent_to_login(browser):  # type: ignore[no-untyped-def]
    for path in STAFF_PAGES + ["/cabinet/"]:
        response = browser.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


@pytest.mark.parametrize(
    "username,allowed",
    [
        ("hr", {"/hr/workers"}),
        ("pdo", {"/pdo/campaigns", "/commission"}),
        ("admin", {"/admin/users", "/admin/audit"}),
        ("officer", {"/region"}),
        ("ministry", {"/ministry"}),
        ("proctor", {"/proctor"}),
        ("commission", {"/commission"}),
    ],
)
def test_each_staff_role_sees_only_its_pages(login_as, username, allowed):  # type: ignore[no-untyped-def]
    b = login_as(username)
    for path in STAFF_PAGES:
        status = b.get(path).status_code
        assert status == (200 if path in allowed else 403), (username, path, status)
    assert b.get("/cabinet/").status_code == 403


def test_candidate_sees_own_cabinet_only(app, login_as):  # type: ignore[no-untyped-def]
    me = worker_by_surname(app, "Ахметов")
    other = worker_by_surname(app, "Петрова")
    b = login_as(user_login_of(app, me.id))
    page = b.get("/cabinet/")
    assert page.status_code == 200
    assert "Ахметов Нұрлан" in page.text and "Петрова" not in page.text
    for path in STAFF_PAGES + [f"/hr/workers/{other.id}", f"/hr/workers/{me.id}"]:
        assert b.get(path).status_code == 403, path


def test_hr_cannot_reach_another_lmc(app, login_as):  # type: ignore[no-untyped-def]
    lmcs = lmc_ids(app)
    karaganda_worker = worker_by_surname(app, "Ахметов")
    pav = login_as("hr-pavlodar")
    # create a worker in Pavlodar through the real form
    response = pav.post(
        "/hr/workers/new",
        {
            "iin": "900101300017",
            "surname": "Павлов",
            "name": "Олег",
            "position": "lmc_specialist",
            "appointed_on": "2020-01-15",
        },
        token_from="/hr/workers/new",
    )
    assert response.status_code == 302
    pavlodar_worker = worker_by_surname(app, "Павлов")
    hr = login_as("hr")
    assert hr.get(f"/hr/workers/{pavlodar_worker.id}").status_code == 404
    assert hr.get(f"/hr/workers?lmc={lmcs['pavlodar']}").status_code == 403
    assert hr.get(f"/hr/campaigns/1/list?lmc={lmcs['pavlodar']}").status_code == 403
    assert hr.get(f"/hr/campaigns/1/list.xlsx?lmc={lmcs['pavlodar']}&doc_lang=kk").status_code == 403
    # posting another LMC's worker to my list is refused, and nothing is listed
    refused = hr.post(
        "/hr/campaigns/1/list/add", {"worker_id": str(pavlodar_worker.id)}, token_from="/hr/workers"
    )
    assert refused.status_code == 404
    edit = hr.post(f"/hr/workers/{pavlodar_worker.id}", {"surname": "X"}, token_from="/hr/workers")
    assert edit.status_code == 404
    assert pav.get(f"/hr/workers/{karaganda_worker.id}").status_code == 404
    assert "Ахметов" not in pav.get("/hr/workers").text


def test_officer_sees_only_their_region(app, login_as):  # type: ignore[no-untyped-def]
    b = login_as("officer")
    page = b.get("/region")
    assert page.status_code == 200 and "Ахметов Нұрлан" in page.text
    with app.app_context():
        from attestation.models import Region

        other = db_session.scalar(select(Region.id).where(Region.code == "pavlodar"))
    assert b.get(f"/region?region={other}").status_code == 403


def test_post_without_csrf_token_is_refused(login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    response = b.client.post(
        "/hr/workers/new",
        data={
            "iin": "900101300017",
            "surname": "A",
            "name": "B",
            "position": "lmc_specialist",
            "appointed_on": "2020-01-01",
        },
    )
    assert response.status_code == 400
    assert "Павлов" not in b.get("/hr/workers").text


def test_wrong_password_is_refused_and_audited(app, browser):  # type: ignore[no-untyped-def]
    response = browser.login("hr", "wrong-password-123")
    assert "/login" in response.request.path
    with app.app_context():
        actions = db_session.scalars(
            select(audit.AuditEntry.action).order_by(audit.AuditEntry.id.desc()).limit(1)
        ).all()
    assert actions == ["login_failed"]


def test_passwords_are_hashed_with_argon2(app):  # type: ignore[no-untyped-def]
    from exam_app.accounts.models import User

    with app.app_context():
        hashes = db_session.scalars(select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") and "m=19456,t=2,p=1" in h for h in hashes)


def test_session_cookie_is_http_only_and_same_site(browser):  # type: ignore[no-untyped-def]
    response = browser.login("hr")
    cookies = [c for c in browser.client._cookies.values()]  # noqa: SLF001
    assert cookies
    header = "\n".join(response.history[0].headers.getlist("Set-Cookie")) if response.history else ""
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_language_chosen_before_login_is_kept(browser):  # type: ignore[no-untyped-def]
    browser.get("/login?lang=ru")
    page = browser.login("hr")
    assert 'lang="ru"' in page.text and "Выйти" in page.text
