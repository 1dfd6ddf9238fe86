"""Issue 22: billing's consumer groups, started before their topics exist, handle the
events published afterwards (the worker's own specs and handlers, every event type they
take, from the contracts' samples)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adscale_common.db import make_sessionmaker
from adscale_common.testing_consumers import every_group_handles_events_published_after_start
from adscale_contracts.events import build
from adscale_contracts.samples import samples
from billing.worker import consumer_specs

pytestmark = pytest.mark.kafka


async def test_every_consumer_group_handles_events_published_after_it_started(
    engine: AsyncEngine, adscale_infra
):
    await every_group_handles_events_published_after_start(
        consumer_specs(),
        [build(s, source="test") for s in samples()],
        sessionmaker=make_sessionmaker(engine),
        bootstrap=adscale_infra.kafka_bootstrap,
    )
