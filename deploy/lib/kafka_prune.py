"""Delete the idle topics test suites leave behind on the local broker.

Usage: python deploy/lib/kafka_prune.py BOOTSTRAP DATA_DIR [--idle-minutes N] [--dry-run]

Every test run creates its own topics (``t<12 hex>.events``, ``test.rules.<8 hex>``,
``cdp.profiles.late-<10 hex>``, ...) and never deletes them. A broker that carries a few
thousand such partitions takes minutes to start after an unclean stop on a loaded machine
(each partition's last segment is recovered, one thread per data dir), which is what kept
``make chaos``'s Kafka restart from coming back. This deletes a topic when:

- its name carries a run token (8 or more hex digits), which no stack topic has, and
- none of its partitions (``DATA_DIR/<topic>-<n>/``) was created or appended to in the
  last ``--idle-minutes`` (60): a running test's topic is left alone.

Stack topics (``identity.events``, ``cdp.profiles.dlq``, ...) and internal ones (``__*``)
never match. Prints how many topics were deleted; exits 0 (a broker that does not answer
is reported, not an error: pruning is housekeeping).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

RUN_TOKEN = re.compile(r"[0-9a-f]{8,}")
PARTITION_DIR = re.compile(r"^(?P<topic>.+)-(?P<n>\d+)$")
BATCH = 100  # topics per DeleteTopics request


def last_write(data_dir: Path) -> dict[str, float]:
    """Each topic's last append or creation (epoch seconds): the newest mtime of its
    partitions' segment files (``*.log``) and ``partition.metadata``. Index, time-index
    and checkpoint files are rewritten by every broker start, so they do not count."""
    newest: dict[str, float] = {}
    for part in data_dir.iterdir():
        found = PARTITION_DIR.match(part.name)
        if not found or not part.is_dir():
            continue
        mtimes = [
            f.stat().st_mtime
            for f in part.iterdir()
            if f.suffix == ".log" or f.name == "partition.metadata"
        ] or [part.stat().st_mtime]
        topic = found["topic"]
        newest[topic] = max(newest.get(topic, 0.0), *mtimes)
    return newest


def stale_topics(topics: list[str], written: dict[str, float], idle_s: float) -> list[str]:
    cutoff = time.time() - idle_s
    return sorted(
        t
        for t in topics
        if not t.startswith("__") and RUN_TOKEN.search(t) and written.get(t, 0.0) < cutoff
    )


async def prune(bootstrap: str, data_dir: Path, idle_s: float, dry_run: bool) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    try:
        async with asyncio.timeout(20):
            await admin.start()
            topics = await admin.list_topics()
    except Exception as exc:
        print(f"kafka_prune: {bootstrap} did not answer ({exc!r}): nothing pruned")
        await admin.close()
        return 0
    try:
        doomed = stale_topics(topics, last_write(data_dir), idle_s)
        if not dry_run:
            for i in range(0, len(doomed), BATCH):
                await admin.delete_topics(doomed[i : i + BATCH], timeout_ms=30000)
    finally:
        await admin.close()
    verb = "would delete" if dry_run else "deleted"
    print(f"kafka_prune: {verb} {len(doomed)} idle test topics of {len(topics)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bootstrap")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--idle-minutes", type=float, default=60.0)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    if not args.data_dir.is_dir():
        print(f"kafka_prune: {args.data_dir} is not a local broker's data dir: nothing pruned")
        return 0
    return asyncio.run(prune(args.bootstrap, args.data_dir, args.idle_minutes * 60, args.dry_run))


if __name__ == "__main__":
    sys.exit(main())
