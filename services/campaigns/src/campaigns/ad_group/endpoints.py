from __future__ import annotations

import uuid

from fastapi import APIRouter

from campaigns.ad_group import service
from campaigns.ad_group.schemas import AdGroupCreate, AdGroupRead, AdGroupUpdate
from campaigns.routes import collection_routes, item_routes

router = APIRouter(prefix="/api/v1/ad-groups", tags=["ad groups"])


collection_routes(
    router,
    "ad_group",
    "ad_groups",
    service,
    AdGroupRead,
    AdGroupCreate,
    filters={"campaign_id": uuid.UUID | None},
    searches={"name_contains": "name"},
)

item_routes(router, "ad_group", service, AdGroupRead, AdGroupUpdate)
