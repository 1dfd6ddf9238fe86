"""Ad accounts: connect, list, rename/reconnect, disconnect; tokens encrypted at rest."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.crypto import TokenCipher
from adscale_common.types import utcnow
from adscale_contracts.events import CampaignDeleted
from campaigns.account import repository
from campaigns.account.errors import DuplicateAccount
from campaigns.account.schemas import AccountCreate, AccountUpdate
from campaigns.events import publish_many
from campaigns.models import AdAccount

logger = logging.getLogger(__name__)


# Load-or-404 and the paged list, scoped to the caller (adscale_common.repository).
get_owned = repository.owned.require
list_owned = repository.owned.page


async def create(
    session: AsyncSession, user_id: uuid.UUID, data: AccountCreate, cipher: TokenCipher
) -> AdAccount:
    if await repository.find_duplicate(session, user_id, data.platform, data.account_id_external):
        raise DuplicateAccount()
    token = data.access_token.get_secret_value() if data.access_token else None
    account = AdAccount(
        **data.model_dump(exclude={"access_token"}),
        user_id=user_id,
        access_token_encrypted=cipher.encrypt(token) if token else None,
        status="active",
        connected_at=utcnow(),
    )
    try:
        async with session.begin_nested():
            return await repository.owned.insert(session, account)
    except IntegrityError as exc:  # a concurrent connect of the same account
        raise DuplicateAccount() from exc


async def update(
    session: AsyncSession,
    user_id: uuid.UUID,
    account_id: uuid.UUID,
    data: AccountUpdate,
    cipher: TokenCipher,
) -> AdAccount:
    account = await get_owned(session, user_id, account_id, for_update=True)
    fields = data.model_fields_set
    if "account_name" in fields:
        account.account_name = data.account_name
    if data.time_zone is not None:
        account.time_zone = data.time_zone
    if "access_token" in fields and data.access_token is not None:
        # A fresh token reconnects an account the platform had disconnected.
        account.access_token_encrypted = cipher.encrypt(data.access_token.get_secret_value())
        account.status = "active"
        account.disconnected_reason = None
    account.updated_at = utcnow()
    await session.flush()
    return account


async def delete(session: AsyncSession, user_id: uuid.UUID, account_id: uuid.UUID) -> None:
    """Disconnect = remove the account; its campaigns go with it (events emitted for each)."""
    account = await get_owned(session, user_id, account_id, for_update=True)
    # Its campaigns (and their ad groups) go with it by FK cascade: announce each one.
    cascaded = await repository.campaigns_with_ad_group_counts(session, account.id)
    await publish_many(
        session,
        [
            CampaignDeleted(campaign_id=c.id, user_id=c.user_id, ad_groups_deleted=groups)
            for c, groups in cascaded
        ],
    )
    await repository.owned.delete(session, account)


async def disconnect_for_platform_error(
    session: AsyncSession, account_id: uuid.UUID, reason: str
) -> None:
    """The platform refused the token (revoked/expired): the account is no longer connected."""
    await repository.mark_disconnected(session, account_id, reason)
    logger.warning("ad account disconnected by the platform", extra={"account_id": str(account_id)})
