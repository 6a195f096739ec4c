"""Exam delivery under load: virtual candidates over HTTP against ``attest serve``.

An asyncio client (aiohttp) on the same machine drives each virtual candidate through the real
pages and API: login page, login, cabinet, the exam page, prepare (system check, consent,
language), rules, start, the test page and its static files; then, until the run ends, it
saves an answer to a random question every Exp(mean 20 s) (single choice: one option,
multiple choice: one or two) with its sequence number going up by one, and syncs the timer
every 30 s (±10%); at the end it submits and opens the result. Every request is timed by
kind. An error is a status other than the expected one, a refused step, an exception or a
timeout (10 s); a save without an answer is retried with the same sequence number, as the test
page does. After the run the database is checked: for every attempt, the stored steps
(position, response, client_seq) are exactly the ones the client sent and saw accepted, in
order; every submitted attempt must be scored and the audit chain intact.

A run is a list of stages. A stage starts its new candidates, spread uniformly at random over
its ramp, then holds for ``--hold`` seconds with everyone saving; the stage's save latency is
measured in the hold, its errors over ramp and hold. A single run is one stage::

    .venv/bin/python benchmarks/bench_exam_load.py --backend sqlite --candidates 500 --ramp 60 --hold 90
    .venv/bin/python benchmarks/bench_exam_load.py --backend postgresql --start-peak [--forms start]

``--search`` steps the number of candidates up (250, 500, 1000, 1500, ...) in one server run,
candidates of earlier steps staying in their test (a staircase: the logins of every step are
made once, at ``--start-rate`` per second), and stops at the first step whose hold p99 save
latency reaches 200 ms or that has any error; it reports the largest passing step::

    .venv/bin/python benchmarks/bench_exam_load.py --backend sqlite --search

The server is a subprocess (``attest serve``: gunicorn gthread) on a fresh database the script
builds: an SQLite file in a temporary directory, or database ``attest_bench`` on a PostgreSQL
server of the benchmark's own (port 55433, started with scripts/pg-test-server.sh and stopped
afterwards). Only 127.0.0.1 is used. Everything is bounded: a candidate's loop ends with the
run, each request times out after 10 s, a run has a hard time limit and the search a total
budget (``--max-minutes``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
data: Any = None  # bench_exam_data and bench_exam_proc, imported once the application root is known
proc: Any = None


def _import_helpers(app_root: str | None) -> None:
    """Point the helpers (and the server they start) at the application under test, then import them."""
    global data, proc
    if app_root:
        os.environ["ATTEST_BENCH_APP_ROOT"] = str(Path(app_root).resolve())
    import bench_exam_data
    import bench_exam_proc

    data, proc = bench_exam_data, bench_exam_proc


CORES = len(os.sched_getaffinity(0))
SAVE_MEAN_SECONDS = 20.0
SYNC_SECONDS = 30.0
REQUEST_TIMEOUT = 10.0
P99_LIMIT_MS = 200.0
MIN_START_RATE = 0.5  # starts per second below which a gated ramp gives up
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
    "static",
)


class RequestFailed(Exception):
    pass


@dataclass
class Sample:
    kind: str
    at: float  # seconds since the run began, when the request was sent
    ms: float
    ok: bool


@dataclass
class Stage:
    """New candidates start over ``ramp`` seconds (at random), or, with ``concurrency``, as fast as
    the server lets ``concurrency`` of them through the start at a time; then everyone sits for ``hold``."""

    candidates: int  # in their test once this stage has started everyone
    ramp: float  # with concurrency: the limit, then what it took
    hold: float
    concurrency: int = 0
    arrive: float = 0.0  # > 0: log in and prepare over this window first, then all press start in the ramp
    t_arrive: float = math.nan
    t_ramp: float = math.nan
    t_hold: float = math.nan
    t_end: float = math.nan
    cpu: dict[str, Any] = field(default_factory=dict)  # proc.CpuSample at ramp, hold, end


@dataclass
class Run:
    """Everything the client saw."""

    samples: list[Sample] = field(default_factory=list)
    errors: list[tuple[float, str, str]] = field(default_factory=list)  # (at, kind, text)
    starts: list[tuple[int, float]] = field(default_factory=list)  # (stage, login page → test page s)
    started: list[int] = field(default_factory=list)  # started candidates per stage
    submitted: set[int] = field(default_factory=set)
    sent: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    loop_lag: list[tuple[float, float]] = field(default_factory=list)  # (at, ms late)
    client_gc: list[tuple[float, int, float]] = field(default_factory=list)  # the client's own (at, gen, ms)
    finished_at: float = math.nan
    t0: float = math.nan  # CLOCK_MONOTONIC at the run's time 0

    def error(self, at: float, kind: str, text: str) -> None:
        self.errors.append((at, kind, text[:200]))


class Clock:
    def __init__(self) -> None:
        self.t0 = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self.t0

    async def until(self, at: float) -> None:
        await asyncio.sleep(max(0.0, at - self.now()))


# --- one virtual candidate -----------------------------------------------------------------------------


class Client:
    def __init__(self, run: Run, http: aiohttp.ClientSession, clock: Clock) -> None:
        self.run = run
        self.http = http
        self.clock = clock

    async def request(
        self, kind: str, method: str, path: str, *, expect: int, **kwargs: Any
    ) -> tuple[aiohttp.ClientResponse, bytes]:
        if path.startswith("http"):
            path = "/" + path.split("/", 3)[3]  # an absolute Location: keep the path only
        began = self.clock.now()
        try:
            async with self.http.request(method, path, allow_redirects=False, **kwargs) as response:
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.run.samples.append(Sample(kind, began, (self.clock.now() - began) * 1000, False))
            self.run.error(began, kind, f"{type(exc).__name__}: {exc}")
            raise RequestFailed(kind) from exc
        ok = response.status == expect
        self.run.samples.append(Sample(kind, began, (self.clock.now() - began) * 1000, ok))
        if not ok:
            self.run.error(began, kind, f"HTTP {response.status} on {method} {path}: {body[:120]!r}")
            raise RequestFailed(kind)
        return response, body

    def fail(self, kind: str, text: str) -> RequestFailed:
        self.run.error(self.clock.now(), kind, text)
        return RequestFailed(kind)


def _csrf(c: Client, body: bytes, kind: str, pattern: re.Pattern[str] = CSRF_INPUT) -> str:
    match = pattern.search(body.decode("utf-8", "replace"))
    if not match:
        raise c.fail(kind, "no CSRF token on the page")
    return match.group(1)


class Candidate:
    def __init__(
        self,
        run: Run,
        clock: Clock,
        finish: asyncio.Event,
        index: int,
        stage: int,
        who: data.Candidate,
        seed: int,
        submit_spread: float,
    ) -> None:
        self.run = run
        self.clock = clock
        self.finish = finish
        self.index = index
        self.stage = stage
        self.who = who
        self.rng = random.Random(seed * 1_000_003 + index)
        self.submit_delay = self.rng.uniform(0, submit_spread)

    async def live(
        self,
        connector: aiohttp.BaseConnector,
        base: str,
        start_at: float,
        gate: asyncio.Semaphore | None,
        settled: Callable[[], None],
        arrive_at: float | None = None,
    ) -> None:
        """Start (through ``gate``, if any: at most so many candidates in the start at once), sit, submit.

        With ``arrive_at``, the candidate logs in and prepares (system check, consent, rules) then,
        and only presses start at ``start_at``, as in a sitting where everyone starts at the same hour.
        """
        await self.clock.until(start_at if arrive_at is None else arrive_at)
        async with aiohttp.ClientSession(
            base_url=base,
            connector=connector,
            connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies from 127.0.0.1
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
            headers={"User-Agent": "bench-exam-load/1 (virtual candidate)", "Accept-Language": "ru"},
        ) as http:
            c = Client(self.run, http, self.clock)
            try:
                if gate is not None:
                    await gate.acquire()
                if arrive_at is None:
                    began = self.clock.now()
                    entry, token = await self.arrive(c)
                else:
                    entry, token = await self.arrive(c)
                    await self.clock.until(start_at)
                    began = self.clock.now()
                attempt_id, token, questions = await self.press_start(c, entry, token)
                self.run.starts.append((self.stage, self.clock.now() - began))
            except RequestFailed:
                return
            except (KeyError, ValueError) as exc:
                self.run.error(self.clock.now(), "start", f"{type(exc).__name__}: {exc}")
                return
            finally:
                if gate is not None:
                    gate.release()
                settled()
            self.run.started[self.stage] += 1
            await self.sit(c, attempt_id, token, questions)
            await self.clock.until(self.run.finished_at + self.submit_delay)
            await self.submit(c, attempt_id, token)

    async def arrive(self, c: Client) -> tuple[str, str]:
        """Login page → login → cabinet → exam page → prepare → rules; the entry's URL and the rules' token."""
        _, body = await c.request("login_page", "GET", "/login", expect=200)
        form = {
            "username": self.who.username,
            "password": data.PASSWORD,
            "csrf_token": _csrf(c, body, "login"),
        }
        response, _ = await c.request("login", "POST", "/login", expect=302, data=form)
        response, _ = await c.request("home", "GET", response.headers["Location"], expect=302)
        _, body = await c.request("cabinet", "GET", response.headers["Location"], expect=200)
        entry = f"/exam/{self.who.entry_id}"
        if f'href="{entry}"'.encode() not in body:
            raise c.fail("cabinet", f"no link to {entry}")
        _, body = await c.request("exam_page", "GET", entry, expect=200)
        form = {
            "csrf_token": _csrf(c, body, "exam_page"),
            "check_browser": "1",
            "check_camera": "1",
            "check_connection": "1",
            "consent": "1",
            "exam_lang": "ru",
        }
        response, _ = await c.request("prepare", "POST", f"{entry}/prepare", expect=302, data=form)
        if not response.headers["Location"].endswith("/rules"):
            raise c.fail("prepare", f"redirected to {response.headers['Location']}")
        _, body = await c.request("rules", "GET", response.headers["Location"], expect=200)
        return entry, _csrf(c, body, "rules")

    async def press_start(self, c: Client, entry: str, token: str) -> tuple[int, str, list[dict[str, Any]]]:
        """Start → test page and its static files."""
        response, _ = await c.request(
            "start", "POST", f"{entry}/start", expect=302, data={"csrf_token": token}
        )
        location = response.headers["Location"]
        if "/exam/attempt/" not in location:
            raise c.fail("start", f"redirected to {location}")
        _, body = await c.request("test_page", "GET", location, expect=200)
        match = PAYLOAD.search(body.decode("utf-8"))
        if not match:
            raise c.fail("test_page", "no exam payload on the page")
        payload = json.loads(match.group(1))
        token = _csrf(c, body, "test_page", CSRF_META)
        for path in STATIC:
            await c.request("static", "GET", path, expect=200)
        return int(payload["attempt"]), token, payload["questions"]

    async def wait(self, at: float) -> bool:
        """Sleep until ``at``; True if the run finished meanwhile."""
        if self.finish.is_set():
            return True
        try:
            await asyncio.wait_for(self.finish.wait(), timeout=max(0.0, at - self.clock.now()))
        except TimeoutError:
            return False
        return True

    async def sit(self, c: Client, attempt_id: int, token: str, questions: list[dict[str, Any]]) -> None:
        """Save every Exp(20 s), sync every 30 s ±10%, until the run finishes."""
        rng = self.rng
        device = f"bench-device-{self.index:06d}"
        sent = self.run.sent.setdefault(attempt_id, [])
        headers = {"X-CSRFToken": token}
        seq = 0
        now = self.clock.now()
        next_save = now + rng.expovariate(1.0 / SAVE_MEAN_SECONDS)
        next_sync = now + rng.uniform(0, SYNC_SECONDS)
        for _ in range(100_000):  # bounded; the run ends long before
            if await self.wait(min(next_save, next_sync)):
                return
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
                await self.save(c, attempt_id, body, headers, step)
                next_save = self.clock.now() + rng.expovariate(1.0 / SAVE_MEAN_SECONDS)
            else:
                try:
                    _, raw = await c.request(
                        "sync", "GET", f"/api/v1/attempts/{attempt_id}/state", expect=200
                    )
                    status = json.loads(raw).get("status")
                    if status != "in_progress":
                        c.fail("sync", f"status {status}")
                except (RequestFailed, ValueError):
                    pass
                next_sync = self.clock.now() + SYNC_SECONDS * rng.uniform(0.9, 1.1)

    async def save(
        self, c: Client, attempt_id: int, body: dict[str, Any], headers: dict[str, str], step: dict[str, Any]
    ) -> None:
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
                answer = json.loads(raw)
            except (RequestFailed, ValueError):
                if attempt + 1 < SAVE_RETRIES:
                    await asyncio.sleep(1.0)
                continue
            if step["seq"] in answer.get("accepted", []) and not answer.get("refused"):
                step["acked"] = True
            else:
                step["acked"] = False
                c.fail("save_refused", json.dumps(answer))
            return

    async def submit(self, c: Client, attempt_id: int, token: str) -> None:
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
                raise c.fail("submit", f"not ok: {answer}")
            self.run.submitted.add(attempt_id)
            await c.request("result", "GET", answer["result"], expect=200)
        except (RequestFailed, ValueError, KeyError):
            return


# --- the driver ----------------------------------------------------------------------------------------


@dataclass
class StageResult:
    backend: str
    candidates: int
    processes: int
    forms: str
    ramp: float
    hold: float
    started: int
    new: int
    req_per_s: float
    saves: int
    save_p50: float
    save_p95: float
    save_p99: float
    save_max: float
    save_p99_ramp: float
    sync_p99: float
    start_p50: float
    start_p99: float
    start_max: float
    start_kinds_p99: dict[str, float]
    arrive: float
    arrive_kinds_p99: dict[str, float]
    errors: int
    p99_limit: float
    error_kinds: dict[str, int]
    error_examples: list[str]
    cpu_ramp: dict[str, float]
    cpu_hold: dict[str, float]
    loop_lag_p99_ms: float
    loop_lag_max_ms: float
    client_gc_ms: list[int]  # the client's longest collections in the stage (ms, those of 10 ms or more)
    load_average: str

    @property
    def passed(self) -> bool:
        return self.started == self.new and self.errors == 0 and self.save_p99 < self.p99_limit


def pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def _kinds(errors: list[tuple[float, str, str]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, kind, _ in errors:
        out[kind] = out.get(kind, 0) + 1
    return out


def evaluate(
    run: Run, stages: list[Stage], k: int, backend: str, processes: int, forms: str, p99_limit: float
) -> StageResult:
    stage = stages[k]
    new = stage.candidates - (stages[k - 1].candidates if k else 0)
    window = [s for s in run.samples if stage.t_ramp <= s.at < stage.t_end]
    hold = [s for s in window if s.at >= stage.t_hold]
    arrival = [s for s in run.samples if stage.t_arrive <= s.at < stage.t_ramp]
    saves = [s.ms for s in hold if s.kind == "save"]
    errors = [e for e in run.errors if stage.t_arrive <= e[0] < stage.t_end]
    starts = [seconds for index, seconds in run.starts if index == k]
    lags = [ms for at, ms in run.loop_lag if stage.t_ramp <= at < stage.t_end]
    cpu = stage.cpu
    return StageResult(
        backend=backend,
        candidates=stage.candidates,
        processes=processes,
        forms=forms,
        ramp=stage.ramp,
        hold=stage.hold,
        started=run.started[k],
        new=new,
        req_per_s=len(hold) / stage.hold if stage.hold else math.nan,
        saves=len(saves),
        save_p50=pct(saves, 50),
        save_p95=pct(saves, 95),
        save_p99=pct(saves, 99),
        save_max=max(saves) if saves else math.nan,
        save_p99_ramp=pct([s.ms for s in window if s.kind == "save" and s.at < stage.t_hold], 99),
        sync_p99=pct([s.ms for s in hold if s.kind == "sync"], 99),
        start_p50=pct(starts, 50),
        start_p99=pct(starts, 99),
        start_max=max(starts) if starts else math.nan,
        start_kinds_p99={
            kind: round(pct([s.ms for s in window if s.kind == kind], 99), 1)
            for kind in START_KINDS
            if any(s.kind == kind for s in window)
        },
        arrive=stage.arrive,
        arrive_kinds_p99={
            kind: round(pct([s.ms for s in arrival if s.kind == kind], 99), 1)
            for kind in START_KINDS
            if any(s.kind == kind for s in arrival)
        },
        errors=len(errors),
        p99_limit=p99_limit,
        error_kinds=_kinds(errors),
        error_examples=[f"{kind}: {text}" for _, kind, text in errors[:8]],
        cpu_ramp={k: round(v, 2) for k, v in proc.cpu_share(cpu["ramp"], cpu["hold"]).items()},
        cpu_hold={k: round(v, 2) for k, v in proc.cpu_share(cpu["hold"], cpu["end"]).items()},
        loop_lag_p99_ms=pct(lags, 99),
        loop_lag_max_ms=max(lags) if lags else math.nan,
        client_gc_ms=sorted(
            (round(ms) for at, _gen, ms in run.client_gc if stage.t_ramp <= at < stage.t_end and ms >= 10),
            reverse=True,
        )[:5],
        load_average=proc.loadavg(),
    )


def _watch_client_gc(run: Run, clock: Clock) -> Callable[[str, dict[str, int]], None]:
    """Log the client's own garbage collections: one stops its event loop and so delays every reply it awaits."""
    began: list[float] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[:] = [clock.now()]
        elif began:
            run.client_gc.append((began[0], info["generation"], (clock.now() - began[0]) * 1000))

    gc.callbacks.append(callback)
    return callback


async def _loop_lag(run: Run, clock: Clock, finish: asyncio.Event) -> None:
    """How late the client's event loop wakes up: if this grows, the client itself is saturated."""
    for _ in range(10_000_000):
        if finish.is_set():
            return
        began = clock.now()
        await asyncio.sleep(0.1)
        run.loop_lag.append((began, (clock.now() - began - 0.1) * 1000))


async def drive(
    args: argparse.Namespace,
    stages: list[Stage],
    people: list[data.Candidate],
    port: int,
    pids: tuple[int, int | None],
    processes: int,
    deadline: float,
) -> tuple[Run, list[StageResult], list[str]]:
    """Run the stages (the search stops at the first failing one), then let everyone submit."""
    run = Run()
    clock = Clock()
    run.t0 = clock.t0
    finish = asyncio.Event()
    rng = random.Random(args.seed)
    base = f"http://127.0.0.1:{port}"
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=1.0)  # gunicorn closes idle ones after 2 s
    tasks: list[asyncio.Task[None]] = []
    results: list[StageResult] = []
    notes: list[str] = []
    lag = asyncio.create_task(_loop_lag(run, clock, finish))
    watch = _watch_client_gc(run, clock)
    # The client's full collections walked every sample and step it had kept (0.3-0.56 s at 2,000 candidates),
    # stopping its event loop, so every reply in flight looked that much slower. Its young collections stay
    # as they are; the full ones are left for after the run.
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(thresholds[0], thresholds[1], 1_000_000)
    launched = 0
    try:
        rate = args.start_rate  # starts per second expected in a gated ramp, then as measured
        for k, stage in enumerate(stages):
            expected = (stage.candidates - launched) / rate if stage.concurrency else stage.ramp
            if args.search and time.monotonic() + expected + stage.hold + 60 > deadline:
                notes.append(
                    f"step {stage.candidates} not run: it would pass the {args.max_minutes:.0f}-minute budget"
                )
                break
            run.started.append(0)
            stage.t_arrive = clock.now()
            stage.t_ramp = stage.t_arrive + stage.arrive
            new = stage.candidates - launched
            gate = asyncio.Semaphore(stage.concurrency) if stage.concurrency else None
            all_settled = asyncio.Event()
            settled = [0]

            def on_settled(
                settled: list[int] = settled, event: asyncio.Event = all_settled, new: int = new
            ) -> None:
                settled[0] += 1
                if settled[0] == new:
                    event.set()

            offsets = [0.0] * new if gate else sorted(rng.uniform(0, stage.ramp) for _ in range(new))
            arrivals = [rng.uniform(0, stage.arrive) for _ in range(new)] if stage.arrive else [None] * new
            for offset, arrival in zip(offsets, arrivals, strict=True):
                who = Candidate(
                    run, clock, finish, launched, k, people[launched], args.seed, args.submit_spread
                )
                arrive_at = None if arrival is None else stage.t_arrive + arrival
                tasks.append(
                    asyncio.create_task(
                        who.live(connector, base, stage.t_ramp + offset, gate, on_settled, arrive_at)
                    )
                )
                launched += 1
            if stage.arrive:
                await clock.until(stage.t_ramp)
                waiting = new - settled[0]
                notes.append(
                    f"step {stage.candidates}: {waiting} of {new} candidates on the rules page at the start"
                )
            stage.cpu["ramp"] = proc.cpu_sample(*pids)
            if gate:  # the ramp lasts until every new candidate is in (or failed), within the limit
                try:
                    await asyncio.wait_for(all_settled.wait(), timeout=stage.ramp)
                except TimeoutError:
                    run.error(
                        clock.now(),
                        "ramp",
                        f"{new - settled[0]} candidates still starting after {stage.ramp:.0f} s",
                    )
                stage.ramp = clock.now() - stage.t_ramp
            else:
                await clock.until(stage.t_ramp + stage.ramp)
            stage.t_hold = clock.now()
            stage.cpu["hold"] = proc.cpu_sample(*pids)
            spy = _py_spy(args, pids[0], stage)
            await clock.until(stage.t_hold + stage.hold)
            if spy is not None:
                await asyncio.to_thread(spy.wait, 30)
            stage.t_end = clock.now()
            stage.cpu["end"] = proc.cpu_sample(*pids)
            result = evaluate(run, stages, k, args.backend, processes, args.forms, args.p99_limit)
            results.append(result)
            if stage.concurrency and result.started:
                rate = max(0.2, result.started / stage.ramp)
            print(f"   step {stage.candidates}: " + row(result), flush=True)
            if args.search and not result.passed:
                break
        run.finished_at = clock.now()
        finish.set()
        limit = args.submit_spread + SAVE_RETRIES * (REQUEST_TIMEOUT + 1) + 12 * REQUEST_TIMEOUT
        done, pending = await asyncio.wait(tasks, timeout=limit) if tasks else (set(), set())
        if pending:
            notes.append(f"{len(pending)} candidates still busy {limit:.0f} s after the end: cancelled")
            run.error(clock.now(), "run", f"{len(pending)} candidates cancelled at the time limit")
    finally:
        finish.set()
        for task in (*tasks, lag):
            task.cancel()
        await asyncio.gather(*tasks, lag, return_exceptions=True)
        await connector.close()
        gc.callbacks.remove(watch)
        gc.set_threshold(*thresholds)
        gc.unfreeze()
    return run, results, notes


def _py_spy(args: argparse.Namespace, server_pid: int, stage: Stage) -> subprocess.Popen[bytes] | None:
    """Sample the server's processes (where they hold the GIL) over this stage's hold, if asked."""
    if not args.py_spy:
        return None
    out = f"{args.py_spy_out}.step{stage.candidates}.txt"
    command = [
        args.py_spy,
        "record",
        "--pid",
        str(server_pid),
        "--subprocesses",
        "--gil",
        "--nonblocking",
        "--rate",
        "50",
        "--duration",
        str(max(1, int(stage.hold) - 2)),
        "--format",
        "raw",
        "--output",
        out,
    ]
    print(f"   py-spy: {out}", flush=True)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- a whole run ---------------------------------------------------------------------------------------


def one_run(args: argparse.Namespace, stages: list[Stage], deadline: float) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="attest-bench-"))
    pg: proc.Postgres | None = None
    server: proc.Server | None = None
    pg_name = "attest_bench"
    count = stages[-1].candidates
    try:
        if args.backend == "sqlite":
            url = f"sqlite:///{tmp / 'bench.db'}"
        else:
            pg = proc.Postgres(args.pg_port)
            url = data.create_pg_database(pg.start(), pg_name)
        print(f"data: {count} candidates, forms {args.forms} ...", flush=True)
        prepared = data.prepare_database(url, count, forms=args.forms)
        forms = (
            "" if prepared.forms_seconds is None else f"; forms ({args.forms}) {prepared.forms_seconds:.1f} s"
        )
        print(f"data: set-up {prepared.setup_seconds:.1f} s{forms}", flush=True)
        port = args.port or proc.free_port()
        workers = args.workers  # 0: attest serve's default
        server = proc.Server(url, tmp, port, workers, args.threads, gc_log=args.gc_log, gc_tune=args.gc_tune)
        server.wait_ready()
        processes = server.worker_count()
        pids = (server.pid, pg.postmaster_pid() if pg else None)
        print(
            f"server: attest serve, {processes} process(es), {args.backend}; load average {proc.loadavg()}",
            flush=True,
        )
        print(HEADER + "\n" + RULE, flush=True)
        run, results, notes = asyncio.run(
            drive(args, stages, prepared.candidates, port, pids, processes, deadline)
        )
        server.stop()
        server = None
        tail = [e for e in run.errors if e[0] >= run.finished_at]
        if args.samples:
            dump_samples(args.samples, run, stages)
        check = data.check_stored(url, run.sent, run.submitted)
        report(args, results, run, tail, check, prepared, notes)
    finally:
        if server is not None:
            server.stop()
        if pg is not None:
            if not args.keep:
                data.drop_pg_database(pg.url, pg_name)
            if not args.keep_pg:
                pg.stop()
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def dump_samples(path: str, run: Run, stages: list[Stage]) -> None:
    """Every request as CSV; ``at`` + t0 is CLOCK_MONOTONIC, comparable with the --gc-log file."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"# t0_monotonic={run.t0:.4f}; stages (candidates, ramp from, hold from, end): ")
        fh.write(
            "; ".join(f"{s.candidates} {s.t_ramp:.1f} {s.t_hold:.1f} {s.t_end:.1f}" for s in stages) + "\n"
        )
        fh.write("kind,at,ms,ok\n")
        for s in run.samples:
            fh.write(f"{s.kind},{s.at:.4f},{s.ms:.1f},{int(s.ok)}\n")
        # the client's own pauses, which delay its view of every request in flight
        for at, ms in run.loop_lag:
            fh.write(f"client_loop_lag,{at:.4f},{ms:.1f},1\n")
        for at, gen, ms in run.client_gc:
            fh.write(f"client_gc_{gen},{at:.4f},{ms:.1f},1\n")


def _largest_passing(results: list[StageResult], passed: list[bool]) -> StageResult | None:
    """The largest step with every step up to it passing."""
    best = None
    for r, ok in zip(results, passed, strict=True):
        if not ok:
            break
        best = r
    return best


# --- output --------------------------------------------------------------------------------------------

HEADER = (
    "| candidates | backend | procs | req/s | save p50 / p95 / p99 / max ms | save p99 in ramp | sync p99 ms "
    "| start p50 / p99 s | errors | CPU in hold: server / db / client / others | result |"
)
RULE = "|---" * (HEADER.count("|") - 1) + "|"


def row(r: StageResult) -> str:
    cpu = r.cpu_hold
    cpu_text = " / ".join(f"{cpu.get(k, 0):.2f}" for k in ("server", "database", "client", "others"))
    return (
        f"| {r.candidates} | {r.backend} | {r.processes} | {r.req_per_s:.0f} | "
        f"{r.save_p50:.0f} / {r.save_p95:.0f} / {r.save_p99:.0f} / {r.save_max:.0f} | {r.save_p99_ramp:.0f} | "
        f"{r.sync_p99:.0f} | {r.start_p50:.1f} / {r.start_p99:.1f} | {r.errors} | {cpu_text} | "
        f"{'pass' if r.passed else 'FAIL'} |"
    )


def report(
    args: argparse.Namespace,
    results: list[StageResult],
    run: Run,
    tail: list[tuple[float, str, str]],
    check: data.StoredCheck,
    prepared: data.Prepared,
    notes: list[str],
) -> None:
    print("\n" + HEADER + "\n" + RULE)
    for r in results:
        print(row(r))
    for r in results:
        print(
            f"\nstep {r.candidates} ({r.new} new over {r.ramp:.0f} s, hold {r.hold:.0f} s): started {r.started}/{r.new}; "
            f"{r.saves} saves in the hold"
        )
        if r.arrive:
            print(
                f"   arrival over {r.arrive:.0f} s before the start (login to rules), requests p99 ms: "
                f"{r.arrive_kinds_p99}"
            )
            what = "press start to test page loaded"
        else:
            what = "login page to test page loaded"
        print(
            f"   start ({what}) p50 / p99 / max: {r.start_p50:.1f} / {r.start_p99:.1f} / {r.start_max:.1f} s"
        )
        print(f"   start requests p99 ms: {r.start_kinds_p99}")
        print(f"   CPU cores in ramp: {r.cpu_ramp}")
        print(f"   CPU cores in hold: {r.cpu_hold}")
        print(
            f"   client event-loop lag p99 {r.loop_lag_p99_ms:.0f} ms, max {r.loop_lag_max_ms:.0f} ms "
            f"(its longest garbage collections {r.client_gc_ms} ms); "
            f"load average at the end {r.load_average}"
        )
        if r.errors:
            print(f"   errors: {r.error_kinds}")
            for line in r.error_examples:
                print(f"     {line}")
    submits = [s.ms for s in run.samples if s.kind == "submit"]
    print(
        f"\nsubmit: {len(run.submitted)} submitted, p50 / p99 {pct(submits, 50):.0f} / {pct(submits, 99):.0f} ms; "
        f"errors after the last step: {len(tail)} {_kinds(tail) if tail else ''}"
    )
    for _, kind, text in tail[:5]:
        print(f"     {kind}: {text}")
    print(f"stored answers: {check.summary()}")
    forms = (
        "assembled at start" if prepared.forms_seconds is None else f"{prepared.forms_seconds:.1f} s ahead"
    )
    print(f"data set-up {prepared.setup_seconds:.1f} s; forms ({args.forms}) {forms}")
    for note in notes:
        print(f"note: {note}")
    # The submits come after the last step, so errors there count against the last step only;
    # a failed stored-answers check voids every step.
    passed = [r.passed and check.ok for r in results]
    if results and tail:
        passed[-1] = False
    if args.search:
        best = _largest_passing(results, passed)
        if best is None:
            print(
                f"\n{args.backend}: no step passed (p99 save < {args.p99_limit:.0f} ms, zero errors, all answers stored)"
            )
        else:
            print(
                f"\n{args.backend}: largest passing step (p99 save < {args.p99_limit:.0f} ms, zero errors, all "
                f"answers stored) {best.candidates} candidates = {best.candidates / CORES:.0f} per core on "
                f"{CORES} cores (aim: 1,000 per core)"
            )
        # the same, leaving out the closing burst of submits (everyone within --submit-spread seconds),
        # which the figure (candidates held while they sit) does not include
        sitting = _largest_passing(results, [r.passed and check.ok for r in results])
        if sitting is not None and sitting is not best:
            print(
                f"{args.backend}: held while sitting (the same, leaving out the closing burst, everyone "
                f"submitting within {args.submit_spread:.0f} s: {len(run.submitted)} in time, {len(tail)} errors) "
                f"{sitting.candidates} candidates = {sitting.candidates / CORES:.0f} per core"
            )
    else:
        r = results[-1] if results else None
        verdict = "pass" if r and passed[-1] else "FAIL"
        if r:
            print(
                f"\n{r.candidates} candidates = {r.candidates / CORES:.0f} per core on {CORES} cores: {verdict}"
            )
    if args.json:
        with open(args.json, "a", encoding="utf-8") as fh:
            record = {
                "args": vars(args),
                "steps": [asdict(r) | {"passed": r.passed} for r in results],
                "submit_p99": pct(submits, 99),
                "errors_after": _kinds(tail),
                "check": check.summary(),
                "check_ok": check.ok,
                "setup_seconds": prepared.setup_seconds,
                "forms_seconds": prepared.forms_seconds,
                "notes": notes,
            }
            fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


# --- command line --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--candidates", type=int, default=None, help="default 500 (1000 with --start-peak)")
    parser.add_argument("--ramp", type=float, default=None, help="seconds over which the candidates start")
    parser.add_argument(
        "--hold", type=float, default=None, help="seconds everyone sits (default 90; 60 in a search)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="gunicorn processes (default: attest serve's, one per core)",
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="threads per process (default: attest serve's)"
    )
    parser.add_argument("--start-peak", action="store_true", help="1,000 candidates start within 60 s")
    parser.add_argument(
        "--arrive",
        type=float,
        default=None,
        help="seconds over which candidates log in and prepare before the ramp, then press start in it "
        "(default 300 with --start-peak, else 0: the whole start, login included, falls in the ramp)",
    )
    parser.add_argument(
        "--p99-limit",
        type=float,
        default=P99_LIMIT_MS,
        help="a step passes below this p99 save latency (ms); the issue's criterion is 200",
    )
    parser.add_argument("--search", action="store_true", help="step the candidates up until a step fails")
    parser.add_argument("--steps", default="100,250,500,750,1000,1500,2000,2500,3000")
    parser.add_argument(
        "--start-rate",
        type=float,
        default=3.0,
        help="starts per second: of an ungated single run's default ramp, and the search's first time estimate",
    )
    parser.add_argument(
        "--start-concurrency",
        type=int,
        default=None,
        help="at most this many candidates in the start at once, the ramp lasting as long as it takes "
        "(a login queue; default 3 in a search, 0 = starts at random over --ramp otherwise)",
    )
    parser.add_argument(
        "--forms",
        choices=("service", "bulk", "start"),
        default=None,
        help="service: the app's prepare_forms ahead (timed); bulk: the same assembly ahead, fast set-up; "
        "start: assembled by the start request (default: bulk for --search, service otherwise)",
    )
    parser.add_argument("--submit-spread", type=float, default=20.0, help="submits spread over this many s")
    parser.add_argument("--max-minutes", type=float, default=22.0, help="time budget of a search")
    parser.add_argument("--pg-port", type=int, default=55433)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--app-root",
        default=None,
        help="serve and build the data with the application at this path (e.g. a `git archive` snapshot); "
        "default: this repository",
    )
    parser.add_argument("--json", default=None, help="append the figures to this JSON-lines file")
    parser.add_argument("--keep", action="store_true", help="keep the database and the server log")
    parser.add_argument(
        "--samples", default=None, help="write every request (kind, time, ms) to this CSV file"
    )
    parser.add_argument(
        "--py-spy", default=None, help="path of a py-spy binary: sample the server (GIL holders) in each hold"
    )
    parser.add_argument("--py-spy-out", default="py-spy", help="prefix of py-spy's collapsed-stack files")
    parser.add_argument(
        "--gc-log", default=None, help="serve through bench_exam_gcprobe.py, logging GC pauses to this file"
    )
    parser.add_argument(
        "--gc-tune",
        action="store_true",
        help="what-if, not the app as shipped: serve with gc.freeze() after each worker builds the app",
    )
    parser.add_argument("--keep-pg", action="store_true", help="leave the benchmark's PostgreSQL running")
    args = parser.parse_args()
    # A SIGTERM unwinds like Ctrl-C, so that the server, the database and PostgreSQL are still stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    _import_helpers(args.app_root)
    if args.forms is None:
        args.forms = "bulk" if args.search else "service"
    began = time.monotonic()
    print(
        f"machine: {CORES} cores, load average {proc.loadavg()}; client: asyncio + aiohttp {aiohttp.__version__}; "
        f"application: {data.ROOT}"
    )
    if args.start_concurrency is None:
        args.start_concurrency = 0 if args.start_peak or not args.search else 3
    gated = args.start_concurrency
    if args.search:
        hold = args.hold if args.hold is not None else 60.0
        stages, before = [], 0
        for n in sorted(int(x) for x in args.steps.split(",")):
            new = n - before
            ramp = (
                args.ramp if args.ramp is not None else new / (MIN_START_RATE if gated else args.start_rate)
            )
            stages.append(Stage(n, ramp, hold, gated))
            before = n
        # Candidates go into the database for the steps that could fit the budget at twice the start rate.
        spent, fitting, before = 60.0, [], 0
        for stage in stages:
            spent += (stage.candidates - before) / (2 * args.start_rate) + stage.hold
            before = stage.candidates
            if spent > args.max_minutes * 60:
                break
            fitting.append(stage)
        stages = fitting or stages[:1]
    else:
        n = args.candidates or (1000 if args.start_peak else 500)
        if args.ramp is not None:
            ramp = args.ramp
        elif gated:
            ramp = n / MIN_START_RATE
        else:
            ramp = 60.0 if args.start_peak else max(30.0, n / args.start_rate)
        hold = args.hold if args.hold is not None else (60.0 if args.start_peak else 90.0)
        arrive = args.arrive if args.arrive is not None else (300.0 if args.start_peak else 0.0)
        stages = [Stage(n, ramp, hold, 0 if arrive else gated, arrive)]
    one_run(args, stages, began + args.max_minutes * 60)
    print(f"took {(time.monotonic() - began) / 60:.1f} min")


if __name__ == "__main__":
    main()
