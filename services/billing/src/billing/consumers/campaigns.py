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

TOPIC = "campaigns.events"


async def on_campaign_created(session: AsyncSession, envelope: Envelope) -> None:
    data = parse(envelope, CampaignCreated)
    await service.campaign_created(
        session, campaign_id=data.campaign_id, user_id=data.user_id, at=envelope.occurred_at
    )


async def on_campaign_deleted(session: AsyncSession, envelope: Envelope) -> None:
    data = parse(envelope, CampaignDeleted)
    await service.campaign_deleted(
        session, campaign_id=data.campaign_id, user_id=data.user_id, at=envelope.occurred_at
    )


async def on_ad_group_created(session: AsyncSession, envelope: Envelope) -> None:
    data = parse(envelope, AdGroupCreated)
    await service.ad_group_created(
        session,
        ad_group_id=data.ad_group_id,
        campaign_id=data.campaign_id,
        user_id=data.user_id,
        at=envelope.occurred_at,
    )


async def on_ad_group_deleted(session: AsyncSession, envelope: Envelope) -> None:
    data = parse(envelope, AdGroupDeleted)
    await service.ad_group_deleted(
        session,
        ad_group_id=data.ad_group_id,
        campaign_id=data.campaign_id,
        user_id=data.user_id,
        at=envelope.occurred_at,
    )


HANDLERS: dict[str, Handler] = {
    CampaignCreated.TYPE: on_campaign_created,
    CampaignDeleted.TYPE: on_campaign_deleted,
    AdGroupCreated.TYPE: on_ad_group_created,
    AdGroupDeleted.TYPE: on_ad_group_deleted,
}
