"""The gateway: one public endpoint in front of every service.

Routed prefixes are proxied by a raw ASGI path (authentication, rate limit,
internal token, streaming); the gateway's own routes (``/api/v1/health``,
``/docs``, ``/openapi.json``) are a small FastAPI app.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
import httpx
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from redis.asyncio import Redis
from starlette.types import Receive, Scope, Send

from adscale_common.app import settle_heap
from adscale_common.errors import error_response, install_error_handlers
from adscale_common.internal_auth import (
    ANONYMOUS,
    INTERNAL_TOKEN_HEADER,
    Principal,
    mint_internal_token,
)
from adscale_common.observability import configure_logging, request_id_var
from adscale_common.tracing import NATIVE_TELEMETRY_OFF, configure_tracing
from gateway.auth import (
    ApiKeyVerifier,
    IdentityClient,
    IdentityUnavailable,
    InvalidCredentials,
    JwtVerifier,
)
from gateway.bodies import read_small_body, replay
from gateway.listener_health import ListenerHealth
from gateway.metrics import RATE_LIMITED, GatewayRequests
from gateway.openapi import OpenApiCache
from gateway.proxy import Forwarder, header_value
from gateway.ratelimit import GUARDED_AUTH_PATHS, Defaults, Policy, RateLimiter, checks_for
from gateway.revocations import Verifiers, listen
from gateway.routes import is_public, upstream_for
from gateway.session import session_openapi_paths, session_router
from gateway.settings import Settings, get_settings
from gateway.upstream_client import UpstreamClient
from gateway.upstreams import UpstreamPools
from gateway.web import mount_web

logger = logging.getLogger(__name__)

HEALTH_PATHS = ("/api/v1/health", "/health")
_HEALTH_DOC = {
    "get": {
        "tags": ["health"],
        "summary": "Health of the gateway and every service",
        "security": [],
        "responses": {
            "200": {"description": "Every service is up"},
            "503": {"description": "At least one service is down"},
        },
    }
}


def _service_token(settings: Settings) -> str:
    return mint_internal_token(settings.internal_token_key, user_id=None, plan=None, auth="service")


def _email_of(body: bytes) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    email = parsed.get("email") if isinstance(parsed, dict) else None
    return email if isinstance(email, str) else None


class Gateway:
    """Pure-ASGI entry point: proxy routed prefixes, hand the rest to the FastAPI app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.upstreams = UpstreamPools(
            settings.upstream_url_lists(),
            health_interval_seconds=settings.upstream_health_interval_seconds,
        )
        # (subject, plan, sid) of a verified access token -> its caller: each parsed once.
        self._jwt_callers: dict[tuple[str, str | None, str | None], Principal] = {}
        self.api = self._build_api()

    def _build_api(self) -> FastAPI:
        settings = self.settings

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            client = httpx.AsyncClient(
                timeout=httpx.Timeout(
                    settings.upstream_timeout_seconds,
                    connect=settings.upstream_connect_timeout_seconds,
                ),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            )
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=1000,
                    ttl_dns_cache=300,
                    keepalive_timeout=settings.upstream_keepalive_seconds,
                ),
                auto_decompress=False,
            )
            identity = IdentityClient(client, self.upstreams, lambda: _service_token(settings))
            # Used only by the upstreams' health checks now: no client span every second.
            AioHttpClientInstrumentor.uninstrument_session(session)
            self.upstreams.start(session)
            upstream_client = UpstreamClient(
                connect_timeout=settings.upstream_connect_timeout_seconds,
                read_timeout=settings.upstream_timeout_seconds,
                keepalive_seconds=settings.upstream_keepalive_seconds,
            )
            self.forwarder = Forwarder(
                client=upstream_client,
                upstreams=self.upstreams,
                internal_key=settings.internal_token_key,
                max_buffered_body_bytes=settings.max_buffered_body_bytes,
            )
            self.jwt = JwtVerifier(identity.jwks)
            self.revocations = ListenerHealth(
                stale_after_seconds=settings.revocations_stale_seconds
            )
            self.api_keys = ApiKeyVerifier(
                identity.verify_api_key,
                trusted_epoch=self.revocations.trusted_epoch,
                ttl_seconds=settings.api_key_cache_seconds,
                untrusted_ttl_seconds=settings.api_key_untrusted_cache_seconds,
            )
            self.redis = Redis.from_url(
                settings.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0
            )
            self.limiter = RateLimiter(self.redis)
            self.limits = Defaults(
                user=Policy("default", settings.rate_limit_user_per_minute, 60),
                anonymous=Policy("default-anonymous", settings.rate_limit_anonymous_per_minute, 60),
                login_ip=Policy("login-ip", settings.rate_limit_login_per_ip_per_minute, 60),
                login_email=Policy(
                    "login-email", settings.rate_limit_login_per_email_per_5_minutes, 300
                ),
            )
            self.http = client

            async def fetch_openapi(service: str) -> dict[str, Any] | None:
                url = settings.upstream_urls()[service] + "/openapi.json"
                try:
                    response = await client.get(
                        url, headers={INTERNAL_TOKEN_HEADER: _service_token(settings)}
                    )
                    response.raise_for_status()
                    document: dict[str, Any] = response.json()
                    return document
                except (httpx.HTTPError, ValueError) as exc:
                    logger.warning(
                        "openapi fetch failed", extra={"upstream": service, "error": repr(exc)}
                    )
                    return None

            self.openapi = OpenApiCache(
                list(settings.upstream_urls()),
                fetch_openapi,
                ttl_seconds=settings.openapi_cache_seconds,
                own_paths={"/api/v1/health": _HEALTH_DOC, **session_openapi_paths(sessions)},
                public=is_public,
            )
            listener = asyncio.create_task(
                listen(
                    Verifiers(self.api_keys, self.jwt), settings.kafka_bootstrap, self.revocations
                )
            )
            settle_heap()  # as every service does after start-up (README "Speed")
            try:
                yield
            finally:
                listener.cancel()
                await self.upstreams.stop()
                # Never let a Kafka client that is still connecting hold up shutdown.
                await asyncio.wait({listener}, timeout=5)
                await client.aclose()
                await upstream_client.close()
                await session.close()
                await self.redis.aclose()

        api = FastAPI(
            title="AdScale gateway",
            lifespan=lifespan,
            docs_url=None,
            redoc_url=None,
            openapi_url=None,
            telemetry=NATIVE_TELEMETRY_OFF,
        )
        install_error_handlers(api)
        sessions = session_router(
            self, cookie_max_age_seconds=settings.session_cookie_max_age_seconds
        )
        api.include_router(sessions)
        import swagger_ui_bundle

        api.mount(
            "/docs/static", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger"
        )

        @api.get("/api/v1/health")
        @api.get("/health")
        async def health() -> JSONResponse:
            return await self._health()

        @api.get("/openapi.json")
        @api.get("/api/v1/openapi.json")
        async def openapi() -> JSONResponse:
            return JSONResponse(await self.openapi.get())

        @api.get("/docs")
        @api.get("/api/v1/docs")
        async def docs(request: Request) -> HTMLResponse:
            return get_swagger_ui_html(
                openapi_url="/openapi.json",
                title="AdScale API",
                swagger_js_url="/docs/static/swagger-ui-bundle.js",
                swagger_css_url="/docs/static/swagger-ui.css",
                swagger_favicon_url="/docs/static/favicon-32x32.png",
            )

        mount_web(api, settings.web_dist_path())
        return api

    async def _health(self) -> JSONResponse:
        settings = self.settings

        async def probe(name: str, base: str) -> tuple[str, dict[str, Any]]:
            try:
                response = await self.http.get(
                    base + "/health", timeout=settings.health_timeout_seconds
                )
                body = response.json()
                # A 200 may still say "degraded": an advisory check failed (identity's
                # mail), the service serves; a 503 means it does not.
                serving = response.status_code == 200
                state = body.get("status", "ok") if serving else "degraded"
                return name, {"status": state, "serving": serving, "checks": body.get("checks", {})}
            except (httpx.HTTPError, ValueError) as exc:
                return name, {"status": "down", "error": type(exc).__name__}

        async def redis_state() -> str:
            try:
                await self.redis.ping()
                return "ok"
            except Exception as exc:
                return f"error: {type(exc).__name__}"

        results, redis = await asyncio.gather(
            asyncio.gather(*(probe(n, self.upstreams[n]) for n in self.upstreams)),
            redis_state(),
        )
        services = dict(results)
        ok = all(s["status"] == "ok" for s in services.values()) and redis == "ok"
        serving = all(s.get("serving", False) for s in services.values()) and redis == "ok"
        body = {
            "status": "ok" if ok else "degraded",
            "service": "gateway",
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "services": services,
            # Not live: API keys are still served, from a cache kept at most
            # `api_key_untrusted_cache_seconds`, so the gateway's status does not change.
            "dependencies": {"redis": redis, "revocations": self.revocations.report()},
        }
        return JSONResponse(body, status_code=200 if serving else 503)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            service = upstream_for(scope["path"])
            if service is not None:
                await self._proxy(scope, receive, send, service)
                return
        await self.api(scope, receive, send)

    async def _authenticate(self, scope: Scope) -> Principal:
        authorization = header_value(scope, b"authorization")
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise InvalidCredentials("unsupported authorization scheme")
            claims = await self.jwt.verify(token.strip())
            return self._jwt_caller(claims["sub"], claims.get("plan"), claims.get("sid"))
        api_key = header_value(scope, b"x-api-key")  # a bearer token goes first
        if api_key:
            return await self.api_keys.verify(api_key.strip())
        return ANONYMOUS

    def _jwt_caller(self, subject: str, plan: str | None, sid: str | None) -> Principal:
        caller = self._jwt_callers.get((subject, plan, sid))
        if caller is None:
            try:
                user_id = uuid.UUID(subject)
                session_id = uuid.UUID(sid) if isinstance(sid, str) else None
            except ValueError as exc:
                raise InvalidCredentials("the token's subject or session is not an id") from exc
            if len(self._jwt_callers) >= 100_000:
                self._jwt_callers.clear()
            caller = Principal(user_id=user_id, plan=plan, auth="jwt", session_id=session_id)
            self._jwt_callers[(subject, plan, sid)] = caller
        return caller

    async def _proxy(self, scope: Scope, receive: Receive, send: Send, service: str) -> None:
        path = scope["path"]
        request_id = request_id_var.get() or ""
        try:
            identity = await self._authenticate(scope)
        except InvalidCredentials:
            if is_public(path):
                # A public endpoint needs no credentials, so stale ones must not block it
                # (a client refreshing with its expired access token still attached).
                identity = ANONYMOUS
            else:
                await error_response(
                    path,
                    401,
                    "Invalid or expired credentials",
                    code="UNAUTHORIZED",
                    headers={"WWW-Authenticate": "Bearer"},
                )(scope, receive, send)
                return
        except IdentityUnavailable:
            logger.error("identity unavailable for authentication")
            await error_response(
                path, 503, "Authentication is unavailable", code="SERVICE_UNAVAILABLE"
            )(scope, receive, send)
            return
        if identity.auth == "api_key" and (identity.plan or "free") == "free":
            await error_response(
                path, 403, "API access is not available on the Free plan", code="FORBIDDEN"
            )(scope, receive, send)
            return

        email = None
        if scope["method"] == "POST" and path.rstrip("/") in GUARDED_AUTH_PATHS:
            try:
                body = await read_small_body(receive, 65536)
            except ValueError:
                await error_response(path, 413, "Request body too large")(scope, receive, send)
                return
            email = _email_of(body)
            receive = replay(body)
            scope = dict(scope)
            scope["headers"] = [
                (k, v) for k, v in scope["headers"] if k.lower() != b"content-length"
            ] + [(b"content-length", str(len(body)).encode())]
        client = scope.get("client")
        client_ip = str(client[0]) if client else "unknown"
        principal = str(identity.user_id) if identity.user_id else None
        refusal, tightest = await self.limiter.evaluate(
            checks_for(
                scope["method"],
                path,
                principal=principal,
                client_ip=client_ip,
                email=email,
                defaults=self.limits,
            )
        )
        if refusal is not None:
            RATE_LIMITED.labels(refusal.policy.name).inc()
            headers = {k.decode(): v.decode() for k, v in refusal.headers()}
            headers["Retry-After"] = str(refusal.reset_seconds)
            await error_response(
                path,
                429,
                "Rate limit exceeded; retry later",
                code="RATE_LIMIT_EXCEEDED",
                details={
                    "policy": refusal.policy.name,
                    "limit": refusal.policy.limit,
                    "window_seconds": refusal.policy.window_seconds,
                },
                headers=headers,
            )(scope, receive, send)
            return
        await self.forwarder.forward(
            scope,
            receive,
            send,
            service=service,
            identity=identity,
            request_id=request_id,
            extra_response_headers=tightest.headers() if tightest else None,
        )


def create_app(settings: Settings | None = None) -> Any:
    settings = settings or get_settings()
    configure_logging("gateway", settings.log_level, json=settings.log_json)
    configure_tracing("gateway")
    gateway = Gateway(settings)
    return GatewayRequests(gateway, port=settings.metrics_port, host=settings.metrics_host)


app = create_app()
