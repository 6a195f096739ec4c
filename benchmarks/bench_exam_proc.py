"""Processes for the exam-delivery load benchmark: the server under test, a PostgreSQL server of
its own, and CPU accounting from /proc (who used the two cores: server, database, client, others).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent  # this repository: its .venv and scripts
ROOT = Path(os.environ.get("ATTEST_BENCH_APP_ROOT") or HERE)  # the application under test
TICK = os.sysconf("SC_CLK_TCK")


# --- CPU accounting -----------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, CPU ticks of the process and of its reaped children)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2 :].split()
    # fields[0] is the state (field 3); utime, stime, cutime, cstime are fields 14-17
    return int(fields[1]), sum(int(x) for x in fields[11:15])


def tree_seconds(root: int) -> float:
    """CPU seconds used so far by a process and all its descendants (living or reaped)."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            got = _stat(int(name))
            if got is not None:
                parents[int(name)], ticks[int(name)] = got
    tree = {root}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return sum(ticks.get(pid, 0) for pid in tree) / TICK


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (everything but idle and iowait)."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(x) for x in first]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class CpuSample:
    at: float
    machine: float
    server: float
    database: float
    client: float


def cpu_sample(server_pid: int | None, database_pid: int | None) -> CpuSample:
    times = os.times()
    return CpuSample(
        at=time.monotonic(),
        machine=machine_busy_seconds(),
        server=tree_seconds(server_pid) if server_pid else 0.0,
        database=tree_seconds(database_pid) if database_pid else 0.0,
        client=times.user + times.system,
    )


def cpu_share(a: CpuSample, b: CpuSample) -> dict[str, float]:
    """Cores used on average between two samples, by component; ``others`` is the rest of the machine."""
    wall = max(b.at - a.at, 1e-9)
    out = {
        "server": (b.server - a.server) / wall,
        "database": (b.database - a.database) / wall,
        "client": (b.client - a.client) / wall,
        "machine": (b.machine - a.machine) / wall,
    }
    out["others"] = max(0.0, out["machine"] - out["server"] - out["database"] - out["client"])
    return out


# --- the server under test ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``attest serve`` as a subprocess on 127.0.0.1, stopped by its own process id."""

    def __init__(
        self,
        database_url: str,
        var_dir: Path,
        port: int,
        workers: int,
        threads: int = 0,
        gc_log: str | None = None,
        gc_tune: bool = False,
    ) -> None:
        self.port = port
        self.log_path = var_dir / "server.log"
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": database_url,
                "ATTEST_VAR_DIR": str(var_dir),
                "SECRET_KEY": "bench-" + os.urandom(16).hex(),
                "EXPIRY_SWEEP_SECONDS": "5",
            }
        )
        env.pop("ATTEST_ENV", None)
        if ROOT != HERE:  # serve the snapshot's code (PYTHONPATH comes before the editable install)
            env["PYTHONPATH"] = str(ROOT)
        command = [str(HERE / ".venv" / "bin" / "attest"), "serve", "--port", str(port)]
        if gc_log or gc_tune:  # the same command through a wrapper that watches (or tunes) the collector
            if gc_log:
                env["ATTEST_BENCH_GC_LOG"] = gc_log
            if gc_tune:
                env["ATTEST_BENCH_GC_TUNE"] = "1"
            command[:1] = [
                str(HERE / ".venv" / "bin" / "python"),
                str(HERE / "benchmarks" / "bench_exam_gcprobe.py"),
            ]
        if workers:
            command += ["--workers", str(workers)]
        if threads:
            command += ["--threads", str(threads)]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"server not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def worker_count(self, settle: float = 5.0) -> int:
        """Live gunicorn worker processes (children of the master), once their number stops growing."""
        best, deadline = 0, time.monotonic() + settle
        while time.monotonic() < deadline:
            count = 0
            for name in os.listdir("/proc"):
                if name.isdigit():
                    got = _stat(int(name))
                    if got is not None and got[0] == self.pid:
                        count += 1
            best = max(best, count)
            time.sleep(0.5)
        return best

    def stop(self, timeout: float = 40.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of its workers
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the session this script created
                self.process.wait(timeout=10)
        self._log.close()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --- a PostgreSQL server of the benchmark's own --------------------------------------------------------


class Postgres:
    """``scripts/pg-test-server.sh`` on another port and data directory than the test suite's,
    so that the suites others run do not share (and disturb) the measured server. Stopped at
    the end only if this script started it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.data = Path(f"/tmp/attest-bench-pg-{port}")
        self.started_here = False
        self.url = ""

    def _ready(self) -> bool:
        binary = self._bin()
        probe = subprocess.run(
            [str(binary / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)], check=False
        )
        return probe.returncode == 0

    @staticmethod
    def _bin() -> Path:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
        if not found:
            raise RuntimeError("PostgreSQL server binaries not found")
        return found[-1]

    def start(self) -> str:
        self.started_here = not self._ready()
        env = dict(os.environ, PG_TEST_PORT=str(self.port), PG_TEST_DATA=str(self.data))
        out = subprocess.run(
            ["bash", str(HERE / "scripts" / "pg-test-server.sh")],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.url = out.stdout.strip().splitlines()[-1]
        return self.url

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        if not self.started_here:
            return
        command = [str(self._bin() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=False, capture_output=True, timeout=120)
        shutil.rmtree(self.data, ignore_errors=True)
