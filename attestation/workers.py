"""Worker records: validation, creation, editing, leaves, and file import (§9 inputs).

Validation returns every problem of a row as (field, code, params), never only the first, and
never raises for bad data: the caller shows them in the user's language. An import with any bad
row imports nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from attestation import audit
from attestation.codes import CATEGORIES, LEAVE_KINDS, POSITIONS
from attestation.db import DomainError
from attestation.iin import InvalidIin, parse_iin
from attestation.models import CareerCentre, Leave, Worker

# Column codes, with the headers a person may have typed in each language.
COLUMNS: dict[str, tuple[str, ...]] = {
    "iin": ("iin", "иин", "жсн"),
    "surname": ("surname", "фамилия", "тегі"),
    "name": ("name", "имя", "аты"),
    "patronymic": ("patronymic", "отчество", "әкесінің аты"),
    "position": ("position", "должность", "лауазымы"),
    "career_centre": ("career_centre", "карьерный центр", "мансап орталығы"),
    "appointed_on": ("appointed_on", "дата назначения", "тағайындалған күні"),
    "first_hire": ("first_hire", "впервые принят", "алғаш рет қабылданған"),
    "service_months": ("service_months", "стаж (мес.)", "өтілі (ай)"),
    "education": ("education", "образование", "білімі"),
    "current_category": ("current_category", "категория", "санаты"),
    "category_expires_on": ("category_expires_on", "срок категории", "санаттың мерзімі"),
    "training_hours_required": ("training_hours_required", "часы по плану", "жоспар бойынша сағат"),
    "training_hours_completed": ("training_hours_completed", "часы пройдено", "өткен сағат"),
}
REQUIRED = ("iin", "surname", "name", "position", "appointed_on")
FLAG_FIELDS = ("first_hire", "pregnant", "category_profile_training_done", "initial_attestation_passed")
TRUE_WORDS = {"1", "true", "yes", "да", "иә", "y", "x"}
FALSE_WORDS = {"", "0", "false", "no", "нет", "жоқ", "n"}


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class RowError:
    row: int
    errors: list[FieldError]


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    return float(str(value).replace(",", ".").strip())


def clean_worker_data(
    raw: dict[str, Any], *, lmc_id: int, session: Session, existing: Worker | None = None
) -> tuple[dict[str, Any], list[FieldError]]:
    """Turn form or file values into worker fields, collecting every problem."""
    errors: list[FieldError] = []
    data: dict[str, Any] = {}

    def text(name: str) -> str:
        value = raw.get(name)
        return "" if value is None else str(value).strip()

    for name in REQUIRED:
        if not text(name):
            errors.append(FieldError(name, "required"))

    iin = text("iin")
    if iin:
        if iin.endswith(".0"):  # spreadsheets turn long numbers into floats
            iin = iin[:-2]
        iin = iin.zfill(12) if iin.isdigit() and len(iin) == 11 else iin
        try:
            info = parse_iin(iin)
        except InvalidIin as exc:
            errors.append(FieldError("iin", "iin_invalid", {"detail": exc.code}))
        else:
            data.update(iin=iin, birth_date=info.birth_date, sex=info.sex)
            clash = session.scalar(select(Worker.id).where(Worker.iin == iin))
            if clash is not None and (existing is None or clash != existing.id):
                errors.append(FieldError("iin", "iin_duplicate"))

    for name in ("surname", "name", "patronymic"):
        value = text(name)
        if len(value) > 100:
            errors.append(FieldError(name, "too_long", {"max": "100"}))
        data[name] = value or None if name == "patronymic" else value

    position = text("position")
    if position and position not in POSITIONS:
        errors.append(FieldError("position", "unknown_code", {"value": position}))
    data["position"] = position

    for name in ("appointed_on", "category_expires_on"):
        try:
            data[name] = _date(raw.get(name))
        except ValueError:
            errors.append(FieldError(name, "bad_date", {"value": text(name)}))
    if data.get("appointed_on") and data["appointed_on"] > date.today():
        errors.append(FieldError("appointed_on", "date_in_future"))

    for name in ("service_months", "training_hours_required", "training_hours_completed"):
        try:
            number = _number(raw.get(name))
        except ValueError:
            errors.append(FieldError(name, "bad_number", {"value": text(name)}))
            continue
        if number is not None and number < 0:
            errors.append(FieldError(name, "negative"))
        data[name] = (int(number) if name == "service_months" else number) if number is not None else 0

    category = text("current_category") or None
    if category and category not in CATEGORIES:
        errors.append(FieldError("current_category", "unknown_code", {"value": category}))
    if category and position and position != "cc_specialist":
        errors.append(FieldError("current_category", "category_only_cc_specialist"))
    if position == "cc_specialist" and not category:
        category = "none"  # §5: new specialists hold "no category" until initial attestation
    data["current_category"] = category

    for name in FLAG_FIELDS:
        value = raw.get(name)
        if isinstance(value, bool):
            data[name] = value
            continue
        word = "" if value is None else str(value).strip().lower()
        if word in TRUE_WORDS:
            data[name] = True
        elif word in FALSE_WORDS:
            data[name] = False
        else:
            errors.append(FieldError(name, "bad_boolean", {"value": str(value)}))

    data["education"] = text("education")[:300]
    centre = raw.get("career_centre_id") or text("career_centre")
    data["career_centre_id"] = None
    if centre:
        found = _find_career_centre(session, lmc_id, centre)
        if found is None:
            errors.append(FieldError("career_centre", "unknown_career_centre", {"value": str(centre)}))
        else:
            data["career_centre_id"] = found
    return data, errors


def _find_career_centre(session: Session, lmc_id: int, value: Any) -> int | None:
    query = select(CareerCentre.id).where(CareerCentre.lmc_id == lmc_id)
    text = str(value).strip()
    if text.isdigit():
        return session.scalar(query.where(CareerCentre.id == int(text)))
    return session.scalar(query.where((CareerCentre.name_kk == text) | (CareerCentre.name_ru == text)))


AUDITED_FIELDS = (
    "iin",
    "surname",
    "name",
    "patronymic",
    "position",
    "career_centre_id",
    "appointed_on",
    "first_hire",
    "service_months",
    "education",
    "current_category",
    "category_expires_on",
    "pregnant",
    "training_hours_required",
    "training_hours_completed",
    "category_profile_training_done",
    "initial_attestation_passed",
)


def snapshot(worker: Worker) -> dict[str, Any]:
    return {name: getattr(worker, name) for name in AUDITED_FIELDS}


def create_worker(
    session: Session, raw: dict[str, Any], *, lmc_id: int, actor_id: int | None, actor_label: str
) -> Worker:
    data, errors = clean_worker_data(raw, lmc_id=lmc_id, session=session)
    if errors:
        raise WorkerDataError(errors)
    return _add_worker(session, data, lmc_id=lmc_id, actor_id=actor_id, actor_label=actor_label)


def _add_worker(
    session: Session,
    data: dict[str, Any],
    *,
    lmc_id: int,
    actor_id: int | None,
    actor_label: str,
    note: str = "",
) -> Worker:
    worker = Worker(lmc_id=lmc_id, **data)
    session.add(worker)
    session.flush()
    audit.record(
        session,
        "worker_created",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="worker",
        object_id=worker.id,
        after=snapshot(worker),
        note=note,
    )
    return worker


def update_worker(
    session: Session, worker: Worker, raw: dict[str, Any], *, actor_id: int | None, actor_label: str
) -> Worker:
    data, errors = clean_worker_data(raw, lmc_id=worker.lmc_id, session=session, existing=worker)
    if errors:
        raise WorkerDataError(errors)
    before = snapshot(worker)
    for name, value in data.items():
        setattr(worker, name, value)
    session.flush()
    after = snapshot(worker)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        audit.record(
            session,
            "worker_updated",
            actor_id=actor_id,
            actor_label=actor_label,
            object_type="worker",
            object_id=worker.id,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return worker


class WorkerDataError(DomainError):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("worker_data_invalid", "The worker's data has errors.")
        self.errors = errors


def add_leave(
    session: Session,
    worker: Worker,
    kind: str,
    start: date,
    end: date | None,
    *,
    actor_id: int | None,
    actor_label: str,
) -> Leave:
    if kind not in LEAVE_KINDS:
        raise DomainError("unknown_code", f"Unknown leave kind: {kind}.", value=kind)
    if end is not None and end < start:
        raise DomainError("leave_ends_before_start", "The leave ends before it starts.")
    leave = Leave(kind=kind, start=start, end=end)
    worker.leaves.append(leave)
    session.flush()
    audit.record(
        session,
        "leave_added",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="worker",
        object_id=worker.id,
        after={"kind": kind, "start": start, "end": end},
    )
    return leave


def remove_leave(
    session: Session, worker: Worker, leave_id: int, *, actor_id: int | None, actor_label: str
) -> None:
    leave = next((lv for lv in worker.leaves if lv.id == leave_id), None)
    if leave is None:
        raise DomainError("leave_not_found", "This leave does not exist.")
    worker.leaves.remove(leave)
    session.flush()
    audit.record(
        session,
        "leave_removed",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="worker",
        object_id=worker.id,
        before={"kind": leave.kind, "start": leave.start, "end": leave.end},
    )


# --- file import -------------------------------------------------------------------------------


def read_rows(filename: str, content: bytes) -> list[dict[str, Any]]:
    """Rows of an XLSX or CSV file as dicts keyed by column code; the header row names the columns."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif name.endswith(".csv"):
        rows = _csv_rows(content)
    else:
        raise DomainError("unsupported_file", "Only .xlsx and .csv files can be imported.")
    if not rows:
        raise DomainError("empty_file", "The file has no rows.")
    header = [_column_code(h) for h in rows[0]]
    unknown = [
        str(h) for h, code in zip(rows[0], header, strict=True) if code is None and h not in (None, "")
    ]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DomainError(
            "missing_columns",
            "Required columns are missing: " + ", ".join(missing),
            columns=", ".join(missing),
            unknown=", ".join(unknown),
        )
    result = []
    for values in rows[1:]:
        if all(v in (None, "") for v in values):
            continue
        result.append({code: v for code, v in zip(header, values, strict=False) if code})
    return result


def _column_code(header: Any) -> str | None:
    text = str(header or "").strip().lower()
    for code, aliases in COLUMNS.items():
        if text in aliases:
            return code
    return None


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DomainError("unreadable_file", "The file could not be read as XLSX.") from exc
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _csv_rows(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1251")
        except UnicodeDecodeError as exc:
            raise DomainError("unreadable_file", "The CSV file's encoding is not UTF-8.") from exc
    dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t") if text.strip() else csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_workers(
    session: Session, rows: list[dict[str, Any]], *, lmc_id: int, actor_id: int | None, actor_label: str
) -> ImportResult:
    """All rows or none: every bad row is reported, and a file with any bad row imports nothing."""
    result = ImportResult()
    seen: dict[str, int] = {}
    cleaned = []
    for number, raw in enumerate(rows, start=2):  # row 1 is the header
        data, errors = clean_worker_data(raw, lmc_id=lmc_id, session=session)
        iin = data.get("iin")
        if iin and iin in seen:
            errors.append(FieldError("iin", "iin_repeated_in_file", {"row": str(seen[iin])}))
        elif iin:
            seen[iin] = number
        if errors:
            result.errors.append(RowError(number, errors))
        cleaned.append(data)
    if result.errors:
        return result
    for data in cleaned:
        _add_worker(session, data, lmc_id=lmc_id, actor_id=actor_id, actor_label=actor_label, note="import")
    result.created = len(cleaned)
    return result


# --- registry photo ------------------------------------------------------------------------------------

MAX_PHOTO_BYTES = 2 * 1024 * 1024


def set_photo(
    session: Session, worker: Worker, data: bytes, *, folder: str, actor_id: int | None, actor_label: str
) -> str:
    """Store the worker's registry photo (JPEG or PNG), the reference for the identity check at the test."""
    if not data:
        raise DomainError("photo_empty", "Choose a photo file.")
    if len(data) > MAX_PHOTO_BYTES:
        raise DomainError("photo_too_large", "The photo is larger than 2 MB.")
    if data[:3] == b"\xff\xd8\xff":
        ext = "jpg"
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        ext = "png"
    else:
        raise DomainError("photo_not_image", "The photo must be a JPEG or PNG image.")
    from pathlib import Path

    target = Path(folder) / "workers" / f"{worker.id}.{ext}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    before = worker.photo_path
    worker.photo_path = str(target)
    audit.record(
        session,
        "worker_photo_set",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="worker",
        object_id=worker.id,
        before=before,
        after=worker.photo_path,
    )
    return worker.photo_path
