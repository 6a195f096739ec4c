"""``attest serve`` with the garbage collector observed (and, for an experiment, tuned).

``bench_exam_load.py --gc-log FILE`` starts the server through this module instead of the
``attest`` script: the same command, plus a ``gc.callbacks`` hook (inherited by gunicorn's
forked workers) that appends every collection of generation 2, and every one of 5 ms or more,
to FILE as ``pid monotonic_start generation ms collected``. CLOCK_MONOTONIC is shared by all
processes, so the pauses line up with the client's request times.

With the log, the same file also gets the server's slow moments as ``pid monotonic_start kind ms n``:
``commit`` for each answer-step batch of 30 ms or more (n: rows), ``request`` for each request of
100 ms or more, from the WSGI call to its return (n: requests in flight in the process when it
began), so that a stall is seen in the process where it happened.

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


def _watch_slow_moments(path: str, cli) -> None:  # type: ignore[no-untyped-def]
    import threading

    from exam_app.exam.step_writer import StepWriter

    def log(start: float, kind: str, ms: float, n: int) -> None:
        with open(path, "a", encoding="ascii") as fh:
            fh.write(f"{os.getpid()} {start:.4f} {kind} {ms:.1f} {n}\n")

    commit = StepWriter._commit

    def timed_commit(self, rows):  # type: ignore[no-untyped-def]
        start = time.monotonic()
        try:
            commit(self, rows)
        finally:
            ms = (time.monotonic() - start) * 1000
            if ms >= 30:
                log(start, "commit", ms, len(rows))

    StepWriter._commit = timed_commit
    build = cli.create_app
    in_flight = [0]
    lock = threading.Lock()

    def create_app_watched():  # type: ignore[no-untyped-def]
        app = build()
        inner = app.wsgi_app

        def wsgi_app(environ, start_response):  # type: ignore[no-untyped-def]
            start = time.monotonic()
            with lock:
                in_flight[0] += 1
                n = in_flight[0]
            try:
                return inner(environ, start_response)
            finally:
                with lock:
                    in_flight[0] -= 1
                ms = (time.monotonic() - start) * 1000
                if ms >= 100:
                    log(start, "request", ms, n)

        app.wsgi_app = wsgi_app
        return app

    cli.create_app = create_app_watched


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

    from exam_app import cli

    if path:
        gc.callbacks.append(hook)
        _watch_slow_moments(path, cli)

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
