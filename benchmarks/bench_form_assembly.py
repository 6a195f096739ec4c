"""Form assembly at campaign scale: speed, evenness of item use, parallelism of difficulty.

A synthetic active pool shaped like the target bank (per section ``--items`` items over 10
topics, about 70% for all positions, the rest for one to three positions, difficulty 1-5
centred on 3) serves ``--forms`` forms of the default 50 + 50 specification, one after another
as in a campaign: each form sees the usage counts of the forms before it, candidates cycle
through the six positions, and every tenth candidate is a re-attestation that must avoid the
items of an earlier form.

    .venv/bin/python benchmarks/bench_form_assembly.py [--forms 1000] [--items 220] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from question_bank import POSITIONS  # noqa: E402
from question_bank.assembly import assemble_form  # noqa: E402
from question_bank.blueprints import PoolItem, default_spec_for  # noqa: E402


def synthetic_pool(per_section: int, topics: int, seed: int) -> list[PoolItem]:
    rng = random.Random(seed)
    pool = []
    for s_index, section in enumerate(("legal", "functional")):
        for i in range(per_section):
            item_id = s_index * 100_000 + i + 1
            positions = None
            if rng.random() >= 0.7:
                positions = frozenset(rng.sample(POSITIONS, rng.randint(1, 3)))
            pool.append(
                PoolItem(
                    item_id=item_id,
                    version_id=item_id,
                    external_id=f"{section[:3].upper()}-{i:04d}",
                    section=section,
                    topic=f"{section[:3]}_t{i % topics}",
                    difficulty=float(rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5])),
                    option_count=rng.randint(3, 6),
                    positions=positions,
                )
            )
    return pool


def describe(values: list[float]) -> str:
    mean = statistics.mean(values)
    cv = statistics.pstdev(values) / mean if mean else 0.0
    return f"min {min(values):.0f} / mean {mean:.1f} / max {max(values):.0f}, CV {cv:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--items", type=int, default=220, help="active items per section")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tolerance", type=float, default=0.3)
    args = parser.parse_args()

    pool = synthetic_pool(args.items, 10, args.seed)
    pools = {p: [i for i in pool if i.applies_to(p)] for p in POSITIONS}
    specs = {p: default_spec_for("compliance", p) for p in POSITIONS}
    # Cap: 25% above what an even spread over the smallest position pool would give.
    smallest = min(len(v) for v in pools.values()) / 2
    cap = int(args.forms * 50 / smallest * 1.25) + 1
    usage: Counter[int] = Counter()
    rng = random.Random(args.seed)
    forms = []
    repeats = over_cap = outside = 0
    start = time.perf_counter()
    for n in range(args.forms):
        position = POSITIONS[n % len(POSITIONS)]
        previous: set[int] = set()
        if n % 10 == 9 and forms:
            previous = set(rng.choice(forms).item_ids)
        form = assemble_form(
            pools[position],
            specs[position],
            seed=rng.getrandbits(63),
            previous_item_ids=previous,
            usage_counts=usage,
            usage_cap=cap,
            difficulty_tolerance=args.tolerance,
        )
        usage.update(form.item_ids)
        forms.append(form)
        repeats += form.repeats
        over_cap += form.over_cap
        outside += not form.within_tolerance
    elapsed = time.perf_counter() - start

    all_items = [usage[p.item_id] for p in pool if p.positions is None]
    every = [usage[p.item_id] for p in pool]
    deviations = [f.mean_difficulty - f.target_difficulty for f in forms]
    means = [f.mean_difficulty for f in forms]
    print(f"pool: {len(pool)} active items ({args.items} per section, {len(all_items)} for all positions)")
    print(f"forms: {args.forms} × 100 questions, default 50 + 50 specification, usage cap {cap}")
    print(f"time: {elapsed:.2f} s total, {elapsed / args.forms * 1000:.2f} ms per form")
    print(f"usage, items for all positions: {describe(all_items)}")
    print(f"usage, every item: {describe(every)}")
    print(
        f"form mean difficulty: {min(means):.2f} .. {max(means):.2f} (sd {statistics.pstdev(means):.3f}); "
        f"max |form mean - target| {max(abs(d) for d in deviations):.3f}; outside tolerance: {outside}"
    )
    print(f"re-attestations: {args.forms // 10}, repeated items: {repeats}; items over the cap: {over_cap}")


if __name__ == "__main__":
    main()
