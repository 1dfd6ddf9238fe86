"""API key errors."""

from __future__ import annotations

from adscale_common.errors import NotFound


class ApiKeyNotFound(NotFound, code="API_KEY_NOT_FOUND", message="API key not found"): ...
