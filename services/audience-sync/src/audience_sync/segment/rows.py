"""Profile rows as they are written: cleaned, checked, ready for COPY.

The checks here are deliberately light (the platform normalizers decide what each platform
takes): an identifier that cannot possibly be one makes the whole row invalid, and the
reason never repeats the value (it may be an email or a phone number).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from adscale_contracts.platforms import IDENTIFIER_FIELDS
from audience_sync.safeguards.ldu import LDU_FIELDS, InvalidLdu, clean_ldu
from audience_sync.segment.dialect import is_scientific

CONSENT_FIELDS: tuple[str, ...] = ("consent_ad_user_data", "consent_ad_personalization")
# A profile's columns: its identifiers (the external id is its key, held apart), consent
# and Limited Data Use.
FIELDS: tuple[str, ...] = (
    *(f for f in IDENTIFIER_FIELDS if f != "external_id"),
    *CONSENT_FIELDS,
    *LDU_FIELDS,
)
# Identifiers a key can be derived from, in the order the rule tries them.
KEY_FIELDS: tuple[str, ...] = ("email", "phone", "madid")
_KEY_AT = tuple(FIELDS.index(f) for f in KEY_FIELDS)
_MULTI_AT = {"email": FIELDS.index("email"), "phone": FIELDS.index("phone")}
CONSENT_VALUES = frozenset({"granted", "denied", "unspecified"})
# Stage columns in COPY order: the source line, the key, the fields, the traits.
# Fields a person may have several of: the first is stored in the field's column, the
# others (up to MAX_PER_KIND in all) in its extra column (migration 0006).
EXTRA_COLUMNS: dict[str, str] = {"email": "extra_emails", "phone": "extra_phones"}
MAX_PER_KIND = 10
STAGE_COLUMNS: tuple[str, ...] = (
    "line",
    "external_id",
    *FIELDS,
    *EXTRA_COLUMNS.values(),
    "traits",
)

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
        if ("E" in text or "e" in text) and is_scientific(text):
            raise InvalidValue(
                "phone is in scientific notation (a spreadsheet rounded it; "
                "export the column as text)"
            )
        digits = len(_NOT_DIGIT.sub("", text))
        if _PHONE_CHARS.fullmatch(text) is None or not 6 <= digits <= 18:
            raise InvalidValue("phone is not a valid number")
    elif field in CONSENT_FIELDS:
        value = text.lower()
        if value not in CONSENT_VALUES:
            raise InvalidValue(f"{field} must be granted, denied or unspecified")
        return None if value == "unspecified" else value
    elif field in LDU_FIELDS:
        try:
            return clean_ldu(field, text)
        except InvalidLdu as exc:
            raise InvalidValue(str(exc)) from exc
    elif field == "madid" and _MADID.fullmatch(text) is None:
        raise InvalidValue("madid is not a mobile advertising id (IDFA/AAID UUID)")
    return text


def traits_json(traits: Mapping[str, Any] | None) -> str | None:
    if traits is None:
        return None
    return orjson.dumps(traits).decode()


def stage_record(
    line: int,
    external_id: str | None,
    values: Mapping[str, str | None],
    traits: str | None,
    more: Mapping[str, Sequence[str]] | None = None,
) -> tuple[Any, ...]:
    """One COPY record (``STAGE_COLUMNS`` order); raises :class:`InvalidValue`. ``more``
    holds further emails / phones of the person (after the one in ``values``)."""
    cleaned = [clean(f, values.get(f)) for f in FIELDS]
    key = clean("external_id", external_id)
    if key is None:
        key = derived_key(*(cleaned[i] for i in _KEY_AT))
    if more is None:
        return (line, key, *cleaned, None, None, traits)
    extra = [_extras(f, cleaned[_MULTI_AT[f]], more.get(f) or ()) for f in EXTRA_COLUMNS]
    return (line, key, *cleaned, *extra, traits)


def _same(field: str, value: str) -> str:
    """What makes two values of ``field`` the same identifier (case of an email, the
    punctuation of a phone do not count)."""
    return value.lower() if field == "email" else _NOT_DIGIT.sub("", value)


def _extras(field: str, primary: str | None, values: Sequence[str]) -> list[str] | None:
    seen = {_same(field, primary)} if primary is not None else set()
    out: list[str] = []
    for value in values:
        text = clean(field, value)
        if text is None or _same(field, text) in seen:
            continue
        seen.add(_same(field, text))
        out.append(text)
    if len(out) + 1 > MAX_PER_KIND:
        raise InvalidValue(f"more than {MAX_PER_KIND} {field}s for one person")
    return out or None


def derived_key(email: str | None, phone: str | None, madid: str | None) -> str:
    """The key of a row without ``external_id``: the first of its email, phone, mobile ad
    id, normalized (email trimmed and lower-cased; phone reduced to its digits; ad id
    lower-cased) and SHA-256 hashed, with the kind in front (``email:<hex>``). The same
    person in the same file gets the same key on every import, and the key never shows
    the identifier itself."""
    if email is not None:
        kind, value = "email", email.strip().lower()
    elif phone is not None:
        kind, value = "phone", _NOT_DIGIT.sub("", phone)
    elif madid is not None:
        kind, value = "madid", madid.strip().lower()
    else:
        raise InvalidValue("no external_id and no email, phone or mobile ad id to key the row on")
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()}"
