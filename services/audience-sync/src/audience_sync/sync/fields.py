"""Which identifiers each platform's audiences are built from, and how they travel.

A member is one identifier (an email, a phone number or a mobile ad id), normalized and
hashed by the platform's own rules (``adscale_platforms.identifiers``). A profile with an
email and a phone is two members; platforms match each row on its own and count people.
Snapchat segments take one identifier type, chosen when the audience is created (the best
covered one of the segment). Google Data Manager takes email and phone (no mobile ad id).
"""

from __future__ import annotations

from collections.abc import Mapping

from adscale_platforms.identifiers import is_hashed_field

FIELD_CODES: dict[str, int] = {"email": 1, "phone": 2, "madid": 3}
CODE_FIELDS: dict[int, str] = {code: name for name, code in FIELD_CODES.items()}
# Bit of each field in ``profile_digest.invalid``.
INVALID_BITS: dict[str, int] = {"email": 1, "phone": 2, "madid": 4}

PLATFORM_FIELDS: dict[str, tuple[str, ...]] = {
    "meta": ("email", "phone", "madid"),
    "google": ("email", "phone"),
    "tiktok": ("email", "phone", "madid"),
    "snapchat": ("email", "phone", "madid"),
}
SINGLE_FIELD_PLATFORMS = frozenset({"snapchat"})


def audience_fields(platform: str, coverage: Mapping[str, int]) -> list[str]:
    """The identifier fields a new audience on ``platform`` is built from."""
    fields = PLATFORM_FIELDS[platform]
    if platform not in SINGLE_FIELD_PLATFORMS:
        return list(fields)
    best = max(fields, key=lambda f: (coverage.get(f, 0), -fields.index(f)))
    return [best]


def invalid_mask(fields: list[str]) -> int:
    mask = 0
    for name in fields:
        mask |= INVALID_BITS[name]
    return mask


def wire_value(platform: str, field: str, key: bytes) -> str:
    """What the platform receives for a stored member key: hex SHA-256, or the normalized
    value itself for identifiers the platform takes unhashed (Meta ``MADID``)."""
    if is_hashed_field(platform, field):
        return key.hex()
    return key.decode()
