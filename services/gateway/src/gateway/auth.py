"""Who is calling: JWT verified locally against identity's JWKS, API keys through identity.

* ``Authorization: Bearer <jwt>``: signature checked with the key named by
  ``kid`` from identity's JWKS (cached; refetched when an unknown ``kid``
  shows up, at most once per ``min_refetch_seconds``); algorithm pinned to
  EdDSA (so ``alg: none`` and HS256-with-the-public-key are refused); ``aud``,
  ``iss``, ``exp``, ``typ`` checked with a small leeway. A token that passed is
  remembered (keyed by its SHA-256) until it expires, so a client's next requests
  with the same token skip the signature check; the JWKS losing the token's key
  forgets every remembered token. A token whose sign-in session (``sid``) ended
  (``identity.sessions_ended``) is refused from then on, not only once it expires.
* ``X-API-Key``: format and checksum checked locally, then identity's
  internal API answers who owns it; answers are cached for a short TTL keyed
  by a hash of the key, and evicted when ``identity.api_key_revoked`` (or a
  plan change of the owner) arrives.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from adscale_common.internal_auth import Principal
from adscale_contracts.api_keys import is_well_formed_api_key
from adscale_contracts.internal import (
    ACCESS_TOKEN_AUDIENCE,
    ACCESS_TOKEN_ISSUER,
    ACCESS_TOKEN_TYPE,
    JWKS_PATH,
    VERIFY_API_KEY_PATH,
    ApiKeyVerifyResponse,
)
from gateway.upstreams import UpstreamPools

logger = logging.getLogger(__name__)

ALGORITHMS = ["EdDSA"]
# Identity's longest access-token lifetime (IDENTITY_ACCESS_TOKEN_TTL_SECONDS at most 3600):
# an ended session's sid is remembered that long.
MAX_ACCESS_TOKEN_SECONDS = 3600
_IDENTITY = "identity"


class InvalidCredentials(Exception):
    pass


class IdentityUnavailable(Exception):
    pass


class JwtVerifier:
    def __init__(
        self,
        fetch_jwks: Callable[[], Awaitable[dict[str, Any]]],
        *,
        leeway_seconds: int = 30,
        min_refetch_seconds: float = 5.0,
        max_remembered: int = 100_000,
    ) -> None:
        self._fetch = fetch_jwks
        self.leeway = leeway_seconds
        self.min_refetch = min_refetch_seconds
        self.max_remembered = max_remembered
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        # sha256(token) -> (claims, wall-clock time after which it is expired)
        self._verified: dict[bytes, tuple[dict[str, Any], float]] = {}
        # sid of an ended sign-in session -> wall-clock time after which no access token of
        # it can be current any more (identity's longest access-token lifetime is an hour)
        self._ended: dict[str, float] = {}

    def end_sessions(self, session_ids: Iterable[str], *, now: float | None = None) -> int:
        """Refuse from now on the access tokens of these sessions (``sid``): identity ended
        them (a sign-out, a session revoked from the list, a password change). Answers how
        many were not known as ended yet."""
        now = time.time() if now is None else now
        for sid, forget_at in list(self._ended.items()):
            if forget_at <= now:
                del self._ended[sid]
        forget_at = now + MAX_ACCESS_TOKEN_SECONDS + self.leeway
        added = 0
        for sid in session_ids:
            added += sid not in self._ended
            self._ended[sid] = forget_at
        return added

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < self.min_refetch and self._keys:
                return
            document = await self._fetch()
            keys: dict[str, Any] = {}
            for jwk in document.get("keys", []):
                kid = jwk.get("kid")
                if not kid or jwk.get("alg", "EdDSA") not in ALGORITHMS:
                    continue
                try:
                    keys[kid] = jwt.PyJWK(jwk, algorithm="EdDSA").key
                except jwt.PyJWTError:
                    logger.warning("unusable key in JWKS", extra={"kid": kid})
            if not set(self._keys) <= set(keys):
                self._verified.clear()  # a key was withdrawn: check every token again
            self._keys = keys
            self._fetched_at = time.monotonic()

    async def _key_for(self, kid: str) -> Any:
        if kid not in self._keys:
            await self._refresh()
        try:
            return self._keys[kid]
        except KeyError as exc:
            raise InvalidCredentials("unknown signing key") from exc

    async def verify(self, token: str) -> dict[str, Any]:
        digest = hashlib.sha256(token.encode()).digest()
        remembered = self._verified.get(digest)
        if remembered is not None:
            claims, expires_at = remembered
            if time.time() < expires_at:
                return self._of_a_live_session(claims)
            del self._verified[digest]
        claims = await self._check(token)
        if len(self._verified) >= self.max_remembered:
            self._verified.clear()
        self._verified[digest] = (claims, float(claims["exp"]) + self.leeway)
        return self._of_a_live_session(claims)

    def _of_a_live_session(self, claims: dict[str, Any]) -> dict[str, Any]:
        if self._ended and claims.get("sid") in self._ended:
            raise InvalidCredentials("the token's session has ended")
        return claims

    async def _check(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidCredentials("malformed token") from exc
        if header.get("alg") not in ALGORITHMS:
            raise InvalidCredentials("algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidCredentials("token has no key id")
        key = await self._key_for(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=ACCESS_TOKEN_AUDIENCE,
                issuer=ACCESS_TOKEN_ISSUER,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidCredentials(str(exc)) from exc
        if claims.get("typ") != ACCESS_TOKEN_TYPE:
            raise InvalidCredentials("not an access token")
        return claims


@dataclass
class _CacheEntry:
    cached_at: float
    caller: Principal | None  # None: a key identity does not know (negative cache)
    epoch: int | None  # the listener epoch the answer is trusted in; None: never trusted


def _never_trusted() -> int | None:
    return None


class ApiKeyVerifier:
    """Caches identity's answers. An answer is kept ``ttl_seconds`` only while the
    revocation listener that would evict it is live in the epoch it was cached in
    (``trusted_epoch``); otherwise ``untrusted_ttl_seconds`` (at most the revocation bound).
    Answers given while an eviction arrived, or that disagree with a plan change billing
    announced and identity has not projected yet, are not trusted either."""

    def __init__(
        self,
        lookup: Callable[[str], Awaitable[ApiKeyVerifyResponse | None]],
        *,
        trusted_epoch: Callable[[], int | None] = _never_trusted,
        ttl_seconds: float = 30.0,
        untrusted_ttl_seconds: float = 1.0,
        negative_ttl_seconds: float = 5.0,
        plan_hold_seconds: float = 60.0,
        max_entries: int = 100_000,
    ) -> None:
        self._lookup = lookup
        self._trusted_epoch = trusted_epoch
        self.ttl = ttl_seconds
        self.untrusted_ttl = untrusted_ttl_seconds
        self.negative_ttl = negative_ttl_seconds
        self.plan_hold = plan_hold_seconds
        self.max_entries = max_entries
        self._cache: dict[str, _CacheEntry] = {}
        self._evictions = 0  # grows with every revocation / plan event
        self._announced_plans: dict[
            uuid.UUID | None, tuple[str, float]
        ] = {}  # user -> (plan, until)

    @staticmethod
    def _digest(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    def _fresh(self, entry: _CacheEntry, now: float) -> bool:
        age = now - entry.cached_at
        if entry.caller is None:
            return age < self.negative_ttl
        epoch = self._trusted_epoch()
        if epoch is not None and entry.epoch == epoch:
            return age < self.ttl
        return age < self.untrusted_ttl

    def _plan_settled(self, caller: Principal) -> bool:
        announced = self._announced_plans.get(caller.user_id)
        if announced is None:
            return True
        plan, until = announced
        if caller.plan == plan or until < time.monotonic():
            del self._announced_plans[caller.user_id]
            return True
        return False

    async def verify(self, raw: str) -> Principal:
        if not is_well_formed_api_key(raw):
            raise InvalidCredentials("malformed API key")
        digest = self._digest(raw)
        entry = self._cache.get(digest)
        if entry is None or not self._fresh(entry, time.monotonic()):
            epoch, evictions = self._trusted_epoch(), self._evictions
            found = await self._lookup(raw)
            caller = (
                Principal(
                    user_id=found.user_id,
                    plan=found.plan,
                    auth="api_key",
                    api_key_id=found.api_key_id,
                )
                if found
                else None
            )
            trusted = (
                epoch is not None
                and epoch == self._trusted_epoch()
                and evictions == self._evictions
                and (caller is None or self._plan_settled(caller))
            )
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
            entry = _CacheEntry(time.monotonic(), caller, epoch if trusted else None)
            self._cache[digest] = entry
        if entry.caller is None:
            raise InvalidCredentials("unknown API key")
        return entry.caller

    def evict_key(self, api_key_id: uuid.UUID) -> int:
        self._evictions += 1
        doomed = [
            d for d, e in self._cache.items() if e.caller and e.caller.api_key_id == api_key_id
        ]
        for d in doomed:
            del self._cache[d]
        return len(doomed)

    def evict_user(self, user_id: uuid.UUID) -> int:
        self._evictions += 1
        doomed = [d for d, e in self._cache.items() if e.caller and e.caller.user_id == user_id]
        for d in doomed:
            del self._cache[d]
        return len(doomed)

    def plan_changed(self, user_id: uuid.UUID, new_plan: str) -> int:
        """Billing announced a new plan: identity may answer the old one until it has
        projected the change, so answers for this user stay untrusted until they agree."""
        now = time.monotonic()
        if len(self._announced_plans) >= self.max_entries:
            self._announced_plans = {
                u: held for u, held in self._announced_plans.items() if held[1] >= now
            }
        self._announced_plans[user_id] = (new_plan, now + self.plan_hold)
        return self.evict_user(user_id)


class IdentityClient:
    """Calls identity's internal API with a service token, on the instance in rotation
    (``instances["identity"]``: a :class:`~gateway.upstreams.UpstreamPools`, or a plain
    mapping to one URL)."""

    def __init__(
        self, client: httpx.AsyncClient, instances: Mapping[str, str], token: Callable[[], str]
    ) -> None:
        self.client = client
        self.instances = instances
        self.token = token

    async def _call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """The call on an instance of identity. An instance that refuses the connection or
        drops it leaves the rotation and the call goes to another: both calls only read, so
        one sent twice does no harm. No answer in time, or none left: unavailable."""
        base = self.instances[_IDENTITY]
        tried: set[str] = set()
        while True:
            try:
                return await self.client.request(
                    method, base.rstrip("/") + path, json=body, headers=self._headers()
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error: httpx.HTTPError = exc
                reason = "connect failed"
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                error = exc
                reason = "connection dropped"
            except httpx.HTTPError as exc:
                raise IdentityUnavailable(repr(exc)) from exc
            following = (
                self.instances.failover(_IDENTITY, base, tried, reason)
                if isinstance(self.instances, UpstreamPools)
                else None
            )
            if following is None:
                raise IdentityUnavailable(repr(error)) from error
            logger.warning(
                "identity instance failed; asking another",
                extra={"url": base, "error": repr(error)},
            )
            base = following

    def _headers(self) -> dict[str, str]:
        return {"X-Internal-Token": self.token()}

    async def jwks(self) -> dict[str, Any]:
        response = await self._call("GET", JWKS_PATH)
        if response.status_code != 200:
            raise IdentityUnavailable(f"JWKS answered {response.status_code}")
        document: dict[str, Any] = response.json()
        return document

    async def verify_api_key(self, raw: str) -> ApiKeyVerifyResponse | None:
        response = await self._call("POST", VERIFY_API_KEY_PATH, {"key": raw})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise IdentityUnavailable(f"key verification answered {response.status_code}")
        return ApiKeyVerifyResponse.model_validate_json(response.content)
