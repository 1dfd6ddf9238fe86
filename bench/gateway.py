"""Gateway speed: the same authenticated GET through the gateway, straight to the service,
and a bare FastAPI route, in one run; then where a gateway request's time goes.

Needs the running stack (`make up`) and
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
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path

import httpx
import jwt

ROOT = Path(__file__).resolve().parents[1]
# This file is named like the gateway package: keep its folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.append(str(ROOT / "bench"))  # after the installed packages: gateway_kit only

from gateway_kit.profile import print_samples, profile, sampling  # noqa: E402
from stack import VENV_BIN, base_env, pid_of, stack_env  # noqa: E402

from adscale_common.internal_auth import INTERNAL_TOKEN_HEADER, mint_internal_token  # noqa: E402

GATEWAY = os.environ.get("ADSCALE_GATEWAY_URL", "http://127.0.0.1:8107")
BENCH_PORT = int(os.environ.get("BENCH_GATEWAY_PORT", "8117"))
BARE_PORT = BENCH_PORT + 1
IDENTITY = "http://127.0.0.1:8101"
ME = "/api/v1/auth/me"
LUA = """
wrk.method = "GET"
done = function(summary, latency, requests)
  io.write(string.format(
    "JSON {\\"requests\\": %d, \\"errors_status\\": %d, \\"timeouts\\": %d, \\"p50_us\\": %d, "
    .. "\\"p99_us\\": %d, \\"duration_us\\": %d}\\n",
    summary.requests, summary.errors.status, summary.errors.timeout, latency:percentile(50),
    latency:percentile(99), summary.duration))
end
"""
BARE_APP = """
import json, os, sys, uvicorn
from fastapi import FastAPI
app = FastAPI()

@app.get("/bare")
async def bare() -> dict[str, str]:
    return {"id": "00000000-0000-0000-0000-000000000000", "email": "bench@example.com"}

if os.environ.get("BENCH_JWKS"):  # --standalone: the bare app stands in for every service
    app.get("/api/v1/auth/me")(bare)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/internal/jwks")
    async def jwks() -> dict[str, object]:
        return json.loads(os.environ["BENCH_JWKS"])

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
        argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s"]
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
        "non_2xx": data["errors_status"] + data["timeouts"],
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


def standalone_token() -> tuple[str, str, dict[str, str]]:
    """--standalone: a signing key of the bench's own, a token it signed, and the
    environment that makes the bare app every service (identity's JWKS included)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from jwt.algorithms import OKPAlgorithm

    from adscale_contracts.internal import (
        ACCESS_TOKEN_AUDIENCE,
        ACCESS_TOKEN_ISSUER,
        ACCESS_TOKEN_TYPE,
    )

    private = Ed25519PrivateKey.generate()
    jwk = {
        **OKPAlgorithm.to_jwk(private.public_key(), as_dict=True),
        "kid": "bench",
        "alg": "EdDSA",
    }
    user_id, now = str(uuid.uuid4()), int(time.time())
    claims = {"iss": ACCESS_TOKEN_ISSUER, "aud": ACCESS_TOKEN_AUDIENCE, "typ": ACCESS_TOKEN_TYPE}
    claims |= {"sub": user_id, "plan": "free", "iat": now, "exp": now + 3600}
    token = jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": "bench"})
    bare = f"http://127.0.0.1:{BARE_PORT}"
    env = {"BENCH_JWKS": json.dumps({"keys": [jwk]})}
    for service in ("IDENTITY", "CAMPAIGNS", "AUDIENCE_SYNC", "BILLING"):
        env[f"GATEWAY_{service}_URL"] = bare
    return token, user_id, env


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


def source_at(rev: str, into: Path) -> dict[str, str]:
    """The gateway and adscale_common as of ``rev``, first on PYTHONPATH: a before/after
    comparison in one run (``--variants at:<rev>``)."""
    folders = ["services/gateway/src", "libs/common/src", "libs/contracts/src"]
    archive = subprocess.run(
        ["git", "archive", rev, *folders], cwd=ROOT, capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return {"PYTHONPATH": os.pathsep.join(str(into / f) for f in folders)}


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def row(name: str, r: dict[str, float]) -> str:
    cpu = "".join(f"{r.get(f'{k}_us', 0):>10.0f}" for k in ("gateway", "identity", "bare", "wrk"))
    return (
        f"{name:16}{r['rps']:>8.0f}{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}{r['non_2xx']:>8.0f}{cpu}"
    )


HEADER = (
    f"{'':16}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}"
    f"{'gw us':>10}{'id us':>10}{'bare us':>10}{'wrk us':>10}"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--variants",
        default="",
        help="comma-separated: " + ",".join(VARIANTS) + ", at:<git rev> (that revision's code)",
    )
    parser.add_argument("--profile", action="store_true", help="where a request's time goes")
    parser.add_argument(
        "--standalone",
        action="store_true",
        help="no stack: the bare app stands in for identity (the gateway's own cost)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    env = stack_env(base_env())
    with ExitStack() as stack:
        if args.standalone:
            token, user_id, stand_in = standalone_token()
            env |= stand_in
            identity = f"http://127.0.0.1:{BARE_PORT}"
        else:
            token, user_id = register()
            identity = IDENTITY
        logs = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
        bare_pid = stack.enter_context(
            spawned(
                [str(VENV_BIN / "python"), "-c", BARE_APP, str(BARE_PORT)],
                env,
                f"http://127.0.0.1:{BARE_PORT}/bare",
                logs / "bare.log",
            )
        )
        identity_pid = bare_pid if args.standalone else pid_of("identity")
        if identity_pid is None:
            print("identity is not running: make up (or use --standalone)", file=sys.stderr)
            return 2
        results = measure(args, env, token, user_id, identity, identity_pid, bare_pid, logs)
    report(args, results)
    if args.profile:
        print_samples("Gateway under load", logs / "gateway.spy", results["gateway"]["gateway_us"])
        print_samples("Upstream, direct", logs / "direct.spy", results["direct"]["identity_us"])
        asyncio.run(profile(token, user_id, env, results["gateway"], identity))
    return 0


def measure(
    args: argparse.Namespace,
    env: dict[str, str],
    token: str,
    user_id: str,
    identity: str,
    identity_pid: int,
    bare_pid: int,
    logs: Path,
) -> dict[str, dict[str, float]]:
    wrk = {"seconds": args.seconds, "connections": args.connections}
    internal = mint_internal_token(
        env["ADSCALE_INTERNAL_TOKEN_KEY"],
        user_id=user_id,
        plan="free",
        auth="jwt",
        ttl_seconds=3600,
    )
    results: dict[str, dict[str, float]] = {}
    print(f"load average before: {loadavg()}")
    bare = f"http://127.0.0.1:{BARE_PORT}/bare"
    results["bare"] = run_wrk(bare, "X-Bench: 1", {"bare": [bare_pid]}, **wrk)
    direct_header = f"{INTERNAL_TOKEN_HEADER}: {internal}"
    with sampling(identity_pid, args.seconds, logs / "direct.spy", args.profile):
        results["direct"] = run_wrk(
            f"{identity}{ME}", direct_header, {"identity": [identity_pid]}, **wrk
        )
    url = f"http://127.0.0.1:{BENCH_PORT}{ME}"
    for name in ["gateway", *[v for v in args.variants.split(",") if v]]:
        overrides, extra = VARIANTS.get(name, ({}, []))
        if name.startswith("at:"):
            overrides = source_at(name[3:], logs / name.replace(":", "-"))
        overrides = {**{k: v for k, v in env.items() if k.startswith("GATEWAY_")}, **overrides}
        with gateway_process(overrides, extra, logs / f"{name}.log") as gw_pid:
            httpx.get(url, headers={"Authorization": f"Bearer {token}"}).raise_for_status()
            servers = {"gateway": [gw_pid], "identity": [identity_pid]}
            with sampling(gw_pid, args.seconds, logs / f"{name}.spy", args.profile):
                results[name] = run_wrk(url, jwt_header(token), servers, **wrk)
    print(f"load average after: {loadavg()}")
    return results


def jwt_header(token: str) -> str:
    return f"Authorization: Bearer {token}"


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


if __name__ == "__main__":
    sys.exit(main())
