"""Where a gateway request's time goes: py-spy samples of the gateway under load, grouped
by stage, and each stage timed alone in-process (bench/gateway.py --profile)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from adscale_common.internal_auth import mint_internal_token

ME = "/api/v1/auth/me"


# Stages of a gateway request, recognised in a sampled stack by the first matching frame
# from the innermost outwards (py-spy's "function (file:line)" frames).
STAGES = (
    ("auth (JWT / API key)", ("gateway/auth.py", "(jwt/", "(cryptography/")),
    ("rate limit (Redis)", ("gateway/ratelimit.py", "(redis/")),
    ("access log + request id", ("(logging/", "adscale_common/observability.py")),
    ("metrics", ("(prometheus_client/",)),
    # py-spy names OpenTelemetry's files by their last folders (trace/__init__.py, ...)
    (
        "tracing",
        (
            "(opentelemetry/",
            "gateway/tracing.py",
            "(trace/__init__.py",
            "(trace/sampling.py",
            "(attributes/__init__.py",
            "(context/__init__.py",
            "(context/contextvars_context.py",
            "(asyncpg/__init__.py",  # the asyncpg instrumentation (asyncpg runs elsewhere)
        ),
    ),
    # the request layer's own code; what it calls (logging, metrics, spans) counts above
    ("request layer (own code)", ("request_middleware.py", "gateway/metrics.py")),
    ("internal token", ("internal_auth.py",)),
    (
        "proxy (upstream client)",
        (
            "gateway/proxy.py",
            "gateway/upstream_client.py",
            "(httptools/",
            "(aiohttp/",  # before the lean client, and the health checks
            "(yarl/",
            "(multidict/",
        ),
    ),
    ("identity's /auth/me route", ("identity/auth/",)),
    ("gateway routing/other", ("gateway/main.py", "gateway/routes.py")),
    ("database (SQLAlchemy/asyncpg)", ("(sqlalchemy/", "(asyncpg/")),
    ("FastAPI/Starlette/pydantic", ("(fastapi/", "(starlette/", "(pydantic")),
    ("uvicorn HTTP server", ("(uvicorn/",)),
    ("event loop", ("(asyncio/", "(uvloop")),
)


def sampled_stages(raw: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Samples per stage, and per innermost frame, from py-spy's raw (collapsed) output."""
    counts: dict[str, int] = {}
    leaves: dict[str, int] = {}
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        frames = stack.split(";")
        leaves[frames[-1]] = leaves.get(frames[-1], 0) + int(number)
        stage = "other"
        for frame in reversed(frames):
            hit = next((name for name, marks in STAGES if any(m in frame for m in marks)), None)
            if hit:
                stage = hit
                break
        counts[stage] = counts.get(stage, 0) + int(number)
    return counts, leaves


def print_samples(title: str, raw: Path, us_per_request: float) -> None:
    if not raw.exists():
        return
    counts, leaves = sampled_stages(raw)
    total = sum(counts.values()) or 1
    print(f"\n{title}, py-spy samples by stage (share; of its CPU per request):")
    for stage, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:32}{count / total:>7.1%}{count / total * us_per_request:>8.0f} us")
    print("  busiest functions (self):")
    for frame, count in sorted(leaves.items(), key=lambda kv: -kv[1])[:8]:
        print(f"    {count / total:>6.1%}  {frame[:110]}")


@contextmanager
def sampling(pid: int, seconds: int, out: Path, enabled: bool) -> Iterator[None]:
    """py-spy (if installed and asked for) samples ``pid`` while the block runs."""
    spy = shutil.which("py-spy") if enabled else None
    child = None
    if spy:
        argv = [spy, "record", "-p", str(pid), "-d", str(seconds), "-r", "250"]
        argv += ["-f", "raw", "-o", str(out), "--nonblocking", "--subprocesses"]
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        if child is not None:
            child.wait(60)


async def _per_call_us(call: Callable[[], Awaitable[object]], n: int) -> float:
    for _ in range(min(50, n)):
        await call()
    started = time.perf_counter()
    for _ in range(n):
        await call()
    return (time.perf_counter() - started) / n * 1e6


def _scope(token: str) -> dict[str, object]:
    return {
        "type": "http",
        "method": "GET",
        "path": ME,
        "raw_path": ME.encode(),
        "query_string": b"",
        "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8107),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
        "asgi": {"version": "3.0"},
    }


async def _noop_app(scope: object, receive: object, send: Callable[..., Awaitable[None]]) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}", "more_body": False})


async def profile(
    token: str, user_id: str, env: dict[str, str], run: dict[str, float], identity: str
) -> None:
    """Each stage of a gateway request timed alone in this process (sequential calls, the
    same code and settings the gateway uses), beside the gateway's CPU per request."""
    from redis.asyncio import Redis

    from adscale_common.internal_auth import Principal
    from adscale_common.observability import JsonFormatter
    from adscale_common.tracing import configure_tracing
    from gateway.auth import IdentityClient, JwtVerifier
    from gateway.metrics import GatewayRequests
    from gateway.proxy import Forwarder
    from gateway.ratelimit import RateLimiter, checks_for
    from gateway.upstream_client import UpstreamClient

    os.environ.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    configure_tracing("gateway-bench")
    key = env["ADSCALE_INTERNAL_TOKEN_KEY"]
    n = 2000
    scope = _scope(token)

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: object) -> None:
        return None

    def layer(app: object) -> Callable[[], Awaitable[object]]:
        return lambda: app(dict(scope), receive, send)  # type: ignore[operator]

    access = logging.getLogger("adscale.request")
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as log_file:
        handler = logging.FileHandler(log_file.name)
    handler.setFormatter(JsonFormatter("gateway"))
    access.handlers[:] = [handler]
    access.setLevel(logging.INFO)
    access.propagate = False
    stages: dict[str, float] = {}
    base = await _per_call_us(layer(_noop_app), n)
    stages["request layer: id, span (OTLP off), metrics, access line"] = (
        await _per_call_us(layer(GatewayRequests(_noop_app, port=0, host="")), n) - base
    )
    os.unlink(log_file.name)

    async with httpx.AsyncClient() as client:
        service_token = mint_internal_token(key, user_id=None, plan=None, auth="service")
        identity_client = IdentityClient(client, {"identity": identity}, lambda: service_token)
        verifier = JwtVerifier(identity_client.jwks)
        stages["auth: JWT verify"] = await _per_call_us(lambda: verifier.verify(token), n)
    redis = Redis.from_url(env["ADSCALE_REDIS_URL"])
    limiter = RateLimiter(redis, namespace="rl-bench")
    checks = checks_for("GET", ME, principal=user_id, client_ip="127.0.0.1", email=None)
    stages["rate limit: Redis round trip"] = await _per_call_us(lambda: limiter.evaluate(checks), n)
    await redis.aclose()

    async def mint() -> str:
        return mint_internal_token(key, user_id=user_id, plan="free", auth="jwt", request_id="r")

    stages["internal token (HS256)"] = await _per_call_us(mint, n)
    upstream = UpstreamClient(connect_timeout=3, read_timeout=30, keepalive_seconds=4)
    forwarder = Forwarder(
        client=upstream,
        upstreams={"identity": identity},
        internal_key=key,
        max_buffered_body_bytes=1 << 20,
    )
    who = Principal(user_id=uuid.UUID(str(user_id)), plan="free", auth="jwt")

    async def forward() -> int:
        return await forwarder.forward(
            dict(scope), receive, send, service="identity", identity=who, request_id="r"
        )

    stages["proxy: forward to identity (incl. identity)"] = await _per_call_us(forward, 500)
    await upstream.close()
    print("\nWhere a gateway request's time goes (each stage alone, sequential, this process):")
    for name, us in stages.items():
        print(f"  {name:46}{us:>8.0f} us")
    print(f"  {'gateway CPU per request under load (above)':46}{run['gateway_us']:>8.0f} us")
