"""When to try a request again: 429 and 503, and connections that never opened.

The wait honours ``Retry-After`` (capped by ``max_wait``); without it, exponential
backoff with jitter.
"""

from __future__ import annotations

from typing import Any

import httpx
from tenacity import RetryCallState
from tenacity.wait import wait_random_exponential

from adscale.errors import ApiError, TransportError

RETRY_STATUSES = frozenset({429, 503})


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, ApiError):
        return exc.status_code in RETRY_STATUSES
    return isinstance(exc, TransportError) and isinstance(exc.__cause__, httpx.ConnectError)


class WaitRetryAfter:
    def __init__(self, max_wait: float = 60.0) -> None:
        self.max_wait = max_wait
        self.backoff = wait_random_exponential(multiplier=0.5, max=max_wait)

    def __call__(self, state: RetryCallState) -> float:
        outcome: Any = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, ApiError) and exc.retry_after is not None:
            return min(exc.retry_after, self.max_wait)
        return float(self.backoff(state))
