"""The real thing: ``python -m adscale_sandbox`` under uvicorn on a free port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "SANDBOX_PORT": str(port),
        "SANDBOX_DATA_DIR": str(tmp_path / "data"),
        "SANDBOX_PROCESSING_DELAY_SECONDS": "0",
        "SANDBOX_LOG_LEVEL": "warning",
    }
    process = subprocess.Popen([sys.executable, "-m", "adscale_sandbox"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the sandbox exited early"
            assert time.monotonic() < deadline, "the sandbox did not start"
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "data" / "sandbox.sqlite3").exists()


def test_meta_round_trip_over_http(server: str) -> None:
    redirect = "http://127.0.0.1:1/callback"
    with httpx.Client(base_url=f"{server}/meta/graph/v25.0", timeout=10) as graph:
        dialog = httpx.get(
            f"{server}/meta/www/v25.0/dialog/oauth",
            params={"client_id": "c", "redirect_uri": redirect, "state": "s"},
        )
        assert dialog.status_code == 302
        query = parse_qs(urlparse(dialog.headers["location"]).query)
        assert query["state"] == ["s"]
        token = graph.get(
            "/oauth/access_token",
            params={
                "client_id": "c",
                "client_secret": "x",
                "redirect_uri": redirect,
                "code": query["code"][0],
            },
        ).json()["access_token"]
        account = graph.get("/me/adaccounts", params={"access_token": token}).json()["data"][0]
        created = graph.post(
            f"/{account['id']}/customaudiences",
            data={
                "name": "http",
                "customer_file_source": "USER_PROVIDED_ONLY",
                "access_token": token,
            },
        ).json()
        hashes = [f"{i:064x}" for i in range(1, 1001)]
        r = graph.post(
            f"/{created['id']}/users",
            params={"access_token": token},
            json={"payload": {"schema": "EMAIL_SHA256", "data": hashes}},
        )
        assert r.json()["num_received"] == 1000
        assert "X-Business-Use-Case-Usage" in r.headers
    members = httpx.get(f"{server}/_admin/audiences/meta/{created['id']}/members").json()
    assert members["count"] == 1000
    assert json.loads(json.dumps(members))["stats"]["accepted_batches"] == 1
