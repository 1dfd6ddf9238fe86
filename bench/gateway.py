"""Gateway speed: the same authenticated GET through the gateway, straight to the service,
and a bare FastAPI route, in one run; then where a gateway request's time goes.

Needs the running stack (`make up`) and wrk (`apt-get install wrk`). Registers a user, then
runs wrk (one thread, 50 connections) against

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

Why one run of each says little on this machine (2 shared cores): identity is one
Python process with a database behind it; through the gateway a second process
(the gateway) competes for the same cores, so the gateway/direct ratio of a single pair of
runs moved with whatever else ran in those seconds (0.49-1.06 for the same code). So the
bench warms every arm up (pools, caches, connections), then runs ``--rounds`` rounds of one
run per arm, the order rotated each round, and prints medians with their range; each
ratio is taken between runs of the same round. Beside requests/s it reads from /proc the
CPU each process spent per request (gateway, identity, the PostgreSQL backends of
identity's database, the bare app, wrk), a figure the competition for cores does not
distort, the share of a core identity used (near 1.0: identity is the bottleneck), and the
ratio the CPU figures predict if the cores were the only limit.

``--variants`` adds gateway arms with one lever changed (access log off, tracing off,
asyncio + h11, N workers, ``at:<rev>``: that revision's gateway and libs) or
``direct+forwarded`` (straight to identity with the headers a gateway adds); ``--profile``
samples the gateway and identity with py-spy in the first round and times each stage of
a request in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import jwt

ROOT = Path(__file__).resolve().parents[1]
# This file is named like the gateway package: keep its folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.append(str(ROOT / "bench"))  # after the installed packages: gateway_kit only

from gateway_kit.measure import (  # noqa: E402
    loadavg,
    median_spread,
    run_wrk,
    source_at,
    spawned,
)
from gateway_kit.profile import print_samples, profile, sampling  # noqa: E402
from stack import VENV_BIN, base_env, pid_of, stack_env  # noqa: E402

from adscale_common.internal_auth import INTERNAL_TOKEN_HEADER, mint_internal_token  # noqa: E402
from kit.cpu_charge import Processes  # noqa: E402

GATEWAY = os.environ.get("ADSCALE_GATEWAY_URL", "http://127.0.0.1:8107")
BENCH_PORT = int(os.environ.get("BENCH_GATEWAY_PORT", "8117"))
BARE_PORT = BENCH_PORT + 1
IDENTITY = "http://127.0.0.1:8101"
ME = "/api/v1/auth/me"
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
    claims: dict[str, object] = {
        "iss": ACCESS_TOKEN_ISSUER,
        "aud": ACCESS_TOKEN_AUDIENCE,
        "typ": ACCESS_TOKEN_TYPE,
    }
    claims |= {"sub": user_id, "plan": "free", "iat": now, "exp": now + 3600}
    token = jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": "bench"})
    bare = f"http://127.0.0.1:{BARE_PORT}"
    env = {"BENCH_JWKS": json.dumps({"keys": [jwk]})}
    for service in ("IDENTITY", "CAMPAIGNS", "AUDIENCE_SYNC", "BILLING"):
        env[f"GATEWAY_{service}_URL"] = bare
    return token, user_id, env


def gateway_process(
    overrides: dict[str, str], extra: list[str], port: int, log: Path
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
    argv += ["--port", str(port), "--no-access-log", *extra]
    return spawned(argv, env, f"http://127.0.0.1:{port}/api/v1/health", log)


GATEWAY_FOLDERS = ["services/gateway/src", "libs/common/src", "libs/contracts/src"]
# An arm straight to identity with the headers a gateway adds besides the internal token.
DIRECT_AS_FORWARDED = "direct+forwarded"
FORWARDED_HEADERS = (
    "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "X-Request-ID: 0f8fad5b-d9cb-469f-a165-70867728950e",
    "X-Forwarded-For: 127.0.0.1",
)
# CPU columns: microseconds per request of each process group (wrk: the load generator).
CPU_COLUMNS = (
    ("gateway", "gw us"),
    ("identity", "id us"),
    ("postgres", "pg us"),
    ("bare", "bare us"),
    ("wrk", "wrk us"),
)


@dataclass
class Arm:
    """One way of sending the request: its URL, header and the processes it is charged to."""

    name: str
    url: str
    header: str
    processes: Processes
    sampled_pid: int
    runs: list[dict[str, float]] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(r.get(key, 0.0) for r in self.runs)

    def server_us(self, run: dict[str, float]) -> float:
        """Server-side CPU per request: every process but the load generator."""
        return sum(run.get(f"{name}_us", 0.0) for name, _ in CPU_COLUMNS if name != "wrk")


def database_of(env: dict[str, str], service: str) -> str | None:
    url = env.get(f"{service.upper()}_DATABASE_URL")
    return urllib.parse.urlsplit(url).path.lstrip("/") or None if url else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6, help="each measured run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of every arm")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured run per arm first")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--variants",
        default="",
        help="comma-separated: "
        + ",".join([*VARIANTS, DIRECT_AS_FORWARDED])
        + ", at:<git rev> (that revision's code)",
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
        database = None if args.standalone else database_of(env, "identity")
        arms = build_arms(
            args, stack, env, token, user_id, identity, identity_pid, bare_pid, database, logs
        )
        measure(args, arms, logs)
    report(args, arms)
    if args.profile:
        by_name = {arm.name: arm for arm in arms}
        gateway_us = by_name["gateway"].median("gateway_us")
        print_samples("Gateway under load", logs / "gateway.spy", gateway_us)
        print_samples(
            "Upstream, direct", logs / "direct.spy", by_name["direct"].median("identity_us")
        )
        asyncio.run(profile(token, user_id, env, {"gateway_us": gateway_us}, identity))
    return 0


def build_arms(
    args: argparse.Namespace,
    stack: ExitStack,
    env: dict[str, str],
    token: str,
    user_id: str,
    identity: str,
    identity_pid: int,
    bare_pid: int,
    database: str | None,
    logs: Path,
) -> list[Arm]:
    """bare, direct, gateway and each variant; every gateway process is started now and
    kept for the whole run, so the rounds can interleave them."""
    internal = mint_internal_token(
        env["ADSCALE_INTERNAL_TOKEN_KEY"],
        user_id=user_id,
        plan="free",
        auth="jwt",
        ttl_seconds=3600,
    )
    arms = [
        Arm(
            "bare",
            f"http://127.0.0.1:{BARE_PORT}/bare",
            "X-Bench: 1",
            Processes({"bare": [bare_pid]}),
            bare_pid,
        ),
        Arm(
            "direct",
            f"{identity}{ME}",
            f"{INTERNAL_TOKEN_HEADER}: {internal}",
            Processes({"identity": [identity_pid]}, database),
            identity_pid,
        ),
    ]
    names = ["gateway", *[v for v in args.variants.split(",") if v]]
    for i, name in enumerate(names):
        if name == DIRECT_AS_FORWARDED:
            # identity sent what the gateway sends it: the cost of those headers alone
            forwarded = "\n".join([arms[1].header, *FORWARDED_HEADERS])
            arms.append(Arm(name, arms[1].url, forwarded, arms[1].processes, identity_pid))
            continue
        overrides, extra = VARIANTS.get(name, ({}, []))
        if name.startswith("at:"):
            overrides = source_at(name[3:], GATEWAY_FOLDERS, logs / name.replace(":", "-"))
        overrides = {**{k: v for k, v in env.items() if k.startswith("GATEWAY_")}, **overrides}
        port = BENCH_PORT if i == 0 else BARE_PORT + i
        gw_pid = stack.enter_context(
            gateway_process(overrides, extra, port, logs / f"{name.replace(':', '-')}.log")
        )
        url = f"http://127.0.0.1:{port}{ME}"
        httpx.get(url, headers={"Authorization": f"Bearer {token}"}).raise_for_status()
        processes = Processes({"gateway": [gw_pid], "identity": [identity_pid]}, database)
        arms.append(Arm(name, url, f"Authorization: Bearer {token}", processes, gw_pid))
    return arms


def measure(args: argparse.Namespace, arms: list[Arm], logs: Path) -> None:
    """A warm-up run of each arm, then ``--rounds`` rounds of one run per arm, the order
    rotated each round so no arm always follows the same one."""
    wrk = {"seconds": args.seconds, "connections": args.connections}
    print(f"load average before: {loadavg()}")
    for arm in arms:
        if args.warmup > 0:
            run_wrk(
                arm.url,
                arm.header,
                arm.processes,
                seconds=args.warmup,
                connections=args.connections,
            )
    for round_no in range(args.rounds):
        order = arms[round_no % len(arms) :] + arms[: round_no % len(arms)]
        for arm in order:
            spy = logs / f"{arm.name.replace(':', '-')}.spy"
            enabled = args.profile and round_no == 0 and arm.name in ("direct", "gateway")
            with sampling(arm.sampled_pid, int(args.seconds), spy, enabled):
                arm.runs.append(run_wrk(arm.url, arm.header, arm.processes, **wrk))
        print(f"round {round_no + 1}: load average {loadavg()}")
    print(f"load average after: {loadavg()}")


def _spread(values: list[float], fmt: str) -> str:
    middle, low, high = median_spread(values)
    return f"{middle:{fmt}} [{low:{fmt}}-{high:{fmt}}]"


def report(args: argparse.Namespace, arms: list[Arm]) -> None:
    print(
        f"\nGET {ME}, wrk 1 thread, {args.connections} connections, {args.seconds:g} s per run, "
        f"{args.rounds} interleaved rounds: medians [lowest-highest]"
    )
    print("us: CPU microseconds per request of each process (pg: identity's database")
    print("backends); id core: identity's CPU share of one core during the run")
    head = f"{'':18}{'req/s':>20}{'p50 ms':>8}{'p99 ms':>9}{'errors':>7}"
    head += "".join(f"{title:>9}" for _, title in CPU_COLUMNS) + f"{'id core':>9}"
    print(head)
    for arm in arms:
        line = f"{arm.name:18}{_spread([r['rps'] for r in arm.runs], '.0f'):>20}"
        line += f"{arm.median('p50_ms'):>8.2f}{arm.median('p99_ms'):>9.2f}"
        line += f"{sum(r['non_2xx'] for r in arm.runs):>7.0f}"
        line += "".join(f"{arm.median(f'{name}_us'):>9.0f}" for name, _ in CPU_COLUMNS)
        core = [r.get("identity_us", 0.0) * r["rps"] / 1e6 for r in arm.runs]
        line += f"{statistics.median(core):>9.2f}"
        print(line)
    bare, direct = arms[0], arms[1]
    print("\nratios of requests/s, each round's runs against each other (median [range]);")
    print("'if CPU-bound': the same ratio from server CPU per request (cores the only limit)")
    for arm in arms[2:]:
        of_bare = [g["rps"] / b["rps"] for g, b in zip(arm.runs, bare.runs, strict=True)]
        of_direct = [g["rps"] / d["rps"] for g, d in zip(arm.runs, direct.runs, strict=True)]
        cpu_bare = bare.median("bare_us") / statistics.median(arm.server_us(r) for r in arm.runs)
        cpu_direct = statistics.median(direct.server_us(r) for r in direct.runs) / (
            statistics.median(arm.server_us(r) for r in arm.runs)
        )
        print(
            f"{arm.name}: {_spread(of_bare, '.2f')} of bare (goal >= 0.5; if CPU-bound "
            f"{cpu_bare:.2f}), {_spread(of_direct, '.2f')} of direct (goal >= 0.8; if "
            f"CPU-bound {cpu_direct:.2f})"
        )


if __name__ == "__main__":
    sys.exit(main())
