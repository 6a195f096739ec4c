"""``attest serve`` with the garbage collector observed (and, for an experiment, tuned).

``bench_exam_load.py --gc-log FILE`` starts the server through this module instead of the
``attest`` script: the same command, plus a ``gc.callbacks`` hook (inherited by gunicorn's
forked workers) that appends every collection of generation 2, and every one of 5 ms or more,
to FILE as ``pid monotonic_start generation ms collected``. CLOCK_MONOTONIC is shared by all
processes, so the pauses line up with the client's request times.

``--gc-tune`` (environment ATTEST_BENCH_GC_TUNE=1) is a what-if experiment, not the
application as shipped: ``gc.freeze()`` once each worker has built the app (default
thresholds), so that full collections no longer walk the ~150,000 objects made at start-up.
With ATTEST_BENCH_GC_TUNE=threshold the generation-0 threshold is also raised to 50,000. The
application's files are not changed; the wrapper sets this on the process.
"""

from __future__ import annotations

import gc
import os
import sys
import time


def main() -> None:
    path = os.environ.get("ATTEST_BENCH_GC_LOG")
    began: dict[int, float] = {}

    def hook(phase: str, info: dict[str, int]) -> None:
        pid = os.getpid()
        if phase == "start":
            began[pid] = time.monotonic()
            return
        start = began.pop(pid, None)
        if start is None:
            return
        ms = (time.monotonic() - start) * 1000
        if ms >= 5 or info["generation"] == 2:
            with open(path, "a", encoding="ascii") as fh:
                fh.write(f"{pid} {start:.4f} {info['generation']} {ms:.1f} {info['collected']}\n")

    if path:
        gc.callbacks.append(hook)
    from exam_app import cli

    tune = os.environ.get("ATTEST_BENCH_GC_TUNE")
    if tune:
        if tune == "threshold":
            gc.set_threshold(50_000, 20, 20)
        build = cli.create_app

        def create_app_then_freeze():  # type: ignore[no-untyped-def]
            app = build()
            gc.collect()
            gc.freeze()
            return app

        cli.create_app = create_app_then_freeze  # what gunicorn's worker calls in _App.load()
    attest = cli.main

    sys.argv = ["attest", *sys.argv[1:]]
    attest()


if __name__ == "__main__":
    main()
