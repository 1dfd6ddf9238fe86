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
# A person's further emails and phones (``profile.extra_emails`` / ``extra_phones``) travel
# in their own row / member, as repeats of the strong field they extend; their keys are kept
# in these digest / member columns, in the profile's order.
EXTRA_KEYS: dict[str, str] = {"email": "extra_email_keys", "phone": "extra_phone_keys"}
# How many extra emails (and as many phones) one member carries. Meta's customer-file
# format takes up to three email and three phone columns per person; Google's members take
# at most 10 identifiers in all (the client keeps the first 10, see libs/platforms), TikTok
# users repeat an id type, Snapchat sends each extra hash in the lane of its type. A profile
# holds at most 10 of each (migration 0006).
EXTRA_SLOTS: dict[str, int] = {"meta": 2, "google": 10, "tiktok": 10, "snapchat": 10}
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


Slots = Mapping[str, int]


def full_slots(platform: str) -> dict[str, int]:
    return dict.fromkeys(EXTRA_KEYS, EXTRA_SLOTS[platform])


def extra_fields(platform: str, fields: Sequence[str], slots: Slots | None = None) -> list[str]:
    """The repeated fields a wire row carries after the audience's own (one per slot; by
    default as many as the platform takes)."""
    take = slots or full_slots(platform)
    return [f for f in EXTRA_KEYS if f in fields for _ in range(take.get(f, 0))]


def wire_fields(platform: str, fields: Sequence[str]) -> list[str]:
    """What the platform client is told a wire row holds."""
    return [*fields, *extra_fields(platform, fields)]


Extras = Mapping[str, Sequence[Sequence[bytes] | None]]


def used_slots(platform: str, fields: Sequence[str], extras: Extras) -> dict[str, int]:
    """The slots a batch needs: its largest number of extras per field, capped by what the
    platform takes (0 for a batch without extras: its rows are what they were before)."""
    cap = EXTRA_SLOTS[platform]
    return {
        f: min(cap, max((len(k) for k in extras.get(f) or () if k is not None), default=0))
        if f in fields
        else 0
        for f in EXTRA_KEYS
    }


def extra_columns(
    platform: str, fields: Sequence[str], extras: Extras, size: int, take: Slots | None = None
) -> list[list[str]]:
    """The hex keys of each profile's extras, one column per slot of :func:`extra_fields`
    (``""`` where a profile has fewer); keys beyond the slots are not sent."""
    out: list[list[str]] = []
    take = take or full_slots(platform)
    for field in EXTRA_KEYS:
        if field not in fields:
            continue
        slots = take.get(field, 0)
        keys = extras.get(field)
        if not keys or not any(keys):  # the common case: nobody in the batch has extras
            out.extend([[""] * size] * slots)
            continue
        for slot in range(slots):
            out.append([k[slot].hex() if k is not None and len(k) > slot else "" for k in keys])
    return out


def dropped_extras(platform: str, fields: Sequence[str], extras: Extras) -> int:
    """How many extra keys did not fit the platform's slots."""
    slots = EXTRA_SLOTS[platform]
    return sum(
        max(0, len(k) - slots)
        for field in EXTRA_KEYS
        if field in fields
        for k in (extras.get(field) or ())
        if k is not None
    )


def wire_rows(
    platform: str,
    fields: Sequence[str],
    columns: Sequence[Sequence[bytes | None] | None],
    size: int,
    extras: Extras | None = None,
    slots: Slots | None = None,
) -> list[tuple[str, ...]]:
    """What the platform receives for a batch of stored keys, column by column (one
    comprehension per field, not a call per value): hex SHA-256, or the normalized value
    itself for identifiers the platform takes unhashed (Meta ``MADID``, Google zip and
    country); ``""`` where a profile has none. ``columns`` holds each field's keys
    (``None`` for a field that travels empty); returns ``size`` rows of one value per
    field, then with ``extras`` (keys per profile of each :data:`EXTRA_KEYS` field) the
    columns of :func:`extra_fields`."""
    encoded: list[Sequence[str]] = []
    for field, keys in zip(fields, columns, strict=True):
        if keys is None or not any(keys):
            encoded.append([""] * size)
            continue
        encode = bytes.hex if is_hashed_field(platform, field) else bytes.decode
        if None in keys:
            encoded.append([encode(k) if k is not None else "" for k in keys])
        else:  # a column without a gap: a C-level map, no bytecode per key
            encoded.append(list(map(encode, keys)))  # type: ignore[arg-type]
    if extras is not None:
        encoded.extend(extra_columns(platform, fields, extras, size, slots))
    return list(zip(*encoded, strict=True)) if encoded else [()] * size
