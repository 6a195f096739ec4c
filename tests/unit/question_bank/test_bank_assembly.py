from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from attestation.db import DomainError
from question_bank.assembly import assemble_form
from question_bank.blueprints import PoolItem, Spec, default_spec_for
from question_bank.models import ACTIVE, IN_REVIEW, Item
from question_bank.workflow import Actor, transition

SPEC = default_spec_for("compliance", "lmc_specialist")
QUOTA_SPEC = Spec(
    "quota",
    "initial",
    ("lmc_specialist",),
    topic_quotas={"legal": {"leg_t0": 7, "leg_t1": 5}, "functional": {"fun_t2": 9}},
)


def counts(form) -> Counter:  # type: ignore[no-untyped-def]
    return Counter(q.section for q in form.questions)


def test_exact_counts_per_section_and_topic(synthetic_pool: Callable[..., list[PoolItem]]) -> None:
    pool = synthetic_pool(200)
    form = assemble_form(pool, QUOTA_SPEC, seed=3, position="lmc_specialist")
    assert counts(form) == {"legal": 50, "functional": 50}
    topics = Counter(q.topic for q in form.questions)
    assert topics["leg_t0"] == 7 and topics["leg_t1"] == 5 and topics["fun_t2"] == 9
    assert len(set(form.item_ids)) == 100
    assert all(q.external_id for q in form.questions)
    assert all(p.applies_to("lmc_specialist") for p in pool if p.item_id in set(form.item_ids))
    assert all(sorted(q.option_order) == list(range(len(q.option_order))) for q in form.questions)


def test_same_seed_same_form_whatever_the_pool_order(synthetic_pool: Callable[..., list[PoolItem]]) -> None:
    pool = synthetic_pool(200)
    shuffled = pool[:]
    random.Random(9).shuffle(shuffled)
    usage = {p.item_id: i % 3 for i, p in enumerate(pool)}
    a = assemble_form(pool, SPEC, seed=42, usage_counts=usage, previous_item_ids={pool[0].item_id})
    b = assemble_form(shuffled, SPEC, seed=42, usage_counts=dict(usage), previous_item_ids={pool[0].item_id})
    assert a == b
    c = assemble_form(pool, SPEC, seed=43, usage_counts=usage)
    assert a.item_ids != c.item_ids


def test_question_and_option_orders_are_shuffled(synthetic_pool: Callable[..., list[PoolItem]]) -> None:
    form = assemble_form(synthetic_pool(200), SPEC, seed=5)
    sections = [q.section for q in form.questions]
    assert sections != sorted(sections) and sections != sorted(sections, reverse=True)
    assert any(list(q.option_order) != sorted(q.option_order) for q in form.questions)


def test_previous_attempt_is_avoided(synthetic_pool: Callable[..., list[PoolItem]]) -> None:
    pool = synthetic_pool(200)
    first = assemble_form(pool, SPEC, seed=1)
    second = assemble_form(pool, SPEC, seed=2, previous_item_ids=set(first.item_ids))
    assert not set(first.item_ids) & set(second.item_ids) and second.repeats == 0


def test_repeats_only_when_the_bank_is_short_and_they_are_counted(
    synthetic_pool: Callable[..., list[PoolItem]],
) -> None:
    pool = synthetic_pool(70)  # 70 per section
    first = assemble_form(pool, SPEC, seed=1)
    second = assemble_form(pool, SPEC, seed=2, previous_item_ids=set(first.item_ids))
    # 70 per section, 50 needed: 20 fresh + 30 repeats per section
    assert second.repeats == 60
    assert counts(second) == {"legal": 50, "functional": 50}
    fresh = {p.item_id for p in pool} - set(first.item_ids)
    assert fresh <= set(second.item_ids)


def test_usage_cap_and_least_used_first(synthetic_pool: Callable[..., list[PoolItem]]) -> None:
    pool = synthetic_pool(200)
    usage: Counter[int] = Counter()
    for seed in range(8):  # 8 forms × 50 per section over 200 items: each item used exactly twice
        form = assemble_form(pool, SPEC, seed=seed, usage_counts=usage, usage_cap=2)
        assert form.over_cap == 0
        usage.update(form.item_ids)
    assert set(usage.values()) == {2}
    capped = Counter({p.item_id: 5 for p in pool[:150]})  # legal: only 50 under the cap
    form = assemble_form(pool, SPEC, seed=11, usage_counts=capped, usage_cap=5)
    legal = {q.item_id for q in form.questions if q.section == "legal"}
    assert legal == {p.item_id for p in pool[150:200]} and form.over_cap == 0


def test_mean_difficulty_is_kept_within_tolerance(synthetic_pool: Callable[..., list[PoolItem]]) -> None:
    pool = synthetic_pool(200)
    # usage pushes the easy items to the front: an unbalanced draw unless the swap step works
    usage = {p.item_id: int(p.difficulty) for p in pool}
    unbalanced = assemble_form(pool, SPEC, seed=7, usage_counts=usage, difficulty_tolerance=5)
    assert unbalanced.mean_difficulty < unbalanced.target_difficulty - 0.3
    form = assemble_form(pool, SPEC, seed=7, usage_counts=usage, difficulty_tolerance=0.3)
    assert form.within_tolerance and abs(form.mean_difficulty - form.target_difficulty) <= 0.3
    assert counts(form) == {"legal": 50, "functional": 50}
    pool_mean = statistics.mean(p.difficulty for p in pool)
    assert abs(form.target_difficulty - pool_mean) < 0.1
    means = [assemble_form(pool, SPEC, seed=s, difficulty_tolerance=0.1).mean_difficulty for s in range(30)]
    assert max(means) - min(means) <= 0.2 + 1e-9


def test_pool_that_cannot_fill_a_cell_is_refused(synthetic_pool: Callable[..., list[PoolItem]]) -> None:
    with pytest.raises(DomainError) as err:
        assemble_form(synthetic_pool(40), SPEC, seed=1)
    assert err.value.code == "pool_short"
    pool = synthetic_pool(200)
    with pytest.raises(DomainError):
        assemble_form(pool + pool[:1], SPEC, seed=1)


def test_forms_are_stored_and_usage_counted(sourced: Session, make_item: Callable[..., Item]) -> None:
    from question_bank.forms import draw_form, previous_item_ids, usage_counts

    reviewer = Actor(2, "reviewer")
    for i in range(8):
        item = make_item(
            section="legal" if i < 4 else "functional", topic="t_leg" if i < 4 else "t_fun", tag=str(i)
        )
        transition(sourced, item.latest_version, IN_REVIEW, actor=reviewer)
        transition(sourced, item.latest_version, ACTIVE, actor=reviewer)
    spec = Spec("tiny", "initial", ("director",), {"legal": 2, "functional": 2})
    first = draw_form(sourced, spec, position="director", campaign_id=5, worker_id=77, seed=123)
    assert first.seed == 123 and len(first.entries) == 4 and first.spec["code"] == "tiny"
    assert all(sorted(e.option_order) == [0, 1, 2, 3] for e in first.entries)
    assert previous_item_ids(sourced, 77) == {e.item_id for e in first.entries}
    second = draw_form(sourced, spec, position="director", campaign_id=5, worker_id=77)
    assert second.repeats == 0
    assert not {e.item_id for e in first.entries} & {e.item_id for e in second.entries}
    assert sum(usage_counts(sourced, 5).values()) == 8 and usage_counts(sourced, 6) == {}


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    per_section=st.integers(80, 160),
    legal=st.integers(1, 50),
    quota=st.integers(0, 6),
    previous_share=st.floats(0, 1),
)
def test_any_servable_request_gives_an_exact_form(
    seed: int, per_section: int, legal: int, quota: int, previous_share: float
) -> None:
    rng = random.Random(seed)
    pool = [
        PoolItem(i, i + 1000, f"X-{i}", "legal" if i % 2 else "functional", f"t{i % 5}", rng.randint(1, 5), 4)
        for i in range(2 * per_section)
    ]
    spec = Spec("p", "initial", ("director",), {"legal": legal, "functional": 50 - legal + 1},
                {"legal": {"t1": min(quota, legal)}})  # fmt: skip
    previous = {p.item_id for p in pool if rng.random() < previous_share}
    form = assemble_form(pool, spec, seed=seed, previous_item_ids=previous)
    assert counts(form) == {"legal": legal, "functional": 51 - legal}
    assert sum(1 for q in form.questions if q.topic == "t1" and q.section == "legal") == min(quota, legal)
    assert len(set(form.item_ids)) == len(form.item_ids)
    # repeats only where a cell had too few fresh items
    fresh_available = {
        cell: sum(1 for p in pool if spec.cell_of(p) == cell and p.item_id not in previous)
        for cell in {spec.cell_of(p) for p in pool}
    }
    needed = {(s, t): n for s, t, n in spec.cells()}
    expected_repeats = sum(max(0, needed.get(c, 0) - n) for c, n in fresh_available.items())
    assert form.repeats == expected_repeats
