from __future__ import annotations

from adscale_common.errors import BadGateway, Conflict


class CampaignNotLinked(
    Conflict,
    code="CAMPAIGN_NOT_LINKED",
    message="Metrics can't be fetched: the campaign needs an external_campaign_id and a connected "
    "ad account with an access token",
): ...


class AccountTokenRejected(
    Conflict,
    code="AD_ACCOUNT_DISCONNECTED",
    message="The platform refused the ad account's access token; the account is now disconnected. "
    "Reconnect it with a new token (PATCH /accounts/{id}).",
): ...


class AccountTokenUnreadable(
    Conflict,
    code="AD_ACCOUNT_DISCONNECTED",
    message="The ad account's stored access token can't be decrypted with the configured keys; "
    "the account is now disconnected. Reconnect it with a new token (PATCH /accounts/{id}).",
): ...


class PlatformFailed(
    BadGateway, code="PLATFORM_ERROR", message="The ad platform returned an error"
): ...
