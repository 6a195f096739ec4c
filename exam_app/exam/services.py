"""Exam delivery as plain functions over a session: no Flask here.

The clock is the server's: ``deadline_at`` is fixed when the test starts and every check uses
the server's ``now``. Saves are append-only, idempotent and ordered by the client's sequence
number; a save after the deadline plus ``GRACE_SECONDS`` is refused and logged. Closing is a
conditional UPDATE, so submit and expiry cannot both happen.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from attestation import audit
from attestation.campaigns import assess_worker, reference_day
from attestation.codes import TEST_MINUTES
from attestation.db import DomainError, utcnow
from attestation.models import CAMPAIGN_OPEN, ENTRY_LISTED, AttesteeEntry
from attestation.rules import decide
from exam_app.exam.models import (
    ANNULLED,
    EXPIRED,
    FINAL,
    IN_PROGRESS,
    NOT_STARTED,
    SCORED,
    SUBMITTED,
    TRANSITIONS,
    AnswerStep,
    Attempt,
    ExtraTime,
    Grading,
)
from question_bank.blueprints import spec_for
from question_bank.forms import draw_form, draw_forms
from question_bank.models import AssembledFormRecord, FormEntry, Item, ItemVariant, ItemVersion
from question_bank.types import get_type, grade, to_canonical

GRACE_SECONDS = 10
EXAM_LANGUAGES = ("kk", "ru")


class ExamError(DomainError):
    """A refusal shown to the candidate; ``code`` selects the translated message."""


# --- admission to the test (§12-14, §18) ---------------------------------------------------------------


def refusals(entry: AttesteeEntry, attempt: Attempt | None, today: date) -> list[str]:
    """Why this candidate cannot start now; empty when they can."""
    reasons = []
    if entry.status != ENTRY_LISTED:
        reasons.append("not_on_list")
    campaign = entry.campaign
    if campaign.status != CAMPAIGN_OPEN or today < campaign.testing_from:
        reasons.append("window_not_open")
    elif today > campaign.testing_to:
        reasons.append("window_closed")
    eligibility = assess_worker(
        entry.worker,
        reference_day(campaign, today),
        procedure=entry.procedure,
        applied_category=entry.applied_category,
    )
    if not (eligibility.subject and eligibility.admitted):
        reasons.append("not_admitted")
    if attempt is not None and attempt.status not in (NOT_STARTED, IN_PROGRESS):
        reasons.append("already_tested")
    return reasons


def get_or_create_attempt(
    session: Session, entry: AttesteeEntry, *, duration_seconds: int | None = None
) -> Attempt:
    """The entry's one attempt; ``duration_seconds`` overrides §18's 120 minutes only for tests and drills."""
    attempt = session.scalar(select(Attempt).where(Attempt.entry_id == entry.id))
    if attempt is not None:
        return attempt
    attempt = Attempt(
        entry_id=entry.id,
        worker_id=entry.worker_id,
        campaign_id=entry.campaign_id,
        duration_seconds=duration_seconds or TEST_MINUTES * 60,
    )
    session.add(attempt)
    try:
        session.flush()
    except IntegrityError:  # a second tab created it at the same moment
        session.rollback()
        attempt = session.scalar(select(Attempt).where(Attempt.entry_id == entry.id))
        assert attempt is not None
    return attempt


def record_preparation(
    session: Session,
    attempt: Attempt,
    *,
    system_check: dict[str, Any],
    consent: bool,
    lang: str,
    actor_id: int,
) -> None:
    """The system check, the consent to proctoring and personal-data processing, and the language."""
    if attempt.status != NOT_STARTED:
        raise ExamError("already_started", "The test has already started.")
    if not consent:
        raise ExamError("consent_required", "Consent to proctoring and personal-data processing is required.")
    if lang not in EXAM_LANGUAGES:
        raise ExamError("language_required", "Choose Kazakh or Russian.")
    if not system_check.get("camera") or not system_check.get("browser"):
        raise ExamError("system_check_failed", "The system check has not passed.")
    attempt.system_check = system_check
    attempt.consent_at = utcnow()
    attempt.lang = lang
    attempt.form_id = ensure_form_id(session, attempt)
    audit.record(
        session,
        "exam.prepared",
        actor_id=actor_id,
        object_type="attempt",
        object_id=attempt.id,
        after={"lang": lang, "system_check": system_check, "form_id": attempt.form_id},
    )


def ensure_form_id(session: Session, attempt: Attempt) -> int:
    """The attempt's form: the one assembled ahead for this worker and campaign, else a new draw.

    Chosen when the candidate prepares (minutes before the sitting, spread out), so that the start,
    which everyone presses in the same minute, reads nothing for it. The questions are shown only
    once the attempt is in progress.
    """
    if attempt.form_id is not None:
        return attempt.form_id
    form_id = session.scalar(
        select(AssembledFormRecord.id)
        .where(
            AssembledFormRecord.campaign_id == attempt.campaign_id,
            AssembledFormRecord.worker_id == attempt.worker_id,
        )
        .order_by(AssembledFormRecord.id.desc())
        .limit(1)
    )
    if form_id is None:
        entry = attempt.entry
        try:
            form_id = draw_form(
                session,
                spec_for(session, entry.procedure, entry.position),
                position=entry.position,
                campaign_id=attempt.campaign_id,
                worker_id=attempt.worker_id,
                seed=secrets.randbits(62),
            ).id
        except DomainError as exc:  # no blueprint, or too few questions for the position
            raise ExamError("form_unavailable", f"No form can be assembled: {exc.message}") from exc
    return form_id


def prepare_forms(session: Session, campaign_id: int) -> int:
    """Assemble ahead the forms of every listed worker of a campaign (so the start peak draws nothing)."""
    have = set(
        session.scalars(
            select(AssembledFormRecord.worker_id).where(AssembledFormRecord.campaign_id == campaign_id)
        )
    )
    entries = session.scalars(
        select(AttesteeEntry).where(
            AttesteeEntry.campaign_id == campaign_id, AttesteeEntry.status == ENTRY_LISTED
        )
    ).all()
    specs: dict[tuple[str, str], Any] = {}
    wanted = []
    for entry in entries:
        if entry.worker_id in have:
            continue
        key = (entry.procedure, entry.position)
        if key not in specs:
            specs[key] = spec_for(session, entry.procedure, entry.position)
        wanted.append((specs[key], entry.position, entry.worker_id))
    return draw_forms(session, wanted, campaign_id=campaign_id)


def start(session: Session, attempt: Attempt, *, now: datetime, actor_id: int) -> Attempt:
    """Fix the deadline on the server; reading the rules before this is not timed (§18)."""
    if attempt.status == IN_PROGRESS:
        return attempt
    if attempt.status != NOT_STARTED:
        raise ExamError("already_tested", "The test has already been taken.")
    if attempt.consent_at is None:
        raise ExamError("consent_required", "Consent to proctoring and personal-data processing is required.")
    extra = (
        session.scalar(
            select(func.coalesce(func.sum(ExtraTime.minutes), 0)).where(
                ExtraTime.entry_id == attempt.entry_id
            )
        )
        or 0
    )
    form_id = ensure_form_id(session, attempt)
    # One statement opens the attempt: under a start peak every write here holds the write lock.
    if not _transition(
        session,
        attempt,
        NOT_STARTED,
        IN_PROGRESS,
        form_id=form_id,
        rules_read_at=now,
        extra_minutes=int(extra),
        started_at=now,
        deadline_at=now + timedelta(seconds=attempt.duration_seconds + 60 * int(extra)),
    ):
        return start(session, attempt, now=now, actor_id=actor_id)  # a second click won: theirs stands
    audit.record(
        session,
        "exam.started",
        actor_id=actor_id,
        object_type="attempt",
        object_id=attempt.id,
        after={
            "deadline_at": attempt.deadline_at,
            "extra_minutes": attempt.extra_minutes,
            "form_id": attempt.form_id,
        },
    )
    return attempt


def grant_extra_time(
    session: Session, entry: AttesteeEntry, *, minutes: int, reason: str, actor_id: int, actor_label: str
) -> ExtraTime:
    if not 1 <= minutes <= 120:
        raise ExamError("extra_time_range", "Extra time must be 1 to 120 minutes.")
    if not reason.strip():
        raise ExamError("reason_required", "Give the reason for the accommodation.")
    grant = ExtraTime(entry_id=entry.id, minutes=minutes, reason=reason.strip(), granted_by=actor_id)
    session.add(grant)
    attempt = session.scalar(select(Attempt).where(Attempt.entry_id == entry.id))
    if attempt is not None and attempt.status == IN_PROGRESS and attempt.deadline_at is not None:
        attempt.extra_minutes += minutes
        attempt.deadline_at += timedelta(minutes=minutes)
    session.flush()
    audit.record(
        session,
        "exam.extra_time_granted",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="attestee_entry",
        object_id=entry.id,
        after={"minutes": minutes},
        note=reason.strip(),
    )
    return grant


def _transition(session: Session, attempt: Attempt, expected: str, new: str, **values: Any) -> bool:
    """Move the status only if it still is ``expected``; True if this call made the change."""
    if new not in TRANSITIONS[expected]:
        raise ExamError("bad_transition", f"{expected} cannot become {new}.")
    result = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == expected)
        .values(status=new, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(attempt)  # someone else moved it: show what it is now
        return False
    # The row now holds exactly these values: set them without reading it back (no statement
    # more while the write lock is held).
    for key, value in {"status": new, **values}.items():
        set_committed_value(attempt, key, value)
    return True


# --- the questions -----------------------------------------------------------------------------------


def questions_payload(session: Session, attempt: Attempt) -> list[dict[str, Any]]:
    """The questions as the page shows them: text in the chosen language, options in the form's order.

    ``position`` is the question's identity in the form (what saves name); the page numbers the
    questions in the order of this list. Texts come from a per-process cache (variants are
    immutable), so the 1,000 test pages of a start peak read one small row per question.
    """
    rows = session.execute(
        select(FormEntry.position, FormEntry.item_version_id, FormEntry.option_order, Item.section)
        .join(Item, Item.id == FormEntry.item_id)
        .where(FormEntry.form_id == attempt.form_id)
        .order_by(FormEntry.position)
    ).all()
    texts = shown_texts(session, [r.item_version_id for r in rows], attempt.lang)
    out = []
    for row in rows:
        shown = texts[row.item_version_id]
        rendered = get_type(shown.type_code).render(shown, row.option_order)
        out.append(
            {
                "position": row.position,
                "section": row.section,
                "type": shown.type_code,
                "stem": rendered["stem"],
                "options": [o["text"] for o in sorted(rendered["options"], key=lambda o: o["position"])],
                "multiple": shown.type_code == "multiple_choice",
            }
        )
    # Legal questions first, then functional (§16), each in the form's shuffled order.
    out.sort(key=lambda q: 0 if q["section"] == "legal" else 1)
    return out


@dataclass(frozen=True)
class ShownText:
    """One item version's text in one language: what never changes once a version exists."""

    type_code: str
    stem: str
    options: tuple[str, ...]


_SHOWN: dict[tuple[int, str], ShownText] = {}
_SHOWN_LIMIT = 50_000


def shown_texts(session: Session, version_ids: Sequence[int], lang: str) -> dict[int, ShownText]:
    missing = [vid for vid in set(version_ids) if (vid, lang) not in _SHOWN]
    if missing:
        if len(_SHOWN) + len(missing) > _SHOWN_LIMIT:
            _SHOWN.clear()
        rows = session.execute(
            select(ItemVersion.id, ItemVersion.type_code, ItemVariant.stem, ItemVariant.options)
            .join(ItemVariant, ItemVariant.version_id == ItemVersion.id)
            .where(ItemVersion.id.in_(missing), ItemVariant.lang == lang)
        ).all()
        for row in rows:
            _SHOWN[(row.id, lang)] = ShownText(row.type_code, row.stem, tuple(row.options))
        absent = [vid for vid in missing if (vid, lang) not in _SHOWN]
        if absent:
            raise DomainError(
                "language_missing", f"The item version has no {lang!r} text.", lang=lang, version_id=absent[0]
            )
    return {vid: _SHOWN[(vid, lang)] for vid in version_ids}


# --- saving answers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepIn:
    position: int
    response: Sequence[int]  # display positions as the page shows the options
    flagged: bool
    device_id: str
    seq: int
    client_time: datetime | None = None


@dataclass
class SaveResult:
    accepted: list[int] = field(default_factory=list)  # seqs stored now or before (idempotent)
    refused: list[dict[str, Any]] = field(default_factory=list)


def parse_steps(payload: Any) -> list[StepIn]:
    """Validate the JSON the page sends; a malformed step is refused with its reason, never guessed."""
    if not isinstance(payload, dict) or not isinstance(payload.get("steps"), list):
        raise ExamError("bad_request", 'Expected {"steps": [...]}.')
    device = payload.get("device")
    if not isinstance(device, str) or not 8 <= len(device) <= 40:
        raise ExamError("bad_request", "A device id of 8 to 40 characters is required.")
    steps = []
    for raw in payload["steps"][:500]:
        try:
            response = raw["response"]
            if not isinstance(response, list) or not all(type(x) is int for x in response):
                raise TypeError
            client_time = raw.get("time")
            steps.append(
                StepIn(
                    position=int(raw["position"]),
                    response=response,
                    flagged=bool(raw.get("flagged", False)),
                    device_id=device,
                    seq=int(raw["seq"]),
                    client_time=_parse_time(client_time),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ExamError(
                "bad_request", "A step needs position, response (a list of integers) and seq."
            ) from exc
    return steps


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, (int, float)):
        return None
    try:
        return datetime.utcfromtimestamp(value / 1000.0)
    except (OverflowError, OSError, ValueError):
        return None


def save_steps(
    session: Session, attempt: Attempt, steps: Iterable[StepIn], *, now: datetime, actor_id: int
) -> SaveResult:
    """Append each step once. Duplicates (same device and seq) are acknowledged without a second row."""
    result, rows = check_steps(session, attempt, steps, now=now, actor_id=actor_id)
    if rows:
        insert_steps(session, rows)
    return result


def check_steps(
    session: Session,
    attempt: Attempt,
    steps: Iterable[StepIn],
    *,
    now: datetime,
    actor_id: int,
    look_up_stored: bool = True,
    forms: FormCache | None = None,
) -> tuple[SaveResult, list[dict[str, Any]]]:
    """Decide every step with reads only and return the rows still to append.

    The web's save endpoint hands the rows to the process's step writer (group commit); a refusal
    of the whole batch (closed attempt, past the deadline) is logged in ``session`` here. With
    ``look_up_stored=False`` (the endpoint's first try) steps are not looked up among the stored
    ones: a resent step is then refused by the unique constraint when written, and the endpoint
    decides again with the lookup, which acknowledges it. Resends are rare. ``forms`` is the
    application's cache of form questions (see ``form_targets``). Together they halve a save's queries.
    """
    result = SaveResult()
    rows: list[dict[str, Any]] = []
    steps = list(steps)
    if not steps:
        return result, rows
    if attempt.status != IN_PROGRESS or attempt.deadline_at is None:
        _refuse_all(session, attempt, steps, result, "attempt_closed", actor_id)
        return result, rows
    if past_deadline(attempt, now):
        _refuse_all(session, attempt, steps, result, "deadline_passed", actor_id)
        return result, rows
    targets = form_targets(session, attempt.form_id, forms)
    existing: set[int] = set()
    if look_up_stored:
        existing.update(
            session.scalars(
                select(AnswerStep.client_seq).where(
                    AnswerStep.attempt_id == attempt.id,
                    AnswerStep.device_id == steps[0].device_id,
                    AnswerStep.client_seq.in_([s.seq for s in steps]),
                )
            )
        )
    for step in steps:
        if step.seq in existing:
            result.accepted.append(step.seq)
            continue
        target = targets.get(step.position)
        if target is None:
            result.refused.append({"seq": step.seq, "code": "no_such_question"})
            continue
        option_order, item_version_id, type_code, option_count = target
        try:
            canonical = to_canonical(step.response, option_order)
            get_type(type_code).validate_response(canonical, option_count)
        except DomainError as exc:
            result.refused.append({"seq": step.seq, "code": exc.code})
            continue
        rows.append(
            {
                "attempt_id": attempt.id,
                "position": step.position,
                "item_version_id": item_version_id,
                "response": canonical,
                "flagged": step.flagged,
                "device_id": step.device_id,
                "client_seq": step.seq,
                "client_time": step.client_time,
                "server_time": now,
            }
        )
        existing.add(step.seq)
        result.accepted.append(step.seq)
    # A submit or expiry that closes the attempt before these rows go in wins: the database refuses
    # the insert (migration 0006) and the caller rolls back and saves again, which refuses and logs.
    return result, rows


ROWS_PER_STATEMENT = 300  # 10 columns each: well under SQLite's 32,766 bound parameters


def insert_steps(connection: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Append rows with as few statements as possible (each statement is a GIL hand-over on SQLite)."""
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        connection.execute(insert(AnswerStep).values(list(rows[start : start + ROWS_PER_STATEMENT])))


# What validating a save needs of one question of a form: (option_order, item_version_id, type_code,
# option_count). A plain tuple of atoms, which the garbage collector stops tracking: a process caches
# the forms of a whole sitting, and every tracked object is walked again at each full collection,
# which pauses all of the process's threads (a class instance per question made those pauses 0.1-0.2 s).
Target = tuple[tuple[int, ...], int, str, int]


class FormCache(dict[int, dict[int, "Target"]]):
    """One application's cache of its database's forms (form ids are per database)."""

    LIMIT = 5_000  # forms; about 20 kB each


def form_targets(session: Session, form_id: int | None, cache: FormCache | None = None) -> dict[int, Target]:
    """A form's questions by position. A stored form never changes, so a process reads it once
    into ``cache`` instead of at every save, which takes a query off a sitting's hot path."""
    if form_id is None:
        return {}
    cached = cache.get(form_id) if cache is not None else None
    if cached is not None:
        return cached
    rows = session.execute(
        select(
            FormEntry.position,
            FormEntry.option_order,
            FormEntry.item_version_id,
            ItemVersion.type_code,
            ItemVersion.option_count,
        )
        .join(ItemVersion, ItemVersion.id == FormEntry.item_version_id)
        .where(FormEntry.form_id == form_id)
    ).all()
    targets = {
        row.position: (tuple(row.option_order), row.item_version_id, row.type_code, row.option_count)
        for row in rows
    }
    if cache is not None and targets:  # a form is stored whole, in one transaction
        if len(cache) >= cache.LIMIT:
            cache.clear()
        cache[form_id] = targets
    return targets


def _refuse_all(
    session: Session, attempt: Attempt, steps: list[StepIn], result: SaveResult, code: str, actor_id: int
) -> None:
    for step in steps:
        result.refused.append({"seq": step.seq, "code": code})
    audit.record(
        session,
        "exam.save_refused",
        actor_id=actor_id,
        object_type="attempt",
        object_id=attempt.id,
        after={
            "code": code,
            "steps": [
                {"position": s.position, "response": list(s.response), "seq": s.seq, "device": s.device_id}
                for s in steps
            ],
        },
    )


# Which step of a question counts: the last in this order (highest sequence number, then server time).
REPLAY_ORDER = (AnswerStep.client_seq, AnswerStep.server_time, AnswerStep.id)


def answers_payload(session: Session, attempt: Attempt) -> dict[str, Any]:
    """What a reloaded or second device needs: answers in display positions and the last seq.

    Read as plain rows, and the option orders only of answered questions: every test page of a
    start peak asks this, when nothing has been answered yet.
    """
    latest = {
        row.position: row
        for row in session.execute(
            select(AnswerStep.position, AnswerStep.response, AnswerStep.flagged, AnswerStep.client_seq)
            .where(AnswerStep.attempt_id == attempt.id)
            .order_by(*REPLAY_ORDER)
        )
    }
    orders: dict[int, list[int]] = {}
    if latest:
        answered = select(FormEntry.position, FormEntry.option_order).where(
            FormEntry.form_id == attempt.form_id, FormEntry.position.in_(list(latest))
        )
        orders = {position: order for position, order in session.execute(answered)}
    answers = {
        str(position): {
            "response": sorted(orders[position].index(i) for i in step.response),
            "flagged": step.flagged,
            "seq": step.client_seq,
        }
        for position, step in latest.items()
    }
    return {"answers": answers, "max_seq": max((s.client_seq for s in latest.values()), default=0)}


def past_deadline(attempt: Attempt, now: datetime) -> bool:
    """Time is up, grace included; never during a technical pause (the clock stands still)."""
    if attempt.deadline_at is None or attempt.paused_at is not None:
        return False
    return now > attempt.deadline_at + timedelta(seconds=GRACE_SECONDS)


def remaining_seconds(attempt: Attempt, now: datetime) -> float:
    if attempt.deadline_at is None:
        return float(attempt.duration_seconds + 60 * attempt.extra_minutes)
    if attempt.paused_at is not None:
        now = attempt.paused_at  # the clock stands still during a technical pause
    return max(0.0, (attempt.deadline_at - now).total_seconds())


def pause(
    session: Session, attempt: Attempt, *, reason: str, now: datetime, actor_id: int, actor_label: str
) -> None:
    """A proctor's technical pause: the clock stops until :func:`resume`; the reason is logged."""
    from proctoring.models import TechnicalPause

    if attempt.status != IN_PROGRESS or attempt.deadline_at is None:
        raise ExamError("not_in_progress", "The test is not in progress.")
    if attempt.paused_at is not None:
        raise ExamError("already_paused", "The test is already paused.")
    if not reason.strip():
        raise ExamError("reason_required", "Give the reason.")
    attempt.paused_at = now
    session.add(
        TechnicalPause(attempt_id=attempt.id, started_at=now, reason=reason.strip(), granted_by=actor_id)
    )
    audit.record(
        session,
        "exam.paused",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="attempt",
        object_id=attempt.id,
        note=reason.strip(),
    )


def resume(session: Session, attempt: Attempt, *, now: datetime, actor_id: int, actor_label: str) -> None:
    from proctoring.services import open_pause

    if attempt.paused_at is None:
        raise ExamError("not_paused", "The test is not paused.")
    stopped = now - attempt.paused_at
    attempt.deadline_at = (attempt.deadline_at or now) + stopped
    attempt.paused_at = None
    record = open_pause(session, attempt.id)
    if record is not None:
        record.ended_at = now
    audit.record(
        session,
        "exam.resumed",
        actor_id=actor_id,
        actor_label=actor_label,
        object_type="attempt",
        object_id=attempt.id,
        after={"paused_seconds": stopped.total_seconds(), "deadline_at": attempt.deadline_at},
    )


def annul(session: Session, attempt: Attempt, *, reason: str, actor_id: int, actor_label: str) -> Attempt:
    """§19: a violation established by proctoring annuls the result, whenever it is established."""
    if attempt.status not in (SCORED, FINAL):
        raise ExamError("not_scored", "Only a recorded result can be annulled.")
    before = attempt.status
    if _transition(session, attempt, before, ANNULLED, annulment_reason=reason.strip()):
        audit.record(
            session,
            "exam.annulled",
            actor_id=actor_id,
            actor_label=actor_label,
            object_type="attempt",
            object_id=attempt.id,
            before=before,
            after=ANNULLED,
            note=reason.strip(),
        )
    return attempt


# --- closing and scoring ----------------------------------------------------------------------------


def submit(session: Session, attempt: Attempt, *, now: datetime, actor_id: int) -> Attempt:
    """The candidate's submit. After the deadline (and grace) the attempt expires instead."""
    if attempt.status != IN_PROGRESS:
        if attempt.status in (SUBMITTED, EXPIRED, SCORED):
            return attempt  # a double submit changes nothing
        raise ExamError("not_in_progress", "The test is not in progress.")
    if past_deadline(attempt, now):
        return expire(session, attempt, now=now)
    # Graded before the attempt is closed, so that the database's write lock is held for the updates
    # only; a step stored in between (a save racing the submit) is noticed and the grading redone.
    graded = grade_attempt(session, attempt)
    proctoring = _proctoring_session(session, attempt)  # read now, with the entry, not under the lock
    _ = attempt.entry.worker
    if _transition(session, attempt, IN_PROGRESS, SUBMITTED, closed_at=now, closed_by="candidate"):
        audit.record(
            session, "exam.submitted", actor_id=actor_id, object_type="attempt", object_id=attempt.id
        )
    if latest_step_id(session, attempt) != graded.last_step_id:
        graded = grade_attempt(session, attempt)
    return score(session, attempt, graded, proctoring=proctoring)


def expire(session: Session, attempt: Attempt, *, now: datetime) -> Attempt:
    if _transition(
        session, attempt, IN_PROGRESS, EXPIRED, closed_at=attempt.deadline_at or now, closed_by="server"
    ):
        audit.record(session, "exam.expired", object_type="attempt", object_id=attempt.id)
    return score(session, attempt)


def expire_due(session: Session, now: datetime) -> int:
    """Close every attempt whose deadline and grace have passed, also when no browser is left."""
    cutoff = now - timedelta(seconds=GRACE_SECONDS)
    due = session.scalars(
        select(Attempt).where(
            Attempt.status == IN_PROGRESS, Attempt.deadline_at < cutoff, Attempt.paused_at.is_(None)
        )
    ).all()
    for attempt in due:
        expire(session, attempt, now=now)
        session.commit()
    return len(due)


@dataclass(frozen=True)
class Graded:
    """Points, question count and per-question credit, and the newest step they were replayed from."""

    points: float
    count: int
    per_question: list[float]
    last_step_id: int


def latest_step_id(session: Session, attempt: Attempt) -> int:
    return session.scalar(select(func.max(AnswerStep.id)).where(AnswerStep.attempt_id == attempt.id)) or 0


def grade_attempt(session: Session, attempt: Attempt) -> Graded:
    """Replay the steps: the latest answer to each question (see REPLAY_ORDER) is graded."""
    questions = session.execute(
        select(
            FormEntry.position,
            ItemVersion.id,
            ItemVersion.type_code,
            ItemVersion.key,
            ItemVersion.option_count,
        )
        .join(ItemVersion, ItemVersion.id == FormEntry.item_version_id)
        .where(FormEntry.form_id == attempt.form_id)
        .order_by(FormEntry.position)
    ).all()
    latest: dict[int, list[int]] = {}
    last_id = 0
    for step in session.execute(
        select(AnswerStep.id, AnswerStep.position, AnswerStep.response)
        .where(AnswerStep.attempt_id == attempt.id)
        .order_by(*REPLAY_ORDER)
    ):
        latest[step.position] = step.response
        last_id = max(last_id, step.id)
    per_question = [grade(q, latest[q.position]) if q.position in latest else 0.0 for q in questions]
    return Graded(sum(per_question), len(questions), per_question, last_id)


_UNREAD: Any = object()


def score(
    session: Session, attempt: Attempt, graded: Graded | None = None, *, proctoring: Any = _UNREAD
) -> Attempt:
    """Grade the closed attempt once, decide by Order 422 (§17, §30), and keep the grading record."""
    if attempt.status not in (SUBMITTED, EXPIRED):
        return attempt
    entry = attempt.entry
    if graded is None:
        graded = grade_attempt(session, attempt)
    points, count, per_question = graded.points, graded.count, graded.per_question
    percent = round(100.0 * points / count, 2) if count else 0.0
    worker = entry.worker
    decision = decide(
        procedure=entry.procedure,
        position=entry.position,
        score=percent,
        current_category=entry.current_category or ("none" if entry.procedure == "category" else None),
        applied_category=entry.applied_category,
        reattestation=entry.reattestation,
    )
    decision_json = {
        k: getattr(decision, k)
        for k in (
            "threshold",
            "passed",
            "outcome",
            "category_after",
            "reattestation_required",
            "dismissal",
            "activity_evaluation_admitted",
        )
    }
    previous = attempt.status
    if not _transition(
        session,
        attempt,
        previous,
        SCORED,
        score_percent=percent,
        points=points,
        question_count=count,
        threshold=decision.threshold,
        passed=decision.passed,
        outcome=decision.outcome,
        decision=decision_json,
    ):
        return attempt
    if proctoring is _UNREAD:
        proctoring = _proctoring_session(session, attempt)
    if proctoring is not None:
        from proctoring.services import close_session

        close_session(session, proctoring, now=attempt.closed_at or utcnow())
    session.add(
        Grading(
            attempt_id=attempt.id,
            reason="initial",
            points=points,
            question_count=count,
            score_percent=percent,
            per_question=per_question,
            decision=decision_json,
        )
    )
    audit.record(
        session,
        "exam.scored",
        object_type="attempt",
        object_id=attempt.id,
        after={"score": percent, **decision_json},
        note=f"worker {worker.id}",
    )
    return attempt


def _proctoring_session(session: Session, attempt: Attempt) -> Any:
    from proctoring.services import session_for_attempt

    return session_for_attempt(session, attempt.id)


def appeal_deadline(attempt: Attempt) -> date | None:
    """§21: an appeal is filed within two working days of the result."""
    from attestation.calendar import add_working_days
    from attestation.codes import APPEAL_WORKING_DAYS

    if attempt.closed_at is None:
        return None
    return add_working_days(attempt.closed_at.date(), APPEAL_WORKING_DAYS)


def finalize_due(session: Session, now: datetime) -> int:
    """Scored results become final once the appeal window has closed with no appeal open."""
    from appeals.services import open_appeal_exists

    done = 0
    for attempt in session.scalars(select(Attempt).where(Attempt.status == SCORED)).all():
        deadline = appeal_deadline(attempt)
        if deadline is None or now.date() <= deadline or open_appeal_exists(session, attempt.id):
            continue
        if _transition(session, attempt, SCORED, FINAL):
            audit.record(session, "exam.final", object_type="attempt", object_id=attempt.id)
            done += 1
    return done


def purge_evidence_due(session: Session, now: datetime, *, margin_days: int) -> int:
    """Delete kept proctoring evidence of final results, ``margin_days`` after the appeal window.

    Never while an appeal is open; annulled results keep their evidence (it proves the violation).
    """
    from appeals.services import open_appeal_exists
    from proctoring.models import ProctoringSession
    from proctoring.services import purge_session_evidence

    purged = 0
    rows = session.execute(
        select(ProctoringSession, Attempt)
        .join(Attempt, Attempt.id == ProctoringSession.attempt_id)
        .where(ProctoringSession.evidence_purged_at.is_(None), Attempt.status == FINAL)
    ).all()
    for ps, attempt in rows:
        deadline = appeal_deadline(attempt)
        if deadline is None or now.date() <= deadline + timedelta(days=margin_days):
            continue
        if open_appeal_exists(session, attempt.id):
            continue
        purge_session_evidence(session, ps, now=now, reason=f"final result; appeal window closed {deadline}")
        purged += 1
    return purged
