"""What the campaign platforms (Meta, Google) share: the campaign update's public
signature, written once; each supplies its platform call over one :class:`CampaignChange`."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from adscale_platforms.base import BaseClient
from adscale_platforms.protocol import TokenLike

__all__ = ["CampaignChange", "CampaignClient"]


class CampaignChange(NamedTuple):
    """A campaign update as asked: which campaign, its new status and / or daily budget."""

    ad_account_id: str
    campaign_external_id: str
    status: str | None
    daily_budget: Decimal | None


class CampaignClient(BaseClient):
    """The base of the campaign rooms (``MetaCampaigns``, ``GoogleAds``)."""

    async def _update_campaign(self, token: TokenLike, change: CampaignChange) -> None:
        """The platform's update call(s) for ``change``."""
        raise NotImplementedError

    async def update_campaign(
        self,
        token: TokenLike,
        ad_account_id: str,
        campaign_external_id: str,
        status: str | None = None,
        daily_budget: Decimal | None = None,
    ) -> None:
        """Set the campaign's status and / or daily budget (account currency, major units)."""
        change = CampaignChange(ad_account_id, campaign_external_id, status, daily_budget)
        await self._update_campaign(token, change)
