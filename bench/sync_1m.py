"""Audience-sync benchmark on the running stack, through the gateway, with the sandbox's Meta.

1. import a segment of 1,000,000 profiles (email + phone) as one streamed CSV;
2. create a Meta audience: its initial sync (2,000,000 identifiers) runs on the worker;
3. change 1 % of the members (5,000 profiles leave, 5,000 join) and run an update sync;
4. hash the same identifiers with bare ``hashlib`` in this process, for scale.

Prints the import time, both sync times (request to completed job), profiles/s, the
worker's peak RSS (psutil on the pid in ``.adscale/run/audience-sync-worker.pid``, its
hashing processes shown apart) and the ratio of each sync time to the bare hashing time.
Targets: import <= 60 s, initial sync <= 60 s, 1 % update <= 10 s, worker RSS <= 500 MB.

    uv run python deploy/stack.py up      # once
    uv run python bench/sync_1m.py [--profiles 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
API = os.environ.get("ADSCALE_GATEWAY_URL", "http://127.0.0.1:8107") + "/api/v1"
WORKER_PID = ROOT / ".adscale" / "run" / "audience-sync-worker.pid"
AS = "/cdp/audience-sync"

TARGETS = {"import": 60.0, "initial": 60.0, "update": 10.0, "rss_mb": 500.0}


def email(i: int) -> str:
    return f"Customer.{i}@Example.com"


def phone(i: int) -> str:
    return f"+1 415 {200 + i // 10000 % 800:03d} {i % 10000:04d}"


async def csv_body(count: int, start: int = 0) -> AsyncIterator[bytes]:
    yield b"external_id,email,phone\n"
    block: list[str] = []
    for i in range(start, start + count):
        block.append(f"c{i},{email(i)},{phone(i)}\n")
        if len(block) == 5_000:
            yield "".join(block).encode()
            block = []
    if block:
        yield "".join(block).encode()


@dataclass
class RssSampler:
    """Samples the worker's RSS (and its hashing processes') every 50 ms."""

    pid: int
    peak_main: int = 0
    peak_children: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        process = psutil.Process(self.pid)
        while not self._stop.is_set():
            try:
                self.peak_main = max(self.peak_main, process.memory_info().rss)
                children = sum(c.memory_info().rss for c in process.children(recursive=True))
                self.peak_children = max(self.peak_children, children)
            except psutil.Error:
                pass
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


async def register(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.post(
        "/auth/register",
        json={"email": f"bench-{uuid.uuid4().hex[:10]}@example.com", "password": "correct horse 1"},
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
    client: httpx.AsyncClient, headers: dict[str, str], job_id: str
) -> dict[str, Any]:
    while True:
        response = await client.get(f"{AS}/sync-jobs/{job_id}", headers=headers)
        response.raise_for_status()
        job: dict[str, Any] = response.json()
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        await asyncio.sleep(0.1)


def bare_hashing(count: int) -> float:
    """SHA-256 of every email and phone, trimmed/lowercased/digits only, nothing else."""
    started = time.perf_counter()
    sha = hashlib.sha256
    for i in range(count):
        sha(email(i).strip().lower().encode()).hexdigest()
        sha("".join(ch for ch in phone(i) if ch.isdigit()).encode()).hexdigest()
    return time.perf_counter() - started


async def main(count: int, keep: bool) -> int:
    pid = int(WORKER_PID.read_text().strip())
    changed = count // 200  # 0.5 % leave + 0.5 % join = 1 % of the members change
    async with httpx.AsyncClient(base_url=API, timeout=httpx.Timeout(600, connect=10)) as client:
        headers = await register(client)
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
        sampler = RssSampler(pid)
        try:
            started = time.perf_counter()
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
            initial = await wait_job(client, headers, created.json()["initial_sync"]["job_id"])
            initial_s = time.perf_counter() - started
            assert initial["status"] == "completed", initial

            leaving = [f"c{i}" for i in range(changed)]
            for start in range(0, len(leaving), 10_000):
                response = await client.request(
                    "DELETE",
                    f"/cdp/segments/{sid}/profiles",
                    json={"external_ids": leaving[start : start + 10_000]},
                    headers=headers,
                )
                response.raise_for_status()
            joining = [
                {"external_id": f"c{i}", "email": email(i), "phone": phone(i)}
                for i in range(count, count + changed)
            ]
            for start in range(0, len(joining), 10_000):
                response = await client.post(
                    f"/cdp/segments/{sid}/profiles",
                    json={"profiles": joining[start : start + 10_000]},
                    headers=headers,
                )
                response.raise_for_status()

            started = time.perf_counter()
            triggered = await client.post(
                f"{AS}/audiences/{audience_id}/sync", json={"operation": "update"}, headers=headers
            )
            triggered.raise_for_status()
            update = await wait_job(client, headers, triggered.json()["job_id"])
            update_s = time.perf_counter() - started
            assert update["status"] == "completed", update
        finally:
            sampler.stop()

        hashing_s = bare_hashing(count)

        if not keep:
            await client.request("DELETE", f"{AS}/audiences/{audience_id}", headers=headers)
            await client.request("DELETE", f"/cdp/segments/{sid}", headers=headers)

    rss_mb = sampler.peak_main / 1e6
    rows = [
        ("import", f"{count:,} profiles", import_s, TARGETS["import"]),
        (
            "initial sync",
            f"{initial['profiles_sent']:,} identifiers",
            initial_s,
            TARGETS["initial"],
        ),
        (
            "1% update sync",
            f"+{update['profiles_added']:,} / -{update['profiles_removed']:,} identifiers",
            update_s,
            TARGETS["update"],
        ),
    ]
    print(f"\naudience-sync bench ({count:,} profiles, email + phone, Meta sandbox)")
    for name, what, seconds, target in rows:
        verdict = "ok" if seconds <= target else "OVER"
        print(f"  {name:15} {seconds:7.1f} s  (target {target:.0f} s, {verdict})  {what}")
    print(f"  import rate     {count / import_s:10,.0f} profiles/s")
    print(f"  initial sync    {count / initial_s:10,.0f} profiles/s")
    print(f"  bare hashlib    {hashing_s:7.1f} s for the same {2 * count:,} identifiers")
    ratio = f"{initial_s / hashing_s:7.1f}x initial, {update_s / hashing_s:.2f}x update"
    print(f"  sync / hashlib  {ratio}")
    print(
        f"  worker RSS      {rss_mb:7.0f} MB peak (target {TARGETS['rss_mb']:.0f} MB, "
        f"{'ok' if rss_mb <= TARGETS['rss_mb'] else 'OVER'}); "
        f"hashing processes {sampler.peak_children / 1e6:.0f} MB peak together"
    )
    print(
        f"  match rate      {initial['match_rate']} % (initial), {update['match_rate']} % (update)"
    )
    failed = (
        import_s > TARGETS["import"]
        or initial_s > TARGETS["initial"]
        or update_s > TARGETS["update"]
        or rss_mb > TARGETS["rss_mb"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the segment and audience")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.profiles, args.keep)))
