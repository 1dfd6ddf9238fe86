"""Which identifiers an audience sends, and how they travel.

A member is a profile (a person): one row per profile carrying every identifier field the
audience sends, each normalized and hashed by the platform's own rules
(``adscale_platforms.identifiers``). Strong fields (email, phone, mobile ad id) identify a
person on their own and are remembered per member, so a changed one can be removed; the
others (names, zip, city, state, country) only help the platform match and are remembered
as one fingerprint, so a change resends the profile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from adscale_platforms.identifiers import is_hashed_field

# The columns of ``profile_digest``, in row order.
DIGEST_FIELDS: tuple[str, ...] = (
    "email",
    "phone",
    "madid",
    "first_name",
    "last_name",
    "zip",
    "city",
    "state",
    "country",
)
STRONG_FIELDS: tuple[str, ...] = ("email", "phone", "madid")
WEAK_FIELDS: tuple[str, ...] = tuple(f for f in DIGEST_FIELDS if f not in STRONG_FIELDS)
# Bit of each field in ``profile_digest.invalid``.
INVALID_BITS: dict[str, int] = {name: 1 << i for i, name in enumerate(DIGEST_FIELDS)}

# What each platform's member rows take (Meta multi-key rows, Google members with an
# address, TikTok users with several id types, Snapchat lanes of one type per request).
PLATFORM_FIELDS: dict[str, tuple[str, ...]] = {
    "meta": DIGEST_FIELDS,
    "google": ("email", "phone", "first_name", "last_name", "country", "zip"),
    "tiktok": ("email", "phone", "madid"),
    "snapchat": ("email", "phone", "madid"),
}
# Google matches an address only with all four parts: the audience takes them together.
ADDRESS_FIELDS: dict[str, tuple[str, ...]] = {
    "google": ("first_name", "last_name", "country", "zip"),
}


def audience_fields(platform: str, coverage: Mapping[str, int]) -> list[str]:
    """The identifier fields a new audience sends: every field the platform accepts that
    the segment has (an address only when the segment has all its parts). A segment with
    no strong identifier yet (an empty one) gets the platform's strong fields, so the
    profiles it receives later are sent."""
    accepted = PLATFORM_FIELDS[platform]
    address = set(ADDRESS_FIELDS.get(platform, ()))
    has_address = bool(address) and all(coverage.get(f, 0) > 0 for f in address)
    fields = [f for f in accepted if coverage.get(f, 0) > 0 and (f not in address or has_address)]
    if not any(f in STRONG_FIELDS for f in fields):
        fields = [f for f in accepted if f in STRONG_FIELDS] + [
            f for f in fields if f not in STRONG_FIELDS
        ]
    return fields


def invalid_mask(fields: list[str]) -> int:
    mask = 0
    for name in fields:
        mask |= INVALID_BITS[name]
    return mask


def wire_rows(
    platform: str,
    fields: Sequence[str],
    columns: Sequence[Sequence[bytes | None] | None],
    size: int,
) -> list[tuple[str, ...]]:
    """What the platform receives for a batch of stored keys, column by column (one
    comprehension per field, not a call per value): hex SHA-256, or the normalized value
    itself for identifiers the platform takes unhashed (Meta ``MADID``, Google zip and
    country); ``""`` where a profile has none. ``columns`` holds each field's keys
    (``None`` for a field that travels empty); returns ``size`` rows of one value per
    field."""
    encoded: list[Sequence[str]] = []
    for field, keys in zip(fields, columns, strict=True):
        if keys is None:
            encoded.append([""] * size)
        elif is_hashed_field(platform, field):
            encoded.append([k.hex() if k is not None else "" for k in keys])
        else:
            encoded.append([k.decode() if k is not None else "" for k in keys])
    return list(zip(*encoded, strict=True)) if encoded else [()] * size
