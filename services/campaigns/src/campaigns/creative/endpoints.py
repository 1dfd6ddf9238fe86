from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from adscale_common.app import from_app_state
from adscale_common.pagination import Offset, OffsetPage
from campaigns.creative import service
from campaigns.creative.copy import CopyGenerator
from campaigns.creative.schemas import (
    CreativeCreate,
    CreativeRead,
    CreativeUpdate,
    GenerateCopyRequest,
    GenerateCopyResponse,
)
from campaigns.dependencies import Session, UserId
from campaigns.routes import item_routes

router = APIRouter(prefix="/api/v1/creatives", tags=["creatives"])
Copy = Annotated[CopyGenerator, Depends(from_app_state("copy_generator"))]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CreativeRead)
async def create_creative(body: CreativeCreate, session: Session, user_id: UserId) -> CreativeRead:
    return CreativeRead.model_validate(await service.create(session, user_id, body))


@router.get("", response_model=OffsetPage[CreativeRead])
async def list_creatives(
    session: Session,
    user_id: UserId,
    page: Offset,
    ad_group_id: Annotated[uuid.UUID | None, Query()] = None,
) -> OffsetPage[CreativeRead]:
    rows, total = await service.list_owned(
        session, user_id, page.offset, page.limit, ad_group_id=ad_group_id
    )
    return OffsetPage.of([CreativeRead.model_validate(c) for c in rows], total, page)


@router.post("/generate-copy", response_model=GenerateCopyResponse)
async def generate_copy(
    body: GenerateCopyRequest, user_id: UserId, generator: Copy
) -> GenerateCopyResponse:
    copy = await service.generate_copy(generator, body)
    return GenerateCopyResponse(
        headline=copy.headline,
        description=copy.description,
        call_to_action=copy.call_to_action,
        provider=copy.provider,
        platform=body.platform,
    )


item_routes(router, "creative", service, CreativeRead, CreativeUpdate)
