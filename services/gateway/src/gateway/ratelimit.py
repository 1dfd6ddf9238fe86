"""Rate limits shared by every gateway instance through Redis.

Fixed windows counted in Redis by one atomic Lua call for every policy of a
request, and for every request that arrived while the previous call was under
way (at most one round trip per request, fewer under load). A request is checked against every
policy that applies to it (spec table for audience-sync
routes, a login/forgot-password guard per IP and per e-mail, a password-change guard
per user, a default per principal); the first one exhausted answers 429 with
``Retry-After`` and the draft-ietf-httpapi-ratelimit-headers ``RateLimit-Policy`` / ``RateLimit``
fields. When Redis is unreachable the request is let through and the failure
is logged (and shown by ``/api/v1/health``): the limiter must not take the
whole API down.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
import uuid
from dataclasses import dataclass
from typing import cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.leases import Shares
from gateway.lua_script import LuaScript

logger = logging.getLogger(__name__)

# Several requests' checks in one call. ARGV[1]: the number of requests; then per request
# its number of checks, then window (ms), limit and amount of each (1, or the size of a
# process's share: leases.py); KEYS: one counter per check, in the same order. A request's
# checks are counted up to and including the first one over its limit, as checking them one
# by one would. Returns, per request, how many checks were counted followed by
# {count, ttl_ms} of each.
_SCRIPT = """
local out = {}
local a, k = 2, 1
for _ = 1, tonumber(ARGV[1]) do
  local checks = tonumber(ARGV[a])
  a = a + 1
  local slot = #out + 1
  out[slot] = 0
  local refused = false
  for _ = 1, checks do
    local window, limit, amount = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), ARGV[a + 2]
    local key = KEYS[k]
    a, k = a + 3, k + 1
    if not refused then
      local current = redis.call('INCRBY', key, amount)
      if current == tonumber(amount) then
        redis.call('PEXPIRE', key, window)
      end
      local ttl = redis.call('PTTL', key)
      if ttl < 0 then
        redis.call('PEXPIRE', key, window)
        ttl = window
      end
      out[#out + 1] = current
      out[#out + 1] = ttl
      out[slot] = out[slot] + 1
      refused = current > limit
    end
  end
end
return out
"""


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    limit: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class Check:
    policy: Policy
    subject: str


@dataclass(frozen=True, slots=True)
class Outcome:
    policy: Policy
    allowed: bool
    remaining: int
    reset_seconds: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        p = self.policy
        return [
            (b"ratelimit-policy", f'"{p.name}";q={p.limit};w={p.window_seconds}'.encode()),
            (b"ratelimit", f'"{p.name}";r={self.remaining};t={self.reset_seconds}'.encode()),
        ]


# Spec (audience-sync "Rate Limits") and house defaults.
AUDIENCES_LIST = Policy("audiences-list", 60, 60)
AUDIENCES_CREATE = Policy("audiences-create", 10, 60)
AUDIENCE_SYNC = Policy("audience-sync", 10, 60)
AUDIENCES_EXPORT = Policy("audiences-export", 5, 60)
LOGIN_PER_IP = Policy("login-ip", 30, 60)
LOGIN_PER_EMAIL = Policy("login-email", 10, 300)
# A stolen access token must not buy a quick search for the password behind it.
PASSWORD_CHANGE = Policy("password-change", 10, 300)
PASSWORD_CHANGE_PATH = "/api/v1/auth/change-password"
DEFAULT_USER = Policy("default", 600, 60)
DEFAULT_ANONYMOUS = Policy("default-anonymous", 120, 60)

# Stripe delivers webhooks from a few addresses in bursts; the signature is the real guard.
STRIPE_WEBHOOKS = Policy("stripe-webhooks", 3000, 60)
STRIPE_WEBHOOK_PATH = "/api/v1/billing/webhooks/stripe"

_AS = "/api/v1/cdp/audience-sync"
_SYNC_RE = re.compile(rf"^{_AS}/audiences/([^/]+)/sync/?$")
GUARDED_AUTH_PATHS = frozenset({"/api/v1/auth/login", "/api/v1/auth/forgot-password"})


def _outcome(check: Check, count: int, ttl_ms: float) -> Outcome:
    p = check.policy
    reset = max(1, -(-int(ttl_ms) // 1000))
    return Outcome(p, int(count) <= p.limit, max(0, p.limit - int(count)), reset)


@dataclass(frozen=True, slots=True)
class Defaults:
    """The house limits (the spec's audience-sync limits are fixed above)."""

    user: Policy = DEFAULT_USER
    anonymous: Policy = DEFAULT_ANONYMOUS
    login_ip: Policy = LOGIN_PER_IP
    login_email: Policy = LOGIN_PER_EMAIL


def _canonical_id(text: str) -> str:
    """One key per audience whatever the spelling of its id (upper case, no hyphens,
    ``{...}``, ``urn:uuid:``), as the service reads them all as the same UUID."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


def checks_for(
    method: str,
    path: str,
    *,
    principal: str | None,
    client_ip: str,
    email: str | None,
    defaults: Defaults = Defaults(),
) -> list[Check]:
    """Every policy that applies to this request, most specific first."""
    found: list[Check] = []
    path = path.rstrip("/") or "/"
    if path == STRIPE_WEBHOOK_PATH:
        return [Check(STRIPE_WEBHOOKS, client_ip)]
    if principal:
        if method == "GET" and path == f"{_AS}/audiences":
            found.append(Check(AUDIENCES_LIST, principal))
        elif method == "POST" and path == f"{_AS}/audiences":
            found.append(Check(AUDIENCES_CREATE, principal))
        elif method == "POST" and path == f"{_AS}/audiences/export":
            found.append(Check(AUDIENCES_EXPORT, principal))
        elif method == "POST" and (m := _SYNC_RE.match(path)):
            found.append(Check(AUDIENCE_SYNC, f"{principal}:{_canonical_id(m.group(1))}"))
    if method == "POST" and path == PASSWORD_CHANGE_PATH and principal:
        found.append(Check(PASSWORD_CHANGE, principal))
    if method == "POST" and path in GUARDED_AUTH_PATHS:
        found.append(Check(defaults.login_ip, client_ip))
        if email:
            digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
            found.append(Check(defaults.login_email, digest))
    if principal:
        found.append(Check(defaults.user, principal))
    else:
        found.append(Check(defaults.anonymous, client_ip))
    return found


Counted = list[tuple[int, int]]  # (count, ttl_ms) of each check counted, in order
_Waiting = tuple[list[Check], list[int], "asyncio.Future[Counted]"]


class RateLimiter:
    """Counts in Redis with at most one script call in flight per process: requests that
    arrive while one is under way are counted together by the next (a pipeline of
    requests, one round trip for all of them), so Redis calls do not grow with load. A busy
    caller's large budget is counted in shares reserved by this process (leases.py)."""

    def __init__(
        self, redis: Redis, *, namespace: str = "rl", shares: Shares | None = None
    ) -> None:
        self.redis = redis
        self.namespace = namespace
        self._script = LuaScript.on(redis, _SCRIPT)
        self.healthy = True
        self.shares = shares or Shares()
        self.round_trips = 0  # script calls made (each counts a batch of requests)
        self._waiting: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None
        # key -> the reservation under way for it (resolved with None or the error)
        self._reserving: dict[str, asyncio.Future[BaseException | None]] = {}

    def _key(self, check: Check) -> str:
        return f"{self.namespace}:{check.policy.name}:{check.subject}"

    async def _hit_all(self, checks: list[Check], amounts: list[int]) -> Counted:
        future: asyncio.Future[Counted] = asyncio.get_running_loop().create_future()
        self._waiting.append((checks, amounts, future))
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_while_waiting())
        return await future

    async def _flush_while_waiting(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                await self._count(batch)
        finally:
            self._flusher = None

    async def _count(self, batch: list[_Waiting]) -> None:
        keys: list[str] = []
        args: list[int] = [len(batch)]
        for checks, amounts, _ in batch:
            args.append(len(checks))
            for c, amount in zip(checks, amounts, strict=True):
                keys.append(self._key(c))
                args += [c.policy.window_seconds * 1000, c.policy.limit, amount]
        try:
            self.round_trips += 1
            reply = await self._script(keys, args)
            if not isinstance(reply, list) or not all(isinstance(n, int) for n in reply):
                raise RedisError(f"unexpected rate-limit reply: {reply!r}")
            flat = cast(list[int], reply)
        except Exception as exc:  # handed to every waiting request (evaluate fails open)
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        at = 0
        for _, _, future in batch:
            counted = int(flat[at])
            pairs = flat[at + 1 : at + 1 + 2 * counted]
            at += 1 + 2 * counted
            if not future.done():  # the client may have gone away meanwhile
                future.set_result(list(zip(pairs[::2], pairs[1::2], strict=True)))

    async def _shared(self, check: Check) -> Outcome:
        """One count of this process's share of the caller's window, reserving a new share
        when none is left (one reservation per key at a time; the others wait for it)."""
        key = self._key(check)
        while True:
            now = time.monotonic()
            taken = self.shares.take(key, now)
            if taken is not None:
                return _outcome(check, *taken)
            pending = self._reserving.get(key)
            if pending is not None:
                failed = await asyncio.shield(pending)
                if failed is not None:
                    raise failed
                continue
            size = self.shares.size_for(key, check.policy.limit, now)
            done: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()
            self._reserving[key] = done
            try:
                [(total, ttl_ms)] = await self._hit_all([check], [size])
            except Exception as exc:  # the waiters fail open with it; if cancelled, they retry
                done.set_result(exc)
                raise
            finally:
                del self._reserving[key]
                if not done.done():
                    done.set_result(None)
            count, left_ms = self.shares.reserved(
                key, total=total, size=size, ttl_ms=ttl_ms, reserved_at=now
            )
            return _outcome(check, count, left_ms)

    async def _exact(self, checks: list[Check]) -> list[Outcome]:
        counted = await self._hit_all(checks, [1] * len(checks))
        return [_outcome(c, n, t) for c, (n, t) in zip(checks, counted, strict=False)]

    async def evaluate(self, checks: list[Check]) -> tuple[Outcome | None, Outcome | None]:
        """Return (refusal, most-constraining-allowed); refusal is None when allowed."""
        try:
            if len(checks) == 1 and self.shares.applies(checks[0].policy.limit):
                outcomes = [await self._shared(checks[0])]
            else:
                outcomes = await self._exact(checks) if checks else []
            self.healthy = True
            refusal = next((o for o in outcomes if not o.allowed), None)
            if refusal is not None:
                return refusal, None
            return None, outcomes[0] if outcomes else None
        except (RedisError, OSError) as exc:
            if self.healthy:
                logger.error(
                    "rate limiter unavailable; letting requests through", extra={"error": repr(exc)}
                )
            self.healthy = False
            return None, None
