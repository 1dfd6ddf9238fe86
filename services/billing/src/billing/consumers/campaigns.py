"""``campaigns.events`` → usage: campaigns and ad groups created or deleted."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.consumer import Handler
from adscale_common.events import Envelope
from adscale_contracts.events import (
    AdGroupCreated,
    AdGroupDeleted,
    CampaignCreated,
    CampaignDeleted,
    parse,
)
from billing.usage import service
from billing.usage.resources import Resource

TOPIC = "campaigns.events"


async def on_campaign_created(session: AsyncSession, envelope: Envelope) -> None:
    data = parse(envelope, CampaignCreated)
    campaign = Resource.campaign(data.campaign_id, data.user_id)
    await service.resource_created(session, campaign, envelope.occurred_at)


async def on_campaign_deleted(session: AsyncSession, envelope: Envelope) -> None:
    data = parse(envelope, CampaignDeleted)
    campaign = Resource.campaign(data.campaign_id, data.user_id)
    await service.resource_deleted(session, campaign, envelope.occurred_at)


async def on_ad_group_created(session: AsyncSession, envelope: Envelope) -> None:
    data = parse(envelope, AdGroupCreated)
    group = Resource.ad_group(data.ad_group_id, data.campaign_id, data.user_id)
    await service.resource_created(session, group, envelope.occurred_at)


async def on_ad_group_deleted(session: AsyncSession, envelope: Envelope) -> None:
    data = parse(envelope, AdGroupDeleted)
    group = Resource.ad_group(data.ad_group_id, data.campaign_id, data.user_id)
    await service.resource_deleted(session, group, envelope.occurred_at)


HANDLERS: dict[str, Handler] = {
    CampaignCreated.TYPE: on_campaign_created,
    CampaignDeleted.TYPE: on_campaign_deleted,
    AdGroupCreated.TYPE: on_ad_group_created,
    AdGroupDeleted.TYPE: on_ad_group_deleted,
}
