"""The CSV import's reading path on a 1,000,000-row file: decode, split, parse, map and
build the rows COPY writes (everything but the database), in-process.

Prints seconds, rows/s and the tracemalloc peak. ``--compare DIR`` also runs the same
file through another checkout's ``audience_sync`` sources (``DIR`` holds the
``audience_sync`` package, for example a ``git archive`` of the base commit's
``services/audience-sync/src``), alternating runs, and prints the ratio of the two —
how "same speed and memory as before" is checked on a noisy shared machine.

    uv run python bench/import_1m.py
    uv run python bench/import_1m.py --rows 200000 --compare /tmp/base/src
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

HEADER = b"external_id,email,phone,first_name,last_name,city,zip,tier\n"
BLOCK_ROWS = 2_000  # rows per body chunk (about 160 kB, like a streamed upload)
CHUNK_ROWS = 50_000  # AUDIENCE_SYNC_IMPORT_CHUNK_ROWS's default


async def body(rows: int) -> AsyncIterator[bytes]:
    yield HEADER
    block: list[str] = []
    for i in range(rows):
        block.append(
            f"p{i:07d},person.{i}@example.com,+1 415 {200 + i % 700:03d} {i % 10000:04d},"
            f"First{i % 977},Last{i % 983},San Francisco,94{i % 1000:03d},gold\n"
        )
        if len(block) == BLOCK_ROWS:
            yield "".join(block).encode()
            block = []
    if block:
        yield "".join(block).encode()


def modules() -> tuple[Any, Any]:
    """The reading path's modules (imported before any clock starts: the service module
    brings the whole app in)."""
    csv_import = importlib.import_module("audience_sync.segment.csv_import")
    service = importlib.import_module("audience_sync.segment.service")
    return csv_import, service


async def read(rows: int) -> int:
    """Rows built by whichever ``audience_sync`` is importable (today's API or the one
    before the customer-list work)."""
    csv_import, service = modules()
    built = 0
    pending: list[Any] = []
    if hasattr(csv_import, "CsvUpload"):
        upload = csv_import.CsvUpload(body(rows), content_encoding="", mapping={})
        async for records in upload.chunks(service.accept_row, CHUNK_ROWS):
            built += len(records)
        return built
    async for builder, parsed in csv_import.csv_rows(body(rows)):
        for line, values in parsed:
            record = builder.build(line, values)
            if record is not None:
                pending.append(record)
            if len(pending) >= CHUNK_ROWS:
                built += len(pending)
                pending = []
    return built + len(pending)


def once(rows: int) -> tuple[float, int]:
    """Seconds of a run without tracing (tracemalloc slows Python several times over),
    then the peak of a traced run."""
    modules()
    started = time.perf_counter()
    built = asyncio.run(read(rows))
    seconds = time.perf_counter() - started
    assert built == rows, (built, rows)
    tracemalloc.start()
    asyncio.run(read(rows))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def child(rows: int, source: str | None) -> tuple[float, int]:
    """One measured run in a fresh interpreter (``source``: another ``audience_sync``)."""
    env = dict(os.environ)
    if source:
        env["PYTHONPATH"] = source + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, __file__, "--rows", str(rows), "--child"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--compare", help="a directory holding another audience_sync package")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        seconds, peak = once(args.rows)
        print(seconds, peak)
        return
    sides: dict[str, str | None] = {"this checkout": None}
    if args.compare:
        sides = {"base": args.compare, "this checkout": None}
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in sides}
    for _ in range(args.runs):
        for name, source in sides.items():
            results[name].append(child(args.rows, source))
    load = os.getloadavg()[0]
    for name, runs in results.items():
        seconds = statistics.median(s for s, _ in runs)
        peak = max(p for _, p in runs)
        print(
            f"{name:>14}: {args.rows:,} rows in {seconds:.1f} s "
            f"({args.rows / seconds:,.0f} rows/s), peak {peak / 1e6:.1f} MB"
        )
    if args.compare:
        base_s = statistics.median(s for s, _ in results["base"])
        now_s = statistics.median(s for s, _ in results["this checkout"])
        base_m = max(p for _, p in results["base"])
        now_m = max(p for _, p in results["this checkout"])
        print(f"time ratio {now_s / base_s:.2f}x, peak-memory ratio {now_m / base_m:.2f}x")
    print(f"load average {load:.2f}")


if __name__ == "__main__":
    main()
