"""Running wrk against one server and reading what each process spent on it: the helpers
bench/gateway.py and bench/identity_ab.py share.

CPU time comes from /proc (utime + stime of a process and its descendants), read before
and after a wrk run, so the figure is the server's own work per request whatever else
runs on the cores. PostgreSQL's share is the CPU of the backends connected to one
database (their process title names it), so other databases on a shared server do not
count.
"""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kit import procfs

ROOT = Path(__file__).resolve().parents[2]

LUA = """
wrk.method = "GET"
done = function(summary, latency, requests)
  io.write(string.format(
    "JSON {\\"requests\\": %d, \\"errors_status\\": %d, \\"timeouts\\": %d, \\"p50_us\\": %d, "
    .. "\\"p99_us\\": %d, \\"duration_us\\": %d}\\n",
    summary.requests, summary.errors.status, summary.errors.timeout, latency:percentile(50),
    latency:percentile(99), summary.duration))
end
"""


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (uvicorn --workers forks its workers)."""
    return [root, *procfs.descendants(root)]


def _ticks(pids: Sequence[int]) -> dict[int, int]:
    return {pid: t for pid in pids if (t := procfs.ticks(pid)) is not None}


def database_backends(database: str) -> list[int]:
    """PostgreSQL backends connected to ``database`` (``postgres: ... <user> <db> ...``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {database} " in title:
            found.append(int(entry.name))
    return found


def _reaped_ticks(pid: int) -> int:
    """CPU of ``pid``'s children that exited and were reaped (cutime + cstime)."""
    fields = procfs.stat(pid)
    return int(fields[13]) + int(fields[14]) if fields else 0


@dataclass
class Processes:
    """The processes a run is charged to: fixed roots (with their children) and, for
    ``database``, the PostgreSQL backends serving it. A backend that exits during the run
    (a pooled connection closed past the pool's size) is counted through its parent's
    reaped-children CPU, less what it had spent before the run; the server's other
    databases' backends exiting in those seconds count too (an upper bound)."""

    roots: dict[str, list[int]]
    database: str | None = None
    _before: dict[str, dict[int, int]] = field(default_factory=dict)
    _postmaster: int | None = None
    _reaped_before: int = 0
    # Of the last ``seconds()``'s "postgres": the CPU of backends (any database's) and
    # autovacuum workers that exited during the run, the upper-bound part.
    exited_seconds: float = 0.0

    def _current(self) -> dict[str, list[int]]:
        groups = {name: [p for r in pids for p in _tree(r)] for name, pids in self.roots.items()}
        if self.database:
            groups["postgres"] = database_backends(self.database)
        return groups

    def start(self) -> None:
        groups = self._current()
        self._before = {name: _ticks(pids) for name, pids in groups.items()}
        backends = groups.get("postgres", [])
        if backends and (fields := procfs.stat(backends[0])) is not None:
            self._postmaster = int(fields[1])
        if self._postmaster is not None:
            self._reaped_before = _reaped_ticks(self._postmaster)

    def seconds(self) -> dict[str, float]:
        """CPU seconds of each group since ``start``."""
        hz = os.sysconf("SC_CLK_TCK")
        out = {}
        for name, pids in self._current().items():
            before = self._before.get(name, {})
            after = _ticks(pids)
            ticks = sum(t - before.get(pid, 0) for pid, t in after.items())
            if name == "postgres" and self._postmaster is not None:
                gone = sum(t for pid, t in before.items() if pid not in after)
                exited = _reaped_ticks(self._postmaster) - self._reaped_before - gone
                self.exited_seconds = exited / hz
                ticks += exited
            out[name] = ticks / hz
        return out


def run_wrk(
    url: str,
    header: str,
    processes: Processes,
    *,
    seconds: float,
    connections: int,
) -> dict[str, float]:
    """wrk's summary plus CPU microseconds per request of each process group."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    processes.start()
    try:
        argv = [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
        ]
        argv.append(script.name)
        for line in header.splitlines():  # one header per line
            argv += ["-H", line]
        argv.append(url)
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    server_cpu = processes.seconds()
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (after_children.ru_utime + after_children.ru_stime) - (
        before_children.ru_utime + before_children.ru_stime
    )
    match = re.search(r"^JSON (\{.*\})$", out, re.M)
    if not match:
        raise SystemExit(f"could not read wrk output:\n{out}")
    data = json.loads(match.group(1))
    requests = max(1, data["requests"])
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "non_2xx": data["errors_status"] + data["timeouts"],
        "requests": data["requests"],
        "wrk_us": wrk_cpu / requests * 1e6,
        **{f"{name}_us": cpu / requests * 1e6 for name, cpu in server_cpu.items()},
    }


def median_spread(values: Sequence[float]) -> tuple[float, float, float]:
    """(median, lowest, highest)."""
    return statistics.median(values), min(values), max(values)


def _wait_healthy(url: str, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"{url}: the process exited with {child.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not become healthy")


@contextmanager
def spawned(argv: list[str], env: dict[str, str], health: str, log: Path) -> Iterator[int]:
    """A server process for the duration of the block, once ``health`` answers 200."""
    with log.open("ab") as out:
        child = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_healthy(health, child)
        yield child.pid
    finally:
        child.terminate()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(5)


def source_at(rev: str, folders: list[str], into: Path) -> dict[str, str]:
    """``folders`` as of git revision ``rev``, first on PYTHONPATH: a before/after
    comparison in one run."""
    archive = subprocess.run(
        ["git", "archive", rev, *folders], cwd=ROOT, capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return {"PYTHONPATH": os.pathsep.join(str(into / f) for f in folders)}
