"""Audience-sync benchmark on the running stack, through the gateway, with the sandbox's Meta.

1. import a segment of 1,000,000 profiles (email, phone, first and last name, zip) as one
   streamed CSV;
2. create a Meta audience: its initial sync (1,000,000 multi-key rows) runs on the worker;
3. change 1 % of the members (5,000 profiles leave, 5,000 join) and run an update sync;
4. hash the same identifiers with bare ``hashlib`` in this process, for scale, and time
   their normalization alone (``normalize_many``), to split the hashing step.

Prints the import time, both sync times (request to completed job; the initial sync's end
as the worker logged it, the API looked at every 0.5 s), profiles/s, the
CPU seconds the worker (with its hashing processes) and the sandbox spent on each sync
(beside the bare hashing CPU: on a shared machine the CPU ratio is the steadier one), the
load average before and after, the worker's peak RSS over both syncs (the kernel's
``VmHWM`` of the pid in ``$ADSCALE_HOME/run/audience-sync-worker.pid``, reset at the start;
its hashing processes shown apart), the
ratio of each sync time to the bare hashing time, and where the initial sync's time went
(the worker's own timings from its log: hash step, diff, database checkpoints, platform
HTTP; the hash step's CPU split into normalization and SHA-256 from this process's
measurements), and a chart of the initial sync second by second: the cores the worker's
main process, its hashing processes, the sandbox and PostgreSQL used, and the idle rest
(``bench/kit/cpu_timeline.py``), with when the hashing ended (what the sends did after it
alone). Targets: initial sync <= 20 s and <= 10x bare hashlib, 1 % update <= 3 s,
worker RSS <= 500 MB (import <= 60 s).

    uv run python deploy/stack.py up      # once
    uv run python bench/sync_1m.py [--profiles 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson

from adscale_platforms.identifiers import normalize_many
from kit import procfs
from kit.cpu_charge import Processes
from kit.cpu_timeline import CpuTimeline

ROOT = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("ADSCALE_HOME", ROOT / ".adscale"))
API = os.environ.get("ADSCALE_GATEWAY_URL", "http://127.0.0.1:8107") + "/api/v1"
WORKER_PID = HOME / "run" / "audience-sync-worker.pid"
SANDBOX_PID = HOME / "run" / "sandbox.pid"
WORKER_LOG = HOME / "logs" / "audience-sync-worker.log"
API_LOG = HOME / "logs" / "audience-sync.log"
KEPT = HOME / "run" / "bench-sync-1m.json"
# The audience-sync service's database (deploy/stack.py names it so): its backends' CPU.
DATABASE = "adscale_audience_sync" + os.environ.get("ADSCALE_DB_SUFFIX", "")
AS = "/cdp/audience-sync"
HZ = os.sysconf("SC_CLK_TCK")
FIELDS = ("email", "phone", "first_name", "last_name", "zip")

# The initial sync is timed from the request to the job's completion in the worker's log;
# the API is looked at every WATCH_EVERY seconds only to learn that it ended. Each look costs
# ~8 ms of CPU (this client, the gateway, the service), and at 0.1 s those looks took
# ~1.6 s of CPU from the two cores the sync runs on.
WATCH_EVERY = 0.5

TARGETS = {"import": 60.0, "initial": 20.0, "update": 3.0, "rss_mb": 500.0, "ratio": 10.0}


def email(i: int) -> str:
    return f"Customer.{i}@Example.com"


def phone(i: int) -> str:
    return f"+1 415 {200 + i // 10000 % 800:03d} {i % 10000:04d}"


def first_name(i: int) -> str:
    return f"Ann{i % 997}"


def last_name(i: int) -> str:
    return f"Lee{i % 991}"


def zip_code(i: int) -> str:
    return f"{10000 + i % 89999:05d}"


def values(i: int) -> tuple[str, ...]:
    return email(i), phone(i), first_name(i), last_name(i), zip_code(i)


async def csv_body(count: int, start: int = 0) -> AsyncIterator[bytes]:
    yield ("external_id," + ",".join(FIELDS) + "\n").encode()
    block: list[str] = []
    for i in range(start, start + count):
        block.append(f"c{i}," + ",".join(values(i)) + "\n")
        if len(block) == 5_000:
            yield "".join(block).encode()
            block = []
    if block:
        yield "".join(block).encode()


class PeakRss:
    """The worker's peak RSS (and its processes') between ``start`` and ``stop``, as the
    kernel keeps it (``VmHWM``, reset at ``start``): exact, and nothing runs meanwhile. (A
    sampler of ``psutil`` every 50 ms took ~9 % of a core, 4.7 ms a sample walking
    ``/proc`` for the children: CPU the sync it measured did not have.)"""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_main = 0
        self.peak_children = 0  # the sum of each process's own peak: an upper bound
        self._children: set[int] = set()

    def start(self) -> None:
        self._children = set(procfs.descendants(self.pid))
        for pid in (self.pid, *self._children):
            procfs.reset_peak_rss(pid)

    def stop(self) -> None:
        self.peak_main = procfs.peak_rss(self.pid)
        children = self._children | set(procfs.descendants(self.pid))
        self.peak_children = sum(map(procfs.peak_rss, children))


def cpu_seconds(pid_file: Path) -> tuple[float, float]:
    """CPU (user + system) a stack process and, apart, its live descendants (the worker's
    hashing processes) used so far: figures the other users of a shared machine do not
    inflate, unlike wall time."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return 0.0, 0.0
    children = sum(procfs.ticks(p) or 0 for p in procfs.descendants(pid))
    return (procfs.ticks(pid) or 0) / HZ, children / HZ


@dataclass
class CpuSpent:
    """CPU seconds the worker (its main process and its hashing processes), the sandbox
    and the audience-sync database's PostgreSQL backends spent during one step."""

    worker_main: float = 0.0
    worker_hashing: float = 0.0
    sandbox: float = 0.0
    postgres: float = 0.0
    postgres_exited: float = 0.0  # of it, processes that exited (autovacuum, closed pools)
    _start: tuple[tuple[float, float], tuple[float, float]] = ((0.0, 0.0), (0.0, 0.0))
    _backends: Processes = field(default_factory=lambda: Processes(roots={}, database=DATABASE))

    @property
    def worker(self) -> float:
        return self.worker_main + self.worker_hashing

    def start(self) -> None:
        self._start = (cpu_seconds(WORKER_PID), cpu_seconds(SANDBOX_PID))
        self._backends.start()

    def stop(self) -> None:
        (main, hashing), (sandbox, sandbox_children) = (
            cpu_seconds(WORKER_PID),
            cpu_seconds(SANDBOX_PID),
        )
        self.worker_main = main - self._start[0][0]
        self.worker_hashing = hashing - self._start[0][1]
        self.sandbox = sandbox + sandbox_children - sum(self._start[1])
        self.postgres = self._backends.seconds().get("postgres", 0.0)
        self.postgres_exited = self._backends.exited_seconds

    def worker_split(self) -> str:
        return f"main {self.worker_main:.1f} s, hashing processes {self.worker_hashing:.1f} s"


BENCH_PASSWORD = "correct horse 1"  # a throwaway bench user


async def register(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post(
        "/auth/register", json={"email": email, "password": BENCH_PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def connect_meta(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    started = await client.post(f"{AS}/platforms/meta/connect", headers=headers)
    started.raise_for_status()
    async with httpx.AsyncClient() as browser:  # the user at Meta's consent screen
        consent = await browser.get(started.json()["authorization_url"])
    query = parse_qs(urlsplit(consent.headers["location"]).query)
    done = await client.post(
        f"{AS}/platforms/meta/callback",
        json={"code": query["code"][0], "state": query["state"][0]},
        headers=headers,
    )
    done.raise_for_status()
    return str(done.json()["ad_accounts"][0]["id"])


async def wait_job(
    client: httpx.AsyncClient, headers: dict[str, str], job_id: str, *, every: float = 0.1
) -> dict[str, Any]:
    while True:
        response = await client.get(f"{AS}/sync-jobs/{job_id}", headers=headers)
        response.raise_for_status()
        job: dict[str, Any] = response.json()
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        await asyncio.sleep(every)


def bare_hashing(count: int) -> float:
    """SHA-256 of every identifier, trimmed and lowercased (phones digits only), nothing
    else: the floor any sync of the same identifiers stands on."""
    started = time.perf_counter()
    sha = hashlib.sha256
    for i in range(count):
        e, p, f, last, z = values(i)
        sha(e.strip().lower().encode()).hexdigest()
        sha("".join(ch for ch in p if ch.isdigit()).encode()).hexdigest()
        sha(f.strip().lower().encode()).hexdigest()
        sha(last.strip().lower().encode()).hexdigest()
        sha(z.strip().lower().encode()).hexdigest()
    return time.perf_counter() - started


def normalization(count: int, chunk: int = 100_000) -> float:
    """Meta's normalization of the same identifiers alone (no hashing), one process."""
    spent = 0.0
    for start in range(0, count, chunk):
        rows = [values(i) for i in range(start, min(count, start + chunk))]
        columns = [[row[n] for row in rows] for n in range(len(FIELDS))]
        started = time.perf_counter()
        for name, column in zip(FIELDS, columns, strict=True):
            normalize_many("meta", name, column)
        spent += time.perf_counter() - started
    return spent


def logged_record(log: Path, job_id: str, message: bytes) -> dict[str, Any] | None:
    """The last ``message`` line a service logged for the job, decoded."""
    if not log.exists():
        return None
    for line in reversed(log.read_bytes().splitlines()[-20_000:]):
        if job_id.encode() in line and message in line:
            record: dict[str, Any] = orjson.loads(line)
            return record
    return None


def logged_timings(log: Path, job_id: str, message: bytes) -> dict[str, float]:
    """A job's split as a service logged it (the ``timings`` and ``seconds`` of its
    ``message`` line)."""
    record = logged_record(log, job_id, message)
    if record is None:
        return {}
    timings = record.get("timings") or {}
    return {str(k): float(v) for k, v in timings.items()} | {
        "seconds": float(record.get("seconds", 0.0))
    }


def completed_at(job_id: str) -> float | None:
    """When the worker completed the job (its "sync job completed" line's timestamp, to the
    millisecond, as a Unix time): the job row's own timestamps are transaction starts, and
    the API shows them to the second."""
    record = logged_record(WORKER_LOG, job_id, b"sync job completed")
    if record is None:
        return None
    stamp = datetime.strptime(str(record["ts"]), "%Y-%m-%dT%H:%M:%S.%fZ")
    return stamp.replace(tzinfo=UTC).timestamp()


def worker_timings(job_id: str) -> dict[str, float]:
    """The worker's own split of a job (its "sync job completed" log line)."""
    return logged_timings(WORKER_LOG, job_id, b"sync job completed")


@dataclass
class UpdateRun:
    """One 1 % update: the request's and the job's wall times and splits."""

    job: dict[str, Any]
    request_s: float
    total_s: float
    cpu: CpuSpent

    def split(self) -> str:
        asked = logged_timings(API_LOG, self.job["job_id"], b"sync requested")
        done = worker_timings(self.job["job_id"])
        # What neither the request nor the job accounts for: the job's pick-up after the
        # commit, and this bench's polling of it (every 0.1 s). From durations only: the
        # job row's timestamps are transaction starts, too coarse for this.
        ran = done.get("seconds", 0.0)
        rest = self.total_s - self.request_s - ran
        request = ", ".join(f"{k} {v:.2f} s" for k, v in asked.items() if k != "seconds")
        job = ", ".join(f"{k} {v:.2f} s" for k, v in done.items() if k != "seconds")
        return (
            f"request: handler {asked.get('seconds', 0.0):.2f} s ({request}), answered at "
            f"+{self.request_s:.2f} s; job: ran {ran:.2f} s ({job}); seen completed at "
            f"+{self.total_s:.2f} s; the rest (pick-up, polling) {rest:.2f} s"
        )


async def update_once(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    sid: str,
    audience_id: str,
    *,
    count: int,
    round_: int,
) -> UpdateRun:
    """0.5 % of the segment leaves and as many new profiles join (round ``round_`` picks
    other ids than the earlier ones), then one update sync, timed from its request to the
    job's end."""
    changed = count // 200
    leaving = [f"c{i}" for i in range(round_ * changed, (round_ + 1) * changed)]
    for start in range(0, len(leaving), 10_000):
        response = await client.request(
            "DELETE",
            f"/cdp/segments/{sid}/profiles",
            json={"external_ids": leaving[start : start + 10_000]},
            headers=headers,
        )
        response.raise_for_status()
    first = count + round_ * changed
    joining = [
        {"external_id": f"c{i}", **dict(zip(FIELDS, values(i), strict=True))}
        for i in range(first, first + changed)
    ]
    for start in range(0, len(joining), 10_000):
        response = await client.post(
            f"/cdp/segments/{sid}/profiles",
            json={"profiles": joining[start : start + 10_000]},
            headers=headers,
        )
        response.raise_for_status()
    cpu = CpuSpent()
    cpu.start()
    started = time.perf_counter()
    triggered = await client.post(
        f"{AS}/audiences/{audience_id}/sync", json={"operation": "update"}, headers=headers
    )
    triggered.raise_for_status()
    request_s = time.perf_counter() - started
    job = await wait_job(client, headers, triggered.json()["job_id"])
    total_s = time.perf_counter() - started
    cpu.stop()
    assert job["status"] == "completed", job
    return UpdateRun(job, request_s, total_s, cpu)


async def again(rounds: int) -> int:
    """More 1 % updates on the audience a ``--keep`` run left (no import, no initial sync)."""
    kept = orjson.loads(KEPT.read_bytes())
    async with httpx.AsyncClient(base_url=API, timeout=httpx.Timeout(600, connect=10)) as client:
        login = await client.post(
            "/auth/login", json={"email": kept["email"], "password": kept["password"]}
        )
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        failed = 0
        for _ in range(rounds):
            kept["round"] += 1
            KEPT.write_bytes(orjson.dumps(kept))
            load = os.getloadavg()[0]
            run = await update_once(
                client,
                headers,
                kept["segment_id"],
                kept["audience_id"],
                count=kept["count"],
                round_=kept["round"],
            )
            failed += run.total_s > TARGETS["update"]
            print(
                f"1% update (round {kept['round']}, {kept['count']:,} profiles, load {load:.1f}): "
                f"{run.total_s:.2f} s, +{run.job['profiles_added']:,} / "
                f"-{run.job['profiles_removed']:,}, estimated {run.job['estimated_changes']}"
            )
            print(f"  split  {run.split()}")
    return 1 if failed else 0


async def main(count: int, keep: bool) -> int:
    pid = int(WORKER_PID.read_text().strip())
    async with httpx.AsyncClient(base_url=API, timeout=httpx.Timeout(600, connect=10)) as client:
        email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
        headers = await register(client, email)
        segment = (
            await client.post("/cdp/segments", json={"name": "bench"}, headers=headers)
        ).json()
        sid = segment["id"]

        started = time.perf_counter()
        imported = await client.post(
            f"/cdp/segments/{sid}/profiles/import",
            content=csv_body(count),
            headers={**headers, "content-type": "text/csv"},
        )
        import_s = time.perf_counter() - started
        imported.raise_for_status()
        assert imported.json()["inserted"] == count, imported.text

        account = await connect_meta(client, headers)
        sampler = PeakRss(pid)
        initial_cpu = CpuSpent()
        timeline = CpuTimeline(
            {"W": [pid], "S": [int(SANDBOX_PID.read_text().strip())]},
            subtrees={"H": pid},
            commands={"P": "postgres"},
        )
        load_before = os.getloadavg()
        try:
            sampler.start()
            initial_cpu.start()
            timeline.start()
            wall_started, started = time.time(), time.perf_counter()
            created = await client.post(
                f"{AS}/audiences",
                json={
                    "segment_id": sid,
                    "platform": "meta",
                    "ad_account_id": account,
                    "audience_name": f"bench {uuid.uuid4().hex[:6]}",
                },
                headers=headers,
            )
            created.raise_for_status()
            audience_id = created.json()["audience"]["id"]
            initial = await wait_job(
                client, headers, created.json()["initial_sync"]["job_id"], every=WATCH_EVERY
            )
            seen_s = time.perf_counter() - started
            initial_cpu.stop()
            timeline.stop()
            assert initial["status"] == "completed", initial
            done_at = completed_at(initial["job_id"])
            initial_s = seen_s if done_at is None else done_at - wall_started

            print(
                f"initial sync {initial_s:.1f} s; CPU worker {initial_cpu.worker:.1f} s "
                f"({initial_cpu.worker_split()}) + "
                f"sandbox {initial_cpu.sandbox:.1f} s",
                flush=True,
            )
            run: UpdateRun | None = None
            update_error = ""
            try:
                run = await update_once(client, headers, sid, audience_id, count=count, round_=0)
            except httpx.HTTPStatusError as exc:  # reported below; the initial figures stand
                update_error = (
                    f"{exc.request.method} {exc.request.url.path}: {exc.response.status_code}"
                )
            update = run.job if run is not None else None
            update_s = run.total_s if run is not None else float("nan")
        finally:
            sampler.stop()

        load_after = os.getloadavg()
        cpu_before = time.process_time()
        hashing_s = bare_hashing(count)
        hashing_cpu = time.process_time() - cpu_before
        normalizing_s = normalization(count)

        if keep:
            kept = {"email": email, "password": BENCH_PASSWORD, "segment_id": sid}
            kept |= {"audience_id": audience_id, "count": count, "round": 0}
            KEPT.write_bytes(orjson.dumps(kept))
        else:
            await client.request("DELETE", f"{AS}/audiences/{audience_id}", headers=headers)
            await client.request("DELETE", f"/cdp/segments/{sid}", headers=headers)

    rss_mb = sampler.peak_main / 1e6
    ratio = initial_s / hashing_s
    rows = [
        ("import", f"{count:,} profiles", import_s, TARGETS["import"]),
        ("initial sync", f"{initial['profiles_sent']:,} profiles", initial_s, TARGETS["initial"]),
        (
            "1% update sync",
            f"+{update['profiles_added']:,} / -{update['profiles_removed']:,} profiles"
            if update is not None
            else f"failed: {update_error}",
            update_s,
            TARGETS["update"],
        ),
    ]
    load = os.getloadavg()
    print(
        f"\naudience-sync bench ({count:,} profiles, email + phone + first/last name + zip, "
        f"Meta sandbox; load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores; "
        f"1-min load {load_before[0]:.1f} before the initial sync, {load_after[0]:.1f} after the "
        "update)"
    )
    for name, what, seconds, target in rows:
        verdict = "ok" if seconds <= target else "OVER"
        print(f"  {name:15} {seconds:7.1f} s  (target {target:.0f} s, {verdict})  {what}")
    print(
        f"  initial seen    {seen_s:7.1f} s  through the API (looked at every {WATCH_EVERY} s; "
        + (
            "the initial sync above is to the job's completion in the worker's log)"
            if seen_s != initial_s
            else "the worker's log had no completion line)"
        )
    )
    print(f"  import rate     {count / import_s:10,.0f} profiles/s")
    print(f"  initial sync    {count / initial_s:10,.0f} profiles/s")
    print(f"  bare hashlib    {hashing_s:7.1f} s for the same {len(FIELDS) * count:,} identifiers")
    print(
        f"  sync / hashlib  {ratio:7.1f}x initial (target {TARGETS['ratio']:.0f}x, "
        f"{'ok' if ratio <= TARGETS['ratio'] else 'OVER'}), {update_s / hashing_s:.2f}x update"
    )
    initial_total = initial_cpu.worker + initial_cpu.sandbox
    print(
        f"  CPU             initial: worker {initial_cpu.worker:.1f} s "
        f"({initial_cpu.worker_split()}) + sandbox "
        f"{initial_cpu.sandbox:.1f} s = {initial_total:.1f} s "
        f"({initial_total / max(hashing_cpu, 1e-9):.1f}x bare hashlib's {hashing_cpu:.1f} s CPU); "
        + (
            f"update: worker {run.cpu.worker:.2f} s + sandbox {run.cpu.sandbox:.2f} s"
            if run is not None
            else "update: -"
        )
    )
    # The machine's whole budget: what the three spent against every core for the wall time.
    spent = initial_total + initial_cpu.postgres
    cores = os.cpu_count() or 1
    print(
        f"  PostgreSQL      initial: {initial_cpu.postgres:.1f} s of CPU (the audience-sync "
        f"database's backends; {initial_cpu.postgres_exited:.1f} s of it by processes that "
        "exited meanwhile, any database's, autovacuum included: an upper bound); "
        f"worker + sandbox + PostgreSQL {spent:.1f} s against "
        f"{cores} cores x {initial_s:.1f} s = {cores * initial_s:.1f} s "
        f"({100 * spent / (cores * initial_s):.0f} % busy)"
    )
    print(
        f"  worker RSS      {rss_mb:7.0f} MB peak (target {TARGETS['rss_mb']:.0f} MB, "
        f"{'ok' if rss_mb <= TARGETS['rss_mb'] else 'OVER'}); "
        f"hashing processes {sampler.peak_children / 1e6:.0f} MB (the sum of their peaks)"
    )
    split = worker_timings(initial["job_id"])
    if split:
        # The hash step's CPU, split in the proportions this process measured.
        cpu = normalizing_s + hashing_s
        hash_step = split.get("hash", 0.0)
        norm_part, sha_part = hash_step * normalizing_s / cpu, hash_step * hashing_s / cpu
        print(
            "  initial split   "
            f"hash step {hash_step:.1f} s (of it ~normalization {norm_part:.1f} s, "
            f"~SHA-256 {sha_part:.1f} s), "
            f"diff {split.get('plan', 0.0):.1f} s, database {split.get('checkpoint', 0.0):.1f} s, "
            f"HTTP {split.get('platform', 0.0):.1f} s, encode {split.get('encode', 0.0):.1f} s "
            f"(lanes overlap; worker job {split['seconds']:.1f} s)"
        )
    if run is not None:
        print(f"  update split    {run.split()}")
    print(f"  normalization   {normalizing_s:7.1f} s in one process for the same identifiers")
    print(
        f"  match rate      {initial['match_rate']} % (initial), "
        f"{update['match_rate'] if update is not None else '-'} % (update)"
    )
    hashed_until = timeline.last_busy("H")
    if hashed_until is not None:
        print(
            f"  overlap         the hashing processes last ran at {hashed_until:.1f} s of the "
            f"{initial_s:.1f} s initial sync: the sends ran on alone for "
            f"{max(0.0, initial_s - hashed_until):.1f} s"
        )
    print("\ninitial sync, second by second (cores used):")
    legend = {"W": "worker main", "H": "hashing", "S": "sandbox", "P": "PostgreSQL (server)"}
    print(timeline.chart(legend))
    failed = (
        import_s > TARGETS["import"]
        or initial_s > TARGETS["initial"]
        or update is None
        or update_s > TARGETS["update"]
        or rss_mb > TARGETS["rss_mb"]
        or ratio > TARGETS["ratio"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument(
        "--keep", action="store_true", help=f"keep the segment and audience (in {KEPT})"
    )
    parser.add_argument(
        "--again",
        type=int,
        metavar="N",
        help="only N more 1%% updates on the audience a --keep run left",
    )
    args = parser.parse_args()
    if args.again:
        sys.exit(asyncio.run(again(args.again)))
    sys.exit(asyncio.run(main(args.profiles, args.keep)))
