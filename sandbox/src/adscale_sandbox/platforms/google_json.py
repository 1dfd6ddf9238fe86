"""Proto3 JSON as the Data Manager API reads and writes it.

The proto3 JSON mapping lets a request name each field by its lowerCamelCase JSON name or by
its original proto name (``display_name``), and give each enum value as its name or its
number. Google's REST clients send numbers and ask for numbers back with
``$alt=json;enum-encoding=int``. The sandbox brings every request body to one canonical form
(lowerCamelCase keys, enum names) before checking it, and answers with enum numbers when the
caller asked for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import Request

# Enum fields of the messages the sandbox serves, by JSON name: the value names in number
# order (google.ads.datamanager.v1 protos). Every enum here numbers its values 0..n-1.
ENUMS: dict[str, tuple[str, ...]] = {
    "accountType": (
        "ACCOUNT_TYPE_UNSPECIFIED",
        "GOOGLE_ADS",
        "DISPLAY_VIDEO_PARTNER",
        "DISPLAY_VIDEO_ADVERTISER",
        "DATA_PARTNER",
        "GOOGLE_ANALYTICS_PROPERTY",
        "GOOGLE_AD_MANAGER_AUDIENCE_LINK",
        "FLOODLIGHT_CONFIG",
        "GOOGLE_AD_MANAGER",
    ),
    "product": (
        "PRODUCT_UNSPECIFIED",
        "GOOGLE_ADS",
        "DISPLAY_VIDEO_PARTNER",
        "DISPLAY_VIDEO_ADVERTISER",
        "DATA_PARTNER",
    ),
    "encoding": ("ENCODING_UNSPECIFIED", "HEX", "BASE64"),
    "adUserData": ("CONSENT_STATUS_UNSPECIFIED", "CONSENT_GRANTED", "CONSENT_DENIED"),
    "adPersonalization": ("CONSENT_STATUS_UNSPECIFIED", "CONSENT_GRANTED", "CONSENT_DENIED"),
    "customerMatchTermsOfServiceStatus": (
        "TERMS_OF_SERVICE_STATUS_UNSPECIFIED",
        "ACCEPTED",
        "REJECTED",
    ),
    "keyType": ("KEY_TYPE_UNSPECIFIED", "XCHACHA20_POLY1305"),
    "requestStatus": (
        "REQUEST_STATUS_UNKNOWN",
        "SUCCESS",
        "PROCESSING",
        "FAILED",
        "PARTIAL_SUCCESS",
    ),
    "uploadMatchRateRange": (
        "MATCH_RATE_RANGE_UNKNOWN",
        "MATCH_RATE_RANGE_NOT_ELIGIBLE",
        "MATCH_RATE_RANGE_LESS_THAN_20",
        "MATCH_RATE_RANGE_20_TO_30",
        "MATCH_RATE_RANGE_31_TO_40",
        "MATCH_RATE_RANGE_41_TO_50",
        "MATCH_RATE_RANGE_51_TO_60",
        "MATCH_RATE_RANGE_61_TO_70",
        "MATCH_RATE_RANGE_71_TO_80",
        "MATCH_RATE_RANGE_81_TO_90",
        "MATCH_RATE_RANGE_91_TO_100",
    ),
    "membershipStatus": ("MEMBERSHIP_STATUS_UNSPECIFIED", "OPEN", "CLOSED"),
    "closingReason": ("CLOSING_REASON_UNSPECIFIED", "UNUSED"),
    "accessReason": (
        "ACCESS_REASON_UNSPECIFIED",
        "OWNED",
        "SHARED",
        "LICENSED",
        "SUBSCRIBED",
        "AFFILIATED",
    ),
    "accountAccessStatus": ("ACCESS_STATUS_UNSPECIFIED", "ENABLED", "DISABLED"),
    "uploadKeyTypes": (
        "UPLOAD_KEY_TYPE_UNSPECIFIED",
        "CONTACT_ID",
        "MOBILE_ID",
        "USER_ID",
        "PAIR_ID",
        "PSEUDONYMOUS_ID",
    ),
    "dataSourceType": (
        "DATA_SOURCE_TYPE_UNSPECIFIED",
        "DATA_SOURCE_TYPE_FIRST_PARTY",
        "DATA_SOURCE_TYPE_THIRD_PARTY_CREDIT_BUREAU",
        "DATA_SOURCE_TYPE_THIRD_PARTY_VOTER_FILE",
        "DATA_SOURCE_TYPE_THIRD_PARTY_PARTNER_DATA",
    ),
    "keySpace": ("KEY_SPACE_UNSPECIFIED", "IOS", "ANDROID"),
}
_NUMBERS = {field: {name: i for i, name in enumerate(names)} for field, names in ENUMS.items()}
_SNAKE_PART = re.compile(r"_([a-z0-9])")


class DuplicateField(ValueError):
    """A message names one field twice (``displayName`` and ``display_name``)."""


def camel(name: str) -> str:
    """The lowerCamelCase JSON name of a proto field name (``user_list`` -> ``userList``)."""
    return _SNAKE_PART.sub(lambda m: m.group(1).upper(), name)


def _enum_name(field: str, value: Any) -> Any:
    names = ENUMS[field]
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    return value


def _enum_number(field: str, value: Any) -> Any:
    return _NUMBERS[field].get(value, value) if isinstance(value, str) else value


def _walk(value: Any, rename: Callable[[str], str], enum: Callable[[str, Any], Any]) -> Any:
    """``value`` with every object key passed through ``rename`` and every enum value
    (single or repeated) through ``enum``."""
    if isinstance(value, list):
        return [_walk(item, rename, enum) for item in value]
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for key, item in value.items():
        name = rename(key)
        if name in result:
            raise DuplicateField(name)
        if name not in ENUMS:
            result[name] = _walk(item, rename, enum)
        elif isinstance(item, list):
            result[name] = [enum(name, v) for v in item]
        else:
            result[name] = enum(name, item)
    return result


def canonical(value: Any) -> Any:
    """``value`` with lowerCamelCase keys and enum names, whichever valid form it came in.

    Raises ``DuplicateField`` when an object gives one field under both of its names, which
    proto3 JSON parsers refuse.
    """
    return _walk(value, camel, _enum_name)


def with_enum_numbers(value: Any) -> Any:
    """``value`` (canonical form) with every enum value given as its number."""
    return _walk(value, str, _enum_number)


def wants_enum_numbers(request: Request) -> bool:
    """True when the caller asked for ``$alt=json;enum-encoding=int`` (or ``alt=``)."""
    alt = request.query_params.get("$alt") or request.query_params.get("alt") or ""
    options = {part.strip() for part in alt.split(";")}
    return "enum-encoding=int" in options


def query_param(request: Request, name: str) -> str | None:
    """A query parameter given under its JSON name or its proto name (``page_size``)."""
    params = request.query_params
    if name in params:
        return params[name]
    snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)
    return params.get(snake)
