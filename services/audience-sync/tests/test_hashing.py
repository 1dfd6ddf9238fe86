"""The worker's column hashing gives the platform library's answers, as raw digests."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from adscale_platforms.identifiers import (
    PLATFORMS,
    hash_many,
    is_hashed_field,
    normalize,
    supported_fields,
)
from audience_sync.sync.fields import DIGEST_FIELDS, INVALID_BITS
from audience_sync.sync.hashing import digest_records, hash_columns, hash_extras

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
        st.tuples(
            *[st.sampled_from(SAMPLES) | st.text(max_size=12) | st.none() for _ in DIGEST_FIELDS]
        ),
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


_BENCH_LIKE = st.tuples(
    st.integers(0, 10**9).map(lambda i: f"Customer.{i}@Example.com"),
    st.integers(0, 10**7 - 1).map(lambda i: f"+1 415 {i // 10000:03d} {i % 10000:04d}"),
    st.none(),
    st.sampled_from(["Ann1", "Zoë", "", "Lee"]),
    st.sampled_from(["Lee7", "O'Neil", "Ng"]),
    st.integers(0, 99_999).map(lambda i: f"{i:05d}") | st.sampled_from(["SW1A 1AA", "x"]),
    st.none(),
    st.none(),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(PLATFORMS),
    st.lists(st.sampled_from(SAMPLES) | st.none(), min_size=9, max_size=9).map(tuple) | _BENCH_LIKE,
    st.lists(_BENCH_LIKE, max_size=20),
)
def test_digest_records_are_the_plain_hashlib_path(
    platform: str, odd: tuple[str | None, ...], rows: list[tuple[str | None, ...]]
) -> None:
    """Each ``profile_digest`` record holds, per field, exactly what the scalar library
    path gives: ``hashlib.sha256(normalized.encode()).digest()`` (the normalized UTF-8 for
    unhashed fields), ``None`` where there is nothing; extras empty here."""
    profiles = [(f"p{i}", i, *values, None, None) for i, values in enumerate([odd, *rows])]
    records = digest_records("00000000-0000-0000-0000-000000000015", platform, profiles)
    supported = set(supported_fields(platform))
    for record, profile in zip(records, profiles, strict=True):
        assert record[1:4] == (profile[0], platform, profile[1])
        for n, name in enumerate(DIGEST_FIELDS):
            value = profile[2 + n]
            expected = hash_many(platform, name, [value])[0]  # type: ignore[list-item]
            if expected is not None and is_hashed_field(platform, name):
                assert (
                    record[4 + n]
                    == hashlib.sha256(
                        normalize(platform, name, value).encode()  # type: ignore[arg-type, union-attr]
                    ).digest()
                )
            else:
                assert record[4 + n] == (None if expected is None else expected.encode())
            invalid = bool(record[-1] & INVALID_BITS[name])
            assert invalid == (name in supported and bool(value) and expected is None)
        assert record[4 + len(DIGEST_FIELDS) :] == (None, None, record[-1])
