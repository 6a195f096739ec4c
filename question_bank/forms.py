"""Storing assembled forms, and the campaign usage counts the next assembly needs.

The stored form is the record an attempt is delivered and graded from: the ordered item
version ids with each option order, the seed, and a copy of the specification. Usage counts
are derived from stored forms (one row per question), so they cannot drift from what was
actually shown.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from attestation import audit
from question_bank.assembly import AssembledForm, PoolItem, assemble_form
from question_bank.blueprints import Spec
from question_bank.models import AssembledFormRecord, FormEntry
from question_bank.services import active_pool


def usage_counts(session: Session, campaign_id: int) -> dict[int, int]:
    """How many stored forms of the campaign used each item (item id → count)."""
    stmt = (
        select(FormEntry.item_id, func.count())
        .join(AssembledFormRecord, FormEntry.form_id == AssembledFormRecord.id)
        .where(AssembledFormRecord.campaign_id == campaign_id)
        .group_by(FormEntry.item_id)
    )
    return {item_id: count for item_id, count in session.execute(stmt)}


def previous_item_ids(session: Session, worker_id: int) -> frozenset[int]:
    """The items of the worker's most recent form (what a re-attestation should avoid)."""
    last = session.scalar(
        select(AssembledFormRecord.id)
        .where(AssembledFormRecord.worker_id == worker_id)
        .order_by(AssembledFormRecord.created_at.desc(), AssembledFormRecord.id.desc())
        .limit(1)
    )
    if last is None:
        return frozenset()
    return frozenset(session.scalars(select(FormEntry.item_id).where(FormEntry.form_id == last)))


def store_form(
    session: Session,
    form: AssembledForm,
    *,
    campaign_id: int | None,
    worker_id: int | None,
    position: str = "",
    actor_label: str = "system",
) -> AssembledFormRecord:
    record = AssembledFormRecord(
        campaign_id=campaign_id,
        worker_id=worker_id,
        blueprint_id=form.spec.blueprint_id,
        blueprint_code=form.spec.code,
        spec=form.spec.as_json(),
        position=position,
        seed=form.seed,
        repeats=form.repeats,
        over_cap=form.over_cap,
        mean_difficulty=form.mean_difficulty,
        target_difficulty=form.target_difficulty,
    )
    session.add(record)
    session.flush()
    # one multi-row INSERT: a campaign's forms are prepared by the thousand
    session.execute(
        insert(FormEntry),
        [
            {
                "form_id": record.id,
                "position": number,
                "item_id": q.item_id,
                "item_version_id": q.version_id,
                "option_order": list(q.option_order),
            }
            for number, q in enumerate(form.questions, start=1)
        ],
    )
    audit.record(
        session,
        "bank.form_assembled",
        actor_label=actor_label,
        object_type="bank_form",
        object_id=record.id,
        after={
            "campaign_id": campaign_id,
            "worker_id": worker_id,
            "spec": form.spec.code,
            "seed": form.seed,
            "repeats": form.repeats,
            "over_cap": form.over_cap,
        },
    )
    return record


def draw_forms(
    session: Session,
    requests: Iterable[tuple[Spec, str, int]],
    *,
    campaign_id: int,
    usage_cap: int | None = None,
    difficulty_tolerance: float = 0.3,
) -> int:
    """Assemble and store the forms of many workers of one campaign: (spec, position, worker id) each.

    The same draws as ``draw_form`` one by one, but the pool of each position is read once and
    the campaign's usage counts are kept up to date in memory, so a thousand forms take seconds.
    """
    pools: dict[str, list[PoolItem]] = {}
    usage = usage_counts(session, campaign_id)
    made = 0
    for spec, position, worker_id in requests:
        if position not in pools:
            pools[position] = active_pool(session, position=position)
        _draw_and_store(
            session,
            pools[position],
            spec,
            position=position,
            campaign_id=campaign_id,
            worker_id=worker_id,
            usage=usage,
            seed=secrets.randbits(63),
            usage_cap=usage_cap,
            difficulty_tolerance=difficulty_tolerance,
        )
        made += 1
    return made


def draw_form(
    session: Session,
    spec: Spec,
    *,
    position: str,
    campaign_id: int | None,
    worker_id: int | None,
    seed: int | None = None,
    usage_cap: int | None = None,
    difficulty_tolerance: float = 0.3,
) -> AssembledFormRecord:
    """Assemble a form for one worker from the active bank and store it."""
    return _draw_and_store(
        session,
        active_pool(session, position=position),
        spec,
        position=position,
        campaign_id=campaign_id,
        worker_id=worker_id,
        usage=usage_counts(session, campaign_id) if campaign_id is not None else None,
        seed=secrets.randbits(63) if seed is None else seed,
        usage_cap=usage_cap,
        difficulty_tolerance=difficulty_tolerance,
    )


def _draw_and_store(
    session: Session,
    pool: list[PoolItem],
    spec: Spec,
    *,
    position: str,
    campaign_id: int | None,
    worker_id: int | None,
    usage: dict[int, int] | None,
    seed: int,
    usage_cap: int | None,
    difficulty_tolerance: float,
) -> AssembledFormRecord:
    """Assemble from ``pool`` and store; ``usage`` (the campaign's counts) is brought up to date."""
    form = assemble_form(
        pool,
        spec,
        seed=seed,
        previous_item_ids=previous_item_ids(session, worker_id) if worker_id is not None else frozenset(),
        usage_counts=usage,
        usage_cap=usage_cap,
        difficulty_tolerance=difficulty_tolerance,
    )
    if usage is not None:
        for q in form.questions:
            usage[q.item_id] = usage.get(q.item_id, 0) + 1
    return store_form(session, form, campaign_id=campaign_id, worker_id=worker_id, position=position)
