from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from adscale_common.pagination import Offset, OffsetPage
from campaigns.ad_group import service
from campaigns.ad_group.schemas import AdGroupCreate, AdGroupRead, AdGroupUpdate
from campaigns.dependencies import Session, UserId
from campaigns.routes import item_routes

router = APIRouter(prefix="/api/v1/ad-groups", tags=["ad groups"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AdGroupRead)
async def create_ad_group(body: AdGroupCreate, session: Session, user_id: UserId) -> AdGroupRead:
    return AdGroupRead.model_validate(await service.create(session, user_id, body))


@router.get("", response_model=OffsetPage[AdGroupRead])
async def list_ad_groups(
    session: Session,
    user_id: UserId,
    page: Offset,
    campaign_id: Annotated[uuid.UUID | None, Query()] = None,
) -> OffsetPage[AdGroupRead]:
    rows, total = await service.list_owned(
        session, user_id, page.offset, page.limit, campaign_id=campaign_id
    )
    return OffsetPage.of([AdGroupRead.model_validate(g) for g in rows], total, page)


item_routes(router, "ad_group", service, AdGroupRead, AdGroupUpdate)
