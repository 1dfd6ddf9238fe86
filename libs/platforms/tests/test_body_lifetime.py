"""Request bodies are freed when their call returns, without the cyclic GC (issue #15).

A member batch's body is megabytes; the worker streams hundreds of them. If anything the
client keeps after a call (httpx's response, tenacity's retry state, an exception's
traceback) sits in a reference cycle with the body, the body lives until the cyclic GC
happens to run, and the worker's peak RSS grows with the time between collections.

These tests send batches through the real Meta client to an in-process receiver
(``httpx.MockTransport``: this is about object lifetime, not the platform's behaviour) with
the cyclic GC switched off, and measure with tracemalloc that the memory traced after each
stream falls back to where it started.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from adscale_platforms import MetaClient

FIELDS = ["email", "phone", "first_name", "last_name", "zip"]
ROWS = 15_000  # two requests (Meta takes 10,000 rows a request) of ~3.4 MB and ~1.7 MB
STREAMS = 3
# What may stay traced after a stream: caches and counters, far below one body.
SLACK = 512 * 1024

Handler = Callable[[httpx.Request], httpx.Response]


def _rows(stream: int) -> Iterator[tuple[str, ...]]:
    for i in range(ROWS):
        yield tuple(f"{stream:08x}{i:08x}{j:048x}" for j in range(len(FIELDS)))


def _accepted(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"audience_id": "1", "num_received": 1})


def _unavailable_first(sent: list[int], failure: str) -> Handler:
    """Each batch failed once (a 503, or the connection dropped), then accepted: every
    batch goes through a retry."""

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(len(request.content))
        if len(sent) % 2 == 0:
            return _accepted(request)
        if failure == "transport":
            raise httpx.RemoteProtocolError("peer closed the connection", request=request)
        return httpx.Response(503, json={"error": {"message": "try later", "code": 2}})

    return handler


async def _stream_growth(handler: Handler, settings: Any) -> list[int]:
    """Bytes still traced after each of ``STREAMS`` add streams, from before the first."""

    async def no_sleep(seconds: float) -> None:
        return None

    growth: list[int] = []
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = MetaClient(http, settings, sleep=no_sleep)
        # One stream first, so imports, caches and the metrics' label sets are in place.
        async for _ in client.stream_members("add", "tok", "1", FIELDS, _rows(99)):
            pass
        gc.collect()
        gc.disable()
        tracemalloc.start()
        try:
            start, _ = tracemalloc.get_traced_memory()
            for stream in range(STREAMS):
                reports = 0
                async for _ in client.stream_members("add", "tok", "1", FIELDS, _rows(stream)):
                    reports += 1
                assert reports == 2
                now, peak = tracemalloc.get_traced_memory()
                assert peak - start > 3_000_000  # the bodies were there
                growth.append(now - start)
        finally:
            tracemalloc.stop()
            gc.enable()
    return growth


@pytest.fixture
def quiet_settings(settings_factory: Any) -> Any:
    return settings_factory(max_attempts=2)


async def test_bodies_are_freed_after_each_stream_without_the_cyclic_gc(
    quiet_settings: Any,
) -> None:
    growth = await _stream_growth(_accepted, quiet_settings)
    assert all(g < SLACK for g in growth), growth


@pytest.mark.parametrize("failure", ["503", "transport"])
async def test_a_retried_batch_frees_both_attempts_bodies(
    quiet_settings: Any, failure: str
) -> None:
    sent: list[int] = []
    growth = await _stream_growth(_unavailable_first(sent, failure), quiet_settings)
    # Every batch was sent twice, the same bytes both times.
    assert len(sent) == 4 * (STREAMS + 1)
    assert sent[0::2] == sent[1::2]
    assert all(g < SLACK for g in growth), growth
