"""OAuth helpers: PKCE (RFC 7636, S256) and a token source that refreshes itself."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from adscale_platforms.errors import InvalidRequest, TokenExpired
from adscale_platforms.models import TokenSet

__all__ = [
    "RefreshingToken",
    "TokenSource",
    "code_challenge_s256",
    "code_grant_query",
    "expires_at",
    "new_code_verifier",
    "oauth_token_set",
]


def new_code_verifier() -> str:
    """A random PKCE code verifier (43 to 128 characters of the unreserved set)."""
    return secrets.token_urlsafe(64)[:96]


def code_challenge_s256(verifier: str) -> str:
    """``BASE64URL(SHA256(verifier))`` without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def code_grant_query(client_id: str, redirect_uri: str, state: str, scope: str) -> dict[str, str]:
    """The query of an OAuth 2.0 authorization-code consent page (RFC 6749 section 4.1.1)."""
    return {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": scope,
        "state": state,
    }


@runtime_checkable
class TokenSource(Protocol):
    """Where a client gets an access token, and how it gets a new one after a 401."""

    async def access_token(self) -> str: ...

    async def refresh(self, rejected: str) -> str: ...


class _Refresher(Protocol):
    async def refresh(self, refresh_token: str) -> TokenSet: ...


class RefreshingToken:
    """A :class:`TokenSource` over a :class:`TokenSet` and the client that issued it.

    When a call fails with :class:`~adscale_platforms.errors.TokenExpired`, the client asks
    for a refresh once and repeats the call. ``on_refresh`` receives the new token set so
    the caller can store it (tokens never go to logs).
    """

    def __init__(
        self,
        client: _Refresher,
        tokens: TokenSet,
        on_refresh: Callable[[TokenSet], Awaitable[None]] | None = None,
    ) -> None:
        self._client = client
        self.tokens = tokens
        self._on_refresh = on_refresh
        self._lock = asyncio.Lock()

    async def access_token(self) -> str:
        return self.tokens.access_token

    async def refresh(self, rejected: str) -> str:
        async with self._lock:
            if self.tokens.access_token != rejected:
                # Another request refreshed it while this one waited.
                return self.tokens.access_token
            if not self.tokens.refresh_token:
                platform = str(getattr(self._client, "platform", "oauth"))
                raise TokenExpired(platform, None, "access token expired and no refresh token")
            fresh = await self._client.refresh(self.tokens.refresh_token)
            if fresh.refresh_token is None:
                fresh = replace(fresh, refresh_token=self.tokens.refresh_token)
            self.tokens = fresh
            if self._on_refresh is not None:
                await self._on_refresh(fresh)
            return fresh.access_token


def expires_at(expires_in: object) -> datetime | None:
    """``now + expires_in`` seconds, UTC; ``None`` for a missing or non-positive lifetime."""
    try:
        seconds = float(expires_in)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if seconds <= 0:
        return None
    return datetime.now(UTC) + timedelta(seconds=seconds)


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
