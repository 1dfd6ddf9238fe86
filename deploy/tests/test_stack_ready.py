"""``deploy/stack.py up`` waits until the gateway is green and the sandbox answers too."""

from __future__ import annotations

import http.server
import json
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

import stack  # noqa: E402


def _serving(status: int, body: dict[str, object]) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/health"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def green() -> Iterator[str]:
    yield from _serving(200, {"status": "ok"})


@pytest.fixture
def degraded() -> Iterator[str]:
    yield from _serving(503, {"status": "degraded", "services": {"identity": "down"}})


@pytest.fixture
def closed_port() -> str:
    with socket.socket() as s:  # a port nothing listens on once this closes
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/health"


def test_ready_when_the_gateway_is_green_and_the_sandbox_answers(green: str) -> None:
    assert stack.ready(gateway=green, sandbox=green) == (200, {"status": "ok"})


def test_not_ready_while_the_sandbox_is_not_listening(green: str, closed_port: str) -> None:
    assert stack.ready(gateway=green, sandbox=closed_port) == (0, {"sandbox": "unreachable"})


def test_a_sandbox_answering_an_error_is_not_ready(green: str, degraded: str) -> None:
    assert stack.ready(gateway=green, sandbox=degraded) == (503, {"sandbox": 503})


def test_the_gateway_s_own_health_is_reported_first(degraded: str, green: str) -> None:
    status, body = stack.ready(gateway=degraded, sandbox=green)
    assert status == 503 and body["services"] == {"identity": "down"}
