"""What usage counts: campaigns and ad groups, each a :class:`Resource`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

CAMPAIGN = "campaign"
AD_GROUP = "ad_group"


@dataclass(frozen=True, slots=True)
class Resource:
    """A counted resource: a campaign, or an ad group of one."""

    resource_id: uuid.UUID
    kind: str
    user_id: uuid.UUID
    campaign_id: uuid.UUID | None = None

    @classmethod
    def campaign(cls, campaign_id: uuid.UUID, user_id: uuid.UUID) -> Resource:
        return cls(campaign_id, CAMPAIGN, user_id)

    @classmethod
    def ad_group(
        cls, ad_group_id: uuid.UUID, campaign_id: uuid.UUID, user_id: uuid.UUID
    ) -> Resource:
        return cls(ad_group_id, AD_GROUP, user_id, campaign_id)
