"""Campaigns background process: outbox relay and consumers (``python -m campaigns.worker``)."""

from __future__ import annotations

import asyncio

from adscale_common.worker import run_worker
from campaigns.settings import get_settings


def main() -> None:
    asyncio.run(
        run_worker(
            get_settings(),
            service="campaigns",
            produces=["campaigns.events"],
        )
    )


if __name__ == "__main__":
    main()
