"""API key rules: issue (raw key shown once), list, revoke, verify. Flushes, never commits."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.outbox import emit
from adscale_common.types import utcnow
from adscale_contracts.api_keys import display_prefix, generate_api_key, is_well_formed_api_key
from adscale_contracts.events import ApiKeyCreated, ApiKeyRevoked, build
from adscale_contracts.internal import ApiKeyVerifyResponse
from identity.api_key import repository
from identity.api_key.errors import ApiKeyNotFound
from identity.models import ApiKey
from identity.security import hmac_sha256_hex
from identity.settings import Settings
from identity.user.service import SOURCE

logger = logging.getLogger(__name__)


def key_hash(settings: Settings, raw: str) -> str:
    return hmac_sha256_hex(settings.api_key_hmac_secret, raw)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: ApiKey
    raw: str


async def create(
    session: AsyncSession, settings: Settings, *, user_id: uuid.UUID, name: str
) -> IssuedKey:
    raw = generate_api_key()
    key = await repository.add(
        session,
        ApiKey(
            user_id=user_id, name=name, prefix=display_prefix(raw), key_hash=key_hash(settings, raw)
        ),
    )
    await emit(
        session,
        build(ApiKeyCreated(user_id=user_id, api_key_id=key.id, prefix=key.prefix), source=SOURCE),
    )
    logger.info("api key created", extra={"user_id": str(user_id), "api_key_id": str(key.id)})
    return IssuedKey(key=key, raw=raw)


async def list_for(
    session: AsyncSession, user_id: uuid.UUID, *, offset: int, limit: int
) -> tuple[Sequence[ApiKey], int]:
    return await repository.active.page(session, user_id, offset, limit)


async def revoke(session: AsyncSession, *, user_id: uuid.UUID, key_id: uuid.UUID) -> None:
    """Another user's, unknown or already revoked key: 404 (ids of others are never confirmed)."""
    key = await repository.active.require(session, user_id, key_id, for_update=True)
    await repository.revoke(session, key.id, utcnow())
    await emit(session, build(ApiKeyRevoked(user_id=user_id, api_key_id=key.id), source=SOURCE))
    logger.info("api key revoked", extra={"user_id": str(user_id), "api_key_id": str(key.id)})


async def verify(session: AsyncSession, settings: Settings, raw: str) -> ApiKeyVerifyResponse:
    """Who owns an active key, with their current plan. Malformed keys never reach the database."""
    if not is_well_formed_api_key(raw):
        raise ApiKeyNotFound()
    found = await repository.find_active_with_plan(session, key_hash(settings, raw))
    if found is None:
        raise ApiKeyNotFound()
    key, plan = found
    await repository.touch_last_used(
        session,
        key.id,
        utcnow(),
        timedelta(seconds=settings.api_key_last_used_resolution_seconds),
    )
    return ApiKeyVerifyResponse(api_key_id=key.id, user_id=key.user_id, plan=plan)
