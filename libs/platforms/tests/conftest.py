"""Shared fixtures for the platform-client tests."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from adscale_platforms.settings import PlatformSettings

sys.path.insert(0, str(Path(__file__).parent))  # for kit


class SleepRecorder:
    """Stands in for ``asyncio.sleep`` so retry waits are asserted, not slept."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_settings(**overrides: Any) -> PlatformSettings:
    values: dict[str, Any] = {
        "meta_client_id": "meta-app",
        "meta_client_secret": SecretStr("meta-secret"),
        "google_client_id": "google-client",
        "google_client_secret": SecretStr("google-secret"),
        "google_developer_token": SecretStr("dev-token"),
        "google_ads_api_version": "v22",
        "tiktok_app_id": "tt-app",
        "tiktok_secret": SecretStr("tt-secret"),
        "snapchat_client_id": "snap-client",
        "snapchat_client_secret": SecretStr("snap-secret"),
        "max_retry_wait_seconds": 60.0,
        "backoff_initial_seconds": 0.5,
        "backoff_max_seconds": 4.0,
        "max_attempts": 4,
    }
    values.update(overrides)
    return PlatformSettings(**values)


@pytest.fixture
def settings() -> PlatformSettings:
    return make_settings()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def client(
    request: pytest.FixtureRequest, http: httpx.AsyncClient, settings: Any, sleeps: Any
) -> Any:
    """The client class the test module names ``CLIENT``, over the shared transport and
    settings, its retry waits recorded by ``sleeps``."""
    return request.module.CLIENT(http, settings, sleep=sleeps)


@pytest.fixture
def settings_factory() -> Any:
    return make_settings
