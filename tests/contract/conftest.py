"""The contract suite talks to the whole stack through the gateway, like an outside client.

A session fixture starts the stack with ``deploy/stack.py up`` when the gateway
is not answering, and stops afterwards only what it started.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import cdp_kit as cdp

import xw_kit as xw

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = os.environ.get("ADSCALE_GATEWAY_URL", "http://127.0.0.1:8107")
API = f"{BASE_URL}/api/v1"


def _healthy() -> bool:
    try:
        return httpx.get(f"{API}/health", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="session")
def stack() -> Iterator[str]:
    started = False
    if not _healthy():
        code = subprocess.call([sys.executable, str(ROOT / "deploy" / "stack.py"), "up"], cwd=ROOT)
        if code != 0:
            pytest.fail("the stack did not start (see .adscale/logs)", pytrace=False)
        started = True
    yield API
    if started and not os.environ.get("ADSCALE_KEEP_STACK"):
        subprocess.call([sys.executable, str(ROOT / "deploy" / "stack.py"), "down"], cwd=ROOT)


@pytest.fixture
async def api(stack: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack, timeout=30) as client:
        yield client


@dataclass
class User:
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def unique_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


async def register(
    api: httpx.AsyncClient, email: str | None = None, password: str = "correct horse 1"
) -> User:
    email = email or unique_email()
    response = await api.post("/auth/register", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    body = response.json()
    return User(email, password, body["access_token"], body["refresh_token"])


@pytest.fixture
async def user(api: httpx.AsyncClient) -> User:
    return await register(api)


# The platform sandbox and a webhook receiver, as most CDP tests use them (a module may
# define its own: test_audience_sync injects faults, test_scale_out waits longer).
@pytest.fixture
async def sandbox() -> AsyncIterator[cdp.Sandbox]:
    async with httpx.AsyncClient(base_url=cdp.SANDBOX, timeout=30) as client:
        yield cdp.Sandbox(client)


@pytest.fixture
async def receiver() -> AsyncIterator[xw.Receiver]:
    async with xw.Receiver.running() as running:
        yield running
