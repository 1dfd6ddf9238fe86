from __future__ import annotations

import uuid

from fastapi import APIRouter

from campaigns.campaign import service
from campaigns.campaign.schemas import CampaignCreate, CampaignRead, CampaignStatus, CampaignUpdate
from campaigns.routes import collection_routes, item_routes

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])


collection_routes(
    router,
    "campaign",
    "campaigns",
    service,
    CampaignRead,
    CampaignCreate,
    filters={"ad_account_id": uuid.UUID | None, "status": CampaignStatus | None},
    searches={"name_contains": "name"},
)

item_routes(router, "campaign", service, CampaignRead, CampaignUpdate)
