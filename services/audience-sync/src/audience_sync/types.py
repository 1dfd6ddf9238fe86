"""Small helpers shared by the API schemas."""

from __future__ import annotations

from typing import Any


def drop_repeats(value: Any) -> Any:
    """A ``mode="before"`` validator body for lists of enum strings: repeats are dropped
    *before* the length check (``[a, b, a]`` is ``[a, b]``, not a list too long); anything
    but a list of strings is left to the type check."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(dict.fromkeys(value))
    return value
