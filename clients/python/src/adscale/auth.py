"""Credentials: an API key, or a JWT pair that refreshes itself.

``TokenAuth`` sends the access token; when the API answers 401 it exchanges the refresh
token for a new pair (identity rotates refresh tokens: each one works once), hands the new
pair to ``on_tokens`` so the caller can store it, and repeats the request once. It works
for the sync and the async client alike (httpx runs the same generator flow).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
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
    requires_response_body = True

    def __init__(
        self, tokens: Tokens, refresh_url: str, on_tokens: TokenCallback | None = None
    ) -> None:
        self.tokens = tokens
        self.refresh_url = refresh_url
        self.on_tokens = on_tokens
        self._lock = threading.Lock()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        sent_with = self.tokens
        request.headers["Authorization"] = f"Bearer {sent_with.access_token}"
        response = yield request
        if response.status_code != 401 or not sent_with.refresh_token:
            return
        with self._lock:
            current = self.tokens
        if current is sent_with:
            refreshed = yield httpx.Request(
                "POST", self.refresh_url, json={"refresh_token": sent_with.refresh_token}
            )
            if refreshed.status_code != 200:
                return
            body = refreshed.json()
            current = Tokens(body["access_token"], body["refresh_token"])
            with self._lock:
                self.tokens = current
            if self.on_tokens is not None:
                self.on_tokens(current)
        request.headers["Authorization"] = f"Bearer {current.access_token}"
        yield request
