"""The ad platforms and the identifier fields, written once for every service and library.

``Platform`` names the platforms an audience can be sent to, ``AdPlatform`` the ones
campaigns run on, ``IdentifierField`` the person identifiers a profile can carry. The
tuples hold the same names in the same order (the order API enums and table checks list
them in).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

Platform = Literal["meta", "google", "tiktok", "snapchat"]
AdPlatform = Literal["google", "meta"]
IdentifierField = Literal[
    "email",
    "phone",
    "first_name",
    "last_name",
    "city",
    "state",
    "zip",
    "country",
    "madid",
    "external_id",
]

PLATFORMS: tuple[Platform, ...] = get_args(Platform)
AD_PLATFORMS: tuple[AdPlatform, ...] = get_args(AdPlatform)
IDENTIFIER_FIELDS: tuple[IdentifierField, ...] = get_args(IdentifierField)


def one_of_check(column: str, values: Iterable[str]) -> str:
    """The SQL of a table check holding ``column`` to ``values``:
    ``platform IN ('meta', 'google')``."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"
