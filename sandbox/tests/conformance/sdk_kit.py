"""What the conformance tests share: a sandbox served by uvicorn on a free port (as
``python -m adscale_sandbox`` serves it), and browser-side sign-ins against it."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import uvicorn

from adscale_sandbox.main import SERVER_OPTIONS, create_app
from adscale_sandbox.settings import Settings

REDIRECT = "http://127.0.0.1:9/callback"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Live:
    """A running sandbox: its base URL and a plain HTTP client for sign-in and admin."""

    base: str
    http: httpx.Client

    def redirect_params(self, response: httpx.Response) -> dict[str, str]:
        assert response.status_code == 302, response.text
        location = response.headers["location"]
        assert location.startswith(REDIRECT)
        return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}

    def members(self, platform: str, audience_id: str) -> dict[str, Any]:
        r = self.http.get(f"/_admin/audiences/{platform}/{audience_id}/members")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def expire_tokens(self, platform: str) -> int:
        r = self.http.post("/_admin/tokens/expire", json={"platform": platform})
        assert r.status_code == 200, r.text
        count: int = r.json()["expired"]
        return count

    # -- sign-ins, as a user's browser would do them ------------------------------------
    def google_tokens(self, client_id: str = "gclient") -> dict[str, Any]:
        """Authorization code with PKCE S256, exchanged at the token endpoint."""
        verifier = secrets.token_urlsafe(48)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        r = self.http.get(
            "/google/accounts/o/oauth2/v2/auth",
            params={
                "client_id": client_id,
                "redirect_uri": REDIRECT,
                "response_type": "code",
                "scope": "https://www.googleapis.com/auth/datamanager",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "access_type": "offline",
                "state": "st",
            },
        )
        code = self.redirect_params(r)["code"]
        r = self.http.post(
            "/google/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "client_id": client_id,
                "client_secret": "gsecret",
                "code_verifier": verifier,
            },
        )
        assert r.status_code == 200, r.text
        tokens: dict[str, Any] = r.json()
        return tokens

    def meta_code(self) -> str:
        r = self.http.get(
            "/meta/www/v25.0/dialog/oauth",
            params={"client_id": "app-1", "redirect_uri": REDIRECT, "scope": "ads_management"},
        )
        return self.redirect_params(r)["code"]


@contextlib.contextmanager
def serve(data_dir: Path) -> Iterator[Live]:
    """The sandbox under uvicorn in a thread, stopped on exit."""
    app = create_app(Settings(data_dir=data_dir, processing_delay_seconds=0))
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **SERVER_OPTIONS
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="sandbox-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "the sandbox server stopped during start-up"
        assert time.monotonic() < deadline, "the sandbox server did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            yield Live(base, http)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
    assert not thread.is_alive(), "the sandbox server did not stop"
