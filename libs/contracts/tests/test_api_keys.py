from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from adscale_contracts.api_keys import (
    API_KEY_LENGTH,
    API_KEY_PREFIX,
    display_prefix,
    generate_api_key,
    is_well_formed_api_key,
)


def test_generated_keys_are_well_formed_unique_and_prefixed():
    keys = {generate_api_key() for _ in range(500)}
    assert len(keys) == 500
    for key in keys:
        assert key.startswith(API_KEY_PREFIX) and len(key) == API_KEY_LENGTH
        assert is_well_formed_api_key(key)
    assert display_prefix(next(iter(keys))).startswith(API_KEY_PREFIX)


@given(
    st.integers(min_value=len(API_KEY_PREFIX), max_value=API_KEY_LENGTH - 1),
    st.sampled_from(string.ascii_letters + string.digits),
)
def test_any_single_character_typo_is_caught(position, replacement):
    key = generate_api_key()
    if key[position] == replacement:
        return
    typo = key[:position] + replacement + key[position + 1 :]
    assert not is_well_formed_api_key(typo)


def test_wrong_prefix_length_or_alphabet_is_refused():
    key = generate_api_key()
    assert not is_well_formed_api_key("adscale_test_" + key[len(API_KEY_PREFIX) :])
    assert not is_well_formed_api_key(key[:-1])
    assert not is_well_formed_api_key(key[:-1] + "!")
    assert not is_well_formed_api_key("")
