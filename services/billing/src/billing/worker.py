"""Billing background process (``python -m billing.worker``).

* outbox relay: publishes ``billing.plan_changed``;
* consumer ``billing-usage``: ``campaigns.events`` and ``audience_sync.events``
  into the usage projection (inbox-deduplicated, DLQ on poison);
* periodic task: downgrade subscriptions whose cancel-at-period-end date passed.
"""

from __future__ import annotations

import asyncio

from adscale_common.worker import ConsumerSpec, run_worker
from billing.consumers import audience_sync, campaigns
from billing.settings import get_settings
from billing.tasks import period_end_sweep

USAGE_CONSUMER = "billing-usage"


def consumer_specs() -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            name=USAGE_CONSUMER,
            topics=[campaigns.TOPIC, audience_sync.TOPIC],
            handlers={**campaigns.HANDLERS, **audience_sync.HANDLERS},
        )
    ]


def main() -> None:
    asyncio.run(
        run_worker(
            get_settings(),
            service="billing",
            produces=["billing.events"],
            consumers=consumer_specs(),
            tasks=[period_end_sweep],
        )
    )


if __name__ == "__main__":
    main()
