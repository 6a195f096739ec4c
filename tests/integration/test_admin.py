"""The system administrator manages users, organisations and the working-day calendar."""

from __future__ import annotations

from datetime import date

from helpers import worker_by_surname
from sqlalchemy import select

from attestation import calendar
from attestation.models import CareerCentre, Lmc
from attestation.web import db_session


def test_admin_creates_a_candidate_account_for_a_worker(app, login_as):  # type: ignore[no-untyped-def]
    admin = login_as("admin")
    hr = login_as("hr")
    hr.post("/hr/workers/new", {"iin": "790309300558", "surname": "Новиков", "name": "Илья",
                                "position": "lmc_specialist", "appointed_on": "2015-01-10"}, token_from="/hr/workers/new")
    short = admin.post("/admin/users/new?lang=en", {"worker_iin": "790309300558", "password": "short"},
                       token_from="/admin/users", follow_redirects=True)
    assert "at least 10 characters" in short.text
    response = admin.post("/admin/users/new", {"worker_iin": "790309300558", "password": "a-long-password-1"},
                          token_from="/admin/users")
    assert response.status_code == 302
    from helpers import Browser

    b = Browser(app)
    b.login("790309300558", "a-long-password-1")
    page = b.get("/cabinet/")
    assert page.status_code == 200 and "Новиков Илья" in page.text
    assert worker_by_surname(app, "Новиков").id


def test_admin_adds_an_lmc_and_a_career_centre(app, login_as):  # type: ignore[no-untyped-def]
    admin = login_as("admin")
    with app.app_context():
        from attestation.models import Region

        region_id = db_session.scalar(select(Region.id).where(Region.code == "shymkent"))
    admin.post("/admin/organisations", {"kind": "lmc", "region_id": str(region_id), "name_kk": "Шымкент ЕМО",
                                        "name_ru": "ЦТМ Шымкент"})
    with app.app_context():
        lmc = db_session.scalar(select(Lmc).where(Lmc.name_ru == "ЦТМ Шымкент"))
        assert lmc is not None and lmc.region_id == region_id
        lmc_id = lmc.id
    admin.post("/admin/organisations", {"kind": "career_centre", "lmc_id": str(lmc_id), "name_kk": "Абай ауданы",
                                        "name_ru": "Абайский район"})
    with app.app_context():
        assert db_session.scalar(select(CareerCentre).where(CareerCentre.lmc_id == lmc_id)).name_ru == "Абайский район"
    assert login_as("hr").post("/admin/organisations", {"kind": "lmc"}, token_from="/hr/workers").status_code == 403


def test_calendar_override_changes_working_day_arithmetic(login_as):  # type: ignore[no-untyped-def]
    admin = login_as("admin")
    saturday = date(2027, 1, 9)
    monday = date(2027, 1, 11)
    try:
        assert calendar.add_working_days(date(2027, 1, 8), 1) == monday
        admin.post("/admin/calendar", {"day": saturday.isoformat(), "kind": "working_day", "note": "decree"})
        assert calendar.add_working_days(date(2027, 1, 8), 1) == saturday
        admin.post("/admin/calendar", {"day": monday.isoformat(), "kind": "day_off", "note": "transferred"})
        assert calendar.add_working_days(date(2027, 1, 9), 1) == date(2027, 1, 12)
    finally:
        calendar.set_overrides(days_off=[], working_days=[])
