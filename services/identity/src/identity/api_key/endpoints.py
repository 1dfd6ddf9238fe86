"""``/api/v1/api-keys``: create (raw key once), list, revoke. JWT only."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentJwtUserId
from adscale_common.pagination import Offset, OffsetPage
from identity.api_key import service
from identity.api_key.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from identity.dependencies import AppSecurity

router = APIRouter(prefix="/api/v1/api-keys", tags=["api-keys"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    responses={401: {"description": "Not authenticated"}, 422: {"description": "Invalid name"}},
    summary="Create an API key (the raw key is returned once)",
)
async def create_api_key(
    body: ApiKeyCreate, user_id: CurrentJwtUserId, session: DbSession, security: AppSecurity
) -> ApiKeyCreated:
    issued = await service.create(session, security.settings, user_id=user_id, name=body.name)
    key = issued.key
    return ApiKeyCreated(
        id=key.id, name=key.name, prefix=key.prefix, created_at=key.created_at, key=issued.raw
    )


@router.get(
    "",
    response_model=OffsetPage[ApiKeyRead],
    responses={401: {"description": "Not authenticated"}},
    summary="List active API keys (never the raw key)",
)
async def list_api_keys(
    user_id: CurrentJwtUserId, session: DbSession, page: Offset
) -> OffsetPage[ApiKeyRead]:
    keys, total = await service.list_for(session, user_id, offset=page.offset, limit=page.limit)
    return OffsetPage.of(
        [
            ApiKeyRead(
                id=k.id,
                name=k.name,
                prefix=k.prefix,
                created_at=k.created_at,
                last_used_at=k.last_used_at,
            )
            for k in keys
        ],
        total,
        page,
    )


@router.delete(
    "/{api_key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={
        400: {"description": "Malformed id"},
        401: {"description": "Not authenticated"},
        404: {"description": "No such key of yours"},
    },
    summary="Revoke an API key",
)
async def revoke_api_key(
    api_key_id: uuid.UUID, user_id: CurrentJwtUserId, session: DbSession
) -> Response:
    await service.revoke(session, user_id=user_id, key_id=api_key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
