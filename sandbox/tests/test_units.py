"""Unit and property tests of the deterministic pieces."""

from __future__ import annotations

import hashlib
from datetime import date

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
