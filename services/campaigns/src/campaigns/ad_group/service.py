"""Ad groups: belong to one of the caller's campaigns; plan limit per user."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.errors import invalid
from adscale_contracts.events import AdGroupCreated, AdGroupDeleted, AdGroupUpdated
from campaigns.ad_group import repository
from campaigns.ad_group.schemas import AdGroupCreate, AdGroupUpdate
from campaigns.campaign import repository as campaigns
from campaigns.changes import apply_all
from campaigns.events import publish
from campaigns.models import AdGroup
from campaigns.plan import service as plans

# Load-or-404 and the paged list, scoped to the caller (adscale_common.repository).
get_owned = repository.owned.require
list_owned = repository.owned.page
owned_ids = repository.owned.owned_ids


async def create(session: AsyncSession, user_id: uuid.UUID, data: AdGroupCreate) -> AdGroup:
    campaign = await campaigns.owned.require(session, user_id, data.campaign_id)
    plan, limits = await plans.locked_limits(session, user_id)
    plans.check(plan, limits.ad_groups, await repository.owned.count(session, user_id), "ad groups")
    group = await repository.owned.insert(
        session,
        AdGroup(
            **data.model_dump(exclude={"targeting"}),
            targeting=data.targeting.model_dump(mode="json", exclude_none=True),
            user_id=user_id,
        ),
    )
    await publish(
        session, AdGroupCreated(ad_group_id=group.id, campaign_id=campaign.id, user_id=user_id)
    )
    return group


async def update(
    session: AsyncSession, user_id: uuid.UUID, ad_group_id: uuid.UUID, data: AdGroupUpdate
) -> AdGroup:
    group = await get_owned(session, user_id, ad_group_id, for_update=True)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if data.targeting is not None:
        changes["targeting"] = data.targeting.model_dump(mode="json", exclude_none=True)
    strategy = changes.get("bid_strategy", group.bid_strategy)
    amount = changes.get("bid_amount", group.bid_amount)
    if strategy != "manual_cpc" and "bid_strategy" in changes and "bid_amount" not in changes:
        amount = changes["bid_amount"] = None  # leaving manual bidding drops the manual bid
    if strategy == "manual_cpc" and amount is None:
        raise invalid(["bid_amount"], "bid_amount is required with bid_strategy manual_cpc")
    if strategy != "manual_cpc" and amount is not None:
        raise invalid(["bid_amount"], "bid_amount is only used with bid_strategy manual_cpc")
    changed = await repository.owned.apply(session, group, changes)
    if changed:
        await publish(session, _updated(group, changed))
    return group


async def apply_rule_changes(
    session: AsyncSession, changes: Sequence[tuple[AdGroup, str | None, Decimal | None]]
) -> None:
    """Many rule changes (status, manual bid) at once: one flush, one outbox insert."""
    values = [(g, {"status": s, "bid_amount": b}) for g, s, b in changes]
    await apply_all(session, values, _updated)


def _updated(group: AdGroup, changed: list[str]) -> AdGroupUpdated:
    return AdGroupUpdated(
        ad_group_id=group.id,
        campaign_id=group.campaign_id,
        user_id=group.user_id,
        changed=sorted(changed),
    )


async def delete(session: AsyncSession, user_id: uuid.UUID, ad_group_id: uuid.UUID) -> None:
    group = await get_owned(session, user_id, ad_group_id, for_update=True)
    await repository.owned.delete(session, group)
    await publish(
        session,
        AdGroupDeleted(ad_group_id=group.id, campaign_id=group.campaign_id, user_id=user_id),
    )
