"""Profile rows as they are written: cleaned, checked, ready for COPY.

The checks here are deliberately light (the platform normalizers decide what each platform
takes): an identifier that cannot possibly be one makes the whole row invalid, and the
reason never repeats the value (it may be an email or a phone number).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

FIELDS: tuple[str, ...] = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "city",
    "state",
    "zip",
    "country",
    "madid",
    "consent_ad_user_data",
    "consent_ad_personalization",
)
CONSENT_FIELDS: tuple[str, ...] = ("consent_ad_user_data", "consent_ad_personalization")
CONSENT_VALUES = frozenset({"granted", "denied", "unspecified"})
# Stage columns in COPY order: the source line, the key, the fields, the traits.
STAGE_COLUMNS: tuple[str, ...] = ("line", "external_id", *FIELDS, "traits")

MAX_LENGTH: dict[str, int] = {
    "external_id": 255,
    "email": 320,
    "phone": 64,
    "zip": 32,
    "country": 64,
    "madid": 64,
}
DEFAULT_MAX_LENGTH = 255

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE_CHARS = re.compile(r"[0-9+()\s.\-/]+")
_NOT_DIGIT = re.compile(r"\D")
_MADID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


class InvalidValue(ValueError):
    """A row that cannot be stored; ``args[0]`` is the reason (never the value)."""


def clean(field: str, value: str | None) -> str | None:
    """The stored form of one field (trimmed, empty -> ``None``), or :class:`InvalidValue`."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_LENGTH.get(field, DEFAULT_MAX_LENGTH):
        raise InvalidValue(f"{field} is longer than {MAX_LENGTH.get(field, DEFAULT_MAX_LENGTH)}")
    if field == "email":
        if _EMAIL.fullmatch(text) is None:
            raise InvalidValue("email is not a valid address")
    elif field == "phone":
        digits = len(_NOT_DIGIT.sub("", text))
        if _PHONE_CHARS.fullmatch(text) is None or not 6 <= digits <= 18:
            raise InvalidValue("phone is not a valid number")
    elif field in CONSENT_FIELDS:
        value = text.lower()
        if value not in CONSENT_VALUES:
            raise InvalidValue(f"{field} must be granted, denied or unspecified")
        return None if value == "unspecified" else value
    elif field == "madid" and _MADID.fullmatch(text) is None:
        raise InvalidValue("madid is not a mobile advertising id (IDFA/AAID UUID)")
    return text


def traits_json(traits: Mapping[str, Any] | None) -> str | None:
    if traits is None:
        return None
    return orjson.dumps(traits).decode()


def stage_record(
    line: int, external_id: str | None, values: Mapping[str, str | None], traits: str | None
) -> tuple[Any, ...]:
    """One COPY record (``STAGE_COLUMNS`` order); raises :class:`InvalidValue`."""
    key = clean("external_id", external_id)
    if key is None:
        raise InvalidValue("external_id is required")
    return (
        line,
        key,
        *(clean(f, values.get(f)) for f in FIELDS),
        traits,
    )
