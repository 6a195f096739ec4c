"""Campaigns, announcements, lists of attestees (Annex 1) and their exports; the cabinet."""

from __future__ import annotations

import io
from datetime import date, timedelta

from helpers import user_login_of, worker_by_surname
from openpyxl import load_workbook
from sqlalchemy import select

from attestation.models import AttesteeEntry
from attestation.web import db_session


def test_pdo_creates_opens_and_announces_a_campaign(login_as, browser):  # type: ignore[no-untyped-def]
    b = login_as("pdo")
    start = date.today() + timedelta(days=30)
    response = b.post(
        "/pdo/campaigns/new",
        {
            "title_kk": "Көктемгі аттестаттау",
            "title_ru": "Весенняя аттестация",
            "testing_from": start.isoformat(),
            "testing_to": (start + timedelta(days=10)).isoformat(),
        },
        token_from="/pdo/campaigns/new",
    )
    assert response.status_code == 302
    detail = response.headers["Location"]
    assert b.post(detail + "/status", {"status": "open"}, token_from=detail).status_code == 302
    assert b.post(detail + "/status", {"status": "draft"}, token_from=detail).status_code == 302  # refused
    assert "Открыта" in b.get(detail + "?lang=ru").text
    b.post(
        detail + "/announce",
        {"text_kk": "Тестілеу күндері жарияланды", "text_ru": "Объявлены даты"},
        token_from=detail,
    )
    public = browser.get("/announcements?lang=ru").text
    assert "Весенняя аттестация" in public and "Объявлены даты" in public
    assert start.strftime("%d.%m.%Y") in public


def test_campaign_with_reversed_window_is_refused(login_as):  # type: ignore[no-untyped-def]
    b = login_as("pdo")
    response = b.post(
        "/pdo/campaigns/new?lang=en",
        {"title_kk": "a", "title_ru": "b", "testing_from": "2027-02-10", "testing_to": "2027-02-01"},
        token_from="/pdo/campaigns/new",
    )
    assert response.status_code == 200 and "ends before it starts" in response.text


def test_list_proposes_procedures_and_refuses_the_ineligible_with_reasons(app, login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    page = b.get("/hr/campaigns/1/list?lang=en").text
    assert "Initial attestation" in page and "Re-attestation" in page
    assert "Pregnancy" in page and "Less than six months in the position" in page
    pregnant = worker_by_surname(app, "Тұрсынова")
    response = b.post(
        "/hr/campaigns/1/list/add?lang=en",
        {"worker_id": str(pregnant.id)},
        token_from="/hr/workers",
        follow_redirects=True,
    )
    assert "cannot be listed" in response.text and "Pregnancy" in response.text
    with app.app_context():
        assert db_session.scalar(select(AttesteeEntry).where(AttesteeEntry.worker_id == pregnant.id)) is None


def test_category_application_must_be_the_next_category(app, login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    worker = worker_by_surname(app, "Волкова")  # career consultant, profile courses done, listed by the demo
    with app.app_context():
        entry = db_session.scalar(select(AttesteeEntry).where(AttesteeEntry.worker_id == worker.id))
        entry_id = entry.id
    b.post(
        f"/hr/campaigns/1/list/{entry_id}/remove",
        {"reason": "re-listing for a category"},
        token_from="/hr/workers",
    )
    response = b.post(
        "/hr/campaigns/1/list/add?lang=en",
        {"worker_id": str(worker.id), "applied_category": "mentor"},
        token_from="/hr/workers",
        follow_redirects=True,
    )
    assert "comes «Case manager», not «Mentor»" in response.text
    response = b.post(
        "/hr/campaigns/1/list/add?lang=en",
        {"worker_id": str(worker.id), "applied_category": "case_manager"},
        token_from="/hr/workers",
        follow_redirects=True,
    )
    assert "was added to the list" in response.text
    with app.app_context():
        entry = db_session.get(AttesteeEntry, entry_id)
        assert (entry.status, entry.procedure, entry.applied_category) == (
            "listed",
            "category",
            "case_manager",
        )


def test_removal_needs_a_reason(app, login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    worker = worker_by_surname(app, "Ахметов")
    with app.app_context():
        entry_id = db_session.scalar(select(AttesteeEntry.id).where(AttesteeEntry.worker_id == worker.id))
    b.post(f"/hr/campaigns/1/list/{entry_id}/remove", {"reason": ""}, token_from="/hr/workers")
    with app.app_context():
        assert db_session.get(AttesteeEntry, entry_id).status == "listed"
    b.post(
        f"/hr/campaigns/1/list/{entry_id}/remove",
        {"reason": "business trip abroad"},
        token_from="/hr/workers",
    )
    with app.app_context():
        entry = db_session.get(AttesteeEntry, entry_id)
        assert entry.status == "removed" and entry.removal_reason == "business trip abroad"


def test_annex1_xlsx_in_kazakh_and_russian(login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    for lang, header, procedure in (
        ("kk", "Аттестаттау рәсімі", "сәйкестігін растау"),
        ("ru", "Процедура аттестации", "соответствия"),
    ):
        response = b.get(f"/hr/campaigns/1/list.xlsx?doc_lang={lang}")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.data)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[3][0] == "№" and rows[3][2] == header and len(rows[3]) == 7
        body = rows[4:]
        assert len(body) >= 10 and body[0][0] == "1"
        assert any(procedure in (r[2] or "").lower() for r in body), lang
        assert all(r[1] for r in body)


def test_annex1_pdf(login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    for lang in ("kk", "ru"):
        response = b.get(f"/hr/campaigns/1/list.pdf?doc_lang={lang}")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        assert response.headers["Content-Type"] == "application/pdf"
    assert b.get("/hr/campaigns/1/list.pdf?doc_lang=de").status_code == 400


def test_cabinet_shows_status_deadline_and_admission(app, login_as):  # type: ignore[no-untyped-def]
    admitted = worker_by_surname(app, "Ахметов")
    page = login_as(user_login_of(app, admitted.id)).get("/cabinet/?lang=en").text
    assert "Admitted: the testing window is open" in page
    assert "Confirmation of compliance" in page and "no later than" in page
    blocked = worker_by_surname(app, "Жұмабеков")  # 36 of 72 training hours
    page = login_as(user_login_of(app, blocked.id)).get("/cabinet/?lang=ru").text
    assert "36 из 72" in page or "36 of 72" in page
    pregnant = worker_by_surname(app, "Тұрсынова")
    page = login_as(user_login_of(app, pregnant.id)).get("/cabinet/?lang=kk").text
    assert "Жүктілік" in page
