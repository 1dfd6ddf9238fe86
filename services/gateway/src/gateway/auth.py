"""Who is calling: JWT verified locally against identity's JWKS, API keys through identity.

* ``Authorization: Bearer <jwt>``: signature checked with the key named by
  ``kid`` from identity's JWKS (cached; refetched when an unknown ``kid``
  shows up, at most once per ``min_refetch_seconds``); algorithm pinned to
  EdDSA (so ``alg: none`` and HS256-with-the-public-key are refused); ``aud``,
  ``iss``, ``exp``, ``typ`` checked with a small leeway.
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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from adscale_contracts.api_keys import is_well_formed_api_key
from adscale_contracts.internal import (
    ACCESS_TOKEN_AUDIENCE,
    ACCESS_TOKEN_ISSUER,
    ACCESS_TOKEN_TYPE,
    JWKS_PATH,
    VERIFY_API_KEY_PATH,
    ApiKeyVerifyResponse,
)

logger = logging.getLogger(__name__)

ALGORITHMS = ["EdDSA"]


class InvalidCredentials(Exception):
    pass


class IdentityUnavailable(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Caller:
    user_id: str
    plan: str | None
    auth: str  # "jwt" | "api_key"
    api_key_id: str | None = None


class JwtVerifier:
    def __init__(
        self,
        fetch_jwks: Callable[[], Awaitable[dict[str, Any]]],
        *,
        leeway_seconds: int = 30,
        min_refetch_seconds: float = 5.0,
    ) -> None:
        self._fetch = fetch_jwks
        self.leeway = leeway_seconds
        self.min_refetch = min_refetch_seconds
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

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
    expires: float
    caller: Caller | None  # None: a key identity does not know (negative cache)


class ApiKeyVerifier:
    def __init__(
        self,
        lookup: Callable[[str], Awaitable[ApiKeyVerifyResponse | None]],
        *,
        ttl_seconds: float = 30.0,
        negative_ttl_seconds: float = 5.0,
        max_entries: int = 100_000,
    ) -> None:
        self._lookup = lookup
        self.ttl = ttl_seconds
        self.negative_ttl = negative_ttl_seconds
        self.max_entries = max_entries
        self._cache: dict[str, _CacheEntry] = {}

    @staticmethod
    def _digest(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    async def verify(self, raw: str) -> Caller:
        if not is_well_formed_api_key(raw):
            raise InvalidCredentials("malformed API key")
        digest = self._digest(raw)
        now = time.monotonic()
        entry = self._cache.get(digest)
        if entry is None or entry.expires < now:
            found = await self._lookup(raw)
            caller = (
                Caller(
                    user_id=str(found.user_id),
                    plan=found.plan,
                    auth="api_key",
                    api_key_id=str(found.api_key_id),
                )
                if found
                else None
            )
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
            entry = _CacheEntry(now + (self.ttl if caller else self.negative_ttl), caller)
            self._cache[digest] = entry
        if entry.caller is None:
            raise InvalidCredentials("unknown API key")
        return entry.caller

    def evict_key(self, api_key_id: str) -> int:
        doomed = [
            d for d, e in self._cache.items() if e.caller and e.caller.api_key_id == api_key_id
        ]
        for d in doomed:
            del self._cache[d]
        return len(doomed)

    def evict_user(self, user_id: str) -> int:
        doomed = [d for d, e in self._cache.items() if e.caller and e.caller.user_id == user_id]
        for d in doomed:
            del self._cache[d]
        return len(doomed)


class IdentityClient:
    """Calls identity's internal API with a service token."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, token: Callable[[], str]) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"X-Internal-Token": self.token()}

    async def jwks(self) -> dict[str, Any]:
        try:
            response = await self.client.get(self.base_url + JWKS_PATH, headers=self._headers())
        except httpx.HTTPError as exc:
            raise IdentityUnavailable(repr(exc)) from exc
        if response.status_code != 200:
            raise IdentityUnavailable(f"JWKS answered {response.status_code}")
        document: dict[str, Any] = response.json()
        return document

    async def verify_api_key(self, raw: str) -> ApiKeyVerifyResponse | None:
        try:
            response = await self.client.post(
                self.base_url + VERIFY_API_KEY_PATH, json={"key": raw}, headers=self._headers()
            )
        except httpx.HTTPError as exc:
            raise IdentityUnavailable(repr(exc)) from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise IdentityUnavailable(f"key verification answered {response.status_code}")
        return ApiKeyVerifyResponse.model_validate_json(response.content)
