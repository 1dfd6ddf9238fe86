"""Helpers of the event-plumbing tests: emit through the outbox, run a consumer, wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaProducer
from pydantic_settings import SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adscale_common.consumer import ConsumerRunner
from adscale_common.db import make_sessionmaker
from adscale_common.events import Envelope
from adscale_common.outbox import emit
from adscale_common.settings import ServiceSettings
from adscale_common.testing import InfraUrls


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached in time")


def runner_for(
    name: str,
    topic: str,
    handlers,
    sessions: async_sessionmaker[AsyncSession],
    infra: InfraUrls,
    producer: AIOKafkaProducer,
    **kw,
) -> ConsumerRunner:
    return ConsumerRunner(
        name=name,
        topics=[topic],
        handlers=handlers,
        sessionmaker=sessions,
        bootstrap=infra.kafka_bootstrap,
        producer=producer,
        **kw,
    )


async def emit_events(engine: AsyncEngine, events: list[Envelope]) -> None:
    async with make_sessionmaker(engine)() as session, session.begin():
        for event in events:
            await emit(session, event)


class AppSettings(ServiceSettings):
    """Settings of the small service apps these tests build with create_service_app."""

    model_config = SettingsConfigDict(env_prefix="TRACETEST_")
