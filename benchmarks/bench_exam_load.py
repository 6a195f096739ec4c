"""Exam delivery under load: virtual candidates over HTTP against ``attest serve``.

An asyncio client (aiohttp) on the same machine drives each virtual candidate through the real
pages and API: login, cabinet, prepare (system check, consent, language), rules, start, the
test page (with its static files); then, until the hold ends, it saves an answer to a random
question every Exp(mean 20 s) and syncs the timer every 30 s (±10%); then it submits and opens
the result. Starts are spread uniformly at random over the ramp. Every request is timed by
kind; an error is a status other than the expected one, a refused step, an exception or a
timeout (10 s). A save without an answer is retried with the same sequence number, as the
test page does. After the run the database is checked: for every attempt, the stored steps
(position, response, client_seq) are exactly the ones the client sent and saw accepted, in
order; the audit chain must be intact and every submitted attempt scored.

    .venv/bin/python benchmarks/bench_exam_load.py --backend sqlite --candidates 500 --ramp 60 --hold 90
    .venv/bin/python benchmarks/bench_exam_load.py --backend postgresql --search
    .venv/bin/python benchmarks/bench_exam_load.py --backend sqlite --start-peak [--forms start]

The server is a subprocess (``attest serve``, gunicorn gthread) on a fresh database that the
script builds (SQLite file in a temporary directory, or database ``attest_bench`` on a
PostgreSQL server of the benchmark's own, port 55433, started with scripts/pg-test-server.sh
and stopped afterwards). Only 127.0.0.1 is used. Everything is bounded: each candidate's loop
ends with the hold, each request times out after 10 s, each run has a hard time limit and the
search a total budget (``--max-minutes``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_exam_data as data  # noqa: E402
import bench_exam_proc as proc  # noqa: E402

CORES = len(os.sched_getaffinity(0))
SAVE_MEAN_SECONDS = 20.0
SYNC_SECONDS = 30.0
REQUEST_TIMEOUT = 10.0
P99_LIMIT_MS = 200.0
SAVE_RETRIES = 3
STATIC = ("/static/app.css", "/static/exam/test.css", "/static/exam/test.js")
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PAYLOAD = re.compile(r'<script type="application/json" id="exam-data">(.*?)</script>', re.S)
START_KINDS = (
    "login_page",
    "login",
    "home",
    "cabinet",
    "exam_page",
    "prepare",
    "rules",
    "start",
    "test_page",
)


class RequestFailed(Exception):
    pass


@dataclass
class Sample:
    kind: str
    at: float  # seconds since the run began (request start)
    ms: float
    ok: bool


@dataclass
class Run:
    """What one run measured."""

    backend: str
    candidates: int
    workers: int
    ramp: float
    hold: float
    forms: str
    samples: list[Sample] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    error_examples: list[str] = field(default_factory=list)
    start_seconds: list[float] = field(default_factory=list)  # login page → test page, per candidate
    started: int = 0
    submitted_ids: set[int] = field(default_factory=set)
    sent: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    loop_lag_ms: list[float] = field(default_factory=list)

    def error(self, kind: str, text: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if len(self.error_examples) < 12:
            self.error_examples.append(f"{kind}: {text[:200]}")


# --- one virtual candidate -----------------------------------------------------------------------------


class Client:
    def __init__(self, run: Run, session: aiohttp.ClientSession, t0: float) -> None:
        self.run = run
        self.http = session
        self.t0 = t0

    async def request(
        self, kind: str, method: str, path: str, *, expect: int, **kwargs: Any
    ) -> tuple[aiohttp.ClientResponse, bytes]:
        if path.startswith("http"):
            path = "/" + path.split("/", 3)[3]  # an absolute Location: keep the path only
        began = time.monotonic()
        try:
            async with self.http.request(method, path, allow_redirects=False, **kwargs) as response:
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            ms = (time.monotonic() - began) * 1000
            self.run.samples.append(Sample(kind, began - self.t0, ms, False))
            self.run.error(kind, f"{type(exc).__name__}: {exc}")
            raise RequestFailed(kind) from exc
        ms = (time.monotonic() - began) * 1000
        ok = response.status == expect
        self.run.samples.append(Sample(kind, began - self.t0, ms, ok))
        if not ok:
            self.run.error(kind, f"HTTP {response.status} on {method} {path}: {body[:120]!r}")
            raise RequestFailed(kind)
        return response, body


def _csrf(body: bytes, pattern: re.Pattern[str] = CSRF_INPUT) -> str:
    match = pattern.search(body.decode("utf-8", "replace"))
    if not match:
        raise RequestFailed("no CSRF token")
    return match.group(1)


async def candidate(
    run: Run,
    index: int,
    who: data.Candidate,
    connector: aiohttp.BaseConnector,
    base: str,
    t0: float,
    start_at: float,
    hold_end: float,
    submit_at: float,
    seed: int,
) -> None:
    rng = random.Random(seed * 1_000_003 + index)
    await asyncio.sleep(max(0.0, t0 + start_at - time.monotonic()))
    async with aiohttp.ClientSession(
        base_url=base,
        connector=connector,
        connector_owner=False,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
        headers={"User-Agent": "bench-exam-load/1 (virtual candidate)", "Accept-Language": "ru"},
    ) as http:
        c = Client(run, http, t0)
        try:
            attempt_id, token, questions = await _start(c, who)
        except RequestFailed:
            return
        run.started += 1
        await _sit(c, rng, index, attempt_id, token, questions, hold_end)
        await asyncio.sleep(max(0.0, t0 + submit_at - time.monotonic()))
        try:
            _, body = await c.request(
                "submit",
                "POST",
                f"/api/v1/attempts/{attempt_id}/submit",
                expect=200,
                headers={"X-CSRFToken": token},
            )
            answer = json.loads(body)
            if not answer.get("ok"):
                run.error("submit", f"not ok: {answer}")
                return
            run.submitted_ids.add(attempt_id)
            await c.request("result", "GET", answer["result"], expect=200)
        except (RequestFailed, ValueError):
            return


async def _start(c: Client, who: data.Candidate) -> tuple[int, str, list[dict[str, Any]]]:
    """Login page → login → cabinet → prepare page → prepare → rules → start → test page."""
    began = time.monotonic()
    _, body = await c.request("login_page", "GET", "/login", expect=200)
    form = {"username": who.username, "password": data.PASSWORD, "csrf_token": _csrf(body)}
    response, _ = await c.request("login", "POST", "/login", expect=302, data=form)
    response, _ = await c.request("home", "GET", response.headers["Location"], expect=302)
    _, body = await c.request("cabinet", "GET", response.headers["Location"], expect=200)
    entry = f"/exam/{who.entry_id}"
    if entry.encode() not in body:
        c.run.error("cabinet", f"no link to {entry}")
        raise RequestFailed("cabinet")
    _, body = await c.request("exam_page", "GET", entry, expect=200)
    form = {
        "csrf_token": _csrf(body),
        "check_browser": "1",
        "check_camera": "1",
        "check_connection": "1",
        "consent": "1",
        "exam_lang": "ru",
    }
    response, _ = await c.request("prepare", "POST", f"{entry}/prepare", expect=302, data=form)
    if not response.headers["Location"].endswith("/rules"):
        c.run.error("prepare", f"redirected to {response.headers['Location']}")
        raise RequestFailed("prepare")
    _, body = await c.request("rules", "GET", response.headers["Location"], expect=200)
    response, _ = await c.request(
        "start", "POST", f"{entry}/start", expect=302, data={"csrf_token": _csrf(body)}
    )
    location = response.headers["Location"]
    if "/exam/attempt/" not in location:
        c.run.error("start", f"redirected to {location}")
        raise RequestFailed("start")
    _, body = await c.request("test_page", "GET", location, expect=200)
    html = body.decode("utf-8")
    match = PAYLOAD.search(html)
    if not match:
        c.run.error("test_page", "no exam payload")
        raise RequestFailed("test_page")
    payload = json.loads(match.group(1))
    token = _csrf(body, CSRF_META)
    for path in STATIC:
        await c.request("static", "GET", path, expect=200)
    c.run.start_seconds.append(time.monotonic() - began)
    return int(payload["attempt"]), token, payload["questions"]


async def _sit(
    c: Client,
    rng: random.Random,
    index: int,
    attempt_id: int,
    token: str,
    questions: list[dict[str, Any]],
    hold_end: float,
) -> None:
    """Save every Exp(20 s), sync every 30 s ±10%, until the hold ends."""
    device = f"bench-device-{index:06d}"
    sent = c.run.sent.setdefault(attempt_id, [])
    seq = 0
    now = time.monotonic() - c.t0
    next_save = now + rng.expovariate(1.0 / SAVE_MEAN_SECONDS)
    next_sync = now + rng.uniform(0, SYNC_SECONDS)
    headers = {"X-CSRFToken": token}
    for _ in range(100_000):  # bounded; the hold ends long before
        wake = min(next_save, next_sync)
        if wake >= hold_end:
            return
        await asyncio.sleep(max(0.0, c.t0 + wake - time.monotonic()))
        if next_save <= next_sync:
            q = rng.choice(questions)
            options = len(q["options"])
            if q["multiple"]:
                response = sorted(rng.sample(range(options), rng.randint(1, 2)))
            else:
                response = [rng.randrange(options)]
            seq += 1
            step = {"position": q["position"], "response": response, "seq": seq, "acked": None}
            sent.append(step)
            body = {
                "device": device,
                "steps": [
                    {
                        "position": q["position"],
                        "response": response,
                        "flagged": False,
                        "seq": seq,
                        "time": int(time.time() * 1000),
                    }
                ],
            }
            for attempt in range(SAVE_RETRIES):
                try:
                    _, raw = await c.request(
                        "save",
                        "POST",
                        f"/api/v1/attempts/{attempt_id}/steps",
                        expect=200,
                        json=body,
                        headers=headers,
                    )
                except RequestFailed:
                    if attempt + 1 < SAVE_RETRIES:
                        await asyncio.sleep(1.0)
                    continue
                answer = json.loads(raw)
                if seq in answer.get("accepted", []) and not answer.get("refused"):
                    step["acked"] = True
                else:
                    step["acked"] = False
                    c.run.error("save_refused", json.dumps(answer)[:200])
                break
            next_save = time.monotonic() - c.t0 + rng.expovariate(1.0 / SAVE_MEAN_SECONDS)
        else:
            try:
                _, raw = await c.request("sync", "GET", f"/api/v1/attempts/{attempt_id}/state", expect=200)
                state = json.loads(raw)
                if state.get("status") != "in_progress":
                    c.run.error("sync", f"status {state.get('status')}")
            except RequestFailed:
                pass
            next_sync = time.monotonic() - c.t0 + SYNC_SECONDS * rng.uniform(0.9, 1.1)


async def _loop_lag(run: Run, until: float) -> None:
    """How late the client's event loop wakes up: if this grows, the client is the bottleneck."""
    for _ in range(1_000_000):
        if time.monotonic() >= until:
            return
        began = time.monotonic()
        await asyncio.sleep(0.1)
        run.loop_lag_ms.append((time.monotonic() - began - 0.1) * 1000)


async def drive(
    run: Run,
    people: list[data.Candidate],
    port: int,
    submit_spread: float,
    seed: int,
    on_hold: Any,
) -> None:
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(seed)
    starts = sorted(rng.uniform(0, run.ramp) for _ in people)
    hold_end = run.ramp + run.hold
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=1.0, ttl_dns_cache=None)
    t0 = time.monotonic() + 0.5
    tasks = [
        asyncio.create_task(
            candidate(
                run,
                i,
                who,
                connector,
                base,
                t0,
                starts[i],
                hold_end,
                hold_end + rng.uniform(0, submit_spread),
                seed,
            )
        )
        for i, who in enumerate(people)
    ]
    total = run.ramp + run.hold + submit_spread
    lag = asyncio.create_task(_loop_lag(run, t0 + total))
    marks = asyncio.create_task(on_hold(t0))
    try:
        # The hard limit: the whole run plus the longest a straggler can take (retries, timeouts).
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=total + 4 * REQUEST_TIMEOUT + 60)
    except TimeoutError:
        run.error("run", "hard time limit reached; unfinished candidates cancelled")
    finally:
        for task in (*tasks, lag, marks):
            task.cancel()
        await asyncio.gather(*tasks, lag, marks, return_exceptions=True)
        await connector.close()


# --- one run -------------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


@dataclass
class Result:
    backend: str
    candidates: int
    workers: int
    forms: str
    ramp: float
    hold: float
    started: int
    requests: int
    req_per_s_hold: float
    saves_hold: int
    save_p50: float
    save_p95: float
    save_p99: float
    save_max: float
    save_p99_ramp: float
    save_p99_all: float
    sync_p99: float
    submit_p99: float
    start_p50: float
    start_p99: float
    start_max: float
    start_kinds_p99: dict[str, float]
    errors: int
    error_kinds: dict[str, int]
    error_examples: list[str]
    check: str
    check_ok: bool
    setup_seconds: float
    forms_seconds: float | None
    cpu_hold: dict[str, float]
    cpu_ramp: dict[str, float]
    loop_lag_p99_ms: float
    loop_lag_max_ms: float
    load_before: str
    load_after: str
    server_processes: int

    @property
    def passed(self) -> bool:
        return (
            self.started == self.candidates
            and self.errors == 0
            and self.check_ok
            and self.save_p99 < P99_LIMIT_MS
        )


def one_run(args: argparse.Namespace, candidates: int, ramp: float, hold: float) -> Result:
    tmp = Path(tempfile.mkdtemp(prefix="attest-bench-"))
    pg: proc.Postgres | None = None
    server: proc.Server | None = None
    pg_name = "attest_bench"
    try:
        if args.backend == "sqlite":
            url = f"sqlite:///{tmp / 'bench.db'}"
            workers = args.workers or 1
        else:
            pg = proc.Postgres(args.pg_port)
            admin = pg.start()
            url = data.create_pg_database(admin, pg_name)
            workers = args.workers or 0  # attest serve's default: 2 × cores + 1
        print(
            f"\n== {args.backend}: {candidates} candidates, ramp {ramp:.0f} s, hold {hold:.0f} s, "
            f"forms {args.forms}; load average {proc.loadavg()}",
            flush=True,
        )
        prepared = data.prepare_database(url, candidates, forms=args.forms)
        forms_note = (
            "" if prepared.forms_seconds is None else f", forms ({args.forms}) {prepared.forms_seconds:.1f} s"
        )
        print(f"   data: {prepared.setup_seconds:.1f} s{forms_note}", flush=True)
        port = args.port or proc.free_port()
        server = proc.Server(url, tmp, port, workers)
        server.wait_ready()
        processes = server.worker_count()
        run = Run(args.backend, candidates, processes, ramp, hold, args.forms)
        database_pid = pg.postmaster_pid() if pg else None
        samples: dict[str, proc.CpuSample] = {}
        load_before = proc.loadavg()

        async def on_hold(t0: float) -> None:
            samples["begin"] = proc.cpu_sample(server.pid, database_pid)
            await asyncio.sleep(max(0.0, t0 + ramp - time.monotonic()))
            samples["ramp_end"] = proc.cpu_sample(server.pid, database_pid)
            await asyncio.sleep(max(0.0, t0 + ramp + hold - time.monotonic()))
            samples["hold_end"] = proc.cpu_sample(server.pid, database_pid)

        asyncio.run(drive(run, prepared.candidates, port, args.submit_spread, args.seed, on_hold))
        load_after = proc.loadavg()
        server.stop()
        server = None
        check = data.check_stored(url, run.sent, run.submitted_ids)
        return summarise(run, check, prepared, samples, load_before, load_after, processes)
    finally:
        if server is not None:
            server.stop()
        if pg is not None:
            if not args.keep:
                data.drop_pg_database(pg.url, pg_name)
            if not args.keep_pg:
                pg.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"   kept: {tmp}")


def summarise(
    run: Run,
    check: data.StoredCheck,
    prepared: data.Prepared,
    samples: dict[str, proc.CpuSample],
    load_before: str,
    load_after: str,
    processes: int,
) -> Result:
    hold_from, hold_to = run.ramp, run.ramp + run.hold
    in_hold = [s for s in run.samples if hold_from <= s.at < hold_to]
    saves_hold = [s.ms for s in in_hold if s.kind == "save"]
    by_kind: dict[str, list[float]] = {}
    for s in run.samples:
        by_kind.setdefault(s.kind, []).append(s.ms)
    cpu_hold = (
        proc.cpu_share(samples["ramp_end"], samples["hold_end"])
        if "ramp_end" in samples and "hold_end" in samples
        else {}
    )
    cpu_ramp = proc.cpu_share(samples["begin"], samples["ramp_end"]) if "ramp_end" in samples else {}
    return Result(
        backend=run.backend,
        candidates=run.candidates,
        workers=processes,
        forms=run.forms,
        ramp=run.ramp,
        hold=run.hold,
        started=run.started,
        requests=len(run.samples),
        req_per_s_hold=len(in_hold) / run.hold if run.hold else math.nan,
        saves_hold=len(saves_hold),
        save_p50=pct(saves_hold, 50),
        save_p95=pct(saves_hold, 95),
        save_p99=pct(saves_hold, 99),
        save_max=max(saves_hold) if saves_hold else math.nan,
        save_p99_ramp=pct([s.ms for s in run.samples if s.kind == "save" and s.at < hold_from], 99),
        save_p99_all=pct(by_kind.get("save", []), 99),
        sync_p99=pct([s.ms for s in in_hold if s.kind == "sync"], 99),
        submit_p99=pct(by_kind.get("submit", []), 99),
        start_p50=pct(run.start_seconds, 50),
        start_p99=pct(run.start_seconds, 99),
        start_max=max(run.start_seconds) if run.start_seconds else math.nan,
        start_kinds_p99={k: round(pct(by_kind.get(k, []), 99), 1) for k in START_KINDS},
        errors=sum(run.errors.values()),
        error_kinds=dict(run.errors),
        error_examples=list(run.error_examples),
        check=check.summary(),
        check_ok=check.ok,
        setup_seconds=prepared.setup_seconds,
        forms_seconds=prepared.forms_seconds,
        cpu_hold={k: round(v, 2) for k, v in cpu_hold.items()},
        cpu_ramp={k: round(v, 2) for k, v in cpu_ramp.items()},
        loop_lag_p99_ms=pct(run.loop_lag_ms, 99),
        loop_lag_max_ms=max(run.loop_lag_ms) if run.loop_lag_ms else math.nan,
        load_before=load_before,
        load_after=load_after,
        server_processes=processes,
    )


# --- output --------------------------------------------------------------------------------------------

HEADER = (
    "| candidates | backend | procs | req/s | save p50 / p95 / p99 / max ms | save p99 in ramp | sync p99 "
    "| start p50 / p99 s | errors | stored answers | CPU in hold: server / db / client / others | result |"
)


def row(r: Result) -> str:
    cpu = r.cpu_hold
    cpu_text = (
        f"{cpu.get('server', 0):.2f} / {cpu.get('database', 0):.2f} / {cpu.get('client', 0):.2f} / "
        f"{cpu.get('others', 0):.2f}"
    )
    stored = "OK" if r.check_ok else "FAILED"
    return (
        f"| {r.candidates} | {r.backend} | {r.server_processes} | {r.req_per_s_hold:.0f} | "
        f"{r.save_p50:.0f} / {r.save_p95:.0f} / {r.save_p99:.0f} / {r.save_max:.0f} | {r.save_p99_ramp:.0f} | "
        f"{r.sync_p99:.0f} | {r.start_p50:.1f} / {r.start_p99:.1f} | {r.errors} | {stored} | {cpu_text} | "
        f"{'pass' if r.passed else 'FAIL'} |"
    )


def report(r: Result) -> None:
    print(HEADER)
    print("|---" * (HEADER.count("|") - 1) + "|")
    print(row(r))
    print(
        f"   started {r.started}/{r.candidates}; {r.requests} requests; {r.saves_hold} saves in the hold; "
        f"submit p99 {r.submit_p99:.0f} ms"
    )
    print(f"   start steps p99 ms: {r.start_kinds_p99}; start max {r.start_max:.1f} s")
    print(f"   CPU (cores) in ramp: {r.cpu_ramp}; in hold: {r.cpu_hold}")
    print(
        f"   client event-loop lag p99 {r.loop_lag_p99_ms:.0f} ms, max {r.loop_lag_max_ms:.0f} ms; "
        f"load average before {r.load_before}, after {r.load_after}"
    )
    print(f"   stored answers: {r.check}")
    if r.errors:
        print(f"   errors: {r.error_kinds}")
        for line in r.error_examples:
            print(f"     {line}")


def save_json(path: str | None, r: Result) -> None:
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(r), ensure_ascii=False, default=str) + "\n")


# --- command line --------------------------------------------------------------------------------------


def default_ramp(candidates: int) -> float:
    """Search runs start candidates at 20 per second (at least 30 s): steady state is what they measure."""
    return max(30.0, candidates / 20.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--candidates", type=int, default=None, help="default 500 (1000 with --start-peak)")
    parser.add_argument("--ramp", type=float, default=None, help="seconds over which candidates start")
    parser.add_argument("--hold", type=float, default=None, help="seconds all candidates sit together")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn processes (default: attest serve's)")
    parser.add_argument("--start-peak", action="store_true", help="1,000 candidates start within 60 s")
    parser.add_argument("--search", action="store_true", help="step the candidates up until a run fails")
    parser.add_argument("--steps", default="250,500,1000,1500,2000,2500,3000,4000,5000")
    parser.add_argument(
        "--forms",
        choices=data.FORMS_MODES,
        default=None,
        help="service: prepare_forms ahead (timed); bulk: same forms, fast set-up; start: assembled at start "
        "(default: bulk for --search, service otherwise)",
    )
    parser.add_argument("--submit-spread", type=float, default=20.0, help="submits spread over this many s")
    parser.add_argument("--max-minutes", type=float, default=22.0, help="time budget of a search")
    parser.add_argument("--pg-port", type=int, default=55433)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", default=None, help="append each run's figures to this JSON-lines file")
    parser.add_argument("--keep", action="store_true", help="keep the database and server log")
    parser.add_argument("--keep-pg", action="store_true", help="leave the benchmark's PostgreSQL running")
    args = parser.parse_args()
    if args.forms is None:
        args.forms = "bulk" if args.search else "service"
    print(
        f"machine: {CORES} cores, load average {proc.loadavg()}; client: asyncio + aiohttp {aiohttp.__version__}"
    )

    if not args.search:
        candidates = args.candidates or (1000 if args.start_peak else 500)
        ramp = args.ramp if args.ramp is not None else (60.0 if args.start_peak else default_ramp(candidates))
        hold = args.hold if args.hold is not None else (60.0 if args.start_peak else 90.0)
        result = one_run(args, candidates, ramp, hold)
        report(result)
        save_json(args.json, result)
        print(f"candidates per core: {candidates / CORES:.0f} ({'pass' if result.passed else 'FAIL'})")
        return

    began = time.monotonic()
    best: Result | None = None
    results = []
    for n in (int(x) for x in args.steps.split(",")):
        ramp = args.ramp if args.ramp is not None else default_ramp(n)
        hold = args.hold if args.hold is not None else 90.0
        expected = ramp + hold + args.submit_spread + 60 + n / 100  # run, set-up, check
        spent = time.monotonic() - began
        if spent + expected > args.max_minutes * 60:
            print(
                f"\nsearch budget: {n} would end after {(spent + expected) / 60:.0f} min "
                f"(budget {args.max_minutes:.0f}); stopping"
            )
            break
        result = one_run(args, n, ramp, hold)
        report(result)
        save_json(args.json, result)
        results.append(result)
        if not result.passed:
            break
        best = result
    print("\n" + HEADER)
    print("|---" * (HEADER.count("|") - 1) + "|")
    for r in results:
        print(row(r))
    if best is None:
        print(
            f"\n{args.backend}: no step passed (p99 save < {P99_LIMIT_MS:.0f} ms, zero errors, all answers stored)"
        )
    else:
        print(
            f"\n{args.backend}: largest passing step {best.candidates} candidates "
            f"= {best.candidates / CORES:.0f} per core (target 1,000 per core); "
            f"search took {(time.monotonic() - began) / 60:.1f} min"
        )


if __name__ == "__main__":
    main()
