"""Batching by row count and serialized bytes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adscale_platforms.batching import (
    BatchLimits,
    EncodedJson,
    RowTooLarge,
    abatch_rows,
    batch_rows,
    compact_json,
    fast_json,
    fast_json_row,
    json_array_parts,
    json_size,
    limits_for,
)
from adscale_platforms.settings import PlatformSettings

ROWS = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.lists(st.text(alphabet='abc"\\é', max_size=6), max_size=4),
        st.builds(lambda n: hashlib.sha256(str(n).encode()).hexdigest(), st.integers()),
    ),
    max_size=200,
)


def body_bytes(envelope: dict[str, Any], batch: list[Any]) -> int:
    """The real size of the request body a client sends for ``batch``."""
    return len(compact_json({**envelope, "data": batch}))


@settings(max_examples=300, deadline=None)
@given(
    rows=ROWS,
    max_rows=st.integers(min_value=1, max_value=25),
    slack=st.integers(min_value=0, max_value=400),
)
def test_batches_respect_both_limits_and_keep_every_row_once(
    rows: list[Any], max_rows: int, slack: int
) -> None:
    envelope = {"schema": "EMAIL_SHA256", "session": {"batch_seq": 1}}
    envelope_bytes = body_bytes(envelope, [])
    biggest = max((json_size(r) for r in rows), default=0)
    max_bytes = envelope_bytes + biggest + slack
    batches = list(
        batch_rows(rows, max_rows=max_rows, max_bytes=max_bytes, envelope_bytes=envelope_bytes)
    )
    # every row in exactly one batch, order kept
    assert [row for batch in batches for row in batch] == rows
    assert all(batch for batch in batches)
    for batch in batches:
        assert len(batch) <= max_rows
        assert body_bytes(envelope, batch) <= max_bytes


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.text(alphabet="0123456789abcdef", min_size=1, max_size=64), max_size=150),
    max_rows=st.integers(min_value=1, max_value=40),
    max_bytes=st.integers(min_value=66, max_value=2_000),
)
def test_newline_files_respect_limits(lines: list[str], max_rows: int, max_bytes: int) -> None:
    batches = list(
        batch_rows(
            lines,
            max_rows=max_rows,
            max_bytes=max_bytes,
            row_bytes=lambda line: len(line.encode()),
            envelope_bytes=1,
        )
    )
    assert [line for batch in batches for line in batch] == lines
    for batch in batches:
        assert len(batch) <= max_rows
        assert len(("\n".join(batch) + "\n").encode()) <= max_bytes


@settings(max_examples=100, deadline=None)
@given(rows=ROWS, max_rows=st.integers(min_value=1, max_value=10))
async def test_async_batches_equal_sync_batches(rows: list[Any], max_rows: int) -> None:
    async def source() -> AsyncIterator[Any]:
        for row in rows:
            yield row

    kwargs: dict[str, Any] = {"max_rows": max_rows, "max_bytes": 10_000, "envelope_bytes": 10}
    expected = list(batch_rows(rows, **kwargs))
    from_async = [b async for b in abatch_rows(source(), **kwargs)]
    from_sync = [b async for b in abatch_rows(rows, **kwargs)]
    assert from_async == expected
    assert from_sync == expected


def test_batches_are_as_full_as_limits_allow() -> None:
    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(25_000)]
    batches = list(batch_rows(hashes, max_rows=10_000, max_bytes=10**9))
    assert [len(b) for b in batches] == [10_000, 10_000, 5_000]
    # byte-bound: each hash costs 66 bytes plus one separator
    by_bytes = list(batch_rows(hashes[:100], max_rows=10_000, max_bytes=2 + 67 * 10 - 1))
    assert [len(b) for b in by_bytes] == [10] * 10


def test_row_too_large_is_refused() -> None:
    with pytest.raises(RowTooLarge):
        list(batch_rows(["x" * 100], max_rows=10, max_bytes=50))
    with pytest.raises(RowTooLarge):
        list(batch_rows(["ok"], max_rows=10, max_bytes=50, envelope_bytes=48))


def test_empty_input_gives_no_batches() -> None:
    assert list(batch_rows([], max_rows=1, max_bytes=10)) == []


def test_input_is_consumed_lazily() -> None:
    consumed: list[int] = []

    def source() -> Any:
        for i in range(1_000_000):
            consumed.append(i)
            yield str(i)

    first = next(iter(batch_rows(source(), max_rows=3, max_bytes=10_000)))
    assert first == ["0", "1", "2"]
    assert len(consumed) == 4  # one row of look-ahead closes the batch


def test_json_size_matches_compact_json() -> None:
    for value in ["abc", 'é"x', ["a", "b"], {"id": "x", "audience_ids": ["1"]}, "a" * 64]:
        assert json_size(value) == len(
            json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
        )


def test_platform_limits() -> None:
    s = PlatformSettings()
    assert limits_for("meta", s) == BatchLimits(10_000, 8_000_000)
    # Meta's documented 10,000 rows, each with all nine keys hashed, fit one request.
    digest = "0" * 64
    nine_keys = {"schema": ["EMAIL"] * 9, "data": [[digest] * 9] * 10_000}
    assert json_size(nine_keys) <= limits_for("meta", s).max_bytes
    assert limits_for("google", s) == BatchLimits(10_000, 5_000_000)
    assert limits_for("tiktok", s).max_rows == 1_000
    assert limits_for("tiktok", s, kind="file") == BatchLimits(500_000, 50_000_000)
    assert limits_for("snapchat", s) == BatchLimits(100_000, 10_000_000)
    with pytest.raises(ValueError):
        limits_for("myspace", s)
    with pytest.raises(ValueError):
        BatchLimits(0, 10)


_JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner),
    max_leaves=12,
)


@given(st.lists(_JSON_VALUE, max_size=6))
def test_fast_json_writes_the_bytes_of_compact_json(rows: list[Any]) -> None:
    """Member rows and bodies encoded in C are the standard encoder's bytes (any string,
    control characters and non-ASCII included; ints past 64 bits fall back), so sizes
    measured with one count for the other."""
    assert [fast_json(r) for r in rows] == [compact_json(r) for r in rows]
    assert fast_json({"data": rows}) == compact_json({"data": rows})
    encoded = [fast_json_row(r) for r in rows]
    assert [len(e) for e in encoded] == [json_size(r) for r in rows]
    assert json_array_parts(b'{"a":', encoded, b"}") == compact_json({"a": rows})


def test_encoded_json_is_sent_as_it_is() -> None:
    body = EncodedJson(b'{"payload":{"data":[["ab"]]}}')
    assert compact_json(body) is body.data
    assert json.loads(compact_json(body)) == {"payload": {"data": [["ab"]]}}
