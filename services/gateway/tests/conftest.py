"""The gateway in process, with stand-in upstream apps mounted on its HTTP client.

The upstreams (``gw_support``) answer like our services would (identity's JWKS
and API-key verification, an echo service that reports what it received);
Redis and Kafka are the real servers from ``ADSCALE_TEST_*``.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from adscale_common.testing import InfraUrls

sys.path.insert(0, str(Path(__file__).parent))

from gateway.main import create_app
from gateway.settings import Settings
from gw_support import KEY, Upstreams, echo_app, identity_app, new_key, serve


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
    async with serve(identity_app(upstreams)) as identity, serve(echo_app(upstreams)) as echo:
        settings = Settings(
            internal_token_key=KEY,
            redis_url=redis_clean,
            kafka_bootstrap=adscale_infra.kafka_bootstrap,
            identity_url=identity,
            campaigns_url=echo,
            audience_sync_url=echo,
            # nothing listens on port 9: a real connection refusal
            billing_url="http://127.0.0.1:9",
            upstream_timeout_seconds=0.5,
            log_json=False,
        )
        app = create_app(settings)
        inner = app.app  # RequestIdMiddleware -> Gateway
        async with inner.api.router.lifespan_context(inner.api):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5555))
            async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
                client.gateway = inner  # type: ignore[attr-defined]
                client.echo_url = echo  # type: ignore[attr-defined]
                yield client
