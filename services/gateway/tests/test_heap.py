"""After start-up the gateway settles its heap as every service does: start-up's objects
frozen out of collections, the young generation collected less often."""

from __future__ import annotations

import gc

from adscale_common.app import YOUNG_GC_THRESHOLD
from adscale_common.testing import InfraUrls
from kit import Upstreams, new_key, running_gateway


async def test_after_start_up_the_young_generation_is_collected_less_often(
    redis_clean: str, adscale_infra: InfraUrls
):
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, *before[1:])
        upstreams = Upstreams(keys=[new_key("key-1")])
        async with running_gateway(upstreams, redis_clean, adscale_infra.kafka_bootstrap) as gw:
            assert gc.get_threshold() == (YOUNG_GC_THRESHOLD, *before[1:])
            assert (await gw.get("/api/v1/campaigns")).status_code == 200
    finally:
        gc.set_threshold(*before)
