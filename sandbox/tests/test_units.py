"""Unit and property tests of the deterministic pieces."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from adscale_sandbox.core import parse_sha256_hex
from adscale_sandbox.metrics import daily_metrics
from adscale_sandbox.oauth import pkce_s256
from adscale_sandbox.state import is_match


@given(st.binary(min_size=32, max_size=32), st.integers(min_value=0, max_value=1000))
def test_is_match_equals_the_hex_rule(digest: bytes, permille: int) -> None:
    assert is_match(digest, permille) == (int(digest.hex()[:8], 16) % 1000 < permille)


@given(st.text(min_size=1, max_size=40))
def test_only_lowercase_64_hex_parses(value: str) -> None:
    digest = hashlib.sha256(value.encode()).hexdigest()
    assert parse_sha256_hex(digest) == bytes.fromhex(digest)
    assert parse_sha256_hex(digest.upper()) is None or digest == digest.upper()
    assert parse_sha256_hex(digest[:-1]) is None
    assert parse_sha256_hex(value) is None or len(value) == 64


@given(st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31)), st.text(max_size=12))
def test_daily_metrics_are_deterministic_and_plausible(day: date, campaign: str) -> None:
    first = daily_metrics("meta", campaign, day)
    assert first == daily_metrics("meta", campaign, day)
    assert first.impressions > 0
    assert 0 <= first.clicks <= first.impressions
    assert first.conversions <= first.clicks
    assert first.spend_micros % 10_000 == 0 and first.revenue_micros % 10_000 == 0


def test_platforms_get_different_numbers() -> None:
    day = date(2025, 5, 5)
    assert daily_metrics("meta", "1", day) != daily_metrics("google", "1", day)


def test_pkce_s256_matches_rfc7636_example() -> None:
    # RFC 7636, appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


_DIGESTS = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(6)]
_META_VALUE = st.one_of(
    st.sampled_from(_DIGESTS),
    st.sampled_from(
        ["", _DIGESTS[0].upper(), _DIGESTS[1][:-1], "not hex", "g" * 64, "\u00e9" * 64]
    ),
    st.none(),
    st.integers(min_value=0, max_value=9),
)


@given(
    st.lists(
        st.sampled_from(["EMAIL", "PHONE", "FN", "LN", "ZIP", "MADID"]), min_size=2, max_size=5
    ),
    st.data(),
)
def test_fast_meta_rows_read_as_the_general_reader(schema: list[str], data: st.DataObject) -> None:
    """Meta's whole-batch reader of hashed multi-key rows gives the per-row reader's people,
    or hands the batch over (``None``); a batch of valid digests (empties allowed) it reads."""
    from adscale_sandbox.platforms.meta_payload import HASHED_KEYS, IDENTITY_ORDER, row_person
    from adscale_sandbox.platforms.meta_rows import hashed_people

    clean = data.draw(st.booleans())
    value = st.sampled_from([*_DIGESTS, ""]) if clean else _META_VALUE
    row = st.lists(value, min_size=len(schema), max_size=len(schema))
    rows: list[Any] = data.draw(st.lists(row, max_size=8))
    if not clean and data.draw(st.booleans()):
        rows.append(data.draw(st.lists(value, max_size=len(schema) + 1)))
    fast = hashed_people(
        schema, rows, hashed=HASHED_KEYS, identity_order=IDENTITY_ORDER, general=row_person
    )
    general = [row_person(schema, r) for r in rows]
    readable = len(set(schema)) == len(schema) and "MADID" not in schema
    if clean and readable and all(any(r) for r in rows):
        assert fast is not None
    if fast is not None:
        assert all(person is not None for person, _ in general)
        assert fast == [person for person, _ in general]


@given(
    st.lists(st.binary(min_size=0, max_size=40), max_size=20),
    st.integers(min_value=0, max_value=1000),
)
def test_match_flags_equal_is_match(keys: list[bytes], permille: int) -> None:
    """The one-buffer reading of many digests answers as :func:`is_match` key by key."""
    from adscale_sandbox.people import match_flags

    assert match_flags(keys, permille) == [1 if is_match(k, permille) else 0 for k in keys]


@given(st.lists(st.binary(min_size=32, max_size=32), max_size=20))
def test_match_flags_of_digests(keys: list[bytes]) -> None:
    from adscale_sandbox.people import match_flags

    for permille in (0, 1, 500, 999, 1000):
        assert match_flags(keys, permille) == [1 if is_match(k, permille) else 0 for k in keys]
