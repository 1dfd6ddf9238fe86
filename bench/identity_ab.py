"""Identity's ``GET /api/v1/auth/me`` at several revisions, in one run: the A/B of a change
to identity or to adscale_common's app stack (which every service shares).

Needs the running stack (its PostgreSQL database and a registered user; `make up`) and
wrk. For each ``--rev`` it unpacks identity, adscale_common and adscale_contracts as of
that revision, starts one uvicorn of identity on a port of its own (the stack's database
and settings), then runs wrk on each in turn, ``--rounds`` times interleaved, and prints
requests/s and the CPU microseconds per request of the identity process and of the
PostgreSQL backends of its database (from /proc, so wrk sharing the cores does not distort
it): the median of the rounds with their range, and the load average.

    uv run python bench/identity_ab.py --rev e0e07e9 --rev HEAD
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gateway_bench", ROOT / "bench" / "gateway.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
sys.modules["gateway_bench"] = bench  # dataclasses look their module up
_spec.loader.exec_module(bench)

from adscale_common.internal_auth import INTERNAL_TOKEN_HEADER, mint_internal_token  # noqa: E402

FOLDERS = ["services/identity/src", "libs/common/src", "libs/contracts/src"]
FIRST_PORT = 8140


def _parse_rev(spec: str) -> tuple[str, dict[str, str]]:
    """``REV`` or ``REV+NAME=VALUE+...``: a revision and environment overrides of its own
    (``HEAD+IDENTITY_DB_POOL_SIZE=50``)."""
    rev, *settings = spec.split("+")
    return rev, dict(s.split("=", 1) for s in settings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", action="append", required=True, help="REV[+VAR=VALUE...] (repeat)")
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=20)
    args = parser.parse_args()
    env = bench.stack_env(bench.base_env())
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    database = bench.database_of(env, "identity")
    _, user_id = bench.register()
    key = env["ADSCALE_INTERNAL_TOKEN_KEY"]
    token = mint_internal_token(key, user_id=user_id, plan="free", auth="jwt", ttl_seconds=3600)
    header = f"{INTERNAL_TOKEN_HEADER}: {token}"
    logs = Path(tempfile.mkdtemp(prefix="bench-identity-"))
    runs: dict[str, list[dict[str, float]]] = {spec: [] for spec in args.rev}
    with ExitStack() as stack:
        servers: dict[str, tuple[str, Any]] = {}
        for i, spec in enumerate(args.rev):
            rev, settings = _parse_rev(spec)
            port = FIRST_PORT + i
            argv = [str(bench.VENV_BIN / "uvicorn"), "identity.main:app", "--host", "127.0.0.1"]
            argv += ["--port", str(port), "--no-access-log"]
            overrides = bench.source_at(rev, FOLDERS, logs / f"rev{i}")
            pid = stack.enter_context(
                bench.spawned(
                    argv,
                    {**env, **overrides, **settings, "IDENTITY_PORT": str(port)},
                    f"http://127.0.0.1:{port}/health",
                    logs / f"rev{i}.log",
                )
            )
            # Charged to it: identity and its database's backends (one revision runs at a
            # time, so the backends of the others are idle).
            processes = bench.Processes({"identity": [pid]}, database)
            servers[spec] = (f"http://127.0.0.1:{port}{bench.ME}", processes)
        print(f"load average before: {bench.loadavg()}")
        wrk = {"seconds": args.seconds, "connections": args.connections}
        for url, processes in servers.values():  # warm: pools filled, code paths run
            bench.run_wrk(url, header, processes, seconds=2, connections=args.connections)
        for _ in range(args.rounds):
            for spec, (url, processes) in servers.items():
                runs[spec].append(bench.run_wrk(url, header, processes, **wrk))
        print(f"load average after: {bench.loadavg()}")
    print(f"\nGET {bench.ME} on identity, wrk {args.connections} connections, {args.seconds:g} s,")
    print(f"{args.rounds} interleaved rounds; medians [lowest-highest]")
    print("us: CPU per request of identity and of its database's PostgreSQL backends")
    print(f"{'revision':34}{'req/s':>8}{'id us':>18}{'pg us':>8}{'errors':>7}")
    for spec, results in runs.items():
        rps = statistics.median(r["rps"] for r in results)
        cpu = bench.median_spread([r["identity_us"] for r in results])
        pg = statistics.median(r.get("postgres_us", 0.0) for r in results)
        errors = sum(r["non_2xx"] for r in results)
        spread = f"{cpu[0]:.0f} [{cpu[1]:.0f}-{cpu[2]:.0f}]"
        print(f"{spec:34}{rps:>8.0f}{spread:>18}{pg:>8.0f}{errors:>7.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
