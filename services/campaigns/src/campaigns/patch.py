"""The base of every PATCH body in the campaigns API.

Only the fields sent change (``model_dump(exclude_unset=True)``); unknown fields are
refused and strings are stripped. A field named in ``not_null`` may be left out but not
sent as ``null``: clearing it would leave the row without a value it must have.
"""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, model_validator


class Patch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    not_null: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        for name in self.not_null:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self
