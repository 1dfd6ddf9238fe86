"""Feed every sample event to every handler one service's worker registers.

Run as ``python tests/contract/event_consumer_check.py <service>`` (one service per
process: each service has its own tables and settings). Each handler runs in a
transaction on that service's real database, rolled back afterwards. Prints one
JSON line per (consumer group, event type) with "ok" or the error.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

from stack import SERVICES  # noqa: E402

from adscale_common.db import make_engine, make_sessionmaker  # noqa: E402
from adscale_contracts.events import build  # noqa: E402
from adscale_contracts.samples import samples  # noqa: E402


async def check(service: str) -> list[dict[str, str]]:
    module = SERVICES[service][0]
    worker = importlib.import_module(f"{module}.worker")
    settings = importlib.import_module(f"{module}.settings").get_settings()
    engine = make_engine(settings.database_url, pool_size=2)
    sessions = make_sessionmaker(engine)
    by_type = {s.TYPE: s for s in samples()}
    results: list[dict[str, str]] = []
    try:
        for spec in worker.consumer_specs():
            for event_type, handler in spec.handlers.items():
                sample = by_type.get(event_type)
                if sample is None:
                    results.append(
                        {"consumer": spec.name, "type": event_type, "result": "no such event type"}
                    )
                    continue
                envelope = build(sample, source="contract-test")
                async with sessions() as session:
                    transaction = await session.begin()
                    try:
                        await handler(session, envelope)
                        await session.flush()
                        outcome = "ok"
                    except Exception as exc:  # reported, the test fails on it
                        outcome = f"{type(exc).__name__}: {exc}"
                    finally:
                        await transaction.rollback()
                results.append({"consumer": spec.name, "type": event_type, "result": outcome})
    finally:
        await engine.dispose()
    return results


if __name__ == "__main__":
    for line in asyncio.run(check(sys.argv[1])):
        print("RESULT " + json.dumps(line))
