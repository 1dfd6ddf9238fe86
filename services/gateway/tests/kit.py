"""Stand-ins for the gateway's upstreams (imported by the tests and conftest)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from jwt.algorithms import OKPAlgorithm

from adscale_common.internal_auth import verify_internal_token
from adscale_contracts.api_keys import generate_api_key
from gateway.main import create_app
from gateway.settings import Settings

KEY = "gateway-test-internal-key-0123456789"


@dataclass
class SigningKey:
    private: Ed25519PrivateKey
    kid: str

    @property
    def jwk(self) -> dict[str, Any]:
        public = OKPAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    def token(self, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": "adscale-identity",
            "aud": "adscale-api",
            "sub": str(uuid.uuid4()),
            "iat": now,
            "exp": now + 900,
            "typ": "access",
            "plan": "free",
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": self.kid})


def new_key(kid: str) -> SigningKey:
    return SigningKey(Ed25519PrivateKey.generate(), kid)


@dataclass
class Upstreams:
    keys: list[SigningKey]
    api_keys: dict[str, dict[str, str]] = field(default_factory=dict)
    jwks_calls: int = 0
    verify_calls: int = 0
    seen: list[dict[str, Any]] = field(default_factory=list)

    def add_api_key(self, plan: str) -> tuple[str, dict[str, str]]:
        raw = generate_api_key()
        owner = {"api_key_id": str(uuid.uuid4()), "user_id": str(uuid.uuid4()), "plan": plan}
        self.api_keys[raw] = owner
        return raw, owner


def identity_app(state: Upstreams) -> FastAPI:
    app = FastAPI()

    @app.get("/internal/jwks")
    async def jwks(request: Request) -> dict[str, Any]:
        verify_internal_token(KEY, request.headers["x-internal-token"])
        state.jwks_calls += 1
        return {"keys": [k.jwk for k in state.keys]}

    @app.post("/internal/api-keys/verify")
    async def verify(request: Request) -> JSONResponse:
        verify_internal_token(KEY, request.headers["x-internal-token"])
        state.verify_calls += 1
        owner = state.api_keys.get((await request.json())["key"])
        if owner is None:
            return JSONResponse({"detail": "Not found"}, status_code=404)
        return JSONResponse(owner)

    return app


def echo_app(state: Upstreams) -> FastAPI:
    """Stands in for any service: reports what reached it."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def echo(path: str, request: Request) -> Any:
        body = await request.body()
        principal = verify_internal_token(KEY, request.headers["x-internal-token"])
        record = {
            "path": "/" + path,
            "query": request.url.query,
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "body_len": len(body),
            "body_sha": base64.b64encode(hashlib.sha256(body).digest()).decode(),
            "user_id": str(principal.user_id) if principal.user_id else None,
            "plan": principal.plan,
            "auth": principal.auth,
            "request_id": principal.request_id,
            "session_id": str(principal.session_id) if principal.session_id else None,
            "client_port": request.client.port if request.client else None,
        }
        state.seen.append(record)
        if path.endswith("slow"):
            await asyncio.sleep(2)
        if path.endswith("stream"):

            async def chunks() -> AsyncIterator[bytes]:
                for i in range(5):
                    yield f"chunk-{i}\n".encode()

            return StreamingResponse(chunks(), media_type="text/plain")
        return JSONResponse(record, status_code=201 if request.method == "POST" else 200)

    return app


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Run ``app`` under a real uvicorn server on a free loopback port; yield its base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", proxy_headers=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


DASHBOARD_INDEX = "<!doctype html><title>AdScale</title><div id=root></div>"


@contextlib.asynccontextmanager
async def dashboard_dist() -> AsyncIterator[Path]:
    """A built dashboard of one page, so what the gateway serves outside /api does not
    depend on whether web/ was built on this machine."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "index.html").write_text(DASHBOARD_INDEX)
        yield Path(tmp)


@contextlib.asynccontextmanager
async def running_gateway(
    upstreams: Upstreams, redis_url: str, kafka_bootstrap: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in process (lifespan run, revocation listener on ``kafka_bootstrap``),
    identity and an echo service as upstreams; yields a client with ``.gateway`` set."""
    async with (
        serve(identity_app(upstreams)) as identity,
        serve(echo_app(upstreams)) as echo,
        dashboard_dist() as dist,
    ):
        settings = Settings(
            web_dist_dir=str(dist),
            internal_token_key=KEY,
            redis_url=redis_url,
            kafka_bootstrap=kafka_bootstrap,
            identity_url=identity,
            campaigns_url=echo,
            audience_sync_url=echo,
            # nothing listens on port 9: a real connection refusal
            billing_url="http://127.0.0.1:9",
            upstream_timeout_seconds=0.5,
            log_json=False,
        )
        async with in_process(settings, "203.0.113.7") as client:
            client.echo_url = echo  # type: ignore[attr-defined]
            yield client


@contextlib.asynccontextmanager
async def in_process(settings: Settings, client_ip: str) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway of ``settings`` in process (lifespan run); the client carries
    ``.gateway`` (the Gateway object)."""
    app = create_app(settings)
    inner = app.app  # GatewayRequests -> Gateway
    async with inner.api.router.lifespan_context(inner.api):
        transport = httpx.ASGITransport(app=app, client=(client_ip, 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            client.gateway = inner  # type: ignore[attr-defined]
            yield client
