"""Data for the exam-delivery load benchmark: a fresh database with N admitted candidates, and
the check, after a run, that every answer the clients sent is stored in order.

Used by ``bench_exam_load.py``; it works on the schema through the application's own models
and services and changes nothing in the application.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# The application under test: this repository, or a snapshot of it (--app-root of bench_exam_load).
ROOT = Path(os.environ.get("ATTEST_BENCH_APP_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "integration"))  # the synthetic bank the delivery tests use

from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import exam_app.model_registry  # noqa: E402,F401  (every table on one metadata)
from attestation import audit  # noqa: E402
from attestation import campaigns as campaign_service  # noqa: E402
from attestation.calendar import add_months  # noqa: E402
from attestation.iin import make_iin  # noqa: E402
from attestation.models import AttesteeEntry, Campaign, Lmc, Region, Worker  # noqa: E402
from exam_app.accounts.models import RoleGrant, User  # noqa: E402
from exam_app.accounts.services import hash_password  # noqa: E402
from exam_app.database import make_engine, upgrade  # noqa: E402
from exam_app.exam import services  # noqa: E402
from exam_app.exam.models import AnswerStep, Attempt  # noqa: E402
from question_bank.assembly import assemble_form  # noqa: E402
from question_bank.blueprints import spec_for  # noqa: E402
from question_bank.models import AssembledFormRecord, FormEntry  # noqa: E402
from question_bank.services import active_pool  # noqa: E402

PASSWORD = "bench-pass-2026"
POSITION = "lmc_specialist"


@dataclass(frozen=True)
class Candidate:
    username: str
    entry_id: int
    worker_id: int


@dataclass
class Prepared:
    url: str
    campaign_id: int
    candidates: list[Candidate]
    setup_seconds: float
    forms_seconds: float | None  # None: forms are assembled at start


# --- databases -----------------------------------------------------------------------------------------


def create_pg_database(admin_url: str, name: str) -> str:
    """A fresh database on the PostgreSQL server (dropped first if a previous run left it)."""
    from sqlalchemy import create_engine

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# --- candidates ----------------------------------------------------------------------------------------


def _iins(count: int) -> list[tuple[date, str, str]]:
    """Distinct valid IINs: 500 serials (spaced by 20) per birth date, birth dates a day apart."""
    out: list[tuple[date, str, str]] = []
    seen: set[str] = set()
    day = 0
    while len(out) < count:
        birth = date(1970, 1, 1) + timedelta(days=day)
        sex = "male" if day % 2 else "female"
        for serial in range(0, 10000, 20):
            iin = make_iin(birth, sex, serial)
            if iin not in seen:
                seen.add(iin)
                out.append((birth, sex, iin))
            if len(out) == count:
                break
        day += 1
    return out


FORMS_MODES = ("service", "bulk", "start")


def prepare_database(url: str, count: int, *, forms: str, today: date | None = None) -> Prepared:
    """Migrate, then add a bank, an open campaign and ``count`` admitted candidates listed in it.

    The password is hashed once and the hash reused for every user; rows go in bulk. ``forms``:
    ``service`` assembles every candidate's form ahead with the application's
    ``prepare_forms`` (timed, as ``attest exam prepare-forms`` does); ``bulk`` assembles the
    same forms ahead with the same ``assemble_form`` but keeps the campaign's usage counts in
    memory and inserts in bulk (fast set-up for the search); ``start`` leaves assembly to the
    start request.
    """
    if forms not in FORMS_MODES:
        raise ValueError(forms)
    from synthetic_bank import ensure_synthetic_bank

    today = today or date.today()
    began = time.perf_counter()
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            ensure_synthetic_bank(session)
            region = session.scalar(select(Region).where(Region.code == "karaganda"))
            lmc = Lmc(region_id=region.id, name_kk="Бенчмарк ЕМО", name_ru="ЦТМ бенчмарка")
            session.add(lmc)
            session.flush()
            campaign = campaign_service.create_campaign(
                session,
                title_kk="Жүктеме сынағы",
                title_ru="Нагрузочный тест",
                testing_from=today,
                testing_to=today + timedelta(days=14),
                lists_due=today,
                actor_id=None,  # type: ignore[arg-type]
                actor_label="bench",
            )
            campaign_service.change_campaign_status(
                session,
                campaign,
                "open",
                actor_id=None,
                actor_label="bench",  # type: ignore[arg-type]
            )
            session.flush()

            appointed = add_months(today, -30)
            last_attested = add_months(today, -35)
            people = _iins(count)
            worker_rows = [
                {
                    "iin": iin,
                    "birth_date": birth,
                    "sex": sex,
                    "surname": f"Кандидат{n:05d}",
                    "name": "Бенч",
                    "patronymic": None,
                    "lmc_id": lmc.id,
                    "career_centre_id": None,
                    "position": POSITION,
                    "appointed_on": appointed,
                    "first_hire": False,
                    "service_months": 30 + n % 100,
                    "education": "Высшее",
                    "current_category": None,
                    "pregnant": False,
                    "training_hours_required": 72,
                    "training_hours_completed": 72,
                    "category_profile_training_done": False,
                    "initial_attestation_passed": True,
                    "last_attestation_on": last_attested,
                    "last_attestation_passed": True,
                    "last_procedure": "compliance",
                    "last_was_reattestation": False,
                }
                for n, (birth, sex, iin) in enumerate(people)
            ]
            worker_ids = list(
                session.scalars(
                    insert(Worker).returning(Worker.id, sort_by_parameter_order=True), worker_rows
                )
            )
            password_hash = hash_password(PASSWORD)
            user_rows = [
                {
                    "username": row["iin"],
                    "password_hash": password_hash,
                    "display_name": f"{row['surname']} {row['name']}",
                    "worker_id": wid,
                    "active": True,
                }
                for row, wid in zip(worker_rows, worker_ids, strict=True)
            ]
            user_ids = list(
                session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), user_rows)
            )
            session.execute(insert(RoleGrant), [{"user_id": uid, "role": "candidate"} for uid in user_ids])
            entry_rows = [
                {
                    "campaign_id": campaign.id,
                    "worker_id": wid,
                    "lmc_id": lmc.id,
                    "procedure": "compliance",
                    "reattestation": False,
                    "applied_category": None,
                    "status": "listed",
                    "full_name": f"{row['surname']} {row['name']}",
                    "workplace_kk": lmc.name_kk,
                    "workplace_ru": lmc.name_ru,
                    "position": POSITION,
                    "service_months": row["service_months"],
                    "current_category": None,
                }
                for row, wid in zip(worker_rows, worker_ids, strict=True)
            ]
            entry_ids = list(
                session.scalars(
                    insert(AttesteeEntry).returning(AttesteeEntry.id, sort_by_parameter_order=True),
                    entry_rows,
                )
            )
            session.commit()

            # The first candidate must be admitted exactly as the start page will judge it.
            first = session.get(AttesteeEntry, entry_ids[0])
            refused = services.refusals(first, None, today)
            if refused:
                raise SystemExit(f"benchmark candidates are not admitted: {refused}")
            setup_seconds = time.perf_counter() - began

            forms_seconds = None
            if forms != "start":
                began = time.perf_counter()
                if forms == "service":
                    made = services.prepare_forms(session, campaign.id)
                else:
                    made = _bulk_forms(session, campaign.id, worker_ids)
                session.commit()
                forms_seconds = time.perf_counter() - began
                if made != count:
                    raise SystemExit(f"{made} forms assembled for {count} candidates")
            candidates = [
                Candidate(username=row["iin"], entry_id=eid, worker_id=wid)
                for row, wid, eid in zip(worker_rows, worker_ids, entry_ids, strict=True)
            ]
            return Prepared(url, campaign.id, candidates, setup_seconds, forms_seconds)
    finally:
        engine.dispose()


def _bulk_forms(session: Session, campaign_id: int, worker_ids: list[int]) -> int:
    """What ``prepare_forms`` stores for fresh workers (no earlier form to avoid), in bulk.

    Same pool, specification and ``assemble_form``; the campaign's usage counts are kept in a
    Counter instead of being re-read from the stored forms before every draw. No audit entry
    per form (set-up data, not measured).
    """
    pool = active_pool(session, position=POSITION)
    spec = spec_for(session, "compliance", POSITION)
    rng = random.Random(campaign_id)
    usage: Counter[int] = Counter()
    drawn = []
    for worker_id in worker_ids:
        form = assemble_form(pool, spec, seed=rng.getrandbits(62), usage_counts=usage)
        usage.update(q.item_id for q in form.questions)
        drawn.append((worker_id, form))
    form_ids = list(
        session.scalars(
            insert(AssembledFormRecord).returning(AssembledFormRecord.id, sort_by_parameter_order=True),
            [
                {
                    "campaign_id": campaign_id,
                    "worker_id": worker_id,
                    "blueprint_id": form.spec.blueprint_id,
                    "blueprint_code": form.spec.code,
                    "spec": form.spec.as_json(),
                    "position": POSITION,
                    "seed": form.seed,
                    "repeats": form.repeats,
                    "over_cap": form.over_cap,
                    "mean_difficulty": form.mean_difficulty,
                    "target_difficulty": form.target_difficulty,
                }
                for worker_id, form in drawn
            ],
        )
    )
    rows = [
        {
            "form_id": form_id,
            "position": number,
            "item_id": q.item_id,
            "item_version_id": q.version_id,
            "option_order": list(q.option_order),
        }
        for form_id, (_, form) in zip(form_ids, drawn, strict=True)
        for number, q in enumerate(form.questions, start=1)
    ]
    for start in range(0, len(rows), 20_000):
        session.execute(insert(FormEntry), rows[start : start + 20_000])
    return len(form_ids)


# --- after the run -------------------------------------------------------------------------------------


@dataclass
class StoredCheck:
    attempts: int = 0
    attempts_checked: int = 0
    sent_acknowledged: int = 0
    stored: int = 0
    missing: int = 0  # acknowledged by the server but not stored
    extra: int = 0  # stored but never sent
    mismatched: int = 0  # stored under a sent seq but with another position or response
    out_of_order: int = 0  # attempts whose rows (by insertion) are not in the client's order
    unacknowledged_stored: int = 0  # sent, no answer seen (error/timeout), but stored: fine
    not_scored: int = 0  # attempts the client submitted that are not scored
    audit_break: int | None = None  # first broken audit-chain entry id, None if intact

    @property
    def ok(self) -> bool:
        return (
            not (self.missing or self.extra or self.mismatched or self.out_of_order or self.not_scored)
            and self.audit_break is None
        )

    def summary(self) -> str:
        verdict = "OK" if self.ok else "FAILED"
        chain = "intact" if self.audit_break is None else f"BROKEN at entry {self.audit_break}"
        return (
            f"{verdict}: {self.attempts_checked}/{self.attempts} attempts, {self.stored} steps stored, "
            f"{self.sent_acknowledged} acknowledged; missing {self.missing}, extra {self.extra}, "
            f"mismatched {self.mismatched}, out of order {self.out_of_order}, "
            f"unacknowledged but stored {self.unacknowledged_stored}, not scored {self.not_scored}; "
            f"audit chain {chain}"
        )


def check_stored(url: str, sent: dict[int, list[dict[str, Any]]], submitted: set[int]) -> StoredCheck:
    """Compare, attempt by attempt, the stored steps with what each client sent.

    ``sent`` maps attempt id → the client's steps in the order sent: ``{position, response
    (display indices), seq, acked}`` where ``acked`` is True (accepted), False (refused) or None
    (no answer: error or timeout). Stored responses are canonical option indices, so the
    client's display indices are translated through the form's option order first.
    """
    engine = make_engine(url)
    result = StoredCheck()
    try:
        with Session(engine) as session:
            attempts = {a.id: a for a in session.scalars(select(Attempt))}
            result.attempts = len(attempts)
            orders: dict[int, dict[int, list[int]]] = {}
            for form_id, position, order in session.execute(
                select(FormEntry.form_id, FormEntry.position, FormEntry.option_order).where(
                    FormEntry.form_id.in_(select(Attempt.form_id))
                )
            ):
                orders.setdefault(form_id, {})[position] = list(order)
            stored: dict[int, list[tuple[int, list[int], int]]] = {}
            for attempt_id, position, response, seq in session.execute(
                select(
                    AnswerStep.attempt_id, AnswerStep.position, AnswerStep.response, AnswerStep.client_seq
                ).order_by(AnswerStep.attempt_id, AnswerStep.id)
            ):
                stored.setdefault(attempt_id, []).append((position, list(response), seq))
            result.stored = sum(len(v) for v in stored.values())
            for attempt_id in set(stored) - set(sent):
                result.extra += len(stored[attempt_id])
            for attempt_id, steps in sent.items():
                attempt = attempts.get(attempt_id)
                if attempt is None:
                    result.missing += sum(1 for s in steps if s["acked"])
                    continue
                result.attempts_checked += 1
                if attempt_id in submitted and attempt.status != "scored":
                    result.not_scored += 1
                order = orders.get(attempt.form_id, {})
                rows = stored.get(attempt_id, [])
                by_seq = {seq: (position, response) for position, response, seq in rows}
                sent_seqs = {s["seq"] for s in steps}
                result.extra += sum(1 for _, _, seq in rows if seq not in sent_seqs)
                for s in steps:
                    expected = (s["position"], [order[s["position"]][i] for i in s["response"]])
                    if s["acked"]:
                        result.sent_acknowledged += 1
                    if s["seq"] not in by_seq:
                        if s["acked"]:
                            result.missing += 1
                        continue
                    if by_seq[s["seq"]] != expected:
                        result.mismatched += 1
                    elif not s["acked"]:
                        result.unacknowledged_stored += 1
                seqs = [seq for _, _, seq in rows]
                if seqs != sorted(seqs):
                    result.out_of_order += 1
            result.audit_break = audit.verify_chain(session)
    finally:
        engine.dispose()
    return result


def table_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return {
                "workers": session.scalar(select(func.count()).select_from(Worker)) or 0,
                "campaigns": session.scalar(select(func.count()).select_from(Campaign)) or 0,
                "attempts": session.scalar(select(func.count()).select_from(Attempt)) or 0,
                "steps": session.scalar(select(func.count()).select_from(AnswerStep)) or 0,
            }
    finally:
        engine.dispose()
