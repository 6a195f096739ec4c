"""Drawing one candidate's form from the active pool: a pure function of its inputs and a seed.

Priorities, most important first (a lower one yields whenever it would break a higher one):

1. **Exact counts** per section and per topic quota — a form that breaks the specification is
   never produced; if the pool cannot fill a cell at all, assembly refuses.
2. **No repeats** of the candidate's previous attempt (re-attestation, §27.2); a previous item
   is used only when its cell would otherwise be short, and ``repeats`` says how many.
3. **Usage cap**: items already used ``usage_cap`` times in the campaign are used only when
   the cell is otherwise short (``over_cap`` says how many).
4. **Even exposure**: among acceptable items the least used in the campaign come first, ties
   broken at random; a campaign therefore walks through the whole pool before reusing items.
5. **Parallel difficulty**: the form's mean difficulty must lie within ``difficulty_tolerance``
   of the mean a random form would have (each cell's pool mean, weighted by the cell's count;
   with equal sections this is the pool's mean). If the draw misses, items are swapped with
   unused ones of the same cell and the same or better standing on 2-3, least used first.

Reproducible: everything random comes from one ``random.Random(seed)`` consumed in a fixed
order over the pool sorted by item id, so the same pool, specification, history and seed give
the same form, whatever order the pool was read in.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from attestation.db import DomainError
from question_bank.blueprints import PoolItem, Spec

MAX_SWAPS = 200


@dataclass(frozen=True)
class FormQuestion:
    item_id: int
    version_id: int
    external_id: str
    section: str
    topic: str
    difficulty: float
    option_order: tuple[int, ...]


@dataclass(frozen=True)
class AssembledForm:
    seed: int
    spec: Spec
    questions: tuple[FormQuestion, ...]
    repeats: int
    over_cap: int
    mean_difficulty: float
    target_difficulty: float
    within_tolerance: bool

    @property
    def item_ids(self) -> list[int]:
        return [q.item_id for q in self.questions]

    @property
    def version_ids(self) -> list[int]:
        return [q.version_id for q in self.questions]


def assemble_form(
    pool: Iterable[PoolItem],
    blueprint: Spec,
    *,
    seed: int,
    previous_item_ids: Collection[int] = frozenset(),
    usage_counts: Mapping[int, int] | None = None,
    usage_cap: int | None = None,
    difficulty_tolerance: float = 0.3,
    position: str | None = None,
) -> AssembledForm:
    """Draw a form satisfying ``blueprint`` exactly; ``position`` narrows the pool first."""
    rng = random.Random(seed)
    usage = usage_counts or {}
    previous = frozenset(previous_item_ids)
    items = sorted((p for p in pool if position is None or p.applies_to(position)), key=lambda p: p.item_id)
    if len({p.item_id for p in items}) != len(items):
        raise DomainError("pool_duplicate", "The pool holds two versions of one item.")

    def tier(p: PoolItem) -> int:
        capped = usage_cap is not None and usage.get(p.item_id, 0) >= usage_cap
        return (2 if p.item_id in previous else 0) + (1 if capped else 0)

    buckets: dict[tuple[str, str], list[PoolItem]] = {}
    for p in items:
        cell = blueprint.cell_of(p)
        if cell is not None:
            buckets.setdefault(cell, []).append(p)

    selected: dict[tuple[str, str], list[PoolItem]] = {}
    spare: dict[tuple[str, str], list[PoolItem]] = {}
    target_sum = 0.0
    for section, topic, needed in blueprint.cells():
        bucket = buckets.get((section, topic), [])
        if len(bucket) < needed:
            raise DomainError(
                "pool_short",
                f"{blueprint.code}: {section} × {topic} has {len(bucket)} items, a form needs {needed}.",
                section=section,
                topic=topic,
            )
        keys = {p.item_id: (tier(p), usage.get(p.item_id, 0), rng.random()) for p in bucket}
        ranked = sorted(bucket, key=lambda p: keys[p.item_id])
        selected[(section, topic)] = ranked[:needed]
        spare[(section, topic)] = ranked[needed:]
        if needed:
            target_sum += needed * sum(p.difficulty for p in bucket) / len(bucket)

    total = blueprint.total
    target = target_sum / total
    _balance_difficulty(selected, spare, tier, target, difficulty_tolerance, total)

    chosen = [p for cell in selected.values() for p in cell]
    rng.shuffle(chosen)
    questions = []
    for p in chosen:
        order = list(range(p.option_count))
        rng.shuffle(order)
        questions.append(
            FormQuestion(
                p.item_id, p.version_id, p.external_id, p.section, p.topic, p.difficulty, tuple(order)
            )
        )
    mean = sum(p.difficulty for p in chosen) / total
    return AssembledForm(
        seed=seed,
        spec=blueprint,
        questions=tuple(questions),
        repeats=sum(1 for p in chosen if p.item_id in previous),
        over_cap=sum(1 for p in chosen if usage_cap is not None and usage.get(p.item_id, 0) >= usage_cap),
        mean_difficulty=mean,
        target_difficulty=target,
        within_tolerance=abs(mean - target) <= difficulty_tolerance + 1e-9,
    )


def _balance_difficulty(
    selected: dict[tuple[str, str], list[PoolItem]],
    spare: dict[tuple[str, str], list[PoolItem]],
    tier: Callable[[PoolItem], int],
    target: float,
    tolerance: float,
    total: int,
) -> None:
    """Swap items within cells until the mean is within tolerance (or no swap helps).

    Each step takes the best-ranked spare item (least used) whose swap lands within tolerance;
    if none does, the swap that gets closest. Spares never displace an item of better standing
    on repeats or the usage cap; the item swapped out is the last drawn (most used) of its
    difficulty. Items are compared in groups of equal (difficulty, tier), which keeps a step
    cheap however large the pool.
    """
    current = sum(p.difficulty for cell in selected.values() for p in cell)
    groups = {cell: _groups(selected[cell], spare[cell], tier) for cell in selected}
    for _ in range(MAX_SWAPS):
        deviation = current / total - target
        if abs(deviation) <= tolerance:
            return
        best: tuple | None = None
        for cell, (out_groups, in_groups) in groups.items():
            for (a_diff, a_tier), ai in in_groups.items():
                for (s_diff, s_tier), si in out_groups.items():
                    if a_tier > s_tier or a_diff == s_diff:
                        continue
                    after = abs(deviation + (a_diff - s_diff) / total)
                    if after >= abs(deviation):
                        continue
                    rank = (0, ai, after) if after <= tolerance else (1, after, ai)
                    if best is None or rank < best[0]:
                        best = (rank, cell, si, ai)
        if best is None:
            return
        _, cell, si, ai = best
        a, s = spare[cell][ai], selected[cell][si]
        selected[cell][si], spare[cell][ai] = a, s
        current += a.difficulty - s.difficulty
        groups[cell] = _groups(selected[cell], spare[cell], tier)


def _groups(
    chosen: list[PoolItem], spares: list[PoolItem], tier: Callable[[PoolItem], int]
) -> tuple[dict[tuple[float, int], int], dict[tuple[float, int], int]]:
    """(difficulty, tier) → index of the last chosen item, and of the first (best) spare."""
    out_groups = {(p.difficulty, tier(p)): i for i, p in enumerate(chosen)}
    in_groups: dict[tuple[float, int], int] = {}
    for i, p in enumerate(spares):
        in_groups.setdefault((p.difficulty, tier(p)), i)
    return out_groups, in_groups
