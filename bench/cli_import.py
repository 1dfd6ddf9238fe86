"""`adscale segments import` against a bare httpx streaming upload of the same CSV.

Against the running stack (``make up``; the gateway at ``ADSCALE_GATEWAY_URL``, default
http://127.0.0.1:8107): registers a scratch user, writes a CSV of N profiles (default
1,000,000: external id, email, phone, a trait), then uploads it into fresh segments in the
order bare, CLI, CLI, bare (so drift and warm-up fall on both sides alike). The bare
upload is httpx streaming the file in 1 MiB chunks to
``POST /cdp/segments/{id}/profiles/import``; the CLI is the installed ``adscale``
command in a subprocess with its progress bar, as a user runs it. Prints each run's
seconds, MB/s and rows/s, and the CLI's time over the bare upload's (goal: <= 1.10).

    uv run python bench/cli_import.py
    uv run python bench/cli_import.py --rows 200000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

from adscale.cli.config import Store

GATEWAY = os.environ.get("ADSCALE_GATEWAY_URL", "http://127.0.0.1:8107")
API = f"{GATEWAY}/api/v1"
CHUNK = 1 << 20
GOAL = 1.10


def write_csv(path: Path, rows: int) -> None:
    with path.open("w") as out:
        out.write("external_id,email,phone,tier\n")
        for i in range(rows):
            out.write(f"p{i},person.{i}@example.com,+1415{i % 10_000_000:07d},gold\n")


def register(client: httpx.Client) -> tuple[str, str]:
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    answer = client.post(
        "/auth/register",
        json={"email": f"bench-{uuid.uuid4().hex[:12]}@example.com", "password": "bench horse 1"},
        headers={"X-Forwarded-For": address},
    )
    answer.raise_for_status()
    body = answer.json()
    return body["access_token"], body["refresh_token"]


def new_segment(client: httpx.Client, headers: dict[str, str], name: str) -> str:
    answer = client.post("/cdp/segments", json={"name": name}, headers=headers)
    answer.raise_for_status()
    return str(answer.json()["id"])


def bare_upload(client: httpx.Client, headers: dict[str, str], segment: str, path: Path) -> float:
    def chunks() -> Iterator[bytes]:
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk

    started = time.perf_counter()
    answer = client.post(
        f"/cdp/segments/{segment}/profiles/import",
        content=chunks(),
        headers={
            **headers,
            "Content-Type": "text/csv",
            "Content-Length": str(path.stat().st_size),
        },
    )
    elapsed = time.perf_counter() - started
    answer.raise_for_status()
    return elapsed


def cli_upload(env: dict[str, str], segment: str, path: Path) -> float:
    command = Path(sys.executable).with_name("adscale")
    started = time.perf_counter()
    done = subprocess.run(
        [str(command), "segments", "import", segment, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"adscale failed ({done.returncode}): {done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, httpx.Client(base_url=API, timeout=600) as client:
        try:
            client.get("/health", timeout=5).raise_for_status()
        except httpx.HTTPError:
            sys.exit(f"no healthy gateway at {GATEWAY}: run `make up` first")
        access, refresh = register(client)
        headers = {"Authorization": f"Bearer {access}"}
        config = Path(tmp) / "config"
        Store(config / "config.json").save("default", access_token=access, refresh_token=refresh)
        env = {
            **os.environ,
            "ADSCALE_CONFIG_DIR": str(config),
            "ADSCALE_BASE_URL": API,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "COLUMNS": "100",
        }
        path = Path(tmp) / "profiles.csv"
        write_csv(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(f"{args.rows:,} rows, {size_mb:.1f} MB")
        times: dict[str, list[float]] = {"bare": [], "cli": []}
        for kind in ("bare", "cli", "cli", "bare"):
            segment = new_segment(client, headers, f"bench {kind}")
            if kind == "bare":
                seconds = bare_upload(client, headers, segment, path)
            else:
                seconds = cli_upload(env, segment, path)
            times[kind].append(seconds)
            print(
                f"  {kind:<4} {seconds:6.2f} s  {size_mb / seconds:6.1f} MB/s"
                f"  {args.rows / seconds:9,.0f} rows/s"
            )
    bare, cli = statistics.mean(times["bare"]), statistics.mean(times["cli"])
    ratio = cli / bare
    print(
        f"adscale segments import: {args.rows / cli:,.0f} rows/s ({size_mb / cli:.1f} MB/s); "
        f"bare httpx: {args.rows / bare:,.0f} rows/s; CLI/bare time ratio {ratio:.3f} "
        f"(goal <= {GOAL:.2f}: {'met' if ratio <= GOAL else 'MISSED'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
