"""A process's share of a busy caller's window (gateway.leases) in the real Redis: exact
answers with one instance, never over the limit with several, shares that end with
their window, and fail-open when Redis is gone."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from gateway.leases import Shares
from gateway.ratelimit import Check, Policy, RateLimiter


@pytest.fixture
def namespace() -> str:
    return f"rl-test-{uuid.uuid4().hex}"


@pytest.fixture
async def redis(adscale_infra, namespace: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(adscale_infra.redis_url)
    yield client
    async for key in client.scan_iter(f"{namespace}:*"):
        await client.delete(key)
    await client.aclose()


@pytest.fixture
def new_limiter(redis: Redis, namespace: str):
    """A new limiter (one gateway instance) on the test's counters."""
    return lambda: RateLimiter(redis, namespace=namespace)


async def test_one_instance_answers_exactly_with_fewer_round_trips(new_limiter):
    limiter = new_limiter()
    check = Check(Policy("busy", 200, 60), "me")
    results = await asyncio.gather(*(limiter.evaluate([check]) for _ in range(250)))
    allowed = [tightest for refusal, tightest in results if refusal is None]
    refused = [refusal for refusal, _ in results if refusal is not None]
    assert len(allowed) == 200 and len(refused) == 50
    # The same answers as one INCR per request: remaining counts down by one each time.
    assert sorted(t.remaining for t in allowed if t is not None) == list(range(200))
    assert {(r.policy.name, r.remaining) for r in refused if r is not None} == {("busy", 0)}
    assert all(1 <= o.reset_seconds <= 60 for o in [*allowed, *refused] if o is not None)
    # Shares of up to 200 // 20 = 10 counts: far fewer Redis calls than requests.
    assert limiter.round_trips <= 40, limiter.round_trips


async def test_several_instances_never_allow_more_than_the_limit(new_limiter):
    instances = [new_limiter() for _ in range(3)]
    policy = Policy("shared", 300, 60)
    check = Check(policy, "me")
    cap = Shares().cap(policy.limit)
    assert cap == 15
    results = await asyncio.gather(
        *(instances[i % 3].evaluate([check]) for i in range(600)),
    )
    allowed = [tightest for refusal, tightest in results if refusal is None]
    assert len(allowed) <= 300
    # Refused early at most by what the two other instances held unspent.
    assert len(allowed) >= 300 - 2 * (cap - 1), len(allowed)
    remaining = [t.remaining for t in allowed if t is not None]
    assert len(set(remaining)) == len(remaining)  # no count given out twice


async def test_a_lone_request_reserves_one_count(redis, namespace, new_limiter):
    limiter = new_limiter()
    check = Check(Policy("calm", 600, 60), "me")
    key = f"{namespace}:calm:me"
    refusal, tightest = await limiter.evaluate([check])
    assert refusal is None and tightest is not None and tightest.remaining == 599
    assert int(await redis.get(key)) == 1
    # A caller sending a request now and then keeps the exact counter.
    await asyncio.sleep(0.3)
    refusal, tightest = await limiter.evaluate([check])
    assert tightest is not None and tightest.remaining == 598
    assert int(await redis.get(key)) == 2


async def test_a_share_ends_with_its_window(redis, namespace, new_limiter):
    limiter = new_limiter()
    check = Check(Policy("short", 1000, 1), "me")
    await asyncio.gather(*(limiter.evaluate([check]) for _ in range(100)))
    counted = int(await redis.get(f"{namespace}:short:me"))
    assert counted > 100  # a share was left over
    await asyncio.sleep(1.1)
    refusal, tightest = await limiter.evaluate([check])
    # A new window: the first count again, nothing from the old share.
    assert refusal is None and tightest is not None and tightest.remaining == 999


async def test_small_limits_are_counted_one_request_at_a_time(redis, namespace, new_limiter):
    limiter = new_limiter()
    check = Check(Policy("small", 99, 60), "me")
    await asyncio.gather(*(limiter.evaluate([check]) for _ in range(30)))
    assert int(await redis.get(f"{namespace}:small:me")) == 30


async def test_redis_unreachable_lets_every_shared_request_through():
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    limiter = RateLimiter(redis)
    check = Check(Policy("big", 1000, 60), "me")
    results = await asyncio.wait_for(
        asyncio.gather(*(limiter.evaluate([check]) for _ in range(5))), timeout=5
    )
    assert results == [(None, None)] * 5
    assert limiter.healthy is False
    await redis.aclose()
