"""One httpx client per external target, with timeouts and bounded retries.

Retries happen only on failures that a retry can fix: connection errors,
timeouts, 429 and 502/503/504. ``Retry-After`` is honoured up to a cap.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.wait import wait_base

RETRYABLE_STATUS = frozenset({429, 502, 503, 504})


class RetryableStatus(Exception):
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        super().__init__(f"retryable HTTP {response.status_code}")


def make_http_client(
    base_url: str = "",
    *,
    timeout: float = 10.0,
    connect_timeout: float = 5.0,
    max_connections: int = 100,
    headers: dict[str, str] | None = None,
    follow_redirects: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        headers=headers,
        follow_redirects=follow_redirects,
        transport=transport,
    )


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time())


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, RetryableStatus | httpx.TransportError)


class _wait_retry_after(wait_base):
    def __init__(self, fallback: wait_base, cap: float) -> None:
        self.fallback = fallback
        self.cap = cap

    def __call__(self, retry_state: Any) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RetryableStatus):
            hinted = retry_after_seconds(exc.response)
            if hinted is not None:
                return min(hinted, self.cap)
        return min(float(self.fallback(retry_state)), self.cap)


async def send_with_retries(
    send: Callable[[], Awaitable[httpx.Response]],
    *,
    attempts: int = 4,
    max_wait: float = 30.0,
) -> httpx.Response:
    """Call ``send`` until it gives a non-retryable answer or attempts run out.

    The last retryable response is returned (not raised) so the caller maps it
    to its own error.
    """
    last: httpx.Response | None = None

    async def once() -> httpx.Response:
        nonlocal last
        response = await send()
        if response.status_code in RETRYABLE_STATUS:
            last = response
            raise RetryableStatus(response)
        return response

    retrying = AsyncRetrying(
        retry=retry_if_exception(_is_retryable),
        stop=stop_after_attempt(attempts),
        wait=_wait_retry_after(wait_exponential_jitter(multiplier=0.2, max=max_wait), max_wait),
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                return await once()
    except RetryableStatus:
        assert last is not None
        return last
    raise AssertionError("unreachable")
