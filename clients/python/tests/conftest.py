"""The SDK and CLI against the whole stack, through the gateway like any user.

The ``stack`` fixture is tests/contract's own (reuses a healthy gateway, else starts the
stack and stops it afterwards). Users are made with the contract kit (registered from an
address of their own, upgraded through Stripe's signed webhook when a test needs Pro).
The CLI runs in-process through typer's runner, with its config in the test's temporary
folder and no OS keyring (``PYTHON_KEYRING_BACKEND`` names keyring's fail backend).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_kit import API, CONTRACT, Cli, kit

_spec = importlib.util.spec_from_file_location("contract_conftest", CONTRACT / "conftest.py")
assert _spec is not None and _spec.loader is not None
contract_conftest = importlib.util.module_from_spec(_spec)
sys.modules["contract_conftest"] = contract_conftest
_spec.loader.exec_module(contract_conftest)

stack = contract_conftest.stack
assert contract_conftest.API == API


@pytest.fixture
async def api(stack: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack, timeout=60) as client:
        yield client


@pytest.fixture
def cli(tmp_path: Path, stack: str) -> Cli:
    return Cli(tmp_path / "config")


@pytest.fixture
async def member(api: httpx.AsyncClient) -> kit.Member:
    return await kit.register(api, "cli")


@pytest.fixture
async def signed_in(cli: Cli, member: kit.Member) -> Cli:
    cli.sign_in(member)
    return cli
