"""Wait until a Kafka broker answers a metadata request (used by provision.sh).

Usage: python deploy/lib/kafka_wait.py BOOTSTRAP [--timeout SECONDS] [--pid PID]

Exits 0 once a metadata request lists at least one broker, 1 on timeout, 2 if
the broker process given by --pid dies while waiting.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time

from aiokafka.admin import AIOKafkaAdminClient


def alive(pid: int | None) -> bool:
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def metadata_ok(bootstrap: str) -> str | None:
    """One attempt; returns a description of the cluster or None."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        async with asyncio.timeout(5):
            await admin.start()
            cluster = await admin.describe_cluster()
    except Exception:
        return None
    finally:
        await admin.close()
    brokers = cluster.get("brokers") or []
    if not brokers:
        return None
    return f"cluster {cluster.get('cluster_id')}, brokers {[b['node_id'] for b in brokers]}"


async def wait(bootstrap: str, limit_s: float, pid: int | None) -> int:
    deadline = time.monotonic() + limit_s
    while True:
        if not alive(pid):
            print(f"kafka_wait: broker process {pid} exited", file=sys.stderr)
            return 2
        found = await metadata_ok(bootstrap)
        if found:
            print(f"kafka_wait: {bootstrap} answers metadata ({found})")
            return 0
        if time.monotonic() > deadline:
            print(f"kafka_wait: no metadata from {bootstrap} in {limit_s:.0f}s", file=sys.stderr)
            return 1
        await asyncio.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bootstrap")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--pid", type=int, default=None)
    args = parser.parse_args()
    # aiokafka logs every refused connection while the broker starts; keep quiet.
    logging.basicConfig(level=logging.CRITICAL)
    return asyncio.run(wait(args.bootstrap, args.timeout, args.pid))


if __name__ == "__main__":
    sys.exit(main())
