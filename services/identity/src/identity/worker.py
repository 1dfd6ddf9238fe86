"""Identity background process: outbox relay and consumers (``python -m identity.worker``)."""

from __future__ import annotations

import asyncio

from adscale_common.worker import run_worker
from identity.settings import get_settings


def main() -> None:
    asyncio.run(
        run_worker(
            get_settings(),
            service="identity",
            produces=["identity.events"],
        )
    )


if __name__ == "__main__":
    main()
