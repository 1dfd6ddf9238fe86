"""The protocol every platform client implements, and the plumbing they share.

A client is built with an injected ``httpx.AsyncClient`` (one per target, owned by the
caller) and a :class:`~adscale_platforms.settings.PlatformSettings`. Every call goes
through :meth:`BaseClient._request`, which

* sends compact JSON, never logs bodies, tokens or identifiers;
* maps the platform's error bodies, codes and headers to the typed errors of
  :mod:`adscale_platforms.errors`;
* retries with tenacity only :class:`RateLimited` (waiting the platform's retry-after,
  capped by ``max_retry_wait_seconds``) and :class:`PlatformUnavailable` (5xx, timeouts,
  transport errors), up to ``max_attempts``; never 4xx semantics;
* when the token is a :class:`~adscale_platforms.oauth.TokenSource`, refreshes it once
  on :class:`TokenExpired` and repeats the call.

Member operations take rows lazily (any iterable or async iterable, millions of rows),
stream them through :mod:`adscale_platforms.batching` and report every accepted request
as a :class:`BatchReport`, either through ``on_batch`` or by iterating ``stream_*``. A
client implements :meth:`BaseClient._stream_members` with its platform's own primitives
(and :meth:`BaseClient._stream_replace` where replace is a sequence of calls); the six
public member methods are defined here once.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Literal, Protocol, TypeVar, runtime_checkable
from urllib.parse import urlsplit

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
)

from adscale_platforms.batching import BatchLimits, abatch_rows, compact_json, json_size, limits_for
from adscale_platforms.errors import (
    InvalidRequest,
    NotFound,
    PermissionDenied,
    PlatformError,
    PlatformUnavailable,
    RateLimited,
    TokenExpired,
)
from adscale_platforms.metrics import record_call, record_error
from adscale_platforms.models import (
    AdAccount,
    AudienceInfo,
    BatchReport,
    DailyInsight,
    TokenSet,
    UploadResult,
)
from adscale_platforms.oauth import TokenSource
from adscale_platforms.rows import map_rows
from adscale_platforms.settings import PlatformSettings, get_settings

__all__ = [
    "AdPlatformClient",
    "BaseClient",
    "BatchCallback",
    "CampaignPlatformClient",
    "MemberOperation",
    "Row",
    "Rows",
    "TokenLike",
]

logger = logging.getLogger("adscale_platforms")

T = TypeVar("T")
TokenLike = str | TokenSource
Row = str | Sequence[str]
Rows = Iterable[Row] | AsyncIterable[Row]
BatchCallback = Callable[[BatchReport], Awaitable[None] | None]
MemberOperation = Literal["add", "remove", "replace"]

MAX_INVALID_SAMPLES = 100


@runtime_checkable
class AdPlatformClient(Protocol):
    """OAuth, ad accounts, audiences and audience members on one ad platform.

    ``platform`` and ``supports_pkce`` are read-only: a client may provide them as class
    variables (as every client here does), instance attributes or properties.
    """

    @property
    def platform(self) -> str: ...

    @property
    def supports_pkce(self) -> bool: ...

    def authorization_url(
        self, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str: ...

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet: ...

    async def refresh(self, refresh_token: str) -> TokenSet: ...

    async def list_ad_accounts(self, token: TokenLike) -> list[AdAccount]: ...

    async def create_audience(
        self,
        token: TokenLike,
        ad_account_id: str,
        name: str,
        description: str,
        *,
        schema_field: str | None = None,
    ) -> str: ...

    async def get_audience(self, token: TokenLike, audience_id: str) -> AudienceInfo: ...

    async def delete_audience(self, token: TokenLike, audience_id: str) -> None: ...

    async def add_members(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        *,
        on_batch: BatchCallback | None = None,
        estimated_total: int | None = None,
    ) -> UploadResult: ...

    async def remove_members(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        *,
        on_batch: BatchCallback | None = None,
        estimated_total: int | None = None,
    ) -> UploadResult: ...

    async def replace_members(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        *,
        on_batch: BatchCallback | None = None,
        estimated_total: int | None = None,
    ) -> UploadResult: ...

    def stream_add_members(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        *,
        estimated_total: int | None = None,
    ) -> AsyncIterator[BatchReport]: ...

    def stream_remove_members(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        *,
        estimated_total: int | None = None,
    ) -> AsyncIterator[BatchReport]: ...

    def stream_replace_members(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        *,
        estimated_total: int | None = None,
    ) -> AsyncIterator[BatchReport]: ...


@runtime_checkable
class CampaignPlatformClient(AdPlatformClient, Protocol):
    """Platforms AdScale also runs campaigns on (Meta, Google)."""

    async def get_campaign_insights(
        self, token: TokenLike, ad_account_id: str, since: date, until: date
    ) -> list[DailyInsight]: ...

    async def update_campaign(
        self,
        token: TokenLike,
        ad_account_id: str,
        campaign_external_id: str,
        status: str | None = None,
        daily_budget: Decimal | None = None,
    ) -> None: ...


# --------------------------------------------------------------------------- helpers


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def parse_duration(value: object) -> float | None:
    """Seconds from a protobuf JSON duration such as ``"30s"`` or ``"1.5s"``."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.endswith("s"):
        try:
            return float(value[:-1])
        except ValueError:
            return None
    return None


def expires_at(expires_in: object) -> datetime | None:
    """``now + expires_in`` seconds, UTC; ``None`` for a missing or non-positive lifetime."""
    try:
        seconds = float(expires_in)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if seconds <= 0:
        return None
    return datetime.now(UTC) + timedelta(seconds=seconds)


def rfc3339(moment: datetime) -> str:
    """``2026-02-14T12:34:56.123456Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_int(value: Any) -> int:
    """``int(value)``, or 0 for a missing or unparsable value."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def status_error(
    platform: str,
    status: int,
    code: str | int | None,
    message: str,
    *,
    retry_after: float | None = None,
    raw: Any = None,
) -> PlatformError | None:
    """The typed error plain HTTP semantics give a status (5xx, 429, 401, 403, 404), else ``None``.

    For platforms whose error bodies add nothing (or nothing that decides) to the status.
    """
    if status >= 500:
        return PlatformUnavailable(platform, code, message, http_status=status, raw=raw)
    if status == 429:
        return RateLimited(
            platform, code, message, http_status=status, retry_after=retry_after, raw=raw
        )
    if status == 401:
        return TokenExpired(platform, code, message, http_status=status, raw=raw)
    if status == 403:
        return PermissionDenied(platform, code, message, http_status=status, raw=raw)
    if status == 404:
        return NotFound(platform, code, message, http_status=status, raw=raw)
    return None


def oauth_token_set(platform: str, body: Any, refresh_token: str | None = None) -> TokenSet:
    """A standard OAuth 2.0 token response (``access_token``, ``expires_in``, space-separated
    ``scope``, optional ``refresh_token``); ``refresh_token`` is kept when none is resent."""
    if not isinstance(body, dict) or not body.get("access_token"):
        raise InvalidRequest(platform, None, "token response without access_token")
    scope = body.get("scope")
    return TokenSet(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token") or refresh_token or "") or None,
        expires_at=expires_at(body.get("expires_in")),
        scopes=tuple(str(scope).split()) if scope else (),
        raw={k: v for k, v in body.items() if "token" not in k},
    )


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


async def _with_last(batches: AsyncIterator[list[T]]) -> AsyncIterator[tuple[list[T], bool]]:
    """Each batch with a flag telling whether it is the last one (one batch look-ahead)."""
    previous: list[T] | None = None
    async for batch in batches:
        if previous is not None:
            yield previous, False
        previous = batch
    if previous is not None:
        yield previous, True


def estimate_total(rows: Rows, estimated_total: int | None) -> int | None:
    if estimated_total is not None:
        return estimated_total
    if isinstance(rows, Sequence | set | frozenset):
        return len(rows)
    return None


def as_fields(fields: str | Sequence[str]) -> tuple[str, ...]:
    result = (fields,) if isinstance(fields, str) else tuple(fields)
    if not result:
        raise ValueError("at least one identifier field is required")
    return result


def row_values(row: Row, width: int) -> tuple[str, ...]:
    """A row as a tuple of ``width`` values (a bare string is a one-field row)."""
    values = (row,) if isinstance(row, str) else tuple(row)
    if len(values) != width:
        raise ValueError(f"row has {len(values)} values, expected {width}")
    return values


@dataclass(frozen=True, slots=True)
class RequestBatch:
    """The prepared rows of one request of a member operation."""

    rows: list[Any]
    index: int  # position of the request in the operation, from 0
    rows_done: int  # input rows covered by this request and every earlier one
    last: bool

    def report(
        self,
        operation: str,
        *,
        received: int,
        invalid: int = 0,
        invalid_samples: tuple[str, ...] = (),
        raw: Any = None,
        last: bool | None = None,
        dropped: int = 0,
    ) -> BatchReport:
        """The :class:`BatchReport` of this request once the platform accepted it."""
        return BatchReport(
            operation=operation,
            batch_index=self.index,
            rows=len(self.rows),
            rows_done=self.rows_done,
            received=received,
            invalid=invalid,
            invalid_samples=invalid_samples,
            last=self.last if last is None else last,
            raw=raw if isinstance(raw, dict) else {},
            dropped=dropped,
        )


# --------------------------------------------------------------------------- base client


class BaseClient:
    """HTTP, error mapping, retries and member-operation plumbing shared by all clients."""

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

    def _error_from(self, response: httpx.Response, body: Any) -> PlatformError | None:
        """The typed error a response stands for, ``None`` for a success."""
        raise NotImplementedError

    def batch_limits(self) -> BatchLimits:
        return limits_for(self.platform, self.settings)

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

    async def _once(
        self,
        method: str,
        url: str,
        token: str | None,
        *,
        params: Any = None,
        json_body: Any = None,
        data: Any = None,
        files: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        merged: dict[str, str] = {"Accept": "application/json"}
        if token is not None:
            merged.update(self._auth_headers(token))
        if headers:
            merged.update(headers)
        content: bytes | None = None
        if json_body is not None:
            content = compact_json(json_body)
            merged["Content-Type"] = "application/json"
        started = time.monotonic()
        try:
            response = await self.http.request(
                method,
                url,
                params=params,
                content=content,
                data=data,
                files=files,
                headers=merged,
                timeout=self.settings.request_timeout_seconds,
            )
        except httpx.TransportError as exc:
            logger.warning(
                "platform transport error",
                extra={"platform": self.platform, "method": method, "url": _safe_path(url)},
            )
            record_call(self.platform, method, "transport_error", time.monotonic() - started)
            unavailable = PlatformUnavailable(
                self.platform, type(exc).__name__, f"transport error: {type(exc).__name__}"
            )
            record_error(unavailable)
            raise unavailable from exc
        body = _body_of(response)
        logger.info(
            "platform call",
            extra={
                "platform": self.platform,
                "method": method,
                "url": _safe_path(url),
                "status": response.status_code,
                "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        record_call(self.platform, method, response.status_code, time.monotonic() - started)
        error = self._error_from(response, body)
        if error is not None:
            record_error(error)
            raise error
        return body

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

        async def attempt() -> Any:
            current = await token.access_token() if isinstance(token, TokenSource) else token
            try:
                return await self._once(
                    method,
                    url,
                    current,
                    params=params,
                    json_body=json_body,
                    data=data,
                    files=files,
                    headers=headers,
                )
            except TokenExpired:
                if not isinstance(token, TokenSource) or current is None:
                    raise
                fresh = await token.refresh(current)
                return await self._once(
                    method,
                    url,
                    fresh,
                    params=params,
                    json_body=json_body,
                    data=data,
                    files=files,
                    headers=headers,
                )

        async for retry_state in self._retrying():
            with retry_state:
                return await attempt()
        raise AssertionError("unreachable")  # pragma: no cover

    # -- member operations -------------------------------------------------------------

    async def _collect(
        self, reports: AsyncIterator[BatchReport], on_batch: BatchCallback | None
    ) -> UploadResult:
        received = invalid = batches = 0
        samples: list[str] = []
        async for report in reports:
            batches += 1
            received += report.received
            invalid += report.invalid
            room = MAX_INVALID_SAMPLES - len(samples)
            if room > 0:
                samples.extend(report.invalid_samples[:room])
            if on_batch is not None:
                outcome = on_batch(report)
                if inspect.isawaitable(outcome):
                    await outcome
        return UploadResult(
            received=received, invalid=invalid, invalid_samples=samples, batches=batches
        )

    async def _batches(
        self,
        rows: Iterable[Any] | AsyncIterable[Any],
        *,
        row_bytes: Callable[[Any], int],
        envelope_bytes: int,
        limits: BatchLimits | None = None,
        separator_bytes: int = 1,
    ) -> AsyncIterator[tuple[list[Any], bool]]:
        limit = limits or self.batch_limits()
        batches = abatch_rows(
            rows,
            max_rows=limit.max_rows,
            max_bytes=limit.max_bytes,
            row_bytes=row_bytes,
            envelope_bytes=envelope_bytes,
            separator_bytes=separator_bytes,
        )
        async for item in _with_last(batches):
            yield item

    async def _json_batches(
        self, rows: Rows, prepare: Callable[[Any], Any], envelope: Any
    ) -> AsyncIterator[RequestBatch]:
        """``rows``, each ``prepare``-d, packed into the JSON array of request bodies whose
        rows-free part is ``envelope``, within this platform's request limits."""
        index = done = 0
        async for batch, last in self._batches(
            map_rows(rows, prepare), row_bytes=json_size, envelope_bytes=len(compact_json(envelope))
        ):
            done += len(batch)
            yield RequestBatch(batch, index, done, last)
            index += 1

    def _stream_members(
        self,
        operation: MemberOperation,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        estimated_total: int | None,
    ) -> AsyncIterator[BatchReport]:
        """The platform's own primitive for ``operation``: one report per accepted request.

        Nothing is sent before the first report is asked for.
        """
        raise NotImplementedError

    def _stream_replace(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        estimated_total: int | None,
    ) -> AsyncIterator[BatchReport]:
        """Replace; override where the platform's replace is not one member primitive."""
        return self._stream_members("replace", token, audience_id, fields, rows, estimated_total)

    def stream_add_members(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        *,
        estimated_total: int | None = None,
    ) -> AsyncIterator[BatchReport]:
        return self._stream_members("add", token, audience_id, fields, rows, estimated_total)

    def stream_remove_members(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        *,
        estimated_total: int | None = None,
    ) -> AsyncIterator[BatchReport]:
        return self._stream_members("remove", token, audience_id, fields, rows, estimated_total)

    def stream_replace_members(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        *,
        estimated_total: int | None = None,
    ) -> AsyncIterator[BatchReport]:
        return self._stream_replace(token, audience_id, fields, rows, estimated_total)

    async def add_members(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        *,
        on_batch: BatchCallback | None = None,
        estimated_total: int | None = None,
    ) -> UploadResult:
        """Add members; ``on_batch`` is called after each accepted request."""
        reports = self.stream_add_members(
            token, audience_id, fields, rows, estimated_total=estimated_total
        )
        return await self._collect(reports, on_batch)

    async def remove_members(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        *,
        on_batch: BatchCallback | None = None,
        estimated_total: int | None = None,
    ) -> UploadResult:
        """Remove members; ``on_batch`` is called after each accepted request."""
        reports = self.stream_remove_members(
            token, audience_id, fields, rows, estimated_total=estimated_total
        )
        return await self._collect(reports, on_batch)

    async def replace_members(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        *,
        on_batch: BatchCallback | None = None,
        estimated_total: int | None = None,
    ) -> UploadResult:
        """Make the audience exactly ``rows``, with the platform's own replace primitive."""
        reports = self.stream_replace_members(
            token, audience_id, fields, rows, estimated_total=estimated_total
        )
        return await self._collect(reports, on_batch)
