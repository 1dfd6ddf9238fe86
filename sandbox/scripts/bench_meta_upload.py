"""Time a 1,000,000-member Meta upload (100 requests of 10,000) against the sandbox.

Runs ``python -m adscale_sandbox`` under uvicorn on a free port with a fresh data
directory, uploads through ``/users`` (add) and then through ``/usersreplace``
(a full replace session), and prints the seconds each took. Request bodies are
encoded before the clock starts, so the numbers are the sandbox's time plus
loopback HTTP, not the client's JSON encoding.

    uv run python sandbox/scripts/bench_meta_upload.py [--members 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from urllib.parse import parse_qs, urlparse

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()

    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="sandbox-bench-")
    env = {
        **os.environ,
        "SANDBOX_PORT": str(port),
        "SANDBOX_DATA_DIR": data_dir,
        "SANDBOX_LOG_LEVEL": "warning",
        "SANDBOX_PROCESSING_DELAY_SECONDS": "0",
    }
    server = subprocess.Popen([sys.executable, "-m", "adscale_sandbox"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        run(base, args.members, args.batch)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(base: str, members: int, batch: int) -> None:
    graph = httpx.Client(base_url=f"{base}/meta/graph/v25.0", timeout=120)
    redirect = "http://127.0.0.1:1/cb"
    dialog = httpx.get(
        f"{base}/meta/www/v25.0/dialog/oauth", params={"client_id": "b", "redirect_uri": redirect}
    )
    code = parse_qs(urlparse(dialog.headers["location"]).query)["code"][0]
    token = graph.get(
        "/oauth/access_token",
        params={"client_id": "b", "client_secret": "x", "redirect_uri": redirect, "code": code},
    ).json()["access_token"]
    account = graph.get("/me/adaccounts", params={"access_token": token}).json()["data"][0]["id"]

    def audience() -> str:
        created = graph.post(
            f"/{account}/customaudiences",
            data={
                "name": "bench",
                "customer_file_source": "USER_PROVIDED_ONLY",
                "access_token": token,
            },
        )
        audience_id: str = created.json()["id"]
        return audience_id

    print(f"hashing {members:,} identifiers ...", flush=True)
    hashes = [hashlib.sha256(f"user-{i}@example.com".encode()).hexdigest() for i in range(members)]
    chunks = [hashes[i : i + batch] for i in range(0, members, batch)]
    headers = {"Content-Type": "application/json"}

    add_bodies = [
        json.dumps({"payload": {"schema": "EMAIL_SHA256", "data": c}}).encode() for c in chunks
    ]
    target = audience()
    started = time.perf_counter()
    for body in add_bodies:
        r = graph.post(
            f"/{target}/users", params={"access_token": token}, content=body, headers=headers
        )
        r.raise_for_status()
    add_seconds = time.perf_counter() - started

    replace_bodies = [
        json.dumps(
            {
                "payload": {"schema": "EMAIL_SHA256", "data": c},
                "session": {
                    "session_id": 42,
                    "batch_seq": n + 1,
                    "last_batch_flag": n == len(chunks) - 1,
                    "estimated_num_total": members,
                },
            }
        ).encode()
        for n, c in enumerate(chunks)
    ]
    replaced = audience()
    started = time.perf_counter()
    for body in replace_bodies:
        r = graph.post(
            f"/{replaced}/usersreplace",
            params={"access_token": token},
            content=body,
            headers=headers,
        )
        r.raise_for_status()
    replace_seconds = time.perf_counter() - started

    count = httpx.get(f"{base}/_admin/audiences/meta/{target}/members").json()["count"]
    count_replaced = httpx.get(f"{base}/_admin/audiences/meta/{replaced}/members").json()["count"]
    print(f"add     : {len(chunks)} requests, {count:,} members, {add_seconds:.1f} s")
    print(f"replace : {len(chunks)} requests, {count_replaced:,} members, {replace_seconds:.1f} s")


if __name__ == "__main__":
    main()
