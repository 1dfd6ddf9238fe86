"""Identity's ``GET /api/v1/auth/me`` at several revisions, in one run: the A/B of a change
to identity or to adscale_common's app stack (which every service shares).

Needs the running stack (its PostgreSQL database and a registered user; `make up`) and
wrk. For each ``--rev`` it unpacks identity, adscale_common and adscale_contracts as of
that revision, starts one uvicorn of identity on a port of its own (the stack's database
and settings), then runs wrk on each in turn, ``--rounds`` times interleaved, and prints
requests/s and the CPU microseconds of the identity process per request (from /proc, so
wrk sharing the cores does not distort it): the median of the rounds, and the load
average.

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

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gateway_bench", ROOT / "bench" / "gateway.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

from adscale_common.internal_auth import INTERNAL_TOKEN_HEADER, mint_internal_token  # noqa: E402

FOLDERS = ["services/identity/src", "libs/common/src", "libs/contracts/src"]
FIRST_PORT = 8140


def unpack(rev: str, into: Path) -> dict[str, str]:
    """identity, adscale_common and adscale_contracts as of ``rev``, first on PYTHONPATH."""
    archive = bench.subprocess.run(
        ["git", "archive", rev, *FOLDERS], cwd=ROOT, capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True, exist_ok=True)
    bench.subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return {"PYTHONPATH": bench.os.pathsep.join(str(into / f) for f in FOLDERS)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", action="append", required=True, help="a git revision (repeat)")
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=20)
    args = parser.parse_args()
    env = bench.stack_env(bench.base_env())
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    _, user_id = bench.register()
    key = env["ADSCALE_INTERNAL_TOKEN_KEY"]
    token = mint_internal_token(key, user_id=user_id, plan="free", auth="jwt", ttl_seconds=3600)
    header = f"{INTERNAL_TOKEN_HEADER}: {token}"
    logs = Path(tempfile.mkdtemp(prefix="bench-identity-"))
    runs: dict[str, list[dict[str, float]]] = {rev: [] for rev in args.rev}
    with ExitStack() as stack:
        servers: dict[str, tuple[str, int]] = {}
        for i, rev in enumerate(args.rev):
            port = FIRST_PORT + i
            argv = [str(bench.VENV_BIN / "uvicorn"), "identity.main:app", "--host", "127.0.0.1"]
            argv += ["--port", str(port), "--no-access-log"]
            overrides = unpack(rev, logs / f"rev{i}")
            pid = stack.enter_context(
                bench.spawned(
                    argv,
                    {**env, **overrides, "IDENTITY_PORT": str(port)},
                    f"http://127.0.0.1:{port}/health",
                    logs / f"rev{i}.log",
                )
            )
            servers[rev] = (f"http://127.0.0.1:{port}{bench.ME}", pid)
        print(f"load average before: {bench.loadavg()}")
        for _ in range(args.rounds):
            for rev, (url, pid) in servers.items():
                bench.run_wrk(url, header, {"identity": [pid]}, seconds=1, connections=4)  # warm
                runs[rev].append(
                    bench.run_wrk(
                        url,
                        header,
                        {"identity": [pid]},
                        seconds=args.seconds,
                        connections=args.connections,
                    )
                )
        print(f"load average after: {bench.loadavg()}")
    print(f"\nGET {bench.ME} on identity, wrk {args.connections} connections, {args.seconds} s,")
    print(f"{args.rounds} interleaved rounds; medians (us: identity CPU per request)")
    print(f"{'revision':24}{'req/s':>8}{'id us':>8}{'errors':>8}  rounds (id us)")
    for rev, results in runs.items():
        rps = statistics.median(r["rps"] for r in results)
        cpu = statistics.median(r["identity_us"] for r in results)
        errors = sum(r["non_2xx"] for r in results)
        each = " ".join(f"{r['identity_us']:.0f}" for r in results)
        print(f"{rev:24}{rps:>8.0f}{cpu:>8.0f}{errors:>8.0f}  {each}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
