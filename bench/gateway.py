"""Gateway speed: the same authenticated GET through the gateway, straight to the service,
and a bare FastAPI route, in one run; then where a gateway request's time goes.

Needs the running stack (`make up`; on the shared machine through /work/stackrun.sh) and
wrk (`apt-get install wrk`). Registers a user, then runs wrk (one thread, 50 connections)
against

* ``bare``: a FastAPI app with one route returning a small JSON object, under the same
  uvicorn (uvloop + httptools when installed, as every process here), no auth, proxy or
  database: the ceiling for any Python endpoint on this machine;
* ``direct``: ``GET /api/v1/auth/me`` on identity's port with a minted internal token;
* ``gateway``: the same request through a gateway with every check on (EdDSA JWT, rate
  limit in Redis, request id, JSON access log written to a file, metrics, tracing with OTLP
  off) and the ratios gateway/bare (goal >= 0.5) and gateway/direct (goal >= 0.8).

The stack's gateway limits a user to 600 requests a minute, which would turn the run into
a 429 benchmark, so the bench starts its own gateway processes (same code, same upstreams,
same Redis; the per-user limit raised) on port 8117. Every request still goes through the
rate limiter.

The load generator shares the 2 cores with the servers, so besides requests/s the bench
reads the CPU seconds each server process (and wrk) used from /proc and prints CPU
microseconds per request: a figure the competition for cores does not distort.

``--variants`` adds gateway runs with one lever changed (access log off, tracing off,
asyncio + h11, N workers); ``--profile`` times each stage of a request in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

from stack import VENV_BIN, base_env, pid_of, stack_env  # noqa: E402

from adscale_common.internal_auth import INTERNAL_TOKEN_HEADER, mint_internal_token  # noqa: E402

GATEWAY = os.environ.get("ADSCALE_GATEWAY_URL", "http://127.0.0.1:8107")
BENCH_PORT = 8117
BARE_PORT = 8118
IDENTITY = "http://127.0.0.1:8101"
ME = "/api/v1/auth/me"
LUA = """
wrk.method = "GET"
done = function(summary, latency, requests)
  io.write(string.format(
    "JSON {\\"requests\\": %d, \\"errors_status\\": %d, \\"p50_us\\": %d, "
    .. "\\"p99_us\\": %d, \\"duration_us\\": %d}\\n",
    summary.requests, summary.errors.status, latency:percentile(50),
    latency:percentile(99), summary.duration))
end
"""
BARE_APP = """
import sys, uvicorn
from fastapi import FastAPI
app = FastAPI()

@app.get("/bare")
async def bare() -> dict[str, str]:
    return {"id": "00000000-0000-0000-0000-000000000000", "email": "bench@example.com"}

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning")
"""

# name -> (environment overrides, extra uvicorn arguments)
VARIANTS: dict[str, tuple[dict[str, str], list[str]]] = {
    "no-access-log": ({"GATEWAY_LOG_LEVEL": "WARNING"}, []),
    "no-tracing": ({"OTEL_SDK_DISABLED": "true"}, []),
    "asyncio+h11": ({}, ["--loop", "asyncio", "--http", "h11"]),
    "2-workers": ({}, ["--workers", "2"]),
}


def register() -> tuple[str, str]:
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    response = httpx.post(
        f"{GATEWAY}/api/v1/auth/register", json={"email": email, "password": "bench password 1"}
    )
    response.raise_for_status()
    token = response.json()["access_token"]
    me = httpx.get(f"{GATEWAY}{ME}", headers={"Authorization": f"Bearer {token}"})
    me.raise_for_status()
    return token, me.json()["id"]


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (uvicorn --workers forks its workers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def cpu_seconds(roots: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for root in roots:
        for pid in _tree(root):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / ticks


def run_wrk(
    url: str, header: str, servers: dict[str, list[int]], *, seconds: int, connections: int
) -> dict[str, float]:
    """wrk's summary plus CPU microseconds per request of each group of ``servers``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    before_servers = {name: cpu_seconds(pids) for name, pids in servers.items()}
    try:
        argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s"]
        argv += [script.name, "-H", header, url]
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    server_cpu = {name: cpu_seconds(pids) - before_servers[name] for name, pids in servers.items()}
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (after_children.ru_utime + after_children.ru_stime) - (
        before_children.ru_utime + before_children.ru_stime
    )
    match = re.search(r"^JSON (\{.*\})$", out, re.M)
    if not match:
        raise SystemExit(f"could not read wrk output:\n{out}")
    data = json.loads(match.group(1))
    requests = max(1, data["requests"])
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "non_2xx": data["errors_status"],
        "requests": data["requests"],
        "wrk_us": wrk_cpu / requests * 1e6,
        **{f"{name}_us": cpu / requests * 1e6 for name, cpu in server_cpu.items()},
    }


def _wait_healthy(url: str, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"{url}: the process exited with {child.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not become healthy")


@contextmanager
def spawned(argv: list[str], env: dict[str, str], health: str, log: Path) -> Iterator[int]:
    with log.open("ab") as out:
        child = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_healthy(health, child)
        yield child.pid
    finally:
        child.terminate()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(5)


def gateway_process(
    overrides: dict[str, str], extra: list[str], log: Path
) -> AbstractContextManager[int]:
    env = {
        **stack_env(base_env()),
        "GATEWAY_RATE_LIMIT_USER_PER_MINUTE": "1000000000",
        "GATEWAY_METRICS_PORT": "0",
        "GATEWAY_LOG_LEVEL": "INFO",
        **overrides,
    }
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    argv = [str(VENV_BIN / "uvicorn"), "gateway.main:app", "--host", "127.0.0.1"]
    argv += ["--port", str(BENCH_PORT), "--no-access-log", *extra]
    return spawned(argv, env, f"http://127.0.0.1:{BENCH_PORT}/api/v1/health", log)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def row(name: str, r: dict[str, float]) -> str:
    cpu = "".join(f"{r.get(f'{k}_us', 0):>10.0f}" for k in ("gateway", "identity", "bare", "wrk"))
    return (
        f"{name:16}{r['rps']:>8.0f}{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}{r['non_2xx']:>8.0f}{cpu}"
    )


HEADER = (
    f"{'':16}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'non-2xx':>8}"
    f"{'gw us':>10}{'id us':>10}{'bare us':>10}{'wrk us':>10}"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--variants", default="", help="comma-separated: " + ",".join(VARIANTS))
    parser.add_argument("--profile", action="store_true", help="time each stage in-process")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    env = stack_env(base_env())
    identity_pid = pid_of("identity")
    if identity_pid is None:
        print("identity is not running: make up", file=sys.stderr)
        return 2
    token, user_id = register()
    internal = mint_internal_token(
        env["ADSCALE_INTERNAL_TOKEN_KEY"],
        user_id=user_id,
        plan="free",
        auth="jwt",
        ttl_seconds=3600,
    )
    logs = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    wrk = {"seconds": args.seconds, "connections": args.connections}
    jwt_header = f"Authorization: Bearer {token}"
    results: dict[str, dict[str, float]] = {}
    print(f"load average before: {loadavg()}")
    with spawned(
        [str(VENV_BIN / "python"), "-c", BARE_APP, str(BARE_PORT)],
        env,
        f"http://127.0.0.1:{BARE_PORT}/bare",
        logs / "bare.log",
    ) as bare_pid:
        results["bare"] = run_wrk(
            f"http://127.0.0.1:{BARE_PORT}/bare", "X-Bench: 1", {"bare": [bare_pid]}, **wrk
        )
    direct_header = f"{INTERNAL_TOKEN_HEADER}: {internal}"
    results["direct"] = run_wrk(
        f"{IDENTITY}{ME}", direct_header, {"identity": [identity_pid]}, **wrk
    )
    url = f"http://127.0.0.1:{BENCH_PORT}{ME}"
    for name in ["gateway", *[v for v in args.variants.split(",") if v]]:
        overrides, extra = VARIANTS.get(name, ({}, []))
        with gateway_process(overrides, extra, logs / f"{name}.log") as gw_pid:
            httpx.get(url, headers={"Authorization": f"Bearer {token}"}).raise_for_status()
            servers = {"gateway": [gw_pid], "identity": [identity_pid]}
            results[name] = run_wrk(url, jwt_header, servers, **wrk)
    print(f"load average after: {loadavg()}")
    report(args, results)
    if args.profile:
        asyncio.run(profile(token, user_id, env, results["gateway"]))
    return 0


def report(args: argparse.Namespace, results: dict[str, dict[str, float]]) -> None:
    print(f"\nGET {ME}, wrk 1 thread, {args.connections} connections, {args.seconds} s each")
    print("us columns: CPU microseconds per request of the gateway, identity, bare app, wrk")
    print(HEADER)
    for name, r in results.items():
        print(row(name, r))
    bare, direct = results["bare"]["rps"], results["direct"]["rps"]
    for name, r in results.items():
        if name in ("bare", "direct"):
            continue
        print(
            f"{name}: {r['rps'] / bare:.2f} of bare (goal >= 0.5), "
            f"{r['rps'] / direct:.2f} of direct (goal >= 0.8)"
        )


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
        "server": ("127.0.0.1", BENCH_PORT),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
        "asgi": {"version": "3.0"},
    }


async def _noop_app(scope: object, receive: object, send: Callable[..., Awaitable[None]]) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}", "more_body": False})


async def profile(token: str, user_id: str, env: dict[str, str], run: dict[str, float]) -> None:
    """Each stage of a gateway request timed alone in this process (sequential calls, the
    same code and settings the gateway uses), beside the gateway's CPU per request."""
    import aiohttp
    from redis.asyncio import Redis

    from adscale_common.observability import JsonFormatter, RequestIdMiddleware
    from adscale_common.tracing import configure_tracing, traced_asgi
    from gateway.auth import IdentityClient, JwtVerifier
    from gateway.metrics import GatewayMetrics
    from gateway.proxy import Forwarder, Identity
    from gateway.ratelimit import RateLimiter, checks_for

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
    stages["request id + access log line"] = (
        await _per_call_us(layer(RequestIdMiddleware(_noop_app)), n) - base
    )
    stages["metrics (counter + histogram)"] = (
        await _per_call_us(layer(GatewayMetrics(_noop_app, port=0, host="")), n) - base
    )
    stages["tracing (server span, OTLP off)"] = (
        await _per_call_us(layer(traced_asgi(_noop_app)), n) - base
    )
    os.unlink(log_file.name)

    async with httpx.AsyncClient() as client:
        service_token = mint_internal_token(key, user_id=None, plan=None, auth="service")
        identity = IdentityClient(client, IDENTITY, lambda: service_token)
        verifier = JwtVerifier(identity.jwks)
        stages["auth: JWT verify"] = await _per_call_us(lambda: verifier.verify(token), n)
    redis = Redis.from_url(env["ADSCALE_REDIS_URL"])
    limiter = RateLimiter(redis, namespace="rl-bench")
    checks = checks_for("GET", ME, principal=user_id, client_ip="127.0.0.1", email=None)
    stages["rate limit: Redis round trip"] = await _per_call_us(lambda: limiter.evaluate(checks), n)
    await redis.aclose()

    async def mint() -> str:
        return mint_internal_token(key, user_id=user_id, plan="free", auth="jwt", request_id="r")

    stages["internal token (HS256)"] = await _per_call_us(mint, n)
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        forwarder = Forwarder(
            session=session,
            upstreams={"identity": IDENTITY},
            internal_key=key,
            max_buffered_body_bytes=1 << 20,
            timeout=aiohttp.ClientTimeout(total=30),
        )
        who = Identity(user_id=user_id, plan="free", auth="jwt")

        async def forward() -> int:
            return await forwarder.forward(
                dict(scope), receive, send, service="identity", identity=who, request_id="r"
            )

        stages["proxy: forward to identity (incl. identity)"] = await _per_call_us(forward, 500)
    print("\nWhere a gateway request's time goes (each stage alone, sequential, this process):")
    for name, us in stages.items():
        print(f"  {name:46}{us:>8.0f} us")
    print(f"  {'gateway CPU per request under load (above)':46}{run['gateway_us']:>8.0f} us")


if __name__ == "__main__":
    sys.exit(main())
