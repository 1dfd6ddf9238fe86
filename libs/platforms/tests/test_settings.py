"""Settings read from the environment (prefix ``PLATFORMS_``)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from adscale_platforms.settings import PlatformSettings


def test_the_tiktok_secret_is_read_under_either_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLATFORMS_TIKTOK_SECRET", raising=False)
    monkeypatch.setenv("PLATFORMS_TIKTOK_CLIENT_SECRET", "from-client-secret")
    assert PlatformSettings().tiktok_secret.get_secret_value() == "from-client-secret"
    monkeypatch.setenv("PLATFORMS_TIKTOK_SECRET", "from-secret")
    assert PlatformSettings().tiktok_secret.get_secret_value() == "from-secret"
    given = PlatformSettings(tiktok_secret=SecretStr("given"))
    assert given.tiktok_secret.get_secret_value() == "given"


def test_hosts_and_credentials_come_from_prefixed_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLATFORMS_META_GRAPH_URL", "http://127.0.0.1:9/meta/graph")
    monkeypatch.setenv("PLATFORMS_GOOGLE_DEVELOPER_TOKEN", "dev-token")
    settings = PlatformSettings()
    assert settings.meta_graph_url == "http://127.0.0.1:9/meta/graph"
    assert settings.google_developer_token.get_secret_value() == "dev-token"


def test_for_sandbox_points_every_host_at_the_sandbox_and_overrides_win() -> None:
    settings = PlatformSettings.for_sandbox("http://sandbox:9", max_attempts=2, meta_client_id="x")
    hosts = {name: value for name, value in settings.model_dump().items() if name.endswith("_url")}
    assert len(hosts) == 10
    assert all(value.startswith("http://sandbox:9/") for value in hosts.values())
    assert settings.tiktok_auth_url == "http://sandbox:9/tiktok/business"
    assert settings.max_attempts == 2
    assert settings.meta_client_id == "x"
    assert settings.snapchat_client_secret.get_secret_value() == "snap-secret"
