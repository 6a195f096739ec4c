"""LMC HR adds workers one by one and from files; bad data is explained and nothing is lost."""

from __future__ import annotations

import io

from helpers import worker_by_surname
from openpyxl import Workbook
from sqlalchemy import func, select

from attestation import audit
from attestation.models import Worker
from attestation.web import db_session

GOOD = {
    "iin": "880517400425",
    "surname": "Нұрова",
    "name": "Әсел",
    "position": "cc_specialist",
    "appointed_on": "2019-02-01",
    "service_months": "70",
    "training_hours_required": "72",
    "training_hours_completed": "72",
}


def _count(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db_session.scalar(select(func.count()).select_from(Worker))


def test_bad_iin_is_explained_in_the_users_language_and_the_form_keeps_values(app, login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    before = _count(app)
    data = dict(GOOD, iin="880517400426")
    response = b.post("/hr/workers/new?lang=ru", data, token_from="/hr/workers/new")
    assert response.status_code == 422
    assert "контрольная цифра не совпадает" in response.text
    assert 'value="Нұрова"' in response.text  # what was right is kept
    response = b.post("/hr/workers/new?lang=kk", dict(GOOD, iin="12345"), token_from="/hr/workers/new")
    assert "12 цифрдан" in response.text
    assert _count(app) == before


def test_worker_is_created_with_birth_date_and_sex_from_iin_and_audited(app, login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    response = b.post("/hr/workers/new", GOOD, token_from="/hr/workers/new")
    assert response.status_code == 302
    worker = worker_by_surname(app, "Нұрова")
    assert worker.birth_date.isoformat() == "1988-05-17" and worker.sex == "female"
    assert worker.current_category == "none"  # §5: a specialist holds "no category" until attested
    with app.app_context():
        entry = db_session.scalar(
            select(audit.AuditEntry).where(
                audit.AuditEntry.action == "worker_created", audit.AuditEntry.object_id == str(worker.id)
            )
        )
        assert entry is not None and entry.actor_label == "hr"


def test_duplicate_iin_is_refused(app, login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    existing = worker_by_surname(app, "Ахметов")
    response = b.post("/hr/workers/new?lang=en", dict(GOOD, iin=existing.iin), token_from="/hr/workers/new")
    assert response.status_code == 422 and "already registered" in response.text


def test_edit_records_before_and_after(app, login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    worker = worker_by_surname(app, "Ахметов")
    form = {
        "iin": worker.iin,
        "surname": worker.surname,
        "name": worker.name,
        "position": "unit_head",
        "appointed_on": worker.appointed_on.isoformat(),
        "service_months": str(worker.service_months),
        "training_hours_required": "72",
        "training_hours_completed": "72",
    }
    assert b.post(f"/hr/workers/{worker.id}", form, token_from="/hr/workers").status_code == 302
    with app.app_context():
        entry = db_session.scalar(
            select(audit.AuditEntry)
            .where(audit.AuditEntry.action == "worker_updated")
            .order_by(audit.AuditEntry.id.desc())
        )
        assert entry.before["position"] == "lmc_specialist" and entry.after["position"] == "unit_head"


def test_leave_added_and_removed(app, login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    worker = worker_by_surname(app, "Ахметов")
    page = b.get(f"/hr/workers/{worker.id}")
    response = b.post(
        f"/hr/workers/{worker.id}/leaves",
        {"kind": "study", "start": "2026-01-10", "end": "2026-01-20"},
        token_from=f"/hr/workers/{worker.id}",
    )
    assert response.status_code == 302 and page.status_code == 200
    page = b.get(f"/hr/workers/{worker.id}?lang=en")
    assert "Study leave" in page.text and "10.01.2026" in page.text


def _csv(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_csv_with_bad_rows_imports_nothing_and_names_every_bad_row(app, login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    before = _count(app)
    content = _csv(
        [
            "iin;surname;name;position;appointed_on;service_months",
            "900101300017;Good;One;lmc_specialist;01.02.2020;40",
            "900101300018;Bad;Iin;lmc_specialist;01.02.2020;40",
            "790309300558;Bad;Position;janitor;2020-02-01;x",
            "011231600078;;NoSurname;cc_assistant;2021-13-01;5",
            "900101300017;Repeat;Iin;lmc_specialist;01.02.2020;1",
        ]
    )
    response = b.post(
        "/hr/workers/import?lang=en",
        {"file": (io.BytesIO(content), "workers.csv")},
        token_from="/hr/workers/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    text = response.text
    assert "Nothing was imported: 4 rows have errors" in text
    for expected in (
        "check digit",
        "Unknown value: «janitor»",
        "Not a number: «x»",
        "This field is required",
        "Not a date: «2021-13-01»",
        "repeated in the file (first in row 2)",
    ):
        assert expected in text, expected
    assert _count(app) == before


def test_xlsx_import_with_good_rows(app, login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    before = _count(app)
    book = Workbook()
    sheet = book.active
    sheet.append(["ИИН", "Фамилия", "Имя", "Должность", "Дата назначения", "Карьерный центр"])
    sheet.append(
        [900101300017, "Жанов", "Ерік", "cc_assistant", "15.03.2021", "Карьерный центр города Темиртау"]
    )
    sheet.append(["790309300558", "Ломов", "Игорь", "lmc_specialist", "2018-06-01", None])
    buffer = io.BytesIO()
    book.save(buffer)
    response = b.post(
        "/hr/workers/import",
        {"file": (io.BytesIO(buffer.getvalue()), "w.xlsx")},
        token_from="/hr/workers/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert _count(app) == before + 2
    assert worker_by_surname(app, "Жанов").career_centre_id is not None


def test_unreadable_file_is_refused_clearly(login_as):  # type: ignore[no-untyped-def]
    b = login_as("hr")
    response = b.post(
        "/hr/workers/import?lang=ru",
        {"file": (io.BytesIO(b"not a workbook"), "w.xlsx")},
        token_from="/hr/workers/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "Файл не удалось прочитать" in response.text
    response = b.post(
        "/hr/workers/import?lang=en",
        {"file": (io.BytesIO(b"a,b"), "w.txt")},
        token_from="/hr/workers/import",
        content_type="multipart/form-data",
    )
    assert "Only .xlsx and .csv" in response.text
