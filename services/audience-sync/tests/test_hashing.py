"""The worker's column hashing gives the platform library's answers, as raw digests."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adscale_platforms.identifiers import (
    PLATFORMS,
    hash_many,
    is_hashed_field,
    supported_fields,
)
from audience_sync.sync.fields import DIGEST_FIELDS, INVALID_BITS
from audience_sync.sync.hashing import hash_columns, hash_extras

SAMPLES = [
    " Ann.Lee+tag@Gmail.com ",
    "not an email",
    "+1 415 555 0100",
    "(415) 555-0100",
    "0044 20 7946 0958",
    "12",
    "Dr. Ann-Marie",
    "O'Neil Jr.",
    "94103-1234",
    "SW1A 1AA",
    "San Francisco",
    "ca",
    "US",
    "6D92078A-8246-4BA4-AE5B-76104861E7DC",
    "Zoë",
    "",
]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(PLATFORMS),
    st.lists(
        st.tuples(*[st.sampled_from(SAMPLES) | st.text(max_size=12) for _ in DIGEST_FIELDS]),
        min_size=1,
        max_size=12,
    ),
)
def test_hash_columns_are_hash_many_in_bytes(platform: str, rows: list[tuple[str, ...]]) -> None:
    columns = [[row[i] for row in rows] for i in range(len(DIGEST_FIELDS))]
    keys, invalid = hash_columns(platform, columns)
    supported = set(supported_fields(platform))
    expected_invalid = [0] * len(rows)
    for name, values in zip(DIGEST_FIELDS, columns, strict=True):
        expected = hash_many(platform, name, values)
        as_bytes = bytes.fromhex if is_hashed_field(platform, name) else str.encode
        assert keys[name] == [None if h is None else as_bytes(h) for h in expected]
        if name in supported and any(values):
            for i, (value, digest) in enumerate(zip(values, expected, strict=True)):
                if value and digest is None:
                    expected_invalid[i] |= INVALID_BITS[name]
    assert invalid == expected_invalid


def test_extra_emails_hash_like_the_first_and_drop_repeats_and_invalid_ones() -> None:
    lists = [
        ["B@example.com", "a.b@gmail.com", "not an email", "ab@gmail.com"],
        None,
        [" First@Example.com "],
    ]
    first = ["first@example.com", None, "First@example.com"]
    primary = [bytes.fromhex(h) if h else None for h in hash_many("google", "email", first)]
    keys = hash_extras("google", "email", lists, primary)
    expected = [
        bytes.fromhex(h)
        for h in hash_many("google", "email", ["b@example.com", "ab@gmail.com"])
        if h
    ]
    # Google drops gmail dots: a.b@gmail.com and ab@gmail.com are one key; the invalid one
    # is left out; an extra that normalizes to the person's first email is no extra.
    assert keys == [expected, None, None]
