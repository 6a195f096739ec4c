"""What one request of each kind costs the server in CPU, measured in-process without concurrency.

A companion to ``bench_exam_load.py``: it explains the capacity the load benchmark finds. It
builds the same kind of database (SQLite file or PostgreSQL database ``attest_bench_cost``),
drives ``--candidates`` candidates through the real views with Flask's test client, one request
at a time, and reports the CPU time of the Python process per request kind (median), the CPU
each sitting candidate costs per second (a save every 20 s, a sync every 30 s), and a profile
of the save request.

    .venv/bin/python benchmarks/bench_exam_cost.py [--backend sqlite|postgresql] [--candidates 20]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PAYLOAD = re.compile(r'<script type="application/json" id="exam-data">(.*?)</script>', re.S)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--saves", type=int, default=20, help="saves (and syncs) per candidate")
    parser.add_argument("--forms", choices=("service", "start"), default="service")
    parser.add_argument("--pg-port", type=int, default=55433)
    parser.add_argument("--app-root", default=None)
    parser.add_argument(
        "--profile", default="save", help="the request kind to profile (save, test_page, ...)"
    )
    parser.add_argument("--sort", default="cumulative", help="the profile's order (cumulative, tottime)")
    parser.add_argument("--show-statements", default=None, help="print the SQL of one request of this kind")
    args = parser.parse_args()
    if args.app_root:
        os.environ["ATTEST_BENCH_APP_ROOT"] = str(Path(args.app_root).resolve())
    import bench_exam_data as data
    import bench_exam_proc as proc

    pg = None
    tmp = Path(tempfile.mkdtemp(prefix="attest-cost-"))
    if args.backend == "sqlite":
        url = f"sqlite:///{tmp / 'cost.db'}"
    else:
        pg = proc.Postgres(args.pg_port)
        url = data.create_pg_database(pg.start(), "attest_bench_cost")
    try:
        prepared = data.prepare_database(url, args.candidates, forms=args.forms)
        from exam_app import create_app

        app = create_app({"DATABASE_URL": url})
        costs = measure(
            app, prepared, data.PASSWORD, args.saves, args.profile, args.show_statements, args.sort
        )
    finally:
        if pg is not None:
            data.drop_pg_database(pg.url, "attest_bench_cost")
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"application: {data.ROOT}; backend {args.backend}; load average {proc.loadavg()}")
    print(
        "| request | CPU ms (median) | wall ms (median) | SQL statements (median) | n |\n|---|---|---|---|---|"
    )
    for kind, (cpu, wall) in costs["table"].items():
        count = statistics.median(costs["statements"][kind])
        print(
            f"| {kind} | {statistics.median(cpu):.1f} | {statistics.median(wall):.1f} | {count:.0f} | {len(cpu)} |"
        )
    save = statistics.median(costs["table"]["save"][0])
    sync = statistics.median(costs["table"]["sync"][0])
    start = sum(statistics.median(costs["table"][k][0]) for k in costs["start_kinds"])
    per_candidate = save / 20 + sync / 30
    print(
        f"\na sitting candidate costs {per_candidate:.2f} ms of server CPU per second "
        f"(save {save:.1f} ms / 20 s + sync {sync:.1f} ms / 30 s): one fully busy core holds at most "
        f"{1000 / per_candidate:.0f} candidates, before any queueing\n"
        f"a start (login page to test page and its static files) costs {start:.0f} ms of CPU: one core starts "
        f"at most {1000 / start:.1f} candidates per second; 1,000 starts need {start:.0f} CPU-seconds"
    )
    print(f"\nprofile of the {args.profile} request ({args.sort}, top 25):")
    print(costs["profile"])


def measure(app, prepared, password: str, saves: int, profiled_kind: str = "save", shown_kind=None, sort="cumulative") -> dict:  # type: ignore[no-untyped-def]
    """Each request's CPU, wall time and number of SQL statements (the round trips a server-based
    database pays for), per request kind."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    table: dict[str, tuple[list[float], list[float]]] = {}
    statements: dict[str, list[int]] = {}
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    start_kinds = [
        "login_page",
        "login",
        "home",
        "cabinet",
        "exam_page",
        "prepare",
        "rules",
        "start",
        "test_page",
        "static",
    ]
    profile = cProfile.Profile()
    rng = random.Random(1)
    last = len(prepared.candidates) - 1
    for number, who in enumerate(prepared.candidates):
        client = app.test_client()

        def timed(kind: str, method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
            seen.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            if kind == profiled_kind and number == last:  # noqa: B023 (called in this iteration)
                profile.enable()
            response = client.open(path, method=method, **kwargs)  # noqa: B023 (called in this iteration)
            profile.disable()
            cpus, walls = table.setdefault(kind, ([], []))
            cpus.append((time.process_time() - cpu) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
            statements.setdefault(kind, []).append(len(seen))
            if kind == shown_kind and number == last:  # noqa: B023 (called in this iteration)
                print(f"-- the {len(seen)} statements of one {kind} request:")
                print("\n".join(" ".join(s.split())[:300] for s in seen))
            assert response.status_code in (200, 302), (kind, response.status_code)
            return response

        page = timed("login_page", "GET", "/login")
        token = TOKEN.search(page.text).group(1)
        timed(
            "login",
            "POST",
            "/login",
            data={"username": who.username, "password": password, "csrf_token": token},
        )
        timed("home", "GET", "/")
        timed("cabinet", "GET", "/cabinet/")
        entry = f"/exam/{who.entry_id}"
        page = timed("exam_page", "GET", entry)
        token = TOKEN.search(page.text).group(1)
        form = {
            "csrf_token": token,
            "check_browser": "1",
            "check_camera": "1",
            "check_connection": "1",
            "consent": "1",
            "exam_lang": "ru",
        }
        timed("prepare", "POST", f"{entry}/prepare", data=form)
        timed("rules", "GET", f"{entry}/rules")
        response = timed("start", "POST", f"{entry}/start", data={"csrf_token": token})
        page = timed("test_page", "GET", response.headers["Location"])
        for path in ("/static/app.css", "/static/exam/test.css", "/static/exam/test.js"):
            timed("static", "GET", path)
        payload = json.loads(PAYLOAD.search(page.text).group(1))
        headers = {"X-CSRFToken": META.search(page.text).group(1)}
        attempt = payload["attempt"]
        for seq in range(1, saves + 1):
            q = rng.choice(payload["questions"])
            step = {
                "position": q["position"],
                "response": [rng.randrange(len(q["options"]))],
                "flagged": False,
                "seq": seq,
                "time": int(time.time() * 1000),
            }
            body = {"device": f"cost-device-{number:04d}", "steps": [step]}
            timed(
                "save",
                "POST",
                f"/api/v1/attempts/{attempt}/steps",
                json=body,
                headers=headers,
            )
            timed("sync", "GET", f"/api/v1/attempts/{attempt}/state")
        timed("submit", "POST", f"/api/v1/attempts/{attempt}/submit", headers=headers)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(sort).print_stats(25)
    text = out.getvalue()
    event.remove(Engine, "before_cursor_execute", count)
    return {
        "table": table,
        "statements": statements,
        "start_kinds": start_kinds,
        "profile": text[text.find("   ncalls") :],
    }


if __name__ == "__main__":
    main()
