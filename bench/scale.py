"""Scale-out: sync throughput and gateway throughput with 1 and 2 instances, in one run.

Needs the stack's infrastructure (`make provision`) and wrk; run it alone (it moves the
stack to ``--scale 1`` and ``--scale 2`` itself, and leaves it at 1). For each scale:

* gateway: wrk, 50 connections, ``GET /api/v1/campaigns`` with a JWT through a bench
  gateway on port 8117 (same code, balanced over every campaigns instance, the per-user
  limit raised) — requests/s;
* sync: ``--audiences`` audiences of ``--profiles`` profiles each created at once (above
  the inline maximum, so their initial syncs queue for the workers), wall time until all
  completed — profiles/s.

Prints a table with the 2:1 ratios and the load average. On a 2-core machine both
instances share the same two cores, so the ratio shows what a second process buys there,
not on a bigger box.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

import stack  # noqa: E402
from sync_1m import connect_meta, register  # noqa: E402  (bench/ is on sys.path)

GATEWAY = f"{stack.GATEWAY_URL}/api/v1"
BENCH_PORT = 8117
AS = "/cdp/audience-sync"


def rescale(scale: int) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "stack.py"), "up", "--scale", str(scale)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def gateway_rps(scale: int, headers: dict[str, str], seconds: int) -> float:
    env = {**stack.base_env(), "ADSCALE_SCALE": str(scale)}
    overrides = {
        **stack.upstream_lists(stack.stack_env(env), scale),
        "GATEWAY_PORT": str(BENCH_PORT),
        "GATEWAY_METRICS_PORT": "0",
        "GATEWAY_RATE_LIMIT_USER_PER_MINUTE": "100000000",
        "GATEWAY_LOG_LEVEL": "WARNING",
    }
    gateway = stack.spawn_gateway(BENCH_PORT, overrides)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                "-c50",
                f"-d{seconds}s",
                "-H",
                f"Authorization: {headers['Authorization']}",
                f"http://127.0.0.1:{BENCH_PORT}/api/v1/campaigns",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        gateway.terminate()
        gateway.wait(10)
    found = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        print(f"  (scale {scale}: {non2xx.group(1)} non-2xx answers)")
    return float(found.group(1)) if found else 0.0


async def wait_jobs(
    api: httpx.AsyncClient, headers: dict[str, str], jobs: list[str]
) -> dict[str, str]:
    """Every job's final status, polled twice a second: the stack's gateway allows a user
    600 requests a minute, so sync_1m's 10 polls a second per job would meet 429s."""
    states: dict[str, str] = {}
    while len(states) < len(jobs):
        for job_id in (j for j in jobs if j not in states):
            response = await api.get(f"{AS}/sync-jobs/{job_id}", headers=headers)
            if response.status_code == 429:
                continue
            response.raise_for_status()
            if response.json()["status"] in ("completed", "failed", "cancelled"):
                states[job_id] = response.json()["status"]
        await asyncio.sleep(0.5)
    return states


async def sync_pps(api: httpx.AsyncClient, audiences: int, profiles: int) -> float:
    headers = await register(api)
    account = await connect_meta(api, headers)
    segments = []
    for n in range(audiences):
        segment = (await api.post("/cdp/segments", json={"name": f"b{n}"}, headers=headers)).json()
        for start in range(0, profiles, 10_000):
            rows = [
                {"external_id": f"p{i}", "email": f"p{i}.{n}@example.com"}
                for i in range(start, min(start + 10_000, profiles))
            ]
            filled = await api.post(
                f"/cdp/segments/{segment['id']}/profiles",
                json={"profiles": rows},
                headers=headers,
                timeout=120,
            )
            filled.raise_for_status()
        segments.append(segment["id"])
    started = time.monotonic()
    jobs = []
    for segment_id in segments:
        created = await api.post(
            f"{AS}/audiences",
            json={
                "segment_id": segment_id,
                "platform": "meta",
                "ad_account_id": account,
                "audience_name": f"bench {uuid.uuid4().hex[:6]}",
            },
            headers=headers,
        )
        created.raise_for_status()
        jobs.append(created.json()["initial_sync"]["job_id"])
    states = await wait_jobs(api, headers, jobs)
    took = time.monotonic() - started
    if any(s != "completed" for s in states.values()):
        print(f"  jobs not all completed: {sorted(states.values())}")
    return audiences * profiles / took


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--audiences", type=int, default=4)
    parser.add_argument("--profiles", type=int, default=50_000)
    args = parser.parse_args()
    results: dict[int, tuple[float, float]] = {}
    try:
        for scale in (1, 2):
            rescale(scale)
            async with httpx.AsyncClient(base_url=GATEWAY, timeout=60) as api:
                headers = await register(api)
                rps = await asyncio.to_thread(gateway_rps, scale, headers, args.seconds)
                pps = await sync_pps(api, args.audiences, args.profiles)
            results[scale] = (rps, pps)
            print(f"scale {scale}: gateway {rps:,.0f} req/s, sync {pps:,.0f} profiles/s")
    finally:
        rescale(1)
    load = os.getloadavg()
    print()
    print(f"{'':28} {'1 instance':>12} {'2 instances':>12} {'2:1':>6}")
    for label, index in (("gateway GET /campaigns req/s", 0), ("sync profiles/s", 1)):
        one, two = results[1][index], results[2][index]
        print(f"{label:28} {one:>12,.0f} {two:>12,.0f} {two / one if one else 0:>6.2f}")
    print(f"\nload average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} cores")
    print(json.dumps({"scale": results}))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
