"""Gateway overhead: the same authenticated GET through the gateway and straight to the service.

Needs the running stack (`make up`) and wrk (`apt-get install wrk`). Registers a
user, then runs wrk against

* ``GET /api/v1/auth/me`` through the gateway (JWT verified at the edge, rate
  limit in Redis, internal token minted, forwarded to identity), and
* the same request straight to identity's port with a minted internal token,

each at 50 concurrent connections, and prints requests/s, p50 and p99 for both
and the ratios. Targets (issue 3): gateway throughput >= 0.5x direct, added p50 <= 2 ms.

The stack's gateway limits a user to 600 requests a minute, which would turn
the run into a 429 benchmark, so the bench starts a second gateway process (same
code, same upstreams, same Redis; the per-user limit raised) on port 8117 and
measures that one. Every request still goes through the rate limiter.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

from stack import base_env, spawn_gateway, stack_env  # noqa: E402

from adscale_common.internal_auth import INTERNAL_TOKEN_HEADER, mint_internal_token  # noqa: E402

GATEWAY = os.environ.get("ADSCALE_GATEWAY_URL", "http://127.0.0.1:8107")
BENCH_GATEWAY = "http://127.0.0.1:8117"
IDENTITY = "http://127.0.0.1:8101"
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


def register() -> tuple[str, str]:
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    response = httpx.post(
        f"{GATEWAY}/api/v1/auth/register", json={"email": email, "password": "bench password 1"}
    )
    response.raise_for_status()
    token = response.json()["access_token"]
    me = httpx.get(f"{GATEWAY}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    me.raise_for_status()
    return token, me.json()["id"]


def run_wrk(
    url: str, header: str, *, seconds: int, connections: int, threads: int
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                script.name,
                "-H",
                header,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    match = re.search(r"^JSON (\{.*\})$", out, re.M)
    if not match:
        raise SystemExit(f"could not read wrk output:\n{out}")
    data = json.loads(match.group(1))
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "non_2xx": data["errors_status"],
        "requests": data["requests"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    env = stack_env(base_env())
    key = env["ADSCALE_INTERNAL_TOKEN_KEY"]

    token, user_id = register()
    bench_gateway = spawn_gateway(
        8117, {"GATEWAY_RATE_LIMIT_USER_PER_MINUTE": "1000000000", "GATEWAY_LOG_LEVEL": "WARNING"}
    )
    try:
        return measure(args, key, token, user_id)
    finally:
        bench_gateway.terminate()
        bench_gateway.wait(10)


def measure(args: argparse.Namespace, key: str, token: str, user_id: str) -> int:
    # Warm both paths (connection pools, JWKS cache).
    httpx.get(
        f"{BENCH_GATEWAY}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
    ).raise_for_status()
    internal = mint_internal_token(key, user_id=user_id, plan="free", auth="jwt", ttl_seconds=3600)
    httpx.get(
        f"{IDENTITY}/api/v1/auth/me", headers={INTERNAL_TOKEN_HEADER: internal}
    ).raise_for_status()

    direct = run_wrk(
        f"{IDENTITY}/api/v1/auth/me",
        f"{INTERNAL_TOKEN_HEADER}: {internal}",
        seconds=args.seconds,
        connections=args.connections,
        threads=args.threads,
    )
    via = run_wrk(
        f"{BENCH_GATEWAY}/api/v1/auth/me",
        f"Authorization: Bearer {token}",
        seconds=args.seconds,
        connections=args.connections,
        threads=args.threads,
    )

    print(f"GET /api/v1/auth/me, {args.connections} connections, {args.seconds} s each")
    print(f"{'':10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
    for name, r in (("direct", direct), ("gateway", via)):
        print(
            f"{name:10}{r['rps']:>10.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}{r['non_2xx']:>10d}"
        )
    ratio = via["rps"] / direct["rps"]
    added = via["p50_ms"] - direct["p50_ms"]
    print(f"throughput ratio gateway/direct: {ratio:.2f} (target >= 0.50)")
    print(f"added p50 at {args.connections} connections: {added:.2f} ms (target <= 2 ms)")

    # At 50 closed-loop connections both paths are saturated, so p50 is mostly
    # queueing (p50 ~ connections / throughput). One connection shows what the
    # gateway itself adds to a request.
    direct1 = run_wrk(
        f"{IDENTITY}/api/v1/auth/me",
        f"{INTERNAL_TOKEN_HEADER}: {internal}",
        seconds=max(3, args.seconds // 2),
        connections=1,
        threads=1,
    )
    via1 = run_wrk(
        f"{BENCH_GATEWAY}/api/v1/auth/me",
        f"Authorization: Bearer {token}",
        seconds=max(3, args.seconds // 2),
        connections=1,
        threads=1,
    )
    print(
        f"1 connection: direct p50 {direct1['p50_ms']:.2f} ms, gateway p50 {via1['p50_ms']:.2f} ms,"
        f" added {via1['p50_ms'] - direct1['p50_ms']:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
