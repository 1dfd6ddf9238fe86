"""Plumbing shared by the platform imitations: errors, faults, rate limits, auth guard."""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from fastapi import Request
from fastapi.responses import Response

from adscale_sandbox.oauth import Principal, TokenState, check_token
from adscale_sandbox.settings import PLATFORMS, Settings
from adscale_sandbox.store import Store

FAULT_KINDS = (
    "rate_limit",
    "token_expired",
    "permission",
    "server_error",
    "latency",
    "invalid_request",
)

HEX64 = re.compile(r"[0-9a-f]{64}")


def now() -> float:
    return time.time()


# --------------------------------------------------------------------------- responses


class PlatformError(Exception):
    """An error rendered exactly as the imitated platform renders it."""

    def __init__(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        content=orjson.dumps(body),
        status_code=status,
        headers=headers,
        media_type="application/json",
    )


async def platform_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PlatformError)
    return json_response(exc.body, exc.status, exc.headers)


async def read_json(request: Request) -> Any:
    """The body parsed as JSON (``None`` when empty); raises ``ValueError`` when malformed."""
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(str(exc)) from exc


async def read_json_object(
    request: Request, error: Callable[[str], PlatformError], malformed: str, not_object: str
) -> dict[str, Any]:
    """The body as a JSON object, else ``error(malformed + reason)`` / ``error(not_object)``."""
    try:
        body = await read_json(request)
    except ValueError as exc:
        raise error(f"{malformed}{exc}") from exc
    if not isinstance(body, dict):
        raise error(not_object)
    return body


def bearer_token(request: Request, schemes: tuple[str, ...] = ("bearer",)) -> str | None:
    """The token of an ``Authorization: <scheme> <token>`` header, for the given schemes."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() in schemes and value.strip() else None


def parse_sha256_hex(value: object) -> bytes | None:
    """32 bytes for a 64-character lowercase hex string, else ``None``."""
    if isinstance(value, str) and len(value) == 64 and HEX64.fullmatch(value):
        return bytes.fromhex(value)
    return None


# --------------------------------------------------------------------------- faults


@dataclass
class Fault:
    id: int
    platform: str
    kind: str
    remaining: int
    latency_ms: int
    path_contains: str | None
    method: str | None

    def matches(self, platform: str, path: str, method: str) -> bool:
        if self.platform != platform or self.remaining <= 0:
            return False
        if self.path_contains and self.path_contains not in path:
            return False
        return not (self.method and self.method.upper() != method.upper())

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "kind": self.kind,
            "remaining": self.remaining,
            "latency_ms": self.latency_ms,
            "path_contains": self.path_contains,
            "method": self.method,
        }


class FaultRegistry:
    """Faults queued by the admin API; each fires on the next N matching API calls."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(
        self,
        platform: str,
        kind: str,
        count: int,
        latency_ms: int,
        path_contains: str | None,
        method: str | None,
    ) -> Fault:
        fault = Fault(next(self._ids), platform, kind, count, latency_ms, path_contains, method)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, platform: str, path: str, method: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(platform, path, method):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


# --------------------------------------------------------------------------- rate limits


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    count: int
    limit: int
    retry_after: int

    @property
    def usage_percent(self) -> int:
        return min(100, (self.count * 100) // max(self.limit, 1))


class RateLimiter:
    """Fixed one-minute windows per (platform, principal)."""

    WINDOW = 60.0

    def __init__(self) -> None:
        self._windows: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    def hit(self, platform: str, key: str, limit: int, at: float) -> RateDecision:
        with self._lock:
            window = self._windows.get((platform, key))
            if window is None or at >= window[0] + self.WINDOW:
                window = [at, 0.0]
                self._windows[(platform, key)] = window
            retry_after = max(1, int(window[0] + self.WINDOW - at + 0.999))
            if window[1] >= limit:
                return RateDecision(False, int(window[1]), limit, retry_after)
            window[1] += 1
            return RateDecision(True, int(window[1]), limit, retry_after)

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


# --------------------------------------------------------------------------- context


@dataclass
class RuntimeConfig:
    """Knobs the admin API can turn while the sandbox runs."""

    processing_delay_seconds: float
    rate_limits: dict[str, int] = field(default_factory=dict)


class Sandbox:
    """Everything a request handler needs: settings, store, faults, limiter."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store(settings.database_path, commit_seconds=settings.commit_seconds)
        self.faults = FaultRegistry()
        self.limiter = RateLimiter()
        self.config = RuntimeConfig(
            processing_delay_seconds=settings.processing_delay_seconds,
            rate_limits={p: settings.rate_limit(p) for p in PLATFORMS},
        )

    def reset_runtime(self) -> None:
        self.faults.clear()
        self.limiter.clear()
        self.config = RuntimeConfig(
            processing_delay_seconds=self.settings.processing_delay_seconds,
            rate_limits={p: self.settings.rate_limit(p) for p in PLATFORMS},
        )

    @property
    def delay(self) -> float:
        return self.config.processing_delay_seconds

    @property
    def permille(self) -> int:
        return self.settings.match_permille


def sandbox_of(request: Request) -> Sandbox:
    ctx: Sandbox = request.app.state.sandbox
    return ctx


class PlatformAdapter(Protocol):
    """How one platform passes tokens and phrases its auth, throttle and fault errors."""

    name: str

    def extract_token(self, request: Request) -> Awaitable[str | None]: ...

    def auth_error(self, state: TokenState, request: Request) -> PlatformError: ...

    def rate_limit_error(self, decision: RateDecision, request: Request) -> PlatformError: ...

    def fault_error(self, kind: str, request: Request) -> PlatformError:
        """The error for a ``permission``, ``server_error`` or ``invalid_request`` fault."""
        ...


# What an injected rate-limit fault reports: the window is full and resets in a minute.
FAULT_RATE_DECISION = RateDecision(allowed=False, count=1, limit=1, retry_after=60)


def fault_error(adapter: PlatformAdapter, kind: str, request: Request) -> PlatformError:
    """The platform's own error for an injected fault of ``kind`` (any kind but latency)."""
    if kind == "rate_limit":
        return adapter.rate_limit_error(FAULT_RATE_DECISION, request)
    if kind == "token_expired":
        return adapter.auth_error(TokenState.EXPIRED, request)
    return adapter.fault_error(kind, request)


async def guard(adapter: PlatformAdapter, request: Request) -> Principal:
    """Faults first, then the token, then the rate limit: what every API call goes through."""
    ctx = sandbox_of(request)
    fault = ctx.faults.take(adapter.name, request.url.path, request.method)
    if fault is not None:
        if fault.kind == "latency":
            await asyncio.sleep(fault.latency_ms / 1000)
        else:
            raise fault_error(adapter, fault.kind, request)
    token = await adapter.extract_token(request)
    at = now()
    state, principal = await ctx.store.run(
        lambda conn: check_token(conn, adapter.name, token, "access", at)
    )
    if state is not TokenState.OK or principal is None:
        raise adapter.auth_error(state, request)
    decision = ctx.limiter.hit(
        adapter.name, principal.user_id, ctx.config.rate_limits[adapter.name], at
    )
    request.state.rate = decision
    if not decision.allowed:
        raise adapter.rate_limit_error(decision, request)
    return principal


def make_guard(adapter: PlatformAdapter) -> Callable[[Request], Awaitable[Principal]]:
    async def dependency(request: Request) -> Principal:
        return await guard(adapter, request)

    return dependency
