"""Campaign rules: ownership, budgets, dates, plan limit; events through the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.errors import invalid
from adscale_contracts.events import CampaignCreated, CampaignDeleted, CampaignUpdated
from campaigns.account import repository as accounts
from campaigns.campaign import repository
from campaigns.campaign.errors import DuplicateExternalCampaign
from campaigns.campaign.schemas import CampaignCreate, CampaignUpdate
from campaigns.changes import apply_all
from campaigns.events import publish
from campaigns.models import Campaign
from campaigns.plan import service as plans

# Load-or-404 and the paged list, scoped to the caller (adscale_common.repository).
get_owned = repository.owned.require
list_owned = repository.owned.page
owned_ids = repository.owned.owned_ids


async def create(session: AsyncSession, user_id: uuid.UUID, data: CampaignCreate) -> Campaign:
    account = await accounts.owned.require(session, user_id, data.ad_account_id)
    # Lock the user's plan row first: concurrent creates at the limit serialize here.
    plan, limits = await plans.locked_limits(session, user_id)
    plans.check(plan, limits.campaigns, await repository.owned.count(session, user_id), "campaigns")
    if data.external_campaign_id and await repository.external_id_taken(
        session, account.id, data.external_campaign_id
    ):
        raise DuplicateExternalCampaign()
    campaign = await repository.owned.insert(
        session, Campaign(**data.model_dump(), user_id=user_id, platform=account.platform)
    )
    await publish(
        session,
        CampaignCreated(
            campaign_id=campaign.id,
            user_id=user_id,
            ad_account_id=account.id,
            platform=account.platform,  # type: ignore[arg-type]
            name=campaign.name,
            status=campaign.status,
        ),
    )
    return campaign


async def update(
    session: AsyncSession, user_id: uuid.UUID, campaign_id: uuid.UUID, data: CampaignUpdate
) -> Campaign:
    campaign = await get_owned(session, user_id, campaign_id, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    # Setting one budget while the other is stored is a conflict unless the same
    # request clears the other one.
    daily = changes.get("budget_daily", campaign.budget_daily)
    lifetime = changes.get("budget_lifetime", campaign.budget_lifetime)
    if daily is not None and lifetime is not None:
        field = "budget_daily" if "budget_daily" in changes else "budget_lifetime"
        raise invalid(
            [field],
            "budget_daily and budget_lifetime are mutually exclusive; "
            "set the other one to null in the same request",
        )
    start = changes.get("start_date", campaign.start_date)
    end = changes.get("end_date", campaign.end_date)
    if start is not None and end is not None and end < start:
        raise invalid(["end_date"], "end_date must not be before start_date")
    external = changes.get("external_campaign_id")
    if external and await repository.external_id_taken(
        session, campaign.ad_account_id, external, exclude=campaign.id
    ):
        raise DuplicateExternalCampaign()
    changed = await repository.owned.apply(session, campaign, changes)
    if changed:
        await publish(session, _updated(campaign, changed))
    return campaign


async def apply_rule_changes(
    session: AsyncSession, changes: Sequence[tuple[Campaign, str | None, Decimal | None]]
) -> None:
    """Many rule changes (status, daily budget) at once: one flush, one outbox insert."""
    values = [(c, {"status": s, "budget_daily": b}) for c, s, b in changes]
    await apply_all(session, values, _updated)


def _updated(campaign: Campaign, changed: list[str]) -> CampaignUpdated:
    return CampaignUpdated(
        campaign_id=campaign.id,
        user_id=campaign.user_id,
        changed=sorted(changed),
        status=campaign.status,
        budget_daily=campaign.budget_daily,
        budget_lifetime=campaign.budget_lifetime,
    )


async def delete(session: AsyncSession, user_id: uuid.UUID, campaign_id: uuid.UUID) -> None:
    """Delete a campaign; ad groups, creatives and metrics go with it (FK cascade)."""
    campaign = await get_owned(session, user_id, campaign_id, for_update=True)
    groups = await repository.ad_group_count(session, campaign.id)
    await repository.owned.delete(session, campaign)
    await publish(
        session,
        CampaignDeleted(campaign_id=campaign.id, user_id=user_id, ad_groups_deleted=groups),
    )
