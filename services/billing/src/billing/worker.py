"""Billing background process: outbox relay and consumers (``python -m billing.worker``)."""

from __future__ import annotations

import asyncio

from adscale_common.worker import run_worker
from billing.settings import get_settings


def main() -> None:
    asyncio.run(
        run_worker(
            get_settings(),
            service="billing",
            produces=["billing.events"],
        )
    )


if __name__ == "__main__":
    main()
