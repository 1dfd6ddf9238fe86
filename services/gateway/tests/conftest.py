"""The gateway in process, with stand-in upstream apps mounted on its HTTP client.

The upstreams (``kit``) answer like our services would (identity's JWKS
and API-key verification, an echo service that reports what it received);
Redis and Kafka are the real servers from ``ADSCALE_TEST_*``.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from adscale_common.testing import InfraUrls

sys.path.insert(0, str(Path(__file__).parent))

from kit import Upstreams, new_key, running_gateway


@pytest.fixture
def upstreams() -> Upstreams:
    return Upstreams(keys=[new_key("key-1")])


@pytest.fixture
async def redis_clean(adscale_infra: InfraUrls) -> AsyncIterator[str]:
    redis = Redis.from_url(adscale_infra.redis_url)
    async for key in redis.scan_iter("rl:*"):
        await redis.delete(key)
    await redis.aclose()
    yield adscale_infra.redis_url


@pytest.fixture
async def gateway(upstreams: Upstreams, redis_clean: str, adscale_infra: InfraUrls):
    async with running_gateway(upstreams, redis_clean, adscale_infra.kafka_bootstrap) as client:
        yield client
