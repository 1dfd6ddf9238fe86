"""Defaults shared by the clients and the CLI."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

DEFAULT_BASE_URL = "http://localhost:8107/api/v1"

try:
    VERSION = version("adscale-sdk")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    VERSION = "0.0.0"

USER_AGENT = f"adscale-python/{VERSION}"
