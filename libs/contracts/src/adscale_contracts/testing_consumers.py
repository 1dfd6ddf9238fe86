"""Test helper: a service's consumer groups against one sample of every event type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.db import make_sessionmaker
from adscale_common.testing_consumers import every_group_handles_events_published_after_start
from adscale_common.worker import ConsumerSpec
from adscale_contracts.events import build
from adscale_contracts.samples import samples


async def every_group_handles_every_sample(
    specs: list[ConsumerSpec], engine: AsyncEngine, bootstrap: str
) -> None:
    """Each of ``specs``, started before its topics exist, handles the samples of the event
    types it takes, published after it started (issue 22)."""
    await every_group_handles_events_published_after_start(
        specs,
        [build(s, source="test") for s in samples()],
        sessionmaker=make_sessionmaker(engine),
        bootstrap=bootstrap,
    )


def every_group_test(
    consumer_specs: Callable[[], list[ConsumerSpec]],
) -> Callable[[AsyncEngine, Any], Awaitable[None]]:
    """The test a service's module binds to a ``test_…`` name: its worker's
    ``consumer_specs()`` against :func:`every_group_handles_every_sample` (fixtures
    ``engine`` and ``adscale_infra``)."""

    async def test(engine: AsyncEngine, adscale_infra: Any) -> None:
        await every_group_handles_every_sample(
            consumer_specs(), engine, adscale_infra.kafka_bootstrap
        )

    return test
