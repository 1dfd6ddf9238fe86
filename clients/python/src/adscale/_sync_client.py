"""The sync client: transport, credentials, retries, pagination, uploads, downloads, waits.

This file is generated: edit its async twin and run ``scripts/unasync.py``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt

from adscale import _sync_resources as resources
from adscale._sync_transport import Progress
from adscale.auth import ApiKeyAuth, TokenAuth, TokenCallback, Tokens
from adscale.errors import ApiError, TransportError, error_from_response
from adscale.pagination import Style
from adscale.retry import WaitRetryAfter, is_retryable
from adscale.settings import DEFAULT_BASE_URL, USER_AGENT

CHUNK_BYTES = 1 << 20
FINISHED = frozenset({"completed", "failed", "cancelled"})


def _file_chunks(path: Path, on_progress: Progress | None) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            yield chunk
            if on_progress is not None:
                on_progress(len(chunk))


class Client:
    """``Client(api_key=...)``, or ``Client()`` then ``client.login(...)``.

    ``base_url`` defaults to ``$ADSCALE_BASE_URL``, else the local stack; ``api_key`` to
    ``$ADSCALE_API_KEY`` when no tokens are given. Requests answered 429 or 503 are tried
    again up to ``max_retries`` times, waiting as ``Retry-After`` says.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        tokens: Tokens | None = None,
        on_tokens: TokenCallback | None = None,
        timeout: float = 60.0,
        max_retries: int = 4,
        max_retry_wait: float = 60.0,
    ) -> None:
        self.base_url = (base_url or os.environ.get("ADSCALE_BASE_URL") or DEFAULT_BASE_URL).rstrip(
            "/"
        )
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.on_tokens = on_tokens
        self._http = httpx.Client(
            base_url=self.base_url, timeout=timeout, headers={"User-Agent": USER_AGENT}
        )
        self._auth: httpx.Auth | None = None
        if tokens is not None:
            self.use_tokens(tokens)
        elif api_key or os.environ.get("ADSCALE_API_KEY"):
            self._auth = ApiKeyAuth(api_key or os.environ["ADSCALE_API_KEY"])
        self.auth = resources.Auth(self)
        self.accounts = resources.Accounts(self)
        self.campaigns = resources.Campaigns(self)
        self.ad_groups = resources.AdGroups(self)
        self.creatives = resources.Creatives(self)
        self.metrics = resources.Metrics(self)
        self.rules = resources.Rules(self)
        self.billing = resources.Billing(self)
        self.api_keys = resources.ApiKeys(self)
        self.segments = resources.Segments(self)
        self.platforms = resources.Platforms(self)
        self.audiences = resources.Audiences(self)
        self.sync_jobs = resources.SyncJobs(self)
        self.exports = resources.Exports(self)
        self.webhooks = resources.Webhooks(self)
        self.privacy = resources.Privacy(self)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- credentials ---------------------------------------------------------------------

    def use_tokens(self, tokens: Tokens) -> None:
        """Send this JWT pair from now on (refreshed and rotated on 401)."""
        self._auth = TokenAuth(tokens, f"{self.base_url}/auth/refresh", self.on_tokens)

    @property
    def tokens(self) -> Tokens | None:
        return self._auth.tokens if isinstance(self._auth, TokenAuth) else None

    def login(self, email: str, password: str) -> Tokens:
        """Log in with email and password; the client uses (and refreshes) the pair."""
        body = self.call("POST", "/auth/login", json={"email": email, "password": password})
        return self._adopt(body)

    def change_password(self, current_password: str, new_password: str) -> Tokens:
        """Change the signed-in user's password. Every session of the user ends, this
        client's too; the client goes on with the new pair the answer carries."""
        body = {"current_password": current_password, "new_password": new_password}
        return self._adopt(self.call("POST", "/auth/change-password", json=body))

    def _adopt(self, body: Mapping[str, Any]) -> Tokens:
        """Use (and report to ``on_tokens``) the token pair of an answer."""
        tokens = Tokens(body["access_token"], body["refresh_token"])
        self.use_tokens(tokens)
        if self.on_tokens is not None:
            self.on_tokens(tokens)
        return tokens

    # --- requests ------------------------------------------------------------------------

    def _once(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        upload: tuple[Path, str, Progress | None] | None,
    ) -> httpx.Response:
        content = None
        headers = {}
        if upload is not None:
            path, content_type, on_progress = upload
            content = _file_chunks(path, on_progress)
            headers = {"Content-Type": content_type, "Content-Length": str(path.stat().st_size)}
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self._http.request(
                method,
                url,
                params=clean,
                json=json,
                content=content,
                headers=headers,
                auth=self._auth or httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TransportError as exc:
            raise TransportError(f"{method} {url}: {exc!r}") from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        upload: tuple[Path, str, Progress | None] | None = None,
    ) -> httpx.Response:
        """One API call, tried again on 429/503; raises ``ApiError`` on an error answer."""
        retrying = Retrying(
            retry=retry_if_exception(is_retryable),
            wait=WaitRetryAfter(self.max_retry_wait),
            stop=stop_after_attempt(self.max_retries + 1),
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                return self._once(method, url, params=params, json=json, upload=upload)
        raise AssertionError("unreachable")  # pragma: no cover

    def call(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """The decoded JSON body of one call (``None`` for 204)."""
        response = self.request(method, url, params=params, json=json)
        return response.json() if response.content else None

    def paginate(
        self,
        url: str,
        style: Style,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a list, page after page, in either of the API's styles."""
        query: dict[str, Any] = {**(params or {}), **style.first(page_size)}
        while True:
            body = self.call("GET", url, params=query)
            yield from style.items(body)
            following = style.next_params(body)
            if following is None:
                return
            query.update(following)

    def upload(
        self,
        url: str,
        path: Path,
        *,
        content_type: str = "text/csv",
        params: Mapping[str, Any] | None = None,
        on_progress: Progress | None = None,
    ) -> Any:
        """Stream a file as the request body; ``on_progress`` gets each chunk's size."""
        upload = (path, content_type, on_progress)
        response = self.request("POST", url, params=params, upload=upload)
        return response.json()

    def download(self, url: str, dest: Path, *, on_progress: Progress | None = None) -> int:
        """Stream ``url`` into ``dest``; returns the bytes written."""
        written = 0
        try:
            with self._http.stream("GET", url) as response:
                if response.status_code >= 400:
                    response.read()
                    raise error_from_response(response)
                with dest.open("wb") as sink:
                    for chunk in response.iter_bytes(CHUNK_BYTES):
                        sink.write(chunk)
                        written += len(chunk)
                        if on_progress is not None:
                            on_progress(len(chunk))
        except httpx.TransportError as exc:
            raise TransportError(f"GET {url}: {exc!r}") from exc
        return written

    def poll(
        self,
        url: str,
        *,
        done: Callable[[dict[str, Any]], bool],
        on_update: Callable[[dict[str, Any]], None] | None = None,
        interval: float = 0.5,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """GET ``url`` until ``done(body)``; ``on_update`` sees every body."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            body: dict[str, Any] = self.call("GET", url)
            if on_update is not None:
                on_update(body)
            if done(body):
                return body
            if deadline is not None and time.monotonic() >= deadline:
                raise ApiError(408, "TIMEOUT", f"still {body.get('status')} after {timeout}s")
            time.sleep(interval)
