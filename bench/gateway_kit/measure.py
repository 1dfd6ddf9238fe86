"""Running wrk against one server, and the servers it runs against: the helpers
bench/gateway.py and bench/identity_ab.py share. What each process spent on a run is
read by :class:`kit.cpu_charge.Processes`, before and after it.
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
from pathlib import Path

import httpx

from kit.cpu_charge import Processes

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
