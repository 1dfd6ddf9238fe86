"""Applying a change to a row and naming what actually changed (for ``*_updated`` events)."""

from __future__ import annotations

from typing import Any


def assign(row: Any, **values: Any) -> list[str]:
    """Set each value that is given (not ``None``) and differs; the names of those set."""
    changed: list[str] = []
    for name, value in values.items():
        if value is not None and getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed
