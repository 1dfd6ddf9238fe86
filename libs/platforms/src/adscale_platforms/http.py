"""One logical platform call: the HTTP request, error mapping, retries and token refresh.

:meth:`HttpClient._request`

* sends compact JSON, never logs bodies, tokens or identifiers;
* maps the platform's error bodies, codes and headers to the typed errors of
  :mod:`adscale_platforms.errors` (each client's ``_error_from``);
* retries with tenacity only :class:`RateLimited` (waiting the platform's retry-after,
  capped by ``max_retry_wait_seconds``) and :class:`PlatformUnavailable` (5xx, timeouts,
  transport errors), up to ``max_attempts``; never 4xx semantics;
* when the token is a :class:`~adscale_platforms.oauth.TokenSource`, refreshes it once
  on :class:`TokenExpired` and repeats the call.

Every call is counted once, in :meth:`HttpClient._once` (:mod:`adscale_platforms.metrics`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, NamedTuple
from urllib.parse import urlsplit

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
)

from adscale_platforms.batching import compact_json
from adscale_platforms.errors import PlatformError, PlatformUnavailable, RateLimited, TokenExpired
from adscale_platforms.metrics import record_call, record_error
from adscale_platforms.oauth import TokenSource
from adscale_platforms.protocol import TokenLike
from adscale_platforms.settings import PlatformSettings, get_settings

__all__ = ["HttpClient"]

logger = logging.getLogger("adscale_platforms")


def _safe_path(url: str) -> str:
    """Scheme, host and path only: query strings may carry tokens or secrets."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _body_of(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _release(response: httpx.Response) -> None:
    """Cuts the cycle httpx forms between a response and its stream (``BoundAsyncStream``
    holds the response), so the response and its request's body are freed by reference
    counting as soon as the caller drops them. Only for a response already read and
    closed: its content stays."""
    response.stream = httpx.ByteStream(b"")


class HttpCall(NamedTuple):
    """One request as :meth:`HttpClient._request` was asked for it (without the token)."""

    method: str
    url: str
    params: Any
    json_body: Any
    data: Any
    files: Any
    headers: dict[str, str] | None


class HttpClient:
    """HTTP, error mapping and retries: the transport every platform client stands on."""

    platform: ClassVar[str] = ""
    supports_pkce: ClassVar[bool] = False

    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: PlatformSettings | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.http = http
        self.settings = settings or get_settings()
        self._sleep = sleep or asyncio.sleep

    # -- to override ------------------------------------------------------------------

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    @staticmethod
    def map_error(status: int, headers: httpx.Headers, body: Any) -> PlatformError | None:
        """The platform's error mapping (``meta_error``, ``google_error``, ...): the typed
        error a response stands for, ``None`` for a success."""
        raise NotImplementedError

    def _error_from(self, response: httpx.Response, body: Any) -> PlatformError | None:
        return self.map_error(response.status_code, response.headers, body)

    # -- HTTP --------------------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        cap = self.settings.max_retry_wait_seconds
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return min(max(error.retry_after, 0.0), cap)
        initial = self.settings.backoff_initial_seconds
        exponential = initial * 2.0 ** max(state.attempt_number - 1, 0)
        backoff = min(exponential, self.settings.backoff_max_seconds)
        return min(backoff + random.uniform(0, initial), cap)

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            retry=retry_if_exception(
                lambda exc: isinstance(exc, RateLimited | PlatformUnavailable)
            ),
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
            before_sleep=self._log_retry,
        )

    def _log_retry(self, state: RetryCallState) -> None:
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        logger.warning(
            "platform call retried",
            extra={
                "platform": self.platform,
                "attempt": state.attempt_number,
                "error_type": type(error).__name__,
                "error_code": getattr(error, "code", None),
                "wait_seconds": round(state.upcoming_sleep, 3),
            },
        )

    async def _once(self, call: HttpCall, token: str | None) -> Any:
        # No reference cycle may hold this call's body (``content``, ``call.json_body``):
        # bodies are megabytes, and a cycle frees them only when the cyclic GC runs. httpx
        # binds each response to its stream in a cycle (cut by ``_release``), and an error
        # raised from here holds this frame (and the body) in its traceback, so the frame
        # lets go of the error as it leaves (test_body_lifetime.py).
        merged: dict[str, str] = {"Accept": "application/json"}
        if token is not None:
            merged.update(self._auth_headers(token))
        if call.headers:
            merged.update(call.headers)
        content: bytes | None = None
        if call.json_body is not None:
            content = compact_json(call.json_body)
            merged["Content-Type"] = "application/json"
        started = time.monotonic()
        try:
            response = await self.http.request(
                call.method,
                call.url,
                params=call.params,
                content=content,
                data=call.data,
                files=call.files,
                headers=merged,
                timeout=self.settings.request_timeout_seconds,
            )
        except httpx.TransportError as exc:
            record_call(self.platform, call.method, "transport_error", time.monotonic() - started)
            raise self._transport_error(call, exc) from exc
        try:
            body = _body_of(response)
            logger.info(
                "platform call",
                extra={
                    "platform": self.platform,
                    "method": call.method,
                    "url": _safe_path(call.url),
                    "status": response.status_code,
                    "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            record_call(
                self.platform,
                call.method,
                response.status_code,
                time.monotonic() - started,
            )
            error = self._error_from(response, body)
        finally:
            _release(response)
            del response
        if error is None:
            return body
        record_error(error)
        try:
            raise error
        finally:
            error = None

    def _transport_error(self, call: HttpCall, exc: httpx.TransportError) -> PlatformUnavailable:
        logger.warning(
            "platform transport error",
            extra={"platform": self.platform, "method": call.method, "url": _safe_path(call.url)},
        )
        unavailable = PlatformUnavailable(
            self.platform, type(exc).__name__, f"transport error: {type(exc).__name__}"
        )
        record_error(unavailable)
        return unavailable

    async def _request(
        self,
        method: str,
        url: str,
        *,
        token: TokenLike | None = None,
        params: Any = None,
        json_body: Any = None,
        data: Any = None,
        files: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """One logical call: retried, token refreshed once, mapped errors raised."""

        call = HttpCall(method, url, params, json_body, data, files, headers)

        def send(access: str | None) -> Awaitable[Any]:
            return self._once(call, access)

        async def attempt() -> Any:
            current = await token.access_token() if isinstance(token, TokenSource) else token
            try:
                return await send(current)
            except TokenExpired:
                if not isinstance(token, TokenSource) or current is None:
                    raise
                return await send(await token.refresh(current))

        async for retry_state in self._retrying():
            with retry_state:
                return await attempt()
        raise AssertionError("unreachable")  # pragma: no cover
