"""Small helpers shared by the API schemas."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def drop_repeats(value: Any) -> Any:
    """A ``mode="before"`` validator body for lists of enum strings: repeats are dropped
    *before* the length check (``[a, b, a]`` is ``[a, b]``, not a list too long); anything
    but a list of strings is left to the type check."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(dict.fromkeys(value))
    return value


def read_as(model: type[M], row: object, **values: Any) -> M:
    """``model`` (an API answer) from a table row: each field the row has an attribute of
    the same name for is taken from it, ``values`` give the renamed and reshaped ones; the
    answer is validated like any other (a stored status outside its enum is an error)."""
    taken = {
        name: getattr(row, name)
        for name in model.model_fields
        if name not in values and hasattr(row, name)
    }
    return model.model_validate({**taken, **values})
