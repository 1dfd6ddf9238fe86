"""Small conversions of platform JSON values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["as_int", "rfc3339"]


def rfc3339(moment: datetime) -> str:
    """``2026-02-14T12:34:56.123456Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_int(value: Any) -> int:
    """``int(value)``, or 0 for a missing or unparsable value."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
