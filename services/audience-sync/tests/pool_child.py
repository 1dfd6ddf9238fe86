"""A worker-like process for the pool test: starts the hashing pool (fork server) and the
export pool (spawn), hashes one chunk, prints its pool processes' ids, then waits to be
killed."""

from __future__ import annotations

import asyncio
import uuid

import psutil

from audience_sync.export.writer import warm_executor
from audience_sync.sync.hashing import Hasher


async def main() -> None:
    hasher = Hasher(2)
    await hasher.start()
    await hasher.records(uuid.uuid4(), "meta", [])
    await warm_executor(1)
    descendants = psutil.Process().children(recursive=True)
    print(" ".join(str(p.pid) for p in descendants), flush=True)
    await asyncio.sleep(300)


if __name__ == "__main__":
    asyncio.run(main())
