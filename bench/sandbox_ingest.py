"""The sandbox's Meta audience-member ingest, in process (no stack, no network).

Uploads ``--profiles`` multi-key rows (EMAIL, PHONE, FN, LN, ZIP, all SHA-256 hex) to one
custom audience in requests of ``--batch`` rows, the way the worker sends them (JSON body,
upload session), then removes ``--remove`` of them; prints the time per request and rows/s.
``--profile FILE`` writes a cProfile of the uploads.

    uv run python bench/sandbox_ingest.py [--profiles 200000] [--batch 10000] [--profile out]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import orjson

from adscale_sandbox.main import create_app
from adscale_sandbox.settings import Settings

GRAPH = "/meta/graph/v25.0"
REDIRECT = "https://app.example.test/oauth/callback"
SCHEMA = ["EMAIL", "PHONE", "FN", "LN", "ZIP"]


def row(i: int) -> list[str]:
    values = (
        f"customer.{i}@example.com",
        f"1415{200 + i // 10000 % 800:03d}{i % 10000:04d}",
        f"ann{i % 997}",
        f"lee{i % 991}",
        f"{10000 + i % 89999:05d}",
    )
    return [hashlib.sha256(v.encode()).hexdigest() for v in values]


async def login(client: httpx.AsyncClient) -> str:
    """A Meta access token for the sandbox's test user (consent, then code exchange)."""
    app = {"client_id": "app-1", "redirect_uri": REDIRECT}
    consent = await client.get("/meta/www/v25.0/dialog/oauth", params={**app, "scope": "ads"})
    code = parse_qs(urlparse(consent.headers["location"]).query)["code"][0]
    exchange = {**app, "client_secret": "secret", "code": code}
    token = await client.get(f"{GRAPH}/oauth/access_token", params=exchange)
    return str(token.json()["access_token"])


async def main(count: int, batch: int, remove: int, profile: str | None) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir), rate_limit_meta_per_minute=10**6))
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=transport, base_url="http://sandbox", timeout=600
            ) as client,
        ):
            token = await login(client)
            accounts = await client.get(f"{GRAPH}/me/adaccounts", params={"access_token": token})
            account = accounts.json()["data"][0]["account_id"]
            created = await client.post(
                f"{GRAPH}/act_{account}/customaudiences",
                data={
                    "name": "bench",
                    "subtype": "CUSTOM",
                    "customer_file_source": "USER_PROVIDED_ONLY",
                    "access_token": token,
                },
            )
            audience = created.json()["id"]
            bodies = [
                orjson.dumps(
                    {
                        "payload": {
                            "schema": SCHEMA,
                            "data": [row(i) for i in range(s, min(count, s + batch))],
                        },
                        "session": {"session_id": 7, "batch_seq": s // batch + 1},
                    }
                )
                for s in range(0, count, batch)
            ]
            profiler = cProfile.Profile() if profile else None
            spent: list[float] = []
            cpu_started = time.process_time()
            for body in bodies:
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                response = await client.post(
                    f"{GRAPH}/{audience}/users",
                    content=body,
                    headers={
                        "content-type": "application/json",
                        "authorization": f"Bearer {token}",
                    },
                )
                if profiler:
                    profiler.disable()
                spent.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
            cpu = time.process_time() - cpu_started
            removal = orjson.dumps(
                {"payload": {"schema": SCHEMA, "data": [row(i) for i in range(remove)]}}
            )
            started = time.perf_counter()
            response = await client.request(
                "DELETE",
                f"{GRAPH}/{audience}/users",
                content=removal,
                headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
            )
            removed_s = time.perf_counter() - started
            assert response.status_code == 200, response.text
    if profiler and profile:
        profiler.dump_stats(profile)
    total = sum(spent)
    load = os.getloadavg()
    print(
        f"sandbox Meta ingest: {count:,} rows in {len(spent)} requests of {batch:,}: "
        f"{total:.2f} s, CPU {cpu:.2f} s ({count / total:,.0f} rows/s; "
        f"first {spent[0] * 1000:.0f} ms, "
        f"last {spent[-1] * 1000:.0f} ms per request); removing {remove:,}: {removed_s:.2f} s; "
        f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--remove", type=int, default=5_000)
    parser.add_argument("--profile")
    args = parser.parse_args()
    asyncio.run(main(args.profiles, args.batch, args.remove, args.profile))
