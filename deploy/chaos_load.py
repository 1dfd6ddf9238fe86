"""The chaos run's bounded load and its bookkeeping (used by ``deploy/chaos.py``).

A phase sends a fixed number of API requests at a fixed pace (reads, and campaign updates
that each emit an event through the outbox) and starts a fixed number of audience syncs;
the counters are read from the public API, the sandbox's admin API, the services' own
outbox/inbox tables and Kafka's committed offsets.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
from aiohttp import web
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.consumer import AIOKafkaConsumer

AS = "/cdp/audience-sync"
# Dead-letter topics of the topics the stack's groups consume.
STACK_DLQS = frozenset(
    f"{t}.dlq"
    for t in (
        "identity.events",
        "campaigns.events",
        "audience_sync.events",
        "billing.events",
        "audience_sync.jobs",
        "cdp.profiles",
    )
)
SYNC_EVENTS = ("audience_sync.completed", "audience_sync.failed")
# The stack's consumer groups (the services' defaults); test suites' own groups on the
# shared broker are left out.
STACK_GROUPS = (
    "identity-plan-projection",
    "campaigns.billing",
    "campaigns.audience_sync",
    "audience-sync-jobs",
    "audience-sync-cdp-profiles",
    "audience-sync-webhooks",
    "audience-sync-rule-webhooks",
    "billing-usage",
)


@dataclass
class Tally:
    sent: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    # (seconds since the phase started, status) of every answer >= 500
    server_errors: list[tuple[float, int]] = field(default_factory=list)

    def record(self, status: int, at: float) -> None:
        self.sent += 1
        self.by_status[status] += 1
        if status >= 500 or status == 0:
            self.server_errors.append((at, status))


class Client:
    """One user of the stack: a connected Meta account, audiences, a campaign."""

    def __init__(self, api: str, sandbox: str) -> None:
        self.api = httpx.AsyncClient(base_url=api, timeout=30)
        self.sandbox = httpx.AsyncClient(base_url=sandbox, timeout=30)
        self.headers: dict[str, str] = {}
        self.audiences: list[dict[str, Any]] = []
        self.segments: list[str] = []
        self.campaign_id = ""
        self.next_profile = 0

    async def close(self) -> None:
        await self.api.aclose()
        await self.sandbox.aclose()

    async def setup(self, audiences: int, profiles: int, webhook_url: str) -> None:
        email = f"chaos-{uuid.uuid4().hex[:10]}@example.com"
        made = await self.api.post(
            "/auth/register", json={"email": email, "password": "chaos monkey 1"}
        )
        made.raise_for_status()
        self.headers = {"Authorization": f"Bearer {made.json()['access_token']}"}
        started = await self.api.post(f"{AS}/platforms/meta/connect", headers=self.headers)
        started.raise_for_status()
        consent = await self.sandbox.get(
            started.json()["authorization_url"] + f"&sandbox_user=chaos-{uuid.uuid4().hex[:8]}"
        )
        query = parse_qs(urlsplit(consent.headers["location"]).query)
        done = await self.api.post(
            f"{AS}/platforms/meta/callback",
            json={"code": query["code"][0], "state": started.json()["state"]},
            headers=self.headers,
        )
        done.raise_for_status()
        account = done.json()["ad_accounts"][0]["id"]
        hook = await self.api.post(
            f"{AS}/webhooks",
            json={
                "url": webhook_url,
                "events": ["audience_sync.completed", "audience_sync.failed"],
            },
            headers=self.headers,
        )
        hook.raise_for_status()
        for n in range(audiences):
            segment = await self.api.post(
                "/cdp/segments", json={"name": f"chaos {n}"}, headers=self.headers
            )
            segment.raise_for_status()
            segment_id = segment.json()["id"]
            self.segments.append(segment_id)
            await self.add_profiles(segment_id, profiles)
            created = await self.api.post(
                f"{AS}/audiences",
                json={
                    "segment_id": segment_id,
                    "platform": "meta",
                    "ad_account_id": account,
                    "audience_name": f"chaos {uuid.uuid4().hex[:8]}",
                },
                headers=self.headers,
            )
            created.raise_for_status()
            self.audiences.append(created.json()["audience"])
        ad_account = await self.api.post(
            "/accounts",
            json={"platform": "google", "account_id_external": f"chaos-{time.time_ns()}"},
            headers=self.headers,
        )
        ad_account.raise_for_status()
        campaign = await self.api.post(
            "/campaigns",
            json={"ad_account_id": ad_account.json()["id"], "name": "c", "objective": "sales"},
            headers=self.headers,
        )
        campaign.raise_for_status()
        self.campaign_id = campaign.json()["id"]

    async def add_profiles(self, segment_id: str, count: int) -> None:
        start, self.next_profile = self.next_profile, self.next_profile + count
        rows = [
            {"external_id": f"p{i}", "email": f"person.{i}@example.com"}
            for i in range(start, start + count)
        ]
        response = await self.api.post(
            f"/cdp/segments/{segment_id}/profiles", json={"profiles": rows}, headers=self.headers
        )
        response.raise_for_status()

    async def requests(self, count: int, pace: float, tally: Tally, t0: float) -> None:
        """``count`` requests, one every ``pace`` seconds: reads, and every fourth a
        campaign update (an event)."""
        for i in range(count):
            try:
                if i % 4 == 3:
                    response = await self.api.patch(
                        f"/campaigns/{self.campaign_id}",
                        json={"name": f"c{i}-{time.time_ns()}"},
                        headers=self.headers,
                    )
                else:
                    response = await self.api.get("/campaigns", headers=self.headers)
                status = response.status_code
            except httpx.HTTPError:
                status = 0  # no answer at all
            tally.record(status, time.monotonic() - t0)
            await asyncio.sleep(pace)

    async def start_syncs(self, count: int) -> list[str]:
        """An update sync on ``count`` audiences (a few new profiles each); the job ids.
        A refusal while a dependency is down is retried (a request, not an effect)."""
        jobs: list[str] = []
        for audience in self.audiences[:count]:
            deadline = time.monotonic() + 60
            while True:
                try:
                    await self.add_profiles(audience["segment_id"], 50)
                    response = await self.api.post(
                        f"{AS}/audiences/{audience['id']}/sync",
                        json={"operation": "update"},
                        headers=self.headers,
                    )
                    if response.status_code == 202:
                        jobs.append(response.json()["job_id"])
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(1)
        return jobs

    async def job_states(self, jobs: list[str], seconds: float) -> dict[str, dict[str, Any]]:
        """Each job's last state, waiting up to ``seconds`` for all to finish."""
        deadline = time.monotonic() + seconds
        states: dict[str, dict[str, Any]] = {}
        while True:
            for job_id in jobs:
                if states.get(job_id, {}).get("status") in ("completed", "failed", "cancelled"):
                    continue
                try:
                    response = await self.api.get(f"{AS}/sync-jobs/{job_id}", headers=self.headers)
                    if response.status_code == 200:
                        states[job_id] = response.json()
                except httpx.HTTPError:
                    pass
            open_jobs = [
                j
                for j in jobs
                if states.get(j, {}).get("status") not in ("completed", "failed", "cancelled")
            ]
            if not open_jobs or time.monotonic() > deadline:
                return states
            await asyncio.sleep(1)

    async def sandbox_duplicates(self) -> int:
        total = 0
        for audience in self.audiences:
            response = await self.sandbox.get(
                f"/_admin/audiences/meta/{audience['platform_audience_id']}/members"
            )
            total += int(response.json()["stats"]["duplicates"])
        return total


class WebhookReceiver:
    """Counts the Standard Webhooks deliveries it receives, by ``webhook-id``."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        async def receive(request: web.Request) -> web.Response:
            await request.read()
            self.ids[request.headers.get("webhook-id", "")] += 1
            return web.Response(status=204)

        app = web.Application()
        app.router.add_post("/hook", receive)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hook"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


async def outbox_state(database_urls: list[str], since: float) -> tuple[int, int]:
    """(events written to every service's outbox since ``since`` (epoch seconds), those
    still unpublished)."""
    written = unpublished = 0
    for url in database_urls:
        conn = await asyncpg.connect(url.replace("+asyncpg", ""), timeout=5)
        try:
            row = await conn.fetchrow(
                "SELECT count(*) AS n, count(*) FILTER (WHERE sent_at IS NULL) AS open "
                "FROM outbox_event WHERE created_at >= to_timestamp($1)",
                since,
            )
        finally:
            await conn.close()
        written += int(row["n"])
        unpublished += int(row["open"])
    return written, unpublished


async def inbox_handled(database_urls: list[str], since: float) -> int:
    handled = 0
    for url in database_urls:
        conn = await asyncpg.connect(url.replace("+asyncpg", ""), timeout=5)
        try:
            handled += int(
                await conn.fetchval(
                    "SELECT count(*) FROM inbox_event WHERE processed_at >= to_timestamp($1)",
                    since,
                )
            )
        finally:
            await conn.close()
    return handled


async def kafka_offsets(bootstrap: str) -> tuple[int, dict[str, int]]:
    """(total lag of every consumer group on the event topics, end offset of each DLQ)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await admin.start()
    await consumer.start()
    try:
        topics = [t for t in await admin.list_topics() if not t.startswith("__")]
        parts = [
            TopicPartition(t, p)
            for t in topics
            for p in (consumer.partitions_for_topic(t) or await _partitions(consumer, t))
        ]
        ends = await consumer.end_offsets(parts)
        lag = 0
        for group in STACK_GROUPS:
            committed = await admin.list_consumer_group_offsets(group)
            for tp, meta in committed.items():
                if tp in ends and meta.offset >= 0:
                    lag += max(0, ends[tp] - meta.offset)
        dlq: dict[str, int] = {}
        for tp, end in ends.items():
            if tp.topic in STACK_DLQS:
                dlq[tp.topic] = dlq.get(tp.topic, 0) + end
        return lag, dlq
    finally:
        await consumer.stop()
        await admin.close()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()
