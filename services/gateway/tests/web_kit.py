"""A gateway in process for the dashboard tests: a built app folder and an identity stand-in
that speaks the public auth routes (login, register, refresh rotation with reuse refusal)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from adscale_common.internal_auth import verify_internal_token
from gateway.settings import Settings
from kit import KEY, Upstreams, echo_app, identity_app, in_process, serve

ASSET = "assets/index-3f9a1c7e.js"


def build_dist(root: Path) -> Path:
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(
        '<!doctype html><html><head><script type="module" src="/'
        + ASSET
        + '"></script></head><body><div id="root"></div></body></html>'
    )
    (dist / ASSET).write_text("console.log('app')")
    (dist / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return dist


@dataclass
class AuthState:
    """Refresh tokens as identity keeps them: each one rotates once; a spent one is refused."""

    live: set[str] = field(default_factory=set)
    spent: set[str] = field(default_factory=set)
    counter: itertools.count[int] = field(default_factory=itertools.count)
    refresh_bodies: list[dict[str, Any]] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    logout_status: int = 204  # what identity's logout answers a known token (503: it is down)
    password_changes: list[str] = field(default_factory=list)  # users, as the gateway named them

    def pair(self) -> dict[str, str]:
        n = next(self.counter)
        refresh = f"refresh-{n}"
        self.live.add(refresh)
        return {"access_token": f"access-{n}", "refresh_token": refresh, "token_type": "bearer"}


def auth_identity_app(upstreams: Upstreams, state: AuthState) -> FastAPI:
    app = identity_app(upstreams)

    @app.post("/api/v1/auth/login")
    async def login(request: Request) -> JSONResponse:
        verify_internal_token(KEY, request.headers["x-internal-token"])
        body = await request.json()
        if body.get("password") != "correct horse":
            return JSONResponse({"detail": "Invalid email or password"}, status_code=401)
        return JSONResponse(state.pair())

    @app.post("/api/v1/auth/register")
    async def register(request: Request) -> JSONResponse:
        body = await request.json()
        if body.get("email") == "taken@example.com":
            return JSONResponse({"detail": "Email already registered"}, status_code=409)
        return JSONResponse(state.pair(), status_code=201)

    @app.post("/api/v1/auth/refresh")
    async def refresh(request: Request) -> JSONResponse:
        body = await request.json()
        state.refresh_bodies.append(body)
        token = body.get("refresh_token")
        if token not in state.live:
            return JSONResponse({"detail": "Invalid or expired refresh token"}, status_code=401)
        state.live.discard(token)
        state.spent.add(token)
        return JSONResponse(state.pair())

    @app.post("/api/v1/auth/change-password")
    async def change_password(request: Request) -> JSONResponse:
        principal = verify_internal_token(KEY, request.headers["x-internal-token"])
        if principal.auth != "jwt" or principal.user_id is None:
            return JSONResponse({"detail": "Not authenticated"}, status_code=401)
        if (await request.json()).get("current_password") != "correct horse":
            problem = {"loc": ["body", "current_password"], "msg": "Current password is incorrect"}
            return JSONResponse({"detail": [problem]}, status_code=422)
        state.password_changes.append(str(principal.user_id))
        state.revoked |= state.live  # every session ends
        state.live.clear()
        return JSONResponse(state.pair())

    @app.post("/api/v1/auth/logout")
    async def logout(request: Request) -> Response:
        token = (await request.json()).get("refresh_token")
        if token not in state.live | state.spent | state.revoked:
            return JSONResponse({"detail": "Invalid or expired refresh token"}, status_code=401)
        if state.logout_status != 204:
            return JSONResponse({"detail": "identity is down"}, status_code=state.logout_status)
        state.live.discard(token)
        state.revoked.add(token)
        return Response(status_code=204)

    return app


@contextlib.asynccontextmanager
async def web_gateway(
    upstreams: Upstreams, redis_url: str, kafka: str, dist: Path, state: AuthState
) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        serve(auth_identity_app(upstreams, state)) as identity,
        serve(echo_app(upstreams)) as echo,
    ):
        settings = Settings(
            internal_token_key=KEY,
            redis_url=redis_url,
            kafka_bootstrap=kafka,
            identity_url=identity,
            campaigns_url=echo,
            audience_sync_url=echo,
            billing_url=echo,
            web_dist_dir=str(dist),
            log_json=False,
        )
        async with in_process(settings, "203.0.113.9") as client:
            yield client
