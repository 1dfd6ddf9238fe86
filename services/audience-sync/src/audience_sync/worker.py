"""Audience Sync background process (``python -m audience_sync.worker``)."""

from __future__ import annotations

import asyncio

from adscale_common.worker import run_worker
from audience_sync.settings import get_settings


def main() -> None:
    asyncio.run(
        run_worker(
            get_settings(),
            service="audience-sync",
            produces=["audience_sync.events", "audience_sync.jobs"],
        )
    )


if __name__ == "__main__":
    main()
