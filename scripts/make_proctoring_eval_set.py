"""Build the proctoring frame-analysis evaluation set and, on request, score it.

    .venv/bin/python scripts/make_proctoring_eval_set.py                  # build into var/proctoring-eval/
    .venv/bin/python scripts/make_proctoring_eval_set.py --score heldout  # build, then print the figures

The images are generated, never committed: see proctoring/analysis/evalset.py for
where the source photos come from and how the labels follow from construction.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from proctoring.analysis import evalset, evaluation  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "proctoring-eval")
    parser.add_argument("--seed", type=int, default=evalset.SEED)
    parser.add_argument("--score", choices=[evalset.TUNE, evalset.HELDOUT], action="append", default=[])
    parser.add_argument("--errors", action="store_true", help="list every wrong frame after the table")
    parser.add_argument("--no-identity", action="store_true", help="skip the (slow) identity pairs")
    parser.add_argument("--thorough", action="store_true", help="score analyze_frame(..., thorough=True)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    labels = evalset.build(args.out, args.seed)
    print(
        f"{len(labels['frames'])} frames and {len(labels['identity'])} identity pairs in {args.out} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    for split in args.score:
        report = evaluation.score(args.out, split, identity=not args.no_identity, thorough=args.thorough)
        print(f"\n## {split}\n")
        print(evaluation.format_table(report))
        if args.errors:
            for file, kind, what in report.errors:
                print(f"  {what:32s} {kind:22s} {file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
