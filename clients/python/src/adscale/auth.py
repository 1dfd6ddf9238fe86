"""Credentials: an API key, or a JWT pair that refreshes itself.

``TokenAuth`` sends the access token; when the API answers 401 it exchanges the refresh
token for a new pair (identity rotates refresh tokens: each one works once), hands the new
pair to ``on_tokens`` so the caller can store it, and repeats the request once, for the
sync and the async client alike; concurrent requests share one refresh.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str


TokenCallback = Callable[[Tokens], None]


class ApiKeyAuth(httpx.Auth):
    def __init__(self, api_key: str) -> None:
        self.api_key = api_key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-API-Key"] = self.api_key
        yield request


class TokenAuth(httpx.Auth):
    """The JWT pair, refreshed once however many requests find it expired at once.

    A refresh token works once, so two refreshes of the same pair would log the session
    out (identity sees a reuse). The refresh is therefore done under a lock (a thread lock
    for the sync client, an asyncio lock for the async one); a request that waited for it
    finds the pair already renewed and simply repeats with the new access token.
    """

    def __init__(
        self, tokens: Tokens, refresh_url: str, on_tokens: TokenCallback | None = None
    ) -> None:
        self.tokens = tokens
        self.refresh_url = refresh_url
        self.on_tokens = on_tokens
        self._lock = threading.Lock()
        self._async_lock = asyncio.Lock()

    def _sign(self, request: httpx.Request) -> Tokens:
        sent_with = self.tokens
        request.headers["Authorization"] = f"Bearer {sent_with.access_token}"
        return sent_with

    def _refresh_request(self, tokens: Tokens) -> httpx.Request:
        return httpx.Request("POST", self.refresh_url, json={"refresh_token": tokens.refresh_token})

    def _adopt(self, refreshed: httpx.Response) -> Tokens | None:
        if refreshed.status_code != 200:
            return None
        body = refreshed.json()
        self.tokens = Tokens(body["access_token"], body["refresh_token"])
        if self.on_tokens is not None:
            self.on_tokens(self.tokens)
        return self.tokens

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        sent_with = self._sign(request)
        response = yield request
        if response.status_code != 401 or not sent_with.refresh_token:
            return
        with self._lock:
            current: Tokens | None = self.tokens
            if current is sent_with:
                refreshed = yield self._refresh_request(sent_with)
                refreshed.read()
                current = self._adopt(refreshed)
        if current is None:
            return
        request.headers["Authorization"] = f"Bearer {current.access_token}"
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        sent_with = self._sign(request)
        response = yield request
        if response.status_code != 401 or not sent_with.refresh_token:
            return
        async with self._async_lock:
            current: Tokens | None = self.tokens
            if current is sent_with:
                refreshed = yield self._refresh_request(sent_with)
                await refreshed.aread()
                current = self._adopt(refreshed)
        if current is None:
            return
        request.headers["Authorization"] = f"Bearer {current.access_token}"
        yield request
