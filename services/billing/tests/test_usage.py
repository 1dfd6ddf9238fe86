"""The usage projection through the consumer handlers, and GET /api/v1/usage."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.events import Envelope
from adscale_common.testing import internal_headers
from adscale_contracts.events import (
    AdGroupDeleted,
    CampaignDeleted,
)
from billing.consumers import audience_sync, campaigns
from billing.models import UserPlan
from billing.usage import service
from billing.worker import consumer_specs
from kit import KEY, ad_group_created, campaign_created, envelope, sync_completed

HANDLERS = {**campaigns.HANDLERS, **audience_sync.HANDLERS}


async def handle(session: AsyncSession, event: Envelope) -> None:
    await HANDLERS[event.type](session, event)


async def counts(session: AsyncSession, user_id: uuid.UUID) -> tuple[int, int, int]:
    usage = await service.usage_for(session, user_id, datetime.now(UTC))
    return usage.campaigns, usage.ad_groups, usage.profiles_synced


def test_the_worker_consumes_every_event_it_handles():
    (spec,) = consumer_specs()
    assert spec.name == "billing-usage"
    assert spec.topics == ["campaigns.events", "audience_sync.events"]
    assert set(spec.handlers) == {
        "campaigns.campaign_created",
        "campaigns.campaign_deleted",
        "campaigns.ad_group_created",
        "campaigns.ad_group_deleted",
        "audience_sync.completed",
    }


async def test_campaigns_and_ad_groups_are_counted(session: AsyncSession):
    user = uuid.uuid4()
    c1, c2 = uuid.uuid4(), uuid.uuid4()
    g1, g2, g3 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for e in [
        campaign_created(user, c1),
        campaign_created(user, c2),
        ad_group_created(user, c1, g1),
        ad_group_created(user, c1, g2),
        ad_group_created(user, c2, g3),
    ]:
        await handle(session, e)
    assert await counts(session, user) == (2, 3, 0)

    await handle(
        session, envelope(AdGroupDeleted(ad_group_id=g3, campaign_id=c2, user_id=user), "campaigns")
    )
    assert await counts(session, user) == (2, 2, 0)

    # Deleting a campaign takes its ad groups with it, even if their own deletions follow.
    await handle(
        session,
        envelope(CampaignDeleted(campaign_id=c1, user_id=user, ad_groups_deleted=2), "campaigns"),
    )
    assert await counts(session, user) == (1, 0, 0)
    await handle(
        session, envelope(AdGroupDeleted(ad_group_id=g1, campaign_id=c1, user_id=user), "campaigns")
    )
    assert await counts(session, user) == (1, 0, 0)
    # Another user's resources never count.
    assert await counts(session, uuid.uuid4()) == (0, 0, 0)


async def test_the_same_creation_twice_counts_once(session: AsyncSession):
    user, campaign = uuid.uuid4(), uuid.uuid4()
    created = campaign_created(user, campaign)
    await handle(session, created)
    # A redelivery under a new envelope id (the producer's outbox re-sent it) still counts once.
    await handle(session, created.model_copy(update={"id": uuid.uuid4()}))
    assert await counts(session, user) == (1, 0, 0)


async def test_creations_arriving_after_their_deletion_stay_deleted(session: AsyncSession):
    user, campaign, group = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await handle(
        session, envelope(CampaignDeleted(campaign_id=campaign, user_id=user), "campaigns")
    )
    await handle(session, campaign_created(user, campaign))
    await handle(session, ad_group_created(user, campaign, group))
    assert await counts(session, user) == (0, 0, 0)


async def test_profiles_synced_add_up_per_month(session: AsyncSession):
    user = uuid.uuid4()
    await handle(session, sync_completed(user, 1000))
    await handle(session, sync_completed(user, 250))
    last_month = datetime(2020, 1, 15, tzinfo=UTC)
    await handle(session, sync_completed(user, 99, at=last_month))
    assert await counts(session, user) == (0, 0, 1250)
    old = await service.usage_for(session, user, last_month)
    assert old.profiles_synced == 99


@pytest.mark.parametrize("auth", ["jwt", "api_key"])
async def test_usage_endpoint_with_jwt_or_api_key(
    client: httpx.AsyncClient, session: AsyncSession, auth: str
):
    user = uuid.uuid4()
    campaign = uuid.uuid4()
    await handle(session, campaign_created(user, campaign))
    await handle(session, ad_group_created(user, campaign, uuid.uuid4()))
    await handle(session, sync_completed(user, 42))

    response = await client.get(
        "/api/v1/usage", headers=internal_headers(KEY, user_id=user, plan="free", auth=auth)
    )

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "plan": "free",
        "campaigns": {"used": 1, "limit": 2, "remaining": 1},
        "ad_groups": {"used": 1, "limit": 5, "remaining": 4},
        "profiles_synced_this_month": 42,
        "month": datetime.now(UTC).strftime("%Y-%m"),
        "api_access": False,
    }


async def test_usage_follows_the_plan_billing_decided(
    client: httpx.AsyncClient, session: AsyncSession
):
    user = uuid.uuid4()
    session.add(UserPlan(user_id=user, plan="enterprise"))
    await session.flush()
    # The token still says free (the gateway's JWT may lag): billing's own state wins.
    body = (
        await client.get("/api/v1/usage", headers=internal_headers(KEY, user_id=user, plan="free"))
    ).json()
    assert body["plan"] == "enterprise"
    assert body["campaigns"] == {"used": 0, "limit": None, "remaining": None}
    assert body["api_access"] is True


async def test_usage_needs_a_user(client: httpx.AsyncClient, anonymous_headers: dict[str, str]):
    response = await client.get("/api/v1/usage", headers=anonymous_headers)
    assert response.status_code == 401
    assert "detail" in response.json()
