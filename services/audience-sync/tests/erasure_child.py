"""A worker process for the SIGKILL test: runs one erasure against the sandbox over HTTP
and says ``PLANNED`` once the plan is committed (the parent then kills it mid-removal)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from adscale_common.crypto import TokenCipher
from adscale_common.db import make_engine, make_sessionmaker
from audience_sync.platforms import PlatformRegistry
from audience_sync.privacy.eraser import Eraser
from kit import platform_settings, service_settings


async def main() -> None:
    settings = service_settings(
        os.environ["CHILD_DATABASE_URL"], "unused:9092", os.environ["CHILD_ENCRYPTION_KEY"]
    )
    engine = make_engine(settings.database_url, pool_size=2)
    registry = PlatformRegistry(
        platform_settings(os.environ["CHILD_SANDBOX"]).model_copy(update={"max_attempts": 1})
    )

    async def say(step: str, ids: list[uuid.UUID]) -> None:
        print(step.upper(), flush=True)

    eraser = Eraser(
        engine=engine,
        sessionmaker=make_sessionmaker(engine),
        registry=registry,
        cipher=TokenCipher(os.environ["CHILD_ENCRYPTION_KEY"]),
        settings=settings,
        owner="eraser:child",
        after_step=say,
    )
    print(await eraser.run(uuid.UUID(os.environ["CHILD_ERASURE"])), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
