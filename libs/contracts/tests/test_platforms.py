"""The platform and identifier lists are written once; table checks are built from them."""

from __future__ import annotations

from typing import get_args

from adscale_contracts.platforms import (
    AD_PLATFORMS,
    IDENTIFIER_FIELDS,
    PLATFORMS,
    AdPlatform,
    IdentifierField,
    Platform,
    one_of_check,
)


def test_the_tuples_list_their_literals_in_order():
    assert PLATFORMS == ("meta", "google", "tiktok", "snapchat")
    assert AD_PLATFORMS == ("google", "meta")
    assert IDENTIFIER_FIELDS[0] == "email"
    assert IDENTIFIER_FIELDS[-1] == "external_id"
    assert len(set(IDENTIFIER_FIELDS)) == len(IDENTIFIER_FIELDS) == 10
    assert (
        get_args(Platform),
        get_args(AdPlatform),
        get_args(IdentifierField),
    ) == (PLATFORMS, AD_PLATFORMS, IDENTIFIER_FIELDS)


def test_campaign_platforms_are_audience_platforms():
    assert set(AD_PLATFORMS) <= set(PLATFORMS)


def test_check_sql_is_the_one_the_migrations_wrote():
    # The audience-sync migrations (0002) and campaigns' wrote these exact strings: a
    # different one would need a migration.
    assert one_of_check("platform", PLATFORMS) == (
        "platform IN ('meta', 'google', 'tiktok', 'snapchat')"
    )
    assert one_of_check("platform", AD_PLATFORMS) == "platform IN ('google', 'meta')"
