"""What the dashboard's Overview costs to load as an account's campaigns grow: the requests it
makes and their wall time, the way it loaded its chart and campaigns table before the
cross-campaign metric routes, and with them.

- ``per campaign``: ``GET /campaigns?limit=200`` then every listed campaign's daily rows
  (``GET /metrics/campaign/{id}``, every page), six at a time as a browser does over HTTP/1.1,
  summed per day and per campaign on the client; it stops at 200 campaigns.
- ``grouped``: ``GET /metrics/daily`` (every page) and ``GET /metrics/campaigns`` (the
  table's first page of 20).

Each size gets a new Enterprise member (a Stripe checkout delivered to billing), one ad
account, N campaigns made through the API and 30 days of metric rows per campaign written
straight into the campaigns database (the platform sandbox serves a few campaigns per login,
not hundreds). Requests go through an extra gateway with the rate limits raised. Prints the
median of ``--rounds`` loads of each way and the ratio.

    uv run python bench/overview.py --campaigns 20 --campaigns 150
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "tests" / "contract"))

from stack import base_env, service_database_url, spawn_gateway, stack_env  # noqa: E402

import contract_kit as kit  # noqa: E402

PORT = 8129
RAISED = {
    "GATEWAY_RATE_LIMIT_USER_PER_MINUTE": "1000000000",
    "GATEWAY_RATE_LIMIT_ANONYMOUS_PER_MINUTE": "1000000000",
    "GATEWAY_LOG_LEVEL": "WARNING",
}
DAYS = 30
BROWSER_CONNECTIONS = 6
LIMIT = 200


async def advertiser(api: httpx.AsyncClient, campaigns: int) -> kit.Member:
    """An Enterprise member with ``campaigns`` campaigns, 30 days of metrics each."""
    member = await kit.register(api, "bench-overview")
    await kit.upgrade(api, member, "enterprise")
    refreshed = await api.post("/auth/refresh", json={"refresh_token": member.refresh_token})
    refreshed.raise_for_status()
    member.access_token = refreshed.json()["access_token"]  # the token's plan claim
    account = await kit.connect_account(
        api, member, platform="meta", account_id_external=f"act_{uuid.uuid4().int % 10**12}"
    )
    ids = []
    for n in range(campaigns):
        body = {"ad_account_id": account["id"], "name": f"Bench {n:03d}", "objective": "sales"}
        created = await api.post("/campaigns", json=body, headers=member.headers)
        assert created.status_code == 201, created.text
        ids.append(uuid.UUID(created.json()["id"]))
    today = datetime.now(UTC).date()
    rows = [
        (
            cid,
            today - timedelta(days=d),
            1000 + d,
            30 + n % 7,
            Decimal(n % 5),
            Decimal("12.34"),
            Decimal("40.00"),
        )
        for n, cid in enumerate(ids)
        for d in range(DAYS)
    ]
    dsn = service_database_url(stack_env(base_env()), "campaigns").replace("+asyncpg", "")
    db = await asyncpg.connect(dsn, ssl=False)
    try:
        await db.copy_records_to_table(
            "campaign_metric",
            records=rows,
            columns=[
                "campaign_id",
                "day",
                "impressions",
                "clicks",
                "conversions",
                "spend",
                "revenue",
            ],
        )
    finally:
        await db.close()
    return member


async def pages(
    api: httpx.AsyncClient, path: str, headers: dict[str, str], query: dict[str, Any]
) -> tuple[list[dict[str, Any]], int]:
    """Every page of an offset list: its items and the requests made."""
    items: list[dict[str, Any]] = []
    requests = 0
    while True:
        response = await api.get(
            path, params={**query, "offset": len(items), "limit": LIMIT}, headers=headers
        )
        response.raise_for_status()
        requests += 1
        body = response.json()
        items += body["items"]
        if not body["items"] or len(items) >= body["total"]:
            return items, requests


async def per_campaign(
    api: httpx.AsyncClient, headers: dict[str, str], dates: dict[str, str]
) -> int:
    listed = await api.get("/campaigns", params={"limit": LIMIT}, headers=headers)
    listed.raise_for_status()
    gate = asyncio.Semaphore(BROWSER_CONNECTIONS)

    async def rows_of(cid: str) -> tuple[list[dict[str, Any]], int]:
        async with gate:
            return await pages(api, f"/metrics/campaign/{cid}", headers, dates)

    fetched = await asyncio.gather(*(rows_of(c["id"]) for c in listed.json()["items"]))
    by_day: dict[str, Decimal] = defaultdict(Decimal)
    by_campaign = [sum(Decimal(r["spend"]) for r in rows) for rows, _ in fetched]
    for rows, _ in fetched:
        for r in rows:
            by_day[r["date"]] += Decimal(r["spend"])
    assert by_day and len(by_campaign) == len(fetched)
    return 1 + sum(n for _, n in fetched)


async def grouped(api: httpx.AsyncClient, headers: dict[str, str], dates: dict[str, str]) -> int:
    days, requests = await pages(api, "/metrics/daily", headers, dates)
    table = await api.get("/metrics/campaigns", params={**dates, "limit": 20}, headers=headers)
    table.raise_for_status()
    assert days and table.json()["items"]
    return requests + 1


async def measure(base: str, sizes: list[int], rounds: int) -> list[tuple[int, str, int, float]]:
    today = datetime.now(UTC).date()
    dates = {"start_date": str(today - timedelta(days=DAYS - 1)), "end_date": str(today)}
    results = []
    limits = httpx.Limits(max_connections=BROWSER_CONNECTIONS)
    async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=60, limits=limits) as api:
        for size in sizes:
            member = await advertiser(api, size)
            for name, load in (("per campaign", per_campaign), ("grouped", grouped)):
                await load(api, member.headers, dates)  # warm the caches and connections
                times, requests = [], 0
                for _ in range(rounds):
                    started = time.perf_counter()
                    requests = await load(api, member.headers, dates)
                    times.append(time.perf_counter() - started)
                results.append((size, name, requests, statistics.median(times)))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, action="append", help="account sizes (repeat)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sizes = args.campaigns or [20, 150]
    child = spawn_gateway(PORT, RAISED)
    try:
        results = asyncio.run(measure(f"http://127.0.0.1:{PORT}", sizes, args.rounds))
    finally:
        child.terminate()
        child.wait(10)
    print(f"{'campaigns':>9}  {'way':<13}{'requests':>9}  {'median ms':>9}")
    for size, name, requests, seconds in results:
        print(f"{size:>9}  {name:<13}{requests:>9}  {seconds * 1000:>9.1f}")
    for size in sizes:
        took = {way: seconds for n, way, _, seconds in results if n == size}
        ratio = took["grouped"] / took["per campaign"]
        print(f"{size} campaigns: grouped loads in {ratio:.2f} of the per-campaign time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
